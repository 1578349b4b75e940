package com.retail.lakehouse.pipelines.maintain;

import java.io.Serializable;
import java.util.List;
import org.apache.iceberg.DataFile;

/**
 * Data files of one partition of one table that one compaction task rewrites into one file.
 *
 * @param table the table's flag name (raw, dlq, mart)
 * @param index the group's number within the run (names its output file)
 * @param partition the partition as a path ({@code event_time_day=2026-11-24}), for people
 * @param files the files to rewrite, all of one partition and one partition spec
 */
record FileGroup(String table, int index, String partition, List<DataFile> files)
    implements Serializable {
  FileGroup {
    if (files.isEmpty()) {
      throw new IllegalArgumentException("a file group needs files");
    }
    files = List.copyOf(files);
  }

  /** Bytes of the group's input files. */
  long bytes() {
    return files.stream().mapToLong(DataFile::fileSizeInBytes).sum();
  }

  /** Rows of the group's input files, as their metadata counts them. */
  long rows() {
    return files.stream().mapToLong(DataFile::recordCount).sum();
  }
}
