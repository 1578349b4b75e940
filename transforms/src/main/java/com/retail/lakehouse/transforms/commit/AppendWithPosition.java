package com.retail.lakehouse.transforms.commit;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.iceberg.BaseOverwriteFiles;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataOperations;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.UpdateProperties;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.util.Tasks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way data enters a raw table: an Iceberg append of data files whose snapshot summary also
 * records the Kafka position those files complete, so data and position land atomically. Two checks
 * run inside Iceberg's optimistic commit, against the very table metadata the commit replaces, so
 * no other commit can slip in between check and append: the table is still claimed by this run, and
 * its position is still the one this run's files start from. A commit whose position the table
 * already covers is skipped (a retried or re-executed commit never appends twice). Shared by the
 * catch-up committer ({@link CommitToTable}) and the streaming one ({@link CommitWindowsInOrder}).
 */
public final class AppendWithPosition {
  private static final Logger LOG = LoggerFactory.getLogger(AppendWithPosition.class);

  private AppendWithPosition() {}

  /** Table property naming the ingest run or job that may commit to the table. */
  public static final String OWNER_PROPERTY = "lakehouse.ingest-owner";

  /** Attempts of a claim or commit that met a concurrent commit (e.g. table maintenance). */
  private static final int ATTEMPTS = 10;

  /**
   * Test hook: runs after a commit has checked the claim and read the position, right before it
   * asks Iceberg to commit, so a test can interleave a competing claim or commit there.
   */
  static volatile Runnable beforeIcebergCommit = () -> {};

  /**
   * Test hook: runs at the end of each validation of an attempt inside Iceberg's commit, so a test
   * can make another writer's commit land between an attempt and its metadata swap (a retry).
   */
  static volatile Runnable afterValidation = () -> {};

  /**
   * Makes {@code runId} the only ingest that may commit to {@code table}: a run or job claims its
   * tables when it starts, so a stopped job whose last commit is still in flight (a "zombie": a
   * cancelled local job, or an old Flink job a supervisor replaced) cannot append rows its
   * successor also reads. Iceberg's own commit retries stay on for every writer of the table (the
   * fence is checked inside each attempt); a table on which an earlier version of ingest turned
   * them off gets them back.
   */
  public static void claim(Table table, String runId) {
    retryingConflicts(
        table.name(),
        () -> {
          table.refresh();
          UpdateProperties update = table.updateProperties().set(OWNER_PROPERTY, runId);
          if ("0".equals(table.properties().get(TableProperties.COMMIT_NUM_RETRIES))) {
            update.remove(TableProperties.COMMIT_NUM_RETRIES);
          }
          update.commit();
          return null;
        });
  }

  /**
   * Appends to {@code table} (named {@code tableName} in results and logs) {@code files} ({@code
   * rows} rows) and advances the table's position of {@code topic} to {@code next} (partition ->
   * next offset), unless the table already covers {@code next}. {@code from} is the position the
   * files' rows were read from (null: the table's position when the commit starts); the commit
   * fails when the table's position differs from it, or when another run has claimed the table.
   * {@code summary} goes into the snapshot summary as well.
   */
  static CommitResult commit(
      Table table,
      String tableName,
      String topic,
      String runId,
      CommittedOffsets from,
      List<DataFile> files,
      long rows,
      Map<Integer, Long> next,
      Map<String, String> summary) {
    Request request = new Request(table, tableName, topic, runId, from, files, rows, next, summary);
    return retryingConflicts(tableName, () -> tryCommit(request));
  }

  /** One commit's arguments, as {@link #commit} takes them. */
  private record Request(
      Table table,
      String tableName,
      String topic,
      String runId,
      CommittedOffsets from,
      List<DataFile> files,
      long rows,
      Map<Integer, Long> next,
      Map<String, String> summary) {}

  /**
   * Runs {@code attempt} (which refreshes the table first) again when another commit got in between
   * (a claim, table maintenance, or a position that moved under a commit), with exponential
   * backoff, up to {@link #ATTEMPTS} times: Iceberg's own retry utility, the one retry loop of the
   * commit protocol.
   */
  private static <T> T retryingConflicts(String tableName, java.util.function.Supplier<T> attempt) {
    AtomicReference<T> result = new AtomicReference<>();
    Tasks.foreach(tableName)
        .retry(ATTEMPTS - 1)
        .exponentialBackoff(50, 5_000, 120_000, 2.0)
        .onlyRetryOn(CommitFailedException.class, PositionMoved.class)
        .onFailure((name, e) -> LOG.warn("{}: commit failed: {}", name, e.getMessage()))
        .throwFailureWhenFinished()
        .run(name -> result.set(attempt.get()));
    return result.get();
  }

