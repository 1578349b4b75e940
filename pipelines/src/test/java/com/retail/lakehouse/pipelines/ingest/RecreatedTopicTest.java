package com.retail.lakehouse.pipelines.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.retail.lakehouse.generator.GenerateRun;
import com.retail.lakehouse.generator.GeneratorConfig;
import com.retail.lakehouse.generator.ProgressSink;
import com.retail.lakehouse.localkafka.KafkaBrokerExtension;
import com.retail.lakehouse.pipelines.cli.LakehouseCommand;
import com.retail.lakehouse.pipelines.conformance.CommandRun;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A topic deleted and re-created under tables that recorded positions in its old log: ingest stops
 * with a one-line error instead of calling itself caught up (and skipping the new messages).
 */
class RecreatedTopicTest {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

  @TempDir Path dataDir;

  private int ingest(String topic) {
    return LakehouseCommand.run(
        new String[] {
          "ingest",
          "--until-caught-up",
          "--topic=" + topic,
          "--bootstrap-servers=" + KAFKA.bootstrapServers(),
          "--data-dir=" + dataDir
        });
  }

  private static void generate(String topic, long count, long seed) throws Exception {
    GenerateRun.run(
        GeneratorConfig.builder().seed(seed).count(count).partitions(1).topic(topic).build(),
        KAFKA.bootstrapServers(),
        ProgressSink.none());
  }

  @Test
  void positionsBeyondTheLogEndStopIngestWithAHint() throws Exception {
    String topic = "recreated";
    generate(topic, 500, 1);
    assertThat(ingest(topic)).isZero();
    try (KafkaPositions kafka =
        new KafkaPositions(KAFKA.bootstrapServers(), topic, Duration.ofSeconds(30))) {
      kafka.deleteTopic();
    }
    generate(topic, 100, 2); // the new log ends far below the tables' position

    CommandRun run =
        CommandRun.of(
            "ingest",
            "--until-caught-up",
            "--topic=" + topic,
            "--bootstrap-servers=" + KAFKA.bootstrapServers(),
            "--data-dir=" + dataDir);

    assertThat(run.code()).isEqualTo(1);
    assertThat(run.stderr()).contains("the topic was deleted and re-created");
  }
}
