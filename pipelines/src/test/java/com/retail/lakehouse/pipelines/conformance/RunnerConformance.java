package com.retail.lakehouse.pipelines.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.retail.lakehouse.generator.DailyExpectation;
import com.retail.lakehouse.generator.EventStream;
import com.retail.lakehouse.generator.GenerateRun;
import com.retail.lakehouse.generator.GeneratorConfig;
import com.retail.lakehouse.generator.Manifest;
import com.retail.lakehouse.generator.ProgressSink;
import com.retail.lakehouse.localkafka.KafkaBrokerExtension;
import com.retail.lakehouse.pipelines.cli.LakehouseCommand;
import com.retail.lakehouse.transforms.commit.CrashPoint;
import com.retail.lakehouse.transforms.tables.InventoryTables;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What every runner must do, against a real Kafka broker and real Iceberg tables: reconcile the
 * smoke run, land exactly the generator's manifest in one catch-up run, and lose or repeat nothing
 * when the ingest JVM is killed with kill -9 at any point of writing and committing. Each runner
 * module runs this class with only its runner on the classpath.
 */
public abstract class RunnerConformance {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

  @TempDir static Path work;

  static Manifest manifest;

  @BeforeAll
  static void generate() throws Exception {
    manifest = sendWithFaults(KAFKA.bootstrapServers(), null, 5, 20_000);
  }

  /**
   * A seeded generator run with 2% malformed, 2% duplicate and 2% late events into {@code topic}
   * (null: the generator's default topic); each kind of fault is there at least once.
   */
  public static Manifest sendWithFaults(String bootstrapServers, String topic, long seed, int count)
      throws Exception {
    GeneratorConfig.Builder config =
        GeneratorConfig.builder()
            .seed(seed)
            .count(count)
            .malformedRate(0.02)
            .duplicateRate(0.02)
            .lateRate(0.02);
    if (topic != null) {
      config.topic(topic);
    }
    Manifest sent = GenerateRun.run(config.build(), bootstrapServers, ProgressSink.none());
    assertThat(sent.counts().malformed()).isPositive();
    assertThat(sent.counts().duplicates()).isPositive();
    assertThat(sent.counts().late()).isPositive();
    return sent;
  }

  @Test
  void smokeRunReconcilesOnThisRunner() {
    assertThat(LakehouseCommand.run(new String[] {"smoke", "--data-dir=" + work.resolve("smoke")}))
        .isZero();
  }

  @Test
  void catchUpRunLandsExactlyTheManifestAndASecondRunAddsNothing() throws Exception {
    Path dataDir = work.resolve("e2e");
    JsonNode summary = ingest(dataDir, "pos_transactions", "first.json");

    assertSummaryMatches(summary, manifest);
    assertTablesHoldExactly(new LakehouseTables(dataDir), manifest);

    JsonNode second = ingest(dataDir, "pos_transactions", "second.json");
    assertThat(second.get("read").asLong()).isZero();
    assertThat(new LakehouseTables(dataDir).raw()).hasSize((int) manifest.counts().valid());
  }

  @Test
  void compactionKeepsEveryRowAndPerPartitionSumOnThisRunner() throws Exception {
    Path dataDir = work.resolve("maintain");
    for (int run = 0; ; run++) {
      assertThat(run).as("ingest runs of 7,000 messages").isLessThan(10);
      JsonNode slice =
          ingest(dataDir, "pos_transactions", "slice-" + run + ".json", "--max-records=7000");
      if (slice.get("lag").asLong() == 0) {
        break;
      }
    }
    LakehouseTables tables = new LakehouseTables(dataDir);
    List<String> rawBefore = sortedRows(tables.raw());
    List<String> deadBefore = sortedRows(tables.deadLetters());
    Map<String, String> sumsBefore = sumsPerPartition(tables);
    Path summaryFile = dataDir.resolve("maintain.json");

    int code =
        LakehouseCommand.run(
            new String[] {
              "maintain",
              "--compact",
              "--min-age=0s",
              "--data-dir=" + dataDir,
              "--summary-json=" + summaryFile
            });

    assertThat(code).as("maintain exit code").isZero();
    JsonNode raw = new ObjectMapper().readTree(Files.readString(summaryFile)).get("tables");
    JsonNode rawTable = raw.get("raw.pos_transactions");
    assertThat(rawTable.get("files_rewritten").asLong()).isPositive();
    assertThat(rawTable.get("files_after").asLong())
        .isLessThan(rawTable.get("files_before").asLong());
    assertThat(sortedRows(tables.raw())).isEqualTo(rawBefore);
    assertThat(sortedRows(tables.deadLetters())).isEqualTo(deadBefore);
    assertThat(sumsPerPartition(tables)).isEqualTo(sumsBefore);
    assertTablesHoldExactly(tables, manifest);
  }

  private static List<String> sortedRows(List<Record> rows) {
    return rows.stream().map(Record::toString).sorted().toList();
  }

