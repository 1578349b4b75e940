package com.retail.lakehouse.transforms.dedupe;

import static com.retail.lakehouse.transforms.TestEvents.sale;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.retail.lakehouse.transforms.IcebergTestTables;
import com.retail.lakehouse.transforms.TestEvents;
import com.retail.lakehouse.transforms.contract.PosContract;
import com.retail.lakehouse.transforms.event.PosEventSchema;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import com.retail.lakehouse.transforms.tables.RawTable;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.util.SerializableUtils;
import org.apache.beam.sdk.values.Row;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.RowDelta;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.GenericAppenderFactory;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.deletes.EqualityDeleteWriter;
import org.apache.iceberg.deletes.PositionDelete;
import org.apache.iceberg.deletes.PositionDeleteWriter;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.parquet.Parquet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JVM's index of committed line keys against real Iceberg tables: a run reads only the files
 * committed since the previous one, keys leave with their time bucket, a rollback starts over, and
 * what a pipeline carries to its workers stays small however many keys there are.
 */
class LineKeyIndexTest {
  private static final Duration HORIZON = Duration.ofHours(1);
  private static final Instant T0 = Instant.parse("2024-03-01T12:00:00Z");

  @TempDir Path warehouse;
  private CatalogSettings catalog;

  @BeforeEach
  void createTable() {
    catalog = IcebergTestTables.hadoopCatalog(warehouse);
    RawTable.DEFINITION.createOrLoad(catalog.catalog());
  }

  @Test
  void eachRunReadsOnlyTheFilesCommittedSinceTheLastOne() {
    commit("run-1", "A", 100, T0, 0);
    RecentLineKeys first = keysAt(T0.plusSeconds(60));
    assertThat(first.contains("A-7", 1)).isTrue();
    assertThat(first.contains("A-7", 2)).isFalse();
    assertThat(first.contains("B-7", 1)).isFalse();
    assertThat(index().lastKeysAdded()).isEqualTo(100);

    commit("run-2", "B", 50, T0.plusSeconds(600), 100);
    RecentLineKeys second = keysAt(T0.plusSeconds(660));
    assertThat(second.contains("A-7", 1)).isTrue();
    assertThat(second.contains("B-7", 1)).isTrue();
    assertThat(index().lastKeysAdded()).as("only run-2's file is read").isEqualTo(50);
    assertThat(index().size()).isEqualTo(150);

    RecentLineKeys again = keysAt(T0.plusSeconds(670));
    assertThat(again.contains("B-49", 1)).isTrue();
    assertThat(index().lastKeysAdded()).as("nothing committed since: nothing read").isZero();
  }

  @Test
  void keysLeaveWithTheirBucketOnceBehindTheHorizon() {
    commit("run-1", "A", 100, T0, 0);
    commit("run-2", "B", 50, T0.plusSeconds(600), 100);
    assertThat(keysAt(T0.plusSeconds(660)).contains("A-1", 1)).isTrue();

    // 1h08m later the horizon starts at 12:08, in the bucket of 12:07:30-12:15: A (12:00) left.
    RecentLineKeys later = keysAt(T0.plus(HORIZON).plusSeconds(8 * 60));
    assertThat(later.contains("A-1", 1)).isFalse();
    assertThat(later.contains("B-1", 1)).isTrue();
    assertThat(index().size()).isEqualTo(50);
  }

  @Test
  void aRollbackStartsOverFromTheTable() {
    commit("run-1", "A", 20, T0, 0);
    Table raw = RawTable.DEFINITION.createOrLoad(catalog.catalog());
    long afterFirst = raw.currentSnapshot().snapshotId();
    commit("run-2", "B", 20, T0.plusSeconds(60), 20);
    assertThat(keysAt(T0.plusSeconds(120)).contains("B-3", 1)).isTrue();

    raw.refresh();
    raw.manageSnapshots().rollbackTo(afterFirst).commit();

    RecentLineKeys afterRollback = keysAt(T0.plusSeconds(180));
    assertThat(afterRollback.contains("B-3", 1)).as("rolled back: not in the table").isFalse();
    assertThat(afterRollback.contains("A-3", 1)).isTrue();
  }