  private static CommitResult tryCommit(Request request) {
    Table table = request.table();
    String tableName = request.tableName();
    String topic = request.topic();
    String runId = request.runId();
    CommittedOffsets from = request.from();
    List<DataFile> files = request.files();
    long rows = request.rows();
    Map<Integer, Long> next = request.next();
    table.refresh();
    checkClaim(table.properties().get(OWNER_PROPERTY), tableName, runId);
    CommittedOffsets current = CommittedOffsets.of(table, topic);
    long bytes = files.stream().mapToLong(DataFile::fileSizeInBytes).sum();
    if (next.isEmpty() || current.covers(next)) {
      // Nothing was read, or a retry of a commit that already landed: never append twice.
      LOG.info("{}: nothing new to commit (position {})", tableName, current);
      return new CommitResult(tableName, -1, 0, 0, 0, current.nextOffsets(), !next.isEmpty());
    }
    CommittedOffsets start = from == null ? current : from;
    if (!current.samePositionAs(start)) {
      throw new IllegalStateException(
          tableName
              + "'s Kafka position moved from "
              + start
              + " to "
              + current
              + " after this run ("
              + runId
              + ") read its messages: another ingest committed them; this run stops without"
              + " committing; run ingest again, it resumes from the tables");
    }
    CrashPoint.BEFORE_COMMIT.maybeCrash();
    CommittedOffsets advanced = start.advancedTo(next);
    FencedAppend append =
        new FencedAppend(
            table,
            tableName,
            runId,
            start,
            files.stream().mapToLong(DataFile::recordCount).sum(),
            files.size(),
            bytes);
    files.forEach(append::addFile);
    request.summary().forEach(append::set);
    append.set(CommittedOffsets.SUMMARY_KEY, advanced.toSummaryJson());
    append.set(CommittedOffsets.RUN_ID_KEY, runId);
    beforeIcebergCommit.run();
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

  /**
   * Records {@code position} as the table's Kafka position of its topic in an empty commit,
   * whatever the table recorded before (or lost): the explicit recovery of a position that table
   * maintenance expired ({@code ingest --recover-position} or {@code --start-from}). Only the claim
   * is checked. Returns the snapshot id.
   */
  public static long recordPosition(Table table, String runId, CommittedOffsets position) {
    if (position == null) {
      throw new IllegalArgumentException("recordPosition needs a position");
    }
    return retryingConflicts(
        table.name(),
        () -> {
          table.refresh();
          checkClaim(table.properties().get(OWNER_PROPERTY), table.name(), runId);
          FencedAppend append = new FencedAppend(table, table.name(), runId, null, 0, 0, 0);
          append.set(CommittedOffsets.SUMMARY_KEY, position.toSummaryJson());
          append.set(CommittedOffsets.RUN_ID_KEY, runId);
          append.set(RECOVERED_KEY, "true");
          append.commit();
          table.refresh();
          LOG.warn("{}: Kafka position set to {} by recovery", table.name(), position);
          return table.currentSnapshot().snapshotId();
        });
  }

  /** Snapshot summary key marking a position recorded by recovery, not by a data commit. */
  public static final String RECOVERED_KEY = "lakehouse.position-recovered";

  /**
   * Snapshot property of an ingest commit whose position moved past offsets Kafka had deleted
   * (retention): the lost ranges per partition as JSON, e.g. {@code {"0":[300,400]}}.
   */
  public static final String LOST_TO_RETENTION_KEY = "lakehouse.lost-to-retention";

  private static void checkClaim(String owner, String tableName, String runId) {
    if (owner != null && !owner.equals(runId)) {
      throw new ClaimLost(
          tableName
              + " was claimed by ingest run "
              + owner
              + " after this run ("
              + runId
              + ") started: this run stops without committing; the newer run reads its"
              + " messages again");
    }
  }

  /**
   * An append (Iceberg's overwrite operation with added files only, recorded as an {@code append}
   * snapshot) that re-checks the claim and the position in {@link #validate}, which Iceberg calls
   * on every attempt with the metadata that attempt will replace: the check and the append are one
   * atomic step, even when Iceberg retries after a concurrent commit. The run's totals ({@link
   * RunTotals}) are added up there too, from the ones the replaced metadata's position snapshot
   * records: a retry on top of a concurrent compaction (which carries them) adds this commit once.
   */
  private static final class FencedAppend extends BaseOverwriteFiles {
    private final String tableName;
    private final String runId;
    private final CommittedOffsets from;
    private final long rows;
    private final long files;
    private final long bytes;

    FencedAppend(
        Table table,
        String tableName,
        String runId,
        CommittedOffsets from,
        long rows,
        long files,
        long bytes) {
      super(table.name(), ((HasTableOperations) table).operations());
      this.tableName = tableName;
      this.runId = runId;
      this.from = from;
      this.rows = rows;
      this.files = files;
      this.bytes = bytes;
    }

    /** Always an append, with or without files (readers that follow appends keep working). */
    @Override
    protected String operation() {
      return DataOperations.APPEND;
    }

    @Override
    protected void validate(TableMetadata base, Snapshot parent) {
      super.validate(base, parent);
      checkClaim(base.properties().get(OWNER_PROPERTY), tableName, runId);
      Snapshot recording;
      try {
        recording = CommittedOffsets.recordingSnapshot(base);
      } catch (CommittedOffsets.PositionUnknownException e) {
        if (from != null) {
          throw e;
        }
        recording = null; // recordPosition: the position it replaces may be lost (expired)
      }
      if (from != null) { // recordPosition checks the claim alone
        CommittedOffsets position = CommittedOffsets.heldBy(recording, from.topic());
        if (!position.samePositionAs(from)) {
          throw new PositionMoved(
              tableName + "'s position moved from " + from + " to " + position + " under a commit");
        }
      }
      set(
          RunTotals.SUMMARY_KEY,
          RunTotals.before(recording, runId).plusCommit(rows, files, bytes).toSummaryJson());
      afterValidation.run();
    }
  }

  // Neither exception is an Iceberg ValidationException on purpose: that one is a
  // CleanableFailure, on which Iceberg deletes the attempt's manifests. When a commit that did
  // land is reported as failed (a dropped JDBC connection, a rename that threw after it
  // succeeded), Iceberg's retry meets the moved position, and deleting "its" manifests would
  // delete those of the table's current snapshot. Left alone, at worst a few manifests are
  // orphans that orphan-file cleanup removes.

  /** The table was claimed by a newer run: never retried. */
  static final class ClaimLost extends IllegalStateException {
    ClaimLost(String message) {
      super(message);
    }
  }

  /**
   * The table's position changed between reading it and committing: retried from the start, where
   * it becomes "already committed" or a clear failure.
   */
  static final class PositionMoved extends IllegalStateException {
    PositionMoved(String message) {
      super(message);
    }
  }
}
