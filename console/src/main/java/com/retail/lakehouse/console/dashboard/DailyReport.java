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

import com.retail.lakehouse.transforms.tables.StoredColumns;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
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
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.PartitionField;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.CloseableIterator;
import org.apache.iceberg.util.SnapshotUtil;

/**
 * The daily view of one query at one mart snapshot: totals of the range and of the range of equal
 * length before it, revenue per store and day, per day, the top products and the top categories.
 * Read from marts.daily_sales_summary, either from per-date sums kept in memory ({@link
 * #readByDay}) or with a row filter on sale_date, store and category (pushed down: whole
 * partitions, and files whose category statistics exclude it, are skipped) and only the columns
 * summed here ({@link #read}).
 *
 * <p>Mart rows built before the mart had its category column hold null there (or the snapshot's
 * schema has no such column at all): they count in every figure without a category filter, never
 * under a category, and their dates are listed as {@code days_without_category} so the page can say
 * to rebuild them ({@code ./lakehouse mart --date ...}).
 */
final class DailyReport {
  static final int TOP = 10;
  private static final List<String> COLUMNS =
      List.of(
          SALE_DATE,
          STORE_ID,
          PRODUCT,
          TOTAL_SALES,
          GROSS_SALES,
          RETURNS_AMOUNT,
          UNITS_SOLD,
          TRANSACTION_COUNT,
          LINE_COUNT);

