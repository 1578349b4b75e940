package com.retail.lakehouse.pipelines.ingest;

import com.retail.lakehouse.pipelines.cli.Durations;
import com.retail.lakehouse.pipelines.cli.EmbeddedBroker;
import com.retail.lakehouse.pipelines.cli.PipelineArgs;
import com.retail.lakehouse.pipelines.cli.RunSummary;
import com.retail.lakehouse.pipelines.options.CatalogFromOptions;
import com.retail.lakehouse.transforms.dedupe.DropDuplicateLines;
import com.retail.lakehouse.transforms.dedupe.RecentLineKeys;
import com.retail.lakehouse.transforms.metrics.LiveCounters;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import com.retail.lakehouse.transforms.tables.CommittedOffsets;
import com.retail.lakehouse.transforms.tables.DeadLetterTable;
import com.retail.lakehouse.transforms.tables.RawTable;
import com.retail.lakehouse.transforms.validate.DeadLetterReason;
import com.retail.lakehouse.transforms.write.AppendWithPosition;
import com.retail.lakehouse.transforms.write.SkipRowsAlreadyCommitted;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;

/**
 * {@code ./lakehouse ingest}: Kafka -> validated, de-duplicated events -> {@code
 * raw.pos_transactions} (and dead letters -> {@code raw.pos_transactions_dlq}). Each run reads from
 * the position recorded in the tables up to the end offsets seen at its start, commits each table
 * once, and prints a summary; {@code --until-caught-up} does one run, otherwise runs repeat every
 * {@code --every} (default 10s) for continuous operation on any runner.
 */
public final class IngestCommand {
  static final String SUMMARY =
      "Ingest POS events from Kafka into raw.pos_transactions (valid, de-duplicated) and"
          + " raw.pos_transactions_dlq (everything else), exactly once: each commit records the"
          + " Kafka offsets it covers and every run resumes from the tables.";

  private IngestCommand() {}

  /** Runs the command; returns the process exit code. */
  public static int run(String[] args) throws Exception {
    if (PipelineArgs.wantsHelp(args)) {
      PipelineArgs.printHelp(System.out, "ingest", SUMMARY, IngestOptions.class);
      return 0;
    }
    IngestOptions options = PipelineArgs.parse("ingest", args, IngestOptions.class);
    boolean streaming;
    switch (options.getMode()) {
      case "catch-up" -> streaming = false;
      case "streaming" -> {
        streaming = true;
        options =
            PipelineArgs.parse(
                "ingest",
                StreamingIngest.withRunnerFlags(args, options.getDataDir()),
                IngestOptions.class);
      }
      default ->
          throw new PipelineArgs.UsageException(
              "--mode=" + options.getMode() + " is not a mode: use catch-up or streaming");
    }
    CatalogSettings catalog = CatalogFromOptions.settings(options);
    Duration every = Durations.parse("every", options.getEvery());
    try (EmbeddedBroker kafka =
        EmbeddedBroker.resolve(options.getBootstrapServers(), options.getDataDir())) {
      if (streaming) {
        RunSummary summary =
            StreamingIngest.run(
                options,
                kafka.bootstrapServers(),
                catalog,
                options::getUntilCaughtUp,
                options.getUntilCaughtUp());
        summary.print(System.out);
        summary.writeJson(options.getSummaryJson());
        return 0;
      }
      int run = 0;
      while (true) {
        run++;
        long started = System.nanoTime();
        RunSummary summary = runOnce(options, kafka.bootstrapServers(), catalog);
        summary.print(System.out);
        summary.writeJson(options.getSummaryJson());
        if (options.getUntilCaughtUp() || (options.getRuns() > 0 && run >= options.getRuns())) {
          return 0;
        }
        long sleepMs = every.toMillis() - (System.nanoTime() - started) / 1_000_000;
        if (sleepMs > 0) {
          Thread.sleep(sleepMs);
        }
      }
    }
  }

