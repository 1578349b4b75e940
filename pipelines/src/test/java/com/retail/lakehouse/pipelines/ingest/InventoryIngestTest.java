package com.retail.lakehouse.pipelines.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.retail.lakehouse.generator.InventoryManifest;
import com.retail.lakehouse.generator.Manifest;
import com.retail.lakehouse.localkafka.KafkaBrokerExtension;
import com.retail.lakehouse.pipelines.cli.LakehouseCommand;
import com.retail.lakehouse.pipelines.conformance.CommandRun;
import com.retail.lakehouse.pipelines.conformance.LakehouseTables;
import com.retail.lakehouse.transforms.event.DeadLetterReason;
import com.retail.lakehouse.transforms.event.EventType;
import com.retail.lakehouse.transforms.event.PosEvent;
import com.retail.lakehouse.transforms.event.PosEventJson;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import com.retail.lakehouse.transforms.tables.InventoryTables;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.iceberg.data.Record;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The second contract through the same ingest: {@code ./lakehouse ingest --streams=pos,inventory
 * --until-caught-up} on a real broker takes the POS topic into raw.pos_transactions and the
 * inventory topic into raw.inventory_movements, each exactly once: valid movements land once per
 * movement_id (a re-sent copy is dropped), each invalid one is a dead letter in
 * raw.inventory_movements_dlq with its reason at its offset, every message is accounted for (read =
 * raw + dead letters + duplicates), and a second run changes nothing.
 */
class InventoryIngestTest {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

  private static final String POS_TOPIC = "pos_with_inventory";
  private static final String INVENTORY_TOPIC = "inventory_movements_test";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant TIME = Instant.now().minus(2, ChronoUnit.HOURS);

  @TempDir Path dataDir;

  /** One message sent and what the ingest must make of it (reason null: a raw row). */
  record Sent(String movementId, String json, DeadLetterReason reason) {}

