package com.retail.lakehouse.pipelines.ingest;

import com.retail.lakehouse.pipelines.run.RunSnapshots;
import com.retail.lakehouse.pipelines.run.RunSummary;
import com.retail.lakehouse.transforms.commit.AppendWithPosition;
import com.retail.lakehouse.transforms.commit.CommittedOffsets;
import com.retail.lakehouse.transforms.commit.RecordedRouting;
import com.retail.lakehouse.transforms.contract.EventContract;
import com.retail.lakehouse.transforms.event.DeadLetterReason;
import com.retail.lakehouse.transforms.metrics.MetricNames;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import com.retail.lakehouse.transforms.validate.GapRouting;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToLongFunction;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;

/**
 * The two tables one ingest writes (a contract's raw table and its dead letters), seen the same way
 * by both ingest modes: claiming them for a run, reading the Kafka position they hold, and turning
 * a run's commits into the summary's counts.
 */
final class IngestTables {
  private final Table raw;
  private final Table deadLetters;
  private final String topic;

  private IngestTables(Table raw, Table deadLetters, String topic) {
    this.raw = raw;
    this.deadLetters = deadLetters;
    this.topic = topic;
  }

  /** Loads (creating on first use) the contract's tables in the catalog. */
  static IngestTables open(CatalogSettings catalog, EventContract contract, String topic) {
    return new IngestTables(
        contract.rawTable().createOrLoad(catalog.catalog()),
        contract.deadLetterTable().createOrLoad(catalog.catalog()),
        topic);
  }

  Table raw() {
    return raw;
  }

  Table deadLetters() {
    return deadLetters;
  }

  /**
   * Claims both tables for {@code runId}: from here on a previous run or job still committing (a
   * zombie) is refused by the tables, so positions read after this are final.
   */
  void claim(String runId) {
    AppendWithPosition.claim(raw, runId);
    AppendWithPosition.claim(deadLetters, runId);
  }

  CommittedOffsets rawPosition() {
    return CommittedOffsets.of(raw, topic);
  }

  CommittedOffsets deadLetterPosition() {
    return CommittedOffsets.of(deadLetters, topic);
  }

  /**
   * The routing settings recorded for the offsets one table holds and the other does not (the gap
   * between the two positions, after a crash between the tables' commits or a stopped streaming
   * job), so that a run re-reading them routes each as before; read after {@link #claim}. Says so
   * on stderr when there is a gap.
   */
  GapRouting gapRouting(CommittedOffsets rawPosition, CommittedOffsets deadLetterPosition) {
    GapRouting gap = RecordedRouting.ofGap(raw, rawPosition, deadLetters, deadLetterPosition);
    if (!gap.isEmpty()) {
      System.err.println(
          "lakehouse: re-reading messages only one of the tables holds, routed as when they were"
              + " committed ("
              + gap
              + ")");
    }
    return gap;
  }

  /** Whether both tables already hold every offset below {@code end}. */
  boolean cover(Map<Integer, Long> end) {
    return rawPosition().covers(end) && deadLetterPosition().covers(end);
  }

  /** Per partition, the offset up to which both tables hold everything. */
  Map<Integer, Long> position(Iterable<Integer> partitions) {
    CommittedOffsets r = rawPosition();
    CommittedOffsets d = deadLetterPosition();
    Map<Integer, Long> position = new TreeMap<>();
    for (int p : partitions) {
      position.put(p, Math.min(r.next(p), d.next(p)));
    }
    return position;
  }

  /** The commits a run made to the raw table and the dead-letter table. */
  RunCommits commitsOf(String runId) {
    return new RunCommits(RunSnapshots.of(raw, runId), RunSnapshots.of(deadLetters, runId));
  }

  /** The snapshots of one run in both tables, and the counts the summary reports from them. */
  record RunCommits(List<Snapshot> raw, List<Snapshot> deadLetters) {
    long rawRows() {
      return RunSnapshots.sum(raw, "added-records");
    }

    long deadLetterRows() {
      return RunSnapshots.sum(deadLetters, "added-records");
    }

    long dataFiles() {
      return RunSnapshots.sum(raw, "added-data-files")
          + RunSnapshots.sum(deadLetters, "added-data-files");
    }

    long dataBytes() {
      return RunSnapshots.sum(raw, "added-files-size")
          + RunSnapshots.sum(deadLetters, "added-files-size");
    }

    int commits() {
      return raw.size() + deadLetters.size();
    }
  }

  /**
   * Puts the accounting every ingest summary has: read, where it went, and {@code unaccounted} =
   * read - raw - dead letters - duplicates - skipped, which the exactly-once promise keeps at 0.
   */
  static void putCounts(
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

  /** Dead letters per reason from counters named by {@link MetricNames#deadLetters}; only > 0. */
  static Map<String, Long> deadLettersByReason(ToLongFunction<String> counter) {
    Map<String, Long> byReason = new TreeMap<>();
    for (DeadLetterReason reason : DeadLetterReason.values()) {
      long n = counter.applyAsLong(MetricNames.deadLetters(reason));
      if (n > 0) {
        byReason.put(reason.name(), n);
      }
    }
    return byReason;
  }
}
