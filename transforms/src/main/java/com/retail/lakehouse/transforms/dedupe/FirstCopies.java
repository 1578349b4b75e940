package com.retail.lakehouse.transforms.dedupe;

import com.retail.lakehouse.transforms.event.PosEventSchema;
import org.apache.beam.sdk.values.Row;

/**
 * The decision "is this the first copy of its sale line?" for one group of rows that holds every
 * copy of its lines (a shard keyed by the line key, or a writer bundle of whole Kafka partitions):
 * a set of keys seen in the group, plus the keys earlier runs committed within the horizon. Shared
 * by {@link DropDuplicateLines} and the catch-up ingest's writer.
 */
public final class FirstCopies {
  private final SeenLines seen = new SeenLines();
  private final RecentLineKeys committed;

  public FirstCopies(RecentLineKeys committed) {
    this.committed = committed;
  }

  /** True for the first copy of a line not committed before; false for every later copy. */
  public boolean isFirst(Row row) {
    String transactionId = row.getString(PosEventSchema.TRANSACTION_ID);
    int lineNumber = row.getInt32(PosEventSchema.LINE_NUMBER);
    return seen.add(transactionId, lineNumber) && !committed.contains(transactionId, lineNumber);
  }

  /** The shard of a row such that all copies of a line meet in one shard. */
  public static int shardOf(Row row, int shards) {
    return Math.floorMod(DropDuplicateLines.lineKey(row).hashCode(), shards);
  }
}
