package com.retail.lakehouse.pipelines.maintain;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.retail.lakehouse.generator.DailyExpectation;
import com.retail.lakehouse.generator.GenerateRun;
import com.retail.lakehouse.generator.GeneratorConfig;
import com.retail.lakehouse.generator.Manifest;
import com.retail.lakehouse.generator.ProgressSink;
import com.retail.lakehouse.localkafka.KafkaBrokerExtension;
import com.retail.lakehouse.pipelines.cli.LakehouseCommand;
import com.retail.lakehouse.pipelines.conformance.LakehouseJvm;
import com.retail.lakehouse.pipelines.conformance.LakehouseTables;
import com.retail.lakehouse.pipelines.conformance.RunnerConformance;
import com.retail.lakehouse.pipelines.ingest.IngestOptions;
import com.retail.lakehouse.pipelines.ingest.StreamingIngest;
import com.retail.lakehouse.pipelines.options.CatalogFromOptions;
import com.retail.lakehouse.pipelines.run.PipelineArgs;
import com.retail.lakehouse.pipelines.run.RunSummary;
import com.retail.lakehouse.transforms.commit.CommittedOffsets;
import com.retail.lakehouse.transforms.metrics.LiveCounters;
import com.retail.lakehouse.transforms.metrics.MetricNames;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.iceberg.DataOperations;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The continuous ingest job ({@code ingest --mode=streaming}, committing every 2 s) keeps running
 * while {@code ./lakehouse maintain} compacts and expires the same tables, and ends exact: every
 * valid line of the generator's manifests once in raw, every malformed one in the DLQ, duplicates
 * dropped, per-day rows and revenue as sent, and the Kafka position readable from the tables after
 * compaction and expiry, at the topic's end.
 *
 * <p>Real broker, generator (with malformed, duplicate and late lines), Iceberg tables (hadoop
 * catalog). The streaming job runs in this JVM on the direct runner, as the launcher runs it
 * (stopped once the producer is done and the tables have caught up); each maintain runs in its own
 * JVM, as the console and cron run it.
 */
class StreamingIngestThroughCompactionTest {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String INGEST_RUN_ID = CommittedOffsets.RUN_ID_KEY;

  @TempDir Path dataDir;

  /** Each test its own topic: the broker is shared by the class. */
  private String topic = "pos_stream_compact";

