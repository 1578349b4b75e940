package com.retail.lakehouse.console.dashboard;

import com.retail.lakehouse.common.CatalogFlags;
import com.retail.lakehouse.console.tables.LakehouseTables;
import com.retail.lakehouse.transforms.mart.RawFilePlan;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import com.retail.lakehouse.transforms.tables.DailyInventoryTable;
import com.retail.lakehouse.transforms.tables.DailySalesSummaryTable;
import com.retail.lakehouse.transforms.tables.DeadLetterTable;
import com.retail.lakehouse.transforms.tables.RawTable;
import com.retail.lakehouse.transforms.tables.TableDefinition;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.PartitionField;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;

/**
 * The sales dashboard's API (docs/console-api.md, "Dashboard"): {@code GET /api/dashboard/daily}
 * and {@code /daily.csv} from marts.daily_sales_summary, {@code GET /api/dashboard/live} from
 * raw.pos_transactions' partition of one UTC day, de-duplicated like the mart, {@code GET
 * /api/dashboard/quality} and {@code /quality.csv} from raw, the dead-letter table, the mart and
 * the console's mart checks (see QualityReport for the definitions), {@code GET
 * /api/dashboard/stock} from marts.daily_inventory (see StockReport). Money is exact (BigDecimal,
 * written as strings with two decimals). Results are cached per table snapshot id and query, so a
 * refresh with no new commit reads no data file. Bad parameters throw IllegalArgumentException with
 * one line (the API answers 400). Thread-safe.
 */
public final class SalesDashboard {
  /** Days whose raw lines the live view holds in memory (about 60 bytes a line): today and one. */
  static final int LIVE_DAYS = 2;

  /** Sale dates whose mart sums the daily view holds: the default view and the range before it. */
  static final int MART_DAYS = 4 * DailyQuery.DEFAULT_DAYS;

  private final CatalogSettings catalog;
  private final Clock clock;
  private final SnapshotCache<DailyKey, DailyReport> daily = new SnapshotCache<>(64);
  private final SnapshotCache<LiveKey, LiveReport> live = new SnapshotCache<>(16);
  private final SnapshotCache<Long, LocalDate> lastMartDate = new SnapshotCache<>(4);
  private final SnapshotCache<QualityKey, QualityReport> quality = new SnapshotCache<>(16);
  private final QualityReport.Caches qualityCaches = new QualityReport.Caches();
  // per sale date and its files: ~24 bytes per mart row (~1.8 MB for 76,000 rows a date)
  private final SnapshotCache<DailyReport.MartDayKey, DailyReport.MartDay> martDays =
      new SnapshotCache<>(MART_DAYS);
  private final Map<LocalDate, LiveDay> liveDays = new LinkedHashMap<>(4, 0.75f, true);
  private final SnapshotCache<DeadLetterKey, Long> deadLettersOfDay = new SnapshotCache<>(8);
  private final SnapshotCache<StockKey, StockReport> stock = new SnapshotCache<>(16);
  private final SnapshotCache<Long, LocalDate> lastStockDate = new SnapshotCache<>(4);

  /** The one line the stock page shows while the stock mart does not exist. */
  static final String NO_STOCK_MART =
      DailyInventoryTable.DEFINITION
          + " does not exist yet: run ./lakehouse mart --mart inventory (after ./lakehouse ingest"
          + " --streams pos,inventory)";

  private record DailyKey(long snapshotId, DailyQuery query) {}

  private record LiveKey(long snapshotId, LiveQuery query) {}

  private record DeadLetterKey(long snapshotId, LocalDate date) {}

  private record StockKey(long snapshotId, StockReport.Query query) {}

  private record QualityKey(Long raw, Long deadLetters, Long mart, DailyQuery query) {}

  public SalesDashboard(CatalogSettings catalog, Clock clock) {
    this.catalog = Objects.requireNonNull(catalog, "catalog must not be null");
    this.clock = Objects.requireNonNull(clock, "clock must not be null");
  }

  /** The dashboard of the tables in a data folder (its Hadoop catalog, as the console reads it). */
  public static SalesDashboard onDataDir(Path dataDir) {
    return new SalesDashboard(
        CatalogSettings.of(CatalogFlags.of("hadoop", dataDir.toString(), null, null, List.of())),
        Clock.systemUTC());
  }

  /** {@code GET /api/dashboard/daily?from=&to=&store=&category=}. */
  public void daily(Context ctx) {
    ctx.json(dailyReport(ctx).toJson());
  }

