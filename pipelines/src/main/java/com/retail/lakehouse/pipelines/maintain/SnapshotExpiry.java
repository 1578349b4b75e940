package com.retail.lakehouse.pipelines.maintain;

import com.retail.lakehouse.transforms.commit.CommittedOffsets;
import com.retail.lakehouse.transforms.mart.ReplaceMartDays;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;

/**
 * Snapshot expiry with Iceberg's {@code ExpireSnapshots} (which also deletes the files only expired
 * snapshots referenced), keeping what a running ingest or mart still reads from history:
 *
 * <ul>
 *   <li>the newest snapshot recording the table's ingest Kafka position ({@code
 *       lakehouse.kafka-offsets}; ingest walks back to it from the newest snapshot, so every
 *       snapshot after it is kept too);
 *   <li>in raw, the raw snapshot the last caught-up mart run recorded ({@code
 *       lakehouse.mart-caught-up-raw-snapshot-id}; {@code mart --changed-since-last-run} walks
 *       raw's history from it), and in the mart, the mart snapshot that records it.
 * </ul>
 *
 * A kept snapshot moves the age cut-off back to its own commit time, so it and every newer snapshot
 * survive even if ingest commits while the expiry runs, and raises the number of newest snapshots
 * kept to reach it (Iceberg lets a commit's clock run up to a minute behind its parent's, so a
 * newer snapshot may carry an older time); {@code --retain-last} newest snapshots are always kept.
 */
final class SnapshotExpiry {
  /** What an expiry did to one table. */
  record Result(int expired, int kept, List<String> keptFor) {}

  private SnapshotExpiry() {}

  /**
   * Expires {@code table}'s snapshots older than {@code olderThan} beyond the newest {@code
   * retainLast}, keeping the ones named above; {@code mart} (may be null) is read for raw's mark.
   */
  static Result expire(
      MaintainedTable which,
      Table table,
      Table mart,
      int retainLast,
      Duration olderThan,
      Instant now) {
    table.refresh();
    int before = size(table);
    if (table.currentSnapshot() == null) {
      return new Result(0, 0, List.of());
    }
    long cutoff = now.minus(olderThan).toEpochMilli();
    int retain = retainLast;
    List<String> keptFor = new ArrayList<>();
    List<Snapshot> kept = new ArrayList<>();
    Snapshot position = positionSnapshot(table);
    if (position != null && position.timestampMillis() <= cutoff) {
      kept.add(position);
      keptFor.add("snapshot " + position.snapshotId() + " holds the ingest Kafka position");
    }
    if (mart != null) {
      mart.refresh();
      Snapshot lastRun = ReplaceMartDays.lastCaughtUpRun(mart);
      if (lastRun != null) {
        if (which == MaintainedTable.RAW) {
          Snapshot marked =
              table.snapshot(Long.parseLong(lastRun.summary().get(ReplaceMartDays.CAUGHT_UP_KEY)));
          if (marked != null && marked.timestampMillis() <= cutoff) {
            kept.add(marked);
            keptFor.add(
                "snapshot "
                    + marked.snapshotId()
                    + " is the raw snapshot the last mart run caught up with");
          }
        } else if (which == MaintainedTable.MART && lastRun.timestampMillis() <= cutoff) {
          kept.add(lastRun);
          keptFor.add("snapshot " + lastRun.snapshotId() + " records the last caught-up mart run");
        }
      }
    }
    for (Snapshot s : kept) {
      cutoff = Math.min(cutoff, s.timestampMillis());
      retain = Math.max(retain, depth(table, s.snapshotId()));
    }
    table.expireSnapshots().expireOlderThan(cutoff).retainLast(retain).commit();
    table.refresh();
    int after = size(table);
    return new Result(before - after, after, keptFor);
  }

  /** How many snapshots from the current one back to {@code snapshotId}, both counted. */
  private static int depth(Table table, long snapshotId) {
    int depth = 1;
    for (Snapshot s = table.currentSnapshot();
        s != null && s.snapshotId() != snapshotId;
        s = s.parentId() == null ? null : table.snapshot(s.parentId())) {
      depth++;
    }
    return depth;
  }

  private static Snapshot positionSnapshot(Table table) {
    try {
      return CommittedOffsets.recordingSnapshot(table);
    } catch (CommittedOffsets.PositionUnknownException e) {
      return null; // already lost: nothing left to keep
    }
  }

  private static int size(Table table) {
    int n = 0;
    for (Snapshot ignored : table.snapshots()) {
      n++;
    }
    return n;
  }
}
