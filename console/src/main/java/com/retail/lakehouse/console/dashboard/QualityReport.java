package com.retail.lakehouse.console.dashboard;

import static com.retail.lakehouse.console.tables.LakehouseTables.instant;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.retail.lakehouse.transforms.commit.AppendWithPosition;
import com.retail.lakehouse.transforms.commit.CommittedOffsets;
import com.retail.lakehouse.transforms.event.PosEventSchema;
import com.retail.lakehouse.transforms.mart.RawFilePlan;
import com.retail.lakehouse.transforms.mart.ReplaceMartDays;
import com.retail.lakehouse.transforms.tables.DeadLetterTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataOperations;
import org.apache.iceberg.DeleteFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotSummary;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;

/**
 * The data-quality view of a date range at one snapshot of raw, the dead-letter table and the mart.
 * Guarantee: every count is exact for the tables at those snapshots, by these definitions (where a
 * count cannot be exact it is null or counted as "not counted", never estimated):
 *
 * <ul>
 *   <li><b>dead letters</b> per reason and UTC day of {@code failed_at} (when ingest rejected the
 *       message; the table's partition column);
 *   <li><b>duplicates dropped by ingest</b> per UTC day of the raw commit that moved past them: for
 *       each raw commit, the Kafka offsets it moved its position over, minus the rows it added,
 *       minus the dead letters at those offsets (the ingest records no duplicate count in the
 *       tables, only in its run summary; exact while the topic has no offset gaps: no transaction
 *       markers, no compaction). A commit is not counted when its previous position is unknown
 *       (expired history), it recovered a position or moved past offsets Kafka deleted; it is
 *       pending while the dead-letter table's position is behind it;
 *   <li><b>duplicate copies in raw</b> per sale date: raw rows beyond the first of each (store,
 *       transaction_id, line_number), which the mart drops;
 *   <li><b>late rows</b> per sale date D: raw rows of D that raw commits after the raw snapshot of
 *       the mart's first (retained) build of D added, compactions excepted: rows that arrived after
 *       D was built and made it be re-built; null when that raw snapshot is no longer in raw's
 *       history.
 * </ul>
 */
final class QualityReport {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, Map<Integer, Long>>> POSITION =
      new TypeReference<>() {};

  final DailyQuery query;
  final Long rawSnapshotId;
  final Long deadLetterSnapshotId;
  final Long martSnapshotId;
  final SortedMap<LocalDate, SortedMap<String, Long>> deadLetters = new TreeMap<>();
  final SortedMap<LocalDate, IngestDay> ingest = new TreeMap<>();
  final SortedMap<LocalDate, SaleDate> dates = new TreeMap<>();

  /** Ingest commits of one UTC day. */
  static final class IngestDay {
    long duplicatesDropped;
    long commits;
    long pending;
    long notCounted;
  }

  /** What the tables say about one sale date. */
  static final class SaleDate {
    long rawRows;
    long distinctLines;
    int martBuilds;
    Instant firstBuiltAt;
    Long lateRows;
    Long lateRowsNotInMart;
  }

  /** Raw rows and distinct lines of one sale date, read from the files named in the key. */
  record DayFiles(LocalDate day, Set<String> files) {}

  record DayLines(long rows, long distinct) {}

  /** What may be kept across snapshots: immutable per raw snapshot or per set of files. */
  static final class Caches {
    final Map<Long, Map<LocalDate, Long>> rowsAddedBySnapshot =
        Collections.synchronizedMap(new LinkedHashMap<>(256, 0.75f, true));
    final SnapshotCache<DayFiles, DayLines> dayLines = new SnapshotCache<>(512);

    Map<LocalDate, Long> rowsAdded(Table raw, Snapshot s) {
      Map<LocalDate, Long> hit = rowsAddedBySnapshot.get(s.snapshotId());
      if (hit != null) {
        return hit;
      }
      Map<LocalDate, Long> rows = new HashMap<>();
      for (DataFile file : s.addedDataFiles(raw.io())) {
        LocalDate day = RawFilePlan.dayOf(raw, file);
        if (day != null) {
          rows.merge(day, file.recordCount(), Long::sum);
        }
      }
      Map<LocalDate, Long> value = Map.copyOf(rows);
      synchronized (rowsAddedBySnapshot) {
        rowsAddedBySnapshot.put(s.snapshotId(), value);
        while (rowsAddedBySnapshot.size() > 100_000) {
          rowsAddedBySnapshot.remove(rowsAddedBySnapshot.keySet().iterator().next());
        }
      }
      return value;
    }
  }

