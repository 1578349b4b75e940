package com.retail.lakehouse.transforms.mart;

import java.io.Serializable;

/**
 * One thing that moves the stock of one (store_id, sku), as {@link ReadStockEvents} reads it: a
 * movement of raw.inventory_movements, a POS line of raw.pos_transactions, or a row of the mart
 * itself before the run's first date (its opening balance and the net sales {@code days_of_cover}
 * looks back on). Copies of one movement or POS line carry their ingest order, so the first
 * ingested one can be kept ({@link SaleLines#ingestedBefore(long, int, long, long, int, long)}).
 *
 * @param source what the event is
 * @param storeId the store
 * @param sku the SKU
 * @param epochDay the UTC day of event_time (a mart row: its stock_date)
 * @param eventMillis event_time in ms (0 for a mart row)
 * @param id movement_id or transaction_id (null for a mart row)
 * @param lineNumber the POS line number (0 otherwise)
 * @param type a movement's {@code MovementType} ordinal; 1 for a POS RETURN line, 0 for a SALE
 * @param quantity the quantity as in raw; a mart row's closing_units
 * @param unitCostCents a movement's unit_cost in cents; a mart row's unit_cost, or -1 for none
 * @param sold a mart row's sold_units (0 otherwise)
 * @param returned a mart row's returned_units (0 otherwise)
 * @param ingestMillis ingest_time in ms (raw rows)
 * @param kafkaPartition Kafka partition (raw rows)
 * @param kafkaOffset Kafka offset (raw rows)
 */
public record StockEvent(
    Source source,
    String storeId,
    String sku,
    long epochDay,
    long eventMillis,
    String id,
    int lineNumber,
    int type,
    long quantity,
    long unitCostCents,
    long sold,
    long returned,
    long ingestMillis,
    int kafkaPartition,
    long kafkaOffset)
    implements Serializable {

  /** Where an event comes from. */
  public enum Source {
    /** raw.inventory_movements. */
    MOVEMENT,
    /** raw.pos_transactions. */
    POS_LINE,
    /** marts.daily_inventory, a day before the run's first date. */
    MART_ROW
  }

  /** Whether this copy was ingested before {@code other} (the de-duplication order). */
  boolean ingestedBefore(StockEvent other) {
    return SaleLines.ingestedBefore(
        ingestMillis,
        kafkaPartition,
        kafkaOffset,
        other.ingestMillis,
        other.kafkaPartition,
        other.kafkaOffset);
  }

  /** The grouping key: every event of one (store_id, sku). */
  String key() {
    return storeId + "\n" + sku;
  }
}
