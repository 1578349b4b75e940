package com.retail.lakehouse.transforms.dedupe;

import com.retail.lakehouse.transforms.contract.LineKey;
import org.apache.beam.sdk.values.Row;

/**
 * The decision "is this the first copy of its sale line?" for one group of rows that holds every
 * copy of its lines (a shard keyed by the line key, or a writer bundle of whole Kafka partitions):
 * a set of keys seen in the group, plus the keys earlier runs committed within the horizon. Used by
 * the catch-up ingest's writer, per bundle.
 */
public final class FirstCopies {
  private final SeenLines seen = new SeenLines();
  private final RecentLineKeys committed;
  private final LineKey key;

  /** A decision over the line key of {@code committed}. */
  public FirstCopies(RecentLineKeys committed) {
    this.committed = committed;
    this.key = committed.key();
  }

  /** True for the first copy of a line not committed before; false for every later copy. */
  public boolean isFirst(Row row) {
    String id = key.id(row);
    int line = key.line(row);
    return seen.add(id, line) && !committed.contains(id, line);
  }
}
