package com.retail.lakehouse.console.dashboard;

import static com.retail.lakehouse.console.tables.LakehouseTables.instant;

import com.retail.lakehouse.transforms.event.EventType;
import com.retail.lakehouse.transforms.event.PosEventSchema;
import com.retail.lakehouse.transforms.mart.RawFilePlan;
import com.retail.lakehouse.transforms.tables.RawTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;

/**
 * The live view of one UTC day at one raw snapshot, by the mart's rules (SummarizeDailySales): one
 * copy of each line per (sale date, store, transaction_id, line_number), the one ingested first
 * (ingest_time, then Kafka partition, then offset); revenue is the sum of total_amount (returns
 * negative), gross the SALE lines' sum, returns the RETURN lines' sum as a positive amount, units
 * the sum of quantity. Reads raw's partition of the day (row filter on event_time) and the columns
 * named here only.
 */
final class LiveReport {
  static final int TOP = 10;
  static final int BUCKET_MINUTES = 15;

  /** A store's sparkline: its revenue per hour of the day (24 values). */
  static final int STORE_HOURS = 24;

  final LiveQuery query;
  final LocalDate date;
  final Long rawSnapshotId;
  final Instant dataAsOf;
  BigDecimal revenue = Money.ZERO;
  BigDecimal gross = Money.ZERO;
  BigDecimal returns = Money.ZERO;
  long units;
  long lines;
  long rawRows;
  long dayRawRows; // raw rows of the day in every store and category, before de-duplication
  long transactions; // distinct (store, transaction_id)
  long transactionsPerProduct; // distinct (store, product, transaction_id): the mart's sum
  final BigDecimal[] buckets = new BigDecimal[24 * 60 / BUCKET_MINUTES];
  final long[] bucketLines = new long[buckets.length];
  final Map<String, Sum> byProduct = new HashMap<>();
  final Map<String, Sum> byCategory = new HashMap<>();
  final Map<String, Sum> byStore = new TreeMap<>();
  Instant firstSale;
  Instant lastSale;

  private LiveReport(LiveQuery query, Long rawSnapshotId, Instant dataAsOf) {
    this.query = query;
    this.date = query.date();
    this.rawSnapshotId = rawSnapshotId;
    this.dataAsOf = dataAsOf;
    java.util.Arrays.fill(buckets, Money.ZERO);
  }

  static LiveReport empty(LiveQuery query) {
    return new LiveReport(query, null, null);
  }

  /** One raw line with what de-duplication and the sums need. */
  private record Line(
      String store,
      String transactionId,
      int lineNumber,
      boolean isReturn,
      String product,
      String category,
      int quantity,
      BigDecimal amount,
      Instant eventTime,
      Instant ingestTime,
      int kafkaPartition,
      long kafkaOffset) {
    /** SaleLines.ingestedBefore: ingest time, then Kafka partition, then offset. */
    boolean ingestedBefore(Line o) {
      int c = ingestTime.compareTo(o.ingestTime);
      if (c != 0) {
        return c < 0;
      }
      if (kafkaPartition != o.kafkaPartition) {
        return kafkaPartition < o.kafkaPartition;
      }
      return kafkaOffset < o.kafkaOffset;
    }
  }

  private record LineKey(String store, String transactionId, int lineNumber) {}

