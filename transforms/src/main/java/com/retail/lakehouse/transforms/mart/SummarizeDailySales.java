package com.retail.lakehouse.transforms.mart;

import static com.retail.lakehouse.transforms.tables.DailySalesSummaryTable.DEFINITION;

import com.retail.lakehouse.transforms.metrics.MetricNames;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.schemas.SchemaCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;

/**
 * Sale lines to daily sales summary rows: per (UTC sale_date, store_id) it keeps one copy of each
 * sale line (transaction_id, line_number), the one ingested first, and sums the lines per product
 * and category (the kept copy's category; a product has one, so in practice per product: see
 * DailySalesSummaryTable). Returns count against revenue and units (raw carries them with negative
 * quantity and amounts) and are reported apart as a positive {@code returns_amount}. Every row of a
 * run carries the same {@code computed_at}.
 *
 * <p>Each input element must hold every line of each (sale_date, store) it touches, as {@link
 * ReadRawFiles} delivers them (all files of a date, or a store slice of them): copies of a line are
 * re-sends of one event and share store and event_time, and a basket's lines share its store, so
 * duplicates and distinct baskets are decided inside one element. That is what lets the mart sum
 * where it reads, with no shuffle: partial sums merged across elements could not tell a re-sent
 * line or a basket seen twice from new ones. Each output element holds the summary rows of one
 * input element, so the writer can put them into files as they come.
 */
