package com.retail.lakehouse.pipelines.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.retail.lakehouse.generator.GeneratorConfig;
import com.retail.lakehouse.generator.PosTrafficSimulator;
import com.retail.lakehouse.localkafka.KafkaBrokerExtension;
import com.retail.lakehouse.pipelines.cli.LakehouseCommand;
import com.retail.lakehouse.pipelines.conformance.LakehouseTables;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import com.retail.lakehouse.transforms.tables.DeadLetterTable;
import com.retail.lakehouse.transforms.tables.RawTable;
import com.retail.lakehouse.transforms.tables.TableDefinition;
import com.retail.lakehouse.transforms.validate.RoutingSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, hole 5: a crash between the raw and the dead-letter commit, then a re-run whose routing
 * inputs differ from the crashed run's: other {@code --future-tolerance} or {@code
 * --max-payload-bytes}, or simply a later wall clock. The re-run re-reads the gap between the two
 * tables' positions; every message of it must still end in exactly one table.
 *
 * <p>Real broker, real catch-up runs ({@code ./lakehouse ingest --until-caught-up} in process),
 * real commits. The crash is left behind the way a kill -9 between the two commits leaves it: the
 * crashed run's commit is rolled back in one table (its snapshot is no longer the table's current
 * one), so that table still stands at the previous run's position.
 */
class CrashBetweenTheTwoCommitsTest {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

  @TempDir static Path work;

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Accepts events up to 3 days ahead and payloads up to 1 MiB (the default). */
  private static final String[] LOOSE = {"--future-tolerance=3d"};

  /** Accepts events up to 1 day ahead and payloads up to 1,500 bytes. */
  private static final String[] STRICT = {"--future-tolerance=1d", "--max-payload-bytes=1500"};

  @Test
  void rerunWithStricterFlagsAfterOnlyRawCommittedPutsEachMessageInOnePlace() throws Exception {
    Scenario s = new Scenario("stricter-rerun");
    s.baseline();
    s.sendFlagSensitiveMessages();
    s.ingest("crashed.json", LOOSE);
    s.rollBackLastCommit(DeadLetterTable.DEFINITION); // raw committed, the DLQ did not

    JsonNode rerun = s.ingest("rerun.json", STRICT);

    assertThat(rerun.get("unaccounted").asLong()).isZero();
    Map<String, List<String>> places = s.assertEachMessageInExactlyOnePlace();
    // the crashed run accepted them, so raw holds them; the re-run must not also reject them
    assertThat(places.get(s.id("future-2d"))).containsExactly("raw");
    assertThat(places.get(s.id("large"))).containsExactly("raw");
    // each commit records the settings it routed new messages with, for the next re-read
    assertThat(RoutingSettings.fromSummary(s.lastCommitSummary(DeadLetterTable.DEFINITION)))
        .isEqualTo(new RoutingSettings(1500, Duration.ofDays(1)));
  }

  @Test
  void rerunWithLooserFlagsAfterOnlyDeadLettersCommittedPutsEachMessageInOnePlace()
      throws Exception {
    Scenario s = new Scenario("looser-rerun");
    s.baseline();
    s.sendFlagSensitiveMessages();
    s.ingest("crashed.json", STRICT);
    s.rollBackLastCommit(RawTable.DEFINITION); // the DLQ committed, raw did not

    JsonNode rerun = s.ingest("rerun.json", LOOSE);

    assertThat(rerun.get("unaccounted").asLong()).isZero();
    Map<String, List<String>> places = s.assertEachMessageInExactlyOnePlace();
    // the crashed run rejected them, so the DLQ holds them; the re-run must not also accept them
    assertThat(places.get(s.id("future-2d"))).containsExactly("dlq");
    assertThat(places.get(s.id("large"))).containsExactly("dlq");
  }