  /** Per raw day: rows, units, revenue; per DLQ day: rows. */
  private static Map<String, String> sumsPerPartition(LakehouseTables tables) {
    Map<String, long[]> raw = new TreeMap<>();
    Map<String, BigDecimal> revenue = new TreeMap<>();
    for (Record r : tables.raw()) {
      String day = "raw " + ((java.time.LocalDateTime) r.getField("event_time")).toLocalDate();
      long[] c = raw.computeIfAbsent(day, d -> new long[2]);
      c[0]++;
      c[1] += ((Number) r.getField("quantity")).longValue();
      revenue.merge(day, (BigDecimal) r.getField("total_amount"), BigDecimal::add);
    }
    Map<String, String> sums = new TreeMap<>();
    raw.forEach((day, c) -> sums.put(day, c[0] + " rows " + c[1] + " units " + revenue.get(day)));
    for (Record r : tables.deadLetters()) {
      String day = "dlq " + ((java.time.LocalDateTime) r.getField("failed_at")).toLocalDate();
      sums.merge(day, "1", (a, b) -> String.valueOf(Long.parseLong(a) + 1));
    }
    return sums;
  }

  @ParameterizedTest
  @EnumSource(CrashPoint.class)
  void ingestKilledWithKill9RecoversWithoutLossOrDuplicates(CrashPoint point) throws Exception {
    Path dataDir = work.resolve("crash-" + point.name());
    killAt(point, startIngestJvm(dataDir, point));

    JsonNode summary = ingest(dataDir, "pos_transactions", "after-crash.json");
    assertThat(summary.get("lag").asLong()).isZero();
    assertTablesHoldExactly(new LakehouseTables(dataDir), manifest);
  }

  /** Waits until the child JVM announces {@code point}, then kills it with SIGKILL. */
  private static void killAt(CrashPoint point, LakehouseJvm child) throws Exception {
    boolean atPoint = child.awaitStderr(point.marker(), Duration.ofSeconds(240));
    int exitCode = child.kill();
    assertThat(atPoint).as("the ingest JVM reached " + point).isTrue();
    assertThat(exitCode).isEqualTo(137);
  }

  // ---- the second contract: inventory movements through the same ingest ----

  static final String INVENTORY_POS_TOPIC = "pos_with_inventory";
  static final String INVENTORY_TOPIC = "inventory_movements";

  private static Manifest inventoryManifest;
  private static com.retail.lakehouse.generator.ClosingStock inventoryClosingStock;

  /** The simulator's two streams, sent once: POS lines and the movements that follow them. */
  private static synchronized Manifest inventoryTopics() throws Exception {
    if (inventoryManifest == null) {
      GenerateRun.Result result =
          GenerateRun.execute(
              GeneratorConfig.builder()
                  .seed(13)
                  .topic(INVENTORY_POS_TOPIC)
                  .inventoryTopic(INVENTORY_TOPIC)
                  .streams(java.util.EnumSet.allOf(EventStream.class))
                  .stores(3)
                  .skus(40)
                  .count(8_000)
                  .malformedRate(0.03)
                  .duplicateRate(0.03)
                  .lateRate(0.03)
                  .build(),
              KAFKA.bootstrapServers(),
              ProgressSink.none(),
              java.time.Clock.systemUTC());
      inventoryManifest = result.manifest();
      inventoryClosingStock = result.closingStock();
      assertThat(inventoryManifest.inventory().counts().malformed()).isPositive();
      assertThat(inventoryManifest.inventory().counts().duplicates()).isPositive();
    }
    return inventoryManifest;
  }

  private static final String[] BOTH_STREAMS = {
    "--streams=pos,inventory", "--inventory-topic=" + INVENTORY_TOPIC
  };

  @Test
  void inventoryStreamLandsExactlyTheManifestBesidePosSales() throws Exception {
    Manifest sent = inventoryTopics();
    Path dataDir = work.resolve("inventory");
    JsonNode pos = ingest(dataDir, INVENTORY_POS_TOPIC, "both.json", BOTH_STREAMS);
    JsonNode inventory =
        new ObjectMapper().readTree(Files.readString(dataDir.resolve("both.inventory.json")));
    assertThat(pos.get("unaccounted").asLong()).isZero();
    assertThat(inventory.get("read").asLong()).isEqualTo(sent.inventory().counts().sent());
    assertThat(inventory.get("duplicates_dropped").asLong())
        .isEqualTo(sent.inventory().counts().duplicates());
    assertThat(inventory.get("unaccounted").asLong()).isZero();
    assertThat(inventory.get("lag").asLong()).isZero();
    LakehouseTables tables = new LakehouseTables(dataDir);
    assertTablesHoldExactly(tables, sent);
    assertInventoryHoldsExactly(tables, sent);
  }