  private QualityReport(DailyQuery query, Long raw, Long deadLetters, Long mart) {
    this.query = query;
    this.rawSnapshotId = raw;
    this.deadLetterSnapshotId = deadLetters;
    this.martSnapshotId = mart;
    for (LocalDate d = query.from(); !d.isAfter(query.to()); d = d.plusDays(1)) {
      this.deadLetters.put(d, new TreeMap<>());
      this.ingest.put(d, new IngestDay());
      this.dates.put(d, new SaleDate());
    }
  }

  /**
   * Reads the tables (each may be null: missing or without a snapshot) at the given snapshots.
   *
   * @throws IllegalArgumentException when a table is given without its snapshot id
   */
  static QualityReport read(
      DailyQuery query,
      Table raw,
      Long rawId,
      Table dlq,
      Long dlqId,
      Table mart,
      Long martId,
      Caches caches) {
    if ((raw != null && rawId == null)
        || (dlq != null && dlqId == null)
        || (mart != null && martId == null)) {
      throw new IllegalArgumentException("a table needs the snapshot id it is read at");
    }
    QualityReport report = new QualityReport(query, rawId, dlqId, martId);
    Map<String, long[]> deadLetterOffsets =
        dlq == null ? Map.of() : report.readDeadLetters(dlq, dlqId);
    if (raw == null) {
      return report;
    }
    List<Snapshot> rawHistory = ancestry(raw, rawId);
    report.countIngestDuplicates(
        rawHistory, deadLetterOffsets, dlq == null ? Map.of() : position(dlq, dlqId));
    report.readRawLines(raw, rawId, caches);
    if (mart != null) {
      report.countLateRows(raw, rawHistory, mart, martId, caches);
    }
    return report;
  }

  /** Dead letters per failed_at day and reason; returns every dead letter's offsets per topic. */
  private Map<String, long[]> readDeadLetters(Table dlq, long snapshotId) {
    Map<String, LongList> offsets = new HashMap<>();
    try (CloseableIterable<Record> rows =
        IcebergGenerics.read(dlq)
            .useSnapshot(snapshotId)
            .select(
                DeadLetterTable.REASON,
                DeadLetterTable.FAILED_AT,
                DeadLetterTable.KAFKA_TOPIC,
                DeadLetterTable.KAFKA_PARTITION,
                DeadLetterTable.KAFKA_OFFSET)
            .build()) {
      for (Record r : rows) {
        Instant failedAt = instant(r.getField(DeadLetterTable.FAILED_AT));
        if (failedAt != null) {
          SortedMap<String, Long> day =
              deadLetters.get(LocalDate.ofInstant(failedAt, ZoneOffset.UTC));
          if (day != null) {
            day.merge(String.valueOf(r.getField(DeadLetterTable.REASON)), 1L, Long::sum);
          }
        }
        offsets
            .computeIfAbsent(
                r.getField(DeadLetterTable.KAFKA_TOPIC)
                    + "|"
                    + r.getField(DeadLetterTable.KAFKA_PARTITION),
                k -> new LongList())
            .add(((Number) r.getField(DeadLetterTable.KAFKA_OFFSET)).longValue());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + DeadLetterTable.DEFINITION, e);
    }
    Map<String, long[]> sorted = new HashMap<>();
    offsets.forEach((k, v) -> sorted.put(k, v.sorted()));
    return sorted;
  }

