package com.retail.lakehouse.transforms.commit;

import java.io.Serializable;
import java.util.List;
import java.util.Set;
import org.apache.iceberg.DataFile;

/**
 * Data files written for one table but not yet committed, with how many rows they hold, and, from a
 * writer that drops duplicate lines within its bundle, the Kafka partitions that bundle held (every
 * copy of a line must meet in one bundle; see {@link GatherWrittenFiles}).
 */
public record WrittenFiles(
    String table, List<DataFile> files, long rows, Set<Integer> dedupedPartitions)
    implements Serializable {
  /** Files from a writer that does not de-duplicate. */
  public WrittenFiles(String table, List<DataFile> files, long rows) {
    this(table, files, rows, Set.of());
  }

  /** The same files, marked with the Kafka partitions their de-duplicating bundle held. */
  public WrittenFiles dedupedOver(Set<Integer> partitions) {
    return new WrittenFiles(table, files, rows, Set.copyOf(partitions));
  }
}