  @Test
  void aPipelineCarriesTheNameOfTheKeysNotTheKeys() {
    commit("run-1", "A", 20_000, T0, 0);
    RecentLineKeys keys = keysAt(T0.plusSeconds(60));
    assertThat(keys.size()).isEqualTo(20_000);
    int found = 0;
    int strangers = 0;
    for (int i = 0; i < 20_000; i++) {
      found += keys.contains("A-" + i, 1) ? 1 : 0;
      strangers += keys.contains("A-" + i, 2) || keys.contains("Z-" + i, 1) ? 1 : 0;
    }
    assertThat(found).isEqualTo(20_000);
    assertThat(strangers).isZero();
    assertThat(SerializableUtils.serializeToByteArray(keys).length).isLessThan(4096);
    RecentLineKeys onAWorker =
        (RecentLineKeys)
            SerializableUtils.deserializeFromByteArray(
                SerializableUtils.serializeToByteArray(keys), "keys");
    assertThat(onAWorker.contains("A-19999", 1)).isTrue();
    assertThat(index().lastKeysAdded())
        .as("the worker shares the JVM's index, and the run's account of what it read")
        .isEqualTo(20_000);
    assertThat(keys.describeInThisJvm()).contains("20,000 line keys");
  }

  @Test
  void aRowDeletedFromTheTableIsNoLongerHeld() throws IOException {
    commit("run-1", "A", 20, T0, 0);
    assertThat(keysAt(T0.plusSeconds(60)).contains("A-3", 1)).isTrue();

    deleteTransaction("A-3"); // a row-level DELETE, as Athena or Spark would commit it

    RecentLineKeys afterDelete = keysAt(T0.plusSeconds(120));
    assertThat(afterDelete.contains("A-3", 1)).as("deleted: a re-sent copy must land").isFalse();
    assertThat(afterDelete.contains("A-4", 1)).isTrue();
  }

  @Test
  void aLateCopyOfAnOlderRunLeavesTheNewerRunsKeysAlone() {
    commit("run-1", "A", 20, T0, 0);
    RecentLineKeys older = keysAt(T0.plusSeconds(60));
    assertThat(older.contains("A-1", 1)).isTrue();
    commit("run-2", "B", 20, T0.plusSeconds(600), 20);
    RecentLineKeys newer = keysAt(T0.plusSeconds(660));
    assertThat(newer.contains("B-1", 1)).isTrue();
    long newest = index().snapshotId();

    RecentLineKeys lateCopyOfOlder = copy(older); // a DoFn of the older run opened late
    assertThat(lateCopyOfOlder.contains("A-1", 1)).isTrue();
    assertThat(lateCopyOfOlder.contains("B-1", 1)).as("not in its snapshot").isFalse();

    assertThat(newer.contains("B-1", 1)).as("what the newer run reads is not taken away").isTrue();
    assertThat(index().snapshotId()).isEqualTo(newest);
  }

  @Test
  void aRowStampedInTheFutureIsKeptAsIfStampedNow() {
    commit("run-1", "A", 10, T0, 0);
    commit("run-2", "F", 10, T0.plus(Duration.ofHours(25)), 10); // a clock stepped ahead
    assertThat(keysAt(T0.plusSeconds(60)).contains("F-1", 1)).isTrue();

    RecentLineKeys later = keysAt(T0.plusSeconds(9 * 60));
    assertThat(later.contains("F-1", 1)).as("its time bucket must not wrap around").isTrue();
    assertThat(later.contains("A-1", 1)).isTrue();
  }

  @Test
  void aFileMixingOldAndRecentRowsHoldsOnlyTheRecentOnes() {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      rows.add(ingestedAt(sale("A-" + i, 1).toRow(), T0, i));
      rows.add(ingestedAt(sale("B-" + i, 1).toRow(), T0.plusSeconds(50 * 60), 10 + i));
    }
    IcebergTestTables.writeAndCommit(
        catalog, RawTable.DEFINITION, "run-1", rows, Map.of(0, 19L), r -> null);