  @Test
  void eventNoLongerInTheFutureWhenTheRerunComesLandsOnce() throws Exception {
    Scenario s = new Scenario("clock-moves-on");
    s.baseline();
    // 25 s beyond the tolerance when sent: "in the future" for a run right now, not for one 30 s on
    Instant sent = Instant.now();
    s.send(0, sent, s.event("almost-now", sent.plus(Duration.ofDays(1)).plusSeconds(25)));
    s.send(1, sent, s.event("ok-late", sent.minus(Duration.ofHours(3))));
    s.ingest("crashed.json");
    s.rollBackLastCommit(DeadLetterTable.DEFINITION);
    while (Instant.now().isBefore(sent.plusSeconds(30))) {
      Thread.sleep(500);
    }

    s.ingest("rerun.json");

    Map<String, List<String>> places = s.assertEachMessageInExactlyOnePlace();
    assertThat(places.get(s.id("almost-now"))).containsExactly("dlq");
  }

  @Test
  void streamingJobAfterOnlyRawCommittedPutsEachMessageInOnePlace() throws Exception {
    Scenario s = new Scenario("streaming-rerun");
    s.baseline();
    s.sendFlagSensitiveMessages();
    s.ingest("crashed.json", LOOSE);
    s.rollBackLastCommit(DeadLetterTable.DEFINITION);

    List<String> streaming = new ArrayList<>(List.of("--mode=streaming", "--commit-interval=2s"));
    streaming.addAll(List.of(STRICT));
    s.ingest("rerun.json", streaming.toArray(String[]::new));

    Map<String, List<String>> places = s.assertEachMessageInExactlyOnePlace();
    assertThat(places.get(s.id("future-2d"))).containsExactly("raw");
    assertThat(places.get(s.id("large"))).containsExactly("raw");
  }

  /** One topic and one data folder; messages are told apart by their event id. */
  static final class Scenario {
    private final String name;
    private final String topic;
    private final Path dataDir;
    private final CatalogSettings catalog;
    private final Map<String, String> sentIds = new TreeMap<>(); // "partition@offset" -> id

    Scenario(String name) throws Exception {
      this.name = name;
      this.topic = "pos_" + name.replace('-', '_');
      this.dataDir = work.resolve(name);
      this.catalog =
          CatalogSettings.of(
              CatalogSettings.Kind.HADOOP,
              dataDir.resolve("warehouse").toAbsolutePath().toString(),
              null,
              Map.of());
      try (AdminClient admin =
          AdminClient.create(Map.of("bootstrap.servers", KAFKA.bootstrapServers()))) {
        admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get();
      }
    }

    String id(String label) {
      return name + "-" + label;
    }

    /** A first run that commits both tables, so each has a position to fall back to. */
    void baseline() throws Exception {
      Instant now = Instant.now();
      for (int i = 0; i < 4; i++) {
        send(i % 2, now, event("base-" + i, now.minus(Duration.ofMinutes(10 + i))));
      }
      send(0, now, "not json at all".getBytes(StandardCharsets.UTF_8));
      JsonNode summary = ingest("baseline.json");
      assertThat(summary.get("raw_written").asLong()).isEqualTo(4);
      assertThat(summary.get("dead_letters").asLong()).isEqualTo(1);
    }

    /**
     * Messages whose table depends on the flags (LOOSE accepts them, STRICT rejects them), around
     * messages whose table does not.
     */
    void sendFlagSensitiveMessages() throws Exception {
      Instant now = Instant.now();
      send(0, now, event("ok-1", now.minus(Duration.ofMinutes(5))));
      send(0, now, event("future-2d", now.plus(Duration.ofDays(2))));
      send(1, now, event("ok-2", now.minus(Duration.ofMinutes(4))));
      ObjectNode large = (ObjectNode) JSON.readTree(event("large", now.minusSeconds(60)));
      large.put("note", "x".repeat(2_000)); // unknown fields are tolerated; only the size matters
      send(1, now, JSON.writeValueAsBytes(large));
      send(0, now, "{\"truncated\":".getBytes(StandardCharsets.UTF_8));
      send(1, now, event("ok-3", now.minus(Duration.ofMinutes(3))));
    }

