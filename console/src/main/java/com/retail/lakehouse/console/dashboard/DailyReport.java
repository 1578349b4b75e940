package com.retail.lakehouse.console.dashboard;

import static com.retail.lakehouse.transforms.tables.DailySalesSummaryTable.CATEGORY;
import static com.retail.lakehouse.transforms.tables.DailySalesSummaryTable.GROSS_SALES;
import static com.retail.lakehouse.transforms.tables.DailySalesSummaryTable.LINE_COUNT;
import static com.retail.lakehouse.transforms.tables.DailySalesSummaryTable.PRODUCT;
import static com.retail.lakehouse.transforms.tables.DailySalesSummaryTable.RETURNS_AMOUNT;
import static com.retail.lakehouse.transforms.tables.DailySalesSummaryTable.SALE_DATE;
import static com.retail.lakehouse.transforms.tables.DailySalesSummaryTable.STORE_ID;
import static com.retail.lakehouse.transforms.tables.DailySalesSummaryTable.TOTAL_SALES;
import static com.retail.lakehouse.transforms.tables.DailySalesSummaryTable.TRANSACTION_COUNT;
import static com.retail.lakehouse.transforms.tables.DailySalesSummaryTable.UNITS_SOLD;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.util.SnapshotUtil;

/**
 * The daily view of one query at one mart snapshot: totals of the range and of the range of equal
 * length before it, revenue per store and day, per day, the top products and the top categories.
 * Read from marts.daily_sales_summary with a row filter on sale_date, store and category (pushed
 * down: whole partitions, and files whose category statistics exclude it, are skipped) and only the
 * columns summed here.
 *
 * <p>Mart rows built before the mart had its category column hold null there (or the snapshot's
 * schema has no such column at all): they count in every figure without a category filter, never
 * under a category, and their dates are listed as {@code days_without_category} so the page can say
 * to rebuild them ({@code ./lakehouse mart --date ...}).
 */
final class DailyReport {
  static final int TOP = 10;

  final DailyQuery query;
  final Long martSnapshotId;
  final Totals totals = new Totals();
  final Totals previous = new Totals();
  final SortedMap<String, Totals> byStoreDay = new TreeMap<>(); // "date|store"
  final SortedMap<LocalDate, Totals> byDay = new TreeMap<>();
  final Map<String, Totals> byProduct = new LinkedHashMap<>();
  final Map<String, Totals> byCategory = new LinkedHashMap<>();
  final SortedSet<LocalDate> daysWithoutCategory = new TreeSet<>();

  private DailyReport(DailyQuery query, Long martSnapshotId) {
    this.query = query;
    this.martSnapshotId = martSnapshotId;
  }

  /** An empty report (no mart table or snapshot). */
  static DailyReport empty(DailyQuery query) {
    return new DailyReport(query, null);
  }

  /** Reads the mart at {@code snapshotId} for {@code query} and the range before it. */
  static DailyReport read(Table mart, long snapshotId, DailyQuery query) {
    DailyReport report = new DailyReport(query, snapshotId);
    LocalDate first = query.previousFrom();
    Expression filter =
        Expressions.and(
            Expressions.greaterThanOrEqual(SALE_DATE, first.toString()),
            Expressions.lessThanOrEqual(SALE_DATE, query.to().toString()));
    if (query.store() != null) {
      filter = Expressions.and(filter, Expressions.equal(STORE_ID, query.store()));
    }
    // a mart snapshot written before the category column existed has none: all rows count as null
    boolean hasCategory = SnapshotUtil.schemaFor(mart, snapshotId).findField(CATEGORY) != null;
    List<String> columns =
        new ArrayList<>(
            List.of(
                SALE_DATE,
                STORE_ID,
                PRODUCT,
                TOTAL_SALES,
                GROSS_SALES,
                RETURNS_AMOUNT,
                UNITS_SOLD,
                TRANSACTION_COUNT,
                LINE_COUNT));
    if (hasCategory) {
      columns.add(CATEGORY);
      if (query.category() != null) {
        // null too: rows not rebuilt since the column was added, so their days can be named
        filter =
            Expressions.and(
                filter,
                Expressions.or(
                    Expressions.equal(CATEGORY, query.category()), Expressions.isNull(CATEGORY)));
      }
    }
    try (CloseableIterable<Record> rows =
        IcebergGenerics.read(mart).useSnapshot(snapshotId).where(filter).select(columns).build()) {
      for (Record r : rows) {
        report.add(r, hasCategory ? (String) r.getField(CATEGORY) : null);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading marts.daily_sales_summary", e);
    }
    return report;
  }

  private void add(Record r, String category) {
    LocalDate day = (LocalDate) r.getField(SALE_DATE);
    String store = (String) r.getField(STORE_ID);
    if (day == null
        || day.isBefore(query.previousFrom())
        || day.isAfter(query.to())
        || (query.store() != null && !query.store().equals(store))) {
      return; // the row filter selects whole files; a file may hold more
    }
    if (category == null && !day.isBefore(query.from())) {
      daysWithoutCategory.add(day); // built before the mart had categories
    }
    if (query.category() != null && !query.category().equals(category)) {
      return;
    }
    Totals row = new Totals();
    row.revenue = money(r.getField(TOTAL_SALES));
    row.gross = money(r.getField(GROSS_SALES));
    row.returns = money(r.getField(RETURNS_AMOUNT));
    row.units = number(r.getField(UNITS_SOLD));
    row.transactions = number(r.getField(TRANSACTION_COUNT));
    row.lines = number(r.getField(LINE_COUNT));
    row.rows = 1;
    if (day.isBefore(query.from())) {
      previous.add(row);
      return;
    }
    totals.add(row);
    byStoreDay.computeIfAbsent(day + "|" + store, k -> new Totals()).add(row);
    byDay.computeIfAbsent(day, k -> new Totals()).add(row);
    byProduct.computeIfAbsent((String) r.getField(PRODUCT), k -> new Totals()).add(row);
    if (category != null) {
      byCategory.computeIfAbsent(category, k -> new Totals()).add(row);
    }
  }

  private static BigDecimal money(Object v) {
    return v == null ? Money.ZERO : (BigDecimal) v;
  }

  private static long number(Object v) {
    return v == null ? 0 : ((Number) v).longValue();
  }

  /** The API's JSON (docs/console-api.md). */
  Map<String, Object> toJson() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("from", query.from().toString());
    out.put("to", query.to().toString());
    out.put("store", query.store());
    out.put("category", query.category());
    out.put("source", "marts.daily_sales_summary");
    out.put("mart_snapshot_id", martSnapshotId);
    out.put("totals", totals.toJson());
    Map<String, Object> prev = new LinkedHashMap<>();
    prev.put("from", query.previousFrom().toString());
    prev.put("to", query.from().minusDays(1).toString());
    prev.put("totals", previous.toJson());
    out.put("previous", prev);
    Map<String, Object> change = new LinkedHashMap<>();
    change.put("revenue", Money.text(totals.revenue.subtract(previous.revenue)));
    change.put("revenue_pct", Money.percentChange(previous.revenue, totals.revenue));
    change.put("gross", Money.text(totals.gross.subtract(previous.gross)));
    change.put("returns", Money.text(totals.returns.subtract(previous.returns)));
    change.put("units", totals.units - previous.units);
    change.put("transactions", totals.transactions - previous.transactions);
    out.put("change", change);
    List<Map<String, Object>> days = new ArrayList<>();
    for (LocalDate d = query.from(); !d.isAfter(query.to()); d = d.plusDays(1)) {
      Totals t = byDay.get(d);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("sale_date", d.toString());
      m.put("has_data", t != null);
      m.put("revenue", Money.text(t == null ? Money.ZERO : t.revenue));
      m.put("units", t == null ? 0 : t.units);
      days.add(m);
    }
    out.put("by_day", days);
    out.put("by_store_day", storeDayRows());
    out.put("top_products", top(byProduct, "product"));
    out.put("top_categories", top(byCategory, "category"));
    out.put(
        "days_without_category", daysWithoutCategory.stream().map(LocalDate::toString).toList());
    return out;
  }

