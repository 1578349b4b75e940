package com.retail.lakehouse.console.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.retail.lakehouse.common.CatalogFlags;
import com.retail.lakehouse.console.ConsoleServer;
import com.retail.lakehouse.console.ConsoleTestSupport;
import com.retail.lakehouse.generator.DailyExpectation;
import com.retail.lakehouse.generator.Manifest;
import com.retail.lakehouse.pipelines.cli.LakehouseCommand;
import com.retail.lakehouse.transforms.event.PosEventSchema;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import com.retail.lakehouse.transforms.tables.DailySalesSummaryTable;
import com.retail.lakehouse.transforms.tables.DeadLetterTable;
import com.retail.lakehouse.transforms.tables.RawTable;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetWriter;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.parquet.Parquet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard's API against real tables made by the real product (ConsoleTestSupport's three
 * generated and ingested days, then a real mart run of them): daily revenue per store and day
 * equals the mart's rows and the generator's manifests to the cent, the live view of a day equals
 * the mart's totals of that day (the same de-duplication, proved again after re-sent copies of
 * lines land in raw), the CSV equals the JSON, a category filter equals raw's de-duplicated lines
 * of that category to the cent (and the top categories are raw's), mart rows without a category
 * (built before the column existed) are counted but named, and bad parameters give a 400 with one
 * line.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SalesDashboardTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final LocalDate FROM = LocalDate.parse(ConsoleTestSupport.START);
  private static final LocalDate TO = FROM.plusDays(ConsoleTestSupport.DAYS - 1);
  private static final LocalDate MIDDLE = FROM.plusDays(1);

  @TempDir static Path temp;
  private static Path dataDir;
  private static ConsoleServer server;

  @BeforeAll
  static void buildTablesAndStart() throws Exception {
    dataDir = ConsoleTestSupport.dataDirWithRawDays(temp);
    assertThat(
            LakehouseCommand.run(
                new String[] {
                  "mart", "--runner=direct", "--data-dir=" + dataDir, "--from=" + FROM, "--to=" + TO
                }))
        .as("mart")
        .isZero();
    server = ConsoleTestSupport.startServer(dataDir);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  @Order(1)
  void dailyRevenuePerStoreDayEqualsTheMartRowsAndTheGeneratorsManifestsToTheCent()
      throws Exception {
    Map<String, BigDecimal> expected = manifestRevenue();
    // the manifests' dates are the generated ones
    assertThat(expected.keySet().stream().map(k -> k.substring(0, 10)).distinct().sorted())
        .containsExactly(FROM.toString(), MIDDLE.toString(), TO.toString());
    Map<String, BigDecimal> mart = martRevenue();

    JsonNode daily = ok("/api/dashboard/daily?from=" + FROM + "&to=" + TO);
    assertThat(daily.get("mart_snapshot_id").asLong())
        .isEqualTo(
            table(DailySalesSummaryTable.DEFINITION.identifier()).currentSnapshot().snapshotId());
    Map<String, BigDecimal> api = new TreeMap<>();
    for (JsonNode row : daily.get("by_store_day")) {
      assertThat(row.get("revenue").isTextual()).isTrue();
      assertThat(row.get("revenue").asText()).matches("-?\\d+\\.\\d{2}");
      api.put(
          row.get("sale_date").asText() + "|" + row.get("store_id").asText(),
          new BigDecimal(row.get("revenue").asText()));
    }
    assertThat(api).isEqualTo(mart); // BigDecimal equals: value and scale (2)
    assertThat(api).isEqualTo(expected);
    assertThat(api).hasSize(ConsoleTestSupport.DAYS * 5);

    BigDecimal total = expected.values().stream().reduce(BigDecimal.ZERO, BigDecimal::add);
    assertThat(daily.at("/totals/revenue").asText()).isEqualTo(total.toPlainString());
    BigDecimal byDays = BigDecimal.ZERO;
    for (JsonNode d : daily.get("by_day")) {
      byDays = byDays.add(new BigDecimal(d.get("revenue").asText()));
    }
    assertThat(byDays).isEqualTo(total);
    assertThat(daily.get("by_day")).hasSize(ConsoleTestSupport.DAYS);
    assertThat(daily.get("top_products").size()).isBetween(1, 10);
    // the 3 days before hold nothing: the change is the whole revenue, no percentage
    assertThat(daily.at("/previous/from").asText()).isEqualTo(FROM.minusDays(3).toString());
    assertThat(daily.at("/previous/totals/revenue").asText()).isEqualTo("0.00");
    assertThat(daily.at("/change/revenue").asText()).isEqualTo(total.toPlainString());
    assertThat(daily.at("/change/revenue_pct").isNull()).isTrue();

    // period over period: 2026-11-22 against 2026-11-21
    JsonNode last = ok("/api/dashboard/daily?from=" + TO + "&to=" + TO);
    BigDecimal before = sumFor(expected, MIDDLE);
    BigDecimal now = sumFor(expected, TO);
    assertThat(last.at("/previous/totals/revenue").asText()).isEqualTo(before.toPlainString());
    assertThat(last.at("/change/revenue").asText()).isEqualTo(now.subtract(before).toPlainString());
    assertThat(last.at("/change/revenue_pct").asText()).isEqualTo(Money.percentChange(before, now));

    // the default range: the last 30 days the mart has
    JsonNode byDefault = ok("/api/dashboard/daily");
    assertThat(byDefault.get("to").asText()).isEqualTo(TO.toString());
    assertThat(byDefault.get("from").asText()).isEqualTo(TO.minusDays(29).toString());
    assertThat(byDefault.at("/totals/revenue").asText()).isEqualTo(total.toPlainString());

    // one store
    String store = api.keySet().iterator().next().substring(11);
    JsonNode one = ok("/api/dashboard/daily?from=" + FROM + "&to=" + TO + "&store=" + store);
    BigDecimal storeTotal =
        expected.entrySet().stream()
            .filter(e -> e.getKey().endsWith("|" + store))
            .map(Map.Entry::getValue)
            .reduce(BigDecimal.ZERO, BigDecimal::add);
    assertThat(one.at("/totals/revenue").asText()).isEqualTo(storeTotal.toPlainString());
    assertThat(one.get("by_store_day")).hasSize(ConsoleTestSupport.DAYS);
  }

  @Test
  @Order(2)
  void theCsvIsTheStoreDayTableAsAnAttachment() throws Exception {
    HttpResponse<String> csv =
        ConsoleTestSupport.get(url(), "/api/dashboard/daily.csv?from=" + FROM + "&to=" + TO);
    assertThat(csv.statusCode()).isEqualTo(200);
    assertThat(csv.headers().firstValue("Content-Type").orElse("")).startsWith("text/csv");
    assertThat(csv.headers().firstValue("Content-Disposition").orElse(""))
        .isEqualTo("attachment; filename=\"daily-sales-" + FROM + "-to-" + TO + ".csv\"");
    List<String> lines = csv.body().lines().toList();
    assertThat(lines.get(0))
        .isEqualTo("sale_date,store_id,revenue,gross,returns,units,transactions,lines");
    JsonNode daily = ok("/api/dashboard/daily?from=" + FROM + "&to=" + TO);
    List<String> fromJson = new ArrayList<>();
    for (JsonNode r : daily.get("by_store_day")) {
      fromJson.add(
          String.join(
              ",",
              r.get("sale_date").asText(),
              r.get("store_id").asText(),
              r.get("revenue").asText(),
              r.get("gross").asText(),
              r.get("returns").asText(),
              r.get("units").asText(),
              r.get("transactions").asText(),
              r.get("lines").asText()));
    }
    assertThat(lines.subList(1, lines.size())).isEqualTo(fromJson);
  }

  /**
   * The products and categories tables download as CSV in full: their first ten rows are the page's
   * top 10, their revenues add up to the range's (every mart row has a product; categorised ones a
   * category), and an unknown table is a 400 with one line.
   */
  @Test
  @Order(2)
  void theProductsAndCategoriesTablesDownloadAsCsvInFull() throws Exception {
    String range = "from=" + FROM + "&to=" + TO;
    JsonNode daily = ok("/api/dashboard/daily?" + range);
    BigDecimal total = new BigDecimal(daily.at("/totals/revenue").asText());
    for (String table : List.of("products", "categories")) {
      String name = table.equals("products") ? "product" : "category";
      HttpResponse<String> csv =
          ConsoleTestSupport.get(url(), "/api/dashboard/daily.csv?" + range + "&table=" + table);
      assertThat(csv.statusCode()).isEqualTo(200);
      assertThat(csv.headers().firstValue("Content-Disposition").orElse(""))
          .isEqualTo("attachment; filename=\"daily-" + table + "-" + FROM + "-to-" + TO + ".csv\"");
      List<String> lines = csv.body().lines().toList();
      assertThat(lines.get(0)).isEqualTo(name + ",revenue,units");
      List<String> top = new ArrayList<>();
      for (JsonNode p : daily.get("top_" + table)) {
        top.add(
            DailyReport.cell(p.get(name).asText())
                + ","
                + p.get("revenue").asText()
                + ","
                + p.get("units").asText());
      }
      assertThat(lines.subList(1, 1 + top.size())).isEqualTo(top);
      assertThat(lines.size() - 1).isGreaterThanOrEqualTo(top.size());
      BigDecimal sum = BigDecimal.ZERO;
      for (String line : lines.subList(1, lines.size())) {
        int units = line.lastIndexOf(','); // the last two cells are numbers
        sum = sum.add(new BigDecimal(line.substring(line.lastIndexOf(',', units - 1) + 1, units)));
      }
      assertThat(sum).as(table + " add up to the range's revenue").isEqualByComparingTo(total);
    }
    // names are data: a cell a spreadsheet would run as a formula is made inert
    for (String formula : List.of("=1+1", "+1", "-1", "@SUM(A1)", "\t=HYPERLINK(1)", "\r=1")) {
      assertThat(DailyReport.cell(formula)).as(formula).matches("\"?'(?s).*");
    }
    assertThat(DailyReport.cell("Dairy, fresh")).isEqualTo("\"Dairy, fresh\"");
    HttpResponse<String> bad =
        ConsoleTestSupport.get(url(), "/api/dashboard/daily.csv?" + range + "&table=stores");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("table=stores is not a table of the daily view");
  }

  @Test
  @Order(2)
  void aRepeatedQueryAtTheSameSnapshotIsAnsweredFromTheCache() {
    SalesDashboard dashboard = SalesDashboard.onDataDir(dataDir);
    Map<String, Object> first = dashboard.daily(FROM.toString(), TO.toString(), null);
    assertThat(dashboard.cachedDailyReports()).isEqualTo(1);
    assertThat(dashboard.daily(FROM.toString(), TO.toString(), "")).isEqualTo(first);
    assertThat(dashboard.cachedDailyReports()).isEqualTo(1);
    dashboard.daily(FROM.toString(), TO.toString(), "S001");
    assertThat(dashboard.cachedDailyReports()).isEqualTo(2);
  }

  @Test
  @Order(3)
  void theLiveViewOfADayEqualsTheMartsTotalsOfThatDay() throws Exception {
    JsonNode live = assertLiveEqualsMart(MIDDLE, 0);

    // one store: the mart's store-day row of that store
    JsonNode mart = ok("/api/dashboard/daily?from=" + MIDDLE + "&to=" + MIDDLE);
    JsonNode row = mart.get("by_store_day").get(1);
    String store = row.get("store_id").asText();
    JsonNode oneStore = ok("/api/dashboard/live?date=" + MIDDLE + "&store=" + store);
    assertThat(oneStore.get("store").asText()).isEqualTo(store);
    for (String field : List.of("revenue", "gross", "returns", "units", "lines")) {
      assertThat(oneStore.at("/totals/" + field).asText())
          .as(field)
          .isEqualTo(row.get(field).asText());
    }
    assertThat(oneStore.get("by_store")).hasSize(1);

    // one category: the figure the unfiltered view gives that category
    JsonNode category = live.get("top_categories").get(0);
    String name = category.get("category").asText();
    JsonNode oneCategory =
        ok(
            "/api/dashboard/live?date="
                + MIDDLE
                + "&category="
                + java.net.URLEncoder.encode(name, java.nio.charset.StandardCharsets.UTF_8));
    assertThat(oneCategory.at("/totals/revenue").asText())
        .isEqualTo(category.get("revenue").asText());
    assertThat(oneCategory.at("/totals/units").asLong()).isEqualTo(category.get("units").asLong());
    assertThat(oneCategory.at("/totals/lines").asLong()).isEqualTo(category.get("lines").asLong());
    assertThat(oneCategory.get("top_categories")).hasSize(1);
  }

  @Test
  @Order(4)
  void badParametersGive400WithOneLine() throws Exception {
    for (String path :
        List.of(
            "/api/dashboard/daily?from=2026-13-01&to=2026-11-22",
            "/api/dashboard/daily?from=2026-11-22&to=2026-11-20",
            "/api/dashboard/daily?from=2024-01-01&to=2026-11-22",
            "/api/dashboard/daily?store=S001%0A%3Cscript%3E",
            "/api/dashboard/daily?category=%3Cb%3E",
            "/api/dashboard/daily.csv?category=Dairy%0A1",
            "/api/dashboard/daily.csv?to=yesterday",
            "/api/dashboard/live?date=21.11.2026",
            "/api/dashboard/live?category=%3Cb%3E",
            "/api/dashboard/live?store=S%20001")) {
      HttpResponse<String> r = ConsoleTestSupport.get(url(), path);
      assertThat(r.statusCode()).as(path).isEqualTo(400);
      JsonNode body = JSON.readTree(r.body());
      assertThat(body.size()).as(path).isEqualTo(1);
      assertThat(body.get("error").asText()).as(path).isNotBlank().doesNotContain("\n");
    }
  }

  /**
   * Re-sent copies of lines of one day land in raw, ingested later and with another amount: the
   * live view keeps the first copy (totals unchanged, the copies counted as dropped), as the mart
   * does.
   */
  @Test
  @Order(5)
  void laterCopiesOfLinesAreDroppedFirstCopyWins() throws Exception {
    Table raw = table(RawTable.DEFINITION.identifier());
    List<Record> copies = new ArrayList<>();
    try (CloseableIterable<Record> rows =
        IcebergGenerics.read(raw)
            .where(
                Expressions.and(
                    Expressions.greaterThanOrEqual(
                        PosEventSchema.EVENT_TIME, MIDDLE.atStartOfDay().toString()),
                    Expressions.lessThan(
                        PosEventSchema.EVENT_TIME, MIDDLE.plusDays(1).atStartOfDay().toString())))
            .build()) {
      for (Record r : rows) {
        if (copies.size() == 7) {
          break;
        }
        Record copy = r.copy();
        copy.setField(
            PosEventSchema.TOTAL_AMOUNT,
            ((BigDecimal) r.getField(PosEventSchema.TOTAL_AMOUNT)).add(new BigDecimal("100.00")));
        copy.setField(
            RawTable.INGEST_TIME,
            ((LocalDateTime) r.getField(RawTable.INGEST_TIME)).plusMinutes(5));
        copies.add(copy);
      }
    }
    assertThat(copies).hasSize(7);
    PartitionKey partition = new PartitionKey(raw.spec(), raw.schema());
    partition.partition(new InternalRecordWrapper(raw.schema().asStruct()).wrap(copies.get(0)));
    String path =
        raw.locationProvider().newDataLocation("resent-" + UUID.randomUUID() + ".parquet");
    DataWriter<Record> writer =
        Parquet.writeData(raw.io().newOutputFile(path))
            .schema(raw.schema())
            .createWriterFunc(GenericParquetWriter::buildWriter)
            .withSpec(raw.spec())
            .withPartition(partition)
            .overwrite()
            .build();
    try (writer) {
      for (Record r : copies) {
        writer.write(r);
      }
    }
    DataFile file = writer.toDataFile();
    raw.newAppend().appendFile(file).commit();

    JsonNode live = assertLiveEqualsMart(MIDDLE, 7);
    assertThat(live.get("raw_snapshot_id").asLong())
        .isEqualTo(table(RawTable.DEFINITION.identifier()).currentSnapshot().snapshotId());
  }

  /** Sums of raw lines: revenue, gross, returns (positive), units, lines. */
  private static final class Sums {
    BigDecimal revenue = new BigDecimal("0.00");
    BigDecimal gross = new BigDecimal("0.00");
    BigDecimal returns = new BigDecimal("0.00");
    long units;
    long lines;

    void add(Record r) {
      BigDecimal amount = (BigDecimal) r.getField(PosEventSchema.TOTAL_AMOUNT);
      revenue = revenue.add(amount);
      if ("RETURN".equals(r.getField(PosEventSchema.EVENT_TYPE))) {
        returns = returns.subtract(amount);
      } else {
        gross = gross.add(amount);
      }
      units += (Integer) r.getField(PosEventSchema.QUANTITY);
      lines++;
    }
  }

  /**
   * Raw's lines of FROM..TO de-duplicated here on their own: per (UTC date, store, transaction_id,
   * line_number) the copy ingested first (ingest_time, then Kafka partition and offset).
   */
  private static List<Record> rawLinesDeduplicated() throws Exception {
    Map<String, Record> first = new TreeMap<>();
    try (CloseableIterable<Record> rows =
        IcebergGenerics.read(table(RawTable.DEFINITION.identifier())).build()) {
      for (Record r : rows) {
        LocalDate day = ((LocalDateTime) r.getField(PosEventSchema.EVENT_TIME)).toLocalDate();
        if (day.isBefore(FROM) || day.isAfter(TO)) {
          continue;
        }
        String key =
            day
                + "|"
                + r.getField(PosEventSchema.STORE_ID)
                + "|"
                + r.getField(PosEventSchema.TRANSACTION_ID)
                + "|"
                + r.getField(PosEventSchema.LINE_NUMBER);
        first.merge(key, r.copy(), (a, b) -> ingestedBefore(a, b) ? a : b);
      }
    }
    return new ArrayList<>(first.values());
  }

  private static boolean ingestedBefore(Record a, Record b) {
    int t =
        ((LocalDateTime) a.getField(RawTable.INGEST_TIME))
            .compareTo((LocalDateTime) b.getField(RawTable.INGEST_TIME));
    if (t != 0) {
      return t < 0;
    }
    int p =
        Integer.compare(
            (Integer) a.getField(RawTable.KAFKA_PARTITION),
            (Integer) b.getField(RawTable.KAFKA_PARTITION));
    if (p != 0) {
      return p < 0;
    }
    return (Long) a.getField(RawTable.KAFKA_OFFSET) < (Long) b.getField(RawTable.KAFKA_OFFSET);
  }

  @Test
  @Order(2)
  void aCategoryFilterEqualsRawsDeduplicatedLinesOfThatCategoryToTheCent() throws Exception {
    List<Record> raw = rawLinesDeduplicated();
    Map<String, Sums> byCategory = new TreeMap<>();
    for (Record r : raw) {
      byCategory
          .computeIfAbsent((String) r.getField(PosEventSchema.CATEGORY), k -> new Sums())
          .add(r);
    }
    assertThat(byCategory).hasSizeGreaterThan(2);

    // top categories of the unfiltered range: raw's ranking by revenue, names and figures
    JsonNode all = ok("/api/dashboard/daily?from=" + FROM + "&to=" + TO);
    List<String> wantTop =
        byCategory.entrySet().stream()
            .sorted(
                java.util.Comparator.comparing((Map.Entry<String, Sums> e) -> e.getValue().revenue)
                    .reversed()
                    .thenComparing(Map.Entry::getKey))
            .limit(10)
            .map(e -> e.getKey() + "=" + e.getValue().revenue + "/" + e.getValue().units)
            .toList();
    List<String> gotTop = new ArrayList<>();
    all.get("top_categories")
        .forEach(
            c ->
                gotTop.add(
                    c.get("category").asText()
                        + "="
                        + c.get("revenue").asText()
                        + "/"
                        + c.get("units").asLong()));
    assertThat(gotTop).isEqualTo(wantTop);
    assertThat(all.get("days_without_category")).isEmpty();

    // every category alone: totals and store-day rows equal raw's lines of that category
    for (Map.Entry<String, Sums> e : byCategory.entrySet()) {
      String category = e.getKey();
      Sums want = e.getValue();
      String q =
          "from="
              + FROM
              + "&to="
              + TO
              + "&category="
              + java.net.URLEncoder.encode(category, java.nio.charset.StandardCharsets.UTF_8);
      JsonNode one = ok("/api/dashboard/daily?" + q);
      assertThat(one.get("category").asText()).isEqualTo(category);
      assertThat(one.at("/totals/revenue").asText())
          .as(category)
          .isEqualTo(want.revenue.toPlainString());
      assertThat(one.at("/totals/gross").asText())
          .as(category)
          .isEqualTo(want.gross.toPlainString());
      assertThat(one.at("/totals/returns").asText())
          .as(category)
          .isEqualTo(want.returns.toPlainString());
      assertThat(one.at("/totals/units").asLong()).as(category).isEqualTo(want.units);
      assertThat(one.at("/totals/lines").asLong()).as(category).isEqualTo(want.lines);
      assertThat(one.get("top_categories")).hasSize(1);
      assertThat(one.at("/top_categories/0/category").asText()).isEqualTo(category);
      assertThat(one.at("/top_categories/0/revenue").asText())
          .isEqualTo(want.revenue.toPlainString());

      Map<String, BigDecimal> wantStoreDays = new TreeMap<>();
      for (Record r : raw) {
        if (category.equals(r.getField(PosEventSchema.CATEGORY))) {
          wantStoreDays.merge(
              ((LocalDateTime) r.getField(PosEventSchema.EVENT_TIME)).toLocalDate()
                  + "|"
                  + r.getField(PosEventSchema.STORE_ID),
              (BigDecimal) r.getField(PosEventSchema.TOTAL_AMOUNT),
              BigDecimal::add);
        }
      }
      Map<String, BigDecimal> gotStoreDays = new TreeMap<>();
      for (JsonNode row : one.get("by_store_day")) {
        gotStoreDays.put(
            row.get("sale_date").asText() + "|" + row.get("store_id").asText(),
            new BigDecimal(row.get("revenue").asText()));
      }
      assertThat(gotStoreDays).as(category).isEqualTo(wantStoreDays);

      // the CSV follows the filter: the same rows, a file name that says so
      HttpResponse<String> csv = ConsoleTestSupport.get(url(), "/api/dashboard/daily.csv?" + q);
      assertThat(csv.statusCode()).isEqualTo(200);
      assertThat(csv.headers().firstValue("Content-Disposition").orElse(""))
          .isEqualTo(
              "attachment; filename=\"daily-sales-"
                  + FROM
                  + "-to-"
                  + TO
                  + "-"
                  + SalesDashboard.fileNamePart(category)
                  + ".csv\"");
      List<String> lines = csv.body().lines().toList();
      assertThat(lines).hasSize(1 + wantStoreDays.size());
      for (String line : lines.subList(1, lines.size())) {
        String[] cells = line.split(",");
        assertThat(new BigDecimal(cells[2]))
            .isEqualTo(wantStoreDays.get(cells[0] + "|" + cells[1]));
      }
    }

    // a store and a category together
    Record any = raw.get(0);
    String store = (String) any.getField(PosEventSchema.STORE_ID);
    String category = (String) any.getField(PosEventSchema.CATEGORY);
    Sums want = new Sums();
    raw.stream()
        .filter(
            r ->
                store.equals(r.getField(PosEventSchema.STORE_ID))
                    && category.equals(r.getField(PosEventSchema.CATEGORY)))
        .forEach(want::add);
    JsonNode both =
        ok(
            "/api/dashboard/daily?from="
                + FROM
                + "&to="
                + TO
                + "&store="
                + store
                + "&category="
                + java.net.URLEncoder.encode(category, java.nio.charset.StandardCharsets.UTF_8));
    assertThat(both.at("/totals/revenue").asText()).isEqualTo(want.revenue.toPlainString());
    assertThat(both.at("/totals/units").asLong()).isEqualTo(want.units);

    // a category nothing was sold in: empty figures, not an error
    JsonNode none = ok("/api/dashboard/daily?from=" + FROM + "&to=" + TO + "&category=No%20such");
    assertThat(none.at("/totals/revenue").asText()).isEqualTo("0.00");
    assertThat(none.get("top_categories")).isEmpty();
  }

  /**
   * A mart row built before the mart had its category column (null in it) on a day of its own:
   * counted without a category filter, under no category, and its day is named so the page can say
   * to rebuild it.
   */
  @Test
  @Order(7)
  void martRowsWithoutACategoryAreCountedButNotUnderACategoryAndTheirDaysNamed() throws Exception {
    Table mart = table(DailySalesSummaryTable.DEFINITION.identifier());
    LocalDate day = TO.plusDays(1);
    LocalDateTime noon = day.atTime(12, 0);
    Record row = org.apache.iceberg.data.GenericRecord.create(mart.schema());
    row.setField(DailySalesSummaryTable.SALE_DATE, day);
    row.setField(DailySalesSummaryTable.STORE_ID, "S001");
    row.setField(DailySalesSummaryTable.PRODUCT, "Old product");
    row.setField(DailySalesSummaryTable.TOTAL_SALES, new BigDecimal("12.34"));
    row.setField(DailySalesSummaryTable.GROSS_SALES, new BigDecimal("12.34"));
    row.setField(DailySalesSummaryTable.RETURNS_AMOUNT, new BigDecimal("0.00"));
    row.setField(DailySalesSummaryTable.UNITS_SOLD, 2L);
    row.setField(DailySalesSummaryTable.TRANSACTION_COUNT, 1L);
    row.setField(DailySalesSummaryTable.LINE_COUNT, 1L);
    row.setField(DailySalesSummaryTable.AVG_UNIT_PRICE, new BigDecimal("6.17"));
    row.setField(DailySalesSummaryTable.FIRST_SALE_TIME, noon);
    row.setField(DailySalesSummaryTable.LAST_SALE_TIME, noon);
    row.setField(DailySalesSummaryTable.COMPUTED_AT, noon);
    PartitionKey partition = new PartitionKey(mart.spec(), mart.schema());
    partition.partition(new InternalRecordWrapper(mart.schema().asStruct()).wrap(row));
    DataWriter<Record> writer =
        Parquet.writeData(
                mart.io()
                    .newOutputFile(
                        mart.locationProvider()
                            .newDataLocation("old-" + UUID.randomUUID() + ".parquet")))
            .schema(mart.schema())
            .createWriterFunc(GenericParquetWriter::buildWriter)
            .withSpec(mart.spec())
            .withPartition(partition)
            .overwrite()
            .build();
    try (writer) {
      writer.write(row);
    }
    mart.newAppend().appendFile(writer.toDataFile()).commit();

    JsonNode all = ok("/api/dashboard/daily?from=" + day + "&to=" + day);
    assertThat(all.at("/totals/revenue").asText()).isEqualTo("12.34");
    assertThat(all.get("top_categories")).isEmpty();
    assertThat(all.get("top_products")).hasSize(1);
    assertThat(all.get("days_without_category")).hasSize(1);
    assertThat(all.at("/days_without_category/0").asText()).isEqualTo(day.toString());

    String category =
        ok("/api/dashboard/daily?from=" + TO + "&to=" + TO)
            .at("/top_categories/0/category")
            .asText();
    JsonNode filtered =
        ok(
            "/api/dashboard/daily?from="
                + TO
                + "&to="
                + day
                + "&category="
                + java.net.URLEncoder.encode(category, java.nio.charset.StandardCharsets.UTF_8));
    JsonNode toOnly =
        ok(
            "/api/dashboard/daily?from="
                + TO
                + "&to="
                + TO
                + "&category="
                + java.net.URLEncoder.encode(category, java.nio.charset.StandardCharsets.UTF_8));
    assertThat(filtered.at("/totals/revenue").asText())
        .isEqualTo(toOnly.at("/totals/revenue").asText());
    assertThat(filtered.get("days_without_category")).hasSize(1);
    assertThat(filtered.at("/days_without_category/0").asText()).isEqualTo(day.toString());
  }

  /**
   * The live view holds a day's lines in memory and reads only the files a commit adds: after an
   * append whose copies of lines were ingested earlier (so they replace the kept copies) and an
   * append of lines of a new store, each query's answer equals a full read of the day at that
   * snapshot.
   */
  @Test
  @Order(6)
  void theLiveViewAfterAppendsEqualsAFullReadAtTheSameSnapshot() throws Exception {
    Table raw = table(RawTable.DEFINITION.identifier());
    List<Record> earlier = new ArrayList<>();
    List<Record> newStore = new ArrayList<>();
    try (CloseableIterable<Record> rows =
        IcebergGenerics.read(raw)
            .where(
                Expressions.and(
                    Expressions.greaterThanOrEqual(
                        PosEventSchema.EVENT_TIME, MIDDLE.atStartOfDay().toString()),
                    Expressions.lessThan(
                        PosEventSchema.EVENT_TIME, MIDDLE.plusDays(1).atStartOfDay().toString())))
            .build()) {
      for (Record r : rows) {
        if (earlier.size() < 5) {
          Record copy = r.copy();
          copy.setField(
              PosEventSchema.TOTAL_AMOUNT,
              ((BigDecimal) r.getField(PosEventSchema.TOTAL_AMOUNT)).add(new BigDecimal("7.00")));
          copy.setField(PosEventSchema.CATEGORY, "Resent");
          copy.setField(
              RawTable.INGEST_TIME,
              // earlier than the line and any copy of it: no tie for the order to decide
              ((LocalDateTime) r.getField(RawTable.INGEST_TIME)).minusMinutes(30));
          earlier.add(copy);
        } else if (newStore.size() < 3) {
          Record copy = r.copy();
          copy.setField(PosEventSchema.STORE_ID, "SNEW");
          copy.setField(PosEventSchema.TRANSACTION_ID, "SNEW-" + newStore.size());
          newStore.add(copy);
        } else {
          break;
        }
      }
    }
    List<String> queries =
        List.of(
            "", "&store=SNEW", "&category=Resent", "&store=" + earlier.get(0).getField("store_id"));
    ok("/api/dashboard/live?date=" + MIDDLE); // the day is held at the current snapshot
    for (List<Record> batch : List.of(earlier, newStore)) {
      append(raw, batch);
      raw.refresh();
      long id = raw.currentSnapshot().snapshotId();
      for (String q : queries) {
        JsonNode served = ok("/api/dashboard/live?date=" + MIDDLE + q);
        assertThat(served.get("raw_snapshot_id").asLong()).isEqualTo(id);
        String store = q.startsWith("&store=") ? q.substring(7) : null;
        String category = q.startsWith("&category=") ? q.substring(10) : null;
        JsonNode full =
            JSON.readTree(
                JSON.writeValueAsString(
                    LiveReport.read(raw, id, new LiveQuery(MIDDLE, store, category)).toJson()));
        assertThat(served.has("dead_letters")).as(q).isTrue();
        ((ObjectNode) served).remove("dead_letters"); // not raw's: the test below
        assertThat(served).as(q).isEqualTo(full);
      }
    }
    JsonNode resent = ok("/api/dashboard/live?date=" + MIDDLE + "&category=Resent");
    assertThat(resent.at("/totals/lines").asLong()).isEqualTo(5);
    assertThat(
            ok("/api/dashboard/live?date=" + MIDDLE + "&store=SNEW").at("/totals/lines").asLong())
        .isEqualTo(3);
  }

  /**
   * The live view's dead letters of a day are the dead-letter rows whose failed_at falls on it
   * (counted here from the rows themselves), in every store whatever the filter, and their rate is
   * dead letters / (dead letters + the day's raw rows); a new dead-letter commit is seen at once.
   */
  @Test
  @Order(9)
  void theLiveViewCountsTheDaysDeadLettersAndTheirRate() throws Exception {
    Table dlq = table(DeadLetterTable.DEFINITION.identifier());
    Map<LocalDate, Long> byDay = new TreeMap<>();
    try (CloseableIterable<Record> rows = IcebergGenerics.read(dlq).build()) {
      for (Record r : rows) {
        LocalDateTime failedAt = (LocalDateTime) r.getField(DeadLetterTable.FAILED_AT); // UTC
        byDay.merge(failedAt.toLocalDate(), 1L, Long::sum);
      }
    }
    long malformed = 0;
    try (Stream<Path> files = Files.list(dataDir.resolve("manifests"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".json")).toList()) {
        malformed += Manifest.read(f).counts().malformed();
      }
    }
    assertThat(byDay.values().stream().mapToLong(Long::longValue).sum())
        .as("every malformed message is a dead letter")
        .isEqualTo(malformed);
    for (Map.Entry<LocalDate, Long> day : byDay.entrySet()) { // the days ingest ran
      assertThat(ok("/api/dashboard/live?date=" + day.getKey()).at("/dead_letters/count").asLong())
          .as("dead letters rejected on " + day.getKey())
          .isEqualTo(day.getValue());
    }

    long before = byDay.getOrDefault(MIDDLE, 0L);
    List<Record> some = new ArrayList<>();
    for (int i = 0; i < 4; i++) { // rejected on MIDDLE (and one just before it: not counted)
      Record r = GenericRecord.create(dlq.schema());
      r.setField(DeadLetterTable.KAFKA_TOPIC, "pos");
      r.setField(DeadLetterTable.KAFKA_PARTITION, 0);
      r.setField(DeadLetterTable.KAFKA_OFFSET, 1_000_000L + i);
      r.setField(DeadLetterTable.KAFKA_TIMESTAMP, MIDDLE.atTime(10, i));
      r.setField(DeadLetterTable.PAYLOAD_SIZE, 3);
      r.setField(DeadLetterTable.PAYLOAD_TRUNCATED, false);
      r.setField(DeadLetterTable.REASON, "INVALID_JSON");
      r.setField(DeadLetterTable.REASON_DETAIL, "test");
      r.setField(DeadLetterTable.FAILED_AT, MIDDLE.atTime(10, 30));
      some.add(r);
    }
    append(dlq, some);
    Record dayBefore = some.get(0).copy();
    dayBefore.setField(DeadLetterTable.FAILED_AT, MIDDLE.minusDays(1).atTime(23, 59, 59));
    append(dlq, List.of(dayBefore));
    dlq.refresh();
    JsonNode live = ok("/api/dashboard/live?date=" + MIDDLE);
    JsonNode dead = live.get("dead_letters");
    long count = before + some.size();
    long rawRows = live.at("/totals/raw_rows").asLong();
    assertThat(dead.get("dead_letter_snapshot_id").asLong())
        .isEqualTo(dlq.currentSnapshot().snapshotId());
    assertThat(dead.get("count").asLong()).isEqualTo(count);
    assertThat(dead.get("day_raw_rows").asLong()).isEqualTo(rawRows).isPositive();
    assertThat(dead.get("rate_pct").asText())
        .isEqualTo(
            BigDecimal.valueOf(100 * count)
                .divide(BigDecimal.valueOf(count + rawRows), 2, java.math.RoundingMode.HALF_UP)
                .toPlainString());
    // a store filter narrows the sales, not the day's dead letters
    JsonNode oneStore = ok("/api/dashboard/live?date=" + MIDDLE + "&store=S001");
    assertThat(oneStore.at("/totals/raw_rows").asLong()).isLessThan(rawRows);
    assertThat(oneStore.get("dead_letters")).isEqualTo(dead);
  }

  /**
   * The daily view is answered from per-date sums held in memory: for the default range, a range, a
   * store, a store over one day, a category, a category with a store, a category nothing was sold
   * in, and ranges holding the day of a mart row without a category, it equals a full read of the
   * mart at the same snapshot (top categories and days without a category included).
   */
  @Test
  @Order(8)
  void theDailyViewFromPerDateSumsEqualsAFullRead() throws Exception {
    Table mart = table(DailySalesSummaryTable.DEFINITION.identifier());
    long id = mart.currentSnapshot().snapshotId();
    String category =
        java.net.URLEncoder.encode(
            ok("/api/dashboard/daily?from=" + FROM + "&to=" + TO)
                .at("/top_categories/0/category")
                .asText(),
            java.nio.charset.StandardCharsets.UTF_8);
    LocalDate uncategorised = TO.plusDays(1); // the day of the mart row without a category
    for (String q :
        List.of(
            "",
            "?from=" + FROM + "&to=" + TO,
            "?store=S002",
            "?from=" + MIDDLE + "&to=" + MIDDLE + "&store=S001",
            "?from=" + TO + "&store=S003",
            "?from=" + FROM + "&to=" + uncategorised,
            "?from=" + FROM + "&to=" + uncategorised + "&category=" + category,
            "?from=" + FROM + "&to=" + uncategorised + "&store=S001&category=" + category,
            "?from=" + FROM + "&to=" + uncategorised + "&store=S002&category=" + category,
            "?from=" + MIDDLE + "&to=" + MIDDLE + "&category=" + category,
            "?from=" + FROM + "&to=" + TO + "&category=No%20such")) {
      JsonNode served = ok("/api/dashboard/daily" + q);
      DailyQuery query =
          new DailyQuery(
              LocalDate.parse(served.get("from").asText()),
              LocalDate.parse(served.get("to").asText()),
              served.get("store").isNull() ? null : served.get("store").asText(),
              served.get("category").isNull() ? null : served.get("category").asText());
      JsonNode full =
          JSON.readTree(JSON.writeValueAsString(DailyReport.read(mart, id, query).toJson()));
      assertThat(served).as(q).isEqualTo(full);
      if (!q.endsWith("No%20such")) {
        assertThat(served.at("/totals/lines").asLong()).as(q).isPositive();
      }
      if (q.contains("&to=" + uncategorised)
          && (!q.contains("store=") || q.contains("store=S001"))) {
        assertThat(served.get("days_without_category").toString())
            .as(q)
            .isEqualTo("[\"" + uncategorised + "\"]");
      }
    }
  }

  private static void append(Table raw, List<Record> records) throws Exception {
    PartitionKey partition = new PartitionKey(raw.spec(), raw.schema());
    partition.partition(new InternalRecordWrapper(raw.schema().asStruct()).wrap(records.get(0)));
    String path =
        raw.locationProvider().newDataLocation("appended-" + UUID.randomUUID() + ".parquet");
    DataWriter<Record> writer =
        Parquet.writeData(raw.io().newOutputFile(path))
            .schema(raw.schema())
            .createWriterFunc(GenericParquetWriter::buildWriter)
            .withSpec(raw.spec())
            .withPartition(partition)
            .overwrite()
            .build();
    try (writer) {
      for (Record r : records) {
        writer.write(r);
      }
    }
    raw.newAppend().appendFile(writer.toDataFile()).commit();
  }

  private static JsonNode assertLiveEqualsMart(LocalDate date, long duplicates) throws Exception {
    JsonNode live = ok("/api/dashboard/live?date=" + date);
    JsonNode mart = ok("/api/dashboard/daily?from=" + date + "&to=" + date);
    assertThat(live.get("date").asText()).isEqualTo(date.toString());
    assertThat(live.get("data_as_of").asText()).isNotBlank();
    JsonNode lt = live.get("totals");
    JsonNode mt = mart.get("totals");
    for (String money : List.of("revenue", "gross", "returns")) {
      assertThat(lt.get(money).asText()).as(money).isEqualTo(mt.get(money).asText());
    }
    assertThat(lt.get("units").asLong()).isEqualTo(mt.get("units").asLong());
    assertThat(lt.get("lines").asLong()).isEqualTo(mt.get("lines").asLong());
    assertThat(lt.get("transactions_per_product").asLong())
        .isEqualTo(mt.get("transactions").asLong());
    assertThat(lt.get("transactions").asLong())
        .isPositive()
        .isLessThanOrEqualTo(mt.get("transactions").asLong());
    assertThat(lt.get("duplicates_dropped").asLong()).isEqualTo(duplicates);
    assertThat(lt.get("average_basket").asText())
        .isEqualTo(
            Money.average(
                new BigDecimal(lt.get("revenue").asText()), lt.get("transactions").asLong()));
    // per store: equals the mart's store-day rows; per 15 minutes: adds up to the day
    Map<String, String> liveStores = new TreeMap<>();
    live.get("by_store")
        .forEach(s -> liveStores.put(s.get("store_id").asText(), s.get("revenue").asText()));
    Map<String, String> martStores = new TreeMap<>();
    mart.get("by_store_day")
        .forEach(s -> martStores.put(s.get("store_id").asText(), s.get("revenue").asText()));
    assertThat(liveStores).isEqualTo(martStores);
    // each store's sparkline: 24 hours adding up to its revenue; the stores' hours add up to the
    // day's four quarters of each hour
    BigDecimal[] storesPerHour = new BigDecimal[24];
    java.util.Arrays.fill(storesPerHour, BigDecimal.ZERO);
    for (JsonNode s : live.get("by_store")) {
      assertThat(s.get("per_hour")).hasSize(24);
      BigDecimal hours = BigDecimal.ZERO;
      for (int h = 0; h < 24; h++) {
        BigDecimal hour = new BigDecimal(s.get("per_hour").get(h).asText());
        hours = hours.add(hour);
        storesPerHour[h] = storesPerHour[h].add(hour);
      }
      assertThat(hours.toPlainString()).as("hours of " + s).isEqualTo(s.get("revenue").asText());
    }
    for (int h = 0; h < 24; h++) {
      BigDecimal quarters = BigDecimal.ZERO;
      for (int q = 0; q < 4; q++) {
        quarters =
            quarters.add(
                new BigDecimal(live.at("/per_15_minutes/" + (4 * h + q) + "/revenue").asText()));
      }
      assertThat(storesPerHour[h]).as("hour " + h).isEqualByComparingTo(quarters);
    }
    assertThat(live.get("per_15_minutes")).hasSize(96);
    BigDecimal quarters = BigDecimal.ZERO;
    for (JsonNode q : live.get("per_15_minutes")) {
      quarters = quarters.add(new BigDecimal(q.get("revenue").asText()));
    }
    assertThat(quarters.toPlainString()).isEqualTo(lt.get("revenue").asText());
    // top products: the mart's ranking of that day
    List<String> liveTop = new ArrayList<>();
    live.get("top_products")
        .forEach(p -> liveTop.add(p.get("product").asText() + "=" + p.get("revenue").asText()));
    List<String> martTop = new ArrayList<>();
    mart.get("top_products")
        .forEach(p -> martTop.add(p.get("product").asText() + "=" + p.get("revenue").asText()));
    assertThat(liveTop).isEqualTo(martTop).hasSizeBetween(1, 10);
    assertThat(live.get("top_categories").size()).isBetween(1, 10);
    return live;
  }

  private static BigDecimal sumFor(Map<String, BigDecimal> byDayStore, LocalDate date) {
    return byDayStore.entrySet().stream()
        .filter(e -> e.getKey().startsWith(date + "|"))
        .map(Map.Entry::getValue)
        .reduce(new BigDecimal("0.00"), BigDecimal::add);
  }

  /** "date|store" -> expected net revenue, summed over every generator run's manifest. */
  private static Map<String, BigDecimal> manifestRevenue() throws Exception {
    Map<String, BigDecimal> expected = new TreeMap<>();
    List<Path> files;
    try (Stream<Path> s = Files.list(dataDir.resolve("manifests"))) {
      files = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
    assertThat(files).hasSize(ConsoleTestSupport.DAYS);
    for (Path f : files) {
      for (DailyExpectation day : Manifest.read(f).expectedDaily()) {
        expected.merge(day.saleDate() + "|" + day.storeId(), day.netRevenue(), BigDecimal::add);
      }
    }
    return expected;
  }

  /** "date|store" -> total_sales summed over the mart's rows, read here independently. */
  private static Map<String, BigDecimal> martRevenue() throws Exception {
    Map<String, BigDecimal> mart = new TreeMap<>();
    try (CloseableIterable<Record> rows =
        IcebergGenerics.read(table(DailySalesSummaryTable.DEFINITION.identifier())).build()) {
      for (Record r : rows) {
        mart.merge(
            r.getField(DailySalesSummaryTable.SALE_DATE)
                + "|"
                + r.getField(DailySalesSummaryTable.STORE_ID),
            (BigDecimal) r.getField(DailySalesSummaryTable.TOTAL_SALES),
            BigDecimal::add);
      }
    }
    return mart;
  }

  private static Table table(org.apache.iceberg.catalog.TableIdentifier id) {
    return CatalogSettings.of(CatalogFlags.of("hadoop", dataDir.toString(), null, null, List.of()))
        .catalog()
        .loadTable(id);
  }

  private static JsonNode ok(String path) throws Exception {
    HttpResponse<String> r = ConsoleTestSupport.get(url(), path);
    assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  private static URI url() {
    return server.url();
  }
}
