package com.retail.lakehouse.transforms.mart;

import com.retail.lakehouse.transforms.commit.CommitResult;
import com.retail.lakehouse.transforms.commit.GatherWrittenFiles;
import com.retail.lakehouse.transforms.commit.WrittenFiles;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import com.retail.lakehouse.transforms.tables.DailySalesSummaryTable;
import com.retail.lakehouse.transforms.tables.TableDefinition;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
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
import org.apache.iceberg.exceptions.ValidationException;
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
 *
 * <p>Two runs on the same dates: the commit is validated, inside Iceberg's atomic commit, against
 * every commit since the mart snapshot the run read when it planned (before it read raw). If
 * another run (or anyone) added or removed files of one of its dates since then, the commit fails
 * with {@link DatesChangedSincePlanException} and changes nothing: the other run may have read
 * newer raw data, which this run must not overwrite with older. Runs on other dates commit side by
 * side.
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

  /**
   * The commit failed because the run's dates changed in the mart since the run planned (another
   * mart run replaced them, possibly from newer raw data); nothing was committed, and a new run
   * (which plans again) is the fix. Its message is one line saying so.
   */
  public static final class DatesChangedSincePlanException extends IllegalStateException {
    /** Every message of this exception contains this, also after a runner re-wrapped it. */
    static final String MARKER = "since this run planned";

    public DatesChangedSincePlanException(String message) {
      super(message);
    }

    /**
     * The message of a {@link DatesChangedSincePlanException} in {@code failure}'s causes, or null.
     * Runners wrap a worker's exception, and some (Flink) replace it with a serialized copy of
     * another class, so the message marks it as well as the class.
     */
    public static String messageIn(Throwable failure) {
      Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
      String innermost = null; // wrappers repeat the cause's "class: message"; keep the inner one
      for (Throwable t = failure; t != null && seen.add(t); t = t.getCause()) {
        String message = t.getMessage();
        if (message == null) {
          continue;
        }
        String line = message.lines().findFirst().orElse(message);
        if (t instanceof DatesChangedSincePlanException) {
          return line;
        }
        if (line.contains(MARKER) && line.contains("re-run")) {
          String name = DatesChangedSincePlanException.class.getSimpleName() + ": ";
          int at = line.indexOf(name);
          innermost = at < 0 ? line : line.substring(at + name.length());
        }
      }
      return innermost;
    }
  }

  private final CatalogSettings catalog;
  private final TableDefinition mart;
  private final String dateColumn;
  private final SortedSet<LocalDate> dates;
  private final String runId;
  private final long rawSnapshotId;
  private final Long martSnapshotAtPlan;
  private final boolean caughtUp;
  private final Map<String, String> moreSummary;
  private final SortedSet<LocalDate> datesRead;

  private ReplaceMartDays(
      CatalogSettings catalog,
      TableDefinition mart,
      String dateColumn,
      SortedSet<LocalDate> dates,
      String runId,
      long rawSnapshotId,
      Long martSnapshotAtPlan,
      boolean caughtUp,
      Map<String, String> moreSummary) {
    if (mart.fields().stream().noneMatch(f -> f.name().equals(dateColumn))) {
      throw new IllegalArgumentException(mart + " has no date column " + dateColumn);
    }
    this.catalog = catalog;
    this.mart = mart;
    this.dateColumn = dateColumn;
    this.dates = new TreeSet<>(dates);
    this.runId = runId;
    this.rawSnapshotId = rawSnapshotId;
    this.martSnapshotAtPlan = martSnapshotAtPlan;
    this.caughtUp = caughtUp;
    this.moreSummary = Map.copyOf(moreSummary);
    this.datesRead = new TreeSet<>();
  }

  /**
   * This committer, also failing the commit when the mart's {@code read} dates (days the run read
   * from the mart itself, e.g. an opening balance) changed since the plan-time snapshot: the rows
   * built from them would be stale.
   */
  public ReplaceMartDays withMartDatesRead(SortedSet<LocalDate> read) {
    ReplaceMartDays copy =
        new ReplaceMartDays(
            catalog,
            mart,
            dateColumn,
            dates,
            runId,
            rawSnapshotId,
            martSnapshotAtPlan,
            caughtUp,
            moreSummary);
    copy.datesRead.addAll(read);
    return copy;
  }

  /**
   * Replaces {@code dates} of the mart with the files written by run {@code runId}, which read raw
   * at {@code rawSnapshotId} after reading the mart at {@code martSnapshotAtPlan} (null: the mart
   * had no snapshot yet); the commit fails if the dates changed in the mart since that snapshot.
   * {@code caughtUp} when those dates are every date raw changed since the last caught-up run (or
   * all dates), so the next --changed-since-last-run starts there.
   */
  public static ReplaceMartDays of(
      CatalogSettings catalog,
      SortedSet<LocalDate> dates,
      String runId,
      long rawSnapshotId,
      Long martSnapshotAtPlan,
      boolean caughtUp) {
    return of(
        catalog,
        DailySalesSummaryTable.DEFINITION,
        DailySalesSummaryTable.SALE_DATE,
        dates,
        runId,
        rawSnapshotId,
        martSnapshotAtPlan,
        caughtUp,
        Map.of());
  }

  /**
   * Like {@link #of(CatalogSettings, SortedSet, String, long, Long, boolean)} for any mart
   * partitioned by the identity of its date column {@code dateColumn}; {@code moreSummary} adds
   * snapshot summary entries (e.g. the snapshot of a second raw table the run read).
   */
  public static ReplaceMartDays of(
      CatalogSettings catalog,
      TableDefinition mart,
      String dateColumn,
      SortedSet<LocalDate> dates,
      String runId,
      long rawSnapshotId,
      Long martSnapshotAtPlan,
      boolean caughtUp,
      Map<String, String> moreSummary) {
    return new ReplaceMartDays(
        catalog,
        mart,
        dateColumn,
        dates,
        runId,
        rawSnapshotId,
        martSnapshotAtPlan,
        caughtUp,
        moreSummary);
  }

  @Override
  public PCollection<CommitResult> expand(PCollection<WrittenFiles> written) {
    return written
        .apply("GatherFiles", Combine.globally(new GatherWrittenFiles(mart.toString())))
        .setCoder(SerializableCoder.of(WrittenFiles.class))
        .apply(
            "ReplaceDaysOnce",
            ParDo.of(
                new ReplaceFn(
                    catalog,
                    mart,
                    dateColumn,
                    dates,
                    runId,
                    rawSnapshotId,
                    martSnapshotAtPlan,
                    caughtUp,
                    moreSummary,
                    datesRead)))
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

  /** The sale dates mart snapshot {@code s} replaced ({@link #DATES_KEY}); empty for any other. */
  public static SortedSet<LocalDate> datesOf(Snapshot s) {
    SortedSet<LocalDate> dates = new TreeSet<>();
    String value = s.summary().get(DATES_KEY);
    if (value != null) {
      for (String d : value.split(",")) {
        if (!d.isBlank()) {
          dates.add(LocalDate.parse(d.strip()));
        }
      }
    }
    return dates;
  }

  /**
   * Per sale date, the raw snapshot the mart last built it from: walking the mart's history back
   * from {@code from} (null: an empty mart), the {@link #RAW_SNAPSHOT_KEY} of the newest commit
   * whose {@link #DATES_KEY} covers the date. Dates no retained commit replaced are absent.
   * Metadata only (snapshot summaries).
   */
  public static SortedMap<LocalDate, Long> rawSnapshotPerDate(Table table, Snapshot from) {
    SortedMap<LocalDate, Long> built = new TreeMap<>();
    for (Snapshot s = from;
        s != null;
        s = s.parentId() == null ? null : table.snapshot(s.parentId())) {
      String raw = s.summary().get(RAW_SNAPSHOT_KEY);
      if (raw != null) {
        long rawSnapshotId = Long.parseLong(raw);
        for (LocalDate d : datesOf(s)) {
          built.putIfAbsent(d, rawSnapshotId);
        }
      }
    }
    return built;
  }

  /**
   * The newest mart commit that caught up with raw (see {@link #CAUGHT_UP_KEY}), or null before the
   * first such run.
   */
  public static Snapshot lastCaughtUpRun(Table table) {
    table.refresh();
    return lastCaughtUpRun(table, table.currentSnapshot());
  }

  /**
   * The newest mart commit that caught up with raw at or before mart snapshot {@code from} (null:
   * an empty mart), or null.
   */
  public static Snapshot lastCaughtUpRun(Table table, Snapshot from) {
    for (Snapshot s = from;
        s != null;
        s = s.parentId() == null ? null : table.snapshot(s.parentId())) {
      if (s.summary().containsKey(CAUGHT_UP_KEY)) {
        return s;
      }
    }
    return null;
  }

  /**
   * Why {@code dates} changed in {@code table} since snapshot {@code since} (null: since the table
   * was empty), as the one-line message of a {@link DatesChangedSincePlanException}: the mart runs
   * that replaced some of them, or the other commits that may have; null when only mart runs on
   * other dates committed since (a failed validation then has another cause).
   */
  static String changedSincePlan(Table table, Long since, SortedSet<LocalDate> dates) {
    table.refresh();
    List<String> runs = new ArrayList<>();
    List<String> others = new ArrayList<>();
    SortedSet<LocalDate> replaced = new TreeSet<>();
    boolean reachedPlan = since == null;
    for (Snapshot s = table.currentSnapshot();
        s != null;
        s = s.parentId() == null ? null : table.snapshot(s.parentId())) {
      if (since != null && s.snapshotId() == since) {
        reachedPlan = true;
        break;
      }
      String run = s.summary().get(RUN_ID_KEY);
      if (run != null && s.summary().get(DATES_KEY) != null) {
        boolean overlaps = false;
        for (LocalDate d : datesOf(s)) {
          if (dates.contains(d)) {
            replaced.add(d);
            overlaps = true;
          }
        }
        if (overlaps) {
          runs.add(run.substring(0, Math.min(8, run.length())));
        }
      } else {
        others.add(s.operation() + " snapshot " + s.snapshotId());
      }
    }
    if (runs.isEmpty() && reachedPlan && others.isEmpty()) {
      return null;
    }
    String retry =
        "; this run committed nothing: re-run the mart (a new run plans from the newest raw data)";
    if (!runs.isEmpty()) {
      Collections.reverse(runs); // oldest first
      return "another mart run ("
          + String.join(", ", runs)
          + ") replaced "
          + describe(table, replaced)
          + " "
          + DatesChangedSincePlanException.MARKER
          + retry;
    }
    if (!reachedPlan) {
      return table.name()
          + ": mart snapshot "
          + since
          + " that this run planned from is no longer in the table's history (expired or rolled"
          + " back), so the run cannot tell whether another run replaced "
          + describe(table, dates)
          + " "
          + DatesChangedSincePlanException.MARKER
          + retry;
    }
    return table.name()
        + " changed on "
        + describe(table, dates)
        + " "
        + DatesChangedSincePlanException.MARKER
        + " ("
        + (others.isEmpty()
            ? "a concurrent commit"
            : String.join(", ", others.subList(0, Math.min(3, others.size())))
                + (others.size() > 3 ? " and " + (others.size() - 3) + " more" : ""))
        + ")"
        + retry;
  }

  /**
   * "sale date D", "sale dates D1, D2" or "N sale dates D1..Dn", named after the table's date
   * partition column (stock_date: "stock date").
   */
  static String describe(Table table, SortedSet<LocalDate> dates) {
    String noun =
        table.spec().fields().isEmpty()
            ? "date"
            : table
                .schema()
                .findColumnName(table.spec().fields().get(0).sourceId())
                .replace('_', ' ');
    if (dates.size() == 1) {
      return noun + " " + dates.first();
    }
    if (dates.size() <= 5) {
      return noun + "s " + String.join(", ", dates.stream().map(LocalDate::toString).toList());
    }
    return dates.size() + " " + noun + "s " + dates.first() + ".." + dates.last();
  }

  /** sale_date in any of the dates. */
  public static Expression saleDateIn(SortedSet<LocalDate> dates) {
    return dateIn(DailySalesSummaryTable.SALE_DATE, dates);
  }

  /** {@code dateColumn} in any of the dates. */
  public static Expression dateIn(String dateColumn, SortedSet<LocalDate> dates) {
    return Expressions.in(dateColumn, dates.stream().map(LocalDate::toString).toArray());
  }

  /** Overwrites the selected days with the gathered files, unless this run already did. */
  static final class ReplaceFn extends DoFn<WrittenFiles, CommitResult> {
    private final CatalogSettings catalog;
    private final TableDefinition definition;
    private final String dateColumn;
    private final SortedSet<LocalDate> dates;
    private final String runId;
    private final long rawSnapshotId;
    private final Long martSnapshotAtPlan;
    private final boolean caughtUp;
    private final Map<String, String> moreSummary;
    private final SortedSet<LocalDate> datesRead;

    ReplaceFn(
        CatalogSettings catalog,
        TableDefinition definition,
        String dateColumn,
        SortedSet<LocalDate> dates,
        String runId,
        long rawSnapshotId,
        Long martSnapshotAtPlan,
        boolean caughtUp,
        Map<String, String> moreSummary,
        SortedSet<LocalDate> datesRead) {
      this.catalog = catalog;
      this.definition = definition;
      this.dateColumn = dateColumn;
      this.moreSummary = moreSummary;
      this.datesRead = datesRead;
      this.dates = dates;
      this.runId = runId;
      this.rawSnapshotId = rawSnapshotId;
      this.martSnapshotAtPlan = martSnapshotAtPlan;
      this.caughtUp = caughtUp;
    }

    /** The dates whose change since the plan fails the commit: replaced ones and read ones. */
    private SortedSet<LocalDate> watched() {
      SortedSet<LocalDate> watched = new TreeSet<>(dates);
      watched.addAll(datesRead);
      return watched;
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
      OverwriteFiles overwrite =
          table.newOverwrite().overwriteByRowFilter(dateIn(dateColumn, dates));
      written.files().forEach(overwrite::addFile);
      // a new file outside the selected days would survive a later re-run of them: refuse it
      overwrite.validateAddedFilesMatchOverwriteFilter();
      // Any commit since the mart snapshot read at plan time that added or removed files of these
      // days fails this commit (checked against the final parent inside Iceberg's commit, retries
      // included): it may hold newer raw data than this run read. Without a plan-time snapshot
      // (the mart was empty) Iceberg checks the table's whole history.
      if (martSnapshotAtPlan != null) {
        overwrite.validateFromSnapshot(martSnapshotAtPlan);
      }
      overwrite
          .conflictDetectionFilter(dateIn(dateColumn, watched()))
          .validateNoConflictingData()
          .validateNoConflictingDeletes();
      overwrite.set(RUN_ID_KEY, runId);
      overwrite.set(DATES_KEY, String.join(",", dates.stream().map(LocalDate::toString).toList()));
      overwrite.set(RAW_SNAPSHOT_KEY, Long.toString(rawSnapshotId));
      if (caughtUp) {
        overwrite.set(CAUGHT_UP_KEY, Long.toString(rawSnapshotId));
      }
      moreSummary.forEach(overwrite::set);
      try {
        overwrite.commit();
      } catch (ValidationException e) {
        String why = changedSincePlan(table, martSnapshotAtPlan, watched());
        if (why == null) {
          throw e; // not a concurrent change (e.g. a written file outside the dates)
        }
        DatesChangedSincePlanException failure = new DatesChangedSincePlanException(why);
        failure.addSuppressed(e);
        throw failure;
      }
      long snapshotId = snapshotOfRun(table, runId).snapshotId();
      LOG.info(
          "{}: replaced {} {}(s) with {} rows in {} files as snapshot {}",
          definition,
          dates.size(),
          dateColumn.replace('_', ' '),
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
