package com.retail.lakehouse.pipelines.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.retail.lakehouse.generator.GenerateRun;
import com.retail.lakehouse.generator.GeneratorConfig;
import com.retail.lakehouse.generator.ProgressSink;
import com.retail.lakehouse.localkafka.KafkaBrokerExtension;
import com.retail.lakehouse.pipelines.cli.LakehouseCommand;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import com.retail.lakehouse.transforms.tables.DeadLetterTable;
import com.retail.lakehouse.transforms.tables.RawTable;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.iceberg.Table;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka retention deletes messages the tables' position has not reached while ingest is down: the
 * next run counts them in its summary and records the deleted ranges in the snapshot of each
 * table's commit that moves past them, so the table itself says where its gap is.
 */
class RetentionGapRecordedTest {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

  private static final String TOPIC = "retention_gap";

  @TempDir Path dataDir;

  @Test
  void theCommitPastADeletedRangeRecordsItInItsSnapshot() throws Exception {
    send(300, 1);
    assertThat(ingest("first.json")).isZero();
    send(200, 2); // offsets 300..499
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()))) {
      admin
          .deleteRecords(Map.of(new TopicPartition(TOPIC, 0), RecordsToDelete.beforeOffset(400)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }

    assertThat(ingest("second.json")).isZero();

    JsonNode summary = new ObjectMapper().readTree(dataDir.resolve("second.json").toFile());
    assertThat(summary.get("lost_to_retention").asLong()).isEqualTo(100);
    assertThat(summary.get("read").asLong()).isEqualTo(100);
    CatalogSettings catalog =
        CatalogSettings.of(
            CatalogSettings.Kind.HADOOP, dataDir.resolve("warehouse").toString(), null, Map.of());
    Table raw = catalog.catalog().loadTable(RawTable.DEFINITION.identifier());
    assertThat(raw.currentSnapshot().summary())
        .containsEntry(IngestTables.LOST_TO_RETENTION_KEY, "{\"0\":[300,400]}");
    Table deadLetters = catalog.catalog().loadTable(DeadLetterTable.DEFINITION.identifier());
    assertThat(deadLetters.currentSnapshot().summary())
        .containsEntry(IngestTables.LOST_TO_RETENTION_KEY, "{\"0\":[300,400]}");
    assertThat(raw.snapshot(raw.currentSnapshot().parentId()).summary())
        .doesNotContainKey(IngestTables.LOST_TO_RETENTION_KEY);
  }

  private int ingest(String summaryFile) {
    return LakehouseCommand.run(
        new String[] {
          "ingest",
          "--until-caught-up",
          "--topic=" + TOPIC,
          "--bootstrap-servers=" + KAFKA.bootstrapServers(),
          "--data-dir=" + dataDir,
          "--summary-json=" + dataDir.resolve(summaryFile)
        });
  }

  private static void send(long count, long seed) throws Exception {
    GenerateRun.run(
        GeneratorConfig.builder().seed(seed).count(count).partitions(1).topic(TOPIC).build(),
        KAFKA.bootstrapServers(),
        ProgressSink.none());
  }
}
