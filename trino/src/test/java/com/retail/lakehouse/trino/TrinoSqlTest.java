package com.retail.lakehouse.trino;

import static org.assertj.core.api.Assertions.assertThat;

import com.retail.lakehouse.common.TrinoEndpoint;
import com.retail.lakehouse.localkafka.LocalKafkaBroker;
import com.retail.lakehouse.pipelines.cli.LakehouseCommand;
import com.retail.lakehouse.transforms.event.AdjustmentReason;
import com.retail.lakehouse.transforms.event.InventoryMovement;
import com.retail.lakehouse.transforms.event.InventoryMovementJson;
import com.retail.lakehouse.transforms.event.MovementType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Trino 476 (started by {@code ./lakehouse trino start}'s own code, on the Java 24+ JDK of
 * this machine) over tables made by the real generator, ingest and mart: the README's two sample
 * queries, run verbatim with {@code ./lakehouse sql --engine trino} and {@code --engine spark},
 * print the same text, also right after a new commit; a BI tool's path (Trino's JDBC driver)
 * returns the mart's revenue; the catalog refuses writes; stop leaves no Trino process behind, and
 * a start after the service was killed stops the Trino it orphaned.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TrinoSqlTest {
  private static final Path HOME =
      Path.of(System.getProperty("lakehouse.home", "..")).toAbsolutePath();
  private static final String TOPIC = "pos_transactions";

  @TempDir static Path temp;
  private static Path dataDir;
  private static LocalKafkaBroker broker;

  @BeforeAll
  static void buildTablesAndStartTrino() throws Exception {
    dataDir = temp.resolve("data");
    Files.createDirectories(dataDir);
    broker = LocalKafkaBroker.start(dataDir);
    String kafka = broker.bootstrapServers();
    for (String[] args :
        List.of(
            new String[] {
              "generate",
              "--data-dir=" + dataDir,
              "--bootstrap-servers=" + kafka,
              "--topic=" + TOPIC,
              "--count=3000",
              "--seed=7",
              "--stores=5",
              "--skus=60",
              "--streams=pos,inventory"
            },
            new String[] {"shrink"},
            new String[] {
              "ingest",
              "--runner=direct",
              "--data-dir=" + dataDir,
              "--bootstrap-servers=" + kafka,
              "--topic=" + TOPIC,
              "--streams=pos,inventory",
              "--until-caught-up"
            },
            new String[] {
              "mart", "--runner=direct", "--data-dir=" + dataDir, "--changed-since-last-run"
            },
            new String[] {
              "mart", "--runner=direct", "--data-dir=" + dataDir, "--mart=inventory"
            })) {
      if (args[0].equals("shrink")) {
        shrinkStoreS001(kafka);
        continue;
      }
      assertThat(LakehouseCommand.run(args)).as(args[0]).isZero();
    }
    Result start = trino("start", "--data-dir=" + dataDir, "--port=0");
    assertThat(start.code).as(start.err).isZero();
    assertThat(start.out).contains("ready at jdbc:trino://127.0.0.1:");
  }

  /**
   * A theft at store S001 of far more than it holds of every SKU, an hour ago: the stock queries
   * then have rows (a stockout of every SKU there, and the best sellers below 3 days of cover).
   */
  private static void shrinkStoreS001(String kafka) throws Exception {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka);
    Instant at = Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.MILLIS);
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (int sku = 1; sku <= 60; sku++) {
        InventoryMovement theft =
            new InventoryMovement(
                "THEFT-" + sku,
                "S001",
                String.format("SKU-%05d", sku),
                MovementType.ADJUSTMENT,
                -1_000_000,
                new BigDecimal("1.00"),
                "ADJ-TEST-" + sku,
                AdjustmentReason.THEFT,
                at);
        producer
            .send(
                new ProducerRecord<>(
                    "inventory_movements",
                    "S001".getBytes(StandardCharsets.UTF_8),
                    InventoryMovementJson.toJson(theft)))
            .get();
      }
    }
  }

  @AfterAll
  static void stopAll() throws Exception {
    if (dataDir != null) {
      trino("stop", "--data-dir=" + dataDir);
    }
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  @Order(1)
  void statusNamesTheRunningTrino() {
    Result status = trino("status", "--data-dir=" + dataDir);
    assertThat(status.code).isZero();
    assertThat(status.out).contains("running at jdbc:trino://127.0.0.1:");
  }

  @Test
  @Order(1)
  void trinoAnswersOnLoopbackOnly() throws Exception {
    String url = TrinoEndpoint.running(dataDir).orElseThrow().jdbcUrl();
    int port = Integer.parseInt(url.replaceAll(".*:(\\d+)/.*", "$1"));
    try (Socket local = new Socket(InetAddress.getLoopbackAddress(), port)) {
      assertThat(local.isConnected()).isTrue();
    }
    List<InetAddress> outside =
        java.util.Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
            .filter(i -> !i.getName().startsWith("lo"))
            .flatMap(i -> java.util.Collections.list(i.getInetAddresses()).stream())
            .filter(a -> a instanceof java.net.Inet4Address && !a.isLoopbackAddress())
            .toList();
    for (InetAddress address : outside) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(address, port), 2000);
        throw new AssertionError("Trino answers on " + address + ":" + port);
      } catch (ConnectException expected) {
        // refused: not listening beyond loopback
      }
    }
  }

  @Test
  @Order(2)
  void readmeQueriesPrintTheSameRowsOnTrinoAndSpark() throws Exception {
    Map<String, Integer> leastRows =
        Map.of(
            "daily_revenue_by_store.sql", 5,
            "recent_raw_events.sql", 5,
            "stockouts_by_store.sql", 1,
            "low_cover_top_sellers.sql", 20);
    for (Map.Entry<String, Integer> query : leastRows.entrySet()) {
      Path file = HOME.resolve("sql/queries").resolve(query.getKey());
      String spark = sql("--engine=spark", "--format=csv", "-f", file.toString());
      String trino = sql("--engine=trino", "--format=csv", "-f", file.toString());
      System.err.println(query.getKey() + ":\n" + spark);
      assertThat(trino).as(query.getKey()).isEqualTo(spark);
      assertThat(spark.lines().count() - 1)
          .as(query.getKey() + ": rows")
          .isGreaterThanOrEqualTo(query.getValue());
      assertThat(Files.readString(HOME.resolve("README.md")))
          .contains("sql/queries/" + query.getKey());
    }
  }

  @Test
  @Order(3)
  void jdbcDriverReadsTheMartsRevenue() throws Exception {
    String spark =
        sql(
            "--engine=spark",
            "--format=csv",
            "SELECT CAST(SUM(total_sales) AS DECIMAL(18,2)) AS revenue,"
                + " COUNT(*) AS store_days FROM (SELECT sale_date, store_id,"
                + " SUM(total_sales) AS total_sales FROM marts.daily_sales_summary"
                + " GROUP BY sale_date, store_id)");
    String[] expected = spark.lines().skip(1).findFirst().orElseThrow().split(",");
    String url = TrinoEndpoint.running(dataDir).orElseThrow().jdbcUrl();
    Properties user = new Properties();
    user.setProperty("user", "bi-tool");
    BigDecimal revenue = BigDecimal.ZERO;
    int storeDays = 0;
    try (Connection c = DriverManager.getConnection(url, user);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                Files.readString(HOME.resolve("sql/queries/daily_revenue_by_store.sql"))
                    .replace(";", ""))) {
      while (rs.next()) {
        revenue = revenue.add(rs.getBigDecimal("revenue"));
        storeDays++;
      }
    }
    assertThat(revenue).isEqualByComparingTo(new BigDecimal(expected[0]));
    assertThat(storeDays).isEqualTo(Integer.parseInt(expected[1])).isPositive();
  }

  @Test
  @Order(4)
  void theCatalogRefusesWrites() throws Exception {
    String url = TrinoEndpoint.running(dataDir).orElseThrow().jdbcUrl();
    Properties user = new Properties();
    user.setProperty("user", "bi-tool");
    try (Connection c = DriverManager.getConnection(url, user);
        Statement s = c.createStatement()) {
      assertThat(catchSql(() -> s.execute("CREATE TABLE raw.scratch (a integer)")))
          .contains("read-only catalog");
      assertThat(catchSql(() -> s.execute("DELETE FROM raw.pos_transactions"))).isNotEmpty();
    }
    assertThat(
            sql("--engine=trino", "--format=csv", "SELECT COUNT(*) AS n FROM raw.pos_transactions"))
        .isEqualTo(
            sql(
                "--engine=spark",
                "--format=csv",
                "SELECT COUNT(*) AS n FROM raw.pos_transactions"));
  }

  @Test
  @Order(4)
  void trinoSeesANewCommitAtOnce() throws Exception {
    String count = "SELECT COUNT(*) AS n FROM raw.pos_transactions";
    long before =
        Long.parseLong(
            sql("--engine=trino", "--format=csv", count).lines().skip(1).findFirst().orElseThrow());
    for (String[] args :
        List.of(
            new String[] {
              "generate",
              "--data-dir=" + dataDir,
              "--bootstrap-servers=" + broker.bootstrapServers(),
              "--topic=" + TOPIC,
              "--count=300",
              "--seed=8",
              "--stores=5"
            },
            new String[] {
              "ingest",
              "--runner=direct",
              "--data-dir=" + dataDir,
              "--bootstrap-servers=" + broker.bootstrapServers(),
              "--topic=" + TOPIC,
              "--until-caught-up"
            })) {
      assertThat(LakehouseCommand.run(args)).as(args[0]).isZero();
    }
    String trino = sql("--engine=trino", "--format=csv", count);
    assertThat(Long.parseLong(trino.lines().skip(1).findFirst().orElseThrow()))
        .isGreaterThan(before);
    assertThat(trino).isEqualTo(sql("--engine=spark", "--format=csv", count));
  }

  @Test
  @Order(5)
  void stopLeavesNoTrinoBehind() throws Exception {
    long trinoPid = TrinoEndpoint.running(dataDir).orElseThrow().trinoPid();
    assertThat(trino("stop", "--data-dir=" + dataDir).code).isZero();
    assertThat(ProcessHandle.of(trinoPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    assertThat(trino("status", "--data-dir=" + dataDir).code).isEqualTo(3);
    assertThat(trino("stop", "--data-dir=" + dataDir).code).as("stop twice").isZero();
  }

  @Test
  @Order(6)
  void aStartAfterTheServiceWasKilledStopsItsOrphanedTrino() throws Exception {
    assertThat(trino("start", "--data-dir=" + dataDir, "--port=0").code).isZero();
    TrinoEndpoint first = TrinoEndpoint.running(dataDir).orElseThrow();
    ProcessHandle service = ProcessHandle.of(first.servicePid()).orElseThrow();
    Runtime.getRuntime()
        .exec(new String[] {"kill", "-9", Long.toString(first.servicePid())})
        .waitFor();
    service.onExit().get(30, TimeUnit.SECONDS);
    assertThat(ProcessHandle.of(first.trinoPid()).map(ProcessHandle::isAlive).orElse(false))
        .as("Trino outlives its killed service")
        .isTrue();

    Result again = trino("start", "--data-dir=" + dataDir, "--port=0");
    assertThat(again.code).as(again.err).isZero();
    assertThat(again.out).contains("stopping Trino pid " + first.trinoPid());
    assertThat(ProcessHandle.of(first.trinoPid()).map(ProcessHandle::isAlive).orElse(false))
        .isFalse();
    assertThat(
            sql(
                "--engine=trino",
                "--format=csv",
                "SELECT COUNT(*) AS n FROM marts.daily_sales_summary"))
        .startsWith("n\n");
    assertThat(trino("stop", "--data-dir=" + dataDir).code).isZero();
  }

  @Test
  void aJdkOlderThan24IsAUsageError() {
    Result r =
        trino(
            "start",
            "--data-dir=" + temp.resolve("other"),
            "--java-home=" + System.getProperty("java.home"));
    assertThat(r.code).isEqualTo(2);
    assertThat(r.err).contains("Trino needs Java 24+");
  }

  private interface SqlAction {
    void run() throws SQLException;
  }

  private static String catchSql(SqlAction action) {
    try {
      action.run();
      return "";
    } catch (SQLException e) {
      StringBuilder all = new StringBuilder();
      for (Throwable t = e; t != null; t = t.getCause()) {
        all.append(t.getMessage()).append('\n');
      }
      return all.toString();
    }
  }

  /** {@code ./lakehouse sql --data-dir=<data> ARGS}, as a user runs it; its standard output. */
  private static String sql(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(HOME.resolve("lakehouse").toString(), "sql"));
    cmd.add("--data-dir=" + dataDir);
    cmd.addAll(List.of(args));
    Path err = Files.createTempFile(temp, "sql-", ".err");
    Process p =
        new ProcessBuilder(cmd).directory(HOME.toFile()).redirectError(err.toFile()).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
    assertThat(p.exitValue()).as(String.join(" ", cmd) + "\n" + Files.readString(err)).isZero();
    return out;
  }

  private record Result(int code, String out, String err) {}

  private static Result trino(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        TrinoCommand.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
