package com.retail.lakehouse.console.tables;

import com.retail.lakehouse.transforms.commit.CommittedOffsets;
import com.retail.lakehouse.transforms.event.PosEventSchema;
import com.retail.lakehouse.transforms.mart.RawFilePlan;
import com.retail.lakehouse.transforms.mart.ReplaceMartDays;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import com.retail.lakehouse.transforms.tables.DailySalesSummaryTable;
import com.retail.lakehouse.transforms.tables.DeadLetterTable;
import com.retail.lakehouse.transforms.tables.InventoryTables;
import com.retail.lakehouse.transforms.tables.RawTable;
import com.retail.lakehouse.transforms.tables.TableDefinition;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataOperations;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.PartitionField;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotSummary;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.util.SnapshotUtil;

/**
 * The console's one view of the tables: health, lag, raw changes, the mart's partition states and
 * the mart check. Thread-safe; every call reads fresh table metadata.
 *
 * <p>Guarantees: a missing table is reported as such (never an exception); {@link #health}, {@link
 * #partitionStrip}, {@link #rawChangesSince} and {@link #lastRawCommit} read metadata only
 * (snapshot summaries, manifests); only {@link #checkMart} and {@link #deadLettersByReason} open
 * data files. What depends on one immutable snapshot alone (the days a raw snapshot added, the live
 * dates of a table's snapshot, raw's totals of a date at a snapshot) is cached by snapshot id, so a
 * page load after a commit reads only what the commit added.
 */
public final class LakehouseTables {
  /** The tables whose health the console shows, in this order (a missing one: exists=false). */
  static final List<TableDefinition> TABLES =
      List.of(
          RawTable.DEFINITION,
          DeadLetterTable.DEFINITION,
          DailySalesSummaryTable.DEFINITION,
          InventoryTables.RAW,
          InventoryTables.DEAD_LETTERS);

  /** How long {@link #kafkaLag} waits for Kafka. */
  static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(5);

  private final CatalogSettings catalog;
  private final String bootstrapServers;
  private final String topic;

  // immutable per snapshot id, so never invalid; small (a few dates per snapshot)
  private final Map<Long, Set<LocalDate>> rawDaysAdded = new ConcurrentHashMap<>();
  private final Map<RawDay, Totals> rawTotals = new ConcurrentHashMap<>();
  private final AtomicReference<Cached<SortedMap<LocalDate, Live>>> rawLive =
      new AtomicReference<>();
  private final AtomicReference<Cached<SortedMap<LocalDate, Live>>> martLive =
      new AtomicReference<>();
  private final AtomicReference<Cached<SortedMap<LocalDate, Long>>> martBuiltFrom =
      new AtomicReference<>();
  private final Map<String, Cached<List<PartitionFiles>>> partitionFiles =
      new ConcurrentHashMap<>();

  /**
   * @param catalog where the tables are
   * @param bootstrapServersOrNull the Kafka brokers ingest reads, null or blank when there are none
   * @param topic the topic ingest reads (whose position the tables record)
   */
  public LakehouseTables(CatalogSettings catalog, String bootstrapServersOrNull, String topic) {
    this.catalog = Objects.requireNonNull(catalog, "catalog must not be null");
    if (topic == null || topic.isBlank()) {
      throw new IllegalArgumentException("topic must not be empty");
    }
    this.bootstrapServers =
        bootstrapServersOrNull == null || bootstrapServersOrNull.isBlank()
            ? null
            : bootstrapServersOrNull.strip();
    this.topic = topic;
  }

  /**
   * The {@link #TABLES} (raw.pos_transactions, its dead letters, marts.daily_sales_summary,
   * raw.inventory_movements and its dead letters), in that order; a missing table gives
   * exists=false, never an exception. From the current snapshot's summary.
   */
  public List<TableHealth> health() {
    List<TableHealth> health = new ArrayList<>();
    for (TableDefinition definition : TABLES) {
      health.add(healthOf(definition));
    }
    return health;
  }

