package com.retail.lakehouse.pipelines.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.retail.lakehouse.generator.DailyExpectation;
import com.retail.lakehouse.generator.Manifest;
import com.retail.lakehouse.pipelines.cli.LakehouseCommand;
import com.retail.lakehouse.transforms.mart.ReplaceMartDays;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import com.retail.lakehouse.transforms.tables.DailySalesSummaryTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;

/** Runs the mart command and reads marts.daily_sales_summary back, for the conformance suite. */
final class MartChecks {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static int summaries;

  private MartChecks() {}

  /** Runs {@code ./lakehouse mart} with extra flags; returns its JSON summary. */
  static JsonNode mart(Path dataDir, String... flags) throws IOException {
    Path summary = dataDir.resolve("mart-" + (++summaries) + ".json");
    int code = martExitCode(dataDir, summary, flags);
    assertThat(code).as("mart exit code").isZero();
    return JSON.readTree(Files.readString(summary));
  }

  static int martExitCode(Path dataDir, Path summary, String... flags) {
    List<String> args =
        new ArrayList<>(List.of("mart", "--data-dir=" + dataDir, "--summary-json=" + summary));
    args.addAll(List.of(flags));
    return LakehouseCommand.run(args.toArray(String[]::new));
  }

  static Table martTable(Path dataDir) {
    Table table =
        catalog(dataDir).catalog().loadTable(DailySalesSummaryTable.DEFINITION.identifier());
    table.refresh();
    return table;
  }

  static CatalogSettings catalog(Path dataDir) {
    return CatalogSettings.of(
        CatalogSettings.Kind.HADOOP,
        dataDir.resolve("warehouse").toAbsolutePath().toString(),
        null,
        Map.of());
  }

