package com.retail.lakehouse.console.tables;

import java.time.Duration;
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
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * A topic's end offsets (the next offset Kafka writes, per partition) through Kafka's Admin API,
 * giving up after a timeout with a one-line {@link KafkaEndsException} instead of the Admin
 * client's own minute of retries against a broker that is down.
 */
final class KafkaEnds {
  private KafkaEnds() {}

  /** Why the end offsets could not be read, in one line. */
  static final class KafkaEndsException extends Exception {
    KafkaEndsException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  static Map<Integer, Long> endOffsets(String bootstrapServers, String topic, Duration timeout)
      throws KafkaEndsException {
    int timeoutMs = (int) timeout.toMillis();
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs);
    props.put(AdminClientConfig.CLIENT_ID_CONFIG, "lakehouse-console-lag");
    Admin admin;
    try {
      admin = Admin.create(props);
    } catch (RuntimeException e) {
      throw new KafkaEndsException(
          "cannot reach Kafka at " + bootstrapServers + ": " + oneLine(e), e);
    }
    try {
      TopicDescription topicDescription =
          await(
                  admin.describeTopics(List.of(topic)).allTopicNames(),
                  bootstrapServers,
                  timeout,
                  "describing topic " + topic)
              .get(topic);
      Map<TopicPartition, OffsetSpec> request =
          topicDescription.partitions().stream()
              .collect(
                  Collectors.toMap(
                      p -> new TopicPartition(topic, p.partition()), p -> OffsetSpec.latest()));
      Map<Integer, Long> ends = new TreeMap<>();
      await(
              admin.listOffsets(request).all(),
              bootstrapServers,
              timeout,
              "listing the end offsets of " + topic)
          .forEach((tp, info) -> ends.put(tp.partition(), info.offset()));
      return ends;
    } finally {
      admin.close(Duration.ofSeconds(1));
    }
  }

  private static <T> T await(
      KafkaFuture<T> future, String bootstrapServers, Duration timeout, String doing)
      throws KafkaEndsException {
    try {
      return future.get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      if (cause instanceof UnknownTopicOrPartitionException) {
        throw new KafkaEndsException(
            "topic '" + doing.substring(doing.lastIndexOf(' ') + 1) + "' does not exist", cause);
      }
      if (cause instanceof org.apache.kafka.common.errors.TimeoutException) {
        throw unavailable(bootstrapServers, timeout, doing, cause);
      }
      throw new KafkaEndsException(
          "Kafka at " + bootstrapServers + " failed " + doing + ": " + oneLine(cause), cause);
    } catch (TimeoutException e) {
      throw unavailable(bootstrapServers, timeout, doing, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaEndsException("interrupted while " + doing, e);
    }
  }

  private static KafkaEndsException unavailable(
      String bootstrapServers, Duration timeout, String doing, Throwable cause) {
    return new KafkaEndsException(
        "Kafka at "
            + bootstrapServers
            + " did not answer within "
            + timeout.toSeconds()
            + " s ("
            + doing
            + ")",
        cause);
  }

  private static String oneLine(Throwable e) {
    String m = e.getClass().getSimpleName() + ": " + e.getMessage();
    return m.lines().findFirst().orElse(m);
  }
}
