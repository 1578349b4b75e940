package com.retail.lakehouse.transforms.mart;

import com.retail.lakehouse.transforms.event.PosEventSchema;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.PartitionField;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableScan;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.util.SnapshotUtil;

/**
 * Which raw data files a mart run reads and which sale dates they hold, planned in the launcher
 * from Iceberg metadata only: raw is partitioned by day(event_time) in UTC, so a file's partition
 * value is the UTC sale date of every row in it, and no data needs to be opened to find dates.
 *
 * <p>The files are planned as {@link DaySlice}s: all files of one sale date go to one task, so
 * every copy of a sale line and every line of a basket meet in one task and the day can be
 * summarized exactly where it is read, with no shuffle of raw lines. A date with more lines than
 * one task should hold is split by store into several slices, each reading the date's files.
 *
 * @param rawSnapshotId the raw snapshot the run reads (pinned, so the recorded id is exact)
 * @param slices the units of work: the files of one sale date (or one store slice of it)
 * @param dates the sale dates the run replaces: the requested ones, or those found in raw
 */
public record RawFilePlan(long rawSnapshotId, List<DaySlice> slices, SortedSet<LocalDate> dates) {

  /**
   * The raw files of one UTC sale date ({@code rawRows} rows in all) and which of its stores to
   * summarize: those whose {@link #holdsStore} is true (store_id hash modulo {@code sliceCount}
   * equals {@code slice}).
   */
  public record DaySlice(
      LocalDate saleDate, List<String> files, long rawRows, int slice, int sliceCount)
      implements Serializable {
    /** Whether this slice summarizes {@code storeId}: every line of a store is in one slice. */
    public boolean holdsStore(String storeId) {
      return sliceCount == 1 || Math.floorMod(storeId.hashCode(), sliceCount) == slice;
    }
  }

  /** How many data files the run reads (a file of a split date counts once). */
  public int fileCount() {
    return slices.stream().filter(s -> s.slice() == 0).mapToInt(s -> s.files().size()).sum();
  }

