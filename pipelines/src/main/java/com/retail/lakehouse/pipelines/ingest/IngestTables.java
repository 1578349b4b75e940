package com.retail.lakehouse.pipelines.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.retail.lakehouse.common.UsageException;
import com.retail.lakehouse.pipelines.run.RunSnapshots;
import com.retail.lakehouse.pipelines.run.RunSummary;
import com.retail.lakehouse.transforms.commit.AppendWithPosition;
import com.retail.lakehouse.transforms.commit.CommittedOffsets;
import com.retail.lakehouse.transforms.commit.RecordedRouting;
import com.retail.lakehouse.transforms.commit.RunTotals;
import com.retail.lakehouse.transforms.contract.EventContract;
import com.retail.lakehouse.transforms.event.DeadLetterReason;
import com.retail.lakehouse.transforms.metrics.MetricNames;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import com.retail.lakehouse.transforms.tables.DeadLetterTable;
import com.retail.lakehouse.transforms.tables.RawTable;
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
      position.put(p, CommittedOffsets.resumeOffset(r, d, p));
    }
    return position;
  }

  /** The commits a run made to the raw table and the dead-letter table. */
  RunCommits commitsOf(String runId) {
    List<Snapshot> rawCommits = RunSnapshots.of(raw, runId);
    List<Snapshot> deadLetterCommits = RunSnapshots.of(deadLetters, runId);
    return new RunCommits(
        rawCommits,
        deadLetterCommits,
        totals(raw, rawCommits, runId),
        totals(deadLetters, deadLetterCommits, runId));
  }

  /**
   * What the run committed to {@code table}: the totals its commits recorded (carried with the
   * position, they survive the expiry of the run's own snapshots while a streaming job runs), never
   * less than the sum over the run's snapshots still there (all there is for a table written before
   * totals were recorded, or whose totals a compaction of an older version did not carry).
   */
  private static RunTotals totals(Table table, List<Snapshot> commits, String runId) {
    RunTotals summed =
        new RunTotals(
            runId,
            commits.size(),
            RunSnapshots.sum(commits, "added-records"),
            RunSnapshots.sum(commits, "added-data-files"),
            RunSnapshots.sum(commits, "added-files-size"));
    RunTotals recorded = RunTotals.ofRun(table, runId);
    return recorded == null ? summed : recorded.atLeast(summed);
  }

  /** The snapshots of one run in both tables still there, and what it committed to each. */
  record RunCommits(
      List<Snapshot> raw, List<Snapshot> deadLetters, RunTotals rawTotals, RunTotals dlqTotals) {
    long rawRows() {
      return rawTotals.rows();
    }

    long deadLetterRows() {
      return dlqTotals.rows();
    }

    long dataFiles() {
      return rawTotals.files() + dlqTotals.files();
    }

    long dataBytes() {
      return rawTotals.bytes() + dlqTotals.bytes();
    }

    long commits() {
      return rawTotals.commits() + dlqTotals.commits();
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

  /**
   * Per partition, the offsets [position, start) that Kafka deleted before a run could read them (a
   * run starts at the log's start when retention passed the tables' position).
   */
  static Map<Integer, List<Long>> deletedBeforeRead(
      Map<Integer, Long> start, CommittedOffsets raw, CommittedOffsets deadLetters) {
    Map<Integer, List<Long>> lost = new TreeMap<>();
    start.forEach(
        (p, from) -> {
          long position = Math.min(raw.next(p), deadLetters.next(p));
          if (from > position) {
            lost.put(p, List.of(position, from));
          }
        });
    return lost;
  }

  /** Snapshot summary key: the offsets Kafka deleted before the commit's run could read them. */
  static final String LOST_TO_RETENTION_KEY = AppendWithPosition.LOST_TO_RETENTION_KEY;

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The snapshot property that records, in the commit that moves past them, the ranges Kafka
   * deleted before the run could read them ({@code {"partition":[from,to)}}); none when none.
   */
  static Map<String, String> lostToRetentionProperty(Map<Integer, List<Long>> lost) {
    if (lost.isEmpty()) {
      return Map.of();
    }
    try {
      return Map.of(LOST_TO_RETENTION_KEY, JSON.writeValueAsString(new TreeMap<>(lost)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write the lost ranges " + lost, e);
    }
  }

  /**
   * {@code lost_to_retention}: messages Kafka deleted before ingest read them (not part of {@code
   * read}); {@code lost_to_retention_ranges}: partition -> [from, to) offsets. Warns on stderr.
   */
  static void putLost(RunSummary summary, Map<Integer, List<Long>> lost) {
    long n = 0;
    for (List<Long> range : lost.values()) {
      n += range.get(1) - range.get(0);
    }
    summary.put("lost_to_retention", n);
    summary.put("lost_to_retention_ranges", lost);
    if (n > 0) {
      System.err.printf(
          "lakehouse: WARNING %,d messages were deleted by Kafka retention before ingest read"
              + " them: %s (partition -> [from, to)); raise the topic's retention or run ingest"
              + " more often%n",
          n, lost);
    }
  }

  /**
   * Refuses to go on when a table's position is beyond a partition's log end: the topic was deleted
   * and re-created (or another cluster is behind --bootstrap-servers), so the offsets the tables
   * recorded no longer name the same messages. Reading on would silently skip or duplicate; a
   * one-line error says what to do instead.
   */
  static void checkPositionsWithin(
      Map<Integer, Long> logEnd, CommittedOffsets raw, CommittedOffsets deadLetters, String topic) {
    for (Map.Entry<Integer, Long> e : logEnd.entrySet()) {
      long position = Math.max(raw.next(e.getKey()), deadLetters.next(e.getKey()));
      if (position > e.getValue()) {
        throw new IllegalStateException(
            "the tables hold offsets of "
                + topic
                + " up to "
                + position
                + " in partition "
                + e.getKey()
                + ", but its log ends at "
                + e.getValue()
                + ": the topic was deleted and re-created (or --bootstrap-servers names another"
                + " cluster); ingest it into new tables (another --warehouse) or another --topic");
      }
    }
  }

  /**
   * Sets both tables' Kafka position, claimed by {@code runId}, when the options ask for it: {@code
   * --start-from} explicitly, or {@code --recover-position} from the rows the tables hold (the
   * union of both: one past the highest offset per partition). The one way out of a position that
   * table maintenance expired; a no-op otherwise.
   */
  void recoverPositionIfAsked(IngestOptions options, String runId) {
    String explicit = options.getStartFrom();
    boolean fromRows = options.getRecoverPosition();
    if (!fromRows && (explicit == null || explicit.isBlank())) {
      return;
    }
    if (fromRows && explicit != null && !explicit.isBlank()) {
      throw new UsageException("use either --recover-position or --start-from, not both");
    }
    Map<Integer, Long> next = fromRows ? provenByRows() : parseStartFrom(explicit);
    claim(runId);
    CommittedOffsets position = new CommittedOffsets(topic, next);
    AppendWithPosition.recordPosition(raw, runId, position);
    AppendWithPosition.recordPosition(deadLetters, runId, position);
    System.err.println(
        "lakehouse: ingest: Kafka position of "
            + topic
            + " set to "
            + next
            + (fromRows ? " (from the rows both tables hold)" : " (--start-from)"));
  }

  private Map<Integer, Long> provenByRows() {
    Map<Integer, Long> next =
        new TreeMap<>(
            CommittedOffsets.provenByRows(
                raw, RawTable.KAFKA_TOPIC, RawTable.KAFKA_PARTITION, RawTable.KAFKA_OFFSET, topic));
    CommittedOffsets.provenByRows(
            deadLetters,
            DeadLetterTable.KAFKA_TOPIC,
            DeadLetterTable.KAFKA_PARTITION,
            DeadLetterTable.KAFKA_OFFSET,
            topic)
        .forEach((p, o) -> next.merge(p, o, Math::max));
    return next;
  }

  /** {@code 0:1200,1:1188} as partition -> next offset; a usage error otherwise. */
  static Map<Integer, Long> parseStartFrom(String text) {
    Map<Integer, Long> next = new TreeMap<>();
    for (String pair : text.split(",")) {
      String[] parts = pair.strip().split(":");
      try {
        if (parts.length != 2) {
          throw new NumberFormatException();
        }
        int partition = Integer.parseInt(parts[0].strip());
        long offset = Long.parseLong(parts[1].strip());
        if (partition < 0 || offset < 0) {
          throw new NumberFormatException();
        }
        next.put(partition, offset);
      } catch (NumberFormatException e) {
        throw new UsageException(
            "--start-from wants partition:offset pairs like 0:1200,1:1188, got '" + text + "'");
      }
    }
    return next;
  }
}
