package com.retail.lakehouse.pipelines.ingest;

import com.retail.lakehouse.transforms.source.SourceMessage;
import java.util.Map;
import org.apache.beam.sdk.io.kafka.KafkaIO;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/**
 * The continuous read of the streaming ingest: KafkaIO's unbounded reader of the topic, which
 * starts from the consumer group's offsets (set from the tables' recorded position before the job
 * starts) and commits the group's offsets as bundles finalize (on Flink: when a checkpoint
 * completes). Those group offsets only show lag: a restarted job resumes from the tables again.
 *
 * <p>Each message is stamped with the time it was read (KafkaIO's default processing-time policy),
 * so within a partition offsets and timestamps rise together: a commit window then covers a
 * contiguous range of offsets of each partition, which is what lets a commit record "everything
 * below this offset" as done.
 */
final class ReadKafkaStream extends PTransform<PBegin, PCollection<SourceMessage>> {
  private final String bootstrapServers;
  private final String topic;
  private final String consumerGroup;

  ReadKafkaStream(String bootstrapServers, String topic, String consumerGroup) {
    this.bootstrapServers = bootstrapServers;
    this.topic = topic;
    this.consumerGroup = consumerGroup;
  }

  @Override
  public PCollection<SourceMessage> expand(PBegin begin) {
    return begin
        .apply(
            "KafkaIO",
            KafkaIO.readBytes()
                .withBootstrapServers(bootstrapServers)
                .withTopic(topic)
                .withConsumerConfigUpdates(
                    Map.of(
                        ConsumerConfig.GROUP_ID_CONFIG,
                        consumerGroup,
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                        "earliest",
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                        false,
                        ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
                        16 * 1024 * 1024))
                .commitOffsetsInFinalize())
        .apply("ToSourceMessage", ParDo.of(new ToSourceMessageFn()));
  }

  /** KafkaIO's record -> our message type (original bytes plus Kafka coordinates). */
  static final class ToSourceMessageFn extends DoFn<KafkaRecord<byte[], byte[]>, SourceMessage> {
    @ProcessElement
    public void process(
        @Element KafkaRecord<byte[], byte[]> record, OutputReceiver<SourceMessage> out) {
      out.output(
          new SourceMessage(
              record.getTopic(),
              record.getPartition(),
              record.getOffset(),
              record.getTimestamp(),
              record.getKV().getKey(),
              record.getKV().getValue()));
    }
  }
}
