package com.retail.lakehouse.pipelines.ingest;

import com.retail.lakehouse.transforms.source.SourceMessage;
import java.util.Collection;
import java.util.Map;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.io.Read;
import org.apache.beam.sdk.io.UnboundedSource;
import org.apache.beam.sdk.io.kafka.KafkaCheckpointMark;
import org.apache.beam.sdk.io.kafka.KafkaIO;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The continuous read of the streaming ingest: KafkaIO's unbounded reader of the topic, which
 * starts at the given offsets (the tables' recorded position). It commits no consumer group
 * offsets: the launcher moves the group to the tables' positions as commits land (for lag tools),
 * and a restarted job resumes from the tables again.
 *
 * <p>The start offsets are applied by the consumer itself (KafkaIO's legacy reader has no
 * per-partition start offsets): its {@code assign} seeks each partition to its start, and KafkaIO
 * then reads from there unless it resumes a reader from its own checkpoint. Starting from the
 * group's offsets instead lost messages in a test, when the reader still committed them: a stopped
 * job's reader could commit the group's offsets after the next job had set them.
 *
 * <p>Each message is stamped with the time it was read ({@link ReadTimePolicy}: the wall clock, but
 * a partition's time never goes back, even when the wall clock steps back), so within a partition
 * offsets and timestamps rise together and no message is stamped behind the watermark: a commit
 * window then covers a contiguous range of offsets of each partition, which is what lets a commit
 * record "everything below this offset" as done.
 *
 * <p>After each commit window ends the read can rest a moment ({@code restAfterWindow}), so the
 * window's watermark gets through the job's steps without waiting for a moment when none has a
 * bundle open ({@link StreamingReadSource}).
 */
final class ReadKafkaStream extends PTransform<PBegin, PCollection<SourceMessage>> {
  private final String bootstrapServers;
  private final String topic;
  private final String consumerGroup;
  private final Map<Integer, Long> startOffsets;
  private final ReadTimePolicy.ReadClock clock;
  private final java.time.Duration commitInterval;
  private final java.time.Duration restAfterWindow;

  ReadKafkaStream(
      String bootstrapServers,
      String topic,
      String consumerGroup,
      Map<Integer, Long> startOffsets,
      ReadTimePolicy.ReadClock clock,
      java.time.Duration commitInterval,
      java.time.Duration restAfterWindow) {
    this.bootstrapServers = bootstrapServers;
    this.topic = topic;
    this.consumerGroup = consumerGroup;
    this.startOffsets = new java.util.TreeMap<>(startOffsets);
    this.clock = clock;
    this.commitInterval = commitInterval;
    this.restAfterWindow = restAfterWindow;
  }

  @Override
  public PCollection<SourceMessage> expand(PBegin begin) {
    KafkaIO.Read<byte[], byte[]> read =
        KafkaIO.<byte[], byte[]>read()
            .withKeyDeserializerAndCoder(ByteArrayDeserializer.class, ByteArrayCoder.of())
            .withValueDeserializerAndCoder(ByteArrayDeserializer.class, ByteArrayCoder.of())
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
            .withConsumerFactoryFn(new StartingAt(startOffsets))
            .withTimestampPolicyFactory(new ReadTimePolicy(clock));
    read.validate(begin.getPipeline().getOptions());
    return begin
        .apply(
            "KafkaIO",
            Read.from(
                StreamingReadSource.of(kafkaSource(read), commitInterval, restAfterWindow, clock)))
        .apply("ToSourceMessage", ParDo.of(new ToSourceMessageFn()));
  }

  /**
   * KafkaIO's own unbounded source for {@code read}, as its expansion builds it; taken directly so
   * that it can be read {@link StreamingReadSource without the reader's metrics}. KafkaIO keeps the
   * method package-private, hence the reflection; a Beam upgrade that removes it fails every
   * streaming test at once, with this message.
   */
  @SuppressWarnings("unchecked")
  static UnboundedSource<KafkaRecord<byte[], byte[]>, KafkaCheckpointMark> kafkaSource(
      KafkaIO.Read<byte[], byte[]> read) {
    try {
      java.lang.reflect.Method makeSource = KafkaIO.Read.class.getDeclaredMethod("makeSource");
      makeSource.setAccessible(true);
      return (UnboundedSource<KafkaRecord<byte[], byte[]>, KafkaCheckpointMark>)
          makeSource.invoke(read);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(
          "this Beam version's KafkaIO.Read has no makeSource(): the streaming read needs it", e);
    }
  }

  /**
   * Creates KafkaIO's consumers, each positioned at the start offsets when partitions are assigned.
   */
  static final class StartingAt
      implements SerializableFunction<Map<String, Object>, Consumer<byte[], byte[]>> {
    private final java.util.TreeMap<Integer, Long> startOffsets;

    StartingAt(Map<Integer, Long> startOffsets) {
      this.startOffsets = new java.util.TreeMap<>(startOffsets);
    }

    @Override
    public Consumer<byte[], byte[]> apply(Map<String, Object> config) {
      return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer()) {
        @Override
        public void assign(Collection<TopicPartition> partitions) {
          super.assign(partitions);
          for (TopicPartition tp : partitions) {
            Long start = startOffsets.get(tp.partition());
            if (start != null) {
              seek(tp, start);
            }
          }
        }
      };
    }
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