  private static String movement(
      String id, String type, int quantity, String unitCost, String reason, Instant time) {
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("movement_id", id);
    m.put("store_id", "S003");
    m.put("sku", "SKU-00042");
    m.put("movement_type", type);
    m.put("quantity", quantity);
    m.put("unit_cost", unitCost);
    m.put("reason", reason);
    m.put("reference", type.startsWith("TRANSFER") ? "TR-1" : "PO-7");
    m.put("event_time", PosEventJson.formatEventTime(time));
    try {
      return JSON.writeValueAsString(m);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<Sent> movements() {
    List<Sent> s = new ArrayList<>();
    s.add(new Sent("M-1", movement("M-1", "COUNT", 40, "1.10", null, TIME), null));
    s.add(new Sent("M-2", movement("M-2", "RECEIPT", 24, "1.05", null, TIME), null));
    s.add(new Sent("M-2", movement("M-2", "RECEIPT", 24, "1.05", null, TIME), null)); // re-sent
    s.add(new Sent("M-3", movement("M-3", "ADJUSTMENT", -2, "1.05", "DAMAGE", TIME), null));
    s.add(new Sent("M-4", movement("M-4", "TRANSFER_OUT", 5, "1.05", null, TIME), null));
    s.add(new Sent("M-5", movement("M-5", "TRANSFER_IN", 5, "1.05", null, TIME), null));
    s.add(
        new Sent(
            "B-1",
            movement("B-1", "SHRINK", -1, "1.05", "THEFT", TIME),
            DeadLetterReason.UNKNOWN_MOVEMENT_TYPE));
    s.add(
        new Sent(
            "B-2",
            movement("B-2", "ADJUSTMENT", -1, "1.05", null, TIME),
            DeadLetterReason.BAD_REASON));
    s.add(
        new Sent(
            "B-3",
            movement("B-3", "RECEIPT", -3, "1.05", null, TIME),
            DeadLetterReason.BAD_QUANTITY));
    s.add(
        new Sent(
            "B-4",
            movement("B-4", "COUNT", 3, "1.055", null, TIME),
            DeadLetterReason.BAD_UNIT_COST));
    s.add(
        new Sent(
            "B-5",
            movement("B-5", "RECEIPT", 3, "1.05", null, Instant.parse("1999-12-31T00:00:00Z")),
            DeadLetterReason.EVENT_TIME_TOO_OLD));
    s.add(
        new Sent(
            "B-6",
            movement("B-6", "RECEIPT", 3, "1.05", null, TIME).replace("\"sku\":\"SKU-00042\",", ""),
            DeadLetterReason.MISSING_FIELD));
    s.add(
        new Sent(
            "B-7",
            movement("B-7", "RECEIPT", 3, "1.05", null, TIME).replace("{", "{\"quantity\":1,"),
            DeadLetterReason.DUPLICATE_FIELD));
    s.add(new Sent("B-8", "{\"movement_id\": \"B-8\"", DeadLetterReason.TRUNCATED_JSON));
    s.add(new Sent("M-6", movement("M-6", "ADJUSTMENT", -1, "0", "EXPIRED", TIME), null));
    return s;
  }

  @Test
  void bothStreamsLandExactlyOnceInTheirOwnTables() throws Exception {
    List<Sent> sent = movements();
    send(INVENTORY_TOPIC, sent.stream().map(Sent::json).toList());
    List<String> sales = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      sales.add(new String(PosEventJson.toJson(sale("T-" + i)), StandardCharsets.UTF_8));
    }
    send(POS_TOPIC, sales);
    Path summary = dataDir.resolve("summary.json");
    String[] args = {
      "ingest",
      "--streams=pos,inventory",
      "--topic=" + POS_TOPIC,
      "--inventory-topic=" + INVENTORY_TOPIC,
      "--bootstrap-servers=" + KAFKA.bootstrapServers(),
      "--data-dir=" + dataDir,
      "--until-caught-up",
      "--summary-json=" + summary
    };
    assertThat(LakehouseCommand.run(args)).isZero();

    LakehouseTables tables = new LakehouseTables(dataDir);
    assertThat(tables.raw())
        .extracting(r -> (String) r.getField("transaction_id"))
        .containsExactlyInAnyOrder("T-1", "T-2", "T-3");
    List<Record> movements = tables.rows(InventoryTables.RAW);
    assertThat(movements)
        .extracting(r -> (String) r.getField("movement_id"))
        .containsExactlyInAnyOrder("M-1", "M-2", "M-3", "M-4", "M-5", "M-6");
    Record adjustment =
        movements.stream().filter(r -> r.getField("movement_id").equals("M-3")).findFirst().get();
    assertThat(adjustment.getField("quantity")).isEqualTo(-2);
    assertThat(adjustment.getField("reason")).isEqualTo("DAMAGE");
    assertThat(adjustment.getField("unit_cost")).isEqualTo(new BigDecimal("1.05"));
    assertThat(adjustment.getField("event_time"))
        .isEqualTo(LocalDateTime.ofInstant(TIME.truncatedTo(ChronoUnit.MILLIS), ZoneOffset.UTC));
    assertThat(adjustment.getField("kafka_topic")).isEqualTo(INVENTORY_TOPIC);
    assertThat(adjustment.getField("kafka_offset")).isEqualTo(3L);

    Map<Long, String> reasons = new TreeMap<>();
    for (Record r : tables.rows(InventoryTables.DEAD_LETTERS)) {
      reasons.put((Long) r.getField("kafka_offset"), (String) r.getField("reason"));
    }
    Map<Long, String> expected = new TreeMap<>();
    for (int offset = 0; offset < sent.size(); offset++) {
      if (sent.get(offset).reason() != null) {
        expected.put((long) offset, sent.get(offset).reason().name());
      }
    }
    assertThat(reasons).isEqualTo(expected);
    assertThat(tables.deadLetters()).as("no POS dead letters").isEmpty();

    JsonNode pos = JSON.readTree(summary.toFile());
    JsonNode inventory = JSON.readTree(dataDir.resolve("summary.inventory.json").toFile());
    assertThat(pos.get("topic").asText()).isEqualTo(POS_TOPIC);
    assertThat(pos.get("raw_written").asLong()).isEqualTo(3);
    assertThat(inventory.get("topic").asText()).isEqualTo(INVENTORY_TOPIC);
    assertThat(inventory.get("read").asLong()).isEqualTo(sent.size());
    assertThat(inventory.get("raw_written").asLong()).isEqualTo(6);
    assertThat(inventory.get("dead_letters").asLong()).isEqualTo(expected.size());
    assertThat(inventory.get("duplicates_dropped").asLong()).isEqualTo(1);
    assertThat(inventory.get("unaccounted").asLong()).isZero();

    // a second run finds both streams caught up and changes nothing
    long rawSnapshot = tables.rawTable().currentSnapshot().snapshotId();
    assertThat(LakehouseCommand.run(args)).isZero();
    assertThat(
            JSON.readTree(dataDir.resolve("summary.inventory.json").toFile()).get("read").asLong())
        .isZero();
    assertThat(tables.rows(InventoryTables.RAW)).hasSize(6);
    tables.rawTable().refresh();
    assertThat(tables.rawTable().currentSnapshot().snapshotId()).isEqualTo(rawSnapshot);
  }

  /**
   * The simulator's two streams through the two-stream ingest: raw.inventory_movements holds
   * exactly the manifest's valid movements (per type too), its dead letters exactly the malformed
   * ones by reason, and the re-sent copies are the duplicates the ingest dropped.
   */
  @Test
  void theSimulatorsInventoryStreamReconcilesWithTheTables() throws Exception {
    String posTopic = "pos_sim";
    String inventoryTopic = "inventory_sim";
    String[] generate = {
      "generate",
      "--streams=pos,inventory",
      "--topic=" + posTopic,
      "--inventory-topic=" + inventoryTopic,
      "--bootstrap-servers=" + KAFKA.bootstrapServers(),
      "--data-dir=" + dataDir,
      "--count=20000",
      "--stores=3",
      "--skus=40",
      "--start=" + LocalDateTime.now(ZoneOffset.UTC).toLocalDate().minusDays(8),
      "--malformed-rate=0.05",
      "--duplicate-rate=0.05",
      "--seed=7"
    };
    assertThat(LakehouseCommand.run(generate)).isZero();
    Manifest manifest;
    try (var files = Files.list(dataDir.resolve("manifests"))) {
      manifest = Manifest.read(files.filter(f -> f.toString().endsWith(".json")).findFirst().get());
    }
    InventoryManifest sent = manifest.inventory();
    assertThat(sent.counts().valid()).isPositive();
    assertThat(sent.counts().malformed()).isPositive();
    assertThat(sent.counts().duplicates()).isPositive();

    Path summary = dataDir.resolve("sim-summary.json");
    assertThat(
            LakehouseCommand.run(
                new String[] {
                  "ingest",
                  "--streams=pos,inventory",
                  "--topic=" + posTopic,
                  "--inventory-topic=" + inventoryTopic,
                  "--bootstrap-servers=" + KAFKA.bootstrapServers(),
                  "--data-dir=" + dataDir,
                  "--until-caught-up",
                  "--summary-json=" + summary
                }))
        .isZero();
    LakehouseTables tables = new LakehouseTables(dataDir);
    List<Record> movements = tables.rows(InventoryTables.RAW);
    assertThat(movements).hasSize((int) sent.counts().valid());
    Map<String, Long> byType = new TreeMap<>();
    movements.forEach(r -> byType.merge((String) r.getField("movement_type"), 1L, Long::sum));
    assertThat(byType).isEqualTo(sent.movementsByType());
    Map<String, Long> reasons = new TreeMap<>();
    tables
        .rows(InventoryTables.DEAD_LETTERS)
        .forEach(r -> reasons.merge((String) r.getField("reason"), 1L, Long::sum));
    assertThat(reasons).isEqualTo(sent.malformedByReason());
    JsonNode inventory = JSON.readTree(dataDir.resolve("sim-summary.inventory.json").toFile());
    assertThat(inventory.get("read").asLong()).isEqualTo(sent.counts().sent());
    assertThat(inventory.get("duplicates_dropped").asLong()).isEqualTo(sent.counts().duplicates());
    assertThat(inventory.get("unaccounted").asLong()).isZero();
    assertThat(tables.raw()).hasSize((int) manifest.counts().valid());
  }

  /**
   * One stream's failure (here its topic does not exist yet) does not hold the other back: the POS
   * stream listed after it still lands, the command then fails in one line, and the failed stream's
   * summary from an earlier run is not left behind.
   */
  @Test
  void aFailingStreamDoesNotHoldTheOtherBack() throws Exception {
    String posTopic = "pos_alone";
    send(posTopic, List.of(new String(PosEventJson.toJson(sale("T-9")), StandardCharsets.UTF_8)));
    Path summary = dataDir.resolve("run.json");
    Files.writeString(summary, "{\"stale\": true}");
    int code =
        LakehouseCommand.run(
            new String[] {
              "ingest",
              "--streams=inventory,pos",
              "--topic=" + posTopic,
              "--inventory-topic=not_created_yet",
              "--bootstrap-servers=" + KAFKA.bootstrapServers(),
              "--data-dir=" + dataDir,
              "--until-caught-up",
              "--summary-json=" + summary
            });
    assertThat(code).as("the missing topic is a usage error").isEqualTo(2);
    assertThat(new LakehouseTables(dataDir).raw())
        .extracting(r -> (String) r.getField("transaction_id"))
        .containsExactly("T-9");
    assertThat(summary).as("the failed inventory stream's old summary").doesNotExist();
    assertThat(JSON.readTree(dataDir.resolve("run.pos.json").toFile()).get("raw_written").asLong())
        .isEqualTo(1);
  }

  /**
   * Without --streams the ingest takes both streams, and a broker without the inventory topic is
   * not an error: POS lands, the missing topic is named, and no inventory table is created; once
   * the topic holds movements the same command takes them too.
   */
  @Test
  void withoutStreamsBothAreTakenAndAMissingInventoryTopicIsSkipped() throws Exception {
    String posTopic = "pos_default_streams";
    String inventoryTopic = "inventory_default_streams";
    send(posTopic, List.of(new String(PosEventJson.toJson(sale("T-1")), StandardCharsets.UTF_8)));
    String[] args = {
      "ingest",
      "--topic=" + posTopic,
      "--inventory-topic=" + inventoryTopic,
      "--bootstrap-servers=" + KAFKA.bootstrapServers(),
      "--data-dir=" + dataDir,
      "--until-caught-up"
    };
    CommandRun run = CommandRun.of(args);
    assertThat(run.code()).isZero();
    assertThat(run.stderr()).contains("topic " + inventoryTopic + " does not exist");
    LakehouseTables tables = new LakehouseTables(dataDir);
    assertThat(tables.raw())
        .extracting(r -> (String) r.getField("transaction_id"))
        .containsExactly("T-1");
    assertThat(
            CatalogSettings.of(
                    CatalogSettings.Kind.HADOOP,
                    dataDir.resolve("warehouse").toString(),
                    null,
                    Map.of())
                .catalog()
                .tableExists(InventoryTables.RAW.identifier()))
        .as("no inventory table without its topic")
        .isFalse();

    send(inventoryTopic, List.of(movement("M-1", "COUNT", 40, "1.10", null, TIME)));
    assertThat(LakehouseCommand.run(args)).isZero();
    assertThat(tables.rows(InventoryTables.RAW))
        .extracting(r -> (String) r.getField("movement_id"))
        .containsExactly("M-1");
    assertThat(tables.raw()).as("POS unchanged").hasSize(1);
  }

  /**
   * In a repeating ingest without --streams, a failing inventory stream (here its topic was deleted
   * and re-created below the tables' position) is said and retried each run while POS goes on; the
   * last run still fails the command.
   */
  @Test
  void aFailingDefaultInventoryStreamDoesNotEndARepeatingIngest() throws Exception {
    String posTopic = "pos_repeating";
    String inventoryTopic = "inventory_repeating";
    send(posTopic, List.of(new String(PosEventJson.toJson(sale("T-1")), StandardCharsets.UTF_8)));
    send(
        inventoryTopic,
        List.of(
            movement("M-1", "COUNT", 40, "1.10", null, TIME),
            movement("M-2", "RECEIPT", 4, "1.10", null, TIME)));
    String[] once = {
      "ingest",
      "--topic=" + posTopic,
      "--inventory-topic=" + inventoryTopic,
      "--bootstrap-servers=" + KAFKA.bootstrapServers(),
      "--data-dir=" + dataDir,
      "--until-caught-up"
    };
    assertThat(LakehouseCommand.run(once)).isZero();
    Properties admin = new Properties();
    admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
    try (Admin client = Admin.create(admin)) {
      client.deleteTopics(List.of(inventoryTopic)).all().get();
      while (client.listTopics().names().get().contains(inventoryTopic)) {
        Thread.sleep(100);
      }
    }
    send(inventoryTopic, List.of(movement("M-3", "RECEIPT", 2, "1.10", null, TIME)));
    List<String> more = new ArrayList<>();
    more.add(new String(PosEventJson.toJson(sale("T-2")), StandardCharsets.UTF_8));
    sendMore(posTopic, more);

    String[] repeating = {
      "ingest",
      "--topic=" + posTopic,
      "--inventory-topic=" + inventoryTopic,
      "--bootstrap-servers=" + KAFKA.bootstrapServers(),
      "--data-dir=" + dataDir,
      "--runs=2",
      "--every=1s"
    };
    CommandRun run = CommandRun.of(repeating);
    assertThat(run.code()).as("the last run's failure").isNotZero();
    assertThat(run.stderr())
        .as("run 1 said it and went on to run 2")
        .contains("the inventory stream failed (retried next run)")
        .contains("re-created");
    assertThat(new LakehouseTables(dataDir).raw())
        .extracting(r -> (String) r.getField("transaction_id"))
        .containsExactlyInAnyOrder("T-1", "T-2");
  }

  @Test
  void aWrongStreamNameOrTwoStreamsInOneStreamingJobAreUsageErrors() throws Exception {
    assertThat(
            LakehouseCommand.run(
                new String[] {"ingest", "--streams=pos,stock", "--data-dir=" + dataDir}))
        .isEqualTo(2);
    assertThat(
            LakehouseCommand.run(
                new String[] {
                  "ingest", "--mode=streaming", "--streams=pos,inventory", "--data-dir=" + dataDir
                }))
        .isEqualTo(2);
    assertThat(
            LakehouseCommand.run(
                new String[] {
                  "ingest",
                  "--streams=pos,inventory",
                  "--topic=same",
                  "--inventory-topic=same",
                  "--data-dir=" + dataDir
                }))
        .isEqualTo(2);
    assertThat(Files.exists(dataDir.resolve("warehouse"))).isFalse();
  }

  private static PosEvent sale(String transactionId) {
    return new PosEvent(
        "E-" + transactionId,
        transactionId,
        1,
        EventType.SALE,
        "S003",
        "S003-R1",
        "S003-C01",
        "Organic Whole Milk 1L",
        "SKU-00042",
        "Dairy",
        1,
        new BigDecimal("1.99"),
        new BigDecimal("0.00"),
        new BigDecimal("1.99"),
        "USD",
        "CARD",
        null,
        TIME.truncatedTo(ChronoUnit.MILLIS));
  }

  private static void send(String topic, List<String> payloads) throws Exception {
    Properties admin = new Properties();
    admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
    try (Admin client = Admin.create(admin)) {
      client.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
    }
    sendMore(topic, payloads);
  }

  /** Sends to an existing topic. */
  private static void sendMore(String topic, List<String> payloads) throws Exception {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    byte[] key = "S003".getBytes(StandardCharsets.UTF_8);
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (String p : payloads) { // one at a time: the offsets are the list's indexes
        producer
            .send(new ProducerRecord<>(topic, 0, key, p.getBytes(StandardCharsets.UTF_8)))
            .get();
      }
    }
  }
}
