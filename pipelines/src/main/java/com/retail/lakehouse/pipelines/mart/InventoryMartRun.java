package com.retail.lakehouse.pipelines.mart;

import com.retail.lakehouse.common.UsageException;
import com.retail.lakehouse.pipelines.run.PipelineCounters;
import com.retail.lakehouse.pipelines.run.RunSummary;
import com.retail.lakehouse.transforms.mart.RawFilePlan;
import com.retail.lakehouse.transforms.mart.ReadStockEvents;
import com.retail.lakehouse.transforms.mart.ReplaceMartDays;
import com.retail.lakehouse.transforms.mart.StockEvent;
import com.retail.lakehouse.transforms.metrics.MetricNames;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import com.retail.lakehouse.transforms.tables.DailyInventoryTable;
import com.retail.lakehouse.transforms.tables.InventoryTables;
import com.retail.lakehouse.transforms.tables.RawTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.UUID;
import org.apache.beam.sdk.PipelineResult;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.CloseableIterable;

/**
 * One run of the inventory mart ({@code ./lakehouse mart --mart inventory}): rebuilds
 * marts.daily_inventory from raw.inventory_movements and raw.pos_transactions (each read at a
 * pinned snapshot) for a range of consecutive UTC dates, replacing them in one commit with the
 * sales mart's committer, so it is idempotent, atomic per run, and fails cleanly when another run
 * replaced its dates since it planned.
 *
 * <p>The closing stock of a day depends on every earlier day, so the range always runs to the
 * newest date (the latest of both raw tables and the mart) except with --date/--from/--to:
 *
 * <ul>
 *   <li>no date flag: from the first date of either raw table, every key starting at 0;
 *   <li>{@code --changed-since-last-run}: from the earliest date D that received rows in either raw
 *       table since the last caught-up run (late data included) to the newest date, and only those;
 *       the opening balance of D is the mart's own row of D-1 (and {@code days_of_cover} reads the
 *       mart's sold and returned units of D-6..D-1). <b>Bound:</b> this is exact as long as the
 *       mart's days before D are up to date, which the caught-up mark guarantees: nothing before D
 *       changed in raw since they were built;
 *   <li>{@code --date}/{@code --from}/{@code --to}: from the first to the last date named (all
 *       dates in between), opening from the mart's row of the day before; later days are not
 *       rebuilt, and the run does not move the caught-up mark, so the next --changed-since-last-run
 *       still rebuilds from the earliest changed date.
 * </ul>
 *
 * When the mart holds no build of D-1 (no retained commit replaced it and it has no data file of
 * it) while raw has rows before D, the run starts from raw's first date instead and says so.
 */
public final class InventoryMartRun {
  /** Snapshot summary key: the raw.pos_transactions snapshot the run read (absent: no table). */
  public static final String POS_SNAPSHOT_KEY = "lakehouse.mart-pos-raw-snapshot-id";

  /**
   * Snapshot summary key: the raw.pos_transactions snapshot up to which every changed date is in
   * the mart (the POS side of {@link ReplaceMartDays#CAUGHT_UP_KEY}, which holds the movements').
   */
  public static final String CAUGHT_UP_POS_KEY = "lakehouse.mart-caught-up-pos-raw-snapshot-id";

  private InventoryMartRun() {}

  /** Whether {@code --mart} asks for this mart; fails on a name that is no mart. */
  public static boolean isInventory(MartOptions options) {
    String mart = options.getMart() == null ? "sales" : options.getMart().strip();
    return switch (mart) {
      case "sales" -> false;
      case "inventory" -> true;
      default -> throw new UsageException("--mart is sales or inventory, got '" + mart + "'");
    };
  }