    // The horizon starts at 12:08: A (12:00) is behind it, B (12:50) within.
    RecentLineKeys keys = keysAt(T0.plus(HORIZON).plusSeconds(8 * 60));
    assertThat(keys.contains("B-1", 1)).isTrue();
    assertThat(keys.contains("A-1", 1)).isFalse();
    assertThat(index().size()).isEqualTo(10);
  }

  @Test
  void aCompactionBetweenRunsIsNotReadAgain() throws IOException {
    commit("run-1", "A", 100, T0, 0);
    assertThat(keysAt(T0.plusSeconds(60)).contains("A-1", 1)).isTrue();
    Table raw = RawTable.DEFINITION.createOrLoad(catalog.catalog());
    Set<DataFile> before = dataFiles(raw);
    Set<DataFile> copies = new HashSet<>();
    for (DataFile file : before) {
      Path from = Path.of(URI.create(file.path().toString()).getPath());
      Path to = from.resolveSibling("compacted-" + from.getFileName());
      Files.copy(from, to);
      copies.add(DataFiles.builder(raw.spec()).copy(file).withPath(to.toString()).build());
    }
    raw.newRewrite().rewriteFiles(before, copies).commit();
    commit("run-2", "B", 50, T0.plusSeconds(600), 100);

    RecentLineKeys keys = keysAt(T0.plusSeconds(660));
    assertThat(keys.contains("A-1", 1)).isTrue();
    assertThat(keys.contains("B-1", 1)).isTrue();
    assertThat(index().lastKeysAdded()).as("only run-2's rows are read").isEqualTo(50);
  }

  @Test
  void aRunReadsOnlyTheManifestsOfTheCommitsSinceTheLastOne() throws IOException {
    commit("run-1", "A", 20, T0, 0);
    assertThat(keysAt(T0.plusSeconds(60)).contains("A-1", 1)).isTrue();
    Table raw = RawTable.DEFINITION.createOrLoad(catalog.catalog());
    long first = raw.currentSnapshot().snapshotId();
    commit("run-2", "B", 20, T0.plusSeconds(600), 20);
    raw.refresh();
    for (ManifestFile manifest : raw.currentSnapshot().allManifests(raw.io())) {
      if (manifest.snapshotId() == first) {
        Files.delete(Path.of(URI.create(manifest.path()).getPath())); // reading it would fail
      }
    }

    RecentLineKeys keys = keysAt(T0.plusSeconds(660));
    assertThat(keys.contains("B-1", 1)).isTrue();
    assertThat(keys.contains("A-1", 1)).isTrue();
  }

  @Test
  void aRowDeletedByPositionIsNoLongerHeld() throws IOException {
    commit("run-1", "A", 20, T0, 0);
    Table raw = RawTable.DEFINITION.createOrLoad(catalog.catalog());
    GenericAppenderFactory appenders = new GenericAppenderFactory(raw.schema(), raw.spec());
    OutputFileFactory out =
        OutputFileFactory.builderFor(raw, 1, 2).format(FileFormat.PARQUET).build();
    RowDelta delta = raw.newRowDelta();
    for (DataFile file : dataFiles(raw)) {
      long position = positionOf(raw, file, "A-5");
      if (position < 0) {
        continue;
      }
      PositionDeleteWriter<Record> writer =
          appenders.newPosDeleteWriter(
              out.newOutputFile(raw.spec(), file.partition()),
              FileFormat.PARQUET,
              file.partition());
      try (writer) {
        writer.write(PositionDelete.<Record>create().set(file.path(), position, null));
      }
      delta.addDeletes(writer.toDeleteFile());
    }
    delta.commit();

    RecentLineKeys keys = keysAt(T0.plusSeconds(60));
    assertThat(keys.contains("A-5", 1)).isFalse();
    assertThat(keys.contains("A-6", 1)).isTrue();
    assertThat(index().size()).isEqualTo(19);
  }

  @Test
  void aMoveThatFailsHalfWayIsNotTrustedLater() throws IOException {
    commit("run-1", "A", 20, T0, 0);
    assertThat(keysAt(T0.plusSeconds(60)).contains("A-1", 1)).isTrue();
    Table raw = RawTable.DEFINITION.createOrLoad(catalog.catalog());
    long afterFirst = raw.currentSnapshot().snapshotId();
    Set<String> firstFiles = paths(dataFiles(raw));
    commit("run-2", "B", 20, T0.plusSeconds(60), 20);
    Set<String> secondFiles = paths(dataFiles(raw));
    commit("run-3", "C", 20, T0.plusSeconds(120), 40);
    Set<String> thirdFiles = paths(dataFiles(raw));
    thirdFiles.removeAll(secondFiles);
    assertThat(thirdFiles).isNotEmpty();
    // One of the two new commits' files is unreadable: the move reads some keys, then fails.
    for (String file : thirdFiles) {
      Files.delete(Path.of(URI.create(file).getPath()));
    }
    LineKeyIndex before = index();
    RecentLineKeys failing = keysAt(T0.plusSeconds(180));
    assertThatThrownBy(() -> failing.contains("A-1", 1)).isInstanceOf(RuntimeException.class);
    assertThat(index()).as("the half-moved index is retired").isNotSameAs(before);

    raw.refresh();
    raw.manageSnapshots().rollbackTo(afterFirst).commit(); // the operator undoes the two commits
    RecentLineKeys afterRollback = keysAt(T0.plusSeconds(240));
    assertThat(afterRollback.contains("B-1", 1)).as("not in the table any more").isFalse();
    assertThat(afterRollback.contains("A-1", 1)).isTrue();
  }

  private static Set<String> paths(Set<DataFile> files) {
    Set<String> paths = new HashSet<>();
    files.forEach(f -> paths.add(f.path().toString()));
    return paths;
  }

  /** The position of a transaction's row in a data file, or -1. */
  private static long positionOf(Table table, DataFile file, String transactionId)
      throws IOException {
    Schema idOnly = table.schema().select(PosEventSchema.TRANSACTION_ID);
    long position = 0;
    try (CloseableIterable<Record> rows =
        Parquet.read(table.io().newInputFile(file.path().toString()))
            .project(idOnly)
            .createReaderFunc(fileSchema -> GenericParquetReaders.buildReader(idOnly, fileSchema))
            .build()) {
      for (Record r : rows) {
        if (transactionId.equals(r.getField(PosEventSchema.TRANSACTION_ID))) {
          return position;
        }
        position++;
      }
    }
    return -1;
  }

  private static RecentLineKeys copy(RecentLineKeys keys) {
    return (RecentLineKeys)
        SerializableUtils.deserializeFromByteArray(
            SerializableUtils.serializeToByteArray(keys), "keys");
  }

  private static Set<DataFile> dataFiles(Table table) throws IOException {
    table.refresh();
    Set<DataFile> files = new HashSet<>();
    try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
      tasks.forEach(t -> files.add(t.file()));
    }
    return files;
  }

  /** Commits an equality delete of every line of a transaction, in each data file's partition. */
  private void deleteTransaction(String transactionId) throws IOException {
    Table raw = RawTable.DEFINITION.createOrLoad(catalog.catalog());
    raw.refresh();
    Schema idOnly = raw.schema().select(PosEventSchema.TRANSACTION_ID);
    int[] ids = {raw.schema().findField(PosEventSchema.TRANSACTION_ID).fieldId()};
    GenericAppenderFactory appenders =
        new GenericAppenderFactory(raw.schema(), raw.spec(), ids, idOnly, null);
    OutputFileFactory out =
        OutputFileFactory.builderFor(raw, 1, 1).format(FileFormat.PARQUET).build();
    RowDelta delta = raw.newRowDelta();
    for (DataFile file : dataFiles(raw)) {
      EqualityDeleteWriter<Record> writer =
          appenders.newEqDeleteWriter(
              out.newOutputFile(raw.spec(), file.partition()),
              FileFormat.PARQUET,
              file.partition());
      try (writer) {
        writer.write(
            GenericRecord.create(idOnly).copy(PosEventSchema.TRANSACTION_ID, transactionId));
      }
      delta.addDeletes(writer.toDeleteFile());
    }
    delta.commit();
  }

  private RecentLineKeys keysAt(Instant now) {
    return RecentLineKeys.of(
        catalog, RawTable.DEFINITION.identifier(), PosContract.LINE_KEY, HORIZON, now);
  }

  private LineKeyIndex index() {
    return LineKeyIndex.existing(catalog, RawTable.DEFINITION.identifier(), PosContract.LINE_KEY);
  }

  /** Commits lines {@code prefix-0 .. prefix-(n-1)}, line 1 each, ingested at {@code at}. */
  private void commit(String runId, String prefix, int n, Instant at, long firstOffset) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      rows.add(ingestedAt(sale(prefix + "-" + i, 1).toRow(), at, firstOffset + i));
    }
    IcebergTestTables.writeAndCommit(
        catalog, RawTable.DEFINITION, runId, rows, Map.of(0, firstOffset + n - 1), r -> null);
  }

  private static Row ingestedAt(Row event, Instant at, long offset) {
    return Row.withSchema(RawTable.DEFINITION.beamSchema())
        .addValues(event.getValues())
        .addValues(new org.joda.time.Instant(at.toEpochMilli()), TestEvents.TOPIC, 0, offset)
        .build();
  }
}
