package com.retail.lakehouse.pipelines.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.retail.lakehouse.generator.DailyExpectation;
import com.retail.lakehouse.generator.GenerateRun;
import com.retail.lakehouse.generator.GeneratorConfig;
import com.retail.lakehouse.generator.Manifest;
import com.retail.lakehouse.generator.ProgressSink;
import com.retail.lakehouse.localkafka.KafkaBrokerExtension;
import com.retail.lakehouse.pipelines.cli.LakehouseCommand;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Generator (with malformed, duplicate and late events) -> real Kafka broker -> ingest
 * --until-caught-up on the DirectRunner -> real Iceberg tables, reconciled with the manifest.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IngestEndToEndTest {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

  @TempDir static Path dataDir;

  static Manifest manifest;

  @BeforeAll
  static void generate() throws Exception {
    manifest =
        GenerateRun.run(
            GeneratorConfig.builder()
                .seed(5)
                .count(20_000)
                .malformedRate(0.02)
                .duplicateRate(0.02)
                .lateRate(0.02)
                .build(),
            KAFKA.bootstrapServers(),
            ProgressSink.none());
    assertThat(manifest.counts().malformed()).isPositive();
    assertThat(manifest.counts().duplicates()).isPositive();
    assertThat(manifest.counts().late()).isPositive();
  }

  @Test
  @Order(1)
  void catchUpRunLandsExactlyTheManifest() throws Exception {
    JsonNode summary = ingest("first.json");

    assertThat(summary.get("read").asLong()).isEqualTo(manifest.counts().sent());
    assertThat(summary.get("raw_written").asLong()).isEqualTo(manifest.counts().valid());
    assertThat(summary.get("dead_letters").asLong()).isEqualTo(manifest.counts().malformed());
    assertThat(summary.get("duplicates_dropped").asLong()).isEqualTo(manifest.counts().duplicates());
    assertThat(summary.get("unaccounted").asLong()).isZero();
    assertThat(summary.get("lag").asLong()).isZero();

    List<Record> raw = new LakehouseTables(dataDir).raw();
    assertThat(raw).hasSize((int) manifest.counts().valid());
    Set<String> keys = new HashSet<>();
    for (Record r : raw) {
      assertThat(keys.add(r.getField("transaction_id") + "#" + r.getField("line_number")))
          .as("no sale line twice in raw")
          .isTrue();
    }
    Map<String, BigDecimal> expected = new TreeMap<>();
    for (DailyExpectation day : manifest.expectedDaily()) {
      expected.put(day.storeId() + "|" + day.saleDate(), day.netRevenue());
    }
    Map<String, BigDecimal> actual = LakehouseTables.revenueByStoreDay(raw);
    assertThat(actual.keySet()).isEqualTo(expected.keySet());
    expected.forEach((k, v) -> assertThat(actual.get(k)).as(k).isEqualByComparingTo(v));

    List<Record> dead = new LakehouseTables(dataDir).deadLetters();
    Map<String, Long> byReason = new TreeMap<>();
    for (Record r : dead) {
      byReason.merge((String) r.getField("reason"), 1L, Long::sum);
      assertThat((String) r.getField("payload_base64")).isNotNull();
    }
    assertThat(byReason).isEqualTo(manifest.malformedByReason());
  }

  @Test
  @Order(2)
  void secondRunFindsNothingNewAndChangesNothing() throws Exception {
    int rawBefore = new LakehouseTables(dataDir).raw().size();
    JsonNode summary = ingest("second.json");
    assertThat(summary.get("read").asLong()).isZero();
    assertThat(new LakehouseTables(dataDir).raw()).hasSize(rawBefore);
  }

  @Test
  @Order(3)
  void wrongFlagGivesOneLineAndExitCode2() {
    int code =
        LakehouseCommand.run(
            new String[] {"ingest", "--no-such-flag=1", "--data-dir", dataDir.toString()});
    assertThat(code).isEqualTo(2);
  }

  private static JsonNode ingest(String summaryName) throws Exception {
    Path summary = dataDir.resolve(summaryName);
    int code =
        LakehouseCommand.run(
            new String[] {
              "ingest",
              "--until-caught-up",
              "--bootstrap-servers=" + KAFKA.bootstrapServers(),
              "--data-dir=" + dataDir,
              "--summary-json=" + summary
            });
    assertThat(code).isZero();
    return new ObjectMapper().readTree(Files.readString(summary));
  }
}
