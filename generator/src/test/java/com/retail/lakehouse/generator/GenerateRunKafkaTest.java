package com.retail.lakehouse.generator;

import static org.assertj.core.api.Assertions.assertThat;

import com.retail.lakehouse.generator.cli.GenerateCommand;
import com.retail.lakehouse.localkafka.KafkaBrokerExtension;
import com.retail.lakehouse.transforms.event.PosEvent;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Sends generated traffic to a real local Kafka broker and reconciles the topic with the manifest.
 */
class GenerateRunKafkaTest {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

  @Test
  void sentMessagesReachTheTopicWithTheManifestCounts() throws Exception {
    GeneratorConfig config =
        GeneratorConfig.builder()
            .topic("pos_transactions_reconcile")
            .count(20_000)
            .malformedRate(0.02)
            .duplicateRate(0.03)
            .lateRate(0.02)
            .build();
    List<String> progress = new ArrayList<>();
    Manifest manifest =
        GenerateRun.run(config, KAFKA.bootstrapServers(), p -> progress.add(p.line()));

    assertThat(manifest.run().sendErrors()).as(manifest.run().firstSendError()).isZero();
    assertThat(progress).last().asString().startsWith("generate: 20,000/20,000 sent (100%)");
    List<ConsumerRecord<byte[], byte[]>> records = consumeAll(config.topic());
    assertThat(records).hasSize((int) manifest.counts().sent());
    assertThat(records)
        .allSatisfy(
            r -> assertThat(new String(r.key(), StandardCharsets.UTF_8)).matches("S\\d{3}"));

    Instant now = Instant.parse(manifest.lastEventTime()).plusSeconds(60);
    List<byte[]> values = records.stream().map(ConsumerRecord::value).toList();
    Reconciliation.Tally tally = Reconciliation.tally(values, now);
    assertThat(tally.valid()).isEqualTo(manifest.counts().valid());
    assertThat(tally.duplicates()).isEqualTo(manifest.counts().duplicates());
    assertThat(tally.rejectedByReason()).isEqualTo(manifest.malformedByReason());
    assertThat(Reconciliation.expectedDaily(values, now)).isEqualTo(manifest.expectedDaily());
    // Everything outside "run" matches a pure simulation of the same configuration.
    assertThat(manifest.withRun(null).toJson())
        .isEqualTo(ManifestTally.simulate(new PosTrafficSimulator(config)).toJson());
  }

  @Test
  void preparedTrafficIsSentOnItsScheduleWithTheManifestCounts(@TempDir Path dir) throws Exception {
    GeneratorConfig config =
        GeneratorConfig.builder()
            .topic("pos_transactions_prepared")
            .rate(2_000)
            .duration(Duration.ofSeconds(2))
            .malformedRate(0.02)
            .duplicateRate(0.03)
            .build();
    Instant from = Instant.parse("2026-11-30T12:00:00Z");
    PreparedTraffic traffic = PreparedTraffic.prepare(config, from, dir.resolve("traffic.bin"));
    assertThat(traffic.messages()).isEqualTo(4_000);

    long before = System.nanoTime();
    PreparedTraffic.Sent sent = traffic.send(KAFKA.bootstrapServers(), ProgressSink.none());
    long tookMillis = (System.nanoTime() - before) / 1_000_000;

    Manifest manifest = sent.manifest();
    assertThat(manifest.run().sendErrors()).as(manifest.run().firstSendError()).isZero();
    assertThat(manifest.counts().sent()).isEqualTo(4_000);
    // never ahead of the schedule: the last message is due 2 s minus one interval after the first
    assertThat(tookMillis).isGreaterThanOrEqualTo(1_999);
    assertThat(Files.exists(dir.resolve("traffic.bin"))).isFalse();
    long startedAt = Instant.parse(manifest.run().startedAt()).toEpochMilli();
    assertThat(traffic.sendTimeOf(from.toEpochMilli())).isEqualTo(startedAt);
    assertThat(traffic.sendTimeOf(from.toEpochMilli() + 1_500)).isEqualTo(startedAt + 1_500);

    List<ConsumerRecord<byte[], byte[]>> records = consumeAll(config.topic());
    assertThat(records).hasSize(4_000);
    List<byte[]> values = records.stream().map(ConsumerRecord::value).toList();
    Instant now = from.plusSeconds(60);
    Reconciliation.Tally tally = Reconciliation.tally(values, now);
    assertThat(tally.valid()).isEqualTo(manifest.counts().valid());
    assertThat(tally.duplicates()).isEqualTo(manifest.counts().duplicates());
    // event times are the stepping clock: from the chosen start, within the duration
    assertThat(Instant.parse(manifest.firstEventTime())).isBetween(from, from.plusSeconds(2));
    assertThat(Instant.parse(manifest.lastEventTime())).isBetween(from, from.plusSeconds(2));
  }

