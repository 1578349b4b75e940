package com.retail.lakehouse.transforms.dedupe;

import static org.assertj.core.api.Assertions.assertThat;

import com.retail.lakehouse.transforms.TestEvents;
import com.retail.lakehouse.transforms.event.PosEvent;
import com.retail.lakehouse.transforms.event.PosEventSchema;
import java.time.Duration;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.RowCoder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * DropDuplicateLines uses Beam's Deduplicate with its default time domain, PROCESSING_TIME: the
 * horizon is measured on the processing-time clock (TestStream.advanceProcessingTime), not on
 * event time or the watermark.
 */
class DropDuplicateLinesTest {
  private static final Duration HORIZON = Duration.ofMinutes(10);
  private static final Instant T0 = new Instant(TestEvents.EVENT_TIME.toEpochMilli());

  /** A copy of line (transaction, line) told apart from other copies by its event_id. */
  private static Row copy(String transaction, int line, String copyName) {
    PosEvent b = TestEvents.sale(transaction, line);
    return new PosEvent(
            copyName, b.transactionId(), b.lineNumber(), b.eventType(), b.storeId(), b.registerId(),
            b.cashierId(), b.product(), b.sku(), b.category(), b.quantity(), b.unitPrice(),
            b.discount(), b.totalAmount(), b.currency(), b.paymentMethod(), b.customerId(),
            b.eventTime())
        .toRow();
  }

  private static TestStream.Builder<Row> stream() {
    return TestStream.create(RowCoder.of(PosEventSchema.BEAM_SCHEMA));
  }

  /** Runs the stream through the transform and returns the event_ids that came out. */
  private static void assertEmitted(TestStream<Row> events, String... eventIds) {
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    PCollection<String> out =
        p.apply(events)
            .apply(DropDuplicateLines.within(HORIZON))
            .apply(MapElements.into(TypeDescriptors.strings())
                .via((Row r) -> r.getString(PosEventSchema.EVENT_ID)));
    PAssert.that(out).containsInAnyOrder(eventIds);
    p.run().waitUntilFinish();
  }

  @Test
  void lineKeyIsTransactionAndLineNumber() {
    assertThat(DropDuplicateLines.lineKey(copy("T-9", 3, "x"))).isEqualTo("T-9#3");
    assertThat(DropDuplicateLines.lineKey(copy("T-9", 3, "x")))
        .isEqualTo(TestEvents.sale("T-9", 3).lineKey());
  }

  @Test
  void duplicateOfALineWithinTheHorizonIsDropped() {
    TestStream<Row> events =
        stream()
            .addElements(TimestampedValue.of(copy("T-1", 1, "first"), T0))
            .advanceProcessingTime(org.joda.time.Duration.standardMinutes(5))
            .addElements(TimestampedValue.of(copy("T-1", 1, "retry"), T0.plus(1000)))
            .advanceProcessingTime(org.joda.time.Duration.standardMinutes(4))
            .addElements(TimestampedValue.of(copy("T-1", 1, "second retry"), T0.plus(2000)))
            .advanceWatermarkToInfinity();

    assertEmitted(events, "first");
  }

  @Test
  void differentLinesOfTheSameTransactionAreBothKept() {
    TestStream<Row> events =
        stream()
            .addElements(
                TimestampedValue.of(copy("T-1", 1, "line 1"), T0),
                TimestampedValue.of(copy("T-1", 2, "line 2"), T0))
            .addElements(TimestampedValue.of(copy("T-2", 1, "other basket line 1"), T0))
            .advanceWatermarkToInfinity();

    assertEmitted(events, "line 1", "line 2", "other basket line 1");
  }

  @Test
  void lateLineBehindTheWatermarkIsStillEmittedAndItsDuplicateDropped() {
    TestStream<Row> events =
        stream()
            .addElements(TimestampedValue.of(copy("T-1", 1, "on time"), T0))
            .advanceWatermarkTo(T0.plus(org.joda.time.Duration.standardHours(2)))
            // one hour behind the watermark: late, but a valid sale line
            .addElements(
                TimestampedValue.of(
                    copy("T-LATE", 1, "late"), T0.plus(org.joda.time.Duration.standardHours(1))))
            .addElements(
                TimestampedValue.of(
                    copy("T-LATE", 1, "late retry"),
                    T0.plus(org.joda.time.Duration.standardHours(1))))
            .advanceWatermarkToInfinity();

    assertEmitted(events, "on time", "late");
  }

  @Test
  void copyArrivingAfterTheHorizonOfProcessingTimeIsEmittedAgain() {
    TestStream<Row> events =
        stream()
            .addElements(TimestampedValue.of(copy("T-1", 1, "first"), T0))
            .advanceProcessingTime(
                org.joda.time.Duration.millis(HORIZON.toMillis()).plus(org.joda.time.Duration.standardMinutes(1)))
            .addElements(TimestampedValue.of(copy("T-1", 1, "after horizon"), T0))
            .advanceWatermarkToInfinity();

    // The horizon is a bound on remembered keys, not a guarantee: later copies pass again.
    assertEmitted(events, "first", "after horizon");
  }

  @Test
  void watermarkAloneDoesNotExpireTheHorizon() {
    TestStream<Row> events =
        stream()
            .addElements(TimestampedValue.of(copy("T-1", 1, "first"), T0))
            .advanceWatermarkTo(T0.plus(org.joda.time.Duration.standardDays(1)))
            .addElements(
                TimestampedValue.of(
                    copy("T-1", 1, "copy a day later in event time"),
                    T0.plus(org.joda.time.Duration.standardDays(1))))
            .advanceWatermarkToInfinity();

    assertEmitted(events, "first");
  }
}
