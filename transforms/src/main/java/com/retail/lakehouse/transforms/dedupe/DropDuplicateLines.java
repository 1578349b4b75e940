package com.retail.lakehouse.transforms.dedupe;

import com.retail.lakehouse.transforms.event.PosEventSchema;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Deduplicate;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;

/**
 * Keeps the first copy of each sale line, identified by (transaction_id, line_number), and drops
 * any further copy that arrives within the horizon (registers retry, producers re-send). Built on
 * Beam's {@link Deduplicate}, which keeps one small state cell per key and expires it with an
 * event-time timer (element timestamp = Kafka record time) once the watermark passes the horizon.
 * Event time, not processing time: a bounded catch-up run ends with the watermark at infinity, so
 * its state is released at once, while processing-time timers kept the DirectRunner waiting. The
 * number dropped is {@code dedupe_lines_in - dedupe_lines_out}.
 */
public final class DropDuplicateLines extends PTransform<PCollection<Row>, PCollection<Row>> {
  /** Metric: lines that entered de-duplication. */
  public static final String LINES_IN = "dedupe_lines_in";

  /** Metric: lines that left de-duplication (first copies). */
  public static final String LINES_OUT = "dedupe_lines_out";

  private final Duration horizon;

  private DropDuplicateLines(Duration horizon) {
    this.horizon = horizon;
  }

  /** Drops copies of a line seen within {@code horizon} of processing time. */
  public static DropDuplicateLines within(java.time.Duration horizon) {
    return new DropDuplicateLines(Duration.millis(horizon.toMillis()));
  }

  @Override
  public PCollection<Row> expand(PCollection<Row> lines) {
    return lines
        .apply("CountLinesIn", ParDo.of(new CountFn(LINES_IN)))
        .setCoder(lines.getCoder())
        .apply(
            "KeepFirstCopy",
            Deduplicate.<Row, String>withRepresentativeValueFn(DropDuplicateLines::lineKey)
                .withRepresentativeType(TypeDescriptors.strings())
                .withTimeDomain(TimeDomain.EVENT_TIME)
                .withDuration(horizon))
        .setCoder(lines.getCoder())
        .apply("CountLinesOut", ParDo.of(new CountFn(LINES_OUT)))
        .setCoder(lines.getCoder());
  }

  /** The de-duplication key of a row that has the event contract's columns. */
  public static String lineKey(Row row) {
    return row.getString(PosEventSchema.TRANSACTION_ID)
        + "#"
        + row.getInt32(PosEventSchema.LINE_NUMBER);
  }

  /** Passes rows through, counting them. */
  static final class CountFn extends DoFn<Row, Row> {
    private final Counter counter;

    CountFn(String name) {
      this.counter = Metrics.counter("lakehouse", name);
    }

    @ProcessElement
    public void process(@Element Row row, OutputReceiver<Row> out) {
      counter.inc();
      out.output(row);
    }
  }
}
