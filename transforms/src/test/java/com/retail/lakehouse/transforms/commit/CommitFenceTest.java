package com.retail.lakehouse.transforms.commit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.retail.lakehouse.transforms.IcebergTestTables;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import com.retail.lakehouse.transforms.tables.RawTable;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.StreamSupport;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.Catalog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The claim fence and the position check hold inside Iceberg's optimistic commit: a run whose check
 * passed but whose commit is still in flight when a newer run claims the table (a zombie) appends
 * nothing, even though Iceberg refreshes the table before it commits.
 */
class CommitFenceTest {
  private static final String TOPIC = "pos-events";

  @TempDir Path warehouse;

  @AfterEach
  void removeHook() {
    AppendWithPosition.beforeIcebergCommit = () -> {};
    AppendWithPosition.afterValidation = () -> {};
  }

  /** A data file entry of the raw table (metadata only: the commit never opens it). */
  private static DataFile file(Table table, long rows) {
    return DataFiles.builder(table.spec())
        .withPath(
            table.location() + "/data/event_time_day=2026-11-24/" + UUID.randomUUID() + ".parquet")
        .withFormat(FileFormat.PARQUET)
        .withPartitionPath("event_time_day=2026-11-24")
        .withFileSizeInBytes(1024)
        .withRecordCount(rows)
        .build();
  }

  private static CommitResult commit(
      Table table, String runId, long rows, Map<Integer, Long> next) {
    return AppendWithPosition.commit(
        table, table.name(), TOPIC, runId, null, List.of(file(table, rows)), rows, next, Map.of());
  }

  private static List<Snapshot> snapshotsOf(Table table, String runId) {
    table.refresh();
    return StreamSupport.stream(table.snapshots().spliterator(), false)
        .filter(s -> runId.equals(s.summary().get(CommittedOffsets.RUN_ID_KEY)))
        .toList();
  }

  @Test
  void zombieWhoseCheckPassedCannotAppendAfterANewerRunClaimedTheTable() {
    CatalogSettings catalog = IcebergTestTables.hadoopCatalog(warehouse);
    Table zombieView = RawTable.DEFINITION.createOrLoad(catalog.catalog());
    AppendWithPosition.claim(zombieView, "zombie");
    // Between the zombie's check and its Iceberg commit, a newer run claims the table and reads
    // the position (none yet): it will read the zombie's offsets again.
    AppendWithPosition.beforeIcebergCommit =
        () -> {
          AppendWithPosition.beforeIcebergCommit = () -> {};
          Table newRunView = freshView(catalog.catalog());
          AppendWithPosition.claim(newRunView, "new-run");
          assertThat(CommittedOffsets.of(newRunView, TOPIC).nextOffsets()).isEmpty();
        };

    assertThatThrownBy(() -> commit(zombieView, "zombie", 10, Map.of(0, 10L)))
        .hasMessageContaining("claimed by ingest run new-run");

    assertThat(snapshotsOf(zombieView, "zombie")).isEmpty();
    assertThat(CommittedOffsets.of(zombieView, TOPIC).nextOffsets()).isEmpty();
    // the new run commits the same offsets once
    commit(freshView(catalog.catalog()), "new-run", 10, Map.of(0, 10L));
    Table table = freshView(catalog.catalog());
    assertThat(table.currentSnapshot().summary()).containsEntry("total-records", "10");
  }

  @Test
  void commitWhosePositionMovedUnderItIsNotAppendedTwice() {
    CatalogSettings catalog = IcebergTestTables.hadoopCatalog(warehouse);
    Table first = RawTable.DEFINITION.createOrLoad(catalog.catalog());
    AppendWithPosition.claim(first, "run");
    // The same run's commit re-executed by the runner lands first, between the check and the
    // commit of the original attempt (a retried bundle racing its original).
    AppendWithPosition.beforeIcebergCommit =
        () -> {
          AppendWithPosition.beforeIcebergCommit = () -> {};
          commit(freshView(catalog.catalog()), "run", 10, Map.of(0, 10L));
        };

    CommitResult result = commit(first, "run", 10, Map.of(0, 10L));

    assertThat(result.alreadyCommitted()).isTrue();
    Table table = freshView(catalog.catalog());
    assertThat(snapshotsOf(table, "run")).hasSize(1);
    assertThat(table.currentSnapshot().summary()).containsEntry("total-records", "10");
  }

