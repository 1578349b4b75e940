package com.retail.lakehouse.localkafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalKafkaBrokerTest {

  @TempDir Path dataDir;

  @Test
  void restartOnSameDataDirKeepsTopicsAndOffsets() throws Exception {
    String topic = "orders";
    String group = "restart-group";
    List<TopicPartition> tps =
        IntStream.range(0, 4).mapToObj(p -> new TopicPartition(topic, p)).toList();
    Map<TopicPartition, Long> endOffsetsBefore;
    Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();
    String firstBootstrap;

    try (LocalKafkaBroker broker = LocalKafkaBroker.start(dataDir)) {
      firstBootstrap = broker.bootstrapServers();
      try (Admin admin = admin(broker)) {
        admin
            .createTopics(List.of(new NewTopic(topic, 4, (short) 1)))
            .all()
            .get(30, TimeUnit.SECONDS);
      }
      try (KafkaProducer<String, String> producer =
          KafkaBrokerExtensionTest.producer(broker.bootstrapServers())) {
        for (int i = 0; i < 200; i++) {
          producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i));
        }
        producer.flush();
      }
      try (KafkaConsumer<String, String> consumer =
          KafkaBrokerExtensionTest.consumer(broker.bootstrapServers(), group)) {
        consumer.subscribe(List.of(topic));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (committed.isEmpty() && System.nanoTime() < deadline) {
          ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(500));
          for (TopicPartition tp : records.partitions()) {
            // Commit a position in the middle of what was read.
            long offset = records.records(tp).get(0).offset() + records.records(tp).size() / 2;
            committed.put(tp, new OffsetAndMetadata(offset, "meta-" + tp.partition()));
          }
        }
        assertThat(committed).isNotEmpty();
        consumer.commitSync(committed);
      }
      endOffsetsBefore = endOffsets(broker, tps);
      assertThat(endOffsetsBefore.values().stream().mapToLong(Long::longValue).sum())
          .isEqualTo(200);
    }

    int otherPort = freePort();
    long t0 = System.nanoTime();
    try (LocalKafkaBroker broker = LocalKafkaBroker.start(dataDir, otherPort)) {
      System.out.printf(
          "restart on the same data dir took %d ms%n",
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
      assertThat(broker.ownsProcess()).isTrue();
      assertThat(broker.bootstrapServers())
          .isEqualTo("127.0.0.1:" + otherPort)
          .isNotEqualTo(firstBootstrap);
      try (Admin admin = admin(broker)) {
        assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).contains(topic);
        Map<TopicPartition, OffsetAndMetadata> after =
            admin
                .listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata()
                .get(30, TimeUnit.SECONDS);
        assertThat(after).isEqualTo(committed);
      }
      assertThat(endOffsets(broker, tps)).isEqualTo(endOffsetsBefore);
    }
  }

  @Test
  void killedWithSigkillThenRestartedOnTheSamePortKeepsTheLogAndItsClientsReconnect()
      throws Exception {
    String topic = "sales";
    TopicPartition tp = new TopicPartition(topic, 0);
    LocalKafkaBroker broker = LocalKafkaBroker.start(dataDir);
    try (Admin admin = admin(broker)) {
      admin
          .createTopics(List.of(new NewTopic(topic, 1, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
    try (KafkaProducer<String, String> producer =
        KafkaBrokerExtensionTest.producer(broker.bootstrapServers())) {
      for (int i = 0; i < 100; i++) {
        producer.send(new ProducerRecord<>(topic, "k", "before-" + i)).get(); // acks=all
      }
    }
    // One consumer for the whole test: it lives through the kill and must reconnect on its own.
    try (KafkaConsumer<String, String> consumer =
        KafkaBrokerExtensionTest.consumer(broker.bootstrapServers(), "survivor")) {
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      List<String> read = readUntil(consumer, 100);

      long pid = broker.pid();
      broker.killForcibly();
      assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
      assertThat(accepts(broker.bootstrapServers())).isFalse();
      assertThat(dataDir.resolve("kafka/broker.json")).as("left behind, as by a crash").exists();
      assertThat(consumer.poll(Duration.ofSeconds(2))).isEmpty();

      try (LocalKafkaBroker restarted = broker.restart()) {
        assertThat(restarted.bootstrapServers()).isEqualTo(broker.bootstrapServers());
        assertThat(restarted.pid()).isNotEqualTo(pid);
        assertThat(restarted.ownsProcess()).isTrue();
        assertThat(restarted.logDir()).isEqualTo(broker.logDir());
        try (KafkaProducer<String, String> producer =
            KafkaBrokerExtensionTest.producer(restarted.bootstrapServers())) {
          for (int i = 0; i < 10; i++) {
            producer.send(new ProducerRecord<>(topic, "k", "after-" + i)).get();
          }
        }
        read.addAll(readUntil(consumer, 10));
        assertThat(endOffsets(restarted, List.of(tp))).containsEntry(tp, 110L);
      }
      assertThat(read).hasSize(110).startsWith("before-0").endsWith("after-9");
    }
    broker.close(); // the killed instance: nothing left to stop
  }

  @Test
  void secondStartOnSameDataDirAttachesToRunningBroker() throws Exception {
    try (LocalKafkaBroker owner = LocalKafkaBroker.start(dataDir)) {
      Path state = dataDir.resolve("kafka/broker.json");
      assertThat(Files.readString(state))
          .contains("\"pid\":" + owner.pid())
          .contains("\"bootstrap_servers\":\"" + owner.bootstrapServers() + "\"")
          .contains("\"started_at\":\"");

      LocalKafkaBroker attached = LocalKafkaBroker.start(dataDir);
      assertThat(attached.ownsProcess()).isFalse();
      assertThat(attached.pid()).isEqualTo(owner.pid());
      assertThat(attached.bootstrapServers()).isEqualTo(owner.bootstrapServers());
      assertThat(attached.logDir()).isEqualTo(owner.logDir());
      attached.close(); // a no-op: the owner's broker keeps running

      assertThat(ProcessHandle.of(owner.pid()).map(ProcessHandle::isAlive)).contains(true);
      assertThat(accepts(owner.bootstrapServers())).isTrue();
      assertThat(state).exists();

      int otherPort = freePort();
      assertThatThrownBy(() -> LocalKafkaBroker.start(dataDir, otherPort))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("already running")
          .hasMessageContaining(owner.bootstrapServers());
    }
  }

  @Test
  void closeStopsTheChildProcess() throws Exception {
    LocalKafkaBroker broker = LocalKafkaBroker.start(dataDir);
    long pid = broker.pid();
    ProcessHandle child = ProcessHandle.of(pid).orElseThrow();
    assertThat(child.parent().map(ProcessHandle::pid)).contains(ProcessHandle.current().pid());

    long t0 = System.nanoTime();
    broker.close();
    System.out.printf("close took %d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));

    assertThat(child.isAlive()).isFalse();
    assertThat(accepts(broker.bootstrapServers())).isFalse();
    assertThat(dataDir.resolve("kafka/broker.json")).doesNotExist();
    assertThat(Files.readString(broker.brokerLog())).contains("Kafka Server started");
    broker.close(); // idempotent

    // A stale broker.json (dead pid) is ignored and overwritten.
    Files.writeString(
        dataDir.resolve("kafka/broker.json"),
        "{\"pid\":"
            + pid
            + ",\"bootstrap_servers\":\""
            + broker.bootstrapServers()
            + "\",\"started_at\":\"x\"}",
        StandardCharsets.UTF_8);
    try (LocalKafkaBroker again = LocalKafkaBroker.start(dataDir)) {
      assertThat(again.ownsProcess()).isTrue();
      assertThat(again.pid()).isNotEqualTo(pid);
      assertThat(Files.readString(dataDir.resolve("kafka/broker.json")))
          .contains("\"pid\":" + again.pid());
    }
  }

  @Test
  void startFailureGivesOneLineReason() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();
      assertThatThrownBy(() -> LocalKafkaBroker.start(dataDir, port))
          .isInstanceOf(IOException.class)
          .satisfies(
              e ->
                  assertThat(e.getMessage().lines().findFirst().orElseThrow())
                      .contains("port " + port)
                      .contains("already in use"));
    }
    assertThat(dataDir.resolve("kafka/broker.json")).doesNotExist();
  }

  @Test
  void brokerDyingDuringStartupGivesOneLineReasonAndPointsToTheLog() throws Exception {
    // A meta.properties that does not match node.id=1: format is skipped and the broker refuses to
    // start.
    Path logDir = dataDir.resolve("kafka/log");
    Files.createDirectories(logDir);
    Files.writeString(
        logDir.resolve("meta.properties"),
        "version=1\ncluster.id=AAAAAAAAAAAAAAAAAAAAAA\nnode.id=7\ndirectory.id=AAAAAAAAAAAAAAAAAAAAAQ\n");

    assertThatThrownBy(() -> LocalKafkaBroker.start(dataDir))
        .isInstanceOf(IOException.class)
        .satisfies(
            e -> {
              String first = e.getMessage().lines().findFirst().orElseThrow();
              System.out.println("failure message first line: " + first);
              assertThat(first)
                  .contains("exited with code")
                  .contains(dataDir.resolve("kafka/broker.log").toString());
              assertThat(e.getMessage()).contains("Last lines of broker.log:");
            });
    assertThat(dataDir.resolve("kafka/broker.json")).doesNotExist();
  }

  private static List<String> readUntil(KafkaConsumer<String, String> consumer, int count) {
    List<String> values = new java.util.ArrayList<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (values.size() < count && System.nanoTime() < deadline) {
      consumer.poll(Duration.ofMillis(500)).forEach(r -> values.add(r.value()));
    }
    return values;
  }

  private static Admin admin(LocalKafkaBroker broker) {
    return Admin.create(
        Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
  }

  private static Map<TopicPartition, Long> endOffsets(
      LocalKafkaBroker broker, List<TopicPartition> tps) throws Exception {
    try (Admin admin = admin(broker)) {
      Map<TopicPartition, ListOffsetsResultInfo> info =
          admin
              .listOffsets(
                  tps.stream().collect(Collectors.toMap(tp -> tp, tp -> OffsetSpec.latest())))
              .all()
              .get(30, TimeUnit.SECONDS);
      return info.entrySet().stream()
          .collect(Collectors.toMap(Map.Entry::getKey, en -> en.getValue().offset()));
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }

  private static boolean accepts(String bootstrap) {
    int port = Integer.parseInt(bootstrap.substring(bootstrap.lastIndexOf(':') + 1));
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