  private TableHealth healthOf(TableDefinition definition) {
    String name = definition.identifier().toString();
    Table table = load(definition);
    if (table == null) {
      return new TableHealth(name, false, 0, 0, 0, 0, 0, null, null);
    }
    Snapshot current = table.currentSnapshot();
    int snapshots = 0;
    for (Snapshot ignored : table.snapshots()) {
      snapshots++;
    }
    if (current == null) {
      return new TableHealth(name, true, snapshots, 0, 0, 0, 0, null, null);
    }
    Map<String, String> summary = current.summary();
    long files = summaryLong(summary, SnapshotSummary.TOTAL_DATA_FILES_PROP);
    long bytes = summaryLong(summary, SnapshotSummary.TOTAL_FILE_SIZE_PROP);
    long records = summaryLong(summary, SnapshotSummary.TOTAL_RECORDS_PROP);
    return new TableHealth(
        name,
        true,
        snapshots,
        files,
        bytes,
        files == 0 ? 0 : bytes / files,
        records,
        Instant.ofEpochMilli(current.timestampMillis()),
        current.snapshotId());
  }

  /**
   * Per table (the names of {@link #health}), the live data files per partition of its current
   * snapshot, partitions in order: what compaction shrinks. Reads the current snapshot's manifests
   * (cached per snapshot id); a missing or empty table gives an empty list.
   */
  public Map<String, List<PartitionFiles>> filesByPartition() {
    Map<String, List<PartitionFiles>> out = new java.util.LinkedHashMap<>();
    for (TableDefinition definition : TABLES) {
      String name = definition.identifier().toString();
      Table table = load(definition);
      Snapshot current = table == null ? null : table.currentSnapshot();
      if (current == null) {
        out.put(name, List.of());
        continue;
      }
      Cached<List<PartitionFiles>> hit = partitionFiles.get(name);
      if (hit == null || hit.snapshotId() != current.snapshotId()) {
        hit = new Cached<>(current.snapshotId(), readPartitionFiles(table, current));
        partitionFiles.put(name, hit);
      }
      out.put(name, hit.value());
    }
    return out;
  }

