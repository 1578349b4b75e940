package com.retail.lakehouse.sql;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.hadoop.HadoopCatalog;
import org.apache.iceberg.types.Types;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real Iceberg tables in a temporary Hadoop warehouse (created through Iceberg's API, rows written
 * by Spark), queried through {@link SqlCommand} in-process. One Spark session for the whole class.
 */
class SqlCommandTest {
  private static final Path QUERIES = Path.of(System.getProperty("user.dir"), "queries");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dataDir;

  static SparkSession spark;
  static LocalDate today;

  @BeforeAll
  static void createTables() {
    Path warehouse = dataDir.resolve("warehouse");
    HadoopCatalog catalog = new HadoopCatalog(new Configuration(), warehouse.toString());
    Schema raw =
        new Schema(
            Types.NestedField.optional(1, "store_id", Types.StringType.get()),
            Types.NestedField.optional(2, "product", Types.StringType.get()),
            Types.NestedField.optional(3, "quantity", Types.IntegerType.get()),
            Types.NestedField.optional(4, "total_amount", Types.DecimalType.of(12, 2)),
            Types.NestedField.optional(5, "event_time", Types.TimestampType.withoutZone()));
    catalog.createTable(
        TableIdentifier.of("raw", "pos_transactions"),
        raw,
        PartitionSpec.builderFor(raw).day("event_time").build(),
        Map.of("format-version", "2"));
    Schema mart =
        new Schema(
            Types.NestedField.optional(1, "sale_date", Types.DateType.get()),
            Types.NestedField.optional(2, "store_id", Types.StringType.get()),
            Types.NestedField.optional(3, "total_sales", Types.DecimalType.of(12, 2)));
    catalog.createTable(
        TableIdentifier.of("marts", "daily_sales_summary"),
        mart,
        PartitionSpec.unpartitioned(),
        Map.of("format-version", "2"));

    spark = SqlSession.open(CatalogConfig.of("hadoop", dataDir.toString(), null, null, List.of()));
    today = LocalDate.now(ZoneOffset.UTC);
    LocalDate yesterday = today.minusDays(1);
    spark.sql(
        "INSERT INTO raw.pos_transactions VALUES"
            + " ('S001', 'Milk, 1 L', 2, 3.98, TIMESTAMP_NTZ '"
            + today
            + " 00:00:01'),"
            + " ('S002', 'Bread \"Rye\"', 1, 2.49, TIMESTAMP_NTZ '"
            + yesterday
            + " 12:00:00.5'),"
            + " ('S003', 'Eggs', 1, 4.10, TIMESTAMP_NTZ '"
            + yesterday
            + " 00:00:00'),"
            + " ('S001', 'Old news', 5, 9.95, TIMESTAMP_NTZ '"
            + today.minusDays(3)
            + " 10:00:00')");
    spark.sql(
        "INSERT INTO marts.daily_sales_summary VALUES"
            + " (DATE '2024-05-01', 'S001', 10.50),"
            + " (DATE '2024-05-01', 'S002', 5.25),"
            + " (DATE '2024-05-02', 'S001', 7.00),"
            + " (DATE '2024-05-01', 'S001', 1.00)");
  }

  @AfterAll
  static void stopSpark() {
    if (spark != null) {
      spark.stop();
    }
  }

  record Result(int code, String out, String err) {}

