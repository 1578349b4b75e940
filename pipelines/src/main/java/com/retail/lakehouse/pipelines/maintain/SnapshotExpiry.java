package com.retail.lakehouse.pipelines.maintain;

import com.retail.lakehouse.pipelines.mart.InventoryMartRun;
import com.retail.lakehouse.transforms.commit.CommittedOffsets;
import com.retail.lakehouse.transforms.mart.ReplaceMartDays;
import com.retail.lakehouse.transforms.tables.DailyInventoryTable;
import com.retail.lakehouse.transforms.tables.DailySalesSummaryTable;
import com.retail.lakehouse.transforms.tables.InventoryTables;
import com.retail.lakehouse.transforms.tables.RawTable;
import com.retail.lakehouse.transforms.tables.TableDefinition;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 *   <li>for each mart ({@link CaughtUpMart}: the sales mart and the inventory mart), in every raw
 *       table it reads, the raw snapshot its last caught-up run recorded ({@code mart
 *       --changed-since-last-run} walks that raw table's history from it: for the sales mart
 *       raw.pos_transactions under {@code lakehouse.mart-caught-up-raw-snapshot-id}; for the
 *       inventory mart raw.inventory_movements under that key and raw.pos_transactions under {@code
 *       lakehouse.mart-caught-up-pos-raw-snapshot-id}), and in the mart, the mart snapshot that
 *       records them. raw.pos_transactions thus keeps the marks of both marts.
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

  /**
   * A mart whose {@code --changed-since-last-run} reads raw history: the mart table and, per raw
   * table it reads, the snapshot summary key under which its caught-up commits record that raw
   * table's snapshot. The one list of what expiry keeps for the marts.
   */
  enum CaughtUpMart {
    SALES(
        "sales mart",
        DailySalesSummaryTable.DEFINITION,
        Map.of(RawTable.DEFINITION, ReplaceMartDays.CAUGHT_UP_KEY)),
    INVENTORY(
        "inventory mart",
        DailyInventoryTable.DEFINITION,
        Map.of(
            InventoryTables.RAW,
            ReplaceMartDays.CAUGHT_UP_KEY,
            RawTable.DEFINITION,
            InventoryMartRun.CAUGHT_UP_POS_KEY));

    private final String label;
    private final TableDefinition mart;
    private final Map<TableDefinition, String> rawKeys;

    CaughtUpMart(String label, TableDefinition mart, Map<TableDefinition, String> rawKeys) {
      this.label = label;
      this.mart = mart;
      this.rawKeys = rawKeys;
    }

    /** The mart table. */
    TableDefinition mart() {
      return mart;
    }

    /** The summary key recording {@code raw}'s snapshot, or null if this mart does not read it. */
    String rawKey(TableDefinition raw) {
      for (Map.Entry<TableDefinition, String> e : rawKeys.entrySet()) {
        if (e.getKey().identifier().equals(raw.identifier())) {
          return e.getValue();
        }
      }
      return null;
    }
  }

  private SnapshotExpiry() {}

  /**
   * Expires {@code table}'s snapshots older than {@code olderThan} beyond the newest {@code
   * retainLast}, keeping the ones named above; {@code marts} holds the mart tables that exist (read
   * for the raw tables' marks and for their own).
   */
  static Result expire(
      MaintainedTable which,
      Table table,
      Map<CaughtUpMart, Table> marts,
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
    for (Map.Entry<CaughtUpMart, Table> m : marts.entrySet()) {
      CaughtUpMart mart = m.getKey();
      Snapshot lastRun = ReplaceMartDays.lastCaughtUpRun(m.getValue());
      if (lastRun == null) {
        continue;
      }
      String key = mart.rawKey(which.definition());
      String markedId = key == null ? null : lastRun.summary().get(key);
      if (markedId != null) {
        Snapshot marked = table.snapshot(Long.parseLong(markedId));
        if (marked != null && marked.timestampMillis() <= cutoff) {
          kept.add(marked);
          keptFor.add(
              "snapshot "
                  + marked.snapshotId()
                  + " is the raw snapshot the last "
                  + mart.label
                  + " run caught up with");
        }
      }
      if (mart.mart().identifier().equals(which.definition().identifier())
          && lastRun.timestampMillis() <= cutoff) {
        kept.add(lastRun);
        keptFor.add(
            "snapshot "
                + lastRun.snapshotId()
                + " records the last caught-up "
                + mart.label
                + " run");
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
