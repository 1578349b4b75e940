package com.retail.lakehouse.transforms.write;

import com.retail.lakehouse.transforms.tables.CommittedOffsets;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Table;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way data enters a raw table: an Iceberg append of data files whose snapshot summary also
 * records the Kafka position those files complete, so data and position land atomically. A commit
 * whose position the table already covers is skipped (a retried or re-executed commit never appends
 * twice). Shared by the catch-up committer ({@link CommitToTable}) and the streaming one ({@link
 * CommitWindowsInOrder}).
 */
final class AppendWithPosition {
  private static final Logger LOG = LoggerFactory.getLogger(AppendWithPosition.class);

  private AppendWithPosition() {}

  /**
   * Appends to {@code table} (named {@code tableName} in results and logs) {@code files} ({@code
   * rows} rows) and advances the table's position of {@code topic} to {@code next} (partition ->
   * next offset), unless the table already covers {@code next}.
   */
  static CommitResult commit(
      Table table,
      String tableName,
      String topic,
      String runId,
      List<DataFile> files,
      long rows,
      Map<Integer, Long> next) {
    table.refresh();
    CommittedOffsets current = CommittedOffsets.of(table, topic);
    long bytes = files.stream().mapToLong(DataFile::fileSizeInBytes).sum();
    if (next.isEmpty() || current.covers(next)) {
      // Nothing was read, or a retry of a commit that already landed: never append twice.
      LOG.info("{}: nothing new to commit (position {})", tableName, current);
      return new CommitResult(tableName, -1, 0, 0, 0, current.nextOffsets(), !next.isEmpty());
    }
    CrashPoint.BEFORE_COMMIT.maybeCrash();
    CommittedOffsets advanced = current.advancedTo(next);
    AppendFiles append = table.newAppend();
    files.forEach(append::appendFile);
    append.set(CommittedOffsets.SUMMARY_KEY, advanced.toSummaryJson());
    append.set(CommittedOffsets.RUN_ID_KEY, runId);
    append.commit();
    long snapshotId = table.currentSnapshot().snapshotId();
    LOG.info(
        "{}: committed {} rows in {} data files as snapshot {}, Kafka position now {}",
        tableName,
        rows,
        files.size(),
        snapshotId,
        advanced);
    CrashPoint.AFTER_COMMIT.maybeCrash();
    return new CommitResult(
        tableName, snapshotId, files.size(), rows, bytes, advanced.nextOffsets(), false);
  }
}