  /** One catch-up run: plan from the tables' positions, run the pipeline, summarize. */
  public static RunSummary runOnce(
      IngestOptions options, String bootstrap, CatalogSettings catalog) {
    String topic = options.getTopic();
    Table raw = RawTable.DEFINITION.createOrLoad(catalog.catalog());
    Table deadLetters = DeadLetterTable.DEFINITION.createOrLoad(catalog.catalog());
    String runId = UUID.randomUUID().toString();

    Map<Integer, Long> end;
    try (KafkaPositions kafka = new KafkaPositions(bootstrap, topic)) {
      List<Integer> partitions = kafka.partitions();
      end = kafka.latest(partitions);
      if (!CommittedOffsets.of(raw, topic).covers(end)
          || !CommittedOffsets.of(deadLetters, topic).covers(end)) {
        // Something to read: claim the tables first (fencing off any older job still
        // committing), then read their positions.
        AppendWithPosition.claim(raw, runId);
        AppendWithPosition.claim(deadLetters, runId);
      }
      CommittedOffsets rawPosition = CommittedOffsets.of(raw, topic);
      CommittedOffsets deadLetterPosition = CommittedOffsets.of(deadLetters, topic);
      Map<Integer, Long> start = kafka.resumeOffsets(partitions, rawPosition, deadLetterPosition);
      long pending = 0;
      for (int p : partitions) {
        pending += Math.max(0, end.get(p) - start.get(p));
      }
      RunSummary summary = new RunSummary("ingest summary");
      summary.put("runner", PipelineArgs.classpathRunner());
      summary.put("topic", topic);
      summary.put("catalog", catalog.describe());
      if (pending == 0) {
        System.err.println("lakehouse: ingest is caught up: nothing new in " + topic);
        fillCounts(summary, 0, 0, 0, 0, 0, Map.of(), 0.0);
        summary.put("start_offsets", start);
        summary.put("end_offsets", end);
        summary.put("lag", 0);
        return summary;
      }
      List<ReadPosMessages.PartitionRange> ranges =
          ReadPosMessages.plan(topic, start, end, options.getMaxRecords());
      long maxRecords = ranges.stream().mapToLong(r -> r.end() - r.start()).sum();
      Duration maxReadTime =
          options.getMaxReadTime() == null || options.getMaxReadTime().isBlank()
              ? null
              : Durations.parse("max-read-time", options.getMaxReadTime());

      System.err.printf(
          "lakehouse: ingest run %s: reading %,d messages of %s (partitions %s from %s) into %s%n",
          runId.substring(0, 8), maxRecords, topic, partitions, start, catalog.describe());
      Pipeline pipeline =
          IngestPipeline.build(
              options,
              new IngestPipeline.RunPlan(
                  bootstrap,
                  ranges,
                  maxReadTime,
                  catalog,
                  rawPosition,
                  deadLetterPosition,
                  RecentLineKeys.load(
                      raw,
                      Durations.parse("dedupe-horizon", options.getDedupeHorizon()),
                      Instant.now()),
                  runId));
      LiveCounters.reset();
      long t0 = System.nanoTime();
      PipelineResult result;
      ScheduledExecutorService progress = startProgress(maxRecords, t0);
      try {
        result = pipeline.run();
        result.waitUntilFinish();
      } finally {
        progress.shutdownNow();
      }
      if (result.getState() != PipelineResult.State.DONE) {
        throw new IllegalStateException(
            "ingest pipeline ended in state "
                + result.getState()
                + " (a worker failed, see the error above; on the DirectRunner a run holds"
                + " its rows in memory: bound it with --max-records, or use --runner=flink/spark)");
      }
      double seconds = (System.nanoTime() - t0) / 1e9;

      Map<String, Long> counters = counters(result);
      CommittedOffsets rawNow = CommittedOffsets.of(raw, topic);
      CommittedOffsets deadNow = CommittedOffsets.of(deadLetters, topic);
      Snapshot rawCommit = snapshotOfRun(raw, runId);
      Snapshot deadCommit = snapshotOfRun(deadLetters, runId);
      long rawWritten = added(rawCommit, "added-records");
      long deadWritten = added(deadCommit, "added-records");
      Map<String, Long> byReason = new TreeMap<>();
      for (DeadLetterReason reason : DeadLetterReason.values()) {
        long n = counters.getOrDefault("dead_letters_" + reason.name(), 0L);
        if (n > 0) {
          byReason.put(reason.name(), n);
        }
      }
      long read = counters.getOrDefault("read", 0L);
      long duplicates =
          counters.getOrDefault(DropDuplicateLines.LINES_IN, 0L)
              - counters.getOrDefault(DropDuplicateLines.LINES_OUT, 0L);
      fillCounts(
          summary,
          read,
          rawWritten,
          deadWritten,
          duplicates,
          counters.getOrDefault(SkipRowsAlreadyCommitted.SKIPPED, 0L),
          byReason,
          // The planned ranges are exactly what the reader reads; Beam's attempted counters can
          // count twice where a runner recomputes a dataset (Spark under memory pressure).
          maxRecords / Math.max(seconds, 1e-9));
      summary.put("seconds", Math.round(seconds * 10) / 10.0);
      summary.put("raw_snapshot_id", rawCommit == null ? null : rawCommit.snapshotId());
      summary.put("dlq_snapshot_id", deadCommit == null ? null : deadCommit.snapshotId());
      summary.put(
          "data_files",
          added(rawCommit, "added-data-files") + added(deadCommit, "added-data-files"));
      summary.put(
          "data_bytes",
          added(rawCommit, "added-files-size") + added(deadCommit, "added-files-size"));
      summary.put("raw_data_files", added(rawCommit, "added-data-files"));
      summary.put("raw_data_bytes", added(rawCommit, "added-files-size"));
      summary.put("payload_bytes_read", counters.getOrDefault("bytes_read", 0L));
      summary.put("commits", (rawCommit == null ? 0 : 1) + (deadCommit == null ? 0 : 1));
      summary.put("start_offsets", start);
      summary.put("end_offsets", rawNow.advancedTo(Map.of()).nextOffsets());
      long lag = 0;
      Map<Integer, Long> groupOffsets = new TreeMap<>();
      for (int p : partitions) {
        long next = Math.min(rawNow.next(p), deadNow.next(p));
        groupOffsets.put(p, next);
        lag += Math.max(0, end.get(p) - next);
      }
      summary.put("lag", lag);
      summary.put("run_id", runId);
      // Show progress to lag tools; ingest itself never resumes from the group.
      kafka.setGroupOffsets(options.getConsumerGroup(), groupOffsets);
      return summary;
    }
  }

