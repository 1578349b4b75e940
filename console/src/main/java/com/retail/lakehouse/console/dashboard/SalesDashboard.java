package com.retail.lakehouse.console.dashboard;

import com.retail.lakehouse.common.CatalogFlags;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import com.retail.lakehouse.transforms.tables.DailySalesSummaryTable;
import com.retail.lakehouse.transforms.tables.RawTable;
import com.retail.lakehouse.transforms.tables.TableDefinition;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.io.CloseableIterable;

/**
 * The sales dashboard's API (docs/console-api.md, "Dashboard"): {@code GET /api/dashboard/daily}
 * and {@code /daily.csv} from marts.daily_sales_summary, {@code GET /api/dashboard/live} from
 * raw.pos_transactions' partition of one UTC day, de-duplicated like the mart. Money is exact
 * (BigDecimal, written as strings with two decimals). Results are cached per table snapshot id and
 * query, so a refresh with no new commit reads no data file. Bad parameters throw
 * IllegalArgumentException with one line (the API answers 400). Thread-safe.
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
  // per sale date and its files: ~20 bytes per mart row (~1.5 MB for 76,000 rows a date)
  private final SnapshotCache<DailyReport.MartDayKey, DailyReport.MartDay> martDays =
      new SnapshotCache<>(MART_DAYS);
  private final Map<LocalDate, LiveDay> liveDays = new LinkedHashMap<>(4, 0.75f, true);

  private record DailyKey(long snapshotId, DailyQuery query) {}

  private record LiveKey(long snapshotId, LiveQuery query) {}

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

  /** {@code GET /api/dashboard/daily?from=&to=&store=}. */
  public void daily(Context ctx) {
    ctx.json(dailyReport(ctx).toJson());
  }

  /** {@code GET /api/dashboard/daily.csv?from=&to=&store=}: revenue by store and day. */
  public void dailyCsv(Context ctx) {
    DailyReport report = dailyReport(ctx);
    String name =
        "daily-sales-"
            + report.query.from()
            + "-to-"
            + report.query.to()
            + (report.query.store() == null ? "" : "-" + report.query.store())
            + ".csv";
    ctx.header("Content-Disposition", "attachment; filename=\"" + name + "\"");
    ctx.contentType("text/csv; charset=utf-8");
    ctx.result(report.toCsv());
  }

  /** {@code GET /api/dashboard/live?date=&store=&category=} (date: today, UTC, by default). */
  public void live(Context ctx) {
    ctx.json(
        liveReport(
                LiveQuery.parse(
                    ctx.queryParam("date"),
                    ctx.queryParam("store"),
                    ctx.queryParam("category"),
                    LocalDate.now(clock.withZone(ZoneOffset.UTC))))
            .toJson());
  }

  /** The daily view of a query (from, to, store: query-string values, null = not given). */
  Map<String, Object> daily(String from, String to, String store) {
    return dailyReport(from, to, store, null).toJson();
  }

  /** The live view of a UTC day. */
  Map<String, Object> live(LocalDate date) {
    return liveReport(new LiveQuery(date, null, null)).toJson();
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
    int sourceId = mart.schema().findField(DailySalesSummaryTable.SALE_DATE).fieldId();
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
      throw new UncheckedIOException("planning marts.daily_sales_summary", e);
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
