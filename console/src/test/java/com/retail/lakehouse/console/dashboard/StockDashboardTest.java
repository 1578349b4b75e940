package com.retail.lakehouse.console.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.retail.lakehouse.common.CatalogFlags;
import com.retail.lakehouse.console.ConsoleServer;
import com.retail.lakehouse.console.ConsoleTestSupport;
import com.retail.lakehouse.pipelines.cli.LakehouseCommand;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import com.retail.lakehouse.transforms.tables.DailyInventoryTable;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stock page's API against a stock mart made by the real product: the generator's POS and
 * inventory streams, a two-stream ingest, then a console whose mart run starts the inventory mart
 * by itself (trigger dependency). Its stockouts, low cover of the top sellers and shrink by store
 * equal a computation of this test over every row of marts.daily_inventory (read whole, no filter),
 * for the default query, another date, a store and a shrink range; bad parameters give a 400 with
 * one line, and a folder without the stock mart answers the one-line hint.
 */
class StockDashboardTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration RUN_WAIT = Duration.ofMinutes(4);

  @TempDir static Path temp;
  private static ConsoleServer server;
  private static List<Row> rows;

  /** One row of the mart, as this test reads it. */
  record Row(
      LocalDate date,
      String store,
      String sku,
      long sold,
      long returned,
      long adjusted,
      Long variance,
      long closing,
      BigDecimal unitCost,
      boolean stockout,
      BigDecimal cover) {}

  @BeforeAll
  static void buildTheStockMartThroughTheConsole() throws Exception {
    Path dataDir = generateAndIngestBothStreams(temp);
    server = ConsoleTestSupport.startServer(dataDir);
    martThenInventoryMart(server.url());
    rows = readAll(dataDir);
    assertThat(rows).isNotEmpty();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  /**
   * A data folder with about ten days of both streams (3 stores, 40 SKUs, up to about today),
   * ingested by one two-stream catch-up run.
   */
  static Path generateAndIngestBothStreams(Path dir) throws Exception {
    Path dataDir = dir.resolve("stock-data");
    Files.createDirectories(dataDir);
    String kafka = ConsoleTestSupport.broker(dataDir);
    assertThat(
            LakehouseCommand.run(
                new String[] {
                  "generate",
                  "--streams=pos,inventory",
                  "--topic=" + ConsoleTestSupport.TOPIC,
                  "--bootstrap-servers=" + kafka,
                  "--data-dir=" + dataDir,
                  "--count=30000",
                  "--stores=3",
                  "--skus=40",
                  "--start=" + LocalDate.now(ZoneOffset.UTC).minusDays(12),
                  "--seed=11"
                }))
        .as("generate")
        .isZero();
    assertThat(
            LakehouseCommand.run(
                new String[] {
                  "ingest",
                  "--runner=direct",
                  "--streams=pos,inventory",
                  "--data-dir=" + dataDir,
                  "--bootstrap-servers=" + kafka,
                  "--topic=" + ConsoleTestSupport.TOPIC,
                  "--until-caught-up"
                }))
        .as("ingest")
        .isZero();
    return dataDir;
  }

  /**
   * Asks the console for a mart run and waits for it and the inventory_mart run it starts (trigger
   * dependency) to succeed; returns the inventory_mart run.
   */
  static JsonNode martThenInventoryMart(URI url) throws Exception {
    var created = ConsoleTestSupport.post(url, "api/jobs/mart/runs", "{}");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    long id = JSON.readTree(created.body()).get("id").asLong();
    JsonNode mart = awaitEnded(url, "api/runs/" + id);
    assertThat(mart.get("status").asText()).as(mart.toString()).isEqualTo("succeeded");
    JsonNode follower =
        await()
            .atMost(RUN_WAIT)
            .pollInterval(Duration.ofSeconds(1))
            .until(
                () -> {
                  JsonNode list =
                      JSON.readTree(
                              ConsoleTestSupport.get(url, "api/runs?job=inventory_mart").body())
                          .get("runs");
                  return list.isEmpty() ? null : list.get(0);
                },
                r -> r != null && ended(r));
    assertThat(follower.get("trigger").asText()).isEqualTo("dependency");
    assertThat(follower.get("run_key").asText()).isEqualTo("after:" + id);
    assertThat(follower.get("status").asText()).as(follower.toString()).isEqualTo("succeeded");
    assertThat(follower.get("summary").get("mart").asText()).isEqualTo("marts.daily_inventory");
    return follower;
  }

  @Test
  void theDefaultQueryIsTheNewestStockDateAndEqualsTheRows() throws Exception {
    LocalDate newest = rows.stream().map(Row::date).max(Comparator.naturalOrder()).orElseThrow();
    JsonNode api = ok("api/dashboard/stock");
    assertThat(api.get("date").asText()).isEqualTo(newest.toString());
    assertThat(api.get("newest_stock_date").asText()).isEqualTo(newest.toString());
    assertThat(api.get("mart_snapshot_id").asLong())
        .isEqualTo(table(serverDataDir()).currentSnapshot().snapshotId());
    assertThat(api.at("/shrink/from").asText()).isEqualTo(newest.minusDays(29).toString());
    assertThat(api.at("/shrink/to").asText()).isEqualTo(newest.toString());
    assertEquals(api, newest, null, newest.minusDays(29), newest);
    // the generated week has stockouts, some of them negative, and shrink with a value
    assertThat(api.at("/stockouts/skus_out_of_stock").asLong()).isPositive();
    assertThat(api.at("/shrink/totals/units").asLong()).isPositive();
  }

  @Test
  void anotherDateAStoreAndAShrinkRangeEqualTheRows() throws Exception {
    LocalDate newest = rows.stream().map(Row::date).max(Comparator.naturalOrder()).orElseThrow();
    LocalDate date = newest.minusDays(2);
    String store = rows.get(0).store();
    LocalDate from = newest.minusDays(5);
    JsonNode api =
        ok(
            "api/dashboard/stock?date="
                + date
                + "&store="
                + store
                + "&from="
                + from
                + "&to="
                + newest);
    assertThat(api.get("store").asText()).isEqualTo(store);
    assertEquals(api, date, store, from, newest);
    assertEquals(ok("api/dashboard/stock?date=" + date), date, null, date.minusDays(29), date);
  }

  @Test
  void badParametersAndAMissingStockMartAreOneLine() throws Exception {
    var bad = ConsoleTestSupport.get(server.url(), "api/dashboard/stock?date=tomorrow");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(bad.body()).get("error").asText())
        .isEqualTo("date wants a date like 2026-11-24, got 'tomorrow'");
    var store = ConsoleTestSupport.get(server.url(), "api/dashboard/stock?store=%3Cb%3E");
    assertThat(store.statusCode()).isEqualTo(400);

    Path empty = temp.resolve("no-stock-mart");
    Files.createDirectories(empty);
    assertThat(SalesDashboard.onDataDir(empty).stock(null, null, null, null)).isNull();
    assertThat(SalesDashboard.NO_STOCK_MART)
        .doesNotContain("\n")
        .startsWith("marts.daily_inventory does not exist yet")
        .contains("run ./lakehouse mart --mart inventory");
  }

  /** The API's three sections equal this test's computation over {@link #rows}. */
  private static void assertEquals(
      JsonNode api, LocalDate date, String store, LocalDate from, LocalDate to) {
    List<Row> ofDay =
        rows.stream()
            .filter(r -> r.date().equals(date) && (store == null || r.store().equals(store)))
            .toList();

    // stockouts: per store, closing_units <= 0, negative kept
    Map<String, List<Row>> out =
        ofDay.stream()
            .filter(r -> r.closing() <= 0)
            .collect(Collectors.groupingBy(Row::store, TreeMap::new, Collectors.toList()));
    assertThat(ofDay.stream().filter(r -> r.closing() <= 0).allMatch(Row::stockout)).isTrue();
    Map<String, List<String>> expectedOut = new TreeMap<>();
    out.forEach(
        (s, list) ->
            expectedOut.put(
                s,
                list.stream()
                    .sorted(Comparator.comparingLong(Row::closing).thenComparing(Row::sku))
                    .map(r -> r.sku() + "=" + r.closing())
                    .toList()));
    Map<String, List<String>> apiOut = new TreeMap<>();
    for (JsonNode s : api.at("/stockouts/by_store")) {
      List<String> skus = new ArrayList<>();
      s.get("skus").forEach(k -> skus.add(k.get("sku").asText() + "=" + k.get("closing_units")));
      assertThat(s.get("skus_out_of_stock").asInt()).isEqualTo(skus.size());
      assertThat(s.get("negative_skus").asLong())
          .isEqualTo(skus.stream().filter(k -> k.contains("=-")).count());
      apiOut.put(s.get("store_id").asText(), skus);
    }
    assertThat(apiOut).isEqualTo(expectedOut);
    assertThat(api.at("/stockouts/negative_skus").asLong())
        .isEqualTo(ofDay.stream().filter(r -> r.closing() < 0).count());

    // low cover: the 20 SKUs with most net units over the 7 days to the date, all stores
    Map<String, Long> net = new TreeMap<>();
    rows.stream()
        .filter(r -> !r.date().isAfter(date) && r.date().isAfter(date.minusDays(7)))
        .forEach(r -> net.merge(r.sku(), r.sold() - r.returned(), Long::sum));
    List<String> top =
        net.entrySet().stream()
            .sorted(
                Map.Entry.<String, Long>comparingByValue()
                    .reversed()
                    .thenComparing(Map.Entry.comparingByKey()))
            .limit(20)
            .map(Map.Entry::getKey)
            .toList();
    List<String> expectedCover =
        ofDay.stream()
            .filter(
                r ->
                    top.contains(r.sku())
                        && r.cover() != null
                        && r.cover().compareTo(BigDecimal.valueOf(3)) < 0)
            .sorted(
                Comparator.comparing(Row::cover).thenComparing(Row::store).thenComparing(Row::sku))
            .map(
                r ->
                    r.store()
                        + "|"
                        + r.sku()
                        + "|"
                        + net.get(r.sku())
                        + "|"
                        + r.closing()
                        + "|"
                        + r.cover().setScale(2).toPlainString())
            .toList();
    List<String> apiCover = new ArrayList<>();
    api.at("/low_cover/rows")
        .forEach(
            r ->
                apiCover.add(
                    r.get("store_id").asText()
                        + "|"
                        + r.get("sku").asText()
                        + "|"
                        + r.get("net_units_7_days").asLong()
                        + "|"
                        + r.get("closing_units").asLong()
                        + "|"
                        + r.get("days_of_cover").asText()));
    assertThat(apiCover).isEqualTo(expectedCover);

    // shrink by store over [from, to]: negative adjustments + negative count variances, valued
    // at the row's unit_cost
    Map<String, String> expectedShrink = new TreeMap<>();
    Map<String, long[]> units = new TreeMap<>();
    Map<String, BigDecimal> value = new TreeMap<>();
    for (Row r : rows) {
      if (r.date().isBefore(from)
          || r.date().isAfter(to)
          || (store != null && !r.store().equals(store))) {
        continue;
      }
      long adjusted = r.adjusted() < 0 ? -r.adjusted() : 0;
      long counted = r.variance() != null && r.variance() < 0 ? -r.variance() : 0;
      long[] u = units.computeIfAbsent(r.store(), s -> new long[3]);
      u[0] += adjusted;
      u[1] += counted;
      if (r.unitCost() == null) {
        u[2] += adjusted + counted;
      } else {
        value.merge(
            r.store(),
            r.unitCost().multiply(BigDecimal.valueOf(adjusted + counted)),
            BigDecimal::add);
      }
    }
    units.forEach(
        (s, u) ->
            expectedShrink.put(
                s,
                u[0]
                    + "|"
                    + u[1]
                    + "|"
                    + (u[0] + u[1])
                    + "|"
                    + value.getOrDefault(s, BigDecimal.ZERO).setScale(2).toPlainString()
                    + "|"
                    + u[2]));
    Map<String, String> apiShrink = new TreeMap<>();
    for (JsonNode s : api.at("/shrink/by_store")) {
      apiShrink.put(
          s.get("store_id").asText(),
          s.get("adjusted_units").asLong()
              + "|"
              + s.get("counted_units").asLong()
              + "|"
              + s.get("units").asLong()
              + "|"
              + s.get("value").asText()
              + "|"
              + s.get("units_without_cost").asLong());
    }
    assertThat(apiShrink).isEqualTo(expectedShrink);
    BigDecimal total = value.values().stream().reduce(BigDecimal.ZERO, BigDecimal::add);
    assertThat(api.at("/shrink/totals/value").asText())
        .isEqualTo(total.setScale(2).toPlainString());
  }

  private static Path serverDataDir() {
    return temp.resolve("stock-data");
  }

  private static Table table(Path dataDir) {
    Table t =
        CatalogSettings.of(CatalogFlags.of("hadoop", dataDir.toString(), null, null, List.of()))
            .catalog()
            .loadTable(DailyInventoryTable.DEFINITION.identifier());
    t.refresh();
    return t;
  }

  /** Every row of the stock mart, read whole. */
  private static List<Row> readAll(Path dataDir) throws Exception {
    List<Row> out = new ArrayList<>();
    try (CloseableIterable<Record> it = IcebergGenerics.read(table(dataDir)).build()) {
      for (Record r : it) {
        out.add(
            new Row(
                (LocalDate) r.getField("stock_date"),
                (String) r.getField("store_id"),
                (String) r.getField("sku"),
                (Long) r.getField("sold_units"),
                (Long) r.getField("returned_units"),
                (Long) r.getField("adjusted_units"),
                (Long) r.getField("counted_variance_units"),
                (Long) r.getField("closing_units"),
                (BigDecimal) r.getField("unit_cost"),
                (Boolean) r.getField("stockout"),
                (BigDecimal) r.getField("days_of_cover")));
      }
    }
    return out;
  }

  private static JsonNode ok(String path) throws Exception {
    var r = ConsoleTestSupport.get(server.url(), path);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  private static JsonNode awaitEnded(URI url, String path) {
    return await()
        .atMost(RUN_WAIT)
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> JSON.readTree(ConsoleTestSupport.get(url, path).body()), r -> ended(r));
  }

  private static boolean ended(JsonNode run) {
    return List.of("succeeded", "failed", "cancelled", "skipped")
        .contains(run.get("status").asText());
  }
}