  private static void fillCounts(
      RunSummary summary,
      long read,
      long rawWritten,
      long deadLetters,
      long duplicates,
      long skipped,
      Map<String, Long> byReason,
      double eventsPerSecond) {
    summary.put("read", read);
    summary.put("raw_written", rawWritten);
    summary.put("dead_letters", deadLetters);
    summary.put("duplicates_dropped", duplicates);
    summary.put("skipped_already_committed", skipped);
    summary.put("unaccounted", read - rawWritten - deadLetters - duplicates - skipped);
    summary.put("dead_letters_by_reason", byReason);
    summary.put("events_per_second", Math.round(eventsPerSecond));
  }

  private static ScheduledExecutorService startProgress(long expected, long t0) {
    ScheduledExecutorService timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "ingest-progress");
              t.setDaemon(true);
              return t;
            });
    timer.scheduleAtFixedRate(
        () -> {
          long read = LiveCounters.get("read");
          double s = (System.nanoTime() - t0) / 1e9;
          System.err.printf(
              "ingest: read %,d/%,d (%d%%)  %,.0f events/s  dead letters %,d  rows written %,d  %.0fs%n",
              read,
              expected,
              expected == 0 ? 100 : read * 100 / expected,
              read / Math.max(s, 1e-9),
              LiveCounters.get("invalid"),
              LiveCounters.get("rows_written"),
              s);
        },
        5,
        5,
        TimeUnit.SECONDS);
    return timer;
  }

  /** Beam counters of the lakehouse namespace, summed over steps (committed where supported). */
  public static Map<String, Long> counters(PipelineResult result) {
    MetricQueryResults metrics =
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.inNamespace("lakehouse"))
                    .build());
    Map<String, Long> sums = new LinkedHashMap<>();
    for (MetricResult<Long> counter : metrics.getCounters()) {
      long value;
      try {
        value = counter.getCommitted();
      } catch (UnsupportedOperationException e) {
        value = counter.getAttempted();
      }
      sums.merge(counter.getName().getName(), value, Long::sum);
    }
    return sums;
  }

  /** The snapshots an ingest run or streaming job committed, oldest first. */
  public static List<Snapshot> snapshotsOfRun(Table table, String runId) {
    table.refresh();
    List<Snapshot> commits = new ArrayList<>();
    for (Snapshot s : table.snapshots()) {
      if (runId.equals(s.summary().get(CommittedOffsets.RUN_ID_KEY))) {
        commits.add(s);
      }
    }
    return commits;
  }

  /** The one snapshot a catch-up run committed, or null. */
  public static Snapshot snapshotOfRun(Table table, String runId) {
    List<Snapshot> commits = snapshotsOfRun(table, runId);
    return commits.isEmpty() ? null : commits.get(0);
  }

  /** A count from a snapshot's summary (added-records, added-data-files, ...); 0 for none. */
  static long added(Snapshot s, String summaryKey) {
    return s == null ? 0 : Long.parseLong(s.summary().getOrDefault(summaryKey, "0"));
  }
}
