package com.retail.lakehouse.transforms.commit;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way data enters a raw table: an Iceberg append of data files whose snapshot summary also
 * records the Kafka position those files complete, so data and position land atomically. A commit
 * whose position the table already covers is skipped (a retried or re-executed commit never appends
 * twice). Shared by the catch-up committer ({@link CommitToTable}) and the streaming one ({@link
 * CommitWindowsInOrder}).
 */
public final class AppendWithPosition {
  private static final Logger LOG = LoggerFactory.getLogger(AppendWithPosition.class);

  private AppendWithPosition() {}

  /** Table property naming the ingest run or job that may commit to the table. */
  public static final String OWNER_PROPERTY = "lakehouse.ingest-owner";

  private static final int ATTEMPTS = 10;

  /**
   * Makes {@code runId} the only ingest that may commit to {@code table}: a run or job claims its
   * tables when it starts, so a stopped job whose last commit is still in flight (a "zombie": a
   * cancelled local job, or an old Flink job a supervisor replaced) cannot append rows its
   * successor also reads. Also turns off Iceberg's automatic commit retries on the table (which
   * would rebase an append onto the claim); {@link #commit} retries by itself, re-checking the
   * claim and the position each time.
   */
  public static void claim(Table table, String runId) {
    retryingConflicts(
        table.name(),
        () -> {
          table.refresh();
          table
              .updateProperties()
              .set(OWNER_PROPERTY, runId)
              .set(TableProperties.COMMIT_NUM_RETRIES, "0")
              .commit();
          return null;
        });
  }

  /**
   * Appends to {@code table} (named {@code tableName} in results and logs) {@code files} ({@code
   * rows} rows) and advances the table's position of {@code topic} to {@code next} (partition ->
   * next offset), unless the table already covers {@code next}; {@code summary} goes into the
   * snapshot summary as well. Fails when another run has claimed the table since this one did.
   */
  static CommitResult commit(
      Table table,
      String tableName,
      String topic,
      String runId,
      List<DataFile> files,
      long rows,
      Map<Integer, Long> next,
      Map<String, String> summary) {
    return retryingConflicts(
        tableName, () -> tryCommit(table, tableName, topic, runId, files, rows, next, summary));
  }

  /**
   * Runs {@code attempt} (which refreshes the table first) again when another commit got in between
   * (a claim, or table maintenance), up to {@link #ATTEMPTS} times.
   */
  private static <T> T retryingConflicts(String tableName, Supplier<T> attempt) {
    for (int n = 1; ; n++) {
      try {
        return attempt.get();
      } catch (CommitFailedException e) {
        if (n == ATTEMPTS) {
          throw e;
        }
        LOG.info("{}: concurrent commit, retrying ({})", tableName, e.getMessage());
      }
    }
  }

  private static CommitResult tryCommit(
      Table table,
      String tableName,
      String topic,
      String runId,
      List<DataFile> files,
      long rows,
      Map<Integer, Long> next,
      Map<String, String> summary) {
    table.refresh();
    String owner = table.properties().get(OWNER_PROPERTY);
    if (owner != null && !owner.equals(runId)) {
      throw new IllegalStateException(
          tableName
              + " was claimed by ingest run "
              + owner
              + " after this run ("
              + runId
              + ") started: this run stops without committing; the newer run reads its"
              + " messages again");
    }
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
    summary.forEach(append::set);
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