  static Result sql(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    List<String> all = new ArrayList<>(List.of("--data-dir", dataDir.toString()));
    all.addAll(List.of(args));
    int code =
        SqlCommand.run(
            all.toArray(String[]::new),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void dailyRevenueByStoreAsTable() {
    Result r = sql("-f", QUERIES.resolve("daily_revenue_by_store.sql").toString());
    assertThat(r.err()).isEmpty();
    assertThat(r.code()).isZero();
    assertThat(r.out())
        .isEqualTo(
            String.join(
                "\n",
                " sale_date  | store_id | revenue",
                "------------+----------+---------",
                " 2024-05-01 | S001     |   11.50",
                " 2024-05-01 | S002     |    5.25",
                " 2024-05-02 | S001     |    7.00",
                "(3 rows)",
                ""));
  }

  @Test
  void dailyRevenueByStoreAsCsv() {
    Result r =
        sql("--format", "csv", "-f", QUERIES.resolve("daily_revenue_by_store.sql").toString());
    assertThat(r.code()).isZero();
    assertThat(r.out())
        .isEqualTo(
            "sale_date,store_id,revenue\n"
                + "2024-05-01,S001,11.50\n"
                + "2024-05-01,S002,5.25\n"
                + "2024-05-02,S001,7.00\n");
  }

  @Test
  void recentRawEventsAsTable() {
    Result r = sql("-f", QUERIES.resolve("recent_raw_events.sql").toString());
    assertThat(r.err()).isEmpty();
    assertThat(r.code()).isZero();
    LocalDate yesterday = today.minusDays(1);
    assertThat(r.out())
        .isEqualTo(
            String.join(
                "\n",
                " store_id |   product   | quantity | total_amount |      event_time",
                "----------+-------------+----------+--------------+-----------------------",
                " S001     | Milk, 1 L   |        2 |         3.98 | " + today + " 00:00:01",
                " S002     | Bread \"Rye\" |        1 |         2.49 | "
                    + yesterday
                    + " 12:00:00.5",
                "(2 rows)",
                ""));
  }

  @Test
  void recentRawEventsAsJsonAndCsv() throws Exception {
    Result r = sql("--format", "json", "-f", QUERIES.resolve("recent_raw_events.sql").toString());
    assertThat(r.code()).isZero();
    String[] lines = r.out().split("\n");
    assertThat(lines).hasSize(2);
    assertThat(lines[0])
        .isEqualTo(
            "{\"store_id\":\"S001\",\"product\":\"Milk, 1 L\",\"quantity\":2,\"total_amount\":3.98,"
                + "\"event_time\":\""
                + today
                + " 00:00:01\"}");
    JsonNode second = JSON.readTree(lines[1]);
    assertThat(second.get("product").asText()).isEqualTo("Bread \"Rye\"");
    assertThat(second.get("total_amount").decimalValue()).isEqualByComparingTo("2.49");

    Result csv = sql("--format", "CSV", "-f", QUERIES.resolve("recent_raw_events.sql").toString());
    assertThat(csv.out().split("\n"))
        .containsExactly(
            "store_id,product,quantity,total_amount,event_time",
            "S001,\"Milk, 1 L\",2,3.98," + today + " 00:00:01",
            "S002,\"Bread \"\"Rye\"\"\",1,2.49," + today.minusDays(1) + " 12:00:00.5");
  }

  @Test
  void badQueryIsOneLineAndExitOne() {
    Result r = sql("SELEC store_id FROM raw.pos_transactions");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err().lines()).hasSize(1);
    assertThat(r.err())
        .startsWith(
            "lakehouse sql: [PARSE_SYNTAX_ERROR] Syntax error at or near 'SELEC'. (line 1, pos 0)");

    Result column = sql("SELECT no_such_column FROM raw.pos_transactions");
    assertThat(column.code()).isEqualTo(1);
    assertThat(column.err().lines()).hasSize(1);
    assertThat(column.err()).startsWith("lakehouse sql: [UNRESOLVED_COLUMN");
  }

  @Test
  void missingTableGivesTheHint() {
    Result r = sql("SELECT * FROM marts.weekly_sales_summary");
    assertThat(r.code()).isEqualTo(1);
    List<String> lines = r.err().lines().toList();
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0))
        .startsWith(
            "lakehouse sql: [TABLE_OR_VIEW_NOT_FOUND] The table or view `marts`.`weekly_sales_summary` cannot be found.")
        .endsWith("(line 1, pos 14)");
    assertThat(lines.get(1)).contains("run ./lakehouse ingest / mart first");
  }

  @Test
  void severalStatementsAndTheSummary() throws Exception {
    Path script = dataDir.resolve("two.sql");
    Files.writeString(
        script,
        "-- counts; with a semicolon in a comment\n"
            + "SELECT count(*) AS n FROM raw.pos_transactions;\n"
            + "SELECT ';' AS semi, store_id FROM marts.daily_sales_summary WHERE sale_date = DATE '2024-05-02';\n");
    Path summary = dataDir.resolve("out/summary.json");
    Result r = sql("-f", script.toString(), "--summary-json", summary.toString());
    assertThat(r.code()).isZero();
    assertThat(r.out())
        .isEqualTo(
            String.join(
                "\n",
                " n",
                "---",
                " 4",
                "(1 row)",
                "",
                " semi | store_id",
                "------+----------",
                " ;    | S001",
                "(1 row)",
                ""));
    JsonNode s = JSON.readTree(summary.toFile());
    assertThat(s.get("statements").asInt()).isEqualTo(2);
    assertThat(s.get("rows").asLong()).isEqualTo(2);
    assertThat(s.get("columns").toString()).isEqualTo("[\"semi\",\"store_id\"]");
    assertThat(s.get("seconds").asDouble()).isGreaterThan(0);
  }

  @Test
  void usageErrorsExitTwo() {
    assertThat(sql("-f", "x.sql", "SELECT 1").code()).isEqualTo(2);
    assertThat(sql("--format", "xml", "SELECT 1").code()).isEqualTo(2);
    assertThat(sql("-f", dataDir.resolve("missing.sql").toString()).code()).isEqualTo(2);
    assertThat(sql("--catalog", "jdbc", "SELECT 1").err())
        .contains("--catalog=jdbc needs --catalog-uri");
  }
}
