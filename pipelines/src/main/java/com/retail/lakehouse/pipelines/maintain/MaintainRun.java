package com.retail.lakehouse.pipelines.maintain;

import com.retail.lakehouse.common.Durations;
import com.retail.lakehouse.common.UsageException;
import com.retail.lakehouse.pipelines.run.PipelineCounters;
import com.retail.lakehouse.pipelines.run.Progress;
import com.retail.lakehouse.pipelines.run.RunSummary;
import com.retail.lakehouse.transforms.metrics.LiveCounters;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;

/**
 * One maintenance run over the selected tables, steps in a safe order: compaction (a Beam batch
 * pipeline), then manifest rewrite, then snapshot expiry (so the snapshots compaction replaced can
 * go), then orphan files (listed, deleted only with --delete). Each step of each table is its own
 * Iceberg commit; a step that fails leaves its table as it was.
 */
final class MaintainRun {
  /**
   * Tests only: runs after the compaction has planned (read each table's snapshot and chosen its
   * file groups) and before its pipeline starts, so a test can commit to the tables in between.
   */
  static volatile Runnable afterPlanning = () -> {};

  private MaintainRun() {}

  /** The steps a run does: those named, or all of them when none is. */
  record Steps(boolean compact, boolean rewriteManifests, boolean expire, boolean orphans) {
    static Steps of(MaintainOptions o) {
      boolean none =
          !o.getCompact() && !o.getRewriteManifests() && !o.getExpire() && !o.getRemoveOrphans();
      return new Steps(
          none || o.getCompact(),
          none || o.getRewriteManifests(),
          none || o.getExpire(),
          none || o.getRemoveOrphans());
    }

    List<String> names() {
      List<String> names = new ArrayList<>();
      if (compact) {
        names.add("compact");
      }
      if (rewriteManifests) {
        names.add("rewrite-manifests");
      }
      if (expire) {
        names.add("expire");
      }
      if (orphans) {
        names.add("remove-orphans");
      }
      return names;
    }
  }

  /** The run's settings, checked before any table is touched. */
  record Settings(
      Steps steps,
      List<MaintainedTable> tables,
      Duration minAge,
      Duration olderThan,
      Duration orphanMinAge) {
    static Settings of(MaintainOptions o) {
      if (o.getRetainLast() < 1) {
        throw new UsageException("--retain-last must be at least 1 (the current snapshot)");
      }
      if (o.getMaxGroupBytes() < 1) {
        throw new UsageException("--max-group-bytes must be at least 1");
      }
      if (o.getMinFileSize() != null && o.getMinFileSize() < 1) {
        throw new UsageException("--min-file-size must be at least 1 (bytes)");
      }
      if (o.getDelete() && !o.getRemoveOrphans() && Steps.of(o).names().size() < 4) {
        throw new UsageException("--delete goes with --remove-orphans (or with no step flag)");
      }
      Duration minAge = nonNegative("min-age", o.getMinAge());
      Duration olderThan = nonNegative("older-than", o.getOlderThan());
      Duration orphanMinAge = nonNegative("orphan-min-age", o.getOrphanMinAge());
      return new Settings(
          Steps.of(o), MaintainedTable.parse(o.getTables()), minAge, olderThan, orphanMinAge);
    }

    private static Duration nonNegative(String flag, String text) {
      Duration d = Durations.parse(flag, text);
      if (d.isNegative()) {
        throw new UsageException("--" + flag + " must not be negative");
      }
      return d;
    }
  }

