package com.retail.lakehouse.console.dashboard;

import static com.retail.lakehouse.transforms.tables.DailyInventoryTable.ADJUSTED_UNITS;
import static com.retail.lakehouse.transforms.tables.DailyInventoryTable.CLOSING_UNITS;
import static com.retail.lakehouse.transforms.tables.DailyInventoryTable.COUNTED_VARIANCE_UNITS;
import static com.retail.lakehouse.transforms.tables.DailyInventoryTable.COVER_DAYS;
import static com.retail.lakehouse.transforms.tables.DailyInventoryTable.DAYS_OF_COVER;
import static com.retail.lakehouse.transforms.tables.DailyInventoryTable.RETURNED_UNITS;
import static com.retail.lakehouse.transforms.tables.DailyInventoryTable.SKU;
import static com.retail.lakehouse.transforms.tables.DailyInventoryTable.SOLD_UNITS;
import static com.retail.lakehouse.transforms.tables.DailyInventoryTable.STOCKOUT;
import static com.retail.lakehouse.transforms.tables.DailyInventoryTable.STOCK_DATE;
import static com.retail.lakehouse.transforms.tables.DailyInventoryTable.STORE_ID;
import static com.retail.lakehouse.transforms.tables.DailyInventoryTable.UNIT_COST;

import com.retail.lakehouse.transforms.tables.DailyInventoryTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;

/**
 * The stock page of the dashboard ({@code GET /api/dashboard/stock}), from marts.daily_inventory at
 * one snapshot. Guarantees, for the stock date {@code D} and the optional store of the query:
 *
 * <ul>
 *   <li><b>stockouts</b>: per store, the rows of D with {@code stockout} (closing_units &lt;= 0),
 *       counted and listed with their closing_units, negative stock as it is (never clamped to 0);
 *       stores by SKUs out of stock (most first), SKUs by closing_units (lowest first);
 *   <li><b>low cover</b>: the {@value #TOP_SELLERS} SKUs with the most net units (sold_units -
 *       returned_units) over the {@value DailyInventoryTable#COVER_DAYS} days ending on D in every
 *       store (ties by SKU), and of those the rows of D with days_of_cover below {@value
 *       #LOW_COVER_DAYS} (null cover: no net sales, not low); the same rows as
 *       sql/queries/low_cover_top_sellers.sql on D, narrowed to the store if one is given;
 *   <li><b>shrink</b> per store over the range: per row, the units an ADJUSTMENT took away (the
 *       negative part of adjusted_units) plus the units a COUNT found missing (the negative part of
 *       counted_variance_units), as positive units; its value is those units times the row's
 *       unit_cost (the mart's latest cost of the store and SKU up to the day, the cost that makes
 *       closing_value), and units of rows without a unit_cost are counted apart, not valued.
 * </ul>
 *
 * Money and cover are exact decimals (strings, two decimals). Immutable once read.
 */
final class StockReport {
  /** How many best-selling SKUs the low-cover list looks at. */
  static final int TOP_SELLERS = 20;

  /** Days of cover below which a top seller is listed. */
  static final int LOW_COVER_DAYS = 3;

  /** A stock query: the stock date, an optional store, and the shrink range. */
  record Query(LocalDate date, String store, LocalDate from, LocalDate to) {
    Query {
      Objects.requireNonNull(date, "date must not be null");
      Objects.requireNonNull(from, "from must not be null");
      Objects.requireNonNull(to, "to must not be null");
    }

    /**
     * Parses the query string values (null or blank = not given): {@code date} defaults to {@code
     * newest} (the mart's newest stock_date); {@code from}/{@code to} and {@code store} follow the
     * daily view's rules, the range ending on the stock date by default. Bad values fail with a
     * one-line IllegalArgumentException (the API's 400).
     */
    static Query parse(
        String date, String store, String from, String to, LocalDate newest, LocalDate today) {
      LocalDate d = DailyQuery.blank(date) ? newest : DailyQuery.date("date", date);
      DailyQuery range = DailyQuery.parse(from, to, store, null, d, today);
      return new Query(d, range.store(), range.from(), range.to());
    }
  }

  private final Query query;
  private final long snapshotId;
  private final LocalDate newest;
  private final List<String> stores = new ArrayList<>();
  private final Map<String, List<Map<String, Object>>> outByStore = new HashMap<>();
  private final List<Map<String, Object>> lowCover = new ArrayList<>();
  private final Map<String, Shrink> shrinkByStore = new TreeMap<>();

