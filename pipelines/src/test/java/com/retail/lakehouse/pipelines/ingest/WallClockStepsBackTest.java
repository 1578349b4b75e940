package com.retail.lakehouse.pipelines.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.retail.lakehouse.generator.GenerateRun;
import com.retail.lakehouse.generator.GeneratorConfig;
import com.retail.lakehouse.generator.KafkaEventSender;
import com.retail.lakehouse.generator.Manifest;
import com.retail.lakehouse.generator.ProgressSink;
import com.retail.lakehouse.localkafka.KafkaBrokerExtension;
import com.retail.lakehouse.pipelines.conformance.LakehouseTables;
import com.retail.lakehouse.pipelines.options.CatalogFromOptions;
import com.retail.lakehouse.pipelines.run.PipelineArgs;
import com.retail.lakehouse.pipelines.run.RunSummary;
import com.retail.lakehouse.transforms.contract.PosContract;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The streaming job stamps each message with the time it was read and windows rows by that stamp.
 * When the wall clock steps back (an NTP correction) after the watermark has passed, messages read
 * next must not be stamped behind the watermark: a window's grouping (zero allowed lateness) would
 * drop them, while a later window's commit records a position past their offsets, so they would
 * never be read again.
 *
 * <p>Real broker, generator, Iceberg tables (hadoop catalog) and streaming job (DirectRunner, in
 * this JVM), whose read takes the time from a clock the test steps.
 */
class WallClockStepsBackTest {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

  private static final int PARTITIONS = 4;

  @TempDir Path dataDir;

  @Test
  void messagesReadAfterTheClockStepsBackTenMinutesAreCommittedNotLost() throws Exception {
    String topic = "pos_clock_back";
    KafkaEventSender.ensureTopic(KAFKA.bootstrapServers(), topic, PARTITIONS);
    IngestOptions options =
        PipelineArgs.parse(
            "ingest",
            StreamingIngest.withRunnerFlags(
                new String[] {
                  "--mode=streaming",
                  "--commit-interval=2s",
                  "--topic=" + topic,
                  "--bootstrap-servers=" + KAFKA.bootstrapServers(),
                  "--data-dir=" + dataDir
                }),
            IngestOptions.class);
    CatalogSettings catalog = CatalogFromOptions.settings(options);
    IngestTables tables = IngestTables.open(catalog, PosContract.INSTANCE, topic);
    SteppedClock.reset();
    AtomicBoolean allSent = new AtomicBoolean();
    ExecutorService jobThread = Executors.newSingleThreadExecutor();
    try {
      Future<RunSummary> job =
          jobThread.submit(
              () ->
                  StreamingIngest.run(
                      options,
                      KAFKA.bootstrapServers(),
                      catalog,
                      com.retail.lakehouse.transforms.contract.PosContract.INSTANCE,
                      allSent::get,
                      true,
                      SteppedClock.INSTANCE));
      List<Manifest> sent = new ArrayList<>();
      sent.add(generate(topic, 1));
      assertThat(awaitCommitted(job, tables, topic, Duration.ofMinutes(3)))
          .as("the first batch committed")
          .isTrue();

      SteppedClock.step(Duration.ofMinutes(-10));
      sent.add(generate(topic, 2));
      // well within the 10 minutes the wall clock is behind (a slow machine reads 300 in a minute)
      boolean committedWhileBehind = awaitCommitted(job, tables, topic, Duration.ofMinutes(2));

      // Ten minutes later the wall clock is back where it was (the test moves its clock on instead
      // of waiting). With wall-clock stamps, messages read from here on are on time again, and
      // their windows' commits record positions past the messages read in between.
      SteppedClock.step(Duration.ofMinutes(10));
      sent.add(generate(topic, 3));
      allSent.set(true);
      RunSummary summary = job.get(5, TimeUnit.MINUTES);

      long sentCount = sent.stream().mapToLong(m -> m.counts().sent()).sum();
      LakehouseTables landed = new LakehouseTables(catalog);
      List<Record> raw = landed.raw();
      List<Record> deadLetters = landed.deadLetters();
      long duplicatesDropped = ((Number) summary.get("duplicates_dropped")).longValue();
      long lost = sentCount - raw.size() - deadLetters.size() - duplicatesDropped;
      assertThat(lost)
          .as(
              "messages lost of %d sent (raw %d, dead letters %d, duplicates dropped %d)",
              sentCount, raw.size(), deadLetters.size(), duplicatesDropped)
          .isZero();
      assertThat(raw).hasSize((int) sent.stream().mapToLong(m -> m.counts().valid()).sum());
      assertThat(deadLetters)
          .hasSize((int) sent.stream().mapToLong(m -> m.counts().malformed()).sum());
      assertThat(duplicatesDropped)
          .isEqualTo(sent.stream().mapToLong(m -> m.counts().duplicates()).sum());
      Set<String> offsets = new HashSet<>();
      Set<String> lines = new HashSet<>();
      for (Record r : raw) {
        assertThat(offsets.add(r.getField("kafka_partition") + "@" + r.getField("kafka_offset")))
            .isTrue();
        assertThat(lines.add(r.getField("transaction_id") + "#" + r.getField("line_number")))
            .as("line landed twice")
            .isTrue();
      }
      for (Record r : deadLetters) {
        assertThat(offsets.add(r.getField("kafka_partition") + "@" + r.getField("kafka_offset")))
            .as("message in both tables or twice")
            .isTrue();
      }
      assertThat(committedWhileBehind)
          .as("messages read while the clock was behind committed within two minutes")
          .isTrue();
    } finally {
      SteppedClock.reset();
      jobThread.shutdownNow();
    }
  }