  @ParameterizedTest
  @EnumSource(CrashPoint.class)
  void inventoryIngestKilledWithKill9RecoversWithoutLossOrDuplicates(CrashPoint point)
      throws Exception {
    Manifest sent = inventoryTopics();
    Path dataDir = work.resolve("inventory-crash-" + point.name());
    String[] inventoryOnly = {"--streams=inventory", "--inventory-topic=" + INVENTORY_TOPIC};
    killAt(point, startIngestJvm(dataDir, point, inventoryOnly));

    JsonNode summary = ingest(dataDir, INVENTORY_POS_TOPIC, "after-crash.json", inventoryOnly);
    assertThat(summary.get("topic").asText()).isEqualTo(INVENTORY_TOPIC);
    assertThat(summary.get("lag").asLong()).isZero();
    assertInventoryHoldsExactly(new LakehouseTables(dataDir), sent);
  }

  @Test
  void inventoryStreamingJobLandsExactlyTheManifestOrSparkRefusesIt() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(runsStreaming(), "spark runs catch-up runs");
    Manifest sent = inventoryTopics();
    Path dataDir = work.resolve("inventory-stream");
    String[] args = {
      "--mode=streaming",
      "--commit-interval=2s",
      "--streams=inventory",
      "--inventory-topic=" + INVENTORY_TOPIC
    };
    JsonNode summary = ingest(dataDir, INVENTORY_POS_TOPIC, "stream.json", args);
    assertThat(summary.get("mode").asText()).isEqualTo("streaming");
    assertThat(summary.get("topic").asText()).isEqualTo(INVENTORY_TOPIC);
    assertThat(summary.get("read").asLong()).isEqualTo(sent.inventory().counts().sent());
    assertThat(summary.get("duplicates_dropped").asLong())
        .isEqualTo(sent.inventory().counts().duplicates());
    assertThat(summary.get("unaccounted").asLong()).isZero();
    assertInventoryHoldsExactly(new LakehouseTables(dataDir), sent);
  }

  /**
   * marts.daily_inventory built on this runner from both ingested streams holds exactly the
   * simulator's closing stock of every (store, sku, day) and its per store/day totals; a re-run
   * changes nothing, --changed-since-last-run finds nothing to do, and a one-date run (opening from
   * the mart's day before) rebuilds that day to the same rows.
   */
  @Test
  void inventoryMartMatchesTheManifestOnThisRunner() throws Exception {
    Manifest sent = inventoryTopics();
    Path dataDir = work.resolve("inventory-mart");
    ingest(dataDir, INVENTORY_POS_TOPIC, "mart-ingest.json", BOTH_STREAMS);
    JsonNode first = InventoryMartChecks.mart(dataDir);
    assertThat(first.get("committed").asBoolean()).isTrue();
    var rows = InventoryMartChecks.rows(dataDir, false);
    java.io.ByteArrayOutputStream csv = new java.io.ByteArrayOutputStream();
    inventoryClosingStock.writeCsv(csv);
    assertThat(
            InventoryMartChecks.assertClosingStockEquals(
                rows, csv.toString(StandardCharsets.US_ASCII).lines().toList()))
        .isEqualTo(sent.inventory().closingStock().rows());
    InventoryMartChecks.assertDailyTotalsEqual(rows, sent.inventory().expectedDaily());
    InventoryMartChecks.assertOpeningsCarry(rows);

    InventoryMartChecks.mart(dataDir);
    assertThat(InventoryMartChecks.rows(dataDir, false)).isEqualTo(rows);
    assertThat(
            InventoryMartChecks.mart(dataDir, "--changed-since-last-run")
                .get("committed")
                .asBoolean())
        .isFalse();
    List<String> dates = rows.keySet().stream().map(k -> k.substring(0, 10)).distinct().toList();
    String middle = dates.get(dates.size() / 2);
    JsonNode oneDay = InventoryMartChecks.mart(dataDir, "--date=" + middle);
    assertThat(oneDay.get("dates").size()).isEqualTo(1);
    assertThat(InventoryMartChecks.rows(dataDir, false)).isEqualTo(rows);
    System.err.printf(
        "conformance: inventory mart of %d raw rows took %.1fs%n",
        first.get("raw_rows_read").asLong(), first.get("seconds").asDouble());
  }

  /**
   * raw.inventory_movements holds each valid movement of the manifest once (per movement type as
   * sent), each Kafka message at most once; its dead-letter table each malformed one, by reason.
   */
  static void assertInventoryHoldsExactly(LakehouseTables tables, Manifest sent) {
    List<Record> raw = tables.rows(InventoryTables.RAW);
    Set<String> ids = new HashSet<>();
    Set<String> offsets = new HashSet<>();
    Map<String, Long> byType = new TreeMap<>();
    for (Record r : raw) {
      assertThat(ids.add((String) r.getField("movement_id"))).as("no movement twice").isTrue();
      assertThat(offsets.add(r.getField("kafka_partition") + "@" + r.getField("kafka_offset")))
          .as("no Kafka message twice in raw.inventory_movements")
          .isTrue();
      byType.merge((String) r.getField("movement_type"), 1L, Long::sum);
    }
    assertThat(raw).hasSize((int) sent.inventory().counts().valid());
    assertThat(byType).isEqualTo(sent.inventory().movementsByType());
    Map<String, Long> byReason = new TreeMap<>();
    Set<String> deadOffsets = new HashSet<>();
    for (Record r : tables.rows(InventoryTables.DEAD_LETTERS)) {
      byReason.merge((String) r.getField("reason"), 1L, Long::sum);
      assertThat(deadOffsets.add(r.getField("kafka_partition") + "@" + r.getField("kafka_offset")))
          .as("no Kafka message twice in raw.inventory_movements_dlq")
          .isTrue();
    }
    assertThat(byReason).isEqualTo(sent.inventory().malformedByReason());
  }

  // ---- the continuous KafkaIO job (--mode=streaming): direct and flink; spark refuses it ----

  /** Small, because the DirectRunner reads an unbounded source 10 messages per bundle. */
  static final String STREAM_TOPIC = "pos_stream";

  static final String[] STREAMING = {"--mode=streaming", "--commit-interval=2s"};

  private static Manifest streamManifest;

  private static synchronized Manifest streamTopic() throws Exception {
    if (streamManifest == null) {
      streamManifest =
          GenerateRun.run(
              GeneratorConfig.builder()
                  .seed(21)
                  .topic(STREAM_TOPIC)
                  .count(1_500)
                  .malformedRate(0.03)
                  .duplicateRate(0.03)
                  .lateRate(0.03)
                  .build(),
              KAFKA.bootstrapServers(),
              ProgressSink.none());
    }
    return streamManifest;
  }

  static boolean runsStreaming() {
    return !"spark".equals(System.getProperty("lakehouse.runner", "direct"));
  }

  @Test
  void sparkRefusesMaxReadTimeForCatchUpRunsInOneLine() {
    org.junit.jupiter.api.Assumptions.assumeFalse(runsStreaming(), "a Spark-only refusal");
    CommandRun run =
        CommandRun.of(
            "ingest",
            "--until-caught-up",
            "--max-read-time=5s",
            "--bootstrap-servers=" + KAFKA.bootstrapServers(),
            "--data-dir=" + work.resolve("max-read-time"));
    assertThat(run.code()).isEqualTo(2);
    assertThat(run.stderr())
        .hasLineCount(1)
        .contains("--max-read-time is refused for catch-up runs on the Spark runner")
        .contains("--max-records");
  }

  @Test
  void streamingJobLandsExactlyTheManifestOrSparkSaysUseCatchUpRuns() throws Exception {
    Manifest expected = streamTopic();
    Path dataDir = work.resolve("stream-e2e");
    if (!runsStreaming()) {
      CommandRun run = CommandRun.of("ingest", "--mode=streaming", "--data-dir=" + dataDir);
      assertThat(run.code()).isEqualTo(2);
      assertThat(run.stderr())
          .hasLineCount(1)
          .contains("--mode=streaming runs on direct and flink")
          .contains("use catch-up runs");
      return;
    }
    JsonNode summary =
        ingest(
            dataDir,
            STREAM_TOPIC,
            "stream.json",
            STREAMING[0],
            STREAMING[1],
            "--consumer-group=stream-e2e");
    assertThat(summary.get("mode").asText()).isEqualTo("streaming");
    assertSummaryMatches(summary, expected);
    assertThat(summary.get("commits").asLong()).isPositive();
    // lag tools see the tables' position: the launcher moves the group there (the job commits
    // no offsets of its own, and takes no Flink checkpoints)
    Map<Integer, Long> tablesPosition = new TreeMap<>();
    summary
        .get("end_offsets")
        .fields()
        .forEachRemaining(
            e -> tablesPosition.put(Integer.parseInt(e.getKey()), e.getValue().asLong()));
    assertThat(groupOffsets("stream-e2e", STREAM_TOPIC)).isEqualTo(tablesPosition);
    Map<String, Long> byReason = new TreeMap<>();
    summary
        .get("dead_letters_by_reason")
        .fields()
        .forEachRemaining(e -> byReason.put(e.getKey(), e.getValue().asLong()));
    assertThat(byReason).isEqualTo(expected.malformedByReason());
    assertTablesHoldExactly(new LakehouseTables(dataDir), expected);

    // a catch-up run afterwards finds nothing new: both modes share the tables' positions
    assertThat(ingest(dataDir, STREAM_TOPIC, "after.json").get("read").asLong()).isZero();
  }

  @ParameterizedTest
  @EnumSource(CrashPoint.class)
  void streamingJobKilledWithKill9RecoversWithoutLossOrDuplicates(CrashPoint point)
      throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(runsStreaming(), "spark runs catch-up runs");
    Manifest expected = streamTopic();
    Path dataDir = work.resolve("stream-crash-" + point.name());
    List<String> args = new ArrayList<>(List.of("--topic=" + STREAM_TOPIC));
    args.addAll(List.of(STREAMING));
    killAt(point, startIngestJvm(dataDir, point, args.toArray(String[]::new)));

    JsonNode summary = ingest(dataDir, STREAM_TOPIC, "after-crash.json", STREAMING);
    assertThat(summary.get("lag").asLong()).isZero();
    assertTablesHoldExactly(new LakehouseTables(dataDir), expected);
  }

  @Test
  void streamingJobStoppedAndRestartedWhileTheGeneratorKeepsSendingAddsUp() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(runsStreaming(), "spark runs catch-up runs");
    Path dataDir = work.resolve("stream-live");
    String topic = "pos_stream_live";
    CompletableFuture<Manifest> sending =
        sendingInBackground(
            GeneratorConfig.builder()
                .seed(9)
                .topic(topic)
                .count(1_500)
                .rate(150)
                .duplicateRate(0.03)
                .malformedRate(0.02)
                .build());
    Thread.sleep(1_000);
    int stops = 0;
    while (!sending.isDone()) {
      // each job is stopped mid-stream, with messages read but not committed
      List<String> args = new ArrayList<>(List.of(STREAMING));
      args.add("--max-read-time=6s");
      ingest(dataDir, topic, "live-" + stops + ".json", args.toArray(String[]::new));
      stops++;
    }
    Manifest live = sending.get();
    ingest(dataDir, topic, "live-final.json", STREAMING);
    assertThat(stops).isPositive();
    assertTablesHoldExactly(new LakehouseTables(dataDir), live);
  }

  @Test
  void ingestStoppedAndRestartedWhileTheGeneratorKeepsSendingAddsUp() throws Exception {
    Path dataDir = work.resolve("live");
    String topic = "pos_live";
    CompletableFuture<Manifest> sending =
        sendingInBackground(
            GeneratorConfig.builder()
                .seed(8)
                .topic(topic)
                .count(12_000)
                .rate(3_000)
                .duplicateRate(0.02)
                .malformedRate(0.01)
                .build());
    Thread.sleep(1_500);
    long runsWhileSending = 0;
    while (!sending.isDone()) {
      ingest(dataDir, topic, "live-" + runsWhileSending + ".json");
      runsWhileSending++;
    }
    Manifest live = sending.get();
    ingest(dataDir, topic, "live-final.json");
    assertThat(runsWhileSending).isPositive();
    assertTablesHoldExactly(new LakehouseTables(dataDir), live);
  }

  @Test
  void badInputMatrixLandsInTheDeadLetterTableWithDistinctReasons() throws Exception {
    String topic = "pos_bad";
    Path dataDir = work.resolve("bad");
    byte[] valid = sampleValidEvent();
    String json = new String(valid, StandardCharsets.UTF_8);
    Map<String, byte[]> cases = new LinkedHashMap<>();
    cases.put("NOT_JSON", "hello, register 7".getBytes(StandardCharsets.UTF_8));
    cases.put(
        "TRUNCATED_JSON", json.substring(0, json.length() / 2).getBytes(StandardCharsets.UTF_8));
    cases.put(
        "WRONG_TYPE",
        json.replace("\"quantity\":", "\"quantity\":\"two\",\"x\":")
            .getBytes(StandardCharsets.UTF_8));
    cases.put(
        "MISSING_FIELD",
        json.replace("\"store_id\"", "\"store\"").getBytes(StandardCharsets.UTF_8));
    cases.put(
        "BAD_QUANTITY",
        json.replaceFirst("\"quantity\":\\d+", "\"quantity\":0").getBytes(StandardCharsets.UTF_8));
    cases.put(
        "TOTAL_MISMATCH",
        json.replaceFirst("\"total_amount\":\"[^\"]+\"", "\"total_amount\":\"99999.99\"")
            .getBytes(StandardCharsets.UTF_8));
    cases.put(
        "EVENT_TIME_IN_FUTURE",
        json.replaceFirst(
                "\"event_time\":\"[^\"]+\"", "\"event_time\":\"2999-01-01T00:00:00.000Z\"")
            .getBytes(StandardCharsets.UTF_8));
    cases.put(
        "EVENT_TIME_TOO_OLD",
        json.replaceFirst(
                "\"event_time\":\"[^\"]+\"", "\"event_time\":\"1999-12-31T23:59:59.000Z\"")
            .getBytes(StandardCharsets.UTF_8));
    byte[] big = new byte[5 * 1024 * 1024];
    java.util.Arrays.fill(big, (byte) ' ');
    System.arraycopy(valid, 0, big, 0, valid.length);
    cases.put("PAYLOAD_TOO_LARGE", big);
    cases.put(
        "INVALID_UTF8",
        new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'});
    cases.put("EMPTY_PAYLOAD", new byte[0]);
    java.util.Properties props = new java.util.Properties();
    props.put("bootstrap.servers", KAFKA.bootstrapServers());
    props.put("max.request.size", 16 * 1024 * 1024);
    props.put("acks", "all");
    try (org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]> producer =
        new org.apache.kafka.clients.producer.KafkaProducer<>(
            props,
            new org.apache.kafka.common.serialization.ByteArraySerializer(),
            new org.apache.kafka.common.serialization.ByteArraySerializer())) {
      byte[] key = "S001".getBytes(StandardCharsets.UTF_8);
      for (byte[] payload : cases.values()) {
        producer
            .send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, 0, key, payload))
            .get();
      }
      producer
          .send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, 0, null, valid))
          .get();
      producer
          .send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, 0, key, valid))
          .get();
    }
    cases.put("MISSING_KEY", valid);

    JsonNode summary = ingest(dataDir, topic, "bad.json");
    assertThat(summary.get("raw_written").asLong()).as("the one valid message").isEqualTo(1);
    assertThat(summary.get("dead_letters").asLong()).isEqualTo(cases.size());
    Map<String, Long> byReason = new TreeMap<>();
    for (Record r : new LakehouseTables(dataDir).deadLetters()) {
      byReason.merge((String) r.getField("reason"), 1L, Long::sum);
      if ("PAYLOAD_TOO_LARGE".equals(r.getField("reason"))) {
        assertThat(r.getField("payload_size")).isEqualTo(5 * 1024 * 1024);
        assertThat(r.getField("payload_truncated")).isEqualTo(true);
      }
    }
    Map<String, Long> expected = new TreeMap<>();
    cases.keySet().forEach(k -> expected.put(k, 1L));
    assertThat(byReason).isEqualTo(expected);
  }

  /** Runs the generator on another thread while ingest runs; completes with its manifest. */
  private static CompletableFuture<Manifest> sendingInBackground(GeneratorConfig config) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return GenerateRun.run(config, KAFKA.bootstrapServers(), ProgressSink.none());
          } catch (InterruptedException e) {
            throw new IllegalStateException(e);
          }
        });
  }

  /** raw.pos_transactions of the manifest, ingested once for the mart tests below. */
  private static Path martDataDir;

  private static synchronized Path ingestedForMart() throws Exception {
    if (martDataDir == null) {
      Path dataDir = work.resolve("mart");
      ingest(dataDir, "pos_transactions", "mart-ingest.json");
      martDataDir = dataDir;
    }
    return martDataDir;
  }

  @Test
  void martWithoutRawTableSaysRunIngestFirst() throws Exception {
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    java.io.PrintStream original = System.err;
    int code;
    System.setErr(new java.io.PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      code = MartChecks.martExitCode(work.resolve("mart-empty"), work.resolve("mart-empty.json"));
    } finally {
      System.setErr(original);
    }
    assertThat(code).isEqualTo(com.retail.lakehouse.pipelines.mart.MartCommand.NO_RAW_TABLE);
    assertThat(err.toString(StandardCharsets.UTF_8).strip())
        .hasLineCount(1)
        .contains("raw.pos_transactions does not exist")
        .endsWith("run ./lakehouse ingest first");
  }

  @Test
  void martMatchesTheManifestToTheCent() throws Exception {
    Path dataDir = ingestedForMart();
    JsonNode summary = MartChecks.mart(dataDir);

    assertThat(summary.get("raw_rows_read").asLong()).isEqualTo(manifest.counts().valid());
    assertThat(summary.get("mart_rows_written").asLong())
        .isEqualTo(MartChecks.martRows(dataDir, false).size());
    assertThat(summary.get("dates")).isNotEmpty();
    MartChecks.assertMatchesManifest(dataDir, manifest);
    MartChecks.assertMatchesRaw(dataDir);
    System.err.printf(
        "conformance: mart of %d raw rows took %.1fs (%d rows/s)%n",
        summary.get("raw_rows_read").asLong(),
        summary.get("seconds").asDouble(),
        summary.get("rows_per_second").asLong());
  }

  @Test
  void martRerunIsIdempotent() throws Exception {
    Path dataDir = ingestedForMart();
    JsonNode first = MartChecks.mart(dataDir);
    var before = MartChecks.martRows(dataDir, false);
    JsonNode second = MartChecks.mart(dataDir);
    var after = MartChecks.martRows(dataDir, false);

    assertThat(after).isEqualTo(before);
    var commit = MartChecks.commitOf(dataDir, second);
    assertThat(commit.summary().get("deleted-records"))
        .as("the re-run replaced the rows of its dates")
        .isEqualTo(commit.summary().get("added-records"));
    assertThat(commit.summary().get("lakehouse.mart-dates"))
        .isEqualTo(
            String.join(
                ",",
                java.util.stream.StreamSupport.stream(first.get("dates").spliterator(), false)
                    .map(JsonNode::asText)
                    .toList()));
    // one day re-run alone replaces only that day
    String day = after.keySet().iterator().next().substring(0, 10);
    JsonNode oneDay = MartChecks.mart(dataDir, "--date=" + day);
    assertThat(oneDay.get("dates").size()).isEqualTo(1);
    assertThat(MartChecks.martRows(dataDir, false)).isEqualTo(before);
    assertThat(Files.readAllLines(dataDir.resolve("runs/mart-runs.jsonl")))
        .hasSizeGreaterThanOrEqualTo(3);
  }

  @Test
  void martRunFailingBeforeCommitLeavesPreviousContent() throws Exception {
    Path dataDir = ingestedForMart();
    MartChecks.mart(dataDir);
    long snapshotBefore = MartChecks.martTable(dataDir).currentSnapshot().snapshotId();
    var before = MartChecks.martRows(dataDir, true);

    System.setProperty("lakehouse.crash-at", "MART_BEFORE_COMMIT");
    int code;
    try {
      code = MartChecks.martExitCode(dataDir, dataDir.resolve("failed.json"));
    } finally {
      System.clearProperty("lakehouse.crash-at");
    }
    assertThat(code).as("the failed mart run's exit code").isEqualTo(1);
    assertThat(MartChecks.martTable(dataDir).currentSnapshot().snapshotId())
        .isEqualTo(snapshotBefore);
    assertThat(MartChecks.martRows(dataDir, true)).isEqualTo(before);
    List<String> runs = Files.readAllLines(dataDir.resolve("runs/mart-runs.jsonl"));
    assertThat(runs.get(runs.size() - 1))
        .contains("\"committed\":false")
        .contains("MART_BEFORE_COMMIT");
  }

  @Test
  void lateEventRerunChangesOnlyItsDay() throws Exception {
    String topic = "pos_mart_late";
    Path dataDir = work.resolve("mart-late");
    Manifest traffic =
        GenerateRun.run(
            GeneratorConfig.builder().seed(11).topic(topic).count(4_000).build(),
            KAFKA.bootstrapServers(),
            ProgressSink.none());
    java.time.LocalDate lateDay =
        java.time.LocalDate.parse(traffic.expectedDaily().get(0).saleDate());
    java.time.LocalDate otherDay = lateDay.minusDays(1);
    // one line on the day before, so the mart holds a day the late event must leave alone
    sendEvent(topic, MartChecks.lateEvent(sampleValidEvent(), "early", otherDay.atTime(9, 30)));
    ingest(dataDir, topic, "late-ingest-1.json");
    JsonNode first = MartChecks.mart(dataDir, "--changed-since-last-run");
    assertThat(first.get("committed").asBoolean()).isTrue();
    assertThat(first.get("dates").size()).isGreaterThan(1);

    byte[] late = MartChecks.lateEvent(sampleValidEvent(), "late", lateDay.atTime(12, 0));
    JsonNode lateJson = new ObjectMapper().readTree(late);
    sendEvent(topic, late);
    assertThat(ingest(dataDir, topic, "late-ingest-2.json").get("raw_written").asLong())
        .isEqualTo(1);
    // a one-date run in between reads the newer raw but must not hide the late day's change
    MartChecks.mart(dataDir, "--date=" + otherDay);
    var before = MartChecks.martRows(dataDir, true);

    JsonNode second = MartChecks.mart(dataDir, "--changed-since-last-run");
    assertThat(second.get("dates").size()).isEqualTo(1);
    assertThat(second.get("dates").get(0).asText()).isEqualTo(lateDay.toString());
    var after = MartChecks.martRows(dataDir, true);
    before.forEach(
        (key, row) -> {
          if (!key.startsWith(lateDay.toString())) {
            assertThat(after.get(key)).as("untouched day " + key).isEqualTo(row);
          }
        });
    String lateKey =
        lateDay + "|" + lateJson.get("store_id").asText() + "|" + lateJson.get("product").asText();
    BigDecimal was =
        before.containsKey(lateKey)
            ? (BigDecimal) before.get(lateKey).get("total_sales")
            : BigDecimal.ZERO;
    assertThat((BigDecimal) after.get(lateKey).get("total_sales"))
        .isEqualByComparingTo(was.add(new BigDecimal(lateJson.get("total_amount").asText())));
    MartChecks.assertMatchesRaw(dataDir);

    JsonNode third = MartChecks.mart(dataDir, "--changed-since-last-run");
    assertThat(third.get("dates").size()).isZero();
    assertThat(third.get("committed").asBoolean()).isFalse();
  }

  private static void sendEvent(String topic, byte[] event) throws Exception {
    java.util.Properties props = new java.util.Properties();
    props.put("bootstrap.servers", KAFKA.bootstrapServers());
    try (org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]> producer =
        new org.apache.kafka.clients.producer.KafkaProducer<>(
            props,
            new org.apache.kafka.common.serialization.ByteArraySerializer(),
            new org.apache.kafka.common.serialization.ByteArraySerializer())) {
      String store = new ObjectMapper().readTree(event).get("store_id").asText();
      producer
          .send(
              new org.apache.kafka.clients.producer.ProducerRecord<>(
                  topic, store.getBytes(StandardCharsets.UTF_8), event))
          .get();
    }
  }

  private static byte[] sampleValidEvent() {
    com.retail.lakehouse.generator.PosTrafficSimulator simulator =
        new com.retail.lakehouse.generator.PosTrafficSimulator(
            GeneratorConfig.builder().seed(1).count(1).build());
    return simulator.next().value();
  }

  /**
   * Raw holds each valid line of the manifests once with their revenue per store and day; the DLQ,
   * each malformed one (several manifests: generator runs into one topic with distinct days).
   */
  /**
   * An ingest summary that read exactly {@code sent}: every message accounted for (raw, dead
   * letters, duplicates dropped; none unaccounted) and no lag left.
   */
  public static void assertSummaryMatches(JsonNode summary, Manifest sent) {
    assertThat(summary.get("read").asLong()).isEqualTo(sent.counts().sent());
    assertThat(summary.get("raw_written").asLong()).isEqualTo(sent.counts().valid());
    assertThat(summary.get("dead_letters").asLong()).isEqualTo(sent.counts().malformed());
    assertThat(summary.get("duplicates_dropped").asLong()).isEqualTo(sent.counts().duplicates());
    assertThat(summary.get("unaccounted").asLong()).isZero();
    assertThat(summary.get("lag").asLong()).isZero();
  }

  public static void assertTablesHoldExactly(LakehouseTables tables, Manifest... sent) {
    long valid = 0;
    Map<String, BigDecimal> want = new TreeMap<>();
    Map<String, Long> malformedByReason = new TreeMap<>();
    for (Manifest expected : sent) {
      valid += expected.counts().valid();
      for (DailyExpectation day : expected.expectedDaily()) {
        want.merge(day.storeId() + "|" + day.saleDate(), day.netRevenue(), BigDecimal::add);
      }
      expected.malformedByReason().forEach((k, n) -> malformedByReason.merge(k, n, Long::sum));
    }
    List<Record> raw = tables.raw();
    Set<String> keys = new HashSet<>();
    Set<String> offsets = new HashSet<>();
    for (Record r : raw) {
      assertThat(keys.add(r.getField("transaction_id") + "#" + r.getField("line_number")))
          .as("no sale line twice in raw")
          .isTrue();
      assertThat(offsets.add(r.getField("kafka_partition") + "@" + r.getField("kafka_offset")))
          .as("no Kafka message twice in raw")
          .isTrue();
    }
    assertThat(raw).hasSize((int) valid);
    Map<String, BigDecimal> got = LakehouseTables.revenueByStoreDay(raw);
    assertThat(got.keySet()).isEqualTo(want.keySet());
    want.forEach((k, v) -> assertThat(got.get(k)).as(k).isEqualByComparingTo(v));

    List<Record> dead = tables.deadLetters();
    Map<String, Long> byReason = new TreeMap<>();
    Set<String> deadOffsets = new HashSet<>();
    for (Record r : dead) {
      byReason.merge((String) r.getField("reason"), 1L, Long::sum);
      assertThat((String) r.getField("payload_base64")).isNotNull();
      assertThat(deadOffsets.add(r.getField("kafka_partition") + "@" + r.getField("kafka_offset")))
          .as("no Kafka message twice in the DLQ")
          .isTrue();
    }
    assertThat(byReason).isEqualTo(malformedByReason);
  }

  /** The consumer group's committed offsets of {@code topic}, per partition. */
  static Map<Integer, Long> groupOffsets(String group, String topic) throws Exception {
    java.util.Properties props = new java.util.Properties();
    props.put("bootstrap.servers", KAFKA.bootstrapServers());
    try (org.apache.kafka.clients.admin.Admin admin =
        org.apache.kafka.clients.admin.Admin.create(props)) {
      Map<Integer, Long> offsets = new TreeMap<>();
      admin
          .listConsumerGroupOffsets(group)
          .partitionsToOffsetAndMetadata()
          .get(30, java.util.concurrent.TimeUnit.SECONDS)
          .forEach(
              (tp, o) -> {
                if (tp.topic().equals(topic)) {
                  offsets.put(tp.partition(), o.offset());
                }
              });
      return offsets;
    }
  }

  static JsonNode ingest(Path dataDir, String topic, String summaryName, String... extra)
      throws Exception {
    Path summary = dataDir.resolve(summaryName);
    List<String> args =
        new ArrayList<>(
            List.of(
                "ingest",
                "--until-caught-up",
                "--bootstrap-servers=" + KAFKA.bootstrapServers(),
                "--topic=" + topic,
                "--data-dir=" + dataDir,
                "--summary-json=" + summary));
    args.addAll(List.of(extra));
    posUnlessNamed(args);
    int code = LakehouseCommand.run(args.toArray(String[]::new));
    assertThat(code).as("ingest exit code").isZero();
    return new ObjectMapper().readTree(Files.readString(summary));
  }

  /** The same ingest in a separate JVM that stops at {@code point} until it is killed. */
  static LakehouseJvm startIngestJvm(Path dataDir, CrashPoint point, String... extra)
      throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of(
                "ingest",
                "--until-caught-up",
                "--bootstrap-servers=" + KAFKA.bootstrapServers(),
                "--data-dir=" + dataDir));
    args.addAll(List.of(extra));
    posUnlessNamed(args);
    System.err.println(
        "conformance: started crash-test ingest at " + Instant.now() + " for " + point);
    return LakehouseJvm.start(
        List.of("-Dlakehouse.crash-at=" + point.name()), args.toArray(String[]::new));
  }

  /**
   * The POS stream alone unless the test names its streams: without --streams an ingest also takes
   * the inventory topic that other tests of this broker created.
   */
  private static void posUnlessNamed(List<String> args) {
    if (args.stream().noneMatch(a -> a.startsWith("--streams"))) {
      args.add("--streams=pos");
    }
  }
}
