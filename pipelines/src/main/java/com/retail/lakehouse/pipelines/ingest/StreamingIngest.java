package com.retail.lakehouse.pipelines.ingest;

import com.retail.lakehouse.common.Durations;
import com.retail.lakehouse.common.UsageException;
import com.retail.lakehouse.pipelines.run.PipelineArgs;
import com.retail.lakehouse.pipelines.run.RunSummary;
import com.retail.lakehouse.transforms.commit.CommittedOffsets;
import com.retail.lakehouse.transforms.contract.EventContract;
import com.retail.lakehouse.transforms.contract.PosContract;
import com.retail.lakehouse.transforms.dedupe.RecentLineKeys;
import com.retail.lakehouse.transforms.metrics.LiveCounters;
import com.retail.lakehouse.transforms.metrics.MetricNames;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;

/**
 * {@code ./lakehouse ingest --mode=streaming}: one continuous KafkaIO job on the direct or flink
 * runner. It starts reading at the tables' recorded offsets (the lower of raw and dead letters), so
 * KafkaIO's reader begins exactly where the committed data ends; the job then commits each table
 * once per commit window. While it runs, this launcher prints a progress line, and with {@code
 * --until-caught-up} (or {@code --max-read-time}) it stops the job once the tables' positions reach
 * the end offsets seen at start (or the time is up) and prints a summary computed from the tables'
 * own commits.
 */
public final class StreamingIngest {
  /** Runner flags the streaming job needs, applied unless the command line sets them. */
  static final Map<String, List<String>> RUNNER_FLAGS =
      Map.of(
          "flink",
          List.of(
              // run() must return so this launcher can watch the tables and stop the job
              "--attachedMode=false",
              // No Flink checkpoints (Beam's default): the job never restores from one (a failed
              // job is restarted from the tables), and the consumer group's offsets, for lag
              // tools, are moved by this launcher to the tables' positions. A checkpoint wrote
              // the whole de-duplication state every minute for nothing: 4% of a 2M-event run's
              // CPU samples, and 6M events ran at 105k events/s without them against 96k
              // (bench/results/profile-notes.md).
              "--numberOfExecutionRetries=0",
              // should a cluster's own configuration turn checkpoints on (the command line and the
              // profiles cannot: refuseCheckpoints, StreamingRunnerFlagsTest): steps that emit
              // when a bundle finishes (the per-bundle batches and offsets) emit before a
              // checkpoint barrier, not into the checkpoint, where a watermark update could
              // overtake them and make them late
              "--finishBundleBeforeCheckpointing=true",
              // a step holds its output watermark while a bundle is open, and the steps that see
              // few elements (the writers' and committers' groupings) finish theirs by time
              // only: at the default 1 s, a 10 s window's commit began 2.8-3.0 s after the window
              // ended, at 100 ms 1.6-2.5 s, with no loss of throughput (bench/results/freshness.md)
              "--maxBundleTimeMills=100"));

  /**
   * Runner flags the streaming job needs on the local runner only (profile local-&lt;runner&gt;),
   * applied the same way. On a cluster Beam's counters in Flink's web UI are the job's only live
   * view, so they stay there.
   */
  static final Map<String, List<String>> LOCAL_RUNNER_FLAGS =
      Map.of(
          "flink",
          // Beam's Flink runner copies every Beam metric of the reading step chain into Flink's
          // after each record read: 8% of the job's CPU samples (bench/results/profile-notes.md).
          // Locally the job's accounting uses the launcher's live counters and the tables'
          // commits, never Beam metrics
          List.of("--disableMetrics=true"));

  private StreamingIngest() {}

  /**
   * How long the read rests once a commit window has ended, so that the window's watermark passes
   * Beam's Flink steps (which hold it while a bundle is open) at once: on Flink a fifth of the
   * window, at most 0.4 s (four times the 100 ms after which the steps finish a bundle by time,
   * {@code --maxBundleTimeMills} above); other runners do not hold it, and do not rest.
   */
  static Duration restAfterWindow(String runner, Duration commitInterval) {
    if (!runner.equals("flink")) {
      return Duration.ZERO;
    }
    Duration fifth = commitInterval.dividedBy(5);
    Duration most = Duration.ofMillis(400);
    return fifth.compareTo(most) < 0 ? fifth : most;
  }

  /**
   * The command line with the runner's streaming flags added where neither the command line nor the
   * runner profile sets them.
   */
  public static String[] withRunnerFlags(String[] args) {
    return withRunnerFlags(args, PipelineArgs.classpathRunner());
  }

