package com.retail.lakehouse.transforms.commit;

import com.retail.lakehouse.transforms.validate.GapRouting;
import com.retail.lakehouse.transforms.validate.RoutingSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads from the two ingest tables which routing settings decided the messages of the gap between
 * their positions (see {@link GapRouting}). Where one table stands ahead of the other in a
 * partition, its snapshots are walked back from the newest: each ingest commit covers, per
 * partition, the offsets from its predecessor's position to its own, and recorded the {@link
 * RoutingSettings} it routed them with. The walk stops at the first commit at or below the other
 * table's position, so it reads at most the snapshots of the gap (one run, or the windows of one
 * streaming job that one table committed and the other did not), from table metadata only.
 *
 * <p>Call it after the run has claimed the tables, with the positions the run plans from: no other
 * ingest can commit between that read and this one.
 */
public final class RecordedRouting {
  private static final Logger LOG = LoggerFactory.getLogger(RecordedRouting.class);

  private RecordedRouting() {}

  /** The recorded settings of every offset one of the two tables holds and the other does not. */
  public static GapRouting ofGap(
      Table raw,
      CommittedOffsets rawPosition,
      Table deadLetters,
      CommittedOffsets deadLetterPosition) {
    GapRouting.Builder gap = GapRouting.builder();
    addWhereAhead(gap, raw, rawPosition, deadLetterPosition);
    addWhereAhead(gap, deadLetters, deadLetterPosition, rawPosition);
    return gap.build();
  }

  /** Adds the ranges where {@code table} (at {@code position}) is ahead of {@code other}. */
  private static void addWhereAhead(
      GapRouting.Builder gap, Table table, CommittedOffsets position, CommittedOffsets other) {
    Map<Integer, Long> lower = new TreeMap<>(); // partition -> the other table's position
    position
        .nextOffsets()
        .forEach(
            (p, next) -> {
              if (next > other.next(p)) {
                lower.put(p, other.next(p));
              }
            });
    if (lower.isEmpty()) {
      return;
    }
    // The ingest commits of the gap, newest first, up to the first one at or below `lower`.
    List<CommittedOffsets> positions = new ArrayList<>();
    List<RoutingSettings> settings = new ArrayList<>();
    boolean historyCut = false; // an older snapshot was expired before the walk reached `lower`
    table.refresh();
    Snapshot snapshot = table.currentSnapshot();
    while (snapshot != null) {
      CommittedOffsets recorded = CommittedOffsets.recordedIn(snapshot, position.topic());
      if (recorded != null) {
        positions.add(recorded);
        settings.add(RoutingSettings.fromSummary(snapshot.summary()));
        if (lower.entrySet().stream().allMatch(e -> recorded.next(e.getKey()) <= e.getValue())) {
          break;
        }
      }
      Long parent = snapshot.parentId();
      snapshot = parent == null ? null : table.snapshot(parent);
      historyCut = parent != null && snapshot == null;
    }
    // Commit i covers, per partition, from commit i+1's position (0 before the table's first
    // commit) to its own. Where older snapshots have expired, the oldest one left only marks a
    // boundary: where its own range starts is unknown.
    int known = historyCut ? positions.size() - 1 : positions.size();
    for (Map.Entry<Integer, Long> e : lower.entrySet()) {
      int p = e.getKey();
      long from = e.getValue();
      long to = position.next(p);
      for (int i = 0; i < known && to > from; i++) {
        long start = i + 1 < positions.size() ? positions.get(i + 1).next(p) : 0;
        long rangeFrom = Math.max(start, from);
        long rangeTo = Math.min(positions.get(i).next(p), to);
        if (rangeTo > rangeFrom) {
          gap.add(p, rangeFrom, rangeTo, settings.get(i));
          to = rangeFrom;
        }
      }
      if (to > from) {
        LOG.warn(
            "{}: the snapshots that committed offsets {}..{} of partition {} have expired; those"
                + " of them the other table does not hold are routed with this run's settings",
            table.name(),
            from,
            to - 1,
            p);
        gap.add(p, from, to, null);
      }
    }
  }
}
