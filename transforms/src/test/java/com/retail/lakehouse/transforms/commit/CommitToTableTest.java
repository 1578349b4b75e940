package com.retail.lakehouse.transforms.commit;

import static com.retail.lakehouse.transforms.TestEvents.rawRow;
import static com.retail.lakehouse.transforms.TestEvents.sale;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.retail.lakehouse.transforms.IcebergTestTables;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import com.retail.lakehouse.transforms.tables.RawTable;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.values.Row;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommitToTableTest {
  @TempDir Path warehouse;

  private static List<Row> threeRows() {
    return List.of(
        rawRow(sale("T-1", 1), 0, 40), rawRow(sale("T-1", 2), 0, 41), rawRow(sale("T-2", 1), 1, 7));
  }

  private static Void committedThreeRows(CommitResult r) {
    assertThat(r.alreadyCommitted()).isFalse();
    assertThat(r.snapshotId()).isNotEqualTo(-1L);
    assertThat(r.rows()).isEqualTo(3L);
    assertThat(r.dataFiles()).isPositive();
    assertThat(r.bytes()).isPositive();
    assertThat(r.nextOffsets()).isEqualTo(Map.of(0, 42L, 1, 8L));
    assertThat(r.table()).isEqualTo("raw.pos_transactions");
    return null;
  }

  private static Void skippedAsAlreadyCommitted(CommitResult r) {
    assertThat(r.alreadyCommitted()).isTrue();
    assertThat(r.snapshotId()).isEqualTo(-1L);
    assertThat(r.rows()).isZero();
    assertThat(r.dataFiles()).isZero();
    assertThat(r.nextOffsets()).isEqualTo(Map.of(0, 42L, 1, 8L));
    return null;
  }

  @Test
  void commitAppendsAllRowsInOneSnapshotThatRecordsTheOffsetsAndRunId() {
    CatalogSettings catalog = IcebergTestTables.hadoopCatalog(warehouse);
    Table table = RawTable.DEFINITION.createOrLoad(catalog.catalog());

    IcebergTestTables.writeAndCommit(
        catalog,
        RawTable.DEFINITION,
        "run-1",
        threeRows(),
        Map.of(0, 41L, 1, 7L),
        CommitToTableTest::committedThreeRows);

    table.refresh();
    assertThat(table.snapshots()).hasSize(1);
    Snapshot snapshot = table.currentSnapshot();
    assertThat(snapshot.summary())
        .containsEntry(CommittedOffsets.SUMMARY_KEY, "{\"pos-events\":{\"0\":42,\"1\":8}}")
        .containsEntry(CommittedOffsets.RUN_ID_KEY, "run-1")
        .containsEntry("added-records", "3");
    assertThat(IcebergTestTables.readAll(table))
        .extracting(r -> r.getField("kafka_offset"))
        .containsExactlyInAnyOrder(40L, 41L, 7L);
  }

  @Test
  void repeatingACommitWithTheSameLastOffsetReadIsSkipped() {
    CatalogSettings catalog = IcebergTestTables.hadoopCatalog(warehouse);
    Table table = RawTable.DEFINITION.createOrLoad(catalog.catalog());
    IcebergTestTables.writeAndCommit(
        catalog,
        RawTable.DEFINITION,
        "run-1",
        threeRows(),
        Map.of(0, 41L, 1, 7L),
        CommitToTableTest::committedThreeRows);
    table.refresh();
    long snapshotAfterFirst = table.currentSnapshot().snapshotId();

    // a retried run that re-wrote the same rows (e.g. after a crash after the commit)
    IcebergTestTables.writeAndCommit(
        catalog,
        RawTable.DEFINITION,
        "run-1-retry",
        threeRows(),
        Map.of(0, 41L, 1, 7L),
        CommitToTableTest::skippedAsAlreadyCommitted);

    table.refresh();
    assertThat(table.currentSnapshot().snapshotId()).isEqualTo(snapshotAfterFirst);
    assertThat(table.snapshots()).hasSize(1);
    List<Record> rows = IcebergTestTables.readAll(table);
    assertThat(rows).hasSize(3);
  }

  @Test
  void commitThatReadFurtherAppendsAndAdvancesThePosition() {
    CatalogSettings catalog = IcebergTestTables.hadoopCatalog(warehouse);
    Table table = RawTable.DEFINITION.createOrLoad(catalog.catalog());
    IcebergTestTables.writeAndCommit(
        catalog,
        RawTable.DEFINITION,
        "run-1",
        threeRows(),
        Map.of(0, 41L, 1, 7L),
        CommitToTableTest::committedThreeRows);

    IcebergTestTables.writeAndCommit(
        catalog,
        RawTable.DEFINITION,
        "run-2",
        List.of(rawRow(sale("T-3", 1), 0, 42)),
        Map.of(0, 42L),
        r -> null);

    table.refresh();
    assertThat(table.snapshots()).hasSize(2);
    assertThat(CommittedOffsets.of(table, "pos-events").nextOffsets())
        .isEqualTo(Map.of(0, 43L, 1, 8L));
    assertThat(table.currentSnapshot().summary())
        .containsEntry(CommittedOffsets.RUN_ID_KEY, "run-2");
    assertThat(IcebergTestTables.readAll(table)).hasSize(4);
  }

  @Test
  void aRunWhoseTablesANewerRunClaimedCannotCommit() {
    CatalogSettings catalog = IcebergTestTables.hadoopCatalog(warehouse);
    Table table = RawTable.DEFINITION.createOrLoad(catalog.catalog());
    AppendWithPosition.claim(table, "old-job");
    // a newer job starts while the old one still has a commit in flight
    AppendWithPosition.claim(table, "new-job");

    assertThatThrownBy(
            () ->
                IcebergTestTables.writeAndCommit(
                    catalog,
                    RawTable.DEFINITION,
                    "old-job",
                    threeRows(),
                    Map.of(0, 41L, 1, 7L),
                    r -> null))
        .hasStackTraceContaining("was claimed by ingest run new-job");
    table.refresh();
    assertThat(table.currentSnapshot()).isNull();

    IcebergTestTables.writeAndCommit(
        catalog,
        RawTable.DEFINITION,
        "new-job",
        threeRows(),
        Map.of(0, 41L, 1, 7L),
        CommitToTableTest::committedThreeRows);
    table.refresh();
    assertThat(table.properties()).doesNotContainKey("commit.retry.num-retries");
  }

  @Test
  void runThatReadNothingCommitsNothing() {
    CatalogSettings catalog = IcebergTestTables.hadoopCatalog(warehouse);
    Table table = RawTable.DEFINITION.createOrLoad(catalog.catalog());

    IcebergTestTables.writeAndCommit(
        catalog,
        RawTable.DEFINITION,
        "empty-run",
        List.of(),
        Map.of(),
        CommitToTableTest::nothingCommitted);

    table.refresh();
    assertThat(table.currentSnapshot()).isNull();
  }

  private static Void nothingCommitted(CommitResult r) {
    assertThat(r.snapshotId()).isEqualTo(-1L);
    assertThat(r.alreadyCommitted()).isFalse();
    assertThat(r.rows()).isZero();
    return null;
  }
}