  @Test
  void committingOneTopicKeepsTheOtherTopicsPositions() {
    CatalogSettings catalog = IcebergTestTables.hadoopCatalog(warehouse);
    Table table = RawTable.DEFINITION.createOrLoad(catalog.catalog());
    AppendWithPosition.claim(table, "run-a");
    AppendWithPosition.commit(
        table,
        table.name(),
        "topic-a",
        "run-a",
        null,
        List.of(file(table, 3)),
        3,
        Map.of(0, 3L),
        Map.of());
    AppendWithPosition.claim(table, "run-b");
    AppendWithPosition.commit(
        table,
        table.name(),
        "topic-b",
        "run-b",
        null,
        List.of(file(table, 5)),
        5,
        Map.of(1, 5L),
        Map.of());

    assertThat(CommittedOffsets.of(table, "topic-a").nextOffsets()).isEqualTo(Map.of(0, 3L));
    assertThat(CommittedOffsets.of(table, "topic-b").nextOffsets()).isEqualTo(Map.of(1, 5L));
    // topic a again: b's position stays
    AppendWithPosition.claim(table, "run-a2");
    AppendWithPosition.commit(
        table,
        table.name(),
        "topic-a",
        "run-a2",
        null,
        List.of(file(table, 1)),
        1,
        Map.of(0, 4L),
        Map.of());
    assertThat(CommittedOffsets.of(table, "topic-a").nextOffsets()).isEqualTo(Map.of(0, 4L));
    assertThat(CommittedOffsets.of(table, "topic-b").nextOffsets()).isEqualTo(Map.of(1, 5L));
  }

  @Test
  void aCommitThatStartsWhereAVanishedCommitEndedFails() {
    CatalogSettings catalog = IcebergTestTables.hadoopCatalog(warehouse);
    Table table = RawTable.DEFINITION.createOrLoad(catalog.catalog());
    AppendWithPosition.claim(table, "job");
    commit(table, "job", 5, Map.of(0, 5L));
    long first = table.currentSnapshot().snapshotId();
    commit(table, "job", 5, Map.of(0, 10L));
    // an operator rolls the table back to the first window: offsets 5..9 are no longer in it
    table.manageSnapshots().rollbackTo(first).commit();

    CommittedOffsets whereTheJobLeftIt = new CommittedOffsets(TOPIC, Map.of(0, 10L));
    assertThatThrownBy(
            () ->
                AppendWithPosition.commit(
                    table,
                    table.name(),
                    TOPIC,
                    "job",
                    whereTheJobLeftIt,
                    List.of(file(table, 10)),
                    10,
                    Map.of(0, 20L),
                    Map.of()))
        .hasMessageContaining("position moved");
    assertThat(CommittedOffsets.of(table, TOPIC).nextOffsets()).isEqualTo(Map.of(0, 5L));
  }

  @Test
  void emptyCommitsAreAppendSnapshots() {
    CatalogSettings catalog = IcebergTestTables.hadoopCatalog(warehouse);
    Table table = RawTable.DEFINITION.createOrLoad(catalog.catalog());
    AppendWithPosition.claim(table, "job");
    AppendWithPosition.commit(
        table, table.name(), TOPIC, "job", null, List.of(), 0, Map.of(0, 7L), Map.of());

    table.refresh();
    assertThat(table.currentSnapshot().operation()).isEqualTo("append");
  }

  @Test
  void claimsLeaveIcebergsCommitRetriesToOtherWriters() {
    CatalogSettings catalog = IcebergTestTables.hadoopCatalog(warehouse);
    Table table = RawTable.DEFINITION.createOrLoad(catalog.catalog());
    // a table claimed by an older version of ingest, which turned retries off for every writer
    table.updateProperties().set(TableProperties.COMMIT_NUM_RETRIES, "0").commit();

    AppendWithPosition.claim(table, "run");

    table.refresh();
    assertThat(table.properties())
        .containsEntry(AppendWithPosition.OWNER_PROPERTY, "run")
        .doesNotContainKey(TableProperties.COMMIT_NUM_RETRIES);
  }