  /**
   * Sends one batch: valid lines, malformed messages and re-sent lines. Each batch simulates its
   * own day, so no two batches share a receipt number.
   */
  private static Manifest generate(String topic, int batch) throws Exception {
    Manifest manifest =
        GenerateRun.run(
            GeneratorConfig.builder()
                .seed(100 + batch)
                .topic(topic)
                .partitions(PARTITIONS)
                .count(300)
                .start(
                    LocalDate.now(ZoneOffset.UTC)
                        .minusDays(1 + batch)
                        .atStartOfDay(ZoneOffset.UTC)
                        .toInstant())
                .malformedRate(0.03)
                .duplicateRate(0.03)
                .build(),
            KAFKA.bootstrapServers(),
            ProgressSink.none());
    assertThat(manifest.run().sendErrors()).isZero();
    return manifest;
  }

  /**
   * Waits until both tables' positions reach the topic's end offsets; false if {@code limit} passes
   * first. Fails at once if the job has ended.
   */
  private static boolean awaitCommitted(
      Future<RunSummary> job, IngestTables tables, String topic, Duration limit) throws Exception {
    Map<Integer, Long> end;
    try (KafkaPositions kafka =
        new KafkaPositions(KAFKA.bootstrapServers(), topic, Duration.ofSeconds(30))) {
      end = kafka.latest(kafka.partitions());
    }
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline) {
      if (job.isDone()) {
        job.get(); // throws the job's failure
        throw new AssertionError("the streaming job ended before the topic's end was committed");
      }
      if (tables.position(end.keySet()).equals(end)) {
        return true;
      }
      Thread.sleep(500);
    }
    return false;
  }

  /**
   * The wall clock of the job's read, which the test steps; the monotonic clock runs on. An enum so
   * that the copy the runner deserializes is this same instance.
   */
  enum SteppedClock implements ReadTimePolicy.ReadClock {
    INSTANCE;

    private static final AtomicLong STEPPED_MILLIS = new AtomicLong();

    static void step(Duration by) {
      STEPPED_MILLIS.addAndGet(by.toMillis());
    }

    static void reset() {
      STEPPED_MILLIS.set(0);
    }

    @Override
    public long wallMillis() {
      return System.currentTimeMillis() + STEPPED_MILLIS.get();
    }

    @Override
    public long monotonicNanos() {
      return System.nanoTime();
    }
  }
}
