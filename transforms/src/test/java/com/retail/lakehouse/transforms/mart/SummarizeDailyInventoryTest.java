package com.retail.lakehouse.transforms.mart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.retail.lakehouse.transforms.event.MovementType;
import com.retail.lakehouse.transforms.tables.DailyInventoryTable;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The closing-stock rule per (store, sku) as the inventory mart computes it: deltas add up from 0,
 * a COUNT sets the level at its instant (earlier events forgotten, events at the same instant or
 * later on top), of two COUNTs at one instant the greater movement_id wins, the level is never
 * clamped, the first-ingested copy of a movement or POS line counts once, an opening row carries
 * the level (and cost and past sales) into an incremental run, and a key without events carries.
 */
class SummarizeDailyInventoryTest {
  private static final LocalDate D1 = LocalDate.parse("2026-11-20");
  private static final LocalDate D2 = D1.plusDays(1);
  private static final LocalDate D3 = D1.plusDays(2);
  private static final Instant AT = Instant.parse("2026-11-30T00:00:00Z");

  private static long millis(LocalDate day, int hour, int minute) {
    return LocalDateTime.of(day, java.time.LocalTime.of(hour, minute))
        .toInstant(ZoneOffset.UTC)
        .toEpochMilli();
  }

  private static StockEvent move(
      String id,
      MovementType type,
      int qty,
      String cost,
      LocalDate day,
      int h,
      int m,
      long ingest) {
    return new StockEvent(
        StockEvent.Source.MOVEMENT,
        "S001",
        "SKU-00001",
        day.toEpochDay(),
        millis(day, h, m),
        id,
        0,
        type.ordinal(),
        qty,
        SaleLines.cents(new BigDecimal(cost)),
        0,
        0,
        ingest,
        0,
        ingest);
  }

  private static StockEvent line(String tx, int qty, LocalDate day, int h, int m, long ingest) {
    return new StockEvent(
        StockEvent.Source.POS_LINE,
        "S001",
        "SKU-00001",
        day.toEpochDay(),
        millis(day, h, m),
        tx,
        1,
        qty < 0 ? 1 : 0,
        qty,
        -1,
        0,
        0,
        ingest,
        0,
        ingest);
  }

  private static StockEvent martRow(LocalDate day, long closing, String cost, long sold) {
    return new StockEvent(
        StockEvent.Source.MART_ROW,
        "S001",
        "SKU-00001",
        day.toEpochDay(),
        0,
        null,
        0,
        0,
        closing,
        cost == null ? -1 : SaleLines.cents(new BigDecimal(cost)),
        sold,
        0,
        0,
        0,
        0);
  }

  private static List<Row> days(List<StockEvent> events, LocalDate first, LocalDate last) {
    long[] dropped = new long[1];
    List<Row> rows =
        SummarizeDailyInventory.days(
            events, first.toEpochDay(), last.toEpochDay(), AT, n -> dropped[0] += n);
    return rows;
  }

  private static Object get(Row row, String column) {
    return row.getValue(column);
  }

  @Test
  void deltasAddUpFromZeroAndAreNeverClamped() {
    List<Row> rows =
        days(
            List.of(
                move("M1", MovementType.RECEIPT, 5, "1.00", D1, 8, 0, 1),
                line("T1", 7, D1, 9, 0, 2), // sells more than the books know of
                line("T2", -1, D1, 10, 0, 3), // a return puts one back
                move("M2", MovementType.TRANSFER_OUT, 2, "1.00", D1, 11, 0, 4),
                move("M3", MovementType.TRANSFER_IN, 3, "1.00", D1, 12, 0, 5),
                move("M4", MovementType.ADJUSTMENT, -1, "1.00", D1, 13, 0, 6)),
            D1,
            D1);
    assertThat(rows).hasSize(1);
    Row r = rows.get(0);
    assertThat(get(r, DailyInventoryTable.OPENING_UNITS)).isEqualTo(0L);
    assertThat(get(r, DailyInventoryTable.RECEIVED_UNITS)).isEqualTo(5L);
    assertThat(get(r, DailyInventoryTable.SOLD_UNITS)).isEqualTo(7L);
    assertThat(get(r, DailyInventoryTable.RETURNED_UNITS)).isEqualTo(1L);
    assertThat(get(r, DailyInventoryTable.TRANSFER_UNITS)).isEqualTo(1L);
    assertThat(get(r, DailyInventoryTable.ADJUSTED_UNITS)).isEqualTo(-1L);
    assertThat(get(r, DailyInventoryTable.COUNTED_VARIANCE_UNITS)).isNull();
    assertThat(get(r, DailyInventoryTable.CLOSING_UNITS)).isEqualTo(-1L); // 5-7+1-2+3-1
    assertThat(get(r, DailyInventoryTable.STOCKOUT)).isEqualTo(true);
    assertThat((BigDecimal) get(r, DailyInventoryTable.CLOSING_VALUE))
        .isEqualByComparingTo("-1.00");
    // net sales 6 over 7 days: -1 / (6/7)
    assertThat((BigDecimal) get(r, DailyInventoryTable.DAYS_OF_COVER))
        .isEqualByComparingTo("-1.17");
  }