  static String[] withRunnerFlags(String[] args, String runner) {
    if (runner.equals("spark")) {
      throw new UsageException(
          "--mode=streaming runs on direct and flink; the classic Spark runner cannot run"
              + " IcebergIO-style streaming writes: use catch-up runs (drop --mode; --every"
              + " repeats them)");
    }
    List<String> all = new ArrayList<>(PipelineArgs.normalize(args));
    refuseCheckpoints(all);
    List<String> flags = new ArrayList<>(RUNNER_FLAGS.getOrDefault(runner, List.of()));
    if (("local-" + runner).equals(PipelineArgs.profileNamed(all, runner))) {
      flags.addAll(LOCAL_RUNNER_FLAGS.getOrDefault(runner, List.of()));
    }
    for (String flag : flags) {
      String name = PipelineArgs.flagName(flag);
      if (all.stream()
          .noneMatch(a -> a.startsWith("--") && PipelineArgs.flagName(a).equals(name))) {
        all.add(0, flag);
      }
    }
    return all.toArray(String[]::new);
  }

  /**
   * Refuses Flink checkpoints: the job never restores from one (a failed job restarts from the
   * tables' positions and reloads the lines they committed), and the de-duplication changes its
   * state in place (DropDuplicateLinesInStream), which a heap snapshot could catch half-way.
   */
  private static void refuseCheckpoints(List<String> normalized) {
    for (String arg : normalized) {
      if (PipelineArgs.flagName(arg).equals("checkpointingInterval")) {
        String value = Objects.requireNonNullElse(PipelineArgs.flagValue(arg), "");
        if (!value.matches("-?\\d+") || Long.parseLong(value) > 0) {
          throw new UsageException(
              "--mode=streaming takes no Flink checkpoints (a failed job restarts from the"
                  + " tables' positions): drop --checkpointingInterval="
                  + value);
        }
      }
    }
  }

  /**
   * Runs the job until {@code --max-read-time} is up or, once {@code inputComplete} says no more
   * messages are coming, until the tables' positions reach the topic's end offsets of that moment
   * ({@code --until-caught-up}: from the start; a benchmark: once its producer has finished). A
   * {@code bounded} run commits every window, so being caught up shows at once in both tables.
   */
  public static RunSummary run(
      IngestOptions options,
      String bootstrap,
      CatalogSettings catalog,
      java.util.function.BooleanSupplier inputComplete,
      boolean bounded)
      throws InterruptedException, IOException {
    return run(options, bootstrap, catalog, PosContract.INSTANCE, inputComplete, bounded);
  }

  /** The job for a contract's stream (its topic is {@code --topic}). */
  public static RunSummary run(
      IngestOptions options,
      String bootstrap,
      CatalogSettings catalog,
      EventContract contract,
      java.util.function.BooleanSupplier inputComplete,
      boolean bounded)
      throws InterruptedException, IOException {
    return run(
        options,
        bootstrap,
        catalog,
        contract,
        inputComplete,
        bounded,
        ReadTimePolicy.SystemClock.INSTANCE);
  }

