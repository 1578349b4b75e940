package com.retail.lakehouse.transforms.tables;

import com.retail.lakehouse.transforms.event.PosEventSchema;
import com.retail.lakehouse.transforms.event.PosEventSchema.Field;
import com.retail.lakehouse.transforms.event.PosEventSchema.FieldKind;
import java.util.List;
import java.util.Set;
import org.apache.iceberg.PartitionSpec;

/**
 * The table {@code marts.daily_sales_summary}: one row per (sale_date, store_id, product, category)
 * with the day's net and gross revenue, returns, units and basket counts, partitioned by sale_date
 * so that the mart job can replace whole days atomically.
 *
 * <p>{@code category} is the category recorded on the raw lines (of each line's first-ingested
 * copy, the one the mart keeps). A product has one category in the generator's catalogue and in any
 * sane product master, so in practice this is one row per (sale_date, store_id, product); a product
 * whose lines carry two categories on one day (re-categorised mid-day) gets one row per category
 * instead of having its revenue moved to one of them, so a category filter on the mart equals the
 * same filter on raw's de-duplicated lines (as the console's live view applies it).
 *
 * <p>{@code category} was added after the first release: it is optional, and the mart run adds it
 * to an existing table that lacks it ({@link TableDefinition#createOrLoad}); sale dates built
 * before keep null in it until they are rebuilt.
 *
 * <p>{@code sale_date} is the <b>UTC</b> calendar date of {@code event_time}. Raw stores event_time
 * as UTC instants and is partitioned by day(event_time) in UTC, so a UTC date lines up exactly with
 * raw's partitions (a mart day reads whole raw files) and with the generator's manifest; a
 * store-local business date would need each store's time zone, which the event does not carry. All
 * types are ones Athena engine v3 reads (date, string, bigint, decimal(12,2), timestamp).
 */
public final class DailySalesSummaryTable {
  public static final String SALE_DATE = "sale_date";
  public static final String STORE_ID = PosEventSchema.STORE_ID;
  public static final String PRODUCT = PosEventSchema.PRODUCT;
  public static final String CATEGORY = PosEventSchema.CATEGORY;
  public static final String TOTAL_SALES = "total_sales";
  public static final String GROSS_SALES = "gross_sales";
  public static final String RETURNS_AMOUNT = "returns_amount";
  public static final String UNITS_SOLD = "units_sold";
  public static final String TRANSACTION_COUNT = "transaction_count";
  public static final String LINE_COUNT = "line_count";
  public static final String AVG_UNIT_PRICE = "avg_unit_price";
  public static final String FIRST_SALE_TIME = "first_sale_time";
  public static final String LAST_SALE_TIME = "last_sale_time";
  public static final String COMPUTED_AT = "computed_at";

  /** The columns, in table order. */
  public static final List<Field> FIELDS =
      List.of(
          new Field(SALE_DATE, FieldKind.DATE, true, "UTC calendar date of event_time"),
          new Field(STORE_ID, FieldKind.STRING, true, "Store code, e.g. S007"),
          new Field(PRODUCT, FieldKind.STRING, true, "Product name"),
          // optional: added to existing tables later, whose older days hold null until rebuilt
          new Field(CATEGORY, FieldKind.STRING, false, "Product category"),
          new Field(
              TOTAL_SALES, FieldKind.MONEY, true, "Net revenue: gross_sales - returns_amount"),
          new Field(GROSS_SALES, FieldKind.MONEY, true, "Sum of total_amount of SALE lines"),
          new Field(
              RETURNS_AMOUNT,
              FieldKind.MONEY,
              true,
              "Refunded amount of RETURN lines, as a positive number"),
          new Field(UNITS_SOLD, FieldKind.LONG, true, "Net units: sold minus returned"),
          new Field(TRANSACTION_COUNT, FieldKind.LONG, true, "Distinct baskets (transaction_id)"),
          new Field(LINE_COUNT, FieldKind.LONG, true, "Distinct sale and return lines"),
          new Field(
              AVG_UNIT_PRICE,
              FieldKind.MONEY,
              false,
              "Unit shelf price averaged over the units of SALE lines; null with no sales"),
          new Field(
              FIRST_SALE_TIME, FieldKind.UTC_TIMESTAMP, true, "Earliest event_time of a line, UTC"),
          new Field(
              LAST_SALE_TIME, FieldKind.UTC_TIMESTAMP, true, "Latest event_time of a line, UTC"),
          new Field(COMPUTED_AT, FieldKind.UTC_TIMESTAMP, true, "When the mart run started, UTC"));

  /**
   * The table definition: identity-partitioned by sale_date; {@code category} is added to an
   * existing table without it.
   */
  public static final TableDefinition DEFINITION =
      new TableDefinition(
          "marts",
          "daily_sales_summary",
          FIELDS,
          schema -> PartitionSpec.builderFor(schema).identity(SALE_DATE).build(),
          Set.of(CATEGORY));

  private DailySalesSummaryTable() {}
}
