package com.retail.lakehouse.pipelines.ingest;

import com.retail.lakehouse.transforms.metrics.LiveCounters;
import com.retail.lakehouse.transforms.metrics.MetricNames;
import com.retail.lakehouse.transforms.source.SourceMessage;
import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads exact offset ranges of a topic's partitions, one range per partition, as a bounded
 * collection: the catch-up read of an ingest run (from the position recorded in the tables to the
 * end offsets seen at the run's start).
 *
 * <p>Hand-written rather than KafkaIO because none of KafkaIO's bounded modes fits: {@code
 * withMaxNumRecords} (BoundedReadFromUnboundedSource) divides the record budget evenly across its
 * splits, so a split whose partitions hold fewer records waits forever, and KafkaIO's exact-range
 * read ({@code readSourceDescriptors} with stop offsets) is a splittable DoFn that is unbounded per
 * element, which makes the classic Spark runner run the whole job in streaming mode. Partitions are
 * dealt into one group per reader ({@link #groups}); groups are read in parallel, in offset order
 * within a partition.
 */
final class ReadPosMessages extends PTransform<PBegin, PCollection<SourceMessage>> {
  /** Offsets [start, end) of one partition. */
  record PartitionRange(String topic, int partition, long start, long end)
      implements Serializable {}

  private final String bootstrapServers;
  private final List<PartitionRange> ranges;
  private final Duration maxReadTime;
  private final int readers;
  private final Duration kafkaTimeout;

  /**
   * Reads {@code ranges} with {@code readers} parallel readers, for at most {@code maxReadTime}
   * (null: until every range is read); a reader fails with a {@link KafkaUnavailableException} when
   * it got no message for {@code kafkaTimeout} and the broker does not answer either.
   */
  ReadPosMessages(
      String bootstrapServers,
      List<PartitionRange> ranges,
      Duration maxReadTime,
      int readers,
      Duration kafkaTimeout) {
    this.bootstrapServers = bootstrapServers;
    this.ranges = ranges;
    this.maxReadTime = maxReadTime;
    this.readers = readers;
    this.kafkaTimeout = kafkaTimeout;
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

  /**
   * The ranges dealt into at most {@code readers} groups of about the same number of messages
   * (largest range first, each to the lightest group): one group per parallel reader. A partition
   * is never split over two groups, so every copy of a sale line (messages are keyed by store)
   * reaches one reader.
   */
  static List<List<PartitionRange>> groups(List<PartitionRange> ranges, int readers) {
    if (readers < 1) {
      throw new IllegalArgumentException("a catch-up run needs at least 1 reader, got " + readers);
    }
    int n = Math.max(1, Math.min(readers, ranges.size())); // no ranges: one empty group
    List<List<PartitionRange>> groups = new ArrayList<>();
    long[] load = new long[n];
    for (int i = 0; i < n; i++) {
      groups.add(new ArrayList<>());
    }
    List<PartitionRange> largestFirst = new ArrayList<>(ranges);
    largestFirst.sort(
        Comparator.comparingLong((PartitionRange r) -> r.end() - r.start()).reversed());
    for (PartitionRange range : largestFirst) {
      int lightest = 0;
      for (int i = 1; i < n; i++) {
        if (load[i] < load[lightest]) {
          lightest = i;
        }
      }
      groups.get(lightest).add(range);
      load[lightest] += range.end() - range.start();
    }
    groups.removeIf(List::isEmpty);
    for (List<PartitionRange> group : groups) {
      group.sort(Comparator.comparingInt(PartitionRange::partition));
    }
    return groups;
  }

  @Override
  public PCollection<SourceMessage> expand(PBegin begin) {
    List<ReadGroup> readGroups = new ArrayList<>();
    for (List<PartitionRange> group : groups(ranges, readers)) {
      readGroups.add(new ReadGroup(group));
    }
    // Create's source is split into one element per runner task when the elements are about the
    // same size (Flink, Spark), so the readers run in parallel without a shuffle in front of them.
    return begin
        .apply(
            "PartitionGroups",
            Create.of(readGroups).withCoder(SerializableCoder.of(ReadGroup.class)))
        .apply(
            "ReadPartitionGroup",
            ParDo.of(
                new ReadGroupFn(
                    bootstrapServers,
                    maxReadTime == null ? 0 : maxReadTime.toMillis(),
                    kafkaTimeout.toMillis())))
        .setCoder(SourceMessage.Coder.of());
  }

  /** The partitions one reader reads, each from its start to its end offset. */
  record ReadGroup(List<PartitionRange> ranges) implements Serializable {}

  /**
   * Polls the partitions of one group with one consumer, each from its start offset until its end
   * offset (or until the read time is up), in offset order within each partition.
   *
   * <p>A consumer whose broker is gone gets empty polls forever, so a reader that got nothing for a
   * few seconds asks the broker for the partitions' end offsets: an answer means the broker is
   * there and the messages are held back (e.g. an open transaction under read_committed), so it
   * waits on; once the broker has shown no sign of life (no message, no answer) for the Kafka
   * timeout, the reader fails the run with a {@link KafkaUnavailableException}.
   */
  static final class ReadGroupFn extends DoFn<ReadGroup, SourceMessage> {
    private static final Logger LOG = LoggerFactory.getLogger(ReadGroupFn.class);

    /** How long a reader waits for a message before it asks the broker whether it is there. */
    private static final Duration PROBE_AFTER = Duration.ofSeconds(5);

    private final String bootstrapServers;
    private final long maxReadMillis;
    private final long kafkaTimeoutMillis;

    ReadGroupFn(String bootstrapServers, long maxReadMillis, long kafkaTimeoutMillis) {
      this.bootstrapServers = bootstrapServers;
      this.maxReadMillis = maxReadMillis;
      this.kafkaTimeoutMillis = kafkaTimeoutMillis;
    }

    @ProcessElement
    public void process(@Element ReadGroup group, OutputReceiver<SourceMessage> out) {
      Properties props = new Properties();
      props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
      props.put(
          ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
      props.put(
          ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
      props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
      props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000);
      // These bound a fetch's memory, not a message's size: Kafka returns a record batch larger
      // than either limit whole when it is the first of a fetch, so a bigger message (one the
      // topic's max.message.bytes admits) is still read and dead-lettered as PAYLOAD_TOO_LARGE
      // (HostilePayloadIngestTest sends 20 MB).
      props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 64 * 1024 * 1024);
      props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 16 * 1024 * 1024);
      // Never jump: an offset Kafka no longer holds is an error the reader handles itself (the
      // default, latest, would skip to the log end and the commit would cover unread messages).
      props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
      Map<TopicPartition, Long> ends = new HashMap<>();
      for (PartitionRange range : group.ranges()) {
        ends.put(new TopicPartition(range.topic(), range.partition()), range.end());
      }
      Instant deadline = maxReadMillis > 0 ? Instant.now().plusMillis(maxReadMillis) : Instant.MAX;
      try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
        consumer.assign(ends.keySet());
        for (PartitionRange range : group.ranges()) {
          consumer.seek(new TopicPartition(range.topic(), range.partition()), range.start());
        }
        Set<TopicPartition> reading = new HashSet<>(ends.keySet());
        // The last time the broker showed it is there: a message, or an answer to a probe.
        long lastAnswer = System.nanoTime();
        long lastMessage = lastAnswer;
        boolean warned = false;
        while (!reading.isEmpty() && Instant.now().isBefore(deadline)) {
          ConsumerRecords<byte[], byte[]> records;
          try {
            records = consumer.poll(Duration.ofMillis(500));
          } catch (OffsetOutOfRangeException e) {
            skipDeletedOffsets(consumer, e, ends, reading);
            continue;
          }
          long now = System.nanoTime();
          if (!records.isEmpty()) {
            lastAnswer = now;
            lastMessage = now;
            warned = false;
          } else if (now - lastAnswer >= PROBE_AFTER.toNanos()) {
            long left = kafkaTimeoutMillis * 1_000_000L - (now - lastAnswer);
            if (left <= 0) {
              throw unavailable(consumer, reading, ends);
            }
            if (brokerAnswers(consumer, reading, Duration.ofNanos(left))) {
              lastAnswer = System.nanoTime();
              if (!warned && lastAnswer - lastMessage > kafkaTimeoutMillis * 1_000_000L) {
                warned = true;
                LOG.warn(
                    "no message for {} s at offsets {} (planned up to {}), although the broker"
                        + " answers; waiting on (an open transaction holds back read_committed"
                        + " reads until it ends)",
                    (lastAnswer - lastMessage) / 1_000_000_000L,
                    positions(consumer, reading),
                    byPartition(ends));
              }
            }
          }
          for (TopicPartition tp : records.partitions()) {
            long end = ends.get(tp);
            for (ConsumerRecord<byte[], byte[]> r : records.records(tp)) {
              if (r.offset() >= end) {
                break;
              }
              out.output(
                  new SourceMessage(
                      r.topic(), r.partition(), r.offset(), r.timestamp(), r.key(), r.value()));
            }
          }
          // The position moves past transaction markers too, so compare it, not the last record.
          for (java.util.Iterator<TopicPartition> it = reading.iterator(); it.hasNext(); ) {
            TopicPartition tp = it.next();
            if (consumer.position(tp) >= ends.get(tp)) {
              consumer.pause(List.of(tp));
              it.remove();
            }
          }
        }
      }
    }

    /** Whether the broker tells the end offsets of the partitions being read within timeout. */
    private static boolean brokerAnswers(
        KafkaConsumer<byte[], byte[]> consumer, Set<TopicPartition> reading, Duration timeout) {
      try {
        consumer.endOffsets(reading, timeout);
        return true;
      } catch (org.apache.kafka.common.errors.TimeoutException e) {
        return false;
      }
    }

    private KafkaUnavailableException unavailable(
        KafkaConsumer<byte[], byte[]> consumer,
        Set<TopicPartition> reading,
        Map<TopicPartition, Long> ends) {
      return new KafkaUnavailableException(
          bootstrapServers,
          Duration.ofMillis(kafkaTimeoutMillis),
          "reading "
              + reading.iterator().next().topic()
              + " at offsets "
              + positions(consumer, reading)
              + ", planned up to "
              + byPartition(ends),
          null);
    }

    /** Where the consumer is in each partition, by partition number, for messages. */
    private static Map<Integer, Long> positions(
        KafkaConsumer<byte[], byte[]> consumer, Set<TopicPartition> partitions) {
      Map<Integer, Long> at = new TreeMap<>();
      for (TopicPartition tp : partitions) {
        at.put(tp.partition(), consumer.position(tp));
      }
      return at;
    }

    private static Map<Integer, Long> byPartition(Map<TopicPartition, Long> offsets) {
      Map<Integer, Long> sorted = new TreeMap<>();
      offsets.forEach((tp, offset) -> sorted.put(tp.partition(), offset));
      return sorted;
    }

    /**
     * Kafka deleted (by retention, or deleteRecords) the offsets a partition was about to be read
     * from: counts them as lost to retention (never silently: a summary reports them and the
     * position only covers what was read or is gone), logs the range, and goes on from the log's
     * new start. An offset above the log end means the topic was deleted and re-created under the
     * tables' position: that stops the run.
     */
    private void skipDeletedOffsets(
        KafkaConsumer<byte[], byte[]> consumer,
        OffsetOutOfRangeException e,
        Map<TopicPartition, Long> ends,
        Set<TopicPartition> reading) {
      Map<TopicPartition, Long> logStarts = consumer.beginningOffsets(e.partitions());
      for (Map.Entry<TopicPartition, Long> out : e.offsetOutOfRangePartitions().entrySet()) {
        TopicPartition tp = out.getKey();
        long from = out.getValue();
        long logStart = logStarts.get(tp);
        if (logStart <= from) {
          throw new IllegalStateException(
              "partition "
                  + tp
                  + " has no offset "
                  + from
                  + " although its log starts at "
                  + logStart
                  + ": the topic was deleted and re-created below the tables' position; ingest it"
                  + " into new tables (another --warehouse) or drop the old ones");
        }
        long end = ends.get(tp);
        long lost = Math.min(logStart, end) - from;
        MetricNames.counter(MetricNames.LOST_TO_RETENTION).inc(lost);
        MetricNames.counter(MetricNames.lostToRetention(tp.partition())).inc(lost);
        LiveCounters.add(MetricNames.LOST_TO_RETENTION, lost);
        LOG.warn(
            "partition {}: offsets {}..{} were deleted by Kafka before this run read them;"
                + " counted as lost_to_retention",
            tp,
            from,
            from + lost - 1);
        if (logStart >= end) {
          consumer.pause(List.of(tp));
          reading.remove(tp);
        } else {
          consumer.seek(tp, logStart);
        }
      }
    }
  }
}