  /**
   * {@code GET /api/dashboard/daily.csv?from=&to=&store=&category=&table=}: revenue by store and
   * day ({@code table=store_days}, the default), or every product or category by revenue ({@code
   * products}, {@code categories}), of the rows the filters select (the file name names them).
   */
  public void dailyCsv(Context ctx) {
    String table = DailyReport.csvTable(ctx.queryParam("table"));
    DailyReport report = dailyReport(ctx);
    String name =
        (table.equals("store_days") ? "daily-sales-" : "daily-" + table + "-")
            + report.query.from()
            + "-to-"
            + report.query.to()
            + (report.query.store() == null ? "" : "-" + report.query.store())
            + (report.query.category() == null ? "" : "-" + fileNamePart(report.query.category()))
            + ".csv";
    ctx.header("Content-Disposition", "attachment; filename=\"" + name + "\"");
    ctx.contentType("text/csv; charset=utf-8");
    ctx.result(report.toCsv(table));
  }

  /** A category as ASCII letters, digits and '-' / '_' (others as '_'), fit for a file name. */
  static String fileNamePart(String s) {
    StringBuilder out = new StringBuilder();
    for (char c : s.toCharArray()) {
      boolean plain =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '-'
              || c == '_';
      out.append(plain ? c : '_');
    }
    return out.toString();
  }

  /** {@code GET /api/dashboard/live?date=&store=&category=} (date: today, UTC, by default). */
  public void live(Context ctx) {
    ctx.json(
        live(
            LiveQuery.parse(
                ctx.queryParam("date"),
                ctx.queryParam("store"),
                ctx.queryParam("category"),
                LocalDate.now(clock.withZone(ZoneOffset.UTC)))));
  }

  /**
   * The live view of a query, with the day's dead letters: those whose failed_at falls on the day
   * (UTC), in every store (a rejected message may name none), and their rate: dead letters / (dead
   * letters + raw rows whose event_time falls on the day, every copy, every store and category).
   * For today this is the share of today's messages ingest rejected; for a past day the dead
   * letters are those rejected that day, whatever sale they were meant to be.
   */
  private Map<String, Object> live(LiveQuery query) {
    LiveReport report = liveReport(query);
    Map<String, Object> out = report.toJson();
    Table dlq = load(DeadLetterTable.DEFINITION);
    Long dlqId = snapshotId(dlq);
    long count =
        dlqId == null
            ? 0
            : deadLettersOfDay.get(
                new DeadLetterKey(dlqId, query.date()),
                () -> deadLettersOn(dlq, dlqId, query.date()));
    Map<String, Object> deadLetters = new LinkedHashMap<>();
    deadLetters.put("source", DeadLetterTable.DEFINITION.toString());
    deadLetters.put("dead_letter_snapshot_id", dlqId);
    deadLetters.put("count", count);
    deadLetters.put("day_raw_rows", report.dayRawRows);
    long messages = count + report.dayRawRows;
    deadLetters.put(
        "rate_pct",
        messages == 0
            ? null
            : BigDecimal.valueOf(count * 100L)
                .divide(BigDecimal.valueOf(messages), 2, RoundingMode.HALF_UP)
                .toPlainString());
    out.put("dead_letters", deadLetters);
    return out;
  }

