package com.retail.lakehouse.pipelines.mart;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.retail.lakehouse.common.Failures;
import com.retail.lakehouse.common.UsageException;
import com.retail.lakehouse.pipelines.run.PipelineCounters;
import com.retail.lakehouse.pipelines.run.Progress;
import com.retail.lakehouse.pipelines.run.RunSnapshots;
import com.retail.lakehouse.pipelines.run.RunSummary;
import com.retail.lakehouse.transforms.mart.RawFilePlan;
import com.retail.lakehouse.transforms.mart.ReplaceMartDays;
import com.retail.lakehouse.transforms.metrics.LiveCounters;
import com.retail.lakehouse.transforms.metrics.MetricNames;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import com.retail.lakehouse.transforms.tables.DailySalesSummaryTable;
import com.retail.lakehouse.transforms.tables.RawTable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.UUID;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;

/**
 * One mart run, the typed entry the mart command, the demo, the benchmarks and the console call:
 * rebuilds marts.daily_sales_summary for the selected UTC sale dates from raw.pos_transactions,
 * replacing those days in one commit, and appends its summary to {@code
 * <data-dir>/runs/mart-runs.jsonl}.
 */
public final class MartRun {
  /** raw.pos_transactions does not exist yet: nothing to build a mart from. */
  public static final class NoRawTableException extends IllegalStateException {
    NoRawTableException(String message) {
      super(message);
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Tests only: runs after a run has planned (read the mart and raw snapshots and chosen its dates)
   * and before its pipeline starts, so a test can make another run commit in between.
   */
  static volatile Runnable afterPlanning = () -> {};

  private MartRun() {}

  /**
   * Rebuilds the dates {@code options} select (or, with --changed-since-last-run, the dates raw
   * changed since the last caught-up run) in one commit, and returns the summary; a failed run
   * leaves the mart as it was and is recorded too.
   *
   * @throws NoRawTableException if raw.pos_transactions does not exist yet
   * @throws ReplaceMartDays.DatesChangedSincePlanException if another run replaced some of the
   *     dates after this one planned (nothing committed; a new run rebuilds them)
   */
  public static RunSummary run(MartOptions options, CatalogSettings catalog) throws IOException {
    requestedDates(options); // flag errors before touching the catalog
    if (options.getLinesPerTask() < 1) {
      throw new UsageException("--lines-per-task must be at least 1");
    }
    if (!catalog.catalog().tableExists(RawTable.DEFINITION.identifier())) {
      throw new NoRawTableException(
          RawTable.DEFINITION
              + " does not exist in the "
              + catalog.describe()
              + ": run ./lakehouse ingest first");
    }
    Table raw = catalog.catalog().loadTable(RawTable.DEFINITION.identifier());
    // The one place a mart run creates or loads the mart: a table made before a column existed
    // (category) gets it here, before anything is written; its older days hold null until rebuilt.
    List<String> added = new ArrayList<>();
    Table mart = DailySalesSummaryTable.DEFINITION.createOrLoad(catalog.catalog(), added::add);
    for (String column : added) {
      System.err.printf(
          "lakehouse: mart: added column %s to %s; sale dates built before hold null in it until"
              + " rebuilt (./lakehouse mart --date ..., or ./lakehouse mart for all dates)%n",
          column, DailySalesSummaryTable.DEFINITION);
    }
    String runId = UUID.randomUUID().toString();
    org.joda.time.Instant startedAt = org.joda.time.Instant.now();
    long t0 = System.nanoTime();
    RunSummary summary = new RunSummary("mart run " + runId.substring(0, 8));
    summary.put("run_id", runId);
    summary.put("started_at", startedAt.toString());
    summary.put("mart_columns_added", List.copyOf(added));

    // The mart first, then raw: a run that commits these dates after this read fails our commit
    // (ReplaceMartDays validates from martAtPlan), and one that committed before it read a raw
    // snapshot no newer than ours, so our older data never replaces its newer data.
    mart.refresh();
    Snapshot martAtPlan = mart.currentSnapshot();
    Long martSnapshotAtPlan = martAtPlan == null ? null : martAtPlan.snapshotId();
    summary.put("mart_snapshot_at_plan", martSnapshotAtPlan);
    Snapshot previous = ReplaceMartDays.lastCaughtUpRun(mart, martAtPlan);
    raw.refresh();
    Snapshot rawNow = raw.currentSnapshot();
    String mode = mode(options);
    summary.put("mode", mode);
    summary.put(
        "last_caught_up_run_id",
        previous == null ? null : previous.summary().get(ReplaceMartDays.RUN_ID_KEY));
    SortedSet<LocalDate> requested = requestedDates(options);
    if (options.getChangedSinceLastRun()) {
      if (rawNow == null) {
        requested = new TreeSet<>();
      } else if (previous != null) {
        long lastRaw = Long.parseLong(previous.summary().get(ReplaceMartDays.CAUGHT_UP_KEY));
        Optional<SortedSet<LocalDate>> changed =
            RawFilePlan.datesChangedBetween(raw, lastRaw, rawNow.snapshotId());
        if (changed.isEmpty()) {
          System.err.printf(
              "lakehouse: mart: raw snapshot %d of the last run is no longer in raw's history;"
                  + " rebuilding all dates%n",
              lastRaw);
          mode = "all (last run's raw snapshot expired)";
          summary.put("mode", mode);
        } else if (changed.get().isEmpty()) {
          return finish(
              options,
              summary,
              new TreeSet<>(),
              rawNow,
              0,
              0,
              null,
              t0,
              "raw unchanged since the last run");
        } else {
          requested = changed.get();
        }
      }
    }
    if (rawNow == null) {
      return finish(options, summary, requested, null, 0, 0, null, t0, "raw is empty");
    }
    RawFilePlan plan =
        RawFilePlan.of(raw, rawNow.snapshotId(), requested, options.getLinesPerTask());
    if (plan.dates().isEmpty()) {
      return finish(options, summary, plan.dates(), rawNow, 0, 0, null, t0, "no dates to rebuild");
    }
    System.err.printf(
        "lakehouse: mart run %s: %d sale date(s) %s..%s from %d raw files (raw snapshot %d) into %s%n",
        runId.substring(0, 8),
        plan.dates().size(),
        plan.dates().first(),
        plan.dates().last(),
        plan.fileCount(),
        plan.rawSnapshotId(),
        catalog.describe());
    afterPlanning.run();

    Pipeline pipeline =
        MartPipeline.build(
            options,
            new MartPipeline.RunPlan(
                catalog,
                plan,
                runId,
                startedAt,
                martSnapshotAtPlan,
                // --date and --from/--to rebuild some dates only: they do not catch up with raw
                options.getChangedSinceLastRun() || requestedDates(options).isEmpty()));
    PipelineResult result =
        runPipeline(pipeline, options, summary, plan.dates(), plan.rawSnapshotId(), t0);
    PipelineCounters counters = PipelineCounters.of(result);
    Snapshot commit = ReplaceMartDays.snapshotOfRun(mart, runId);
    if (commit == null) {
      throw new IllegalStateException("mart pipeline finished but made no commit for run " + runId);
    }
    summary.put("raw_duplicates_dropped", counters.get(MetricNames.MART_DUPLICATES));
    return finish(
        options,
        summary,
        plan.dates(),
        rawNow,
        counters.get(MetricNames.MART_RAW_ROWS_READ),
        plan.fileCount(),
        commit,
        t0,
        null);
  }

  /**
   * Runs a mart pipeline to its end; a failure is recorded (with {@code dates} and {@code
   * rawSnapshotId}) in the run log and rethrown, as one line when another run replaced the dates.
   */
  static PipelineResult runPipeline(
      Pipeline pipeline,
      MartOptions options,
      RunSummary summary,
      SortedSet<LocalDate> dates,
      long rawSnapshotId,
      long t0)
      throws IOException {
    LiveCounters.reset();
    PipelineResult result;
    try (Progress progress = Progress.start("mart", t0, MartRun::progressLine)) {
      result = pipeline.run();
      result.waitUntilFinish();
      if (result.getState() != PipelineResult.State.DONE) {
        throw new IllegalStateException("mart pipeline ended in state " + result.getState());
      }
    } catch (RuntimeException e) {
      // operators see failed runs too; the table is unchanged (the commit is the last step)
      RuntimeException failure = e;
      String changed = ReplaceMartDays.DatesChangedSincePlanException.messageIn(e);
      if (changed != null) {
        // another run replaced our dates first: one clean line saying so (re-run), on any runner
        failure = new ReplaceMartDays.DatesChangedSincePlanException(changed);
        failure.addSuppressed(e);
      }
      summary.put("dates", dates.stream().map(LocalDate::toString).toList());
      summary.put("raw_snapshot_id", rawSnapshotId);
      summary.put("committed", false);
      // runners wrap the worker's exception ("Pipeline execution failed")
      summary.put("failed", Failures.oneLine(failure));
      summary.put("seconds", Math.round((System.nanoTime() - t0) / 1e8) / 10.0);
      appendRunRecord(Path.of(options.getDataDir()), summary);
      throw failure;
    }
    return result;
  }

  static RunSummary finish(
      MartOptions options,
      RunSummary summary,
      SortedSet<LocalDate> dates,
      Snapshot rawSnapshot,
      long rawRowsRead,
      int rawFiles,
      Snapshot commit,
      long t0,
      String skipped)
      throws IOException {
    double seconds = (System.nanoTime() - t0) / 1e9;
    long written = commit == null ? 0 : RunSnapshots.count(commit, "added-records");
    summary.put("dates", dates.stream().map(LocalDate::toString).toList());
    summary.put("raw_snapshot_id", rawSnapshot == null ? null : rawSnapshot.snapshotId());
    summary.put("raw_files_read", rawFiles);
    summary.put("raw_rows_read", rawRowsRead);
    summary.put("mart_rows_written", written);
    summary.put(
        "mart_rows_replaced", commit == null ? 0 : RunSnapshots.count(commit, "deleted-records"));
    summary.put(
        "mart_data_files", commit == null ? 0 : RunSnapshots.count(commit, "added-data-files"));
    summary.put("snapshot_id", commit == null ? null : commit.snapshotId());
    summary.put("seconds", Math.round(seconds * 10) / 10.0);
    summary.put("rows_per_second", Math.round(rawRowsRead / Math.max(seconds, 1e-9)));
    summary.put("committed", commit != null);
    if (skipped != null) {
      summary.put("skipped", skipped);
      System.err.println("lakehouse: mart: nothing to do: " + skipped);
    }
    appendRunRecord(Path.of(options.getDataDir()), summary);
    return summary;
  }

  /** Appends the run's summary as one JSON line to {@code <data-dir>/runs/mart-runs.jsonl}. */
  static void appendRunRecord(Path dataDir, RunSummary summary) throws IOException {
    Path file = dataDir.resolve("runs").resolve("mart-runs.jsonl");
    Files.createDirectories(file.getParent());
    Files.writeString(
        file,
        JSON.writeValueAsString(summary.values()) + "\n",
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
  }

  /** How a run chose its dates, for its summary: changed-since-last-run, date, range or all. */
  static String mode(MartOptions options) {
    if (options.getChangedSinceLastRun()) {
      return "changed-since-last-run";
    }
    if (options.getDate() != null) {
      return "date";
    }
    if (options.getFrom() != null) {
      return "range";
    }
    return "all";
  }

  /**
   * The dates named by --date or --from/--to; empty for "all dates" and --changed-since-last-run.
   */
  static SortedSet<LocalDate> requestedDates(MartOptions options) {
    boolean single = options.getDate() != null;
    boolean range = options.getFrom() != null || options.getTo() != null;
    if ((single ? 1 : 0) + (range ? 1 : 0) + (options.getChangedSinceLastRun() ? 1 : 0) > 1) {
      throw new UsageException("use only one of --date, --from/--to and --changed-since-last-run");
    }
    SortedSet<LocalDate> dates = new TreeSet<>();
    if (single) {
      for (String one : options.getDate().split(",", -1)) {
        dates.add(date("date", one));
      }
    } else if (range) {
      if (options.getFrom() == null || options.getTo() == null) {
        throw new UsageException("--from and --to go together");
      }
      LocalDate from = date("from", options.getFrom());
      LocalDate to = date("to", options.getTo());
      if (to.isBefore(from)) {
        throw new UsageException("--to " + to + " is before --from " + from);
      }
      if (from.plusDays(3660).isBefore(to)) {
        throw new UsageException("--from/--to spans more than ten years");
      }
      for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
        dates.add(d);
      }
    }
    return dates;
  }

  private static LocalDate date(String flag, String value) {
    try {
      return LocalDate.parse(value.strip());
    } catch (DateTimeParseException e) {
      throw new UsageException("--" + flag + " wants a date like 2026-11-24, got '" + value + "'");
    }
  }

  private static String progressLine(double seconds) {
    long read = LiveCounters.get(MetricNames.MART_RAW_ROWS_READ);
    return String.format(
        "mart: raw rows read %,d  %,.0f rows/s  mart rows written %,d  %.0fs",
        read, read / Math.max(seconds, 1e-9), LiveCounters.get(MetricNames.ROWS_WRITTEN), seconds);
  }
}
