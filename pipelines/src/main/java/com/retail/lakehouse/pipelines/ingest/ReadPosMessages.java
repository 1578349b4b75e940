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
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.joda.time.Duration;

/**
 * Reads POS messages from Kafka with KafkaIO as raw bytes (parsing is ours, so a bad payload
 * becomes a dead letter instead of a deserializer exception). The reader starts at the consumer
 * group's offsets, which ingest sets from the tables' recorded position before each run.
 */
final class ReadPosMessages extends PTransform<PBegin, PCollection<SourceMessage>> {
  private final String bootstrapServers;
  private final String topic;
  private final String group;
  private final long maxRecords;
  private final java.time.Duration maxReadTime;

  ReadPosMessages(
      String bootstrapServers,
      String topic,
      String group,
      long maxRecords,
      java.time.Duration maxReadTime) {
    this.bootstrapServers = bootstrapServers;
    this.topic = topic;
    this.group = group;
    this.maxRecords = maxRecords;
    this.maxReadTime = maxReadTime;
  }

  @Override
  public PCollection<SourceMessage> expand(PBegin begin) {
    KafkaIO.Read<byte[], byte[]> read =
        KafkaIO.<byte[], byte[]>read()
            .withBootstrapServers(bootstrapServers)
            .withTopic(topic)
            .withKeyDeserializer(ByteArrayDeserializer.class)
            .withValueDeserializer(ByteArrayDeserializer.class)
            .withReadCommitted()
            .withConsumerConfigUpdates(
                Map.of(
                    ConsumerConfig.GROUP_ID_CONFIG, group,
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                    ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000,
                    ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 64 * 1024 * 1024,
                    ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 8 * 1024 * 1024));
    if (maxRecords > 0) {
      read = read.withMaxNumRecords(maxRecords);
    }
    if (maxReadTime != null) {
      read = read.withMaxReadTime(Duration.millis(maxReadTime.toMillis()));
    }
    return begin
        .apply("KafkaIO", read)
        .apply("ToSourceMessage", ParDo.of(new ToSourceMessageFn()))
        .setCoder(SourceMessage.Coder.of());
  }

  /** Keeps the bytes and the coordinates of a Kafka record. */
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