  /** The same job, its read stamping messages with {@code clock}'s time (tests step it). */
  static RunSummary run(
      IngestOptions options,
      String bootstrap,
      CatalogSettings catalog,
      EventContract contract,
      java.util.function.BooleanSupplier inputComplete,
      boolean bounded,
      ReadTimePolicy.ReadClock clock)
      throws InterruptedException, IOException {
    if (options.getMaxRecords() > 0) {
      throw new UsageException(
          "--max-records bounds catch-up runs; in --mode=streaming use --until-caught-up or"
              + " --max-read-time");
    }
    String topic = options.getTopic();
    Duration commitInterval = Durations.parse("commit-interval", options.getCommitInterval());
    Duration horizon = Durations.parse("dedupe-horizon", options.getDedupeHorizon());
    Duration maxReadTime = Durations.optional("max-read-time", options.getMaxReadTime());
    Duration kafkaTimeout = Durations.parse("kafka-timeout", options.getKafkaTimeout());
    IngestTables tables = IngestTables.open(catalog, contract, topic);
    String runId = UUID.randomUUID().toString();
    tables.recoverPositionIfAsked(options, runId);
    tables.claim(runId);
    CommittedOffsets rawPosition = tables.rawPosition();
    CommittedOffsets deadLetterPosition = tables.deadLetterPosition();

    Map<Integer, Long> start;
    Map<Integer, List<Long>> lost;
    try (KafkaPositions kafka = new KafkaPositions(bootstrap, topic, kafkaTimeout)) {
      IngestTables.checkPositionsWithin(
          kafka.latest(kafka.partitions()), rawPosition, deadLetterPosition, topic);
      start = kafka.resumeOffsets(kafka.partitions(), rawPosition, deadLetterPosition);
      lost = IngestTables.deletedBeforeRead(start, rawPosition, deadLetterPosition);
      // The job reads from `start` itself; the group is moved there too, for lag tools.
      kafka.setGroupOffsets(options.getConsumerGroup(), start);
    }

    IngestPipeline.StreamingPlan plan =
        new IngestPipeline.StreamingPlan(
            catalog,
            contract,
            rawPosition,
            deadLetterPosition,
            tables.gapRouting(rawPosition, deadLetterPosition),
            RecentLineKeys.of(
                catalog,
                contract.rawTable().identifier(),
                contract.lineKey(),
                horizon,
                Instant.now()),
            runId,
            commitInterval,
            horizon,
            // a bounded job commits every window, so being caught up shows at once
            bounded || maxReadTime != null ? 1 : 10);
    Pipeline pipeline =
        IngestPipeline.buildStreaming(
            options,
            plan,
            new ReadKafkaStream(
                bootstrap,
                topic,
                options.getConsumerGroup(),
                start,
                clock,
                commitInterval,
                restAfterWindow(PipelineArgs.classpathRunner(), commitInterval)));
    System.err.printf(
        "lakehouse: streaming ingest job %s: reading %s from offsets %s (consumer group %s),"
            + " committing every %s into %s%n",
        runId.substring(0, 8),
        topic,
        start,
        options.getConsumerGroup(),
        options.getCommitInterval(),
        catalog.describe());
    LiveCounters.reset();
    GroupAtPosition group =
        new GroupAtPosition(bootstrap, topic, options.getConsumerGroup(), start, kafkaTimeout);
    long t0 = System.nanoTime();
    PipelineResult result = pipeline.run();
    long lastProgress = t0;
    boolean caughtUp = false;
    Map<Integer, Long> end = null;
    String stopReason;
    while (true) {
      Thread.sleep(500);
      PipelineResult.State state;
      try {
        state = result.getState();
      } catch (RuntimeException e) {
        state = PipelineResult.State.FAILED; // e.g. Flink's local cluster already shut down
      }
      if (state.isTerminal()) {
        throw new IllegalStateException(
            "the streaming ingest job ended in state "
                + state
                + " (see the error above); run ingest again: it resumes from the tables");
      }
      if (end == null && inputComplete.getAsBoolean()) {
        try {
          end = latest(bootstrap, topic, kafkaTimeout);
        } catch (KafkaUnavailableException e) {
          cancelQuietly(result); // the job must not outlive its launcher
          throw e;
        }
      }
      boolean progressDue = System.nanoTime() - lastProgress >= 5_000_000_000L;
      // The tables' positions are read only when something needs them (two metadata reads, which
      // on S3 are requests): the caught-up check once the end is known, and the progress line.
      Map<Integer, Long> position =
          end != null || progressDue ? tables.position(start.keySet()) : null;
      group.moveTo(position);
      if (end != null && reached(position, end)) {
        caughtUp = true;
        stopReason = "caught up with the end offsets " + end;
        break;
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      if (maxReadTime != null && seconds >= maxReadTime.toSeconds()) {
        stopReason = "--max-read-time " + options.getMaxReadTime() + " is up";
        break;
      }
      if (progressDue) {
        lastProgress = System.nanoTime();
        System.err.printf(
            "ingest: read %,d  %,.0f events/s  dead letters %,d  duplicates %,d  rows written %,d"
                + "  commits %d  committed up to %s  %.0fs%n",
            LiveCounters.get(MetricNames.READ),
            LiveCounters.get(MetricNames.READ) / Math.max(seconds, 1e-9),
            LiveCounters.get(MetricNames.INVALID),
            LiveCounters.get(MetricNames.DUPLICATES_DROPPED),
            LiveCounters.get(MetricNames.ROWS_WRITTEN),
            LiveCounters.get(MetricNames.COMMITS),
            position,
            seconds);
      }
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    System.err.println("lakehouse: stopping the streaming ingest job: " + stopReason);
    result.cancel();
    try {
      result.waitUntilFinish(org.joda.time.Duration.standardSeconds(30));
    } catch (RuntimeException e) {
      // already gone; a commit still in flight is refused by the next job's claim anyway
    }

    Map<Integer, Long> position = tables.position(start.keySet());
    group.moveTo(position);
    if (end == null) {
      end = latest(bootstrap, topic, kafkaTimeout);
    }
    long consumed = 0;
    long lag = 0;
    for (int p : start.keySet()) {
      consumed += Math.max(0, position.get(p) - start.get(p));
      lag += Math.max(0, end.get(p) - position.get(p));
    }
    IngestTables.RunCommits commits = tables.commitsOf(runId);
    RunSummary summary = new RunSummary("ingest summary (streaming)");
    summary.put("runner", PipelineArgs.classpathRunner());
    summary.put("mode", "streaming");
    summary.put("topic", topic);
    summary.put("catalog", catalog.describe());
    // read = messages whose offsets the tables now cover; counts are from the tables' commits.
    IngestTables.putCounts(
        summary,
        consumed,
        commits.rawRows(),
        commits.deadLetterRows(),
        LiveCounters.get(MetricNames.DUPLICATES_DROPPED),
        LiveCounters.get(MetricNames.SKIPPED_ALREADY_COMMITTED),
        IngestTables.deadLettersByReason(LiveCounters::get),
        consumed / Math.max(seconds, 1e-9));
    IngestTables.putLost(summary, lost);
    summary.put("seconds", Math.round(seconds * 10) / 10.0);
    summary.put("commits", commits.commits());
    summary.put("data_files", commits.dataFiles());
    summary.put("data_bytes", commits.dataBytes());
    summary.put("start_offsets", start);
    summary.put("end_offsets", position);
    summary.put("lag", lag);
    summary.put("caught_up", caughtUp);
    summary.put("run_id", runId);
    return summary;
  }

  /**
   * Keeps the consumer group's offsets at the tables' positions while the job runs, for lag tools
   * (the job itself commits none): moved once per new position, i.e. per commit window, and never
   * back. Best effort: a broker that does not answer within a few seconds costs a one-line warning,
   * not the job, and a minute later the next position tries again.
   */
  private static final class GroupAtPosition {
    private final String bootstrap;
    private final String topic;
    private final String group;
    private final Duration timeout;
    private Map<Integer, Long> moved;
    private boolean warned;
    private long quietUntil = Long.MIN_VALUE;

    GroupAtPosition(
        String bootstrap,
        String topic,
        String group,
        Map<Integer, Long> start,
        Duration kafkaTimeout) {
      Duration quick = Duration.ofSeconds(5);
      this.bootstrap = bootstrap;
      this.topic = topic;
      this.group = group;
      this.timeout = kafkaTimeout.compareTo(quick) < 0 ? kafkaTimeout : quick;
      this.moved = new TreeMap<>(start); // where the launcher set the group before the job
    }

    void moveTo(Map<Integer, Long> position) {
      if (position == null || System.nanoTime() < quietUntil) {
        return;
      }
      // never back: the start may lie above the tables' position where Kafka deleted messages
      Map<Integer, Long> target = new TreeMap<>(moved);
      position.forEach((p, o) -> target.merge(p, o, Math::max));
      if (target.equals(moved)) {
        return;
      }
      try (KafkaPositions kafka = new KafkaPositions(bootstrap, topic, timeout)) {
        kafka.setGroupOffsets(group, target);
        moved = target;
        warned = false;
      } catch (RuntimeException e) {
        // a broker that does not answer held the watch loop up to ~15 s: not again for a minute
        quietUntil = System.nanoTime() + 60_000_000_000L;
        if (!warned) {
          System.err.println(
              "lakehouse: could not move consumer group "
                  + group
                  + " to the tables' position (lag tools show older offsets until it can): "
                  + e.getMessage());
          warned = true;
        }
      }
    }
  }

  private static Map<Integer, Long> latest(String bootstrap, String topic, Duration timeout) {
    try (KafkaPositions kafka = new KafkaPositions(bootstrap, topic, timeout)) {
      return kafka.latest(kafka.partitions());
    }
  }

  private static void cancelQuietly(PipelineResult result) {
    try {
      result.cancel();
      result.waitUntilFinish(org.joda.time.Duration.standardSeconds(30));
    } catch (IOException | RuntimeException e) {
      // already gone; the failure being reported matters more
    }
  }

  private static boolean reached(Map<Integer, Long> position, Map<Integer, Long> end) {
    return end.entrySet().stream()
        .allMatch(e -> position.getOrDefault(e.getKey(), 0L) >= e.getValue());
  }
}
