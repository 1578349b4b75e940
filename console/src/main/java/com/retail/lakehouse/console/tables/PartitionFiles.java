package com.retail.lakehouse.console.tables;

/**
 * The live data files of one partition of a table's current snapshot.
 *
 * @param partition the partition as Iceberg names it in paths, e.g. {@code
 *     event_time_day=2026-11-24} (empty for an unpartitioned table)
 * @param files live data files
 * @param bytes their total size
 * @param records their total rows
 */
public record PartitionFiles(String partition, long files, long bytes, long records) {
  /** {@code bytes / files}, 0 without files. */
  public long averageFileBytes() {
    return files == 0 ? 0 : bytes / files;
  }
}
