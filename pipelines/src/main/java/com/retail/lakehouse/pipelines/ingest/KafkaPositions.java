package com.retail.lakehouse.pipelines.ingest;

import com.retail.lakehouse.common.UsageException;
import com.retail.lakehouse.transforms.commit.CommittedOffsets;
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
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * What Kafka knows about a topic's positions (first and next offsets per partition) and the
 * consumer group's committed offsets, through Kafka's Admin API.
 */
public final class KafkaPositions implements AutoCloseable {
  private final Admin admin;
  private final String topic;

  public KafkaPositions(String bootstrapServers, String topic) {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
    this.admin = Admin.create(props);
    this.topic = topic;
  }

  /** The topic's partition ids; a one-line error when the topic does not exist. */
  List<Integer> partitions() {
    try {
      TopicDescription d =
          admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
      return d.partitions().stream().map(p -> p.partition()).sorted().toList();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        throw new UsageException(
            "topic '"
                + topic
                + "' does not exist: run ./lakehouse generate first, or pass --topic");
      }
      throw new IllegalStateException("cannot describe topic " + topic + ": " + e.getCause(), e);
    } catch (InterruptedException | TimeoutException e) {
      throw new IllegalStateException("Kafka did not answer describing topic " + topic, e);
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
      long resume = Math.min(raw.next(p), deadLetters.next(p));
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
      admin.alterConsumerGroupOffsets(group, request).all().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new UsageException(
          "cannot position consumer group '"
              + group
              + "' ("
              + e.getCause().getMessage()
              + "): is another ingest running with this group? Stop it or pass --consumer-group");
    } catch (InterruptedException | TimeoutException e) {
      throw new IllegalStateException("Kafka did not answer setting group offsets", e);
    }
  }

  private Map<Integer, Long> list(List<Integer> partitions, OffsetSpec spec) {
    Map<TopicPartition, OffsetSpec> request =
        partitions.stream().collect(Collectors.toMap(p -> new TopicPartition(topic, p), p -> spec));
    try {
      Map<Integer, Long> result = new TreeMap<>();
      admin
          .listOffsets(request)
          .all()
          .get(30, TimeUnit.SECONDS)
          .forEach((tp, info) -> result.put(tp.partition(), info.offset()));
      return result;
    } catch (ExecutionException | InterruptedException | TimeoutException e) {
      throw new IllegalStateException("cannot list offsets of " + topic + ": " + e, e);
    }
  }

  /** Whether the topic exists and holds at least one message. */
  public boolean holdsMessages() {
    try {
      if (!admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(topic)) {
        return false;
      }
    } catch (ExecutionException | InterruptedException | TimeoutException e) {
      throw new IllegalStateException("Kafka did not answer listing topics: " + e, e);
    }
    List<Integer> partitions = partitions();
    Map<Integer, Long> latest = latest(partitions);
    return partitions.stream().anyMatch(p -> latest.get(p) > 0);
  }

  /** Deletes the topic and waits until Kafka no longer lists it (no-op if it does not exist). */
  public void deleteTopic() {
    try {
      if (!admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(topic)) {
        return;
      }
      admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(topic)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "Kafka still lists topic " + topic + " after deleting it");
        }
        Thread.sleep(200);
      }
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot delete topic " + topic + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while deleting topic " + topic, e);
    }
  }

  @Override
  public void close() {
    admin.close();
  }
}
