package com.retail.lakehouse.transforms.mart;

import static com.retail.lakehouse.transforms.tables.DailySalesSummaryTable.DEFINITION;

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
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.schemas.SchemaCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;

/**
 * Sale lines to daily sales summary rows: per (UTC sale_date, store_id) it keeps one copy of each
 * sale line (transaction_id, line_number), the one ingested first, and sums the lines per product.
 * Returns count against revenue and units (raw carries them with negative quantity and amounts) and
 * are reported apart as a positive {@code returns_amount}. Every row of a run carries the same
 * {@code computed_at}.
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
    extends PTransform<PCollection<List<SaleLine>>, PCollection<List<Row>>> {
  /** Metric: raw rows dropped because the same sale line was already counted. */
  public static final String DUPLICATES = "mart_duplicate_lines_dropped";

  private final Instant computedAt;

  private SummarizeDailySales(Instant computedAt) {
    this.computedAt = computedAt;
  }

  /** Summarizes, stamping every row with {@code computedAt} (the run's start). */
  public static SummarizeDailySales computedAt(Instant computedAt) {
    return new SummarizeDailySales(computedAt);
  }

  @Override
  public PCollection<List<Row>> expand(PCollection<List<SaleLine>> lines) {
    return lines
        .apply("SumLinesPerProduct", ParDo.of(new DailySalesFn(computedAt)))
        .setCoder(ListCoder.of(SchemaCoder.of(DEFINITION.beamSchema())));
  }

  /** A sale line within its (sale_date, store): where copies of a line are told apart. */
  private record LineOfStoreDay(
      long epochDay, String storeId, String transactionId, int lineNumber) {}

  /** One summary row's key. */
  private record ProductDay(long epochDay, String storeId, String product) {}

  /** Running totals of one (sale_date, store, product); money in cents, overflow fails. */
  static final class Totals {
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

    void add(SaleLine line) {
      if (line.isReturn()) {
        returnsCents = Math.subtractExact(returnsCents, line.totalAmountCents());
      } else {
        grossCents = Math.addExact(grossCents, line.totalAmountCents());
        saleUnits += line.quantity();
        saleShelfCents =
            Math.addExact(
                saleShelfCents, Math.multiplyExact(line.unitPriceCents(), line.quantity()));
      }
      units += line.quantity();
      lines++;
      firstMillis = Math.min(firstMillis, line.eventMillis());
      lastMillis = Math.max(lastMillis, line.eventMillis());
      addBasket(line.transactionId());
    }

    private void addBasket(String transactionId) {
      if (manyBaskets != null) {
        manyBaskets.add(transactionId);
        return;
      }
      for (int i = 0; i < fewBasketCount; i++) {
        if (fewBaskets[i].equals(transactionId)) {
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

    Row toRow(ProductDay key, Instant computedAt) {
      BigDecimal avg =
          saleUnits == 0
              ? null
              : SaleLine.money(saleShelfCents)
                  .divide(BigDecimal.valueOf(saleUnits), 2, RoundingMode.HALF_EVEN);
      // attachValues: the values are already of the schema's types, so Row.Builder's per-value
      // verification (measured: the largest cost of the whole step) is not needed
      return Row.withSchema(DEFINITION.beamSchema())
          .attachValues(
              Arrays.asList(
                  LocalDate.ofEpochDay(key.epochDay()),
                  key.storeId(),
                  key.product(),
                  SaleLine.money(Math.subtractExact(grossCents, returnsCents)),
                  SaleLine.money(grossCents),
                  SaleLine.money(returnsCents),
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
   * sums the kept lines per product into summary rows.
   */
  static final class DailySalesFn extends DoFn<List<SaleLine>, List<Row>> {
    private final Instant computedAt;
    private final Counter duplicates = Metrics.counter("lakehouse", DUPLICATES);

    DailySalesFn(Instant computedAt) {
      this.computedAt = computedAt;
    }

    @ProcessElement
    public void process(@Element List<SaleLine> lines, OutputReceiver<List<Row>> out) {
      Map<LineOfStoreDay, SaleLine> firstCopies = new HashMap<>(lines.size() * 4 / 3 + 1);
      long dropped = 0;
      for (SaleLine line : lines) {
        LineOfStoreDay key =
            new LineOfStoreDay(
                line.saleEpochDay(), line.storeId(), line.transactionId(), line.lineNumber());
        SaleLine before = firstCopies.putIfAbsent(key, line);
        if (before != null) {
          dropped++;
          if (SaleLine.INGEST_ORDER.compare(line, before) < 0) {
            firstCopies.put(key, line);
          }
        }
      }
      duplicates.inc(dropped);
      Map<ProductDay, Totals> byProduct = new HashMap<>(firstCopies.size() / 2 + 1);
      for (Map.Entry<LineOfStoreDay, SaleLine> e : firstCopies.entrySet()) {
        LineOfStoreDay at = e.getKey();
        SaleLine line = e.getValue();
        byProduct
            .computeIfAbsent(
                new ProductDay(at.epochDay(), at.storeId(), line.product()), k -> new Totals())
            .add(line);
      }
      List<Row> rows = new ArrayList<>(byProduct.size());
      for (Map.Entry<ProductDay, Totals> e : byProduct.entrySet()) {
        rows.add(e.getValue().toRow(e.getKey(), computedAt));
      }
      out.output(rows);
    }
  }
}