  /**
   * Per raw commit with a Kafka position: offsets moved over - rows added - dead letters at those
   * offsets, by the commit's UTC day (see the class comment for what is not counted).
   */
  private void countIngestDuplicates(
      List<Snapshot> history,
      Map<String, long[]> deadLetterOffsets,
      Map<String, Map<Integer, Long>> deadLetterPosition) {
    boolean complete = !history.isEmpty() && history.get(0).parentId() == null;
    Map<String, Map<Integer, Long>> previous = complete ? Map.of() : null;
    for (Snapshot s : history) {
      String recorded = s.summary().get(CommittedOffsets.SUMMARY_KEY);
      if (recorded == null) {
        continue;
      }
      Map<String, Map<Integer, Long>> now = parse(recorded);
      if (DataOperations.REPLACE.equals(s.operation())) {
        previous = now; // compaction carries the position forward
        continue;
      }
      IngestDay day =
          ingest.get(
              LocalDate.ofInstant(Instant.ofEpochMilli(s.timestampMillis()), ZoneOffset.UTC));
      if (day != null) {
        day.commits++;
        Long duplicates =
            previous == null
                    || s.summary().containsKey(AppendWithPosition.RECOVERED_KEY)
                    || s.summary().containsKey(AppendWithPosition.LOST_TO_RETENTION_KEY)
                ? null
                : duplicates(s, previous, now, deadLetterOffsets);
        if (duplicates == null) {
          day.notCounted++;
        } else if (!covers(deadLetterPosition, now)) {
          day.pending++;
        } else {
          day.duplicatesDropped += duplicates;
        }
      }
      previous = now;
    }
  }

  /** The duplicates a commit dropped, or null when its offsets went back (not countable). */
  private static Long duplicates(
      Snapshot s,
      Map<String, Map<Integer, Long>> before,
      Map<String, Map<Integer, Long>> after,
      Map<String, long[]> deadLetterOffsets) {
    long messages = 0;
    long deadLetters = 0;
    for (Map.Entry<String, Map<Integer, Long>> topic : after.entrySet()) {
      Map<Integer, Long> was = before.getOrDefault(topic.getKey(), Map.of());
      for (Map.Entry<Integer, Long> p : topic.getValue().entrySet()) {
        long from = was.getOrDefault(p.getKey(), 0L);
        long to = p.getValue();
        if (to < from) {
          return null;
        }
        messages += to - from;
        long[] offsets = deadLetterOffsets.get(topic.getKey() + "|" + p.getKey());
        if (offsets != null) {
          deadLetters += lowerBound(offsets, to) - lowerBound(offsets, from);
        }
      }
    }
    String added = s.summary().get(SnapshotSummary.ADDED_RECORDS_PROP);
    long duplicates = messages - (added == null ? 0 : Long.parseLong(added)) - deadLetters;
    return duplicates < 0 ? null : duplicates;
  }

  private static boolean covers(
      Map<String, Map<Integer, Long>> position, Map<String, Map<Integer, Long>> wanted) {
    for (Map.Entry<String, Map<Integer, Long>> topic : wanted.entrySet()) {
      Map<Integer, Long> has = position.getOrDefault(topic.getKey(), Map.of());
      for (Map.Entry<Integer, Long> p : topic.getValue().entrySet()) {
        if (has.getOrDefault(p.getKey(), 0L) < p.getValue()) {
          return false;
        }
      }
    }
    return true;
  }

