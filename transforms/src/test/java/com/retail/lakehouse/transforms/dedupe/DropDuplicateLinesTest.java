package com.retail.lakehouse.transforms.dedupe;

import static org.assertj.core.api.Assertions.assertThat;

import com.retail.lakehouse.transforms.TestEvents;
import com.retail.lakehouse.transforms.event.PosEventSchema;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.RowCoder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.windowing.AfterWatermark;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * DropDuplicateLines keeps the first copy of each (transaction_id, line_number) in a run, whatever
 * the distance between the copies, and never drops late events (they are valid data).
 */
class DropDuplicateLinesTest {
  private static final Instant T0 = new Instant(TestEvents.EVENT_TIME.toEpochMilli());

  /** A copy of line (transaction, line) told apart from other copies by its event_id. */
  private static Row copy(String transaction, int line, String copyName) {
    return TestEvents.sale(transaction, line).withEventId(copyName).toRow();
  }

  private static TestStream.Builder<Row> stream() {
    return TestStream.create(RowCoder.of(PosEventSchema.BEAM_SCHEMA));
  }

  /**
   * A streamed run: the global window fires once the watermark reaches the end, as a bounded
   * catch-up run's does; elements behind the watermark are not dropped by the global window.
   */
  private static PCollection<Row> asOneRun(PCollection<Row> rows) {
    return rows.apply(
        Window.<Row>into(new GlobalWindows())
            .triggering(AfterWatermark.pastEndOfWindow())
            .withAllowedLateness(Duration.ZERO)
            .discardingFiredPanes());
  }

  private static PCollection<String> eventIds(PCollection<Row> rows) {
    PCollection<Row> input =
        rows.isBounded() == PCollection.IsBounded.BOUNDED ? rows : asOneRun(rows);
    return input
        .apply(DropDuplicateLines.inShards(4))
        .apply(
            MapElements.into(TypeDescriptors.strings())
                .via((Row r) -> r.getString(PosEventSchema.EVENT_ID)));
  }

  @Test
  void lineKeyIsTransactionAndLineNumber() {
    assertThat(DropDuplicateLines.lineKey(copy("T-9", 3, "x"))).isEqualTo("T-9#3");
  }

  @Test
  void duplicateLineIsDroppedAndDistinctLinesOfABasketAreKept() {
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    PCollection<Row> rows =
        p.apply(
            Create.of(
                    copy("T-1", 1, "a"),
                    copy("T-1", 2, "b"),
                    copy("T-1", 1, "a"),
                    copy("T-2", 1, "c"))
                .withCoder(RowCoder.of(PosEventSchema.BEAM_SCHEMA)));
    PAssert.that(eventIds(rows)).containsInAnyOrder("a", "b", "c");
    p.run().waitUntilFinish();
  }

  @Test
  void copiesFarApartInTheStreamAreStillOneLine() {
    TestStream<Row> events =
        stream()
            .addElements(TimestampedValue.of(copy("T-1", 1, "first"), T0))
            .advanceWatermarkTo(T0.plus(Duration.standardHours(5)))
            .addElements(
                TimestampedValue.of(copy("T-2", 1, "other"), T0.plus(Duration.standardHours(5))))
            .addElements(
                TimestampedValue.of(copy("T-1", 1, "resend"), T0.plus(Duration.standardHours(5))))
            .advanceWatermarkToInfinity();
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    PCollection<String> out = eventIds(p.apply(events));
    PAssert.that(out)
        .satisfies(
            ids -> {
              assertThat(ids).hasSize(2).contains("other");
              assertThat(ids).containsAnyOf("first", "resend");
              return null;
            });
    p.run().waitUntilFinish();
  }

  @Test
  void lateEventBehindTheWatermarkIsKeptAndItsCopyDropped() {
    TestStream<Row> events =
        stream()
            .advanceWatermarkTo(T0.plus(Duration.standardDays(1)))
            .addElements(
                TimestampedValue.of(copy("T-L", 1, "late"), T0),
                TimestampedValue.of(copy("T-L", 1, "late"), T0),
                TimestampedValue.of(copy("T-3", 1, "on-time"), T0.plus(Duration.standardDays(1))))
            .advanceWatermarkToInfinity();
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    PAssert.that(eventIds(p.apply(events))).containsInAnyOrder("late", "on-time");
    p.run().waitUntilFinish();
  }
}
