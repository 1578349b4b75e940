package com.retail.lakehouse.pipelines.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.retail.lakehouse.localkafka.KafkaBrokerExtension;
import com.retail.lakehouse.pipelines.conformance.LakehouseTables;
import com.retail.lakehouse.pipelines.run.PipelineArgs;
import com.retail.lakehouse.pipelines.run.RunSummary;
import com.retail.lakehouse.transforms.event.DeadLetterReason;
import com.retail.lakehouse.transforms.event.EventType;
import com.retail.lakehouse.transforms.event.PosEvent;
import com.retail.lakehouse.transforms.event.PosEventJson;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import com.retail.lakehouse.transforms.validate.ParseAndValidate;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.iceberg.data.Record;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile payloads through the whole ingest on a real broker: messages built to make a parser
 * throw, allocate without bound or take super-linear time (10,000-deep nesting, a number of a
 * million digits, a 20 MB message, NUL bytes, invalid UTF-8, a field given twice, quantity 1e400, a
 * byte order mark, 100,000 fields, the "poison pill" money value 1e999999999) between valid events,
 * then one catch-up run ({@link CatchUpIngest#run}). Each hostile message must land in the
 * dead-letter table with its reason and its original bytes, the valid ones in raw, nothing
 * unaccounted, and the run must finish in bounded time: a message whose content could stop a run
 * would stop every later run too, since each starts again from the tables' position.
 */
class HostilePayloadIngestTest {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

  private static final String TOPIC = "pos_hostile";
  private static final int TWENTY_MB = 20 * 1024 * 1024;

  /** The broker takes 16 MiB messages; this topic takes the 20 MB one too. */
  private static final int TOPIC_MAX_MESSAGE_BYTES = 32 * 1024 * 1024;

  private static final Duration RUN_BOUND = Duration.ofMinutes(4);

  @TempDir static Path dataDir;

  /** One payload sent to Kafka and what the ingest must make of it (null: a raw row). */
  record Sent(String what, byte[] payload, DeadLetterReason reason) {}

  private static final Instant EVENT_TIME = Instant.now().minus(1, ChronoUnit.HOURS);

  private static PosEvent sale(String transactionId) {
    return new PosEvent(
        "E-" + transactionId,
        transactionId,
        1,
        EventType.SALE,
        "S007",
        "S007-R2",
        "S007-C03",
        "Organic Whole Milk 1L",
        "SKU-00042",
        "Dairy",
        2,
        new BigDecimal("1.99"),
        new BigDecimal("0.00"),
        new BigDecimal("3.98"),
        "USD",
        "CARD",
        null,
        EVENT_TIME.truncatedTo(ChronoUnit.MILLIS));
  }

  private static String validJson(String transactionId) {
    return new String(PosEventJson.toJson(sale(transactionId)), StandardCharsets.UTF_8);
  }

  /** A valid event's JSON with one field's value replaced by raw JSON text. */
  private static byte[] withField(String transactionId, String field, String rawValue) {
    String json = validJson(transactionId);
    String marker = "\"" + field + "\":";
    int start = json.indexOf(marker) + marker.length();
    int end = start;
    if (json.charAt(start) == '"') {
      end = json.indexOf('"', start + 1) + 1;
    } else {
      while (",}".indexOf(json.charAt(end)) < 0) {
        end++;
      }
    }
    return utf8(json.substring(0, start) + rawValue + json.substring(end));
  }

  /** A valid event's JSON with raw members put first in the object. */
  private static byte[] withLeadingMembers(String transactionId, String members) {
    return utf8("{" + members + "," + validJson(transactionId).substring(1));
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static List<Sent> payloads() {
    List<Sent> sent = new ArrayList<>();
    sent.add(new Sent("valid event 1", utf8(validJson("T-1")), null));
    sent.add(
        new Sent(
            "10,000-deep nested JSON",
            withLeadingMembers("T-H1", "\"extra\":" + "[".repeat(10_000) + "]".repeat(10_000)),
            DeadLetterReason.LIMIT_EXCEEDED));
    StringBuilder digits = new StringBuilder("9");
    while (digits.length() < 1_000_000) {
      digits.append((char) ('0' + digits.length() % 10));
    }
    sent.add(
        new Sent(
            "a number with 1,000,000 digits (unit_price)",
            withField("T-H2", "unit_price", digits.toString()),
            DeadLetterReason.AMOUNT_OUT_OF_RANGE));
    sent.add(
        new Sent(
            "a 20 MB message",
            withField("T-H3", "product", "\"" + "p".repeat(TWENTY_MB) + "\""),
            DeadLetterReason.PAYLOAD_TOO_LARGE));
    byte[] nul = utf8(validJson("T-H4"));
    nul[new String(nul, StandardCharsets.UTF_8).indexOf("Whole")] = 0;
    sent.add(new Sent("a NUL byte in a string", nul, DeadLetterReason.NOT_JSON));
    sent.add(
        new Sent(
            "NUL bytes only",
            new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
            DeadLetterReason.NOT_JSON));
    byte[] invalid = utf8(validJson("T-H5"));
    int at = new String(invalid, StandardCharsets.UTF_8).indexOf("Organic");
    invalid[at] = (byte) 0xC3;
    invalid[at + 1] = (byte) 0x28;
    sent.add(new Sent("invalid UTF-8", invalid, DeadLetterReason.INVALID_UTF8));
    sent.add(
        new Sent(
            "a field twice in one object (unit_price)",
            withLeadingMembers("T-H6", "\"unit_price\":\"0.01\""),
            DeadLetterReason.DUPLICATE_FIELD));
    sent.add(
        new Sent(
            "\"quantity\": 1e400",
            withField("T-H7", "quantity", "1e400"),
            DeadLetterReason.WRONG_TYPE));
    ByteArrayOutputStream bom = new ByteArrayOutputStream();
    bom.writeBytes(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
    bom.writeBytes(utf8(validJson("T-H8")));
    sent.add(new Sent("BOM-prefixed JSON", bom.toByteArray(), DeadLetterReason.NOT_JSON));
    StringBuilder fields = new StringBuilder();
    for (int i = 0; i < 100_000; i++) {
      fields.append(i == 0 ? "" : ",").append('"').append(Integer.toString(i, 36)).append("\":1");
    }
    sent.add(
        new Sent(
            "100,000 fields",
            withLeadingMembers("T-H9", fields.toString()),
            DeadLetterReason.LIMIT_EXCEEDED));
    sent.add(new Sent("valid event 2", utf8(validJson("T-2")), null));
    sent.add(
        new Sent(
            "poison pill \"unit_price\": \"1e999999999\"",
            withField("T-H10", "unit_price", "\"1e999999999\""),
            DeadLetterReason.AMOUNT_OUT_OF_RANGE));
    sent.add(
        new Sent(
            "poison pill \"total_amount\": 1E+2147483647 (number)",
            withField("T-H11", "total_amount", "1E+2147483647"),
            DeadLetterReason.AMOUNT_OUT_OF_RANGE));
    sent.add(
        new Sent(
            "\"discount\": 1e-999999999 (a billion decimals)",
            withField("T-H12", "discount", "1e-999999999"),
            DeadLetterReason.AMOUNT_OUT_OF_RANGE));
    sent.add(
        new Sent(
            "\"unit_price\": NaN",
            withField("T-H13", "unit_price", "NaN"),
            DeadLetterReason.NOT_JSON));
    sent.add(
        new Sent(
            "UTF-16 JSON",
            validJson("T-H14").getBytes(StandardCharsets.UTF_16LE),
            DeadLetterReason.NOT_JSON));
    sent.add(new Sent("valid event 3", utf8(validJson("T-3")), null));
    return sent;
  }

  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void eachHostilePayloadIsADeadLetterWithItsReasonAndTheRunFinishes() throws Exception {
    List<Sent> sent = payloads();
    send(sent);
    IngestOptions options =
        PipelineArgs.parse(
            "ingest",
            new String[] {
              "--until-caught-up", "--topic=" + TOPIC, "--data-dir=" + dataDir, "--readers=1"
            },
            IngestOptions.class);
    CatalogSettings catalog =
        CatalogSettings.of(
            CatalogSettings.Kind.HADOOP,
            dataDir.resolve("warehouse").toAbsolutePath().toString(),
            null,
            Map.of());

    long t0 = System.nanoTime();
    RunSummary summary = CatchUpIngest.run(options, KAFKA.bootstrapServers(), catalog);
    Duration took = Duration.ofNanos(System.nanoTime() - t0);

    long valid = sent.stream().filter(s -> s.reason() == null).count();
    assertThat(took).as("one catch-up run over the hostile payloads").isLessThan(RUN_BOUND);
    assertThat(((Number) summary.get("read")).longValue()).isEqualTo(sent.size());
    assertThat(((Number) summary.get("unaccounted")).longValue()).isZero();
    assertThat(((Number) summary.get("raw_written")).longValue()).isEqualTo(valid);
    assertThat(((Number) summary.get("dead_letters")).longValue()).isEqualTo(sent.size() - valid);

    LakehouseTables tables = new LakehouseTables(catalog);
    assertThat(tables.raw())
        .extracting(r -> (String) r.getField("transaction_id"))
        .containsExactlyInAnyOrder("T-1", "T-2", "T-3");
    Map<Long, Record> deadLetters = new TreeMap<>();
    for (Record r : tables.deadLetters()) {
      deadLetters.put((Long) r.getField("kafka_offset"), r);
    }
    Map<String, String> reasons = new LinkedHashMap<>();
    for (int offset = 0; offset < sent.size(); offset++) {
      Sent s = sent.get(offset);
      Record r = deadLetters.get((long) offset);
      if (s.reason() == null) {
        assertThat(r).as(s.what()).isNull();
        continue;
      }
      assertThat(r).as(s.what() + " in the dead-letter table").isNotNull();
      reasons.put(s.what(), r.getField("reason") + ": " + r.getField("reason_detail"));
      assertThat(r.getField("reason")).as(s.what()).isEqualTo(s.reason().name());
      assertThat(r.getField("payload_size")).as(s.what()).isEqualTo(s.payload().length);
      int keep = ParseAndValidate.DEFAULT_DEAD_LETTER_KEEP_BYTES; // what a dead letter keeps
      assertThat(r.getField("payload_truncated")).isEqualTo(s.payload().length > keep);
      assertThat(Base64.getDecoder().decode((String) r.getField("payload_base64")))
          .as(s.what() + ": the original bytes")
          .isEqualTo(Arrays.copyOf(s.payload(), Math.min(keep, s.payload().length)));
    }
    System.err.printf("hostile payloads: one catch-up run in %d ms%n", took.toMillis());
    reasons.forEach((what, reason) -> System.err.printf("  %-50s -> %s%n", what, reason));
  }

  private static void send(List<Sent> sent) throws Exception {
    Properties admin = new Properties();
    admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
    try (Admin client = Admin.create(admin)) {
      client
          .createTopics(
              List.of(
                  new NewTopic(TOPIC, 1, (short) 1)
                      .configs(
                          Map.of("max.message.bytes", String.valueOf(TOPIC_MAX_MESSAGE_BYTES)))))
          .all()
          .get();
    }
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
    props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, TOPIC_MAX_MESSAGE_BYTES);
    props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 2L * TOPIC_MAX_MESSAGE_BYTES);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    byte[] key = "S007".getBytes(StandardCharsets.UTF_8);
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (Sent s : sent) { // one at a time: the offsets are the list's indexes
        producer.send(new ProducerRecord<>(TOPIC, 0, key, s.payload())).get();
      }
    }
  }
}
