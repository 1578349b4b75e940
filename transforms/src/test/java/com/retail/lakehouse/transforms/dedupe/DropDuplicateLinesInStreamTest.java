package com.retail.lakehouse.transforms.dedupe;

import static com.retail.lakehouse.transforms.TestEvents.rawRow;
import static com.retail.lakehouse.transforms.TestEvents.sale;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.retail.lakehouse.transforms.IcebergTestTables;
import com.retail.lakehouse.transforms.TestEvents;
import com.retail.lakehouse.transforms.event.PosEvent;
import com.retail.lakehouse.transforms.event.PosEventSchema;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import com.retail.lakehouse.transforms.tables.EncodedRows;
import com.retail.lakehouse.transforms.tables.RawTable;
import com.retail.lakehouse.transforms.tables.TableRowCoder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.RowCoder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.FlatMapElements;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.SlidingWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The streaming de-duplication keeps the first copy of a line, drops copies within the horizon
 * across any number of commit windows, forgets a line once the horizon has passed, keeps late
 * events, and drops lines an earlier job committed.
 */
class DropDuplicateLinesInStreamTest {
  private static final Instant T0 = new Instant(TestEvents.EVENT_TIME.toEpochMilli());
  private static final java.time.Duration HORIZON = java.time.Duration.ofHours(1);

  @TempDir Path warehouse;

  /** Copy {@code copyName} of line (transaction, line), told apart by its event_id. */
  private static Row copy(String transaction, int line, String copyName) {
    return rawRow(sale(transaction, line).withEventId(copyName), 0, 0);
  }

  private static TestStream.Builder<Row> stream() {
    return TestStream.create(TableRowCoder.of(RawTable.DEFINITION));
  }

