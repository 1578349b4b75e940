package com.retail.lakehouse.transforms.mart;

import com.retail.lakehouse.transforms.TestEvents;
import com.retail.lakehouse.transforms.event.EventType;
import com.retail.lakehouse.transforms.event.PosEvent;
import com.retail.lakehouse.transforms.tables.DailySalesSummaryTable;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * SummarizeDailySales sums each (UTC sale date, store, product) once per sale line: a re-sent copy
 * is not counted twice (the first-ingested copy counts), returns reduce revenue and units and show
 * as a positive returns_amount, baskets are counted once per product, the date boundary is midnight
 * UTC, and each row carries the category of its lines (the kept copies' category).
 */
class SummarizeDailySalesTest {
  private static final Instant COMPUTED_AT = Instant.parse("2024-03-05T06:00:00Z");
  private static final long INGESTED =
      java.time.Instant.parse("2024-03-01T13:00:00Z").toEpochMilli();

  private static PosEvent line(
      String tx, int number, EventType type, int qty, String total, String at) {
    PosEvent b = TestEvents.sale(tx, number);
    return new PosEvent(
        b.eventId(),
        tx,
        number,
        type,
        b.storeId(),
        b.registerId(),
        b.cashierId(),
        b.product(),
        b.sku(),
        b.category(),
        qty,
        b.unitPrice(),
        type == EventType.RETURN ? BigDecimal.ZERO.setScale(2) : b.discount(),
        new BigDecimal(total),
        b.currency(),
        b.paymentMethod(),
        b.customerId(),
        at == null ? b.eventTime() : java.time.Instant.parse(at));
  }

  private static PosEvent line(String tx, EventType type, int qty, String total, String at) {
    return line(tx, 1, type, qty, total, at);
  }

  /** {@code e} with another category. */
  private static PosEvent inCategory(PosEvent e, String category) {
    return new PosEvent(
        e.eventId(),
        e.transactionId(),
        e.lineNumber(),
        e.eventType(),
        e.storeId(),
        e.registerId(),
        e.cashierId(),
        e.product(),
        e.sku(),
        category,
        e.quantity(),
        e.unitPrice(),
        e.discount(),
        e.totalAmount(),
        e.currency(),
        e.paymentMethod(),
        e.customerId(),
        e.eventTime());
  }

  /** A raw line as ingested: at a Kafka partition and offset (which decides the first copy). */
  private record Ingested(PosEvent event, int partition, long offset) {}

  private static Ingested at(PosEvent event, int partition, long offset) {
    return new Ingested(event, partition, offset);
  }

  /** Raw sale lines as ReadRawFiles reads them. */
  private static SaleLines raw(Ingested... ingested) {
    SaleLines.Builder lines = SaleLines.builder(ingested.length);
    for (Ingested line : ingested) {
      add(lines, line.event(), line.partition(), line.offset());
    }
    return lines.build();
  }

  private static void add(SaleLines.Builder lines, PosEvent e, int partition, long offset) {
    lines.add(
        e.transactionId(),
        e.lineNumber(),
        e.storeId(),
        e.product(),
        e.category(),
        e.eventType() == EventType.RETURN,
        e.quantity(),
        SaleLines.cents(e.unitPrice()),
        SaleLines.cents(e.totalAmount()),
        e.eventTime().toEpochMilli(),
        INGESTED,
        partition,
        offset);
  }

  private static Row summary(
      String date,
      String total,
      String gross,
      String returns,
      long units,
      long baskets,
      long lines,
      String first,
      String last) {
    return summary(date, "DAIRY", total, gross, returns, units, baskets, lines, first, last);
  }

  private static Row summary(
      String date,
      String category,
      String total,
      String gross,
      String returns,
      long units,
      long baskets,
      long lines,
      String first,
      String last) {
    return Row.withSchema(DailySalesSummaryTable.DEFINITION.beamSchema())
        .addValues(
            LocalDate.parse(date),
            "S007",
            "Organic Milk 1L",
            category,
            new BigDecimal(total),
            new BigDecimal(gross),
            new BigDecimal(returns),
            units,
            baskets,
            lines,
            new BigDecimal("9.99"),
            Instant.parse(first),
            Instant.parse(last),
            COMPUTED_AT)
        .build();
  }

  private static PCollection<Row> summarize(Pipeline p, List<SaleLines> elements) {
    return p.apply(Create.of(elements).withCoder(SaleLines.CODER))
        .apply(SummarizeDailySales.computedAt(COMPUTED_AT))
        .apply(Flatten.iterables());
  }

  @Test
  void sumsEachSaleLineOncePerUtcDayWithReturnsNetted() {
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    PCollection<Row> daily =
        summarize(
            p,
            List.of(
                raw(
                    at(line("T-1", EventType.SALE, 2, "18.98", null), 0, 10),
                    at(line("T-1", EventType.SALE, 2, "18.98", null), 0, 11),
                    at(line("T-2", EventType.SALE, 2, "18.98", null), 0, 12),
                    at(line("T-3", EventType.RETURN, -1, "-9.99", null), 0, 13),
                    at(line("T-4", EventType.SALE, 2, "18.98", "2024-03-01T23:59:59.999Z"), 1, 5),
                    at(line("T-5", EventType.SALE, 2, "18.98", "2024-03-02T00:00:00Z"), 1, 6))));

    PAssert.that(daily)
        .containsInAnyOrder(
            summary(
                "2024-03-01",
                "46.95",
                "56.94",
                "9.99",
                5,
                4,
                4,
                "2024-03-01T12:34:56.789Z",
                "2024-03-01T23:59:59.999Z"),
            summary(
                "2024-03-02",
                "18.98",
                "18.98",
                "0.00",
                2,
                1,
                1,
                "2024-03-02T00:00:00Z",
                "2024-03-02T00:00:00Z"));
    p.run().waitUntilFinish();
  }

  @Test
  void firstIngestedCopyOfALineCountsAndBasketsCountOncePerProduct() {
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    PCollection<Row> daily =
        summarize(
            p,
            List.of(
                raw(
                    // a later copy of T-1/1 with other values is dropped, wherever it comes
                    at(line("T-1", 1, EventType.SALE, 3, "28.97", null), 0, 20),
                    at(line("T-1", 1, EventType.SALE, 2, "18.98", null), 0, 10),
                    at(line("T-1", 2, EventType.SALE, 1, "9.99", "2024-03-01T18:00:00Z"), 0, 11)),
                raw(at(line("T-9", EventType.SALE, 1, "9.99", "2024-03-02T08:00:00Z"), 1, 3))));

    PAssert.that(daily)
        .containsInAnyOrder(
            summary(
                "2024-03-01",
                "28.97",
                "28.97",
                "0.00",
                3,
                1,
                2,
                "2024-03-01T12:34:56.789Z",
                "2024-03-01T18:00:00Z"),
            summary(
                "2024-03-02",
                "9.99",
                "9.99",
                "0.00",
                1,
                1,
                1,
                "2024-03-02T08:00:00Z",
                "2024-03-02T08:00:00Z"));
    p.run().waitUntilFinish();
  }

  @Test
  void eachRowCarriesTheCategoryOfItsKeptLinesOneRowPerCategory() {
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    PCollection<Row> daily =
        summarize(
            p,
            List.of(
                raw(
                    // a later copy of T-1/1 in another category is dropped with its category
                    at(inCategory(line("T-1", EventType.SALE, 2, "18.98", null), "FROZEN"), 0, 20),
                    at(line("T-1", EventType.SALE, 2, "18.98", null), 0, 10),
                    // the product re-categorised later that day: its lines count under the new one
                    at(
                        inCategory(
                            line("T-2", EventType.SALE, 1, "9.99", "2024-03-01T18:00:00Z"),
                            "CHILLED"),
                        0,
                        11))));

    PAssert.that(daily)
        .containsInAnyOrder(
            summary(
                "2024-03-01",
                "DAIRY",
                "18.98",
                "18.98",
                "0.00",
                2,
                1,
                1,
                "2024-03-01T12:34:56.789Z",
                "2024-03-01T12:34:56.789Z"),
            summary(
                "2024-03-01",
                "CHILLED",
                "9.99",
                "9.99",
                "0.00",
                1,
                1,
                1,
                "2024-03-01T18:00:00Z",
                "2024-03-01T18:00:00Z"));
    p.run().waitUntilFinish();
  }
}
