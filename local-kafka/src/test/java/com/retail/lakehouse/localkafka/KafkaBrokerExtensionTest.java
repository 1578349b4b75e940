package com.retail.lakehouse.localkafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class KafkaBrokerExtensionTest {

  @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

  @Test
  void brokerStartsAndServesProduceAndConsume() throws Exception {
    assertThat(KAFKA.bootstrapServers()).startsWith("127.0.0.1:");
    assertThat(KAFKA.broker().ownsProcess()).isTrue();
    assertThat(Files.exists(KAFKA.dataDir().resolve("kafka/broker.json"))).isTrue();

    String topic = "pos-events";
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers()))) {
      admin
          .createTopics(List.of(new NewTopic(topic, 4, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
      assertThat(
              admin
                  .describeTopics(List.of(topic))
                  .allTopicNames()
                  .get(30, TimeUnit.SECONDS)
                  .get(topic)
                  .partitions())
          .hasSize(4);
    }

    int count = 1000;
    try (KafkaProducer<String, String> producer = producer(KAFKA.bootstrapServers())) {
      for (int i = 0; i < count; i++) {
        producer.send(new ProducerRecord<>(topic, "key-" + i, "value-" + i));
      }
      producer.flush();
    }

    Set<String> values = new HashSet<>();
    Set<Integer> partitions = new HashSet<>();
    try (KafkaConsumer<String, String> consumer =
        consumer(KAFKA.bootstrapServers(), "it-consume")) {
      List<TopicPartition> tps = new ArrayList<>();
      for (int p = 0; p < 4; p++) {
        tps.add(new TopicPartition(topic, p));
      }
      consumer.assign(tps);
      consumer.seekToBeginning(tps);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (values.size() < count && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
          values.add(r.value());
          partitions.add(r.partition());
        }
      }
    }
    assertThat(values).hasSize(count).contains("value-0", "value-999");
    assertThat(partitions).containsExactlyInAnyOrder(0, 1, 2, 3);
  }

  static KafkaProducer<String, String> producer(String bootstrap) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    return new KafkaProducer<>(props);
  }

  static KafkaConsumer<String, String> consumer(String bootstrap, String group) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    return new KafkaConsumer<>(props);
  }
}
