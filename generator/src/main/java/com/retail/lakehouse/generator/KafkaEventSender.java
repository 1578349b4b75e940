package com.retail.lakehouse.generator;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Sends generated messages to Kafka with an idempotent, throughput-tuned producer keyed by store,
 * each to its stream's topic, counting the sends the broker did not acknowledge.
 */
public final class KafkaEventSender implements AutoCloseable {
  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

  private final KafkaProducer<byte[], byte[]> producer;
  private final String topic;
  private final String inventoryTopic;
  private final AtomicLong errors = new AtomicLong();
  private final AtomicReference<String> firstError = new AtomicReference<>();

  /**
   * A sender of POS messages to {@code topic} (and inventory messages to {@link
   * GeneratorConfig#DEFAULT_INVENTORY_TOPIC}) on the cluster at {@code bootstrapServers}.
   */
  public KafkaEventSender(String bootstrapServers, String topic) {
    this(bootstrapServers, topic, GeneratorConfig.DEFAULT_INVENTORY_TOPIC);
  }

  /** A sender of POS messages to {@code topic} and inventory messages to {@code inventoryTopic}. */
  public KafkaEventSender(String bootstrapServers, String topic, String inventoryTopic) {
    this.producer = new KafkaProducer<>(producerProperties(bootstrapServers));
    this.topic = topic;
    this.inventoryTopic = inventoryTopic;
  }

  /**
   * The producer settings: idempotent with {@code acks=all} (no loss, no duplicates from retries),
   * 5 ms linger, 256 KB batches, lz4 and one request in flight: the fastest measured against the
   * local broker, and one in flight avoids an idempotent-producer stall on freshly created
   * partitions (bench/results/profile-notes.md).
   */
  public static Properties producerProperties(String bootstrapServers) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
    props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
    props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(128L * 1024 * 1024));
    props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "pos-generator");
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "60000");
    return props;
  }

  /**
   * Creates {@code topic} with {@code partitions} partitions and the broker's default replication
   * if it does not exist yet; an existing topic is left as it is.
   *
   * @return true if the topic was created, false if it already existed
   */
  public static boolean ensureTopic(String bootstrapServers, String topic, int partitions) {
    Map<String, Object> conf =
        Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT.toMillis(),
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT.toMillis());
    try (Admin admin = Admin.create(conf)) {
      if (admin
          .listTopics()
          .names()
          .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
          .contains(topic)) {
        return false;
      }
      admin
          .createTopics(Set.of(new NewTopic(topic, Optional.of(partitions), Optional.empty())))
          .all()
          .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof TopicExistsException) {
        return false;
      }
      throw new IllegalStateException(
          "cannot create topic " + topic + " on " + bootstrapServers + ": " + e.getCause(), e);
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          "Kafka at "
              + bootstrapServers
              + " did not answer within "
              + ADMIN_TIMEOUT.toSeconds()
              + " s",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topic " + topic, e);
    }
  }

  /** Sends one message asynchronously to its stream's topic; a failure is counted, not thrown. */
  public void send(GeneratedMessage message) {
    send(message.stream(), message.key(), message.value());
  }

  /** Sends one message's bytes asynchronously to {@code stream}'s topic, as {@link #send}. */
  public void send(EventStream stream, byte[] key, byte[] value) {
    String to = stream == EventStream.INVENTORY ? inventoryTopic : topic;
    producer.send(
        new ProducerRecord<>(to, key, value),
        (metadata, exception) -> {
          if (exception != null) {
            errors.incrementAndGet();
            firstError.compareAndSet(null, exception.toString());
          }
        });
  }

  /** Send errors reported by the producer so far. */
  public long errors() {
    return errors.get();
  }

  /** The first send error, for the human summary; null if none. */
  public String firstError() {
    return firstError.get();
  }

  /** Waits until every message sent so far is acknowledged or failed. */
  public void flush() {
    producer.flush();
  }

  /** Flushes and closes the producer. */
  @Override
  public void close() {
    producer.flush();
    producer.close(Duration.ofSeconds(30));
  }
}
