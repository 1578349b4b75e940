package com.retail.lakehouse.transforms.commit;

import static com.retail.lakehouse.transforms.TestEvents.rawRow;
import static com.retail.lakehouse.transforms.TestEvents.sale;
import static org.assertj.core.api.Assertions.assertThat;

import com.retail.lakehouse.transforms.IcebergTestTables;
import com.retail.lakehouse.transforms.TestEvents;
import com.retail.lakehouse.transforms.dedupe.DropDuplicateLinesInStream;
import com.retail.lakehouse.transforms.event.PosEventSchema;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import com.retail.lakehouse.transforms.tables.RawTable;
import com.retail.lakehouse.transforms.tables.TableRowCoder;
import com.retail.lakehouse.transforms.write.WriteDataFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TimestampedValue;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The streaming committer makes one commit per window, in window order, and each commit records the
 * offsets its window completes, including messages that did not become rows of this table; an idle
 * table's position still advances, with empty commits thinned out.
 */
class CommitWindowsInOrderTest {
  private static final Instant T0 = new Instant(0);
  private static final FixedWindows TEN_SECONDS = FixedWindows.of(Duration.standardSeconds(10));

  @TempDir Path warehouse;

  /** Messages of four windows; "X" lines stand for messages that went to the other table. */
  private static TestStream<Row> fourWindows() {
    return TestStream.create(TableRowCoder.of(RawTable.DEFINITION))
        .addElements(
            at(1, rawRow(sale("T-1", 1), 0, 0)),
            at(2, rawRow(sale("T-1", 2), 0, 1)),
            at(3, rawRow(sale("X-1", 1), 0, 2)))
        .advanceWatermarkTo(T0.plus(Duration.standardSeconds(10)))
        .addElements(at(11, rawRow(sale("T-2", 1), 0, 3)), at(12, rawRow(sale("T-3", 1), 1, 0)))
        .advanceWatermarkTo(T0.plus(Duration.standardSeconds(20)))
        .addElements(at(21, rawRow(sale("X-2", 1), 0, 4)))
        .advanceWatermarkTo(T0.plus(Duration.standardSeconds(30)))
        .addElements(at(31, rawRow(sale("T-4", 1), 1, 1)))
        .advanceWatermarkToInfinity();
  }

  private static TimestampedValue<Row> at(int second, Row row) {
    return TimestampedValue.of(row, T0.plus(Duration.standardSeconds(second)));
  }

  /** One window with rows, then one with messages of the other table only, then silence. */
  private static TestStream<Row> quietAfterAnEmptyWindow() {
    return TestStream.create(TableRowCoder.of(RawTable.DEFINITION))
        .addElements(at(1, rawRow(sale("T-1", 1), 0, 0)))
        .advanceWatermarkTo(T0.plus(Duration.standardSeconds(10)))
        .addElements(at(11, rawRow(sale("X-1", 1), 0, 1)))
        .advanceWatermarkToInfinity();
  }

  private List<String> commitsOf(int emptyCommitEvery) {
    return commitsOf(fourWindows(), emptyCommitEvery, 5);
  }

  private List<String> commitsOf(TestStream<Row> stream, int emptyCommitEvery, int rowsExpected) {
    return commitsOf(stream, emptyCommitEvery, rowsExpected, false);
  }