  /**
   * Plans a read of {@code raw} at {@code snapshotId}: of {@code dates}, or of every date when
   * {@code dates} is empty, with at most about {@code linesPerTask} raw lines per slice. The
   * requested dates are kept even where raw holds no rows, so a re-run also empties a day whose raw
   * rows are gone.
   */
  public static RawFilePlan of(
      Table raw, long snapshotId, SortedSet<LocalDate> dates, long linesPerTask) {
    TableScan scan = raw.newScan().useSnapshot(snapshotId);
    if (!dates.isEmpty()) {
      scan = scan.filter(eventTimeOn(dates));
    }
    SortedMap<LocalDate, List<String>> files = new TreeMap<>();
    Map<LocalDate, Long> lines = new HashMap<>();
    try (CloseableIterable<FileScanTask> tasks = scan.planFiles()) {
      for (FileScanTask task : tasks) {
        if (!task.deletes().isEmpty()) {
          // raw is append-only; a delete file means someone changed it by hand.
          throw new IllegalStateException(
              "raw data file "
                  + task.file().path()
                  + " has delete files; the mart reads append-only raw");
        }
        if (task.file().format() != FileFormat.PARQUET) {
          throw new IllegalStateException("raw data file is not Parquet: " + task.file().path());
        }
        LocalDate day = dayOf(raw, task.file());
        if (day == null) {
          throw new IllegalStateException(
              "raw data file " + task.file().path() + " is not partitioned by day(event_time)");
        }
        if (dates.isEmpty() || dates.contains(day)) {
          // the filter's projection onto day partitions may be loose at bounds: keep only our days
          files.computeIfAbsent(day, d -> new ArrayList<>()).add(task.file().path().toString());
          lines.merge(day, task.file().recordCount(), Long::sum);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<DaySlice> slices = new ArrayList<>();
    files.forEach(
        (day, paths) -> {
          int count = (int) Math.max(1, (lines.get(day) + linesPerTask - 1) / linesPerTask);
          for (int slice = 0; slice < count; slice++) {
            slices.add(new DaySlice(day, List.copyOf(paths), lines.get(day), slice, count));
          }
        });
    SortedSet<LocalDate> selected = new TreeSet<>(dates.isEmpty() ? files.keySet() : dates);
    return new RawFilePlan(snapshotId, List.copyOf(slices), selected);
  }

  /**
   * The UTC dates that received raw rows in snapshots committed after {@code afterSnapshotId} up to
   * {@code toSnapshotId} (late events included: a late row lands in its event day's partition),
   * read from the added data files' partition values. Empty when {@code afterSnapshotId} is no
   * longer an ancestor of the current state (expired or rolled back): the caller then recomputes
   * all dates.
   */
  public static Optional<SortedSet<LocalDate>> datesChangedBetween(
      Table raw, long afterSnapshotId, long toSnapshotId) {
    if (afterSnapshotId == toSnapshotId) {
      return Optional.of(new TreeSet<>());
    }
    if (!SnapshotUtil.isAncestorOf(raw, toSnapshotId, afterSnapshotId)) {
      return Optional.empty();
    }
    SortedSet<LocalDate> dates = new TreeSet<>();
    for (Snapshot snapshot : SnapshotUtil.ancestorsBetween(raw, toSnapshotId, afterSnapshotId)) {
      for (DataFile file : snapshot.addedDataFiles(raw.io())) {
        LocalDate day = dayOf(raw, file);
        if (day == null) {
          return Optional.empty();
        }
        dates.add(day);
      }
      if (snapshot.removedDataFiles(raw.io()).iterator().hasNext()) {
        // a rewrite or delete in raw: its days changed too
        for (DataFile file : snapshot.removedDataFiles(raw.io())) {
          LocalDate day = dayOf(raw, file);
          if (day == null) {
            return Optional.empty();
          }
          dates.add(day);
        }
      }
    }
    return Optional.of(dates);
  }

  /** event_time within any of the given UTC days (consecutive days merged into one range). */
  public static Expression eventTimeOn(SortedSet<LocalDate> dates) {
    Expression any = Expressions.alwaysFalse();
    LocalDate start = null;
    LocalDate end = null;
    for (LocalDate d : dates) {
      if (start != null && d.equals(end.plusDays(1))) {
        end = d;
        continue;
      }
      if (start != null) {
        any = Expressions.or(any, between(start, end));
      }
      start = d;
      end = d;
    }
    if (start != null) {
      any = Expressions.or(any, between(start, end));
    }
    return any;
  }

  private static Expression between(LocalDate first, LocalDate last) {
    return Expressions.and(
        Expressions.greaterThanOrEqual(PosEventSchema.EVENT_TIME, first.atStartOfDay().toString()),
        Expressions.lessThan(
            PosEventSchema.EVENT_TIME, last.plusDays(1).atStartOfDay().toString()));
  }

  /** The UTC date of a raw file from its day(event_time) partition value, or null without one. */
  public static LocalDate dayOf(Table raw, DataFile file) {
    return dayOf(raw, file, PosEventSchema.EVENT_TIME);
  }

  /**
   * The UTC date of a file of {@code table} from its day({@code column}) partition value, or null
   * when its spec has no such field (or the value is null).
   */
  public static LocalDate dayOf(Table table, DataFile file, String column) {
    Map<Integer, PartitionSpec> specs = table.specs();
    PartitionSpec spec = specs.get(file.specId());
    int sourceId = table.schema().findField(column).fieldId();
    List<PartitionField> fields = spec.fields();
    for (int i = 0; i < fields.size(); i++) {
      PartitionField field = fields.get(i);
      if (field.sourceId() == sourceId && field.transform().toString().equals("day")) {
        Integer days = file.partition().get(i, Integer.class);
        return days == null ? null : LocalDate.ofEpochDay(days);
      }
    }
    return null;
  }
}
