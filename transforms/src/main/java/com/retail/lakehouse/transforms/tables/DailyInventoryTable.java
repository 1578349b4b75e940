package com.retail.lakehouse.transforms.tables;

import com.retail.lakehouse.transforms.event.InventoryMovementSchema;
import com.retail.lakehouse.transforms.event.PosEventSchema.Field;
import com.retail.lakehouse.transforms.event.PosEventSchema.FieldKind;
import java.util.List;
import org.apache.iceberg.PartitionSpec;

/**
 * The table {@code marts.daily_inventory}: one row per (stock_date, store_id, sku) for every date
 * of a run and every (store, sku) with a movement or a POS line on or before that date, holding the
 * day's stock movements and its closing stock by the closing-stock rule of {@link
 * InventoryMovementSchema}; partitioned by stock_date so the mart job replaces whole days
 * atomically. {@code stock_date} is the UTC date of event_time, like raw's partitions and the
 * generator's manifest.
 *
 * <p>Identity: {@code closing_units = opening_units + received_units + transfer_units +
 * adjusted_units - sold_units + returned_units} on a day without a COUNT; on a day with one, {@code
 * closing_units} is the winning COUNT's level plus everything at or after it, and {@code
 * counted_variance_units} is how far that COUNT moved the level.
 */
public final class DailyInventoryTable {
  public static final String STOCK_DATE = "stock_date";
  public static final String STORE_ID = InventoryMovementSchema.STORE_ID;
  public static final String SKU = InventoryMovementSchema.SKU;
  public static final String OPENING_UNITS = "opening_units";
  public static final String RECEIVED_UNITS = "received_units";
  public static final String SOLD_UNITS = "sold_units";
  public static final String RETURNED_UNITS = "returned_units";
  public static final String ADJUSTED_UNITS = "adjusted_units";
  public static final String TRANSFER_UNITS = "transfer_units";
  public static final String COUNTED_VARIANCE_UNITS = "counted_variance_units";
  public static final String CLOSING_UNITS = "closing_units";
  public static final String UNIT_COST = "unit_cost";
  public static final String CLOSING_VALUE = "closing_value";
  public static final String STOCKOUT = "stockout";
  public static final String DAYS_OF_COVER = "days_of_cover";
  public static final String COMPUTED_AT = "computed_at";

  /** Days of net sales {@code days_of_cover} averages over, ending on stock_date. */
  public static final int COVER_DAYS = 7;

  /** The columns, in table order. */
  public static final List<Field> FIELDS =
      List.of(
          new Field(STOCK_DATE, FieldKind.DATE, true, "UTC calendar date of event_time"),
          new Field(STORE_ID, FieldKind.STRING, true, "Store code, e.g. S007"),
          new Field(SKU, FieldKind.STRING, true, "Stock keeping unit"),
          new Field(
              OPENING_UNITS, FieldKind.LONG, true, "Closing units of the day before (0 at first)"),
          new Field(RECEIVED_UNITS, FieldKind.LONG, true, "Units of RECEIPT movements"),
          new Field(SOLD_UNITS, FieldKind.LONG, true, "Units of POS SALE lines"),
          new Field(
              RETURNED_UNITS, FieldKind.LONG, true, "Units of POS RETURN lines, as a positive"),
          new Field(ADJUSTED_UNITS, FieldKind.LONG, true, "Sum of ADJUSTMENT quantities (signed)"),
          new Field(TRANSFER_UNITS, FieldKind.LONG, true, "Net transfers: TRANSFER_IN - OUT"),
          new Field(
              COUNTED_VARIANCE_UNITS,
              FieldKind.LONG,
              false,
              "The day's winning COUNT minus the book level just before it; null without a COUNT"),
          new Field(
              CLOSING_UNITS,
              FieldKind.LONG,
              true,
              "Book stock at the end of the day (closing-stock rule; never clamped)"),
          new Field(
              UNIT_COST,
              FieldKind.MONEY,
              false,
              "Latest unit_cost of a movement of the store and sku up to the day; null if none"),
          new Field(
              CLOSING_VALUE,
              FieldKind.MONEY,
              false,
              "closing_units x unit_cost; null when no unit_cost is known"),
          new Field(STOCKOUT, FieldKind.BOOLEAN, true, "closing_units <= 0"),
          new Field(
              DAYS_OF_COVER,
              FieldKind.MONEY,
              false,
              "closing_units / average daily net units sold over the 7 days ending on"
                  + " stock_date; null when those net sales are <= 0"),
          new Field(COMPUTED_AT, FieldKind.UTC_TIMESTAMP, true, "When the mart run started, UTC"));

  /** The table definition: identity-partitioned by stock_date. */
  public static final TableDefinition DEFINITION =
      new TableDefinition(
          "marts",
          "daily_inventory",
          FIELDS,
          schema -> PartitionSpec.builderFor(schema).identity(STOCK_DATE).build());

  private DailyInventoryTable() {}
}