public final class SummarizeDailySales
    extends PTransform<PCollection<SaleLines>, PCollection<List<Row>>> {
  private final Instant computedAt;

  private SummarizeDailySales(Instant computedAt) {
    this.computedAt = computedAt;
  }

  /** Summarizes, stamping every row with {@code computedAt} (the run's start). */
  public static SummarizeDailySales computedAt(Instant computedAt) {
    return new SummarizeDailySales(computedAt);
  }

  @Override
  public PCollection<List<Row>> expand(PCollection<SaleLines> lines) {
    return lines
        .apply("SumLinesPerProduct", ParDo.of(new DailySalesFn(computedAt)))
        .setCoder(ListCoder.of(SchemaCoder.of(DEFINITION.beamSchema())));
  }

  /**
   * For each line, whether it is the first-ingested copy of its (sale_date, store, transaction_id,
   * line_number); counts the other copies into {@code duplicates}. An open-addressing table of line
   * numbers: no object per line.
   */
  static boolean[] firstCopies(SaleLines lines, Counter duplicates) {
    int n = lines.size();
    int[] table = new int[Integer.highestOneBit(Math.max(n, 1)) * 4]; // load factor <= 1/2
    int mask = table.length - 1;
    boolean[] first = new boolean[n];
    long dropped = 0;
    for (int i = 0; i < n; i++) {
      int slot = lineHash(lines, i) & mask;
      while (true) {
        int kept = table[slot] - 1; // 0 = empty
        if (kept < 0) {
          table[slot] = i + 1;
          first[i] = true;
          break;
        }
        if (sameLine(lines, i, kept)) {
          dropped++;
          if (lines.ingestedBefore(i, kept)) {
            first[kept] = false;
            first[i] = true;
            table[slot] = i + 1;
          }
          break;
        }
        slot = (slot + 1) & mask;
      }
    }
    duplicates.inc(dropped);
    return first;
  }

  private static int lineHash(SaleLines lines, int i) {
    long h = lines.saleEpochDay(i);
    h = h * 31 + lines.storeNumber(i);
    h = h * 31 + lines.transactionId(i).hashCode();
    h = h * 31 + lines.lineNumber(i);
    h *= 0x9E3779B97F4A7C15L; // spread the bits the mask keeps
    return (int) (h >>> 32);
  }

  private static boolean sameLine(SaleLines lines, int a, int b) {
    return lines.lineNumber(a) == lines.lineNumber(b)
        && lines.storeNumber(a) == lines.storeNumber(b)
        && lines.saleEpochDay(a) == lines.saleEpochDay(b)
        && lines.transactionId(a).equals(lines.transactionId(b));
  }

  /**
   * Running totals of one (sale_date, store, product, category); money in cents, overflow fails.
   */
  static final class Totals {
    final long epochDay;
    final int store;
    final int product;
    final int category;
    long grossCents;
    long returnsCents;
    long units;
    long lines;
    long saleUnits;
    long saleShelfCents;
    long firstMillis = Long.MAX_VALUE;
    long lastMillis = Long.MIN_VALUE;
    // distinct baskets: most product-days have a handful, so a short array first, a set beyond
    private String[] fewBaskets = new String[4];
    private int fewBasketCount;
    private Set<String> manyBaskets;

    Totals(long epochDay, int store, int product, int category) {
      this.epochDay = epochDay;
      this.store = store;
      this.product = product;
      this.category = category;
    }

    void add(SaleLines l, int i) {
      if (l.isReturn(i)) {
        returnsCents = Math.subtractExact(returnsCents, l.totalAmountCents(i));
      } else {
        grossCents = Math.addExact(grossCents, l.totalAmountCents(i));
        saleUnits += l.quantity(i);
        saleShelfCents =
            Math.addExact(saleShelfCents, Math.multiplyExact(l.unitPriceCents(i), l.quantity(i)));
      }
      units += l.quantity(i);
      lines++;
      firstMillis = Math.min(firstMillis, l.eventMillis(i));
      lastMillis = Math.max(lastMillis, l.eventMillis(i));
      addBasket(l.transactionId(i));
    }

    private void addBasket(String transactionId) {
      if (manyBaskets != null) {
        manyBaskets.add(transactionId);
        return;
      }
      int hash = transactionId.hashCode(); // cached by String: compare it before the bytes
      for (int i = 0; i < fewBasketCount; i++) {
        if (fewBaskets[i].hashCode() == hash && fewBaskets[i].equals(transactionId)) {
          return;
        }
      }
      if (fewBasketCount == fewBaskets.length) {
        if (fewBasketCount >= 16) {
          manyBaskets = new HashSet<>(Arrays.asList(fewBaskets));
          manyBaskets.add(transactionId);
          return;
        }
        fewBaskets = Arrays.copyOf(fewBaskets, fewBasketCount * 2);
      }
      fewBaskets[fewBasketCount++] = transactionId;
    }

    long baskets() {
      return manyBaskets != null ? manyBaskets.size() : fewBasketCount;
    }

    Row toRow(SaleLines names, Instant computedAt) {
      BigDecimal avg =
          saleUnits == 0
              ? null
              : SaleLines.money(saleShelfCents)
                  .divide(BigDecimal.valueOf(saleUnits), 2, RoundingMode.HALF_EVEN);
      // attachValues: the values are already of the schema's types, so Row.Builder's per-value
      // verification (the step's largest cost: bench/results/profile-notes.md) is not needed
      return Row.withSchema(DEFINITION.beamSchema())
          .attachValues(
              Arrays.asList(
                  LocalDate.ofEpochDay(epochDay),
                  names.storeName(store),
                  names.productName(product),
                  names.categoryName(category),
                  SaleLines.money(Math.subtractExact(grossCents, returnsCents)),
                  SaleLines.money(grossCents),
                  SaleLines.money(returnsCents),
                  units,
                  baskets(),
                  lines,
                  avg,
                  new Instant(firstMillis),
                  new Instant(lastMillis),
                  computedAt));
    }
  }

  /**
   * Of one element's lines: keeps the first-ingested copy of each line per (sale_date, store), then
   * sums the kept lines per product and category into summary rows.
   */
  static final class DailySalesFn extends DoFn<SaleLines, List<Row>> {
    private final Instant computedAt;
    private final Counter duplicates = MetricNames.counter(MetricNames.MART_DUPLICATES);

    DailySalesFn(Instant computedAt) {
      this.computedAt = computedAt;
    }

    @ProcessElement
    public void process(@Element SaleLines lines, OutputReceiver<List<Row>> out) {
      boolean[] first = firstCopies(lines, duplicates);
      // (sale_date, store, product, category) as one long in mixed radix (exact: overflow fails)
      long stores = lines.storeCount();
      long products = lines.productCount();
      long categories = lines.categoryCount();
      Map<Long, Totals> byProduct = new HashMap<>();
      for (int i = 0; i < lines.size(); i++) {
        if (!first[i]) {
          continue;
        }
        long day = lines.saleEpochDay(i);
        int store = lines.storeNumber(i);
        int product = lines.productNumber(i);
        int category = lines.categoryNumber(i);
        long key =
            Math.addExact(
                Math.multiplyExact(
                    Math.addExact(
                        Math.multiplyExact(
                            Math.addExact(Math.multiplyExact(day, stores), store), products),
                        product),
                    categories),
                category);
        Totals totals = byProduct.get(key);
        if (totals == null) {
          totals = new Totals(day, store, product, category);
          byProduct.put(key, totals);
        }
        totals.add(lines, i);
      }
      List<Row> rows = new ArrayList<>(byProduct.size());
      for (Totals totals : byProduct.values()) {
        rows.add(totals.toRow(lines, computedAt));
      }
      out.output(rows);
    }
  }
}