  /** The TOP entries by revenue (ties by name), as {name: .., revenue, units}. */
  private static List<Map<String, Object>> top(Map<String, Totals> sums, String name) {
    List<Map<String, Object>> top = new ArrayList<>();
    sums.entrySet().stream()
        .sorted(
            Comparator.comparing((Map.Entry<String, Totals> e) -> e.getValue().revenue)
                .reversed()
                .thenComparing(Map.Entry::getKey))
        .limit(TOP)
        .forEach(
            e -> {
              Map<String, Object> m = new LinkedHashMap<>();
              m.put(name, e.getKey());
              m.put("revenue", Money.text(e.getValue().revenue));
              m.put("units", e.getValue().units);
              top.add(m);
            });
    return top;
  }

  List<Map<String, Object>> storeDayRows() {
    List<Map<String, Object>> rows = new ArrayList<>();
    byStoreDay.forEach(
        (key, t) -> {
          int bar = key.indexOf('|');
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("sale_date", key.substring(0, bar));
          m.put("store_id", key.substring(bar + 1));
          m.putAll(t.toJson());
          rows.add(m);
        });
    return rows;
  }

  /** The revenue-by-store-and-day table as CSV (RFC 4180, CRLF line ends). */
  String toCsv() {
    StringBuilder csv =
        new StringBuilder("sale_date,store_id,revenue,gross,returns,units,transactions,lines\r\n");
    for (Map<String, Object> row : storeDayRows()) {
      csv.append(row.get("sale_date"))
          .append(',')
          .append(cell(String.valueOf(row.get("store_id"))))
          .append(',')
          .append(row.get("revenue"))
          .append(',')
          .append(row.get("gross"))
          .append(',')
          .append(row.get("returns"))
          .append(',')
          .append(row.get("units"))
          .append(',')
          .append(row.get("transactions"))
          .append(',')
          .append(row.get("lines"))
          .append("\r\n");
    }
    return csv.toString();
  }

  /** A CSV cell: quoted when needed; a leading formula character is made inert for spreadsheets. */
  static String cell(String s) {
    String v = !s.isEmpty() && "=+-@".indexOf(s.charAt(0)) >= 0 ? "'" + s : s;
    if (v.contains(",") || v.contains("\"") || v.contains("\n") || v.contains("\r")) {
      return "\"" + v.replace("\"", "\"\"") + "\"";
    }
    return v;
  }

  /** Sums of mart rows. */
  static final class Totals {
    BigDecimal revenue = Money.ZERO;
    BigDecimal gross = Money.ZERO;
    BigDecimal returns = Money.ZERO;
    long units;
    long transactions;
    long lines;
    long rows;

    void add(Totals o) {
      revenue = revenue.add(o.revenue);
      gross = gross.add(o.gross);
      returns = returns.add(o.returns);
      units += o.units;
      transactions += o.transactions;
      lines += o.lines;
      rows += o.rows;
    }

    Map<String, Object> toJson() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("revenue", Money.text(revenue));
      m.put("gross", Money.text(gross));
      m.put("returns", Money.text(returns));
      m.put("units", units);
      m.put("transactions", transactions);
      m.put("lines", lines);
      return m;
    }
  }
}