  /**
   * Dead letters whose failed_at falls on {@code date}: the record counts of the files of that
   * day's partition (the table is partitioned by day(failed_at); metadata only), or, for a file
   * with delete files or not partitioned by day, its rows read and counted.
   */
  private static long deadLettersOn(Table dlq, long snapshotId, LocalDate date) {
    String field = DeadLetterTable.FAILED_AT;
    Expression onDay =
        Expressions.and(
            Expressions.greaterThanOrEqual(field, date.atStartOfDay().toString()),
            Expressions.lessThan(field, date.plusDays(1).atStartOfDay().toString()));
    long count = 0;
    boolean readRows = false;
    try (CloseableIterable<FileScanTask> tasks =
        dlq.newScan().useSnapshot(snapshotId).filter(onDay).planFiles()) {
      for (FileScanTask task : tasks) {
        LocalDate day = RawFilePlan.dayOf(dlq, task.file(), field);
        if (!task.deletes().isEmpty() || day == null) {
          readRows = true;
          break;
        }
        if (day.equals(date)) {
          count += task.file().recordCount();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("planning " + DeadLetterTable.DEFINITION, e);
    }
    if (!readRows) {
      return count;
    }
    count = 0;
    try (CloseableIterable<Record> rows =
        IcebergGenerics.read(dlq).useSnapshot(snapshotId).where(onDay).select(field).build()) {
      for (Record r : rows) {
        Instant failedAt = LakehouseTables.instant(r.getField(field));
        if (failedAt != null && LocalDate.ofInstant(failedAt, ZoneOffset.UTC).equals(date)) {
          count++;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + DeadLetterTable.DEFINITION, e);
    }
    return count;
  }

  /**
   * {@code GET /api/dashboard/stock?date=&store=&from=&to=} (date: the stock mart's newest
   * stock_date; from/to: the shrink range, by default the 30 days ending on the date). While the
   * stock mart does not exist or is empty: {@code {"source":..,"missing":}} {@link #NO_STOCK_MART}
   * (a 200, like the daily view of a missing sales mart: the page is right, there is no data yet).
   */
  public void stock(Context ctx) {
    Map<String, Object> report =
        stock(
            ctx.queryParam("date"),
            ctx.queryParam("store"),
            ctx.queryParam("from"),
            ctx.queryParam("to"));
    if (report == null) {
      Map<String, Object> missing = new LinkedHashMap<>();
      missing.put("source", DailyInventoryTable.DEFINITION.toString());
      missing.put("missing", NO_STOCK_MART);
      ctx.json(missing);
    } else {
      ctx.json(report);
    }
  }

  /** The stock view of a query (query-string values, null = not given); null: no stock mart. */
  Map<String, Object> stock(String date, String store, String from, String to) {
    Table mart = load(DailyInventoryTable.DEFINITION);
    Long id = snapshotId(mart);
    if (id == null) {
      return null;
    }
    LocalDate newest =
        lastStockDate.get(id, () -> lastDate(mart, id, DailyInventoryTable.STOCK_DATE));
    if (newest == null) {
      return null;
    }
    StockReport.Query query =
        StockReport.Query.parse(
            date, store, from, to, newest, LocalDate.now(clock.withZone(ZoneOffset.UTC)));
    return stock
        .get(new StockKey(id, query), () -> StockReport.read(mart, id, query, newest))
        .toJson();
  }

  /**
   * {@code GET /api/dashboard/quality?from=&to=} (default: the last 30 days up to today, UTC);
   * {@code checks} is the console's newest mart reconciliation check per date.
   */
  public void quality(Context ctx, Map<LocalDate, MartReconciliation> checks) {
    Objects.requireNonNull(checks, "checks must not be null (an empty map for no run history)");
    ctx.json(qualityReport(ctx.queryParam("from"), ctx.queryParam("to")).toJson(checks));
  }

  /** {@code GET /api/dashboard/quality.csv?from=&to=}: dead letters by day and reason. */
  public void qualityCsv(Context ctx) {
    QualityReport report = qualityReport(ctx.queryParam("from"), ctx.queryParam("to"));
    ctx.header(
        "Content-Disposition",
        "attachment; filename=\"dead-letters-"
            + report.query.from()
            + "-to-"
            + report.query.to()
            + ".csv\"");
    ctx.contentType("text/csv; charset=utf-8");
    ctx.result(report.toCsv());
  }

  /** The quality view of a range (query-string values, null = not given), without run checks. */
  Map<String, Object> quality(String from, String to) {
    return qualityReport(from, to).toJson(Map.of());
  }

  int cachedQualityReports() {
    return quality.size();
  }

  private QualityReport qualityReport(String from, String to) {
    LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
    DailyQuery query = DailyQuery.parse(from, to, null, null, null, today);
    Table raw = load(RawTable.DEFINITION);
    Table dlq = load(DeadLetterTable.DEFINITION);
    Table mart = load(DailySalesSummaryTable.DEFINITION);
    Long rawId = snapshotId(raw);
    Long dlqId = snapshotId(dlq);
    Long martId = snapshotId(mart);
    return quality.get(
        new QualityKey(rawId, dlqId, martId, query),
        () ->
            QualityReport.read(
                query,
                rawId == null ? null : raw,
                rawId,
                dlqId == null ? null : dlq,
                dlqId,
                martId == null ? null : mart,
                martId,
                qualityCaches));
  }

  private static Long snapshotId(Table table) {
    Snapshot current = table == null ? null : table.currentSnapshot();
    return current == null ? null : current.snapshotId();
  }

  /**
   * Answers the default daily and live views once, so that the first user's call finds the Iceberg,
   * Parquet and Hadoop code loaded and the caches filled (measured: ~7 s cold on a 10M-row table,
   * bench/results/dashboard.md). Missing tables and any failure are left for the user's call to
   * report.
   */
  public void warmUp() {
    try {
      daily(null, null, null, null);
      live(LocalDate.now(clock.withZone(ZoneOffset.UTC)));
    } catch (RuntimeException e) {
      // nothing to warm (no tables yet) or a failure the page will show with its message
    }
  }

  /** The daily view of a query (from, to, store: query-string values, null = not given). */
  Map<String, Object> daily(String from, String to, String store) {
    return daily(from, to, store, null);
  }

  /** The daily view of a query with a category (query-string values, null = not given). */
  Map<String, Object> daily(String from, String to, String store, String category) {
    return dailyReport(from, to, store, category).toJson();
  }

  /** The live view of a UTC day. */
  Map<String, Object> live(LocalDate date) {
    return live(new LiveQuery(date, null, null));
  }

  int cachedDailyReports() {
    return daily.size();
  }

  private DailyReport dailyReport(Context ctx) {
    return dailyReport(
        ctx.queryParam("from"),
        ctx.queryParam("to"),
        ctx.queryParam("store"),
        ctx.queryParam("category"));
  }

  private DailyReport dailyReport(String from, String to, String store, String category) {
    Table mart = load(DailySalesSummaryTable.DEFINITION);
    Snapshot current = mart == null ? null : mart.currentSnapshot();
    LocalDate today = LocalDate.now(clock.withZone(ZoneOffset.UTC));
    if (current == null) {
      return DailyReport.empty(DailyQuery.parse(from, to, store, category, null, today));
    }
    long id = current.snapshotId();
    LocalDate last =
        DailyQuery.blank(from) && DailyQuery.blank(to)
            ? lastMartDate.get(id, () -> lastSaleDate(mart, id))
            : null;
    DailyQuery query = DailyQuery.parse(from, to, store, category, last, today);
    return daily.get(
        new DailyKey(id, query),
        () -> {
          DailyReport byDay = DailyReport.readByDay(mart, id, query, martDays);
          return byDay != null ? byDay : DailyReport.read(mart, id, query);
        });
  }

  private LiveReport liveReport(LiveQuery query) {
    Table raw = load(RawTable.DEFINITION);
    Snapshot current = raw == null ? null : raw.currentSnapshot();
    if (current == null) {
      return LiveReport.empty(query);
    }
    long id = current.snapshotId();
    return live.get(new LiveKey(id, query), () -> liveReport(raw, current, query));
  }

  /**
   * From the day's lines held in memory (LiveDay: only the files a commit added are read), or, for
   * a day whose files carry delete files, read in full.
   */
  private LiveReport liveReport(Table raw, Snapshot snapshot, LiveQuery query) {
    LiveDay day;
    synchronized (liveDays) {
      day = liveDays.computeIfAbsent(query.date(), LiveDay::new);
      while (liveDays.size() > LIVE_DAYS) {
        liveDays.remove(liveDays.keySet().iterator().next());
      }
    }
    synchronized (day) {
      if (day.advanceTo(raw, snapshot)) {
        return LiveReport.of(
            day, query, snapshot.snapshotId(), Instant.ofEpochMilli(snapshot.timestampMillis()));
      }
    }
    return LiveReport.read(raw, snapshot.snapshotId(), query);
  }

  /** The newest sale_date among the mart's live files (partition values: metadata only). */
  private static LocalDate lastSaleDate(Table mart, long snapshotId) {
    return lastDate(mart, snapshotId, DailySalesSummaryTable.SALE_DATE);
  }

  /**
   * The newest value of the identity-partitioned date {@code column} among a mart's live files
   * (partition values: metadata only); null for an empty mart.
   */
  private static LocalDate lastDate(Table mart, long snapshotId, String column) {
    int sourceId = mart.schema().findField(column).fieldId();
    LocalDate last = null;
    try (CloseableIterable<FileScanTask> tasks =
        mart.newScan().useSnapshot(snapshotId).planFiles()) {
      for (FileScanTask task : tasks) {
        List<PartitionField> fields = mart.specs().get(task.file().specId()).fields();
        for (int i = 0; i < fields.size(); i++) {
          if (fields.get(i).sourceId() == sourceId && fields.get(i).transform().isIdentity()) {
            Integer days = task.file().partition().get(i, Integer.class);
            if (days != null && (last == null || last.toEpochDay() < days)) {
              last = LocalDate.ofEpochDay(days);
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("planning " + mart.name(), e);
    }
    return last;
  }

  private Table load(TableDefinition definition) {
    try {
      return catalog.catalog().loadTable(definition.identifier());
    } catch (NoSuchTableException e) {
      return null;
    }
  }
}