  /** COLUMNS and, when the schema has it, category (last, at index COLUMNS.size()). */
  private static List<String> columns(Schema schema) {
    if (schema.findField(CATEGORY) == null) {
      return COLUMNS;
    }
    List<String> columns = new ArrayList<>(COLUMNS);
    columns.add(CATEGORY);
    return List.copyOf(columns);
  }

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
    List<String> columns = columns(SnapshotUtil.schemaFor(mart, snapshotId));
    boolean hasCategory = columns.contains(CATEGORY);
    if (hasCategory && query.category() != null) {
      // null too: rows not rebuilt since the column was added, so their days can be named
      filter =
          Expressions.and(
              filter,
              Expressions.or(
                  Expressions.equal(CATEGORY, query.category()), Expressions.isNull(CATEGORY)));
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

  /**
   * The report of a query from per-date sums: each sale date's mart files are summed once (in
   * total, per store, per product, per category, per store and category, and each row's store,
   * product and category with its revenue and units in compact arrays) and kept in {@code days}
   * under the date and its data files, so a mart run that rebuilds one date leaves the other dates'
   * sums valid (their files are the same), and another range, store or category is answered from
   * memory. Equal to {@link #read}; null when a file carries delete files or the table is not
   * partitioned by sale_date (the caller then uses {@link #read}).
   */
  static DailyReport readByDay(
      Table mart, long snapshotId, DailyQuery query, SnapshotCache<MartDayKey, MartDay> days) {
    int sourceId = mart.schema().findField(SALE_DATE).fieldId();
    Map<LocalDate, List<String>> filesByDate = new TreeMap<>();
    try (CloseableIterable<FileScanTask> tasks =
        mart.newScan()
            .useSnapshot(snapshotId)
            .filter(
                Expressions.and(
                    Expressions.greaterThanOrEqual(SALE_DATE, query.previousFrom().toString()),
                    Expressions.lessThanOrEqual(SALE_DATE, query.to().toString())))
            .planFiles()) {
      for (FileScanTask task : tasks) {
        LocalDate day = saleDateOf(mart, task, sourceId);
        if (day == null || !task.deletes().isEmpty()) {
          return null;
        }
        filesByDate.computeIfAbsent(day, d -> new ArrayList<>()).add(task.file().path().toString());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("planning marts.daily_sales_summary", e);
    }
    DailyReport report = new DailyReport(query, snapshotId);
    String store = query.store();
    String category = query.category();
    for (Map.Entry<LocalDate, List<String>> e : filesByDate.entrySet()) {
      LocalDate day = e.getKey();
      if (day.isBefore(query.previousFrom()) || day.isAfter(query.to())) {
        continue;
      }
      List<String> files = e.getValue().stream().sorted().toList();
      MartDay sums = days.get(new MartDayKey(day, files), () -> MartDay.read(mart, day, files));
      if (!day.isBefore(query.from())
          && (store == null
              ? !sums.storesWithoutCategory.isEmpty()
              : sums.storesWithoutCategory.contains(store))) {
        report.daysWithoutCategory.add(day); // built before the mart had categories
      }
      Totals total = sums.total(store, category);
      if (total == null) {
        continue; // no row of that store / category on that date
      }
      if (day.isBefore(query.from())) {
        report.previous.add(total);
        continue;
      }
      report.totals.add(total);
      report.byDay.computeIfAbsent(day, k -> new Totals()).add(total);
      if (store == null && category == null) {
        sums.byStore.forEach(
            (s, t) -> report.byStoreDay.computeIfAbsent(day + "|" + s, k -> new Totals()).add(t));
        sums.byProduct.forEach(
            (p, t) -> report.byProduct.computeIfAbsent(p, k -> new Totals()).add(t));
        sums.byCategory.forEach(
            (c, t) -> report.byCategory.computeIfAbsent(c, k -> new Totals()).add(t));
      } else if (store == null) { // one category, every store
        sums.byStoreCategory.forEach(
            (s, byCategory) -> {
              Totals t = byCategory.get(category);
              if (t != null) {
                report.byStoreDay.computeIfAbsent(day + "|" + s, k -> new Totals()).add(t);
              }
            });
        int id = sums.categoryIds.get(category);
        for (StoreProducts products : sums.storeProducts.values()) {
          products.addTo(report.byProduct, sums.products, id);
        }
        report.byCategory.computeIfAbsent(category, k -> new Totals()).add(total);
      } else { // one store, all categories or one
        report.byStoreDay.computeIfAbsent(day + "|" + store, k -> new Totals()).add(total);
        sums.storeProducts
            .get(store)
            .addTo(
                report.byProduct,
                sums.products,
                category == null ? StoreProducts.ANY : sums.categoryIds.get(category));
        Map<String, Totals> byCategory = sums.byStoreCategory.getOrDefault(store, Map.of());
        byCategory.forEach(
            (c, t) -> {
              if (category == null || category.equals(c)) {
                report.byCategory.computeIfAbsent(c, k -> new Totals()).add(t);
              }
            });
      }
    }
    return report;
  }

  private static LocalDate saleDateOf(Table mart, FileScanTask task, int sourceId) {
    List<PartitionField> fields = mart.specs().get(task.file().specId()).fields();
    for (int i = 0; i < fields.size(); i++) {
      if (fields.get(i).sourceId() == sourceId && fields.get(i).transform().isIdentity()) {
        Integer days = task.file().partition().get(i, Integer.class);
        return days == null ? null : LocalDate.ofEpochDay(days);
      }
    }
    return null;
  }

  /** A sale date and its data files (sorted): what the date's sums were read from. */
  record MartDayKey(LocalDate day, List<String> files) {}

  /**
   * One sale date's mart rows summed in total, per store, per product, per category and per store
   * and category (rows of a null category count in the first three only), the stores that have rows
   * of a null category, and each row's store, product and category with its revenue and units
   * (about 24 bytes per mart row) for the top products of a store and/or a category.
   */
  static final class MartDay {
    final Totals total = new Totals();
    final Map<String, Totals> byStore = new HashMap<>();
    final Map<String, Totals> byProduct = new HashMap<>();
    final Map<String, Totals> byCategory = new HashMap<>();
    final Map<String, Map<String, Totals>> byStoreCategory = new HashMap<>();
    final Set<String> storesWithoutCategory = new HashSet<>();
    final List<String> products = new ArrayList<>();
    final Map<String, Integer> categoryIds = new HashMap<>();
    final Map<String, StoreProducts> storeProducts = new HashMap<>();

    /** The sums of a store and/or a category (null = all), or null when no row has them. */
    Totals total(String store, String category) {
      if (category == null) {
        return store == null ? total : byStore.get(store);
      }
      if (store == null) {
        return byCategory.get(category);
      }
      return byStoreCategory.getOrDefault(store, Map.of()).get(category);
    }

    static MartDay read(Table mart, LocalDate day, List<String> files) {
      MartDay sums = new MartDay();
      Map<String, Integer> productIds = new HashMap<>();
      Map<String, long[]> byStore = new HashMap<>();
      Map<String, long[]> byProduct = new HashMap<>();
      Map<String, long[]> byCategory = new HashMap<>();
      Map<String, Map<String, long[]>> byStoreCategory = new HashMap<>();
      long[] total = new long[7];
      // files written before the column existed have none: their rows read as a null category
      List<String> columns = columns(mart.schema());
      boolean hasCategory = columns.contains(CATEGORY);
      Schema projection = mart.schema().select(columns);
      int epochDay = (int) day.toEpochDay();
      for (String path : files) {
        try (CloseableIterator<Object[]> rows = readRows(mart, path, projection, columns)) {
          while (rows.hasNext()) {
            Object[] r = rows.next();
            if (r[0] == null || (Integer) r[0] != epochDay) {
              continue;
            }
            String store = (String) r[1];
            String product = (String) r[2];
            String category = hasCategory ? (String) r[COLUMNS.size()] : null;
            add(total, r);
            add(byStore.computeIfAbsent(store, k -> new long[7]), r);
            add(byProduct.computeIfAbsent(product, k -> new long[7]), r);
            int categoryId = StoreProducts.NO_CATEGORY;
            if (category == null) {
              sums.storesWithoutCategory.add(store);
            } else {
              add(byCategory.computeIfAbsent(category, k -> new long[7]), r);
              add(
                  byStoreCategory
                      .computeIfAbsent(store, k -> new HashMap<>())
                      .computeIfAbsent(category, k -> new long[7]),
                  r);
              categoryId = sums.categoryIds.computeIfAbsent(category, c -> sums.categoryIds.size());
            }
            int id =
                productIds.computeIfAbsent(
                    product,
                    p -> {
                      sums.products.add(p);
                      return sums.products.size() - 1;
                    });
            sums.storeProducts
                .computeIfAbsent(store, k -> new StoreProducts())
                .add(id, categoryId, cents(r[3]), number(r[6]));
          }
        } catch (IOException e) {
          throw new UncheckedIOException("reading mart data file " + path, e);
        }
      }
      sums.total.add(totals(total));
      byStore.forEach((k, v) -> sums.byStore.put(k, totals(v)));
      byProduct.forEach((k, v) -> sums.byProduct.put(k, totals(v)));
      byCategory.forEach((k, v) -> sums.byCategory.put(k, totals(v)));
      byStoreCategory.forEach(
          (s, m) -> {
            Map<String, Totals> t = new HashMap<>();
            m.forEach((k, v) -> t.put(k, totals(v)));
            sums.byStoreCategory.put(s, t);
          });
      return sums;
    }

    /** revenue, gross, returns (cents), units, transactions, lines, rows */
    private static void add(long[] sum, Object[] r) {
      sum[0] += cents(r[3]);
      sum[1] += cents(r[4]);
      sum[2] += cents(r[5]);
      sum[3] += number(r[6]);
      sum[4] += number(r[7]);
      sum[5] += number(r[8]);
      sum[6]++;
    }

    private static long cents(Object v) {
      return v == null ? 0 : (Long) v;
    }

    private static Totals totals(long[] sum) {
      Totals t = new Totals();
      t.revenue = BigDecimal.valueOf(sum[0], 2);
      t.gross = BigDecimal.valueOf(sum[1], 2);
      t.returns = BigDecimal.valueOf(sum[2], 2);
      t.units = sum[3];
      t.transactions = sum[4];
      t.lines = sum[5];
      t.rows = sum[6];
      return t;
    }

    /**
     * The rows of one file in the order of {@code columns} (sale_date as its epoch day, money in
     * cents): read as stored, or with Iceberg's generic reader for a file stored otherwise (or
     * without a column, such as category in a file written before it existed).
     */
    private static CloseableIterator<Object[]> readRows(
        Table mart, String path, Schema projection, List<String> columns) {
      return StoredColumns.read(mart.io(), path, projection, columns);
    }
  }

  /** One store's revenue (cents) and units per product and category (one entry a row) of a date. */
  static final class StoreProducts {
    /** The category id of a row without a category. */
    static final int NO_CATEGORY = -1;

    /** Not a category id: every row. */
    static final int ANY = Integer.MIN_VALUE;

    private int size;
    private int[] product = new int[64];
    private int[] category = new int[64];
    private long[] cents = new long[64];
    private long[] units = new long[64];

    void add(int id, int categoryId, long revenueCents, long quantity) {
      if (size == product.length) {
        product = java.util.Arrays.copyOf(product, size * 2);
        category = java.util.Arrays.copyOf(category, size * 2);
        cents = java.util.Arrays.copyOf(cents, size * 2);
        units = java.util.Arrays.copyOf(units, size * 2);
      }
      product[size] = id;
      category[size] = categoryId;
      cents[size] = revenueCents;
      units[size] = quantity;
      size++;
    }

    /** Adds the revenue and units of the rows of {@code categoryId} (or {@link #ANY}). */
    void addTo(Map<String, Totals> byProduct, List<String> names, int categoryId) {
      for (int i = 0; i < size; i++) {
        if (categoryId != ANY && category[i] != categoryId) {
          continue;
        }
        Totals t = byProduct.computeIfAbsent(names.get(product[i]), k -> new Totals());
        t.revenue = t.revenue.add(BigDecimal.valueOf(cents[i], 2));
        t.units += units[i];
      }
    }
  }

  private static Totals row(Record r) {
    Totals row = new Totals();
    row.revenue = money(r.getField(TOTAL_SALES));
    row.gross = money(r.getField(GROSS_SALES));
    row.returns = money(r.getField(RETURNS_AMOUNT));
    row.units = number(r.getField(UNITS_SOLD));
    row.transactions = number(r.getField(TRANSACTION_COUNT));
    row.lines = number(r.getField(LINE_COUNT));
    row.rows = 1;
    return row;
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
    Totals row = row(r);
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
    return ranked(sums, name, TOP);
  }

  /** The first {@code limit} entries by revenue (ties by name), as {name: .., revenue, units}. */
  private static List<Map<String, Object>> ranked(
      Map<String, Totals> sums, String name, int limit) {
    List<Map<String, Object>> top = new ArrayList<>();
    sums.entrySet().stream()
        .sorted(
            Comparator.comparing((Map.Entry<String, Totals> e) -> e.getValue().revenue)
                .reversed()
                .thenComparing(Map.Entry::getKey))
        .limit(limit)
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

  /** The tables the daily view can download as CSV ({@code table} parameter values). */
  static final List<String> CSV_TABLES = List.of("store_days", "products", "categories");

  /** The CSV table a {@code table} parameter names (null or blank: store_days); checked. */
  static String csvTable(String table) {
    String t = table == null || table.isBlank() ? "store_days" : table;
    if (!CSV_TABLES.contains(t)) {
      throw new IllegalArgumentException(
          "table=" + t + " is not a table of the daily view: use one of " + CSV_TABLES);
    }
    return t;
  }

  /** The revenue-by-store-and-day table as CSV (RFC 4180, CRLF line ends). */
  String toCsv() {
    return toCsv("store_days");
  }

  /**
   * One of {@link #CSV_TABLES} as CSV (RFC 4180, CRLF line ends): {@code store_days} the
   * revenue-by-store-and-day rows, {@code products} and {@code categories} every product or
   * category of the range by revenue (ties by name), of which the page shows the top 10.
   */
  String toCsv(String table) {
    return switch (csvTable(table)) {
      case "store_days" ->
          csv(
              List.of(
                  "sale_date",
                  "store_id",
                  "revenue",
                  "gross",
                  "returns",
                  "units",
                  "transactions",
                  "lines"),
              storeDayRows());
      case "products" ->
          csv(
              List.of("product", "revenue", "units"),
              ranked(byProduct, "product", Integer.MAX_VALUE));
      case "categories" ->
          csv(
              List.of("category", "revenue", "units"),
              ranked(byCategory, "category", Integer.MAX_VALUE));
      default -> throw new IllegalStateException("not a CSV table: " + table);
    };
  }

  /** Names from the data, quoted and made inert by {@link #cell}; numbers and dates as they are. */
  private static final Set<String> TEXT_COLUMNS = Set.of("store_id", "product", "category");

  private static String csv(List<String> columns, List<Map<String, Object>> rows) {
    StringBuilder csv = new StringBuilder(String.join(",", columns)).append("\r\n");
    for (Map<String, Object> row : rows) {
      for (int i = 0; i < columns.size(); i++) {
        String v = String.valueOf(row.get(columns.get(i)));
        csv.append(i == 0 ? "" : ",").append(TEXT_COLUMNS.contains(columns.get(i)) ? cell(v) : v);
      }
      csv.append("\r\n");
    }
    return csv.toString();
  }

  /**
   * A CSV cell: quoted when needed; a leading formula character (= + - @, or a tab or carriage
   * return before one) is made inert for spreadsheets.
   */
  static String cell(String s) {
    String v = !s.isEmpty() && "=+-@\t\r".indexOf(s.charAt(0)) >= 0 ? "'" + s : s;
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
