package com.retail.lakehouse.transforms.mart;

import com.retail.lakehouse.transforms.commit.CommitResult;
import com.retail.lakehouse.transforms.commit.GatherWrittenFiles;
import com.retail.lakehouse.transforms.commit.WrittenFiles;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import com.retail.lakehouse.transforms.tables.DailySalesSummaryTable;
import com.retail.lakehouse.transforms.tables.TableDefinition;
import java.time.LocalDate;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.OverwriteFiles;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single committer of a mart run: gathers every data file the run wrote and, in ONE Iceberg
 * overwrite commit, deletes the rows of the selected sale dates ({@code overwriteByRowFilter}) and
 * adds the new files. Readers therefore see either the old or the new version of each day, never a
 * mix; re-running a day replaces it instead of adding to it; and a run that fails before this
 * commit leaves the table as it was (its written files are unreferenced orphans). The snapshot
 * summary records the run (id, dates, the raw snapshot it read), which is what {@code
 * --changed-since-last-run} starts from next time.
 */
public final class ReplaceMartDays
    extends PTransform<PCollection<WrittenFiles>, PCollection<CommitResult>> {
  private static final Logger LOG = LoggerFactory.getLogger(ReplaceMartDays.class);

  /** Snapshot summary key: the mart run that made the commit. */
  public static final String RUN_ID_KEY = "lakehouse.mart-run-id";

  /** Snapshot summary key: the sale dates the commit replaced, comma separated. */
  public static final String DATES_KEY = "lakehouse.mart-dates";

  /** Snapshot summary key: the raw snapshot the run read. */
  public static final String RAW_SNAPSHOT_KEY = "lakehouse.mart-raw-snapshot-id";

  /**
   * Snapshot summary key: the raw snapshot up to which every changed date is in the mart. Set only
   * by runs that rebuilt all dates or all changed dates; a {@code --date} run reads a newer raw
   * snapshot but leaves other changed dates behind, so it must not move this mark.
   */
  public static final String CAUGHT_UP_KEY = "lakehouse.mart-caught-up-raw-snapshot-id";

  /**
   * Value of the system property {@code lakehouse.crash-at} that makes the committer fail right
   * before committing. Unlike the ingest {@code CrashPoint}s (which wait for kill -9 in a child
   * JVM) this throws: the mart is a batch job, and a worker exception is how a run fails midway on
   * every runner, so the test can run in-process on all three.
   */
  public static final String FAIL_BEFORE_COMMIT = "MART_BEFORE_COMMIT";

  private final CatalogSettings catalog;
  private final SortedSet<LocalDate> dates;
  private final String runId;
  private final long rawSnapshotId;
  private final boolean caughtUp;

  private ReplaceMartDays(
      CatalogSettings catalog,
      SortedSet<LocalDate> dates,
      String runId,
      long rawSnapshotId,
      boolean caughtUp) {
    this.catalog = catalog;
    this.dates = new TreeSet<>(dates);
    this.runId = runId;
    this.rawSnapshotId = rawSnapshotId;
    this.caughtUp = caughtUp;
  }

  /**
   * Replaces {@code dates} of the mart with the files written by run {@code runId}, which read raw
   * at {@code rawSnapshotId}; {@code caughtUp} when those dates are every date raw changed since
   * the last caught-up run (or all dates), so the next --changed-since-last-run starts there.
   */
  public static ReplaceMartDays of(
      CatalogSettings catalog,
      SortedSet<LocalDate> dates,
      String runId,
      long rawSnapshotId,
      boolean caughtUp) {
    return new ReplaceMartDays(catalog, dates, runId, rawSnapshotId, caughtUp);
  }

  @Override
  public PCollection<CommitResult> expand(PCollection<WrittenFiles> written) {
    return written
        .apply(
            "GatherFiles",
            Combine.globally(new GatherWrittenFiles(DailySalesSummaryTable.DEFINITION.toString())))
        .setCoder(SerializableCoder.of(WrittenFiles.class))
        .apply(
            "ReplaceDaysOnce",
            ParDo.of(
                new ReplaceFn(
                    catalog,
                    DailySalesSummaryTable.DEFINITION,
                    dates,
                    runId,
                    rawSnapshotId,
                    caughtUp)))
        .setCoder(SerializableCoder.of(CommitResult.class));
  }

  /** The snapshot of {@code table} made by mart run {@code runId}, or null. */
  public static Snapshot snapshotOfRun(Table table, String runId) {
    table.refresh();
    for (Snapshot s = table.currentSnapshot();
        s != null;
        s = s.parentId() == null ? null : table.snapshot(s.parentId())) {
      if (runId.equals(s.summary().get(RUN_ID_KEY))) {
        return s;
      }
    }
    return null;
  }

  /**
   * The newest mart commit that caught up with raw (see {@link #CAUGHT_UP_KEY}), or null before the
   * first such run.
   */
  public static Snapshot lastCaughtUpRun(Table table) {
    table.refresh();
    for (Snapshot s = table.currentSnapshot();
        s != null;
        s = s.parentId() == null ? null : table.snapshot(s.parentId())) {
      if (s.summary().containsKey(CAUGHT_UP_KEY)) {
        return s;
      }
    }
    return null;
  }

  /** sale_date in any of the dates. */
  static Expression saleDateIn(SortedSet<LocalDate> dates) {
    return Expressions.in(
        DailySalesSummaryTable.SALE_DATE, dates.stream().map(LocalDate::toString).toArray());
  }

  /** Overwrites the selected days with the gathered files, unless this run already did. */
  static final class ReplaceFn extends DoFn<WrittenFiles, CommitResult> {
    private final CatalogSettings catalog;
    private final TableDefinition definition;
    private final SortedSet<LocalDate> dates;
    private final String runId;
    private final long rawSnapshotId;
    private final boolean caughtUp;

    ReplaceFn(
        CatalogSettings catalog,
        TableDefinition definition,
        SortedSet<LocalDate> dates,
        String runId,
        long rawSnapshotId,
        boolean caughtUp) {
      this.catalog = catalog;
      this.definition = definition;
      this.dates = dates;
      this.runId = runId;
      this.rawSnapshotId = rawSnapshotId;
      this.caughtUp = caughtUp;
    }

    @ProcessElement
    public void process(@Element WrittenFiles written, OutputReceiver<CommitResult> out) {
      Table table = catalog.catalog().loadTable(definition.identifier());
      long bytes = written.files().stream().mapToLong(DataFile::fileSizeInBytes).sum();
      Snapshot done = snapshotOfRun(table, runId);
      if (done != null) {
        // a retried bundle after the commit landed: committing again would drop and re-add files
        LOG.info(
            "{}: run {} already committed as snapshot {}", definition, runId, done.snapshotId());
        out.output(
            new CommitResult(definition.toString(), done.snapshotId(), 0, 0, 0, Map.of(), true));
        return;
      }
      if (FAIL_BEFORE_COMMIT.equalsIgnoreCase(System.getProperty("lakehouse.crash-at", ""))) {
        throw new IllegalStateException(
            "injected failure " + FAIL_BEFORE_COMMIT + " (lakehouse.crash-at)");
      }
      Snapshot base = table.currentSnapshot();
      OverwriteFiles overwrite = table.newOverwrite().overwriteByRowFilter(saleDateIn(dates));
      written.files().forEach(overwrite::addFile);
      // a new file outside the selected days would survive a later re-run of them: refuse it
      overwrite.validateAddedFilesMatchOverwriteFilter();
      if (base != null) {
        // a concurrent mart run that changed these days since we started fails this commit
        overwrite
            .validateFromSnapshot(base.snapshotId())
            .conflictDetectionFilter(saleDateIn(dates))
            .validateNoConflictingData()
            .validateNoConflictingDeletes();
      }
      overwrite.set(RUN_ID_KEY, runId);
      overwrite.set(DATES_KEY, String.join(",", dates.stream().map(LocalDate::toString).toList()));
      overwrite.set(RAW_SNAPSHOT_KEY, Long.toString(rawSnapshotId));
      if (caughtUp) {
        overwrite.set(CAUGHT_UP_KEY, Long.toString(rawSnapshotId));
      }
      overwrite.commit();
      long snapshotId = snapshotOfRun(table, runId).snapshotId();
      LOG.info(
          "{}: replaced {} sale date(s) with {} rows in {} files as snapshot {}",
          definition,
          dates.size(),
          written.rows(),
          written.files().size(),
          snapshotId);
      out.output(
          new CommitResult(
              definition.toString(),
              snapshotId,
              written.files().size(),
              written.rows(),
              bytes,
              Map.of(),
              false));
    }
  }
}
