package com.retail.lakehouse.pipelines.bench;

import com.retail.lakehouse.common.UsageException;
import com.retail.lakehouse.pipelines.mart.InventoryMartRun;
import com.retail.lakehouse.pipelines.mart.MartOptions;
import com.retail.lakehouse.pipelines.options.CatalogFromOptions;
import com.retail.lakehouse.pipelines.run.PipelineArgs;
import com.retail.lakehouse.pipelines.run.RunSummary;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import com.retail.lakehouse.transforms.tables.InventoryTables;
import com.retail.lakehouse.transforms.tables.RawTable;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Table;

/**
 * {@code ./lakehouse bench mart --mart=inventory}: loads {@code --days} (35) whole UTC days of the
 * chain's traffic for {@code --stores} (20) x {@code --skus} (500), the inventory simulator's
 * movements and the POS lines that drive them, straight into raw.inventory_movements and
 * raw.pos_transactions ({@link RawTableLoader#loadInventory}; once per size, reused afterwards),
 * then builds marts.daily_inventory for all days and reports mart rows written per second, input
 * events (movements and POS lines read) per second, wall time and peak heap. Only the mart run is
 * timed, not the load.
 */
final class InventoryMartBench {
  /** Whole UTC days loaded when --days is not given. */
  static final int DEFAULT_DAYS = 35;

  private InventoryMartBench() {}

  /** The size measured: whole days from {@code start} of {@code stores} x {@code skus}. */
  record Size(int days, int stores, int skus, LocalDate start) {
    static Size of(BenchCommand.BenchOptions options, LocalDate today) {
      int stores = BenchCommand.stores(options, BenchCommand.INVENTORY_STORES);
      int days = options.getDays() == null ? DEFAULT_DAYS : options.getDays();
      if (days < 1 || options.getSkus() < 1) {
        throw new UsageException(
            "--days and --skus must be at least 1, got " + days + " and " + options.getSkus());
      }
      return new Size(days, stores, options.getSkus(), today.minusDays(days));
    }

    /** The mart rows a full build writes: the opening count gives every position a row a day. */
    long martRows() {
      return (long) days * stores * skus;
    }
  }

  static int run(BenchCommand.BenchOptions options) throws Exception {
    Size size = Size.of(options, LocalDate.now(ZoneOffset.UTC));
    String runner = PipelineArgs.classpathRunner();
    Path home = Path.of(options.getDataDir()).resolve("bench").toAbsolutePath();
    Path warehouse =
        home.resolve(
            "warehouse-inventory-" + size.days() + "d-" + size.stores() + "x" + size.skus());
    options.setWarehouse(warehouse.toString());
    CatalogSettings catalog = CatalogFromOptions.settings(options);
    Table movements = InventoryTables.RAW.createOrLoad(catalog.catalog());
    Table pos = RawTable.DEFINITION.createOrLoad(catalog.catalog());
    long movementRows = records(movements);
    long posRows = records(pos);
    if (movementRows == 0 && posRows == 0) {
      System.err.printf(
          "bench: loading %d days x %d stores x %d SKUs of movements and POS lines into %s%n",
          size.days(), size.stores(), size.skus(), warehouse);
      long t = System.nanoTime();
      Instant start = size.start().atStartOfDay(ZoneOffset.UTC).toInstant();
      RawTableLoader.InventoryLoad load =
          RawTableLoader.loadInventory(
              movements,
              pos,
              RawTableLoader.inventoryConfig(size.stores(), size.skus(), start),
              size.days());
      movementRows = load.movements();
      posRows = load.posLines();
      System.err.printf(
          "bench: loaded %,d movements and %,d POS lines in %.1f s%n",
          movementRows, posRows, (System.nanoTime() - t) / 1e9);
    } else if (movementRows == 0 || posRows == 0) {
      throw new IllegalStateException(
          warehouse + " holds one raw table without the other (a load was cut short): delete it");
    } else {
      System.err.printf(
          "bench: reusing %,d movements and %,d POS lines in %s%n",
          movementRows, posRows, warehouse);
    }
    // The same options seen as the mart's: runner, profile, catalog flags and --mart carry over.
    MartOptions martOptions = options.as(MartOptions.class);
    martOptions.setDataDir(home.toString());
    Map<String, Object> memory = new LinkedHashMap<>();
    long t0 = System.nanoTime();
    RunSummary martRun;
    try (MemoryWatch watch = new MemoryWatch()) {
      martRun = InventoryMartRun.run(martOptions, catalog);
      memory.put("peak_heap_mib", watch.peakHeapBytes() / (1024 * 1024));
      memory.put("peak_rss_mib", watch.peakRssBytes() / (1024 * 1024));
    }
    double wall = (System.nanoTime() - t0) / 1e9;
    long read = ((Number) martRun.get("raw_rows_read")).longValue();
    long written = ((Number) martRun.get("mart_rows_written")).longValue();
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("benchmark", "mart-inventory");
    result.put("runner", runner);
    result.put("days", size.days());
    result.put("stores", size.stores());
    result.put("skus", size.skus());
    result.put("movements", movementRows);
    result.put("pos_lines", posRows);
    result.put("input_events_read", read);
    result.put("dates", ((List<?>) martRun.get("dates")).size());
    result.put("mart_rows_written", written);
    result.put("wall_seconds", Math.round(wall * 10) / 10.0);
    result.put("mart_rows_per_second", Math.round(written / wall));
    result.put("input_events_per_second", Math.round(read / wall));
    result.putAll(memory);
    result.put("machine", BenchResults.machine());
    return BenchCommand.finish(
        "mart-inventory",
        runner,
        result,
        options,
        List.of(
            "days",
            "stores",
            "skus",
            "input_events_read",
            "mart_rows_written",
            "wall_seconds",
            "mart_rows_per_second",
            "input_events_per_second",
            "peak_heap_mib",
            "peak_rss_mib"));
  }

  private static long records(Table table) {
    table.refresh();
    return table.currentSnapshot() == null
        ? 0
        : Long.parseLong(table.currentSnapshot().summary().getOrDefault("total-records", "0"));
  }
}
