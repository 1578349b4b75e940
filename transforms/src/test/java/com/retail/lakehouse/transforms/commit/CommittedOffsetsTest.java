package com.retail.lakehouse.transforms.commit;

import static com.retail.lakehouse.transforms.TestEvents.TOPIC;
import static com.retail.lakehouse.transforms.TestEvents.rawRow;
import static com.retail.lakehouse.transforms.TestEvents.sale;
import static org.assertj.core.api.Assertions.assertThat;

import com.retail.lakehouse.transforms.IcebergTestTables;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import com.retail.lakehouse.transforms.tables.RawTable;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommittedOffsetsTest {
  @TempDir Path warehouse;

  private Table committedTable() {
    CatalogSettings catalog = IcebergTestTables.hadoopCatalog(warehouse);
    Table table = RawTable.DEFINITION.createOrLoad(catalog.catalog());
    IcebergTestTables.writeAndCommit(
        catalog,
        RawTable.DEFINITION,
        "run-1",
        List.of(rawRow(sale("T-1", 1), 0, 41), rawRow(sale("T-2", 1), 1, 7)),
        Map.of(0, 41L, 1, 7L),
        r -> null);
    return table;
  }

  @Test
  void positionsAreValuesEqualWhenTheyHoldTheSameOffsets() {
    CommittedOffsets a = new CommittedOffsets(TOPIC, Map.of(0, 5L, 1, 7L));
    assertThat(a)
        .isEqualTo(new CommittedOffsets(TOPIC, Map.of(1, 7L, 0, 5L)))
        .hasSameHashCodeAs(new CommittedOffsets(TOPIC, Map.of(1, 7L, 0, 5L)))
        .isNotEqualTo(new CommittedOffsets(TOPIC, Map.of(0, 5L, 1, 8L)))
        .isNotEqualTo(new CommittedOffsets("other", Map.of(0, 5L, 1, 7L)))
        .isNotEqualTo(a.advancedTo(Map.of(2, 1L)));
    // Beam's SerializableCoder (the streaming committer's state) warns about types without equals
    assertThat(org.apache.beam.sdk.util.SerializableUtils.clone(a)).isEqualTo(a);
  }

  @Test
  void offsetsCommittedWithTheDataAreReadBackFromTheTable() {
    Table table = committedTable();

    CommittedOffsets position = CommittedOffsets.of(table, TOPIC);

    assertThat(position.topic()).isEqualTo(TOPIC);
    assertThat(position.nextOffsets()).isEqualTo(Map.of(0, 42L, 1, 8L));
    assertThat(table.currentSnapshot().summary().get(CommittedOffsets.SUMMARY_KEY))
        .isEqualTo(position.toSummaryJson());
  }

  @Test
  void tableWithoutSnapshotsHoldsNoPosition(@TempDir Path other) {
    Table table =
        RawTable.DEFINITION.createOrLoad(IcebergTestTables.hadoopCatalog(other).catalog());

    CommittedOffsets position = CommittedOffsets.of(table, TOPIC);

    assertThat(position.nextOffsets()).isEmpty();
    assertThat(position.next(0)).isZero();
    assertThat(position.holds(0, 0)).isFalse();
  }

  @Test
  void otherTopicHasNoPositionInTheTable() {
    assertThat(CommittedOffsets.of(committedTable(), "other-topic").nextOffsets()).isEmpty();
  }

  @Test
  void positionIsFoundInAnOlderSnapshotWhenTheNewestRecordsNone() {
    Table table = committedTable();
    // e.g. a maintenance commit (compaction, a manual append) that records no Kafka position
    table.newAppend().set("operation-note", "maintenance").commit();
    table.refresh();
    assertThat(table.currentSnapshot().summary()).doesNotContainKey(CommittedOffsets.SUMMARY_KEY);

    assertThat(CommittedOffsets.of(table, TOPIC).nextOffsets()).isEqualTo(Map.of(0, 42L, 1, 8L));
  }

  @Test
  void holdsIsStrictlyBelowTheNextOffset() {
    CommittedOffsets position = new CommittedOffsets(TOPIC, Map.of(0, 42L));

    assertThat(position.holds(0, 41)).isTrue();
    assertThat(position.holds(0, 42)).isFalse();
    assertThat(position.holds(1, 0)).isFalse();
  }

  @Test
  void advancingKeepsTheHigherOffsetPerPartition() {
    CommittedOffsets position = new CommittedOffsets(TOPIC, Map.of(0, 42L, 1, 8L));

    CommittedOffsets advanced = position.advancedTo(Map.of(0, 40L, 2, 5L));

    assertThat(advanced.nextOffsets()).isEqualTo(Map.of(0, 42L, 1, 8L, 2, 5L));
    assertThat(advanced.covers(Map.of(0, 42L, 2, 5L))).isTrue();
    assertThat(advanced.covers(Map.of(0, 43L))).isFalse();
    assertThat(advanced.covers(Map.of(3, 1L))).isFalse();
  }

  @Test
  void summaryJsonRoundTrips() {
    CommittedOffsets position = new CommittedOffsets(TOPIC, Map.of(1, 8L, 0, 42L));

    assertThat(position.toSummaryJson()).isEqualTo("{\"pos-events\":{\"0\":42,\"1\":8}}");
  }

  @Test
  void skipRowsAlreadyCommittedDropsRowsBelowTheRecordedPosition() {
    CommittedOffsets position = CommittedOffsets.of(committedTable(), TOPIC); // {0:42, 1:8}
    List<Row> rows =
        List.of(
            rawRow(sale("T-1", 1), 0, 40),
            rawRow(sale("T-1", 2), 0, 41),
            rawRow(sale("T-1", 3), 0, 42),
            rawRow(sale("T-2", 1), 1, 7),
            rawRow(sale("T-2", 2), 1, 8),
            rawRow(sale("T-9", 1), 2, 0));

    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    PCollection<String> kept =
        p.apply(Create.of(rows).withRowSchema(RawTable.DEFINITION.beamSchema()))
            .apply(
                SkipRowsAlreadyCommitted.of(
                    position, RawTable.KAFKA_PARTITION, RawTable.KAFKA_OFFSET))
            .apply(
                MapElements.into(TypeDescriptors.strings())
                    .via(
                        (Row r) ->
                            r.getInt32(RawTable.KAFKA_PARTITION)
                                + "@"
                                + r.getInt64(RawTable.KAFKA_OFFSET)));

    PAssert.that(kept).containsInAnyOrder("0@42", "1@8", "2@0");
    p.run().waitUntilFinish();
  }
}