  @Test
  void preparedTrafficNeedsALiveRun(@TempDir Path dir) {
    GeneratorConfig counted = GeneratorConfig.builder().count(10).rate(100).build();
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> PreparedTraffic.prepare(counted, Instant.now(), dir.resolve("t.bin")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--duration");
  }

  @Test
  void inventoryMovementsReachTheirTopicWithTheManifestCounts() throws Exception {
    GeneratorConfig config =
        GeneratorConfig.builder()
            .topic("pos_transactions_with_stock")
            .inventoryTopic("inventory_movements_reconcile")
            .streams(EnumSet.allOf(EventStream.class))
            .start(Instant.parse("2026-11-20T00:00:00Z"))
            .stores(5)
            .skus(100)
            .count(20_000)
            .malformedRate(0.02)
            .duplicateRate(0.03)
            .lateRate(0.02)
            .build();
    Manifest manifest = GenerateRun.run(config, KAFKA.bootstrapServers(), ProgressSink.none());

    assertThat(manifest.run().sendErrors()).as(manifest.run().firstSendError()).isZero();
    InventoryManifest inventory = manifest.inventory();
    List<ConsumerRecord<byte[], byte[]>> pos = consumeAll(config.topic());
    List<ConsumerRecord<byte[], byte[]>> movements = consumeAll(config.inventoryTopic());
    assertThat(pos).hasSize((int) manifest.counts().sent());
    assertThat(manifest.counts().sent()).isEqualTo(20_000);
    assertThat(movements).hasSize((int) inventory.counts().sent());
    assertThat(movements)
        .allSatisfy(
            r -> assertThat(new String(r.key(), StandardCharsets.UTF_8)).matches("S00[1-5]"));
    List<byte[]> values = movements.stream().map(ConsumerRecord::value).toList();
    List<StockBooks.Movement> distinct = StockBooks.distinctValid(values);
    long parsed = values.stream().filter(v -> StockBooks.parse(v) != null).count();
    assertThat(distinct).hasSize((int) inventory.counts().valid());
    assertThat(parsed - distinct.size()).isEqualTo(inventory.counts().duplicates());
    assertThat(values.size() - parsed).isEqualTo(inventory.counts().malformed());
    assertThat(inventory.counts().malformed()).isPositive();
    // The books kept from what the two topics hold close at the manifest's digest.
    Instant now = Instant.parse(manifest.lastEventTime()).plusSeconds(60);
    List<PosEvent> lines =
        Reconciliation.tally(pos.stream().map(ConsumerRecord::value).toList(), now).lines();
    LocalDate first = LocalDate.parse(inventory.closingStock().firstDate());
    LocalDate last = LocalDate.parse(inventory.closingStock().lastDate());
    assertThat(
            StockBooks.sha256(
                StockBooks.closing(StockBooks.entries(distinct, lines), first, last),
                config.stores(),
                config.skus(),
                first,
                last))
        .isEqualTo(inventory.closingStock().sha256());
    assertThat(manifest.withRun(null).toJson())
        .isEqualTo(ManifestTally.simulate(new ChainSimulator(config)).toJson());
  }

  @Test
  void commandWritesTheFullClosingStockWhenAsked(@TempDir Path dataDir) throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    Path summary = dataDir.resolve("summary.json");
    int exit =
        new CommandLine(new GenerateCommand())
            .setOut(new PrintWriter(out))
            .setErr(new PrintWriter(err))
            .execute(
                "--bootstrap-servers", KAFKA.bootstrapServers(),
                "--topic", "pos_transactions_cli_stock",
                "--streams", "pos,inventory",
                "--inventory-topic", "inventory_movements_cli",
                "--inventory-manifest", "full",
                "--stores", "3",
                "--skus", "50",
                "--count", "5000",
                "--start", "2026-11-20",
                "--data-dir", dataDir.toString(),
                "--summary-json", summary.toString());
    assertThat(exit).as(err.toString()).isZero();
    assertThat(out.toString()).contains("inventory: ", "expected closing stock: ", "sha256 ");
    Manifest written = Manifest.read(summary);
    InventoryManifest.ClosingStockDigest digest = written.inventory().closingStock();
    assertThat(digest.csv()).matches("generate-42-\\d{8}-\\d{6}-closing-stock\\.csv");
    Path csv = dataDir.resolve("manifests").resolve(digest.csv());
    byte[] bytes = Files.readAllBytes(csv);
    assertThat(StockBooks.sha256(bytes)).isEqualTo(digest.sha256());
    assertThat(Files.readAllLines(csv)).hasSize((int) digest.rows() + 1);
    assertThat(consumeAll("inventory_movements_cli"))
        .hasSize((int) written.inventory().counts().sent());
  }

