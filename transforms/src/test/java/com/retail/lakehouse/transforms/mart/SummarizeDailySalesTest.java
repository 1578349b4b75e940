package com.retail.lakehouse.transforms.mart;

import com.retail.lakehouse.transforms.TestEvents;
import com.retail.lakehouse.transforms.event.EventType;
import com.retail.lakehouse.transforms.event.PosEvent;
import com.retail.lakehouse.transforms.tables.DailySalesSummaryTable;
import com.retail.lakehouse.transforms.tables.RawTable;
import java.math.BigDecimal;
import java.time.LocalDate;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.schemas.SchemaCoder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * SummarizeDailySales sums each (UTC sale date, store, product) once per sale line: a re-sent copy
 * is not counted twice, returns reduce revenue and units and show as a positive returns_amount, and
 * the date boundary is midnight UTC.
 */
class SummarizeDailySalesTest {
  private static final Instant COMPUTED_AT = Instant.parse("2024-03-05T06:00:00Z");

  private static PosEvent line(String tx, EventType type, int qty, String total, String at) {
    PosEvent b = TestEvents.sale(tx, 1);
    return new PosEvent(
        b.eventId(),
        tx,
        1,
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
    return Row.withSchema(DailySalesSummaryTable.DEFINITION.beamSchema())
        .addValues(
            LocalDate.parse(date),
            "S007",
            "Organic Milk 1L",
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

  @Test
  void sumsEachSaleLineOncePerUtcDayWithReturnsNetted() {
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    PCollection<Row> raw =
        p.apply(
            Create.of(
                    TestEvents.rawRow(line("T-1", EventType.SALE, 2, "18.98", null), 0, 10),
                    TestEvents.rawRow(line("T-1", EventType.SALE, 2, "18.98", null), 0, 11),
                    TestEvents.rawRow(line("T-2", EventType.SALE, 2, "18.98", null), 0, 12),
                    TestEvents.rawRow(line("T-3", EventType.RETURN, -1, "-9.99", null), 0, 13),
                    TestEvents.rawRow(
                        line("T-4", EventType.SALE, 2, "18.98", "2024-03-01T23:59:59.999Z"), 1, 5),
                    TestEvents.rawRow(
                        line("T-5", EventType.SALE, 2, "18.98", "2024-03-02T00:00:00Z"), 1, 6))
                .withCoder(SchemaCoder.of(RawTable.DEFINITION.beamSchema())));

    PCollection<Row> daily = raw.apply(SummarizeDailySales.computedAt(COMPUTED_AT));

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
}