  static RunSummary run(MaintainOptions options, CatalogSettings catalog) {
    Settings settings = Settings.of(options);
    String runId = UUID.randomUUID().toString();
    long t0 = System.nanoTime();
    Instant now = Instant.now();
    RunSummary summary = new RunSummary("maintain run " + runId.substring(0, 8));
    summary.put("run_id", runId);
    summary.put("steps", settings.steps().names());

    Map<MaintainedTable, Table> tables = new LinkedHashMap<>();
    List<String> missing = new ArrayList<>();
    for (MaintainedTable which : settings.tables()) {
      if (catalog.catalog().tableExists(which.definition().identifier())) {
        tables.put(which, catalog.catalog().loadTable(which.definition().identifier()));
      } else {
        missing.add(which.definition().toString());
      }
    }
    if (!missing.isEmpty()) {
      System.err.println(
          "lakehouse: maintain: not found, skipped: "
              + String.join(", ", missing)
              + " (in the "
              + catalog.describe()
              + ")");
    }
    Map<String, Map<String, Object>> perTable = new LinkedHashMap<>();
    tables.forEach(
        (which, table) -> {
          Map<String, Object> t = new LinkedHashMap<>();
          t.put("files_before", dataFiles(table));
          perTable.put(which.definition().toString(), t);
        });

    long bytesRewritten = 0;
    if (settings.steps().compact()) {
      bytesRewritten = compact(options, catalog, settings, tables, runId, now, perTable, summary);
    }
    if (settings.steps().rewriteManifests()) {
      tables.forEach(
          (which, table) -> {
            ManifestRewrite.Result r = ManifestRewrite.rewrite(table);
            Map<String, Object> t = perTable.get(which.definition().toString());
            t.put("manifests_before", r.before());
            t.put("manifests_after", r.after());
            System.err.printf(
                "lakehouse: maintain: %s: data manifests %d -> %d%n",
                which.definition(), r.before(), r.after());
          });
    }
    long expired = 0;
    if (settings.steps().expire()) {
      Map<SnapshotExpiry.CaughtUpMart, Table> marts =
          new java.util.EnumMap<>(SnapshotExpiry.CaughtUpMart.class);
      for (SnapshotExpiry.CaughtUpMart m : SnapshotExpiry.CaughtUpMart.values()) {
        if (catalog.catalog().tableExists(m.mart().identifier())) {
          marts.put(m, catalog.catalog().loadTable(m.mart().identifier()));
        }
      }
      for (Map.Entry<MaintainedTable, Table> e : tables.entrySet()) {
        SnapshotExpiry.Result r =
            SnapshotExpiry.expire(
                e.getKey(),
                e.getValue(),
                marts,
                options.getRetainLast(),
                settings.olderThan(),
                Instant.now());
        Map<String, Object> t = perTable.get(e.getKey().definition().toString());
        t.put("snapshots_expired", r.expired());
        t.put("snapshots_kept", r.kept());
        t.put("kept_for", r.keptFor());
        expired += r.expired();
        System.err.printf(
            "lakehouse: maintain: %s: %d snapshots expired, %d kept%s%n",
            e.getKey().definition(),
            r.expired(),
            r.kept(),
            r.keptFor().isEmpty() ? "" : " (" + String.join("; ", r.keptFor()) + ")");
      }
    }
    long orphansFound = 0;
    long orphansRemoved = 0;
    long orphanBytes = 0;
    if (settings.steps().orphans()) {
      for (Map.Entry<MaintainedTable, Table> e : tables.entrySet()) {
        Map<String, Object> t = perTable.get(e.getKey().definition().toString());
        List<OrphanFiles.Orphan> orphans =
            OrphanFiles.find(e.getValue(), settings.orphanMinAge(), Instant.now());
        if (orphans == null) {
          t.put("orphans", "not listed: the table's file IO cannot list files");
          continue;
        }
        long bytes = orphans.stream().mapToLong(OrphanFiles.Orphan::size).sum();
        for (OrphanFiles.Orphan o : orphans) {
          System.err.printf(
              "lakehouse: maintain: orphan %,12d bytes  %s%n", o.size(), o.location());
        }
        int removed = options.getDelete() ? OrphanFiles.delete(e.getValue(), orphans) : 0;
        System.err.printf(
            "lakehouse: maintain: %s: %d orphan files (%,d bytes) older than %s, %s%n",
            e.getKey().definition(),
            orphans.size(),
            bytes,
            options.getOrphanMinAge(),
            options.getDelete() ? removed + " removed" : "none removed (dry run: add --delete)");
        t.put("orphans_found", orphans.size());
        t.put("orphan_bytes", bytes);
        t.put("orphans_removed", removed);
        t.put(
            "orphan_files",
            orphans.stream()
                .map(o -> Map.of("location", o.location(), "bytes", o.size()))
                .toList());
        orphansFound += orphans.size();
        orphansRemoved += removed;
        orphanBytes += bytes;
      }
    }
    tables.forEach(
        (which, table) -> {
          table.refresh();
          perTable.get(which.definition().toString()).put("files_after", dataFiles(table));
        });
    summary.put("tables", perTable);
    summary.put("bytes_rewritten", bytesRewritten);
    summary.put("snapshots_expired", expired);
    summary.put("orphans_found", orphansFound);
    summary.put("orphan_bytes", orphanBytes);
    summary.put("orphans_removed", orphansRemoved);
    summary.put("seconds", Math.round((System.nanoTime() - t0) / 1e8) / 10.0);
    return summary;
  }