  /**
   * {@code streamingPath}: rows go through the streaming job's de-duplication, which hands on
   * batches, and the writers of batches, as in the streaming ingest; otherwise straight to the
   * writers of rows.
   */
  private List<String> commitsOf(
      TestStream<Row> stream, int emptyCommitEvery, int rowsExpected, boolean streamingPath) {
    CatalogSettings catalog = IcebergTestTables.hadoopCatalog(warehouse);
    Table table = RawTable.DEFINITION.createOrLoad(catalog.catalog());
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    PCollection<Row> messages = p.apply(stream);
    PCollection<KV<Integer, Long>> lastOffsets =
        messages
            .apply(
                "Offsets",
                MapElements.into(
                        TypeDescriptors.kvs(TypeDescriptors.integers(), TypeDescriptors.longs()))
                    .via(
                        (Row r) ->
                            KV.of(
                                r.getInt32(RawTable.KAFKA_PARTITION),
                                r.getInt64(RawTable.KAFKA_OFFSET))))
            .apply("OffsetWindows", Window.into(TEN_SECONDS))
            .apply(LastOffsetPerPartition.perWindow());
    messages
        .apply(
            "OnlyThisTable",
            Filter.by((Row r) -> r.getString(PosEventSchema.TRANSACTION_ID).startsWith("T")))
        .apply("RowWindows", Window.into(TEN_SECONDS))
        .apply(
            "Write",
            streamingPath
                ? new PTransform<PCollection<Row>, PCollection<WrittenFiles>>() {
                  @Override
                  public PCollection<WrittenFiles> expand(PCollection<Row> rows) {
                    return rows.apply(
                            DropDuplicateLinesInStream.within(java.time.Duration.ofHours(1)))
                        .apply(WriteDataFiles.batchesTo(catalog, RawTable.DEFINITION, 2));
                  }
                }
                : WriteDataFiles.to(catalog, RawTable.DEFINITION, 2))
        .apply(
            CommitWindowsInOrder.of(
                    catalog, RawTable.DEFINITION, TestEvents.TOPIC, "stream-1", lastOffsets)
                .withEmptyCommitEvery(emptyCommitEvery));
    p.run().waitUntilFinish();

    table.refresh();
    List<String> commits = new ArrayList<>();
    for (Snapshot s : table.snapshots()) {
      assertThat(s.summary()).containsEntry(CommittedOffsets.RUN_ID_KEY, "stream-1");
      commits.add(
          s.summary().getOrDefault("added-records", "0")
              + " rows -> "
              + s.summary().get(CommittedOffsets.SUMMARY_KEY));
    }
    assertThat(IcebergTestTables.readAll(table)).hasSize(rowsExpected);
    return commits;
  }

  /** The commits of {@link #fourWindows()} when every window commits. */
  private static final List<String> FOUR_WINDOWS_COMMITTED_ONE_BY_ONE =
      List.of(
          "2 rows -> {\"pos-events\":{\"0\":3}}",
          "2 rows -> {\"pos-events\":{\"0\":4,\"1\":1}}",
          "0 rows -> {\"pos-events\":{\"0\":5,\"1\":1}}",
          "1 rows -> {\"pos-events\":{\"0\":5,\"1\":2}}");

  @Test
  void eachWindowCommitsInOrderRecordingTheOffsetsItCompletes() {
    assertThat(commitsOf(1)).containsExactlyElementsOf(FOUR_WINDOWS_COMMITTED_ONE_BY_ONE);
  }

  @Test
  void anEmptyWindowIsCarriedIntoTheNextCommitWhenEmptyCommitsAreThinnedOut() {
    assertThat(commitsOf(2))
        .containsExactly(
            "2 rows -> {\"pos-events\":{\"0\":3}}",
            "2 rows -> {\"pos-events\":{\"0\":4,\"1\":1}}",
            "1 rows -> {\"pos-events\":{\"0\":5,\"1\":2}}");
  }

  @Test
  void aCarriedEmptyWindowIsStillCommittedWhenTheTopicGoesQuiet() {
    assertThat(commitsOf(quietAfterAnEmptyWindow(), 5, 1))
        .containsExactly(
            "1 rows -> {\"pos-events\":{\"0\":1}}", "0 rows -> {\"pos-events\":{\"0\":2}}");
  }

  @Test
  void theStreamingJobsBatchesCommitInTheWindowsTheirMessagesCameIn() {
    assertThat(commitsOf(fourWindows(), 1, 5, true))
        .containsExactlyElementsOf(FOUR_WINDOWS_COMMITTED_ONE_BY_ONE);
  }

  @Test
  void aCopyInALaterWindowIsDroppedAndItsWindowStillCommitsItsOffsets() {
    TestStream<Row> stream =
        TestStream.create(TableRowCoder.of(RawTable.DEFINITION))
            .addElements(at(1, rawRow(sale("T-1", 1), 0, 0)), at(2, rawRow(sale("T-1", 2), 0, 1)))
            .advanceWatermarkTo(T0.plus(Duration.standardSeconds(10)))
            .addElements(at(11, rawRow(sale("T-1", 1), 0, 2)), at(12, rawRow(sale("T-2", 1), 0, 3)))
            .advanceWatermarkToInfinity();
    assertThat(commitsOf(stream, 1, 3, true))
        .containsExactly(
            "2 rows -> {\"pos-events\":{\"0\":2}}", "1 rows -> {\"pos-events\":{\"0\":4}}");
  }
}
