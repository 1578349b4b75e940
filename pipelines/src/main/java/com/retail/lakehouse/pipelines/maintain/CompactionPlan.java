package com.retail.lakehouse.pipelines.maintain;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.util.PropertyUtil;

/**
 * What a compaction rewrites in one table, planned from metadata only at one snapshot: per
 * partition, the data files below the small-file threshold, packed into groups of at most the group
 * size (each group one task, one output file). Left alone: a partition that received a file within
 * the minimum age (the live partition ingest is still appending to), a partition with fewer than
 * two small files (nothing to merge), and files with row-level deletes attached (rewriting them
 * would have to rewrite the delete files too).
 */
record CompactionPlan(
    MaintainedTable table,
    Long snapshotId,
    List<FileGroup> groups,
    int dataFiles,
    int partitions,
    int partitionsTooRecent,
    int filesWithDeletes) {

  /** Plans {@code table} (the Iceberg table of {@code which}) at its current snapshot. */
  static CompactionPlan of(
      MaintainedTable which,
      Table table,
      Long minFileSize,
      long maxGroupBytes,
      Duration minAge,
      Instant now,
      int firstGroupIndex) {
    table.refresh();
    Snapshot current = table.currentSnapshot();
    if (current == null) {
      return new CompactionPlan(which, null, List.of(), 0, 0, 0, 0);
    }
    long target =
        PropertyUtil.propertyAsLong(
            table.properties(),
            TableProperties.WRITE_TARGET_FILE_SIZE_BYTES,
            TableProperties.WRITE_TARGET_FILE_SIZE_BYTES_DEFAULT);
    long small = minFileSize != null ? minFileSize : target * 3 / 4;
    long groupCap = Math.min(maxGroupBytes, target);
    // When each file was added: the commit time of the snapshot of its data sequence number
    // (files of expired snapshots are old by definition).
    Map<Long, Long> committedAt = new HashMap<>();
    for (Snapshot s : table.snapshots()) {
      committedAt.merge(s.sequenceNumber(), s.timestampMillis(), Math::min);
    }
    long recentAfter = now.minus(minAge).toEpochMilli();

    Map<String, List<DataFile>> smallByPartition = new TreeMap<>();
    Map<String, Boolean> recent = new HashMap<>();
    int dataFiles = 0;
    int withDeletes = 0;
    try (CloseableIterable<FileScanTask> tasks =
        table.newScan().useSnapshot(current.snapshotId()).planFiles()) {
      for (FileScanTask task : tasks) {
        DataFile file = task.file();
        dataFiles++;
        PartitionSpec spec = table.specs().get(file.specId());
        String partition = file.specId() + ":" + spec.partitionToPath(file.partition());
        Long added = committedAt.get(file.dataSequenceNumber());
        if (added != null && added >= recentAfter) {
          recent.put(partition, true);
        }
        if (!task.deletes().isEmpty()) {
          withDeletes++;
          continue;
        }
        if (file.fileSizeInBytes() < small) {
          smallByPartition.computeIfAbsent(partition, p -> new ArrayList<>()).add(file.copy());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("planning the compaction of " + table.name(), e);
    }

    List<FileGroup> groups = new ArrayList<>();
    int index = firstGroupIndex;
    int tooRecent = 0;
    int partitions = 0;
    for (Map.Entry<String, List<DataFile>> e : smallByPartition.entrySet()) {
      if (recent.containsKey(e.getKey())) {
        tooRecent++;
        continue;
      }
      List<DataFile> files = e.getValue();
      if (files.size() < 2) {
        continue;
      }
      partitions++;
      String path = e.getKey().substring(e.getKey().indexOf(':') + 1);
      files.sort(Comparator.comparingLong(DataFile::fileSizeInBytes));
      List<DataFile> group = new ArrayList<>();
      long bytes = 0;
      for (DataFile f : files) {
        if (!group.isEmpty() && bytes + f.fileSizeInBytes() > groupCap) {
          if (group.size() > 1) {
            groups.add(new FileGroup(which.flag(), index++, path, group));
          }
          group = new ArrayList<>();
          bytes = 0;
        }
        group.add(f);
        bytes += f.fileSizeInBytes();
      }
      if (group.size() > 1) {
        groups.add(new FileGroup(which.flag(), index++, path, group));
      }
    }
    return new CompactionPlan(
        which, current.snapshotId(), groups, dataFiles, partitions, tooRecent, withDeletes);
  }

  /** Files the groups rewrite. */
  int filesToRewrite() {
    return groups.stream().mapToInt(g -> g.files().size()).sum();
  }

  /** Bytes the groups rewrite. */
  long bytesToRewrite() {
    return groups.stream().mapToLong(FileGroup::bytes).sum();
  }
}
