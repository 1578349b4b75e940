package com.retail.lakehouse.transforms.commit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one ingest run has committed to one table so far: its commits, rows, data files and bytes.
 * Every ingest commit records the run's running totals in its snapshot summary, next to the Kafka
 * position and in the same atomic commit; compaction carries them forward with the position, and
 * snapshot expiry always keeps the snapshot that records the position. So a run's totals stay
 * readable after {@code maintain --expire} removed any number of the run's own snapshots, which a
 * sum over those snapshots (what a streaming job's summary counted before) does not survive.
 */
public record RunTotals(String runId, long commits, long rows, long files, long bytes) {
  /** Snapshot summary key holding the totals as JSON ({@code {"run":..,"commits":..,...}}). */
  public static final String SUMMARY_KEY = "lakehouse.run-totals";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Logger LOG = LoggerFactory.getLogger(RunTotals.class);

  public RunTotals {
    if (runId == null || runId.isBlank()) {
      throw new IllegalArgumentException("run totals need a run id");
    }
    if (commits < 0 || rows < 0 || files < 0 || bytes < 0) {
      throw new IllegalArgumentException("run totals cannot be negative: " + commits + " commits");
    }
  }

  /** A run that has committed nothing yet. */
  public static RunTotals none(String runId) {
    return new RunTotals(runId, 0, 0, 0, 0);
  }

  /** These totals and one more commit of {@code rows} rows in {@code files} files. */
  public RunTotals plusCommit(long rows, long files, long bytes) {
    return new RunTotals(
        runId, commits + 1, this.rows + rows, this.files + files, this.bytes + bytes);
  }

  /**
   * The totals {@code runId} had when {@code recording} (the snapshot that records the table's
   * position, or null) was committed: none when it records another run's, or no totals, or totals
   * this version cannot read (logged: an unreadable value must not stop every later commit).
   */
  static RunTotals before(Snapshot recording, String runId) {
    RunTotals recorded = recording == null ? null : readableIn(recording);
    return recorded != null && recorded.runId.equals(runId) ? recorded : none(runId);
  }

  /**
   * What {@code runId} committed to {@code table}, as its commits recorded it: the totals naming
   * the run with the most commits among the table's snapshots, the newest of equals (the one that
   * records the position, or one of the run's own, or a compaction's that carried them); null when
   * no snapshot still in the table names the run.
   */
  public static RunTotals ofRun(Table table, String runId) {
    table.refresh();
    RunTotals newest = null;
    for (Snapshot s : table.snapshots()) {
      RunTotals recorded = readableIn(s);
      if (recorded != null
          && recorded.runId.equals(runId)
          && (newest == null || recorded.commits >= newest.commits)) { // oldest first
        newest = recorded;
      }
    }
    return newest;
  }

  /** These totals, each count raised to at least {@code other}'s (same run). */
  public RunTotals atLeast(RunTotals other) {
    return new RunTotals(
        runId,
        Math.max(commits, other.commits),
        Math.max(rows, other.rows),
        Math.max(files, other.files),
        Math.max(bytes, other.bytes));
  }

  /** The totals {@code snapshot} records, or null when it records none (or is null). */
  public static RunTotals recordedIn(Snapshot snapshot) {
    String json = snapshot == null ? null : snapshot.summary().get(SUMMARY_KEY);
    if (json == null) {
      return null;
    }
    try {
      JsonNode n = JSON.readTree(json);
      if (n == null || !n.path("run").isTextual()) {
        throw new IllegalStateException("no run");
      }
      for (String field : List.of("commits", "rows", "files", "bytes")) {
        if (!n.path(field).isIntegralNumber()) {
          throw new IllegalStateException("no count of " + field);
        }
      }
      return new RunTotals(
          n.get("run").asText(),
          n.get("commits").asLong(),
          n.get("rows").asLong(),
          n.get("files").asLong(),
          n.get("bytes").asLong());
    } catch (Exception e) {
      throw new IllegalStateException(
          "Unreadable " + SUMMARY_KEY + " in snapshot " + snapshot.snapshotId() + ": " + json, e);
    }
  }

  private static RunTotals readableIn(Snapshot snapshot) {
    try {
      return recordedIn(snapshot);
    } catch (IllegalStateException e) {
      LOG.warn("{}; counted as no totals", e.getMessage());
      return null;
    }
  }

  /** The summary value to store with a commit. */
  public String toSummaryJson() {
    ObjectNode n = JSON.createObjectNode();
    n.put("run", runId);
    n.put("commits", commits);
    n.put("rows", rows);
    n.put("files", files);
    n.put("bytes", bytes);
    return n.toString();
  }
}