  private static List<Row> decoded(byte[] batch) {
    try {
      return EncodedRows.decode(batch, TableRowCoder.of(RawTable.DEFINITION));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static PCollection<String> eventIds(
      PCollection<Row> rows, DropDuplicateLinesInStream dedupe) {
    return rows.apply(dedupe)
        .apply(
            FlatMapElements.into(TypeDescriptors.strings())
                .via(
                    (byte[] batch) ->
                        decoded(batch).stream()
                            .map(r -> r.getString(PosEventSchema.EVENT_ID))
                            .toList()));
  }

  @Test
  void firstCopiesLeaveInTheCommitWindowTheirLinesCameIn() {
    Duration window = Duration.standardSeconds(10);
    Instant first = new Instant(T0.getMillis() - T0.getMillis() % window.getMillis());
    Instant second = first.plus(window);
    TestStream<Row> events =
        stream()
            .addElements(
                // a line's copy in a later window comes after it: the earlier copy is kept
                TimestampedValue.of(copy("T-1", 1, "first window"), first),
                TimestampedValue.of(copy("T-2", 1, "second window"), second),
                TimestampedValue.of(copy("T-1", 1, "copy in the second window"), second),
                TimestampedValue.of(
                    copy("T-3", 1, "also first window"), second.minus(Duration.millis(1))))
            .advanceWatermarkToInfinity();
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    PCollection<String> ids =
        eventIds(
            p.apply(events).apply(Window.into(FixedWindows.of(window))),
            DropDuplicateLinesInStream.within(HORIZON));
    PAssert.that(ids)
        .inWindow(new IntervalWindow(first, window))
        .containsInAnyOrder("first window", "also first window");
    PAssert.that(ids)
        .inWindow(new IntervalWindow(second, window))
        .containsInAnyOrder("second window");
    p.run().waitUntilFinish();
  }

  @Test
  void windowsABatchCannotGoBackIntoAreRefused() {
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    PCollection<Row> sliding =
        p.apply(stream().advanceWatermarkToInfinity())
            .apply(
                Window.into(
                    SlidingWindows.of(Duration.standardSeconds(10))
                        .every(Duration.standardSeconds(5))));
    assertThatThrownBy(() -> sliding.apply(DropDuplicateLinesInStream.within(HORIZON)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("fixed windows or the global window");
  }

  @Test
  void rowsNotCodedByTheirTablesCoderAreRefused() {
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    PCollection<Row> events =
        p.apply(
            TestStream.create(RowCoder.of(PosEventSchema.BEAM_SCHEMA))
                .advanceWatermarkToInfinity());
    assertThatThrownBy(() -> events.apply(DropDuplicateLinesInStream.within(HORIZON)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("TableRowCoder");
  }

  @Test
  void copiesWithinTheHorizonAreDroppedAcrossWindowsAndALineIsForgottenAfterIt() {
    TestStream<Row> events =
        stream()
            .addElements(
                TimestampedValue.of(copy("T-1", 1, "first"), T0),
                TimestampedValue.of(copy("T-1", 2, "other line"), T0))
            // 30 minutes later, many commit windows on: still within the horizon
            .advanceWatermarkTo(T0.plus(Duration.standardMinutes(30)))
            .addElements(
                TimestampedValue.of(
                    copy("T-1", 1, "resent within horizon"), T0.plus(Duration.standardMinutes(30))))
            // past the horizon the line is forgotten: a new copy is a new first copy
            .advanceWatermarkTo(T0.plus(Duration.standardHours(2)))
            .addElements(
                TimestampedValue.of(
                    copy("T-1", 1, "resent after horizon"), T0.plus(Duration.standardHours(2))))
            .advanceWatermarkToInfinity();
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    PAssert.that(eventIds(p.apply(events), DropDuplicateLinesInStream.within(HORIZON)))
        .containsInAnyOrder("first", "other line", "resent after horizon");
    p.run().waitUntilFinish();
  }

  @Test
  void aShardReadThousandsOfHorizonsAheadOfItsWatermarkStartsAfresh() {
    // the watermark never moves, so no timer fires: 20 horizons on the line is still held (a
    // shard's clock is the watermark), 5,000 horizons on its ring of buckets could no longer tell
    // the old key from a new one, and the shard starts afresh
    Instant later = T0.plus(Duration.standardHours(20));
    Instant muchLater = T0.plus(Duration.standardHours(5_000));
    TestStream<Row> events =
        stream()
            .addElements(TimestampedValue.of(copy("T-1", 1, "first"), T0))
            .addElements(TimestampedValue.of(copy("T-1", 1, "resent 20 horizons later"), later))
            .addElements(
                TimestampedValue.of(copy("T-1", 1, "resent 5,000 horizons later"), muchLater))
            .addElements(
                TimestampedValue.of(
                    copy("T-1", 1, "resent within the horizon of that"),
                    muchLater.plus(Duration.standardMinutes(30))))
            .advanceWatermarkToInfinity();
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    PAssert.that(eventIds(p.apply(events), DropDuplicateLinesInStream.within(HORIZON)))
        .containsInAnyOrder("first", "resent 5,000 horizons later");
    p.run().waitUntilFinish();
  }

  @Test
  void aShardsKeysSurviveTheirCoder() throws IOException {
    DropDuplicateLinesInStream.HeldKeys held =
        new DropDuplicateLinesInStream.HeldKeys(HashBuckets.forKeys(0), 1_000, 1_008);
    for (long hash = 1; hash <= 5_000; hash++) {
      held.add(hash * 0x9E37_79B9_7F4A_7C15L, (short) (1_000 + hash % 9));
    }
    byte[] bytes = CoderUtils.encodeToByteArray(DropDuplicateLinesInStream.HeldKeys.CODER, held);
    DropDuplicateLinesInStream.HeldKeys back =
        CoderUtils.decodeFromByteArray(DropDuplicateLinesInStream.HeldKeys.CODER, bytes);
    assertThat(back.lowest).isEqualTo(1_000);
    assertThat(back.timer).isEqualTo(1_008);
    assertThat(back.keys.size()).isEqualTo(5_000);
    for (long hash = 1; hash <= 5_000; hash++) {
      assertThat(back.keys.contains(hash * 0x9E37_79B9_7F4A_7C15L)).isTrue();
    }
    // each key kept its bucket: shedding buckets 1,000 to 1,003 leaves the keys of the others
    long later = java.util.stream.LongStream.rangeClosed(1, 5_000).filter(h -> h % 9 >= 4).count();
    assertThat(back.keys.withoutBucketsBefore(1_004).size()).isEqualTo(later);
    assertThatThrownBy(DropDuplicateLinesInStream.HeldKeys.CODER::verifyDeterministic)
        .isInstanceOf(Coder.NonDeterministicException.class);
  }

  @Test
  void lateEventIsKeptAndItsCopyDropped() {
    // event_time days behind the stream's time: valid data, de-duplicated like any other line
    PosEvent old = sale("T-L", 1).withEventTime(TestEvents.EVENT_TIME.minusSeconds(3 * 86_400));
    TestStream<Row> events =
        stream()
            .advanceWatermarkTo(T0.plus(Duration.standardDays(1)))
            .addElements(
                TimestampedValue.of(
                    rawRow(old.withEventId("late"), 0, 0), T0.plus(Duration.standardDays(1))),
                TimestampedValue.of(
                    rawRow(old.withEventId("late copy"), 0, 1), T0.plus(Duration.standardDays(1))),
                TimestampedValue.of(copy("T-3", 1, "on-time"), T0.plus(Duration.standardDays(1))))
            .advanceWatermarkToInfinity();
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    PAssert.that(eventIds(p.apply(events), DropDuplicateLinesInStream.within(HORIZON)))
        .satisfies(
            ids -> {
              org.assertj.core.api.Assertions.assertThat(ids)
                  .hasSize(2)
                  .contains("on-time")
                  .containsAnyOf("late", "late copy");
              return null;
            });
    p.run().waitUntilFinish();
  }

  @Test
  void linesAnEarlierJobCommittedAreDropped() {
    CatalogSettings catalog = IcebergTestTables.hadoopCatalog(warehouse);
    RawTable.DEFINITION.createOrLoad(catalog.catalog());
    IcebergTestTables.writeAndCommit(
        catalog,
        RawTable.DEFINITION,
        "earlier-job",
        List.of(rawRow(sale("T-1", 1), 0, 0)),
        Map.of(0, 0L),
        r -> null);
    RecentLineKeys committed =
        RecentLineKeys.of(
            catalog,
            RawTable.DEFINITION.identifier(),
            com.retail.lakehouse.transforms.contract.PosContract.LINE_KEY,
            java.time.Duration.ofDays(365_000),
            java.time.Instant.now());

    TestStream<Row> events =
        stream()
            .addElements(
                TimestampedValue.of(copy("T-1", 1, "re-sent after a restart"), T0),
                TimestampedValue.of(copy("T-2", 1, "new"), T0))
            .advanceWatermarkToInfinity();
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    PAssert.that(
            eventIds(
                p.apply(events),
                DropDuplicateLinesInStream.within(HORIZON).withCommittedKeys(committed)))
        .containsInAnyOrder("new");
    p.run().waitUntilFinish();
  }
}
