package com.retail.lakehouse.transforms.write;

import com.retail.lakehouse.transforms.metrics.LiveCounters;
import com.retail.lakehouse.transforms.tables.CommittedOffsets;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;

/**
 * Drops rows whose Kafka message the target table already holds, by the position recorded in the
 * table. A run resumes from the lower of the raw and dead-letter positions, so each table skips
 * what it committed before; this is what makes a restart after a crash neither lose nor repeat.
 */
public final class SkipRowsAlreadyCommitted extends PTransform<PCollection<Row>, PCollection<Row>> {
  /** Metric: rows skipped because their table already held them. */
  public static final String SKIPPED = "skipped_already_committed";

  private final CommittedOffsets position;
  private final String partitionField;
  private final String offsetField;

  private SkipRowsAlreadyCommitted(
      CommittedOffsets position, String partitionField, String offsetField) {
    this.position = position;
    this.partitionField = partitionField;
    this.offsetField = offsetField;
  }

  /** Skips rows below {@code position}, reading coordinates from the named columns. */
  public static SkipRowsAlreadyCommitted of(
      CommittedOffsets position, String partitionField, String offsetField) {
    return new SkipRowsAlreadyCommitted(position, partitionField, offsetField);
  }

  @Override
  public PCollection<Row> expand(PCollection<Row> rows) {
    return rows.apply(ParDo.of(new SkipFn(position, partitionField, offsetField)))
        .setCoder(rows.getCoder());
  }

  /** Passes rows the table does not hold yet. */
  static final class SkipFn extends DoFn<Row, Row> {
    private final CommittedOffsets position;
    private final String partitionField;
    private final String offsetField;
    private final Counter skipped = Metrics.counter("lakehouse", SKIPPED);

    SkipFn(CommittedOffsets position, String partitionField, String offsetField) {
      this.position = position;
      this.partitionField = partitionField;
      this.offsetField = offsetField;
    }

    @ProcessElement
    public void process(@Element Row row, OutputReceiver<Row> out) {
      if (position.holds(row.getInt32(partitionField), row.getInt64(offsetField))) {
        skipped.inc();
        LiveCounters.add(SKIPPED, 1);
      } else {
        out.output(row);
      }
    }
  }
}
