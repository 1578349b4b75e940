package com.retail.lakehouse.pipelines.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.retail.lakehouse.localkafka.KafkaBrokerExtension;
import com.retail.lakehouse.pipelines.ingest.ReadPosMessages.PartitionRange;
import com.retail.lakehouse.pipelines.run.PipelineCounters;
import com.retail.lakehouse.transforms.metrics.MetricNames;
import com.retail.lakehouse.transforms.source.SourceMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A catch-up read whose planned range starts at offsets Kafka deleted after the plan (retention,
 * here forced with Kafka's deleteRecords, which moves the log start the same way) reads every
 * message that still exists and counts the deleted ones; it never jumps to the log end.
 */
class ReadAfterRetentionTest {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

  /** Offsets the reader emitted, per test topic (the DirectRunner runs in this JVM). */
  static final Map<String, Set<Long>> READ = new ConcurrentHashMap<>();

  static final class CollectOffsets extends DoFn<SourceMessage, Void> {
    @ProcessElement
    public void process(@Element SourceMessage m) {
      READ.computeIfAbsent(m.topic(), t -> ConcurrentHashMap.newKeySet()).add(m.offset());
    }
  }

  private static Admin admin() {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
    return Admin.create(props);
  }

  private static void produce(String topic, int count) throws Exception {
    try (Admin admin = admin()) {
      admin
          .createTopics(List.of(new NewTopic(topic, 1, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
      for (int i = 0; i < count; i++) {
        producer.send(
            new ProducerRecord<>(
                topic,
                0,
                "S1".getBytes(StandardCharsets.UTF_8),
                ("m" + i).getBytes(StandardCharsets.UTF_8)));
      }
    }
  }

  private static void deleteBefore(String topic, long offset) throws Exception {
    try (Admin admin = admin()) {
      admin
          .deleteRecords(Map.of(new TopicPartition(topic, 0), RecordsToDelete.beforeOffset(offset)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
  }

  private static PipelineResult read(String topic, long start, long end) {
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    p.apply(
            new ReadPosMessages(
                KAFKA.bootstrapServers(),
                List.of(new PartitionRange(topic, 0, start, end)),
                null,
                1,
                Duration.ofSeconds(30)))
        .apply(ParDo.of(new CollectOffsets()));
    PipelineResult result = p.run();
    result.waitUntilFinish();
    return result;
  }

  @Test
  void offsetsDeletedAfterThePlanAreCountedAndTheRestIsRead() throws Exception {
    String topic = "retention-prefix";
    produce(topic, 100);
    // planned [0, 100) while the log still started at 0; then Kafka deletes offsets below 40
    deleteBefore(topic, 40);

    PipelineResult result = read(topic, 0, 100);

    assertThat(READ.get(topic))
        .containsExactlyInAnyOrderElementsOf(LongStream.range(40, 100).boxed().toList());
    PipelineCounters counters = PipelineCounters.of(result);
    assertThat(counters.get(MetricNames.LOST_TO_RETENTION)).isEqualTo(40);
    assertThat(counters.get(MetricNames.lostToRetention(0))).isEqualTo(40);
  }

  @Test
  void aRangeDeletedWholeIsCountedAndTheReadEnds() throws Exception {
    String topic = "retention-all";
    produce(topic, 30);
    deleteBefore(topic, 30);

    PipelineResult result = read(topic, 0, 30);

    assertThat(READ.get(topic)).isNull();
    assertThat(PipelineCounters.of(result).get(MetricNames.LOST_TO_RETENTION)).isEqualTo(30);
  }
}