  /** Two COUNTs in one day: the variance is the last one against the level the first one set. */
  @Test
  void theCountedVarianceIsMeasuredAgainstTheLevelJustBeforeTheWinningCount() {
    List<Row> rows =
        days(
            List.of(
                move("M0", MovementType.RECEIPT, 100, "1.00", D1, 8, 0, 1),
                move("C1", MovementType.COUNT, 50, "1.00", D2, 10, 0, 2),
                line("T1", 5, D2, 12, 0, 3),
                move("C2", MovementType.COUNT, 40, "1.00", D2, 15, 0, 4)),
            D1,
            D2);
    Row d2 = rows.get(1);
    assertThat(get(d2, DailyInventoryTable.OPENING_UNITS)).isEqualTo(100L);
    assertThat(get(d2, DailyInventoryTable.CLOSING_UNITS)).isEqualTo(40L);
    // the books held 50 - 5 = 45 just before the 15:00 count
    assertThat(get(d2, DailyInventoryTable.COUNTED_VARIANCE_UNITS)).isEqualTo(-5L);
  }

  @Test
  void aCountSetsTheLevelAtItsInstantAndTheGreaterMovementIdWinsATie() {
    List<Row> rows =
        days(
            List.of(
                move("M1", MovementType.RECEIPT, 10, "2.00", D1, 8, 0, 1),
                // D2: a sale before the counts is forgotten, one at their instant applies on top
                line("T1", 3, D2, 9, 0, 2),
                move("C-A", MovementType.COUNT, 50, "2.00", D2, 12, 0, 3),
                move("C-B", MovementType.COUNT, 6, "2.00", D2, 12, 0, 4),
                line("T2", 1, D2, 12, 0, 5),
                move("M2", MovementType.RECEIPT, 4, "2.50", D2, 18, 0, 6)),
            D1,
            D3);
    assertThat(rows).hasSize(3);
    assertThat(get(rows.get(0), DailyInventoryTable.CLOSING_UNITS)).isEqualTo(10L);
    Row d2 = rows.get(1);
    assertThat(get(d2, DailyInventoryTable.OPENING_UNITS)).isEqualTo(10L);
    assertThat(get(d2, DailyInventoryTable.CLOSING_UNITS)).isEqualTo(6L - 1 + 4);
    // the count found 6 where the books had 10 - 3 just before it
    assertThat(get(d2, DailyInventoryTable.COUNTED_VARIANCE_UNITS)).isEqualTo(6L - 7);
    assertThat((BigDecimal) get(d2, DailyInventoryTable.UNIT_COST)).isEqualByComparingTo("2.50");
    assertThat((BigDecimal) get(d2, DailyInventoryTable.CLOSING_VALUE))
        .isEqualByComparingTo("22.50");
    // D3 has no event: the key carries
    Row d3 = rows.get(2);
    assertThat(get(d3, DailyInventoryTable.STOCK_DATE)).isEqualTo(D3);
    assertThat(get(d3, DailyInventoryTable.OPENING_UNITS)).isEqualTo(9L);
    assertThat(get(d3, DailyInventoryTable.CLOSING_UNITS)).isEqualTo(9L);
    assertThat(get(d3, DailyInventoryTable.STOCKOUT)).isEqualTo(false);
    // net sales of the last 7 days: 4 -> 9 / (4/7)
    assertThat((BigDecimal) get(d3, DailyInventoryTable.DAYS_OF_COVER))
        .isEqualByComparingTo("15.75");
  }

  @Test
  void theFirstIngestedCopyCountsOnce() {
    List<Row> rows =
        days(
            List.of(
                move("M1", MovementType.RECEIPT, 10, "1.00", D1, 8, 0, 9),
                move("M1", MovementType.RECEIPT, 10, "1.00", D1, 8, 0, 1),
                line("T1", 2, D1, 9, 0, 5),
                line("T1", 2, D1, 9, 0, 4)),
            D1,
            D1);
    assertThat(get(rows.get(0), DailyInventoryTable.RECEIVED_UNITS)).isEqualTo(10L);
    assertThat(get(rows.get(0), DailyInventoryTable.SOLD_UNITS)).isEqualTo(2L);
    assertThat(get(rows.get(0), DailyInventoryTable.CLOSING_UNITS)).isEqualTo(8L);
  }

  @Test
  void anIncrementalRunOpensFromTheMartsRowOfTheDayBefore() {
    List<StockEvent> events = new ArrayList<>();
    events.add(martRow(D1, 20, "3.00", 7));
    events.add(martRow(D1.minusDays(1), 27, "3.00", 7));
    events.add(line("T9", 1, D3, 9, 0, 1));
    List<Row> rows = days(events, D2, D3);
    assertThat(rows).hasSize(2);
    assertThat(get(rows.get(0), DailyInventoryTable.OPENING_UNITS)).isEqualTo(20L);
    assertThat(get(rows.get(0), DailyInventoryTable.CLOSING_UNITS)).isEqualTo(20L);
    assertThat((BigDecimal) get(rows.get(0), DailyInventoryTable.CLOSING_VALUE))
        .isEqualByComparingTo("60.00");
    // 14 sold in the mart's two days before the run: 20 / (14/7)
    assertThat((BigDecimal) get(rows.get(0), DailyInventoryTable.DAYS_OF_COVER))
        .isEqualByComparingTo("10.00");
    assertThat(get(rows.get(1), DailyInventoryTable.CLOSING_UNITS)).isEqualTo(19L);
    // a key with neither an opening row nor an event has no rows
    assertThat(days(List.of(martRow(D1.minusDays(1), 5, null, 0)), D2, D3)).isEmpty();
    // the run's own days never come from the mart
    assertThatThrownBy(() -> days(List.of(martRow(D2, 5, null, 0)), D2, D3))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("read as an opening");
  }
}
