package com.retail.lakehouse.pipelines.run;

import com.retail.lakehouse.transforms.commit.CommittedOffsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;

/**
 * What a run committed, read back from the tables: the snapshots stamped with its run id and the
 * counts in their summaries. Summaries come from these commits, not from Beam's counters, because a
 * snapshot is what a reader of the table sees.
 */
public final class RunSnapshots {
  private RunSnapshots() {}

  /** The snapshots an ingest run or streaming job committed, oldest first. */
  public static List<Snapshot> of(Table table, String runId) {
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
  public static Snapshot onlyOf(Table table, String runId) {
    List<Snapshot> commits = of(table, runId);
    return commits.isEmpty() ? null : commits.get(0);
  }

  /** A count from a snapshot's summary (added-records, added-data-files, ...); 0 for none. */
  public static long count(Snapshot s, String summaryKey) {
    return s == null ? 0 : Long.parseLong(s.summary().getOrDefault(summaryKey, "0"));
  }

  /** The sum of a count over snapshots. */
  public static long sum(List<Snapshot> snapshots, String summaryKey) {
    return snapshots.stream().mapToLong(s -> count(s, summaryKey)).sum();
  }
}