  private static List<PartitionFiles> readPartitionFiles(Table table, Snapshot snapshot) {
    SortedMap<String, long[]> byPartition = new java.util.TreeMap<>();
    try (org.apache.iceberg.io.CloseableIterable<org.apache.iceberg.FileScanTask> tasks =
        table.newScan().useSnapshot(snapshot.snapshotId()).planFiles()) {
      for (org.apache.iceberg.FileScanTask task : tasks) {
        DataFile file = task.file();
        String partition = table.specs().get(file.specId()).partitionToPath(file.partition());
        long[] totals = byPartition.computeIfAbsent(partition, k -> new long[3]);
        totals[0]++;
        totals[1] += file.fileSizeInBytes();
        totals[2] += file.recordCount();
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    List<PartitionFiles> out = new ArrayList<>();
    byPartition.forEach((p, t) -> out.add(new PartitionFiles(p, t[0], t[1], t[2])));
    return List.copyOf(out);
  }

  /**
   * Dead letters whose {@code failed_at} (when ingest rejected them, the DLQ's partition column) is
   * at or after {@code since}, counted by reason; empty when the table is missing.
   */
  public Map<String, Long> deadLettersByReason(Instant since) {
    Objects.requireNonNull(since, "since must not be null (Instant.EPOCH for all)");
    Table dlq = load(DeadLetterTable.DEFINITION);
    Map<String, Long> byReason = new TreeMap<>();
    if (dlq == null || dlq.currentSnapshot() == null) {
      return byReason;
    }
    long sinceMicros = ChronoUnit.MICROS.between(Instant.EPOCH, since);
    try (CloseableIterable<Record> rows =
        IcebergGenerics.read(dlq)
            .where(Expressions.greaterThanOrEqual(DeadLetterTable.FAILED_AT, sinceMicros))
            .select(DeadLetterTable.REASON, DeadLetterTable.FAILED_AT)
            .build()) {
      for (Record r : rows) {
        Instant failedAt = instant(r.getField(DeadLetterTable.FAILED_AT));
        if (failedAt != null && !failedAt.isBefore(since)) {
          byReason.merge((String) r.getField(DeadLetterTable.REASON), 1L, Long::sum);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + DeadLetterTable.DEFINITION, e);
    }
    return byReason;
  }

  /**
   * The topic's messages not yet in the tables, or why that is unknown (one line; the partitions
   * are then empty). Each call answers for itself: concurrent callers never see each other's error.
   */
  public record KafkaLag(List<PartitionLag> partitions, String error) {
    public KafkaLag {
      partitions = List.copyOf(partitions);
    }

    static KafkaLag unknown(String why) {
      return new KafkaLag(List.of(), why);
    }
  }

  /**
   * Per Kafka partition: the topic's end offset, the position the tables have committed (where
   * ingest resumes: the lower of raw's and the DLQ's, {@link CommittedOffsets#resumeOffset}) and
   * lag = end - committed. The tables are read before Kafka, so a commit in between can only make
   * the lag look larger, never negative. No partitions and an error when no broker is configured or
   * reachable, or the tables' position cannot be read.
   */
  public KafkaLag kafkaLag() {
    if (bootstrapServers == null) {
      return KafkaLag.unknown("no Kafka bootstrap servers configured");
    }
    CommittedOffsets raw;
    CommittedOffsets dlq;
    try {
      raw = positionOf(RawTable.DEFINITION);
      dlq = positionOf(DeadLetterTable.DEFINITION);
    } catch (CommittedOffsets.PositionUnknownException e) {
      return KafkaLag.unknown("the tables' Kafka position is unknown: " + oneLine(e));
    }
    Map<Integer, Long> ends;
    try {
      ends = KafkaEnds.endOffsets(bootstrapServers, topic, KAFKA_TIMEOUT);
    } catch (KafkaEnds.KafkaEndsException e) {
      return KafkaLag.unknown(e.getMessage());
    }
    List<PartitionLag> lag = new ArrayList<>();
    ends.forEach(
        (p, end) -> {
          long committed = CommittedOffsets.resumeOffset(raw, dlq, p);
          lag.add(new PartitionLag(p, end, committed, end - committed));
        });
    return new KafkaLag(lag, null);
  }

  private CommittedOffsets positionOf(TableDefinition definition) {
    Table table = load(definition);
    return table == null ? CommittedOffsets.none(topic) : CommittedOffsets.of(table, topic);
  }

  /**
   * Raw's snapshots committed after {@code afterSnapshotId} (null = from the beginning) on the
   * current snapshot's ancestry: the newest snapshot id (null if no table or snapshot) and the UTC
   * sale dates of the files those snapshots added (and removed), by the mart's own rule ({@link
   * RawFilePlan#datesChangedBetween}, what {@code mart --changed-since-last-run} rebuilds). With no
   * cursor, or one no longer in raw's history (expired, rolled back), every date raw holds.
   */
  public RawChanges rawChangesSince(Long afterSnapshotId) {
    Table raw = load(RawTable.DEFINITION);
    if (raw == null || raw.currentSnapshot() == null) {
      return new RawChanges(null, new TreeSet<>());
    }
    long newest = raw.currentSnapshot().snapshotId();
    if (afterSnapshotId != null) {
      Optional<SortedSet<LocalDate>> changed =
          RawFilePlan.datesChangedBetween(raw, afterSnapshotId, newest);
      if (changed.isPresent()) {
        return new RawChanges(newest, changed.get());
      }
    }
    return new RawChanges(newest, new TreeSet<>(liveRawDates(raw).keySet()));
  }

  /**
   * One entry per UTC date that raw or the mart has, ascending: the state of the mart for that date
   * (see {@link DateState.State}; the rule is {@code PartitionStates.state}). {@code runs} gives
   * the console's last mart run outcome per date (may be empty: with no run history the strip is
   * still right from the tables alone, except FAILED and RUNNING). Metadata only.
   */
  public List<DateState> partitionStrip(Map<LocalDate, RunOutcome> runs) {
    Objects.requireNonNull(runs, "runs must not be null (an empty map for no run history)");
    Table raw = load(RawTable.DEFINITION);
    Table mart = load(DailySalesSummaryTable.DEFINITION);
    SortedMap<LocalDate, Live> rawDates = raw == null ? new TreeMap<>() : liveRawDates(raw);
    SortedMap<LocalDate, Live> martDates = mart == null ? new TreeMap<>() : liveMartDates(mart);
    SortedMap<LocalDate, Long> builtFrom = mart == null ? new TreeMap<>() : martBuiltFrom(mart);
    SortedSet<LocalDate> dates = new TreeSet<>(rawDates.keySet());
    dates.addAll(martDates.keySet());

    // Raw's history, newest first, back to the oldest snapshot a date in the mart was built from
    // (only newer snapshots can make a date stale); the whole retained history when a date's
    // build snapshot is unknown or no longer in raw's metadata. Per date the newest snapshot that
    // added its files; compactions ('replace': the same rows in new files) are not changes.
    List<Long> history = new ArrayList<>();
    Map<LocalDate, Integer> newestTouch = new HashMap<>();
    Map<LocalDate, Long> newestTouchId = new HashMap<>();
    if (raw != null && raw.currentSnapshot() != null) {
      long stopAtOrBelow = oldestBuildSequence(raw, martDates.keySet(), builtFrom);
      for (Snapshot s : SnapshotUtil.currentAncestors(raw)) {
        if (s.sequenceNumber() < stopAtOrBelow) {
          break;
        }
        int position = history.size();
        history.add(s.snapshotId());
        if (DataOperations.REPLACE.equals(s.operation())) {
          continue;
        }
        for (LocalDate d : rawDaysAdded(raw, s)) {
          if (newestTouch.putIfAbsent(d, position) == null) {
            newestTouchId.put(d, s.snapshotId());
          }
        }
      }
    }
    Map<Long, Integer> positionOf = new HashMap<>();
    for (int i = 0; i < history.size(); i++) {
      positionOf.put(history.get(i), i);
    }
    Map<Long, Long> snapshotOfSequence = new HashMap<>();
    if (raw != null) {
      for (Snapshot s : raw.snapshots()) {
        snapshotOfSequence.put(s.sequenceNumber(), s.snapshotId());
      }
      if (rawDaysAdded.size() > 2 * snapshotOfSequence.size() + 100) {
        // expired snapshots: forget them, so a long-running console's cache stays bounded
        Set<Long> retained = new HashSet<>(snapshotOfSequence.values());
        rawDaysAdded.keySet().retainAll(retained);
        rawTotals.keySet().removeIf(k -> !retained.contains(k.snapshotId()));
      }
    }

    List<DateState> strip = new ArrayList<>();
    for (LocalDate d : dates) {
      Long built = builtFrom.get(d);
      // a build snapshot no longer in raw's history (expired) is older than all that is retained
      int builtPosition =
          built == null ? history.size() : positionOf.getOrDefault(built, history.size());
      Integer touched = newestTouch.get(d);
      boolean changedSinceBuild = touched != null && touched < builtPosition;
      Long newestTouching = newestTouchId.get(d);
      if (newestTouching == null && rawDates.containsKey(d)) {
        // older than the walk: the snapshot that added the date's newest live file
        newestTouching = snapshotOfSequence.get(rawDates.get(d).newestSequence());
      }
      DateState.State state =
          PartitionStates.state(
              rawDates.containsKey(d),
              martDates.containsKey(d) && martDates.get(d).rows() > 0,
              changedSinceBuild,
              runs.get(d));
      strip.add(new DateState(d, state, built, newestTouching));
    }
    return strip;
  }

  /**
   * The sequence number of the oldest raw snapshot one of {@code martDates} was built from: raw's
   * history older than it cannot make any date stale. 0 (walk everything retained) when a date's
   * build snapshot is unknown or no longer in raw's metadata.
   */
  private static long oldestBuildSequence(
      Table raw, Set<LocalDate> martDates, Map<LocalDate, Long> builtFrom) {
    long oldest = Long.MAX_VALUE;
    for (LocalDate d : martDates) {
      Long built = builtFrom.get(d);
      Snapshot s = built == null ? null : raw.snapshot(built);
      if (s == null) {
        return 0;
      }
      oldest = Math.min(oldest, s.sequenceNumber());
    }
    return oldest == Long.MAX_VALUE ? Long.MAX_VALUE : oldest;
  }

  /**
   * After a mart run: for each date, whether the mart's total revenue and units (summed over
   * stores) equal the sums over raw's distinct lines of that date ({@code total_amount}, {@code
   * quantity}; copies of a line, as the mart de-duplicates them on store, transaction and line
   * number, counted once) read AT the raw snapshot the mart recorded for its last commit touching
   * that date. One result per date, ascending; a date that cannot be checked (no mart commit of it,
   * raw snapshot expired, a table missing) fails with the reason in {@code detail}.
   */
  public List<MartCheck> checkMart(Collection<LocalDate> dates) {
    Objects.requireNonNull(dates, "dates must not be null");
    SortedSet<LocalDate> wanted = new TreeSet<>(dates);
    List<MartCheck> checks = new ArrayList<>();
    if (wanted.isEmpty()) {
      return checks;
    }
    Table mart = load(DailySalesSummaryTable.DEFINITION);
    Table raw = load(RawTable.DEFINITION);
    if (mart == null || mart.currentSnapshot() == null) {
      for (LocalDate d : wanted) {
        checks.add(unchecked(d, null, "the mart has no snapshot: no mart run has committed"));
      }
      return checks;
    }
    Map<LocalDate, Totals> martTotals = martTotals(mart, wanted);
    SortedMap<LocalDate, Long> builtFrom = martBuiltFrom(mart);
    for (LocalDate d : wanted) {
      Totals m = martTotals.getOrDefault(d, Totals.ZERO);
      Long rawSnapshot = builtFrom.get(d);
      if (rawSnapshot == null) {
        checks.add(unchecked(d, m, "no retained mart commit recorded the raw snapshot of " + d));
      } else if (raw == null || raw.snapshot(rawSnapshot) == null) {
        checks.add(
            unchecked(
                d,
                m,
                "raw snapshot "
                    + rawSnapshot
                    + " that the mart built "
                    + d
                    + " from is no longer in raw's metadata (expired)"));
      } else {
        Totals r = rawTotals(raw, rawSnapshot, d);
        boolean passed = m.revenue.compareTo(r.revenue) == 0 && m.units == r.units;
        String detail =
            (passed ? "mart = raw" : "mart != raw")
                + " at raw snapshot "
                + rawSnapshot
                + ": revenue "
                + m.revenue.toPlainString()
                + (passed ? "" : " vs " + r.revenue.toPlainString())
                + ", units "
                + m.units
                + (passed ? "" : " vs " + r.units)
                + " ("
                + r.lines
                + " distinct raw lines)";
        checks.add(new MartCheck(d, m.revenue, r.revenue, m.units, r.units, passed, detail));
      }
    }
    return checks;
  }

  private static MartCheck unchecked(LocalDate d, Totals mart, String why) {
    Totals m = mart == null ? Totals.ZERO : mart;
    return new MartCheck(d, m.revenue, null, m.units, 0, false, "not checked: " + why);
  }

  /** Time of raw's newest commit (null if none). */
  public Instant lastRawCommit() {
    Table raw = load(RawTable.DEFINITION);
    if (raw == null || raw.currentSnapshot() == null) {
      return null;
    }
    return Instant.ofEpochMilli(raw.currentSnapshot().timestampMillis());
  }

  // --- internals -------------------------------------------------------------------------------

  /** The table with fresh metadata, or null when the catalog has none. */
  private Table load(TableDefinition definition) {
    try {
      return catalog.catalog().loadTable(definition.identifier());
    } catch (NoSuchTableException e) {
      return null;
    }
  }

  private Set<LocalDate> rawDaysAdded(Table raw, Snapshot s) {
    return rawDaysAdded.computeIfAbsent(
        s.snapshotId(),
        id -> {
          Set<LocalDate> days = new HashSet<>();
          for (DataFile file : s.addedDataFiles(raw.io())) {
            LocalDate day = RawFilePlan.dayOf(raw, file);
            if (day != null) {
              days.add(day);
            }
          }
          return Set.copyOf(days);
        });
  }

  /** Rows per UTC date in raw's current snapshot (live files' partitions). */
  private SortedMap<LocalDate, Live> liveRawDates(Table raw) {
    return cached(rawLive, raw, file -> RawFilePlan.dayOf(raw, file));
  }

  /** Rows per sale date in the mart's current snapshot (live files' partitions). */
  private SortedMap<LocalDate, Live> liveMartDates(Table mart) {
    return cached(martLive, mart, file -> saleDateOf(mart, file));
  }

  private SortedMap<LocalDate, Long> martBuiltFrom(Table mart) {
    Snapshot current = mart.currentSnapshot();
    if (current == null) {
      return new TreeMap<>();
    }
    Cached<SortedMap<LocalDate, Long>> c = martBuiltFrom.get();
    if (c != null && c.snapshotId == current.snapshotId()) {
      return c.value;
    }
    SortedMap<LocalDate, Long> value =
        java.util.Collections.unmodifiableSortedMap(
            ReplaceMartDays.rawSnapshotPerDate(mart, current));
    martBuiltFrom.set(new Cached<>(current.snapshotId(), value));
    return value;
  }

  private static SortedMap<LocalDate, Live> cached(
      AtomicReference<Cached<SortedMap<LocalDate, Live>>> cache,
      Table table,
      java.util.function.Function<DataFile, LocalDate> dateOf) {
    Snapshot current = table.currentSnapshot();
    if (current == null) {
      return new TreeMap<>();
    }
    Cached<SortedMap<LocalDate, Live>> c = cache.get();
    if (c != null && c.snapshotId == current.snapshotId()) {
      return c.value;
    }
    SortedMap<LocalDate, Live> rows = new TreeMap<>();
    try (CloseableIterable<FileScanTask> tasks =
        table.newScan().useSnapshot(current.snapshotId()).planFiles()) {
      for (FileScanTask task : tasks) {
        LocalDate d = dateOf.apply(task.file());
        if (d != null) {
          Long sequence = task.file().dataSequenceNumber();
          rows.merge(
              d, new Live(task.file().recordCount(), sequence == null ? 0 : sequence), Live::plus);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("planning " + table.name(), e);
    }
    SortedMap<LocalDate, Live> value = java.util.Collections.unmodifiableSortedMap(rows);
    cache.set(new Cached<>(current.snapshotId(), value));
    return value;
  }

  /** The sale date of a mart file from its identity partition, or null without one. */
  private static LocalDate saleDateOf(Table mart, DataFile file) {
    PartitionSpec spec = mart.specs().get(file.specId());
    int sourceId = mart.schema().findField(DailySalesSummaryTable.SALE_DATE).fieldId();
    List<PartitionField> fields = spec.fields();
    for (int i = 0; i < fields.size(); i++) {
      if (fields.get(i).sourceId() == sourceId && fields.get(i).transform().isIdentity()) {
        Integer days = file.partition().get(i, Integer.class);
        return days == null ? null : LocalDate.ofEpochDay(days);
      }
    }
    return null;
  }

  private static Map<LocalDate, Totals> martTotals(Table mart, SortedSet<LocalDate> dates) {
    Map<LocalDate, Totals> totals = new HashMap<>();
    try (CloseableIterable<Record> rows =
        IcebergGenerics.read(mart)
            .where(ReplaceMartDays.saleDateIn(dates))
            .select(
                DailySalesSummaryTable.SALE_DATE,
                DailySalesSummaryTable.TOTAL_SALES,
                DailySalesSummaryTable.UNITS_SOLD)
            .build()) {
      for (Record r : rows) {
        LocalDate d = (LocalDate) r.getField(DailySalesSummaryTable.SALE_DATE);
        if (!dates.contains(d)) {
          continue;
        }
        BigDecimal revenue = (BigDecimal) r.getField(DailySalesSummaryTable.TOTAL_SALES);
        Long units = (Long) r.getField(DailySalesSummaryTable.UNITS_SOLD);
        totals.merge(
            d,
            new Totals(revenue == null ? BigDecimal.ZERO : revenue, units == null ? 0 : units, 1),
            Totals::plus);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + DailySalesSummaryTable.DEFINITION, e);
    }
    return totals;
  }

  /** Raw's distinct lines of {@code date} at {@code snapshotId}, summed; cached (immutable). */
  private Totals rawTotals(Table raw, long snapshotId, LocalDate date) {
    return rawTotals.computeIfAbsent(
        new RawDay(snapshotId, date), k -> readRawTotals(raw, snapshotId, date));
  }

  private static Totals readRawTotals(Table raw, long snapshotId, LocalDate date) {
    Set<List<Object>> seen = new HashSet<>();
    BigDecimal revenue = BigDecimal.ZERO.setScale(PosEventSchema.MONEY_SCALE);
    long units = 0;
    try (CloseableIterable<Record> rows =
        IcebergGenerics.read(raw)
            .useSnapshot(snapshotId)
            .where(RawFilePlan.eventTimeOn(new TreeSet<>(Set.of(date))))
            .select(
                PosEventSchema.STORE_ID,
                PosEventSchema.TRANSACTION_ID,
                PosEventSchema.LINE_NUMBER,
                PosEventSchema.QUANTITY,
                PosEventSchema.TOTAL_AMOUNT,
                PosEventSchema.EVENT_TIME)
            .build()) {
      for (Record r : rows) {
        Instant eventTime = instant(r.getField(PosEventSchema.EVENT_TIME));
        if (eventTime == null || !LocalDate.ofInstant(eventTime, ZoneOffset.UTC).equals(date)) {
          continue;
        }
        // copies of a line are re-sends of one event: the mart keeps one of them
        if (!seen.add(
            List.of(
                r.getField(PosEventSchema.STORE_ID),
                r.getField(PosEventSchema.TRANSACTION_ID),
                r.getField(PosEventSchema.LINE_NUMBER)))) {
          continue;
        }
        revenue = revenue.add((BigDecimal) r.getField(PosEventSchema.TOTAL_AMOUNT));
        units += ((Number) r.getField(PosEventSchema.QUANTITY)).longValue();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + RawTable.DEFINITION, e);
    }
    return new Totals(revenue, units, seen.size());
  }

  /**
   * An Iceberg timestamp value as an instant: {@code timestamptz} reads as OffsetDateTime, {@code
   * timestamp} (UTC by the tables' convention) as LocalDateTime; null for anything else. The one
   * copy of this rule for the console and the dashboard.
   */
  public static Instant instant(Object timestamp) {
    if (timestamp instanceof LocalDateTime t) {
      return t.toInstant(ZoneOffset.UTC);
    }
    if (timestamp instanceof OffsetDateTime t) {
      return t.toInstant();
    }
    return null;
  }

  private static long summaryLong(Map<String, String> summary, String key) {
    String value = summary.get(key);
    return value == null ? 0 : Long.parseLong(value);
  }

  private static String oneLine(Throwable e) {
    String m = String.valueOf(e.getMessage());
    return m.lines().findFirst().orElse(m);
  }

  private record Cached<T>(long snapshotId, T value) {}

  /** A date's rows in a table's live files and the newest data sequence number among them. */
  private record Live(long rows, long newestSequence) {
    Live plus(Live o) {
      return new Live(rows + o.rows, Math.max(newestSequence, o.newestSequence));
    }
  }

  private record RawDay(long snapshotId, LocalDate date) {}

  /** Revenue and units of a set of lines or mart rows. */
  private record Totals(BigDecimal revenue, long units, long lines) {
    static final Totals ZERO = new Totals(BigDecimal.ZERO.setScale(2), 0, 0);

    Totals plus(Totals o) {
      return new Totals(revenue.add(o.revenue), units + o.units, lines + o.lines);
    }
  }
}
