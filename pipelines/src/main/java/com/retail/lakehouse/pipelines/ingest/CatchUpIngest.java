package com.retail.lakehouse.pipelines.ingest;

import com.retail.lakehouse.common.Durations;
import com.retail.lakehouse.common.Failures;
import com.retail.lakehouse.common.UsageException;
import com.retail.lakehouse.pipelines.run.PipelineArgs;
import com.retail.lakehouse.pipelines.run.PipelineCounters;
import com.retail.lakehouse.pipelines.run.Progress;
import com.retail.lakehouse.pipelines.run.RunSummary;
import com.retail.lakehouse.transforms.commit.CommittedOffsets;
import com.retail.lakehouse.transforms.contract.EventContract;
import com.retail.lakehouse.transforms.contract.PosContract;
import com.retail.lakehouse.transforms.dedupe.RecentLineKeys;
import com.retail.lakehouse.transforms.metrics.LiveCounters;
import com.retail.lakehouse.transforms.metrics.MetricNames;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.iceberg.Snapshot;

/**
 * One catch-up ingest run, the typed entry that the ingest command, the demo, the benchmarks and
 * the console call: claim the tables, read their Kafka position, read every message from there to
 * the end offsets seen at the start, write and commit each table once with the offsets it covers,
 * and summarize from the tables' own commits. A run that fails commits nothing that the next run
 * would not skip.
 */
public final class CatchUpIngest {
  private CatchUpIngest() {}

  /** Runs once for the POS contract; returns the summary. */
  public static RunSummary run(IngestOptions options, String bootstrap, CatalogSettings catalog) {
    return run(options, bootstrap, catalog, PosContract.INSTANCE);
  }

  /**
   * Runs once for a contract; returns the summary. Fails with a {@link KafkaUnavailableException}
   * when Kafka did not answer within {@code --kafka-timeout} (also when a runner wrapped it), and
   * with a one-line {@link UncheckedIOException} when the warehouse's disk is full.
   */
  public static RunSummary run(
      IngestOptions options, String bootstrap, CatalogSettings catalog, EventContract contract) {
    try {
      return runOnce(options, bootstrap, catalog, contract);
    } catch (RuntimeException e) {
      throw explained(e, catalog);
    }
  }

  /**
   * A failed run's exception as the one line a person needs: Kafka not answering, found inside a
   * runner's wrapping; the disk of the warehouse full, with where and what to do; anything else as
   * it is.
   */
  static RuntimeException explained(RuntimeException e, CatalogSettings catalog) {
    Optional<KafkaUnavailableException> kafka = KafkaUnavailableException.in(e);
    if (kafka.isPresent()) {
      return kafka.get();
    }
    if (Failures.isOutOfSpace(e)) {
      // No cause: the launcher prints the innermost cause, and this is the line to print.
      IOException full =
          new IOException(
              "no space left on device for "
                  + catalog.describe()
                  + ": free space there and run ingest again; it resumes from the tables (a"
                  + " failed run's files are left unreferenced by any snapshot)");
      full.addSuppressed(e);
      return new UncheckedIOException(full.getMessage(), full);
    }
    return e;
  }