  /**
   * Reads raw's lines of the query's day at {@code snapshotId}; the store and category filters
   * apply to the kept (de-duplicated) lines.
   */
  static LiveReport read(Table raw, long snapshotId, LiveQuery query) {
    LocalDate date = query.date();
    LiveReport report =
        new LiveReport(
            query, snapshotId, Instant.ofEpochMilli(raw.snapshot(snapshotId).timestampMillis()));
    Map<LineKey, Line> kept = new HashMap<>();
    Map<LineKey, Integer> copies = new HashMap<>();
    try (CloseableIterable<Record> rows =
        IcebergGenerics.read(raw)
            .useSnapshot(snapshotId)
            .where(RawFilePlan.eventTimeOn(new TreeSet<>(Set.of(date))))
            .select(LiveDay.COLUMNS)
            .build()) {
      for (Record r : rows) {
        Instant eventTime = instant(r.getField(PosEventSchema.EVENT_TIME));
        if (eventTime == null || !LocalDate.ofInstant(eventTime, ZoneOffset.UTC).equals(date)) {
          continue; // the filter selects whole files
        }
        report.dayRawRows++;
        if (query.store() != null && !query.store().equals(r.getField(PosEventSchema.STORE_ID))) {
          continue; // the store is part of a line's identity: exact before de-duplication
        }
        Line line =
            new Line(
                (String) r.getField(PosEventSchema.STORE_ID),
                (String) r.getField(PosEventSchema.TRANSACTION_ID),
                ((Number) r.getField(PosEventSchema.LINE_NUMBER)).intValue(),
                EventType.RETURN.name().equals(r.getField(PosEventSchema.EVENT_TYPE)),
                (String) r.getField(PosEventSchema.PRODUCT),
                (String) r.getField(PosEventSchema.CATEGORY),
                ((Number) r.getField(PosEventSchema.QUANTITY)).intValue(),
                (BigDecimal) r.getField(PosEventSchema.TOTAL_AMOUNT),
                eventTime,
                instant(r.getField(RawTable.INGEST_TIME)),
                ((Number) r.getField(RawTable.KAFKA_PARTITION)).intValue(),
                ((Number) r.getField(RawTable.KAFKA_OFFSET)).longValue());
        LineKey key = new LineKey(line.store(), line.transactionId(), line.lineNumber());
        kept.merge(key, line, (old, now) -> now.ingestedBefore(old) ? now : old);
        copies.merge(key, 1, Integer::sum);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading raw.pos_transactions", e);
    }
    Set<List<String>> baskets = new HashSet<>();
    Set<List<String>> productBaskets = new HashSet<>();
    for (Map.Entry<LineKey, Line> e : kept.entrySet()) {
      Line l = e.getValue();
      if (!query.selects(l.store(), l.category())) {
        continue; // the category of the copy kept, as the store: after de-duplication
      }
      report.rawRows += copies.get(e.getKey());
      report.add(l);
      baskets.add(List.of(l.store(), l.transactionId()));
      productBaskets.add(List.of(l.store(), l.product(), l.transactionId()));
    }
    report.transactions = baskets.size();
    report.transactionsPerProduct = productBaskets.size();
    return report;
  }

  /**
   * The report of {@code query} from the de-duplicated lines of its day ({@link LiveDay}, brought
   * to {@code snapshotId}): one pass over the day's columns. Equal to {@link #read} at the same
   * snapshot.
   */
  static LiveReport of(LiveDay day, LiveQuery query, long snapshotId, Instant dataAsOf) {
    LiveReport report = new LiveReport(query, snapshotId, dataAsOf);
    report.dayRawRows = day.rawRows;
    int store = query.store() == null ? -2 : day.stores.find(query.store());
    int category = query.category() == null ? -2 : day.categories.find(query.category());
    if (store == -1 || category == -1) {
      return report; // the day has no line of that store or category
    }
    long revenue = 0;
    long gross = 0;
    long returns = 0;
    long[] bucketCents = new long[report.buckets.length];
    long[][] byProduct = new long[3][day.products.size()]; // cents, units, lines
    long[][] byCategory = new long[3][day.categories.size()];
    long[][] byStore = new long[3][day.stores.size()];
    long[][] storeHours = new long[day.stores.size()][STORE_HOURS];
    boolean[] basketSeen = new boolean[day.baskets];
    // sized for every line when nothing filters: no rehash on the way
    LiveDay.LongIntTable productBaskets =
        new LiveDay.LongIntTable(store < 0 && category < 0 ? day.size : 1024);
    long first = Long.MAX_VALUE;
    long last = Long.MIN_VALUE;
    long dayStart = date(day.date);
    long bucketMicros = BUCKET_MINUTES * 60_000_000L;
    for (int i = 0; i < day.size; i++) {
      int b = day.basket[i];
      int s = day.basketStore[b];
      if ((store >= 0 && s != store) || (category >= 0 && day.category[i] != category)) {
        continue;
      }
      long c = day.cents[i];
      int q = day.quantity[i];
      report.rawRows += day.copies[i];
      revenue += c;
      if (day.isReturn[i]) {
        returns -= c;
      } else {
        gross += c;
      }
      report.units += q;
      report.lines++;
      long event = day.eventMicros[i];
      int bucket = (int) ((event - dayStart) / bucketMicros);
      bucketCents[bucket] += c;
      report.bucketLines[bucket]++;
      add(byProduct, day.product[i], c, q);
      add(byCategory, day.category[i], c, q);
      add(byStore, s, c, q);
      storeHours[s][(int) ((event - dayStart) / 3_600_000_000L)] += c;
      first = Math.min(first, event);
      last = Math.max(last, event);
      if (!basketSeen[b]) {
        basketSeen[b] = true;
        report.transactions++;
      }
      long productBasket = ((long) b << 32) | day.product[i];
      if (productBaskets.get(productBasket) < 0) {
        productBaskets.put(productBasket, 0);
        report.transactionsPerProduct++;
      }
    }
    report.revenue = BigDecimal.valueOf(revenue, 2);
    report.gross = BigDecimal.valueOf(gross, 2);
    report.returns = BigDecimal.valueOf(returns, 2);
    for (int i = 0; i < bucketCents.length; i++) {
      report.buckets[i] = BigDecimal.valueOf(bucketCents[i], 2);
    }
    sums(byProduct, day.products, report.byProduct);
    sums(byCategory, day.categories, report.byCategory);
    sums(byStore, day.stores, report.byStore);
    report.byStore.forEach(
        (name, sum) -> {
          long[] hours = storeHours[day.stores.find(name)];
          sum.hours = new BigDecimal[STORE_HOURS];
          for (int h = 0; h < STORE_HOURS; h++) {
            sum.hours[h] = BigDecimal.valueOf(hours[h], 2);
          }
        });
    if (report.lines > 0) {
      report.firstSale = instantOfMicros(first);
      report.lastSale = instantOfMicros(last);
    }
    return report;
  }

  private static void add(long[][] sums, int id, long cents, int quantity) {
    sums[0][id] += cents;
    sums[1][id] += quantity;
    sums[2][id]++;
  }

  private static void sums(long[][] sums, LiveDay.Dictionary names, Map<String, Sum> into) {
    for (int id = 0; id < sums[2].length; id++) {
      if (sums[2][id] > 0) {
        Sum sum = new Sum();
        sum.revenue = BigDecimal.valueOf(sums[0][id], 2);
        sum.units = sums[1][id];
        sum.lines = sums[2][id];
        into.put(names.value(id), sum);
      }
    }
  }

  private static long date(LocalDate date) {
    return date.toEpochDay() * 86_400_000_000L;
  }

  private static Instant instantOfMicros(long micros) {
    return Instant.ofEpochSecond(
        Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
  }

  private void add(Line l) {
    BigDecimal amount = l.amount().setScale(2);
    revenue = revenue.add(amount);
    if (l.isReturn()) {
      returns = returns.subtract(amount);
    } else {
      gross = gross.add(amount);
    }
    units += l.quantity();
    lines++;
    LocalDateTime t = LocalDateTime.ofInstant(l.eventTime(), ZoneOffset.UTC);
    int bucket = (t.getHour() * 60 + t.getMinute()) / BUCKET_MINUTES;
    buckets[bucket] = buckets[bucket].add(amount);
    bucketLines[bucket]++;
    byProduct.computeIfAbsent(l.product(), k -> new Sum()).add(amount, l.quantity());
    byCategory.computeIfAbsent(l.category(), k -> new Sum()).add(amount, l.quantity());
    Sum store = byStore.computeIfAbsent(l.store(), k -> Sum.withHours());
    store.add(amount, l.quantity());
    store.hours[t.getHour()] = store.hours[t.getHour()].add(amount);
    firstSale = firstSale == null || l.eventTime().isBefore(firstSale) ? l.eventTime() : firstSale;
    lastSale = lastSale == null || l.eventTime().isAfter(lastSale) ? l.eventTime() : lastSale;
  }

  /** The API's JSON (docs/console-api.md). */
  Map<String, Object> toJson() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("date", date.toString());
    out.put("store", query.store());
    out.put("category", query.category());
    out.put("source", "raw.pos_transactions");
    out.put("raw_snapshot_id", rawSnapshotId);
    out.put("data_as_of", dataAsOf == null ? null : dataAsOf.toString());
    Map<String, Object> totals = new LinkedHashMap<>();
    totals.put("revenue", Money.text(revenue));
    totals.put("gross", Money.text(gross));
    totals.put("returns", Money.text(returns));
    totals.put("units", units);
    totals.put("transactions", transactions);
    totals.put("transactions_per_product", transactionsPerProduct);
    totals.put("average_basket", Money.average(revenue, transactions));
    totals.put("lines", lines);
    totals.put("raw_rows", rawRows);
    totals.put("duplicates_dropped", rawRows - lines);
    totals.put("first_sale", firstSale == null ? null : firstSale.toString());
    totals.put("last_sale", lastSale == null ? null : lastSale.toString());
    out.put("totals", totals);
    List<Map<String, Object>> quarters = new ArrayList<>();
    for (int i = 0; i < buckets.length; i++) {
      int minutes = i * BUCKET_MINUTES;
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("start", String.format("%02d:%02d", minutes / 60, minutes % 60));
      m.put("revenue", Money.text(buckets[i]));
      m.put("lines", bucketLines[i]);
      quarters.add(m);
    }
    out.put("per_15_minutes", quarters);
    out.put("top_products", top(byProduct, "product"));
    out.put("top_categories", top(byCategory, "category"));
    List<Map<String, Object>> stores = new ArrayList<>();
    byStore.forEach((store, s) -> stores.add(s.toJson("store_id", store)));
    out.put("by_store", stores);
    return out;
  }

  private static List<Map<String, Object>> top(Map<String, Sum> sums, String name) {
    return sums.entrySet().stream()
        .sorted(
            Comparator.comparing((Map.Entry<String, Sum> e) -> e.getValue().revenue)
                .reversed()
                .thenComparing(Map.Entry::getKey))
        .limit(TOP)
        .map(e -> e.getValue().toJson(name, e.getKey()))
        .toList();
  }

  /** Revenue and units of a group of lines (a store's also per hour of the day). */
  static final class Sum {
    BigDecimal revenue = Money.ZERO;
    long units;
    long lines;
    BigDecimal[] hours; // a store's revenue per UTC hour, null for a product or category

    static Sum withHours() {
      Sum sum = new Sum();
      sum.hours = new BigDecimal[STORE_HOURS];
      java.util.Arrays.fill(sum.hours, Money.ZERO);
      return sum;
    }

    void add(BigDecimal amount, int quantity) {
      revenue = revenue.add(amount);
      units += quantity;
      lines++;
    }

    Map<String, Object> toJson(String name, String value) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put(name, value);
      m.put("revenue", Money.text(revenue));
      m.put("units", units);
      m.put("lines", lines);
      if (hours != null) {
        m.put("per_hour", java.util.Arrays.stream(hours).map(Money::text).toList());
      }
      return m;
    }
  }
}