  /** Plans, runs and commits the compaction of every table; returns the bytes rewritten. */
  private static long compact(
      MaintainOptions options,
      CatalogSettings catalog,
      Settings settings,
      Map<MaintainedTable, Table> tables,
      String runId,
      Instant now,
      Map<String, Map<String, Object>> perTable,
      RunSummary summary) {
    List<FileGroup> groups = new ArrayList<>();
    Map<String, Long> planned = new LinkedHashMap<>();
    Map<MaintainedTable, CompactionPlan> plans = new LinkedHashMap<>();
    for (Map.Entry<MaintainedTable, Table> e : tables.entrySet()) {
      CompactionPlan plan =
          CompactionPlan.of(
              e.getKey(),
              e.getValue(),
              options.getMinFileSize(),
              options.getMaxGroupBytes(),
              settings.minAge(),
              now,
              groups.size());
      plans.put(e.getKey(), plan);
      Map<String, Object> t = perTable.get(e.getKey().definition().toString());
      t.put("partitions_compacted", plan.partitions());
      t.put("partitions_too_recent", plan.partitionsTooRecent());
      t.put("files_with_deletes_skipped", plan.filesWithDeletes());
      t.put("files_rewritten", 0);
      t.put("files_written", 0);
      t.put("bytes_rewritten", 0L);
      if (plan.groups().isEmpty()) {
        System.err.printf(
            "lakehouse: maintain: %s: nothing to compact (%d data files, %d partition(s) too"
                + " recent, --min-age %s)%n",
            e.getKey().definition(),
            plan.dataFiles(),
            plan.partitionsTooRecent(),
            options.getMinAge());
        continue;
      }
      System.err.printf(
          "lakehouse: maintain: %s: compacting %d files (%,d bytes) of %d partition(s) into %d"
              + " file(s), planned at snapshot %d%n",
          e.getKey().definition(),
          plan.filesToRewrite(),
          plan.bytesToRewrite(),
          plan.partitions(),
          plan.groups().size(),
          plan.snapshotId());
      groups.addAll(plan.groups());
      planned.put(e.getKey().flag(), plan.snapshotId());
    }
    if (groups.isEmpty()) {
      return 0;
    }
    afterPlanning.run();
    Pipeline p = Pipeline.create(options);
    p.apply("PlannedFileGroups", Create.of(groups).withCoder(SerializableCoder.of(FileGroup.class)))
        .apply("SpreadGroupsOverWorkers", Reshuffle.viaRandomKey())
        .apply("RewriteFileGroups", new RewriteFileGroups(catalog, runId))
        .apply("CommitRewrites", new CommitRewrites(catalog, runId, planned));
    LiveCounters.reset();
    long t0 = System.nanoTime();
    int total = groups.size();
    PipelineResult result;
    try (Progress progress =
        Progress.start(
            "maintain",
            t0,
            seconds -> {
              long rows = LiveCounters.get(RewriteFileGroups.ROWS_REWRITTEN);
              return String.format(
                  "maintain: compaction groups rewritten %,d of %,d  rows %,d  %,.0f rows/s  %.0fs",
                  LiveCounters.get(RewriteFileGroups.GROUPS_REWRITTEN),
                  total,
                  rows,
                  rows / Math.max(seconds, 1e-9),
                  seconds);
            })) {
      result = p.run();
      result.waitUntilFinish();
      if (result.getState() != PipelineResult.State.DONE) {
        throw new IllegalStateException("compaction pipeline ended in state " + result.getState());
      }
    } catch (RuntimeException e) {
      String changed = CommitRewrites.ChangedSincePlanException.messageIn(e);
      if (changed != null) {
        CommitRewrites.ChangedSincePlanException failure =
            new CommitRewrites.ChangedSincePlanException(changed, null);
        failure.addSuppressed(e);
        throw failure;
      }
      throw e;
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    long rows = PipelineCounters.of(result).get(RewriteFileGroups.ROWS_REWRITTEN);
    long bytes = 0;
    for (Map.Entry<MaintainedTable, Table> e : tables.entrySet()) {
      Snapshot commit = CommitRewrites.committedBy(refreshed(e.getValue()), runId);
      if (commit == null) {
        continue;
      }
      Map<String, String> s = commit.summary();
      Map<String, Object> t = perTable.get(e.getKey().definition().toString());
      long removedBytes = Long.parseLong(s.getOrDefault("removed-files-size", "0"));
      t.put("files_rewritten", Long.parseLong(s.getOrDefault("deleted-data-files", "0")));
      t.put("files_written", Long.parseLong(s.getOrDefault("added-data-files", "0")));
      t.put("bytes_rewritten", removedBytes);
      t.put("rows_rewritten", Long.parseLong(s.getOrDefault("added-records", "0")));
      t.put("compaction_snapshot_id", commit.snapshotId());
      bytes += removedBytes;
    }
    summary.put("compaction_rows", rows);
    summary.put("compaction_seconds", Math.round(seconds * 10) / 10.0);
    summary.put("compaction_rows_per_second", Math.round(rows / Math.max(seconds, 1e-9)));
    System.err.printf(
        "lakehouse: maintain: compaction rewrote %,d rows (%,d bytes) in %.1fs, %,.0f rows/s%n",
        rows, bytes, seconds, rows / Math.max(seconds, 1e-9));
    return bytes;
  }

  private static Table refreshed(Table table) {
    table.refresh();
    return table;
  }

  private static long dataFiles(Table table) {
    Snapshot s = table.currentSnapshot();
    return s == null ? 0 : Long.parseLong(s.summary().getOrDefault("total-data-files", "0"));
  }
}