  /**
   * Rebuilds the dates {@code options} select (see the class Javadoc) in one commit and returns the
   * summary; a failed run leaves the mart as it was and is recorded too.
   *
   * @throws MartRun.NoRawTableException if raw.inventory_movements does not exist yet
   * @throws ReplaceMartDays.DatesChangedSincePlanException if another run replaced some of the
   *     dates after this one planned (nothing committed; a new run rebuilds them)
   */
  public static RunSummary run(MartOptions options, CatalogSettings catalog) throws IOException {
    SortedSet<LocalDate> requested = MartRun.requestedDates(options);
    if (!catalog.catalog().tableExists(InventoryTables.RAW.identifier())) {
      throw new MartRun.NoRawTableException(
          InventoryTables.RAW
              + " does not exist in the "
              + catalog.describe()
              + ": run ./lakehouse ingest --streams pos,inventory first");
    }
    Table movements = catalog.catalog().loadTable(InventoryTables.RAW.identifier());
    Table pos =
        catalog.catalog().tableExists(RawTable.DEFINITION.identifier())
            ? catalog.catalog().loadTable(RawTable.DEFINITION.identifier())
            : null;
    Table mart = DailyInventoryTable.DEFINITION.createOrLoad(catalog.catalog());
    String runId = UUID.randomUUID().toString();
    org.joda.time.Instant startedAt = org.joda.time.Instant.now();
    long t0 = System.nanoTime();
    RunSummary summary = new RunSummary("inventory mart run " + runId.substring(0, 8));
    summary.put("mart", DailyInventoryTable.DEFINITION.toString());
    summary.put("run_id", runId);
    summary.put("started_at", startedAt.toString());

    // the mart first, then raw: as in MartRun (see ReplaceMartDays on runs at once)
    mart.refresh();
    Snapshot martAtPlan = mart.currentSnapshot();
    Long martSnapshotAtPlan = martAtPlan == null ? null : martAtPlan.snapshotId();
    summary.put("mart_snapshot_at_plan", martSnapshotAtPlan);
    Snapshot previous = ReplaceMartDays.lastCaughtUpRun(mart, martAtPlan);
    movements.refresh();
    Snapshot movementsNow = movements.currentSnapshot();
    Snapshot posNow = null;
    if (pos != null) {
      pos.refresh();
      posNow = pos.currentSnapshot();
    }
    String mode = MartRun.mode(options);
    summary.put("mode", mode);
    summary.put(
        "last_caught_up_run_id",
        previous == null ? null : previous.summary().get(ReplaceMartDays.RUN_ID_KEY));
    if (movementsNow == null) {
      return MartRun.finish(
          options,
          summary,
          new TreeSet<>(),
          null,
          0,
          0,
          null,
          t0,
          "raw.inventory_movements is empty");
    }
    RawFilePlan movementFiles =
        RawFilePlan.of(movements, movementsNow.snapshotId(), new TreeSet<>(), Long.MAX_VALUE);
    RawFilePlan posFiles =
        posNow == null
            ? null
            : RawFilePlan.of(pos, posNow.snapshotId(), new TreeSet<>(), Long.MAX_VALUE);
    SortedSet<LocalDate> rawDates = new TreeSet<>(movementFiles.dates());
    if (posFiles != null) {
      rawDates.addAll(posFiles.dates());
    }
    SortedMap<LocalDate, Long> built = ReplaceMartDays.rawSnapshotPerDate(mart, martAtPlan);
    if (rawDates.isEmpty()) {
      return MartRun.finish(
          options, summary, new TreeSet<>(), movementsNow, 0, 0, null, t0, "raw is empty");
    }
    LocalDate newest = rawDates.last();
    if (!built.isEmpty() && built.lastKey().isAfter(newest)) {
      newest = built.lastKey();
    }
    LocalDate first = rawDates.first();
    LocalDate last = newest;
    if (options.getChangedSinceLastRun() && previous != null) {
      Optional<SortedSet<LocalDate>> changed =
          changedSince(previous, movements, movementsNow, pos, posNow, posFiles);
      if (changed.isEmpty()) {
        System.err.println(
            "lakehouse: mart: the raw snapshots of the last run are no longer in raw's history;"
                + " rebuilding all dates");
        mode = "all (last run's raw snapshot expired)";
        summary.put("mode", mode);
      } else if (changed.get().isEmpty()) {
        return MartRun.finish(
            options,
            summary,
            new TreeSet<>(),
            movementsNow,
            0,
            0,
            null,
            t0,
            "raw unchanged since the last run");
      } else {
        first = changed.get().first();
      }
    } else if (!requested.isEmpty()) {
      first = requested.first();
      last = requested.last();
    }
    if (first.isAfter(rawDates.first())
        && !built.containsKey(first.minusDays(1))
        && martFiles(mart, martSnapshotAtPlan, new TreeSet<>(List.of(first.minusDays(1))))
            .isEmpty()) {
      System.err.printf(
          "lakehouse: mart: %s holds no build of %s to open %s from; rebuilding from %s, raw's"
              + " first date%n",
          DailyInventoryTable.DEFINITION, first.minusDays(1), first, rawDates.first());
      first = rawDates.first();
      mode = mode + " (widened to raw's first date)";
      summary.put("mode", mode);
    }
    SortedSet<LocalDate> dates = new TreeSet<>();
    for (LocalDate d = first; !d.isAfter(last); d = d.plusDays(1)) {
      dates.add(d);
    }
    List<ReadStockEvents.FileToRead> files = new ArrayList<>();
    int rawFiles = addFiles(files, StockEvent.Source.MOVEMENT, movementFiles, first, last);
    if (posFiles != null) {
      rawFiles += addFiles(files, StockEvent.Source.POS_LINE, posFiles, first, last);
    }
    int openingFiles = 0;
    SortedSet<LocalDate> before = new TreeSet<>();
    if (first.isAfter(rawDates.first())) {
      for (int i = 1; i < DailyInventoryTable.COVER_DAYS; i++) {
        before.add(first.minusDays(i));
      }
      for (String path : martFiles(mart, martSnapshotAtPlan, before)) {
        files.add(new ReadStockEvents.FileToRead(StockEvent.Source.MART_ROW, path));
        openingFiles++;
      }
    }
    summary.put(
        "opening_from", first.isAfter(rawDates.first()) ? first.minusDays(1).toString() : null);
    summary.put("opening_files_read", openingFiles);
    System.err.printf(
        "lakehouse: inventory mart run %s: %d stock date(s) %s..%s from %d raw files and %d mart"
            + " files (movements snapshot %d) into %s%n",
        runId.substring(0, 8),
        dates.size(),
        first,
        last,
        rawFiles,
        openingFiles,
        movementsNow.snapshotId(),
        catalog.describe());
    MartRun.afterPlanning.run();

    // --date and --from/--to rebuild some dates only: they do not catch up with raw
    boolean caughtUp = options.getChangedSinceLastRun() || requested.isEmpty();
    Map<String, String> more = new HashMap<>();
    if (posNow != null) {
      more.put(POS_SNAPSHOT_KEY, Long.toString(posNow.snapshotId()));
      if (caughtUp) {
        more.put(CAUGHT_UP_POS_KEY, Long.toString(posNow.snapshotId()));
      }
    }
    InventoryMartPipeline.RunPlan plan =
        new InventoryMartPipeline.RunPlan(
            catalog,
            files,
            dates,
            runId,
            startedAt,
            movementsNow.snapshotId(),
            martSnapshotAtPlan,
            caughtUp,
            more,
            before);
    PipelineResult result =
        MartRun.runPipeline(
            InventoryMartPipeline.build(options, plan),
            options,
            summary,
            dates,
            movementsNow.snapshotId(),
            t0);
    PipelineCounters counters = PipelineCounters.of(result);
    Snapshot commit = ReplaceMartDays.snapshotOfRun(mart, runId);
    if (commit == null) {
      throw new IllegalStateException("mart pipeline finished but made no commit for run " + runId);
    }
    summary.put("pos_snapshot_id", posNow == null ? null : posNow.snapshotId());
    summary.put("raw_duplicates_dropped", counters.get(MetricNames.MART_DUPLICATES));
    return MartRun.finish(
        options,
        summary,
        dates,
        movementsNow,
        counters.get(MetricNames.MART_RAW_ROWS_READ),
        rawFiles,
        commit,
        t0,
        null);
  }

