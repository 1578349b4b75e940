package com.retail.lakehouse.pipelines.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.retail.lakehouse.common.UsageException;
import com.retail.lakehouse.pipelines.options.CatalogFromOptions;
import com.retail.lakehouse.pipelines.run.PipelineArgs;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import com.retail.lakehouse.transforms.tables.InventoryTables;
import com.retail.lakehouse.transforms.tables.RawTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench mart --mart=inventory}: its options (the stated size by default, a wrong --mart one
 * line), the loader (whole days of the chain's movements and POS lines, nothing after them) and one
 * small run whose mart has a row per day and stock position. No timing is asserted.
 */
class InventoryMartBenchTest {
  private static final LocalDate TODAY = LocalDate.of(2026, 12, 3);

  @TempDir Path dir;

  private static BenchCommand.BenchOptions parse(String... args) {
    return PipelineArgs.parse("bench", args, BenchCommand.BenchOptions.class);
  }

  @Test
  void theDefaultSizeIs35DaysOf20StoresBy500SkusAndSalesKeepsItsOwn() {
    BenchCommand.BenchOptions options = parse("--mart=inventory");
    assertThat(BenchCommand.inventoryMart(options)).isTrue();
    assertThat(InventoryMartBench.Size.of(options, TODAY))
        .isEqualTo(new InventoryMartBench.Size(35, 20, 500, TODAY.minusDays(35)));
    assertThat(InventoryMartBench.Size.of(options, TODAY).martRows()).isEqualTo(350_000);

    BenchCommand.BenchOptions sales = parse();
    assertThat(BenchCommand.inventoryMart(sales)).isFalse();
    assertThat(BenchCommand.stores(sales, BenchCommand.DEFAULT_STORES)).isEqualTo(200);
    assertThat(
            InventoryMartBench.Size.of(
                parse("--mart=inventory", "--stores=3", "--days=2", "--skus=7"), TODAY))
        .isEqualTo(new InventoryMartBench.Size(2, 3, 7, TODAY.minusDays(2)));
  }

  @Test
  void anUnknownMartOrSizeIsAOneLineUsageError() {
    assertThatThrownBy(() -> BenchCommand.run(new String[] {"mart", "--mart=stock"}))
        .isInstanceOf(UsageException.class)
        .hasMessage("--mart is sales or inventory, got 'stock'");
    assertThatThrownBy(() -> InventoryMartBench.Size.of(parse("--days=0"), TODAY))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("--days and --skus must be at least 1");
    assertThatThrownBy(() -> BenchCommand.stores(parse("--stores=0"), 20))
        .isInstanceOf(UsageException.class)
        .hasMessage("--stores must be at least 1, got 0");
  }

  @Test
  void theLoaderWritesWholeDaysOfMovementsAndTheSalesThatDriveThem() throws Exception {
    BenchCommand.BenchOptions options = parse("--warehouse=" + dir.resolve("wh"));
    CatalogSettings catalog = CatalogFromOptions.settings(options);
    Table movements = InventoryTables.RAW.createOrLoad(catalog.catalog());
    Table pos = RawTable.DEFINITION.createOrLoad(catalog.catalog());
    LocalDate start = TODAY.minusDays(3);

    RawTableLoader.InventoryLoad load =
        RawTableLoader.loadInventory(
            movements,
            pos,
            RawTableLoader.inventoryConfig(2, 10, start.atStartOfDay(ZoneOffset.UTC).toInstant()),
            3);

    List<Record> moves = rows(movements);
    List<Record> lines = rows(pos);
    assertThat(moves).hasSize((int) load.movements());
    assertThat(lines).hasSize((int) load.posLines()).isNotEmpty();
    assertThat(dates(moves)).containsExactly(start, start.plusDays(1), start.plusDays(2));
    assertThat(dates(lines)).containsExactly(start, start.plusDays(1), start.plusDays(2));
    // the opening count of every position, and movements beyond it (shrink, transfers)
    Set<String> counted = new HashSet<>();
    for (Record r : moves) {
      if (r.getField("movement_type").equals("COUNT")
          && ((LocalDateTime) r.getField("event_time")).equals(start.atStartOfDay())) {
        counted.add(r.getField("store_id") + "/" + r.getField("sku"));
      }
    }
    assertThat(counted).hasSize(2 * 10);
    assertThat(moves.stream().map(r -> r.getField("movement_type")).distinct())
        .contains("COUNT", "ADJUSTMENT", "TRANSFER_OUT", "TRANSFER_IN");
    // the lineage columns de-duplication reads: one offset per row and table
    assertThat(moves.stream().map(r -> r.getField("kafka_offset")).distinct())
        .hasSize(moves.size());
    assertThat(lines.stream().map(r -> r.getField("kafka_offset")).distinct())
        .hasSize(lines.size());
  }

  @Test
  void aSmallRunBuildsARowPerDayAndPositionAndWritesItsResults() throws Exception {
    Path results = dir.resolve("results");
    Path json = dir.resolve("summary.json");
    int exit =
        BenchCommand.run(
            new String[] {
              "mart",
              "--mart=inventory",
              "--days=2",
              "--stores=2",
              "--skus=5",
              "--data-dir=" + dir,
              "--results-dir=" + results,
              "--summary-json=" + json
            });

    assertThat(exit).isZero();
    JsonNode summary = new ObjectMapper().readTree(json.toFile());
    assertThat(summary.get("mart_rows_written").asLong()).isEqualTo(2 * 2 * 5);
    assertThat(summary.get("dates").asInt()).isEqualTo(2);
    assertThat(summary.get("input_events_read").asLong())
        .isEqualTo(summary.get("movements").asLong() + summary.get("pos_lines").asLong());
    assertThat(summary.get("mart_rows_per_second").asLong()).isPositive();
    assertThat(summary.get("input_events_per_second").asLong()).isPositive();
    assertThat(results.resolve("mart-inventory.md")).exists();
    try (Stream<Path> files = Files.list(results)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .anyMatch(n -> n.startsWith("mart-inventory-") && n.endsWith(".json"));
    }
  }

  private static List<Record> rows(Table table) throws Exception {
    table.refresh();
    try (CloseableIterable<Record> rows = IcebergGenerics.read(table).build()) {
      return java.util.stream.StreamSupport.stream(rows.spliterator(), false).toList();
    }
  }

  private static TreeSet<LocalDate> dates(List<Record> rows) {
    TreeSet<LocalDate> dates = new TreeSet<>();
    for (Record r : rows) {
      dates.add(((LocalDateTime) r.getField("event_time")).toLocalDate());
    }
    return dates;
  }
}