  /** The mart's rows keyed "date|store|product", each as its column values without computed_at. */
  static Map<String, Map<String, Object>> martRows(Path dataDir, boolean withComputedAt) {
    Map<String, Map<String, Object>> rows = new TreeMap<>();
    try (CloseableIterable<Record> it = IcebergGenerics.read(martTable(dataDir)).build()) {
      for (Record r : it) {
        Map<String, Object> values = new TreeMap<>();
        for (var field : DailySalesSummaryTable.FIELDS) {
          if (withComputedAt || !field.name().equals(DailySalesSummaryTable.COMPUTED_AT)) {
            values.put(field.name(), r.getField(field.name()));
          }
        }
        String key =
            r.getField("sale_date") + "|" + r.getField("store_id") + "|" + r.getField("product");
        assertThat(rows.put(key, values))
            .as("one mart row per day, store and product: " + key)
            .isNull();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return rows;
  }

  /** Mart revenue, units and lines per store and day equal the manifest's, to the cent. */
  static void assertMatchesManifest(Path dataDir, Manifest manifest) {
    Map<String, BigDecimal> revenue = new TreeMap<>();
    Map<String, Long> units = new TreeMap<>();
    Map<String, Long> lines = new TreeMap<>();
    for (Map<String, Object> row : martRows(dataDir, false).values()) {
      String key = row.get("store_id") + "|" + row.get("sale_date");
      revenue.merge(key, (BigDecimal) row.get("total_sales"), BigDecimal::add);
      units.merge(key, (Long) row.get("units_sold"), Long::sum);
      lines.merge(key, (Long) row.get("line_count"), Long::sum);
      BigDecimal gross = (BigDecimal) row.get("gross_sales");
      BigDecimal returns = (BigDecimal) row.get("returns_amount");
      assertThat(returns.signum()).as("returns_amount is positive").isGreaterThanOrEqualTo(0);
      assertThat(gross.subtract(returns)).isEqualByComparingTo((BigDecimal) row.get("total_sales"));
      assertThat((Long) row.get("transaction_count")).isBetween(1L, (Long) row.get("line_count"));
    }
    Map<String, BigDecimal> wantRevenue = new TreeMap<>();
    Map<String, Long> wantUnits = new TreeMap<>();
    Map<String, Long> wantLines = new TreeMap<>();
    for (DailyExpectation day : manifest.expectedDaily()) {
      String key = day.storeId() + "|" + day.saleDate();
      wantRevenue.put(key, day.netRevenue());
      wantUnits.put(key, day.units());
      wantLines.put(key, day.lines());
    }
    assertThat(revenue.keySet()).isEqualTo(wantRevenue.keySet());
    wantRevenue.forEach(
        (k, v) -> assertThat(revenue.get(k)).as("revenue " + k).isEqualByComparingTo(v));
    assertThat(units).isEqualTo(wantUnits);
    assertThat(lines).isEqualTo(wantLines);
  }

  /**
   * Mart rows equal a straightforward recomputation from raw (returns, baskets, times and each
   * product's category included).
   */
  static void assertMatchesRaw(Path dataDir) {
    Map<String, Map<String, Object>> want = new TreeMap<>();
    Map<String, Set<String>> baskets = new TreeMap<>();
    Map<String, Set<String>> categories = new TreeMap<>();
    for (Record r : new LakehouseTables(dataDir).raw()) {
      LocalDateTime t = (LocalDateTime) r.getField("event_time");
      String key = t.toLocalDate() + "|" + r.getField("store_id") + "|" + r.getField("product");
      categories
          .computeIfAbsent((String) r.getField("product"), k -> new HashSet<>())
          .add((String) r.getField("category"));
      Map<String, Object> row = want.computeIfAbsent(key, k -> new TreeMap<>());
      BigDecimal amount = (BigDecimal) r.getField("total_amount");
      boolean isReturn = "RETURN".equals(r.getField("event_type"));
      row.merge(
          "gross_sales",
          isReturn ? BigDecimal.ZERO : amount,
          (a, b) -> ((BigDecimal) a).add((BigDecimal) b));
      row.merge(
          "returns_amount",
          isReturn ? amount.negate() : BigDecimal.ZERO,
          (a, b) -> ((BigDecimal) a).add((BigDecimal) b));
      row.merge(
          "units_sold", (long) (Integer) r.getField("quantity"), (a, b) -> (Long) a + (Long) b);
      row.merge("line_count", 1L, (a, b) -> (Long) a + (Long) b);
      row.merge(
          "first_sale_time", t, (a, b) -> ((LocalDateTime) a).isBefore((LocalDateTime) b) ? a : b);
      row.merge(
          "last_sale_time", t, (a, b) -> ((LocalDateTime) a).isAfter((LocalDateTime) b) ? a : b);
      baskets.computeIfAbsent(key, k -> new HashSet<>()).add((String) r.getField("transaction_id"));
    }
    Map<String, Map<String, Object>> got = martRows(dataDir, false);
    assertThat(got.keySet()).isEqualTo(want.keySet());
    want.forEach(
        (key, row) -> {
          Map<String, Object> mart = got.get(key);
          // the generator gives each product one category: the mart row carries it
          Set<String> category = categories.get(key.split("\\|", 3)[2]);
          assertThat(category).as("raw's categories of " + key).hasSize(1);
          assertThat(mart.get("category")).as(key).isEqualTo(category.iterator().next());
          assertThat((BigDecimal) mart.get("gross_sales"))
              .as(key)
              .isEqualByComparingTo((BigDecimal) row.get("gross_sales"));
          assertThat((BigDecimal) mart.get("returns_amount"))
              .as(key)
              .isEqualByComparingTo((BigDecimal) row.get("returns_amount"));
          assertThat(mart.get("units_sold")).as(key).isEqualTo(row.get("units_sold"));
          assertThat(mart.get("line_count")).as(key).isEqualTo(row.get("line_count"));
          assertThat(mart.get("transaction_count"))
              .as(key)
              .isEqualTo((long) baskets.get(key).size());
          assertThat(mart.get("first_sale_time")).as(key).isEqualTo(row.get("first_sale_time"));
          assertThat(mart.get("last_sale_time")).as(key).isEqualTo(row.get("last_sale_time"));
        });
  }

  /** The mart commit of a run, by the run id in its summary. */
  static Snapshot commitOf(Path dataDir, JsonNode summary) {
    return ReplaceMartDays.snapshotOfRun(martTable(dataDir), summary.get("run_id").asText());
  }

  /** A valid event of the given store like {@code template}, as a new sale line at {@code when}. */
  static byte[] lateEvent(byte[] template, String id, LocalDateTime when) throws IOException {
    ObjectNode event = (ObjectNode) JSON.readTree(template);
    event.put("event_id", "late-" + id);
    event.put("transaction_id", "late-tx-" + id);
    event.put("line_number", 1);
    event.put("event_time", when.toInstant(java.time.ZoneOffset.UTC).toString());
    return JSON.writeValueAsBytes(event);
  }

  static LocalDate firstDate(Map<String, Map<String, Object>> rows) {
    return LocalDate.parse(rows.keySet().iterator().next().substring(0, 10));
  }

  static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