  @Test
  void aStreamingJobRunningThroughCompactionsAndExpiryEndsExactWithItsPositionReadable()
      throws Exception {
    List<Manifest> sent = new ArrayList<>();
    sent.add(generate(1, 300, 0)); // waiting in the topic when the job starts

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
    LakehouseTables tables = new LakehouseTables(dataDir);
    AtomicBoolean allSent = new AtomicBoolean();
    ExecutorService jobThread = Executors.newSingleThreadExecutor();
    RunSummary summary;
    List<JsonNode> compactions = new ArrayList<>();
    List<Long> appendsWhileMaintaining = new ArrayList<>();
    Future<RunSummary> job = null;
    try {
      job =
          jobThread.submit(
              () ->
                  StreamingIngest.run(
                      options, KAFKA.bootstrapServers(), catalog, allSent::get, true));
      awaitConsumedMoreThan(tables, 0, job);

      // More traffic while the job runs, until told to stop: batches of 150 lines at 10/s (the
      // job reads ~15-20 messages/s on the direct runner here), each batch on days of its own.
      List<Manifest> produced = new CopyOnWriteArrayList<>();
      AtomicBoolean stopProducing = new AtomicBoolean();
      CompletableFuture<Void> producing =
          CompletableFuture.runAsync(
              () -> {
                for (int batch = 2; !stopProducing.get(); batch++) {
                  produced.add(generate(batch, 150, 10));
                }
              });

      long afterLastRound = -1;
      for (int round = 0; round < 2; round++) {
        // Compact once the job has committed every finished batch in many small commits, while
        // it goes on committing the next one: the older days are compacted under the job's
        // appends to the newer days (a day being written is too recent even for --min-age=0s,
        // as a commit lands between maintain's start and its plan).
        int finished = produced.size();
        while (produced.size() == finished) {
          assertThat(producing.isDone()).as("the producer ended early: %s", producing).isFalse();
          Thread.sleep(200);
        }
        long sentSoFar = 0;
        for (Manifest m : sent) {
          sentSoFar += m.counts().sent();
        }
        for (Manifest m : produced.subList(0, finished + 1)) {
          sentSoFar += m.counts().sent();
        }
        awaitConsumedMoreThan(tables, sentSoFar - 1, job);
        boolean expire = round == 1;
        long started = System.currentTimeMillis();
        long commitsBefore = LiveCounters.get(MetricNames.COMMITS);
        JsonNode maintained =
            expire
                ? maintainInOwnJvm(
                    "--compact", "--expire", "--retain-last=1", "--older-than=0s", "--min-age=0s")
                : maintainInOwnJvm("--compact", "--min-age=0s");
        compactions.add(maintained);
        System.err.printf(
            "streaming-through-compaction: round %d took %d ms%n",
            round, System.currentTimeMillis() - started);
        JsonNode raw = maintained.get("tables").get("raw.pos_transactions");
        assertThat(raw.get("files_rewritten").asLong())
            .as("round %d rewrote raw files: %s", round, maintained)
            .isGreaterThan(raw.get("files_written").asLong());
        Table rawTable = tables.rawTable();
        Snapshot compaction = rawTable.snapshot(raw.get("compaction_snapshot_id").asLong());
        if (compaction != null) { // expiry may have removed it under newer appends
          assertThat(compaction.operation()).isEqualTo(DataOperations.REPLACE);
          assertThat(compaction.summary()).containsKey(CommittedOffsets.SUMMARY_KEY);
        }
        // the job's commits while maintain ran (its JVM: the job's live counters are this JVM's)
        appendsWhileMaintaining.add(LiveCounters.get(MetricNames.COMMITS) - commitsBefore);
        if (!expire) {
          // and in the table: streaming appends after maintain started, below its rewrite
          long below = 0;
          for (Snapshot s : rawTable.snapshots()) {
            if (s.summary().containsKey(INGEST_RUN_ID)
                && s.timestampMillis() >= started
                && s.sequenceNumber() < compaction.sequenceNumber()) {
              below++;
            }
          }
          assertThat(below)
              .as("streaming appends below the rewrite, since maintain started")
              .isPositive();
        }
        if (expire) {
          assertThat(maintained.get("snapshots_expired").asLong()).isPositive();
          // the position is readable with the snapshots that recorded it gone
          assertThat(CommittedOffsets.of(rawTable, topic).nextOffsets()).isNotEmpty();
          assertThat(CommittedOffsets.of(tables.deadLetterTable(), topic).nextOffsets())
              .isNotEmpty();
          afterLastRound = rawTable.currentSnapshot().sequenceNumber();
        }
      }
      // the job goes on committing on top of the compacted, expired history
      Table rawTable = tables.rawTable();
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
      while (rawTable.currentSnapshot().sequenceNumber() <= afterLastRound
          || !rawTable.currentSnapshot().summary().containsKey(INGEST_RUN_ID)) {
        assertThat(System.nanoTime()).as("a commit after the expiry").isLessThan(deadline);
        assertThat(job.isDone()).as("the job ended early").isFalse();
        Thread.sleep(200);
        rawTable.refresh();
      }
      stopProducing.set(true);
      producing.get(3, TimeUnit.MINUTES);
      sent.addAll(produced);
      allSent.set(true);
      summary = job.get(3, TimeUnit.MINUTES);
    } finally {
      allSent.set(true);
      if (job != null && !job.isDone()) {
        try {
          job.get(3, TimeUnit.MINUTES); // a failed assertion above: let the job stop first
        } catch (Exception e) {
          // the assertion that brought us here matters more
        }
      }
      jobThread.shutdownNow();
    }
    System.err.printf(
        "streaming-through-compaction: %s; compactions %s; streaming appends while maintain ran"
            + " %s%n",
        summaryLine(summary), compactions, appendsWhileMaintaining);

    assertThat(appendsWhileMaintaining)
        .as("streaming commits while each maintain ran")
        .allMatch(n -> n > 0);

    long sentCount = sent.stream().mapToLong(m -> m.counts().sent()).sum();
    long valid = sent.stream().mapToLong(m -> m.counts().valid()).sum();
    long malformed = sent.stream().mapToLong(m -> m.counts().malformed()).sum();
    long duplicates = sent.stream().mapToLong(m -> m.counts().duplicates()).sum();
    assertThat(malformed).isPositive();
    assertThat(duplicates).isPositive();
    assertThat(sent.stream().mapToLong(m -> m.counts().late()).sum()).isPositive();

    // what the job read and dropped, by its summary
    assertThat(number(summary, "read")).as("read").isEqualTo(sentCount);
    assertThat(number(summary, "lag")).as("lag").isZero();
    assertThat(number(summary, "duplicates_dropped")).as("duplicates").isEqualTo(duplicates);
    // and where it went, by the totals its commits recorded (the expiry above removed most of
    // its own snapshots, and compaction carried the totals forward)
    assertThat(number(summary, "raw_written")).as("raw_written").isEqualTo(valid);
    assertThat(number(summary, "dead_letters")).as("dead_letters").isEqualTo(malformed);
    assertThat(number(summary, "unaccounted")).as("unaccounted").isZero();

    // the tables against the manifests: read = raw + dead letters + duplicates dropped, and per
    // day rows and revenue against an independent count
    List<Record> raw = tables.raw();
    List<Record> dead = tables.deadLetters();
    assertThat(raw).hasSize((int) valid);
    assertThat(dead).hasSize((int) malformed);
    assertThat(raw.size() + dead.size() + number(summary, "duplicates_dropped"))
        .isEqualTo(number(summary, "read"));
    RunnerConformance.assertTablesHoldExactly(tables, sent.toArray(Manifest[]::new));
    assertThat(perDay(raw)).isEqualTo(expectedPerDay(sent));

    // once more with the job stopped (in this JVM now): the position stays at the topic's end
    JsonNode last =
        maintainHere("--compact", "--expire", "--retain-last=1", "--older-than=0s", "--min-age=0s");
    assertThat(
            last.get("tables").get("raw.pos_transactions_dlq").get("files_rewritten").asLong()
                + compactions.stream()
                    .mapToLong(
                        c ->
                            c.get("tables")
                                .get("raw.pos_transactions_dlq")
                                .get("files_rewritten")
                                .asLong())
                    .sum())
        .as("DLQ files rewritten")
        .isPositive();
    Map<Integer, Long> end = endOffsets();
    for (Table table : List.of(tables.rawTable(), tables.deadLetterTable())) {
      table.refresh();
      // One snapshot left: the final compaction's replace, or (when that table had nothing left
      // to merge, its partitions already one file each) the job's last append.
      assertThat(table.currentSnapshot().operation())
          .isIn(DataOperations.REPLACE, DataOperations.APPEND);
      assertThat(count(table.snapshots())).as("%s snapshots", table.name()).isOne();
      assertThat(CommittedOffsets.of(table, topic).nextOffsets()).as(table.name()).isEqualTo(end);
    }

    // a catch-up run afterwards finds nothing new and appends nothing
    Path after = dataDir.resolve("after.json");
    assertThat(
            LakehouseCommand.run(
                new String[] {
                  "ingest",
                  "--until-caught-up",
                  "--topic=" + topic,
                  "--bootstrap-servers=" + KAFKA.bootstrapServers(),
                  "--data-dir=" + dataDir,
                  "--summary-json=" + after
                }))
        .isZero();
    JsonNode catchUp = JSON.readTree(Files.readString(after));
    assertThat(catchUp.get("read").asLong()).isZero();
    assertThat(catchUp.get("raw_written").asLong()).isZero();
    assertThat(tables.raw()).hasSize((int) valid);
    assertThat(tables.deadLetters()).hasSize((int) malformed);
  }