  @Test
  void eachCommitRecordsItsRunsRunningTotalsAndANewRunStartsItsOwn() {
    CatalogSettings catalog = IcebergTestTables.hadoopCatalog(warehouse);
    Table table = RawTable.DEFINITION.createOrLoad(catalog.catalog());
    AppendWithPosition.claim(table, "job");
    commit(table, "job", 10, Map.of(0, 10L));
    commit(table, "job", 5, Map.of(0, 15L));
    AppendWithPosition.commit(
        table, table.name(), TOPIC, "job", null, List.of(), 0, Map.of(0, 16L), Map.of());

    assertThat(RunTotals.ofRun(table, "job")).isEqualTo(new RunTotals("job", 3, 15, 2, 2048));
    assertThat(RunTotals.recordedIn(table.currentSnapshot()))
        .isEqualTo(new RunTotals("job", 3, 15, 2, 2048));

    AppendWithPosition.claim(table, "next-job");
    assertThat(RunTotals.ofRun(table, "next-job")).as("nothing committed yet").isNull();
    commit(table, "next-job", 7, Map.of(0, 23L));
    assertThat(RunTotals.ofRun(table, "next-job"))
        .isEqualTo(new RunTotals("next-job", 1, 7, 1, 1024));
    assertThat(RunTotals.ofRun(table, "job"))
        .as("a finished run's totals stay readable")
        .isEqualTo(new RunTotals("job", 3, 15, 2, 2048));
  }

  @Test
  void aCommitIcebergRetriesOnTopOfAnotherWritersCommitAddsItselfToTheTotalsOnce() {
    CatalogSettings catalog = IcebergTestTables.hadoopCatalog(warehouse);
    Table table = RawTable.DEFINITION.createOrLoad(catalog.catalog());
    AppendWithPosition.claim(table, "job");
    commit(table, "job", 10, Map.of(0, 10L));
    // another writer (no position) commits after the first attempt's validation, before its
    // metadata swap: that attempt fails on stale metadata and Iceberg validates and commits again
    AtomicInteger validations = new AtomicInteger();
    AppendWithPosition.afterValidation =
        () -> {
          if (validations.incrementAndGet() == 1) {
            Table other = freshView(catalog.catalog());
            other.newAppend().appendFile(file(other, 4)).commit();
          }
        };

    commit(table, "job", 5, Map.of(0, 15L));

    assertThat(validations).as("attempts").hasValue(2);
    table.refresh();
    assertThat(table.currentSnapshot().summary()).containsEntry("total-records", "19");
    assertThat(RunTotals.recordedIn(table.currentSnapshot()))
        .isEqualTo(new RunTotals("job", 2, 15, 2, 2048));
  }

  @Test
  void unreadableTotalsWhereThePositionIsDoNotStopTheNextCommit() {
    CatalogSettings catalog = IcebergTestTables.hadoopCatalog(warehouse);
    Table table = RawTable.DEFINITION.createOrLoad(catalog.catalog());
    AppendWithPosition.claim(table, "job");
    commit(table, "job", 10, Map.of(0, 10L));
    // a foreign tool's commit records the position with totals this version cannot read
    table
        .newAppend()
        .set(
            CommittedOffsets.SUMMARY_KEY,
            table.currentSnapshot().summary().get(CommittedOffsets.SUMMARY_KEY))
        .set(RunTotals.SUMMARY_KEY, "{\"run\":\"job\",\"commits\":\"many\"}")
        .commit();

    commit(table, "job", 5, Map.of(0, 15L));

    assertThat(CommittedOffsets.of(table, TOPIC).nextOffsets()).isEqualTo(Map.of(0, 15L));
    assertThat(RunTotals.recordedIn(table.currentSnapshot()))
        .as("counted from this commit on")
        .isEqualTo(new RunTotals("job", 1, 5, 1, 1024));
    assertThat(RunTotals.ofRun(table, "job")).isEqualTo(new RunTotals("job", 1, 5, 1, 1024));
  }

  @Test
  void aRecoveredPositionCountsAsACommitOfTheRunThatRecordedIt() {
    CatalogSettings catalog = IcebergTestTables.hadoopCatalog(warehouse);
    Table table = RawTable.DEFINITION.createOrLoad(catalog.catalog());
    AppendWithPosition.claim(table, "old");
    commit(table, "old", 10, Map.of(0, 10L));
    AppendWithPosition.claim(table, "recovering");

    AppendWithPosition.recordPosition(
        table, "recovering", new CommittedOffsets(TOPIC, Map.of(0, 10L)));
    commit(table, "recovering", 3, Map.of(0, 13L));

    assertThat(RunTotals.ofRun(table, "recovering"))
        .isEqualTo(new RunTotals("recovering", 2, 3, 1, 1024));
  }

  private static Table freshView(Catalog catalog) {
    return catalog.loadTable(RawTable.DEFINITION.identifier());
  }
}
