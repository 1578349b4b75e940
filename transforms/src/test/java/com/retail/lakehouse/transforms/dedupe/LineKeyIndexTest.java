package com.retail.lakehouse.transforms.dedupe;

import static com.retail.lakehouse.transforms.TestEvents.sale;
import static org.assertj.core.api.Assertions.assertThat;

import com.retail.lakehouse.transforms.IcebergTestTables;
import com.retail.lakehouse.transforms.TestEvents;
import com.retail.lakehouse.transforms.contract.PosContract;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import com.retail.lakehouse.transforms.tables.RawTable;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.util.SerializableUtils;
import org.apache.beam.sdk.values.Row;
import org.apache.iceberg.Table;
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
    assertThat(index().lastKeysAdded()).as("the worker shares the JVM's index").isZero();
    assertThat(keys.describeInThisJvm()).contains("20,000 line keys");
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