  /** Raw rows and distinct lines per sale date of the range, cached per set of the day's files. */
  private void readRawLines(Table raw, long snapshotId, Caches caches) {
    SortedSet<LocalDate> days = new TreeSet<>(dates.keySet());
    Map<LocalDate, Set<String>> files = new HashMap<>();
    try (CloseableIterable<FileScanTask> tasks =
        raw.newScan().useSnapshot(snapshotId).filter(RawFilePlan.eventTimeOn(days)).planFiles()) {
      for (FileScanTask task : tasks) {
        LocalDate day = RawFilePlan.dayOf(raw, task.file());
        if (day == null || !days.contains(day)) {
          day = null; // unpartitioned or not by day: such a file may hold any day
        }
        Set<String> paths =
            files.computeIfAbsent(day == null ? LocalDate.MIN : day, k -> new TreeSet<>());
        paths.add(task.file().path().toString());
        for (DeleteFile delete : task.deletes()) {
          paths.add(delete.path().toString());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("planning " + raw.name(), e);
    }
    if (files.containsKey(LocalDate.MIN)) {
      // files not partitioned by day: every day depends on all of them
      Set<String> all = new TreeSet<>();
      files.values().forEach(all::addAll);
      files.clear();
      days.forEach(d -> files.put(d, all));
    }
    Map<DayFiles, DayLines> known = new HashMap<>();
    SortedSet<LocalDate> toRead = new TreeSet<>();
    for (Map.Entry<LocalDate, Set<String>> e : files.entrySet()) {
      DayFiles key = new DayFiles(e.getKey(), Set.copyOf(e.getValue()));
      DayLines hit = caches.dayLines.peek(key);
      if (hit != null) {
        known.put(key, hit);
      } else {
        toRead.add(e.getKey());
      }
    }
    if (!toRead.isEmpty()) {
      Map<LocalDate, long[]> rows = new HashMap<>();
      Map<LocalDate, Set<List<Object>>> lines = new HashMap<>();
      try (CloseableIterable<Record> records =
          IcebergGenerics.read(raw)
              .useSnapshot(snapshotId)
              .where(RawFilePlan.eventTimeOn(toRead))
              .select(
                  PosEventSchema.STORE_ID,
                  PosEventSchema.TRANSACTION_ID,
                  PosEventSchema.LINE_NUMBER,
                  PosEventSchema.EVENT_TIME)
              .build()) {
        for (Record r : records) {
          Instant eventTime = instant(r.getField(PosEventSchema.EVENT_TIME));
          LocalDate day = eventTime == null ? null : LocalDate.ofInstant(eventTime, ZoneOffset.UTC);
          if (day == null || !toRead.contains(day)) {
            continue; // the filter selects whole files
          }
          rows.computeIfAbsent(day, k -> new long[1])[0]++;
          lines
              .computeIfAbsent(day, k -> new HashSet<>())
              .add(
                  List.of(
                      r.getField(PosEventSchema.STORE_ID),
                      r.getField(PosEventSchema.TRANSACTION_ID),
                      r.getField(PosEventSchema.LINE_NUMBER)));
        }
      } catch (IOException e) {
        throw new UncheckedIOException("reading " + raw.name(), e);
      }
      for (LocalDate day : toRead) {
        DayFiles key = new DayFiles(day, Set.copyOf(files.get(day)));
        DayLines value =
            new DayLines(
                rows.getOrDefault(day, new long[1])[0], lines.getOrDefault(day, Set.of()).size());
        caches.dayLines.get(key, () -> value);
        known.put(key, value);
      }
    }
    known.forEach(
        (key, value) -> {
          SaleDate d = dates.get(key.day());
          d.rawRows = value.rows();
          d.distinctLines = value.distinct();
        });
  }

  /**
   * Mart builds per sale date (commits recording the raw snapshot they read) and the rows raw
   * received of each date after the raw snapshot of its first build and of its newest build.
   */
  private void countLateRows(
      Table raw, List<Snapshot> rawHistory, Table mart, long martId, Caches caches) {
    Map<LocalDate, Long> firstBuildRaw = new HashMap<>();
    Map<LocalDate, Long> newestBuildRaw = new HashMap<>();
    for (Snapshot s : ancestry(mart, martId)) { // oldest first
      String rawSnapshot = s.summary().get(ReplaceMartDays.RAW_SNAPSHOT_KEY);
      if (rawSnapshot == null) {
        continue;
      }
      for (LocalDate d : ReplaceMartDays.datesOf(s)) {
        SaleDate date = dates.get(d);
        if (date == null) {
          continue;
        }
        date.martBuilds++;
        if (date.firstBuiltAt == null) {
          date.firstBuiltAt = Instant.ofEpochMilli(s.timestampMillis());
          firstBuildRaw.put(d, Long.parseLong(rawSnapshot));
        }
        newestBuildRaw.put(d, Long.parseLong(rawSnapshot));
      }
    }
    Map<Long, Integer> position = new HashMap<>();
    for (int i = 0; i < rawHistory.size(); i++) {
      position.put(rawHistory.get(i).snapshotId(), i);
    }
    int oldest = rawHistory.size();
    for (Long id : firstBuildRaw.values()) {
      oldest = Math.min(oldest, position.getOrDefault(id, rawHistory.size()));
    }
    // rows of each date added by each raw commit after the oldest first build (metadata only)
    List<Map<LocalDate, Long>> added = new ArrayList<>();
    for (int i = oldest + 1; i < rawHistory.size(); i++) {
      Snapshot s = rawHistory.get(i);
      added.add(DataOperations.REPLACE.equals(s.operation()) ? Map.of() : caches.rowsAdded(raw, s));
    }
    for (Map.Entry<LocalDate, Long> first : firstBuildRaw.entrySet()) {
      LocalDate d = first.getKey();
      Integer from = position.get(first.getValue());
      Integer newest = position.get(newestBuildRaw.get(d));
      SaleDate date = dates.get(d);
      if (from == null) {
        continue; // the raw snapshot of the first build has been expired: unknown
      }
      long late = 0;
      long notInMart = 0;
      for (int i = from + 1; i < rawHistory.size(); i++) {
        long rows = added.get(i - oldest - 1).getOrDefault(d, 0L);
        late += rows;
        if (newest != null && i > newest) {
          notInMart += rows;
        }
      }
      date.lateRows = late;
      date.lateRowsNotInMart = newest == null ? null : notInMart;
    }
  }

  /** A table's history up to {@code snapshotId}, oldest first, as far as it is retained. */
  private static List<Snapshot> ancestry(Table table, long snapshotId) {
    List<Snapshot> history = new ArrayList<>();
    for (Snapshot s = table.snapshot(snapshotId);
        s != null;
        s = s.parentId() == null ? null : table.snapshot(s.parentId())) {
      history.add(s);
    }
    Collections.reverse(history);
    return history;
  }

  /** The Kafka position (every topic's) the table's snapshot records, or none. */
  private static Map<String, Map<Integer, Long>> position(Table table, long snapshotId) {
    for (Snapshot s = table.snapshot(snapshotId);
        s != null;
        s = s.parentId() == null ? null : table.snapshot(s.parentId())) {
      String recorded = s.summary().get(CommittedOffsets.SUMMARY_KEY);
      if (recorded != null) {
        return parse(recorded);
      }
    }
    return Map.of();
  }

  private static Map<String, Map<Integer, Long>> parse(String json) {
    try {
      return JSON.readValue(json, POSITION);
    } catch (IOException e) {
      throw new IllegalStateException(
          "unreadable " + CommittedOffsets.SUMMARY_KEY + " in a snapshot: " + json, e);
    }
  }

  /** The number of values in sorted {@code a} below {@code key}. */
  private static int lowerBound(long[] a, long key) {
    int lo = 0;
    int hi = a.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (a[mid] < key) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private static final class LongList {
    long[] values = new long[16];
    int size;

    void add(long v) {
      if (size == values.length) {
        values = Arrays.copyOf(values, size * 2);
      }
      values[size++] = v;
    }

    long[] sorted() {
      long[] out = Arrays.copyOf(values, size);
      Arrays.sort(out);
      return out;
    }
  }

  // --- output ----------------------------------------------------------------------------------

  /** The API's JSON (docs/console-api.md), with the console's newest check per date. */
  Map<String, Object> toJson(Map<LocalDate, MartReconciliation> checks) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("from", query.from().toString());
    out.put("to", query.to().toString());
    out.put("raw_snapshot_id", rawSnapshotId);
    out.put("dead_letter_snapshot_id", deadLetterSnapshotId);
    out.put("mart_snapshot_id", martSnapshotId);

    SortedMap<String, Long> byReason = new TreeMap<>();
    List<Map<String, Object>> deadLetterDays = new ArrayList<>();
    long deadLetterTotal = 0;
    for (Map.Entry<LocalDate, SortedMap<String, Long>> e : deadLetters.entrySet()) {
      long total = e.getValue().values().stream().mapToLong(Long::longValue).sum();
      deadLetterTotal += total;
      e.getValue().forEach((reason, n) -> byReason.merge(reason, n, Long::sum));
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("day", e.getKey().toString());
      m.put("total", total);
      m.put("by_reason", e.getValue());
      deadLetterDays.add(m);
    }

    List<Map<String, Object>> ingestDays = new ArrayList<>();
    long ingestDuplicates = 0;
    long pending = 0;
    long notCounted = 0;
    for (Map.Entry<LocalDate, IngestDay> e : ingest.entrySet()) {
      IngestDay d = e.getValue();
      ingestDuplicates += d.duplicatesDropped;
      pending += d.pending;
      notCounted += d.notCounted;
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("day", e.getKey().toString());
      m.put("duplicates_dropped", d.duplicatesDropped);
      m.put("commits", d.commits);
      m.put("commits_pending", d.pending);
      m.put("commits_not_counted", d.notCounted);
      ingestDays.add(m);
    }

    List<Map<String, Object>> dateRows = new ArrayList<>();
    long copies = 0;
    long late = 0;
    Map<String, Long> reconciliation = new LinkedHashMap<>();
    for (String status : List.of("ok", "failed", "not_checked")) {
      reconciliation.put(status, 0L);
    }
    for (Map.Entry<LocalDate, SaleDate> e : dates.entrySet()) {
      SaleDate d = e.getValue();
      copies += d.rawRows - d.distinctLines;
      late += d.lateRows == null ? 0 : d.lateRows;
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("date", e.getKey().toString());
      m.put("raw_rows", d.rawRows);
      m.put("distinct_lines", d.distinctLines);
      m.put("duplicate_copies_in_raw", d.rawRows - d.distinctLines);
      m.put("mart_builds", d.martBuilds);
      m.put("first_built_at", d.firstBuiltAt == null ? null : d.firstBuiltAt.toString());
      m.put("late_rows", d.lateRows);
      m.put("late_rows_not_in_mart", d.lateRowsNotInMart);
      MartReconciliation check = checks.get(e.getKey());
      Map<String, Object> c = new LinkedHashMap<>();
      if (check == null) {
        c.put("status", "not_checked");
        c.put("run_id", null);
        c.put("checked_at", null);
        c.put("detail", "no mart run of this console checked this date");
      } else {
        c.put("status", check.status());
        c.put("run_id", check.runId());
        c.put("checked_at", check.checkedAt() == null ? null : check.checkedAt().toString());
        c.put("detail", check.detail());
      }
      if (check != null || d.rawRows > 0 || d.martBuilds > 0) {
        reconciliation.merge((String) c.get("status"), 1L, Long::sum); // dates with data only
      }
      m.put("reconciliation", c);
      dateRows.add(m);
    }

    Map<String, Object> totals = new LinkedHashMap<>();
    totals.put("dead_letters", deadLetterTotal);
    totals.put("dead_letters_by_reason", byReason);
    totals.put("duplicates_dropped_by_ingest", ingestDuplicates);
    totals.put("ingest_commits_pending", pending);
    totals.put("ingest_commits_not_counted", notCounted);
    totals.put("duplicate_copies_in_raw", copies);
    totals.put("duplicates_dropped", ingestDuplicates + copies);
    totals.put("late_rows", late);
    totals.put("reconciliation", reconciliation);
    out.put("totals", totals);
    out.put("reasons", new ArrayList<>(byReason.keySet()));
    out.put("dead_letters_by_day", deadLetterDays);
    out.put("ingest_duplicates_by_day", ingestDays);
    out.put("dates", dateRows);
    return out;
  }

  /** Dead letters per day and reason as CSV (RFC 4180, CRLF): day,reason,dead_letters. */
  String toCsv() {
    StringBuilder csv = new StringBuilder("day,reason,dead_letters\r\n");
    deadLetters.forEach(
        (day, reasons) ->
            reasons.forEach(
                (reason, n) ->
                    csv.append(day)
                        .append(',')
                        .append(DailyReport.cell(reason))
                        .append(',')
                        .append(n)
                        .append("\r\n")));
    return csv.toString();
  }
}