  /**
   * The dates either raw table changed since the last caught-up run {@code previous}; empty when
   * one of its snapshots is no longer in that table's history.
   */
  private static Optional<SortedSet<LocalDate>> changedSince(
      Snapshot previous,
      Table movements,
      Snapshot movementsNow,
      Table pos,
      Snapshot posNow,
      RawFilePlan posFiles) {
    long lastMovements = Long.parseLong(previous.summary().get(ReplaceMartDays.CAUGHT_UP_KEY));
    Optional<SortedSet<LocalDate>> changed =
        RawFilePlan.datesChangedBetween(movements, lastMovements, movementsNow.snapshotId());
    if (changed.isEmpty() || posNow == null) {
      return changed;
    }
    SortedSet<LocalDate> dates = new TreeSet<>(changed.get());
    String lastPos = previous.summary().get(CAUGHT_UP_POS_KEY);
    if (lastPos == null) {
      dates.addAll(posFiles.dates()); // raw.pos_transactions appeared since: all its dates
    } else {
      Optional<SortedSet<LocalDate>> posChanged =
          RawFilePlan.datesChangedBetween(pos, Long.parseLong(lastPos), posNow.snapshotId());
      if (posChanged.isEmpty()) {
        return Optional.empty();
      }
      dates.addAll(posChanged.get());
    }
    return Optional.of(dates);
  }

  /** Adds the raw files of dates {@code first..last}; returns how many. */
  private static int addFiles(
      List<ReadStockEvents.FileToRead> files,
      StockEvent.Source source,
      RawFilePlan plan,
      LocalDate first,
      LocalDate last) {
    int n = 0;
    for (RawFilePlan.DaySlice slice : plan.slices()) {
      if (!slice.saleDate().isBefore(first) && !slice.saleDate().isAfter(last)) {
        for (String path : slice.files()) {
          files.add(new ReadStockEvents.FileToRead(source, path));
          n++;
        }
      }
    }
    return n;
  }

  /** The mart's data files of {@code dates} at snapshot {@code snapshotId} (null: none). */
  private static List<String> martFiles(Table mart, Long snapshotId, SortedSet<LocalDate> dates) {
    List<String> paths = new ArrayList<>();
    if (snapshotId == null) {
      return paths;
    }
    try (CloseableIterable<FileScanTask> tasks =
        mart.newScan()
            .useSnapshot(snapshotId)
            .filter(ReplaceMartDays.dateIn(DailyInventoryTable.STOCK_DATE, dates))
            .planFiles()) {
      for (FileScanTask task : tasks) {
        if (!task.deletes().isEmpty()) {
          throw new IllegalStateException(
              "mart data file " + task.file().path() + " has delete files; the mart replaces days");
        }
        paths.add(task.file().path().toString());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return paths;
  }
}
