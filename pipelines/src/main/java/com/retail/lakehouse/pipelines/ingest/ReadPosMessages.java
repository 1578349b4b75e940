package com.retail.lakehouse.pipelines.ingest;

import com.retail.lakehouse.transforms.source.SourceMessage;
import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads exact offset ranges of a topic's partitions, one range per partition, as a bounded
 * collection: the catch-up read of an ingest run (from the position recorded in the tables to the
 * end offsets seen at the run's start).
 *
 * <p>Hand-written rather than KafkaIO because none of KafkaIO's bounded modes fits: {@code
 * withMaxNumRecords} (BoundedReadFromUnboundedSource) divides the record budget evenly across its
 * splits, so a split whose partitions hold fewer records waits forever, and KafkaIO's exact-range
 * read ({@code readSourceDescriptors} with stop offsets) is a splittable DoFn that is unbounded per
 * element, which makes the classic Spark runner run the whole job in streaming mode. Ranges are
 * read in parallel (one partition per worker), in offset order within a partition.
 */
final class ReadPosMessages extends PTransform<PBegin, PCollection<SourceMessage>> {
  /** Offsets [start, end) of one partition. */
  record PartitionRange(String topic, int partition, long start, long end)
      implements Serializable {}

  private final String bootstrapServers;
  private final List<PartitionRange> ranges;
  private final Duration maxReadTime;

  ReadPosMessages(String bootstrapServers, List<PartitionRange> ranges, Duration maxReadTime) {
    this.bootstrapServers = bootstrapServers;
    this.ranges = ranges;
    this.maxReadTime = maxReadTime;
  }

  /** The ranges [start, end) of every partition with something to read, capped at maxRecords. */
  static List<PartitionRange> plan(
      String topic, Map<Integer, Long> start, Map<Integer, Long> end, long maxRecords) {
    java.util.ArrayList<PartitionRange> ranges = new java.util.ArrayList<>();
    long pending = 0;
    for (int p : start.keySet()) {
      pending += Math.max(0, end.get(p) - start.get(p));
    }
    double share = maxRecords > 0 && maxRecords < pending ? (double) maxRecords / pending : 1.0;
    for (int p : start.keySet()) {
      long available = Math.max(0, end.get(p) - start.get(p));
      long take = share >= 1.0 ? available : (long) Math.ceil(available * share);
      if (take > 0) {
        ranges.add(new PartitionRange(topic, p, start.get(p), start.get(p) + take));
      }
    }
    return ranges;
  }

  @Override
  public PCollection<SourceMessage> expand(PBegin begin) {
    return begin
        .apply(
            "PartitionRanges",
            Create.of(ranges).withCoder(SerializableCoder.of(PartitionRange.class)))
        .apply("SpreadOverWorkers", Reshuffle.viaRandomKey())
        .apply(
            "ReadRange",
            ParDo.of(
                new ReadRangeFn(
                    bootstrapServers, maxReadTime == null ? 0 : maxReadTime.toMillis())))
        .setCoder(SourceMessage.Coder.of());
  }

  /** Polls one partition from its start offset until its end offset (or the read time is up). */
  static final class ReadRangeFn extends DoFn<PartitionRange, SourceMessage> {
    private final String bootstrapServers;
    private final long maxReadMillis;

    ReadRangeFn(String bootstrapServers, long maxReadMillis) {
      this.bootstrapServers = bootstrapServers;
      this.maxReadMillis = maxReadMillis;
    }

    @ProcessElement
    public void process(@Element PartitionRange range, OutputReceiver<SourceMessage> out) {
      Properties props = new Properties();
      props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
      props.put(
          ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
      props.put(
          ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
      props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
      props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000);
      props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 64 * 1024 * 1024);
      props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 * 1024 * 1024);
      TopicPartition tp = new TopicPartition(range.topic(), range.partition());
      Instant deadline = maxReadMillis > 0 ? Instant.now().plusMillis(maxReadMillis) : Instant.MAX;
      try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
        consumer.assign(List.of(tp));
        consumer.seek(tp, range.start());
        long next = range.start();
        while (next < range.end() && Instant.now().isBefore(deadline)) {
          ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(500));
          for (ConsumerRecord<byte[], byte[]> r : records.records(tp)) {
            if (r.offset() >= range.end()) {
              break;
            }
            out.output(
                new SourceMessage(
                    r.topic(), r.partition(), r.offset(), r.timestamp(), r.key(), r.value()));
          }
          // The position moves past transaction markers too, so compare it, not the last record.
          next = consumer.position(tp);
        }
      }
    }
  }
}