  @Test
  void commandSendsAndWritesItsManifests(@TempDir Path dataDir) throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    Path summary = dataDir.resolve("out/summary.json");
    int exit =
        new CommandLine(new GenerateCommand())
            .setOut(new PrintWriter(out))
            .setErr(new PrintWriter(err))
            .execute(
                "--bootstrap-servers", KAFKA.bootstrapServers(),
                "--topic", "pos_transactions_cli",
                "--count", "3000",
                "--rate", "2000",
                "--start", "2026-11-20",
                "--malformed-rate", "0.1",
                "--data-dir", dataDir.toString(),
                "--summary-json", summary.toString());
    assertThat(exit).as(err.toString()).isZero();
    assertThat(out.toString()).contains("Sent 3,000 messages", "manifest: ");
    assertThat(err.toString()).contains("generate: ", "sent (");
    Manifest written = Manifest.read(summary);
    assertThat(written.counts().sent()).isEqualTo(3_000);
    assertThat(written.start()).isEqualTo("2026-11-20T00:00:00.000Z");
    // Paced at 2,000/s: at least ~1.5 s (pacing is what is checked; a busy machine only adds time,
    // so the upper bound is loose: it failed at 6.1 s on a loaded 2-core CI machine).
    assertThat(written.run().seconds()).isBetween(1.2, 60.0);
    try (Stream<Path> manifests = Files.list(dataDir.resolve("manifests"))) {
      List<Path> files = manifests.toList();
      assertThat(files).hasSize(1);
      assertThat(Files.readString(files.get(0))).doesNotContain("inventory");
      assertThat(files.get(0).getFileName().toString()).matches("generate-42-\\d{8}-\\d{6}\\.json");
      assertThat(Files.readString(files.get(0))).isEqualTo(Files.readString(summary));
    }
    assertThat(consumeAll("pos_transactions_cli")).hasSize(3_000);
  }

  @Test
  void liveModeStampsTheWallClock() throws Exception {
    GeneratorConfig config =
        GeneratorConfig.builder()
            .topic("pos_transactions_live")
            .duration(Duration.ofSeconds(2))
            .rate(500)
            .build();
    Instant before = Instant.now();
    Manifest manifest = GenerateRun.run(config, KAFKA.bootstrapServers(), ProgressSink.none());
    Instant after = Instant.now();
    assertThat(manifest.start()).isEqualTo("live");
    // the pace is a ceiling: a busy machine sends fewer (630 seen at load 7), never more
    assertThat(manifest.counts().sent()).isBetween(100L, 1_300L);
    assertThat(Instant.parse(manifest.firstEventTime())).isAfterOrEqualTo(before.minusMillis(1));
    assertThat(Instant.parse(manifest.lastEventTime())).isBeforeOrEqualTo(after);
  }

  private static List<ConsumerRecord<byte[], byte[]>> consumeAll(String topic) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .collect(Collectors.toList());
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long total = end.values().stream().mapToLong(Long::longValue).sum();
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (records.size() < total && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(500)).forEach(records::add);
      }
    }
    return records;
  }
}