  private static RunSummary runOnce(
      IngestOptions options, String bootstrap, CatalogSettings catalog, EventContract contract) {
    if (PipelineArgs.classpathRunner().equals("spark")
        && options.getMaxReadTime() != null
        && !options.getMaxReadTime().isBlank()) {
      // With a time limit the recorded position comes from the messages, a second reader of them;
      // Spark recomputes a lost cached block by reading Kafka again, possibly to another offset,
      // so the position and the rows written could come from two different reads.
      throw new UsageException(
          "--max-read-time is refused for catch-up runs on the Spark runner (a recomputed"
              + " partition could record a position other than the rows it wrote): bound the"
              + " run with --max-records instead");
    }
    String topic = options.getTopic();
    IngestTables tables = IngestTables.open(catalog, contract, topic);
    String runId = UUID.randomUUID().toString();
    tables.recoverPositionIfAsked(options, runId);

    Duration kafkaTimeout = Durations.parse("kafka-timeout", options.getKafkaTimeout());
    try (KafkaPositions kafka = new KafkaPositions(bootstrap, topic, kafkaTimeout)) {
      List<Integer> partitions = kafka.partitions();
      Map<Integer, Long> end = kafka.latest(partitions);
      if (!tables.cover(end)) {
        // Something to read: claim the tables first (fencing off any older job still
        // committing), then read their positions.
        tables.claim(runId);
      }
      CommittedOffsets rawPosition = tables.rawPosition();
      CommittedOffsets deadLetterPosition = tables.deadLetterPosition();
      IngestTables.checkPositionsWithin(end, rawPosition, deadLetterPosition, topic);
      Map<Integer, Long> start = kafka.resumeOffsets(partitions, rawPosition, deadLetterPosition);
      // Offsets Kafka deleted before this run could read them: counted, never silently skipped.
      Map<Integer, List<Long>> lost =
          IngestTables.deletedBeforeRead(start, rawPosition, deadLetterPosition);
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
        IngestTables.putCounts(summary, 0, 0, 0, 0, 0, Map.of(), 0.0);
        IngestTables.putLost(summary, lost);
        summary.put("start_offsets", start);
        summary.put("end_offsets", end);
        summary.put("lag", 0);
        return summary;
      }
      List<ReadPosMessages.PartitionRange> ranges =
          ReadPosMessages.plan(topic, start, end, options.getMaxRecords());
      long planned = ranges.stream().mapToLong(r -> r.end() - r.start()).sum();
      Duration maxReadTime = Durations.optional("max-read-time", options.getMaxReadTime());

      System.err.printf(
          "lakehouse: ingest run %s: reading %,d messages of %s (partitions %s from %s) into %s%n",
          runId.substring(0, 8), planned, topic, partitions, start, catalog.describe());
      IngestPipeline.CatchUpPlan plan =
          new IngestPipeline.CatchUpPlan(
              ranges,
              maxReadTime,
              catalog,
              contract,
              rawPosition,
              deadLetterPosition,
              tables.gapRouting(rawPosition, deadLetterPosition),
              RecentLineKeys.of(
                  catalog,
                  contract.rawTable().identifier(),
                  contract.lineKey(),
                  Durations.parse("dedupe-horizon", options.getDedupeHorizon()),
                  Instant.now()),
              runId,
              lost);
      Pipeline pipeline =
          IngestPipeline.buildCatchUp(
              options,
              plan,
              new ReadPosMessages(
                  bootstrap, ranges, maxReadTime, options.getReaders(), kafkaTimeout));
      LiveCounters.reset();
      long t0 = System.nanoTime();
      PipelineResult result;
      try (Progress progress = Progress.start("ingest", t0, s -> progressLine(planned, s))) {
        result = pipeline.run();
        result.waitUntilFinish();
      }
      if (result.getState() != PipelineResult.State.DONE) {
        throw new IllegalStateException(
            "ingest pipeline ended in state "
                + result.getState()
                + " (a worker failed, see the error above; on the DirectRunner a run holds"
                + " its rows in memory: bound it with --max-records, or use --runner=flink/spark)");
      }
      double seconds = (System.nanoTime() - t0) / 1e9;

      PipelineCounters counters = PipelineCounters.of(result);
      IngestTables.RunCommits commits = tables.commitsOf(runId);
      Snapshot rawCommit = commits.raw().isEmpty() ? null : commits.raw().get(0);
      Snapshot deadCommit = commits.deadLetters().isEmpty() ? null : commits.deadLetters().get(0);
      IngestTables.putCounts(
          summary,
          counters.get(MetricNames.READ),
          commits.rawRows(),
          commits.deadLetterRows(),
          counters.get(MetricNames.LINES_IN) - counters.get(MetricNames.LINES_OUT),
          counters.get(MetricNames.SKIPPED_ALREADY_COMMITTED),
          IngestTables.deadLettersByReason(counters::get),
          // The planned ranges are exactly what the reader reads; Beam's attempted counters can
          // count twice where a runner recomputes a dataset (Spark under memory pressure).
          planned / Math.max(seconds, 1e-9));
      // Offsets deleted while the run read: a prefix of a planned range, [start, start + lost).
      for (ReadPosMessages.PartitionRange range : ranges) {
        long n = counters.get(MetricNames.lostToRetention(range.partition()));
        if (n > 0) {
          long from =
              lost.containsKey(range.partition())
                  ? lost.get(range.partition()).get(0)
                  : range.start();
          lost.put(range.partition(), List.of(from, range.start() + n));
        }
      }
      IngestTables.putLost(summary, lost);
      summary.put("seconds", Math.round(seconds * 10) / 10.0);
      String keys = plan.recentKeys().describeInThisJvm();
      if (keys != null) {
        System.err.println("lakehouse: " + keys);
      }
      summary.put("raw_snapshot_id", rawCommit == null ? null : rawCommit.snapshotId());
      summary.put("dlq_snapshot_id", deadCommit == null ? null : deadCommit.snapshotId());
      summary.put("data_files", commits.dataFiles());
      summary.put("data_bytes", commits.dataBytes());
      summary.put("raw_data_files", commits.rawTotals().files());
      summary.put("raw_data_bytes", commits.rawTotals().bytes());
      summary.put("payload_bytes_read", counters.get(MetricNames.BYTES_READ));
      summary.put("commits", commits.commits());
      summary.put("start_offsets", start);
      summary.put("end_offsets", tables.rawPosition().advancedTo(Map.of()).nextOffsets());
      Map<Integer, Long> reached = tables.position(partitions);
      long lag = 0;
      for (int p : partitions) {
        lag += Math.max(0, end.get(p) - reached.get(p));
      }
      summary.put("lag", lag);
      summary.put("run_id", runId);
      // Show progress to lag tools; ingest itself never resumes from the group, so a broker that
      // went away after the commit costs only this.
      try {
        kafka.setGroupOffsets(options.getConsumerGroup(), new TreeMap<>(reached));
      } catch (KafkaUnavailableException e) {
        System.err.println(
            "lakehouse: WARNING the run committed, but consumer group "
                + options.getConsumerGroup()
                + " still shows the old position for lag tools: "
                + e.getMessage());
      }
      return summary;
    }
  }

  private static String progressLine(long expected, double seconds) {
    long read = LiveCounters.get(MetricNames.READ);
    return String.format(
        "ingest: read %,d/%,d (%d%%)  %,.0f events/s  dead letters %,d  rows written %,d  %.0fs",
        read,
        expected,
        expected == 0 ? 100 : read * 100 / expected,
        read / Math.max(seconds, 1e-9),
        LiveCounters.get(MetricNames.INVALID),
        LiveCounters.get(MetricNames.ROWS_WRITTEN),
        seconds);
  }
}