  /**
   * A streaming job's summary counts what it committed although {@code maintain --expire} removed
   * the job's own snapshots while it ran: each commit records the run's totals with the position
   * (before, the summary summed the run's snapshots still there and reported e.g. raw_written 140
   * of 285, the rest as unaccounted, with every row in the tables).
   */
  @Test
  void streamingSummaryCountsSurviveExpiry() throws Exception {
    topic = "pos_stream_expired_summary";
    List<Manifest> sent = new ArrayList<>();
    sent.add(generate(1, 200, 0));
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
    LakehouseTables tables = new LakehouseTables(dataDir);
    AtomicBoolean allSent = new AtomicBoolean();
    ExecutorService jobThread = Executors.newSingleThreadExecutor();
    RunSummary summary;
    try {
      Future<RunSummary> job =
          jobThread.submit(
              () ->
                  StreamingIngest.run(
                      options, KAFKA.bootstrapServers(), catalog, allSent::get, true));
      awaitConsumedMoreThan(tables, sent.get(0).counts().sent() - 1, job);
      maintainInOwnJvm("--expire", "--retain-last=1", "--older-than=0s");
      sent.add(generate(2, 100, 0));
      allSent.set(true);
      summary = job.get(3, TimeUnit.MINUTES);
    } finally {
      allSent.set(true);
      jobThread.shutdownNow();
    }
    RunnerConformance.assertTablesHoldExactly(tables, sent.toArray(Manifest[]::new));
    assertThat(number(summary, "raw_written"))
        .as("raw_written")
        .isEqualTo(sent.stream().mapToLong(m -> m.counts().valid()).sum());
    assertThat(number(summary, "dead_letters"))
        .as("dead_letters")
        .isEqualTo(sent.stream().mapToLong(m -> m.counts().malformed()).sum());
    assertThat(number(summary, "unaccounted")).as("unaccounted").isZero();
  }

  // ---- helpers

