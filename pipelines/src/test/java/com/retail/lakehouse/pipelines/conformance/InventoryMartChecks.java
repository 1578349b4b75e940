package com.retail.lakehouse.pipelines.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.retail.lakehouse.generator.InventoryManifest;
import com.retail.lakehouse.pipelines.cli.LakehouseCommand;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import com.retail.lakehouse.transforms.tables.DailyInventoryTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;

/** Runs the inventory mart and checks marts.daily_inventory against the simulator's manifest. */
public final class InventoryMartChecks {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static int summaries;

  private InventoryMartChecks() {}

  /** Runs {@code ./lakehouse mart --mart=inventory} with extra flags; returns its JSON summary. */
  public static JsonNode mart(Path dataDir, String... flags) throws IOException {
    Path summary = dataDir.resolve("inventory-mart-" + (++summaries) + ".json");
    assertThat(martExitCode(dataDir, summary, flags)).as("inventory mart exit code").isZero();
    return JSON.readTree(Files.readString(summary));
  }

  public static int martExitCode(Path dataDir, Path summary, String... flags) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "mart", "--mart=inventory", "--data-dir=" + dataDir, "--summary-json=" + summary));
    args.addAll(List.of(flags));
    return LakehouseCommand.run(args.toArray(String[]::new));
  }

  public static Table martTable(Path dataDir) {
    Table table =
        CatalogSettings.of(
                CatalogSettings.Kind.HADOOP,
                dataDir.resolve("warehouse").toAbsolutePath().toString(),
                null,
                Map.of())
            .catalog()
            .loadTable(DailyInventoryTable.DEFINITION.identifier());
    table.refresh();
    return table;
  }

  /** The mart's rows keyed "date|store|sku", each as its column values (computed_at optional). */
  public static SortedMap<String, Map<String, Object>> rows(Path dataDir, boolean withComputedAt) {
    SortedMap<String, Map<String, Object>> rows = new TreeMap<>();
    try (CloseableIterable<Record> it = IcebergGenerics.read(martTable(dataDir)).build()) {
      for (Record r : it) {
        Map<String, Object> values = new TreeMap<>();
        for (var field : DailyInventoryTable.FIELDS) {
          if (withComputedAt || !field.name().equals(DailyInventoryTable.COMPUTED_AT)) {
            values.put(field.name(), r.getField(field.name()));
          }
        }
        String key =
            r.getField("stock_date") + "|" + r.getField("store_id") + "|" + r.getField("sku");
        assertThat(rows.put(key, values)).as("one row per day, store and sku: " + key).isNull();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return rows;
  }

  /** Per stock_date, the data files of the mart's current snapshot. */
  public static SortedMap<LocalDate, List<String>> filesPerDate(Path dataDir) {
    SortedMap<LocalDate, List<String>> files = new TreeMap<>();
    Table table = martTable(dataDir);
    try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
      for (FileScanTask task : tasks) {
        LocalDate day = LocalDate.ofEpochDay(task.file().partition().get(0, Integer.class));
        files.computeIfAbsent(day, d -> new ArrayList<>()).add(task.file().path().toString());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    files.values().forEach(l -> l.sort(null));
    return files;
  }

  /**
   * Every (date, store, sku) of the expected closing stock (CSV {@code date,store_id,sku,
   * closing_stock}) equals the mart's closing_units (no row: 0, a key before its first event), and
   * the mart has no row outside the CSV from its first day on; returns the rows compared.
   */
  public static long assertClosingStockEquals(
      SortedMap<String, Map<String, Object>> rows, List<String> csv) {
    assertThat(csv.get(0)).isEqualTo("date,store_id,sku,closing_stock");
    Map<String, Long> expected = new TreeMap<>();
    for (String line : csv.subList(1, csv.size())) {
      String[] f = line.split(",");
      expected.put(f[0] + "|" + f[1] + "|" + f[2], Long.parseLong(f[3]));
    }
    // the manifest's days start at the simulated clock's start and fold any earlier (late) event
    // into the first day's level; the mart holds those earlier days as days of their own
    String firstDay = csv.size() > 1 ? csv.get(1).substring(0, 10) : "9999-12-31";
    assertThat(expected.keySet())
        .as("mart rows from the manifest's first day on are a subset of the manifest's")
        .containsAll(rows.keySet().stream().filter(k -> k.compareTo(firstDay) >= 0).toList());
    List<String> wrong = new ArrayList<>();
    expected.forEach(
        (key, closing) -> {
          Map<String, Object> row = rows.get(key);
          long got = row == null ? 0 : (Long) row.get(DailyInventoryTable.CLOSING_UNITS);
          if (got != closing) {
            wrong.add(key + " expected " + closing + " got " + got);
          }
        });
    assertThat(wrong).as("closing stock differing from the manifest").isEmpty();
    return expected.size();
  }

  /**
   * Per (store, date) of the manifest, the mart's received, net transfer, adjusted, sold, returned,
   * closing and negative-SKU totals equal the manifest's (count variance is not compared: the
   * manifest leaves a SKU's first COUNT out, the mart reports it against the level before).
   */
  public static void assertDailyTotalsEqual(
      SortedMap<String, Map<String, Object>> rows, List<InventoryManifest.Daily> daily) {
    Map<String, long[]> sums = new TreeMap<>();
    rows.forEach(
        (key, row) -> {
          String[] k = key.split("\\|");
          long[] s = sums.computeIfAbsent(k[1] + "|" + k[0], x -> new long[7]);
          long closing = (Long) row.get(DailyInventoryTable.CLOSING_UNITS);
          s[0] += (Long) row.get(DailyInventoryTable.RECEIVED_UNITS);
          s[1] += (Long) row.get(DailyInventoryTable.TRANSFER_UNITS);
          s[2] += (Long) row.get(DailyInventoryTable.ADJUSTED_UNITS);
          s[3] += (Long) row.get(DailyInventoryTable.SOLD_UNITS);
          s[4] += (Long) row.get(DailyInventoryTable.RETURNED_UNITS);
          s[5] += closing;
          s[6] += closing < 0 ? 1 : 0;
          assertThat(row.get(DailyInventoryTable.STOCKOUT)).as(key).isEqualTo(closing <= 0);
        });
    assertThat(daily).isNotEmpty();
    for (InventoryManifest.Daily d : daily) {
      long[] s = sums.getOrDefault(d.storeId() + "|" + d.date(), new long[7]);
      assertThat(s)
          .as(
              "received, transfers, adjusted, sold, returned, closing, negative of %s %s",
              d.storeId(), d.date())
          .containsExactly(
              d.received(),
              d.transferredIn() - d.transferredOut(),
              d.adjusted(),
              d.sold(),
              d.returned(),
              d.closingUnits(),
              d.negativeSkus());
    }
  }

  /** Each row's opening_units is the closing_units of its key's row the day before (or 0). */
  public static void assertOpeningsCarry(SortedMap<String, Map<String, Object>> rows) {
    rows.forEach(
        (key, row) -> {
          String[] k = key.split("\\|");
          Map<String, Object> before =
              rows.get(LocalDate.parse(k[0]).minusDays(1) + "|" + k[1] + "|" + k[2]);
          long expected = before == null ? 0 : (Long) before.get(DailyInventoryTable.CLOSING_UNITS);
          assertThat(row.get(DailyInventoryTable.OPENING_UNITS)).as(key).isEqualTo(expected);
        });
  }
}
