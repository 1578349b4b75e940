package com.retail.lakehouse.transforms.commit;

import static org.assertj.core.api.Assertions.assertThat;

import com.retail.lakehouse.transforms.IcebergTestTables;
import com.retail.lakehouse.transforms.TestEvents;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import com.retail.lakehouse.transforms.tables.DeadLetterTable;
import com.retail.lakehouse.transforms.tables.RawTable;
import com.retail.lakehouse.transforms.validate.GapRouting;
import com.retail.lakehouse.transforms.validate.RoutingSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The routing settings of the gap between the two tables' positions, read from real tables'
 * snapshot histories: each offset gets the settings of the commit that first covered it.
 */
class RecordedRoutingTest {
  private static final RoutingSettings A = new RoutingSettings(1_048_576, Duration.ofDays(1));
  private static final RoutingSettings B = new RoutingSettings(1_500, Duration.ofDays(3));
  private static final RoutingSettings C = new RoutingSettings(2_000, Duration.ofHours(1));
  private static final RoutingSettings OWN = new RoutingSettings(99, Duration.ZERO);

  @TempDir Path warehouse;
  private Table raw;
  private Table deadLetters;

  @BeforeEach
  void tables() {
    CatalogSettings catalog = IcebergTestTables.hadoopCatalog(warehouse);
    raw = RawTable.DEFINITION.createOrLoad(catalog.catalog());
    deadLetters = DeadLetterTable.DEFINITION.createOrLoad(catalog.catalog());
  }

  /** An ingest commit of no files advancing {@code table} to {@code next}, recording settings. */
  private static void commit(
      Table table, String runId, Map<Integer, Long> next, RoutingSettings settings) {
    AppendWithPosition.commit(
        table,
        table.name(),
        TestEvents.TOPIC,
        runId,
        null,
        List.of(),
        0,
        next,
        settings == null ? Map.of() : settings.toSummary());
  }

  private GapRouting gap() {
    return RecordedRouting.ofGap(
        raw,
        CommittedOffsets.of(raw, TestEvents.TOPIC),
        deadLetters,
        CommittedOffsets.of(deadLetters, TestEvents.TOPIC));
  }

  @Test
  void noGapWhenBothTablesStandAtOnePosition() {
    commit(raw, "run-1", Map.of(0, 5L, 1, 3L), A);
    commit(deadLetters, "run-1", Map.of(0, 5L, 1, 3L), A);

    assertThat(gap().isEmpty()).isTrue();
  }

  @Test
  void rawAheadOverSeveralRunsMapsEachOffsetToTheRunThatCommittedIt() {
    commit(raw, "run-1", Map.of(0, 5L, 1, 3L), A);
    commit(deadLetters, "run-1", Map.of(0, 5L, 1, 3L), A);
    // run 2 and run 3 each committed raw and stopped before the dead letters
    commit(raw, "run-2", Map.of(0, 9L, 1, 6L), B);
    commit(raw, "run-3", Map.of(0, 12L), C); // read nothing new of partition 1

    GapRouting gap = gap();

    assertThat(gap.settingsAt(0, 4, OWN)).isEqualTo(OWN); // both tables hold it
    assertThat(gap.settingsAt(0, 5, OWN)).isEqualTo(B);
    assertThat(gap.settingsAt(0, 8, OWN)).isEqualTo(B);
    assertThat(gap.settingsAt(0, 9, OWN)).isEqualTo(C);
    assertThat(gap.settingsAt(0, 11, OWN)).isEqualTo(C);
    assertThat(gap.settingsAt(0, 12, OWN)).isEqualTo(OWN); // beyond both positions
    assertThat(gap.settingsAt(1, 2, OWN)).isEqualTo(OWN);
    assertThat(gap.settingsAt(1, 3, OWN)).isEqualTo(B);
    assertThat(gap.settingsAt(1, 5, OWN)).isEqualTo(B);
    assertThat(gap.settingsAt(1, 6, OWN)).isEqualTo(OWN);
    assertThat(gap.settingsAt(2, 0, OWN)).isEqualTo(OWN);
  }

  @Test
  void deadLettersAheadTooAndACommitWithoutSettingsLeavesItsRangeToTheRunsOwn() {
    commit(raw, "run-1", Map.of(0, 5L), A);
    commit(deadLetters, "run-1", Map.of(0, 5L), A);
    commit(deadLetters, "old-release", Map.of(0, 7L), null); // made before settings were recorded
    commit(deadLetters, "run-3", Map.of(0, 9L), B);

    GapRouting gap = gap();

    assertThat(gap.settingsAt(0, 4, OWN)).isEqualTo(OWN);
    assertThat(gap.settingsAt(0, 5, OWN)).isEqualTo(OWN);
    assertThat(gap.settingsAt(0, 6, OWN)).isEqualTo(OWN);
    assertThat(gap.settingsAt(0, 7, OWN)).isEqualTo(B);
    assertThat(gap.settingsAt(0, 8, OWN)).isEqualTo(B);
    assertThat(gap.settingsAt(0, 9, OWN)).isEqualTo(OWN);
    assertThat(gap.recordedSettings()).containsExactly(B);
  }

  @Test
  void aTableWhoseFirstCommitIsTheGapCoversItFromOffsetZero() {
    commit(raw, "run-1", Map.of(0, 4L), B); // the dead letters were never committed

    GapRouting gap = gap();

    assertThat(gap.settingsAt(0, 0, OWN)).isEqualTo(B);
    assertThat(gap.settingsAt(0, 3, OWN)).isEqualTo(B);
    assertThat(gap.settingsAt(0, 4, OWN)).isEqualTo(OWN);
  }
}