  /** One generator run into the topic; its own UTC days, 10 days apart from the other runs. */
  private Manifest generate(long seed, int count, double rate) {
    try {
      return GenerateRun.run(
          GeneratorConfig.builder()
              .seed(seed)
              .start(
                  LocalDate.of(2026, 6, 1)
                      .plusDays(10 * seed)
                      .atStartOfDay(ZoneOffset.UTC)
                      .toInstant())
              .count(count)
              .rate(rate)
              .topic(topic)
              .partitions(3)
              .malformedRate(0.03)
              .duplicateRate(0.03)
              .lateRate(0.03)
              .build(),
          KAFKA.bootstrapServers(),
          ProgressSink.none());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Waits until both tables have consumed more than {@code consumed} messages of the topic. */
  private void awaitConsumedMoreThan(LakehouseTables tables, long consumed, Future<RunSummary> job)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (tables.consumed(topic) <= consumed) {
      if (job.isDone()) {
        job.get(); // the job failed: show why
        throw new AssertionError("the streaming job ended early");
      }
      assertThat(System.nanoTime()).as("the job committed within 2 minutes").isLessThan(deadline);
      Thread.sleep(200);
    }
  }

  /** {@code ./lakehouse maintain --tables=raw,dlq flags...} in its own JVM; its summary. */
  private JsonNode maintainInOwnJvm(String... flags) throws Exception {
    Path summary = Files.createTempFile(dataDir, "maintain", ".json");
    List<String> args =
        new ArrayList<>(List.of("maintain", "--tables=raw,dlq", "--data-dir=" + dataDir));
    args.addAll(List.of(flags));
    args.add("--summary-json=" + summary);
    try (LakehouseJvm maintain = LakehouseJvm.start(List.of(), args.toArray(String[]::new))) {
      assertThat(maintain.waitFor(Duration.ofMinutes(2)))
          .as("maintain exit code: %s", maintain.stderr())
          .isZero();
    }
    return JSON.readTree(Files.readString(summary));
  }

  /** The same in this JVM (only once the streaming job has stopped: it resets live counters). */
  private JsonNode maintainHere(String... flags) throws Exception {
    Path summary = Files.createTempFile(dataDir, "maintain", ".json");
    List<String> args =
        new ArrayList<>(List.of("maintain", "--tables=raw,dlq", "--data-dir=" + dataDir));
    args.addAll(List.of(flags));
    args.add("--summary-json=" + summary);
    assertThat(LakehouseCommand.run(args.toArray(String[]::new))).as("maintain").isZero();
    return JSON.readTree(Files.readString(summary));
  }

  private Map<Integer, Long> endOffsets() {
    Map<String, Object> config =
        Map.of(
            "bootstrap.servers", KAFKA.bootstrapServers(),
            "key.deserializer", ByteArrayDeserializer.class.getName(),
            "value.deserializer", ByteArrayDeserializer.class.getName());
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      Map<Integer, Long> end = new TreeMap<>();
      consumer.endOffsets(partitions).forEach((tp, offset) -> end.put(tp.partition(), offset));
      return end;
    }
  }

  /** Per UTC day of event_time: "rows, revenue" of the raw rows. */
  private static Map<String, String> perDay(List<Record> raw) {
    Map<String, Long> rows = new TreeMap<>();
    Map<String, BigDecimal> revenue = new TreeMap<>();
    for (Record r : raw) {
      String day = ((LocalDateTime) r.getField("event_time")).toLocalDate().toString();
      rows.merge(day, 1L, Long::sum);
      revenue.merge(day, (BigDecimal) r.getField("total_amount"), BigDecimal::add);
    }
    Map<String, String> sums = new TreeMap<>();
    rows.forEach((day, n) -> sums.put(day, n + " rows, " + revenue.get(day).stripTrailingZeros()));
    return sums;
  }

  /** The same from the generator's manifests (what it sent, not what was read). */
  private static Map<String, String> expectedPerDay(List<Manifest> sent) {
    Map<String, Long> rows = new TreeMap<>();
    Map<String, BigDecimal> revenue = new TreeMap<>();
    for (Manifest m : sent) {
      for (DailyExpectation d : m.expectedDaily()) {
        rows.merge(d.saleDate(), d.lines(), Long::sum);
        revenue.merge(d.saleDate(), d.netRevenue(), BigDecimal::add);
      }
    }
    Map<String, String> sums = new TreeMap<>();
    rows.forEach((day, n) -> sums.put(day, n + " rows, " + revenue.get(day).stripTrailingZeros()));
    return sums;
  }

  private static long number(RunSummary summary, String key) {
    return ((Number) summary.get(key)).longValue();
  }

  private static String summaryLine(RunSummary summary) {
    StringBuilder line = new StringBuilder();
    for (String key :
        List.of(
            "read",
            "raw_written",
            "dead_letters",
            "duplicates_dropped",
            "unaccounted",
            "commits",
            "lag",
            "seconds")) {
      line.append(key).append('=').append(summary.get(key)).append(' ');
    }
    return line.toString().strip();
  }

  private static int count(Iterable<?> items) {
    int n = 0;
    for (Object ignored : items) {
      n++;
    }
    return n;
  }
}