    byte[] event(String label, Instant eventTime) throws Exception {
      PosTrafficSimulator simulator =
          new PosTrafficSimulator(GeneratorConfig.builder().seed(1).count(1).build());
      ObjectNode event = (ObjectNode) JSON.readTree(simulator.next().value());
      event.put("event_id", id(label));
      event.put("transaction_id", "tx-" + id(label));
      event.put("line_number", 1);
      event.put("event_time", eventTime.toString());
      return JSON.writeValueAsBytes(event);
    }

    /** Sends to a partition with the given Kafka (create) timestamp. */
    void send(int partition, Instant timestamp, byte[] value) throws Exception {
      Properties props = new Properties();
      props.put("bootstrap.servers", KAFKA.bootstrapServers());
      props.put("acks", "all");
      try (KafkaProducer<byte[], byte[]> producer =
          new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
        var sent =
            producer
                .send(
                    new ProducerRecord<>(
                        topic,
                        partition,
                        timestamp.toEpochMilli(),
                        "S001".getBytes(StandardCharsets.UTF_8),
                        value))
                .get();
        String id;
        try {
          id = JSON.readTree(value).path("event_id").asText("?");
        } catch (Exception notJson) {
          id = "?";
        }
        sentIds.put(sent.partition() + "@" + sent.offset(), id);
      }
    }

    JsonNode ingest(String summaryName, String... flags) throws Exception {
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
      args.addAll(List.of(flags));
      assertThat(LakehouseCommand.run(args.toArray(String[]::new))).as("ingest exit code").isZero();
      return JSON.readTree(Files.readString(summary));
    }

    /**
     * Leaves {@code definition}'s table as if the last run had crashed just before committing it:
     * its current snapshot goes back to the one before that run's commit.
     */
    void rollBackLastCommit(TableDefinition definition) {
      Table table = catalog.catalog().loadTable(definition.identifier());
      Long parent = table.currentSnapshot().parentId();
      assertThat(parent).as("a commit before the crashed run's").isNotNull();
      table.manageSnapshots().rollbackTo(parent).commit();
    }

    Map<String, String> lastCommitSummary(TableDefinition definition) {
      Table table = catalog.catalog().loadTable(definition.identifier());
      return table.currentSnapshot().summary();
    }

    /**
     * Every message sent is in raw or in the DLQ, exactly once; returns event id -> its places (for
     * the messages that carry one).
     */
    Map<String, List<String>> assertEachMessageInExactlyOnePlace() {
      LakehouseTables tables = new LakehouseTables(catalog);
      Map<String, List<String>> byOffset = new TreeMap<>();
      for (Record r : tables.raw()) {
        byOffset
            .computeIfAbsent(
                r.getField("kafka_partition") + "@" + r.getField("kafka_offset"),
                k -> new ArrayList<>())
            .add("raw");
      }
      for (Record r : tables.deadLetters()) {
        byOffset
            .computeIfAbsent(
                r.getField("kafka_partition") + "@" + r.getField("kafka_offset"),
                k -> new ArrayList<>())
            .add("dlq");
      }
      Map<String, List<String>> byId = new TreeMap<>();
      Map<String, List<String>> misplaced = new TreeMap<>();
      sentIds.forEach(
          (offset, id) -> {
            List<String> places = byOffset.getOrDefault(offset, List.of());
            byId.put(id, places);
            if (places.size() != 1) {
              misplaced.put(offset + " (" + id + ")", places);
            }
          });
      assertThat(misplaced).as("messages not in exactly one table").isEmpty();
      assertThat(byOffset.keySet()).as("rows of messages never sent").isEqualTo(sentIds.keySet());
      return byId;
    }
  }
}
