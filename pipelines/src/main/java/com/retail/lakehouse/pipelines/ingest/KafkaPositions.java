package com.retail.lakehouse.pipelines.ingest;

import com.retail.lakehouse.common.UsageException;
import com.retail.lakehouse.transforms.commit.CommittedOffsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * What Kafka knows about a topic's positions (first and next offsets per partition) and the
 * consumer group's committed offsets, through Kafka's Admin API. Every call gives up after the
 * timeout with a {@link KafkaUnavailableException} (the Admin client would otherwise retry a broker
 * that is down until its own default timeout, with nothing said about what to do).
 */
public final class KafkaPositions implements AutoCloseable {
  private final Admin admin;
  private final String bootstrapServers;
  private final String topic;
  private final Duration timeout;

  /** Positions of {@code topic}; each call waits at most {@code timeout} for Kafka to answer. */
  public KafkaPositions(String bootstrapServers, String topic, Duration timeout) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    int timeoutMs = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(15_000, timeoutMs));
    this.admin = Admin.create(props);
    this.bootstrapServers = bootstrapServers;
    this.topic = topic;
    this.timeout = timeout;
  }

  /** The topic's partition ids; a one-line error when the topic does not exist. */
  List<Integer> partitions() {
    try {
      TopicDescription d =
          await(admin.describeTopics(List.of(topic)).allTopicNames(), "describing topic " + topic)
              .get(topic);
      return d.partitions().stream().map(p -> p.partition()).sorted().toList();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        throw new UsageException(
            "topic '"
                + topic
                + "' does not exist: run ./lakehouse generate first (--streams pos,inventory"
                + " for the inventory stream), or name the topic (--topic, --inventory-topic)");
      }
      throw new IllegalStateException("cannot describe topic " + topic + ": " + e.getCause(), e);
    }
  }

  /** First offset still in the log, per partition. */
  Map<Integer, Long> earliest(List<Integer> partitions) {
    return list(partitions, OffsetSpec.earliest());
  }

  /** Next offset to be written, per partition of the topic (what lag is measured against). */
  public Map<Integer, Long> latestOffsets() {
    return latest(partitions());
  }

  /** Next offset to be written, per partition. */
  Map<Integer, Long> latest(List<Integer> partitions) {
    return list(partitions, OffsetSpec.latest());
  }

  /**
   * Where a run starts per partition: the lower of the two tables' positions, or the log's start
   * where Kafka already deleted the messages below it (the caller reports those as lost).
   */
  Map<Integer, Long> resumeOffsets(
      List<Integer> partitions, CommittedOffsets raw, CommittedOffsets deadLetters) {
    Map<Integer, Long> earliest = earliest(partitions);
    Map<Integer, Long> start = new TreeMap<>();
    for (int p : partitions) {
      long resume = CommittedOffsets.resumeOffset(raw, deadLetters, p);
      start.put(p, Math.max(earliest.get(p), resume));
    }
    return start;
  }

  /**
   * Sets the consumer group's offsets (where KafkaIO's reader starts). Fails with a one-line reason
   * when another consumer of the group is running, i.e. another ingest.
   */
  void setGroupOffsets(String group, Map<Integer, Long> offsets) {
    Map<TopicPartition, OffsetAndMetadata> request = new HashMap<>();
    offsets.forEach((p, o) -> request.put(new TopicPartition(topic, p), new OffsetAndMetadata(o)));
    try {
      await(
          admin.alterConsumerGroupOffsets(group, request).all(),
          "setting the offsets of consumer group " + group);
    } catch (ExecutionException e) {
      throw new UsageException(
          "cannot position consumer group '"
              + group
              + "' ("
              + e.getCause().getMessage()
              + "): is another ingest running with this group? Stop it or pass --consumer-group");
    }
  }

  private Map<Integer, Long> list(List<Integer> partitions, OffsetSpec spec) {
    Map<TopicPartition, OffsetSpec> request =
        partitions.stream().collect(Collectors.toMap(p -> new TopicPartition(topic, p), p -> spec));
    try {
      Map<Integer, Long> result = new TreeMap<>();
      await(admin.listOffsets(request).all(), "listing the offsets of " + topic)
          .forEach((tp, info) -> result.put(tp.partition(), info.offset()));
      return result;
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot list offsets of " + topic + ": " + e.getCause(), e);
    }
  }

  /** Whether Kafka lists the topic. */
  public boolean exists() {
    try {
      return await(admin.listTopics().names(), "listing topics").contains(topic);
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot list topics: " + e.getCause(), e);
    }
  }

  /** Whether the topic exists and holds at least one message. */
  public boolean holdsMessages() {
    if (!exists()) {
      return false;
    }
    List<Integer> partitions = partitions();
    Map<Integer, Long> latest = latest(partitions);
    return partitions.stream().anyMatch(p -> latest.get(p) > 0);
  }

  /** Deletes the topic and waits until Kafka no longer lists it (no-op if it does not exist). */
  public void deleteTopic() {
    try {
      if (!await(admin.listTopics().names(), "listing topics").contains(topic)) {
        return;
      }
      await(admin.deleteTopics(List.of(topic)).all(), "deleting topic " + topic);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (await(admin.listTopics().names(), "listing topics").contains(topic)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "Kafka still lists topic " + topic + " after deleting it");
        }
        Thread.sleep(200);
      }
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot delete topic " + topic + ": " + e.getCause(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while deleting topic " + topic, e);
    }
  }

  /**
   * The future's value; a {@link KafkaUnavailableException} when Kafka did not answer within the
   * timeout, any other failure as the {@link ExecutionException} for the caller to explain.
   */
  private <T> T await(KafkaFuture<T> future, String doing) throws ExecutionException {
    try {
      // A little longer than the Admin client's own timeout, so that its answer (usually a
      // TimeoutException naming the call) arrives first.
      return future.get(timeout.toMillis() + 5_000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException) {
        throw new KafkaUnavailableException(bootstrapServers, timeout, doing, e.getCause());
      }
      throw e;
    } catch (TimeoutException e) {
      throw new KafkaUnavailableException(bootstrapServers, timeout, doing, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while " + doing, e);
    }
  }

  @Override
  public void close() {
    // Not the default (forever): with the broker gone, in-flight requests would hold the close.
    admin.close(timeout);
  }
}