  /** One store's shrink over the range. */
  private static final class Shrink {
    long adjusted;
    long counted;
    BigDecimal value = Money.ZERO;
    long unitsWithoutCost;

    long units() {
      return adjusted + counted;
    }

    void add(Shrink other) {
      adjusted += other.adjusted;
      counted += other.counted;
      value = value.add(other.value);
      unitsWithoutCost += other.unitsWithoutCost;
    }
  }

  private StockReport(Query query, long snapshotId, LocalDate newest) {
    this.query = query;
    this.snapshotId = snapshotId;
    this.newest = newest;
  }

  /** Reads the report of {@code query} from the mart at {@code snapshotId} (two scans). */
  static StockReport read(Table mart, long snapshotId, Query query, LocalDate newest) {
    Objects.requireNonNull(mart, "mart must not be null");
    StockReport report = new StockReport(query, snapshotId, newest);
    LocalDate windowFrom = query.date().minusDays(COVER_DAYS - 1);
    // The cover window in every store: the top sellers are the chain's; D's rows give the rest.
    Map<String, Long> netUnits = new HashMap<>();
    List<Record> ofDay = new ArrayList<>();
    Set<String> stores = new TreeSet<>();
    scan(
        mart,
        snapshotId,
        between(windowFrom, query.date()),
        List.of(
            STOCK_DATE,
            STORE_ID,
            SKU,
            SOLD_UNITS,
            RETURNED_UNITS,
            CLOSING_UNITS,
            STOCKOUT,
            DAYS_OF_COVER),
        r -> {
          netUnits.merge(
              (String) r.getField(SKU),
              (Long) r.getField(SOLD_UNITS) - (Long) r.getField(RETURNED_UNITS),
              Long::sum);
          if (query.date().equals(r.getField(STOCK_DATE))) {
            stores.add((String) r.getField(STORE_ID));
            if (query.store() == null || query.store().equals(r.getField(STORE_ID))) {
              ofDay.add(r.copy());
            }
          }
        });
    report.stores.addAll(stores);
    Map<String, Long> top = new HashMap<>();
    netUnits.entrySet().stream()
        .sorted(
            Map.Entry.<String, Long>comparingByValue()
                .reversed()
                .thenComparing(Map.Entry.comparingByKey()))
        .limit(TOP_SELLERS)
        .forEach(e -> top.put(e.getKey(), e.getValue()));
    BigDecimal lowCover = BigDecimal.valueOf(LOW_COVER_DAYS);
    for (Record r : ofDay) {
      String store = (String) r.getField(STORE_ID);
      String sku = (String) r.getField(SKU);
      long closing = (Long) r.getField(CLOSING_UNITS);
      if (Boolean.TRUE.equals(r.getField(STOCKOUT))) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("sku", sku);
        out.put("closing_units", closing);
        report.outByStore.computeIfAbsent(store, s -> new ArrayList<>()).add(out);
      }
      BigDecimal cover = (BigDecimal) r.getField(DAYS_OF_COVER);
      if (top.containsKey(sku) && cover != null && cover.compareTo(lowCover) < 0) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("store_id", store);
        row.put("sku", sku);
        row.put("net_units_7_days", top.get(sku));
        row.put("closing_units", closing);
        row.put("days_of_cover", Money.text(cover));
        row.put("cover", cover); // for sorting, removed below
        report.lowCover.add(row);
      }
    }
    report.outByStore.values().forEach(l -> l.sort(STOCKOUT_ORDER));
    report.lowCover.sort(
        Comparator.<Map<String, Object>, BigDecimal>comparing(m -> (BigDecimal) m.get("cover"))
            .thenComparing(m -> (String) m.get("store_id"))
            .thenComparing(m -> (String) m.get("sku")));
    report.lowCover.forEach(m -> m.remove("cover"));

    Expression range = between(query.from(), query.to());
    if (query.store() != null) {
      range = Expressions.and(range, Expressions.equal(STORE_ID, query.store()));
    }
    scan(
        mart,
        snapshotId,
        range,
        List.of(STOCK_DATE, STORE_ID, ADJUSTED_UNITS, COUNTED_VARIANCE_UNITS, UNIT_COST),
        r -> {
          long adjusted = Math.max(0, -(Long) r.getField(ADJUSTED_UNITS));
          Long variance = (Long) r.getField(COUNTED_VARIANCE_UNITS);
          long counted = variance == null ? 0 : Math.max(0, -variance);
          Shrink s =
              report.shrinkByStore.computeIfAbsent(
                  (String) r.getField(STORE_ID), k -> new Shrink());
          s.adjusted += adjusted;
          s.counted += counted;
          BigDecimal cost = (BigDecimal) r.getField(UNIT_COST);
          if (cost == null) {
            s.unitsWithoutCost += adjusted + counted;
          } else {
            s.value = s.value.add(cost.multiply(BigDecimal.valueOf(adjusted + counted)));
          }
        });
    return report;
  }

  private static final Comparator<Map<String, Object>> STOCKOUT_ORDER =
      Comparator.<Map<String, Object>>comparingLong(m -> (Long) m.get("closing_units"))
          .thenComparing(m -> (String) m.get("sku"));

  private static Expression between(LocalDate from, LocalDate to) {
    return Expressions.and(
        Expressions.greaterThanOrEqual(STOCK_DATE, from.toString()),
        Expressions.lessThanOrEqual(STOCK_DATE, to.toString()));
  }

  private static void scan(
      Table mart, long snapshotId, Expression filter, List<String> columns, Consumer<Record> each) {
    try (CloseableIterable<Record> rows =
        IcebergGenerics.read(mart).useSnapshot(snapshotId).where(filter).select(columns).build()) {
      for (Record r : rows) { // the generic reader applies the filter to each row too
        each.accept(r);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + DailyInventoryTable.DEFINITION, e);
    }
  }

  /** The API's JSON (docs/console-api.md, "Dashboard"). */
  Map<String, Object> toJson() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("source", DailyInventoryTable.DEFINITION.toString());
    out.put("mart_snapshot_id", snapshotId);
    out.put("newest_stock_date", newest == null ? null : newest.toString());
    out.put("date", query.date().toString());
    out.put("store", query.store());
    out.put("stores", stores);

    List<Map<String, Object>> byStore = new ArrayList<>();
    long skus = 0;
    long negative = 0;
    for (Map.Entry<String, List<Map<String, Object>>> e : outByStore.entrySet()) {
      long neg = e.getValue().stream().filter(m -> (Long) m.get("closing_units") < 0).count();
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("store_id", e.getKey());
      m.put("skus_out_of_stock", e.getValue().size());
      m.put("negative_skus", neg);
      m.put("skus", e.getValue());
      byStore.add(m);
      skus += e.getValue().size();
      negative += neg;
    }
    byStore.sort(
        Comparator.<Map<String, Object>>comparingInt(m -> -(Integer) m.get("skus_out_of_stock"))
            .thenComparing(m -> (String) m.get("store_id")));
    Map<String, Object> stockouts = new LinkedHashMap<>();
    stockouts.put("skus_out_of_stock", skus);
    stockouts.put("negative_skus", negative);
    stockouts.put("by_store", byStore);
    out.put("stockouts", stockouts);

    Map<String, Object> cover = new LinkedHashMap<>();
    cover.put("top_sellers", TOP_SELLERS);
    cover.put("below_days", LOW_COVER_DAYS);
    cover.put("window_from", query.date().minusDays(COVER_DAYS - 1).toString());
    cover.put("window_to", query.date().toString());
    cover.put("rows", lowCover);
    out.put("low_cover", cover);

    Shrink total = new Shrink();
    List<Map<String, Object>> shrinkRows = new ArrayList<>();
    for (Map.Entry<String, Shrink> e : shrinkByStore.entrySet()) {
      shrinkRows.add(shrinkJson(e.getKey(), e.getValue()));
      total.add(e.getValue());
    }
    Map<String, Object> shrink = new LinkedHashMap<>();
    shrink.put("from", query.from().toString());
    shrink.put("to", query.to().toString());
    shrink.put("by_store", shrinkRows);
    shrink.put("totals", shrinkJson(null, total));
    out.put("shrink", shrink);
    return out;
  }

  private static Map<String, Object> shrinkJson(String store, Shrink s) {
    Map<String, Object> m = new LinkedHashMap<>();
    if (store != null) {
      m.put("store_id", store);
    }
    m.put("adjusted_units", s.adjusted);
    m.put("counted_units", s.counted);
    m.put("units", s.units());
    m.put("value", Money.text(s.value));
    m.put("units_without_cost", s.unitsWithoutCost);
    return m;
  }
}
