package com.retail.lakehouse.pipelines.mart;

import com.retail.lakehouse.pipelines.options.CatalogOptions;
import com.retail.lakehouse.pipelines.options.LakehouseOptions;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/**
 * Options of the daily sales mart job: the catalog, which sale dates to (re)build, and how much one
 * task holds.
 */
public interface MartOptions extends LakehouseOptions, CatalogOptions {
  @Description(
      "Which mart to build: sales (marts.daily_sales_summary from raw.pos_transactions) or"
          + " inventory (marts.daily_inventory from raw.inventory_movements and"
          + " raw.pos_transactions).")
  @Default.String("sales")
  String getMart();

  void setMart(String value);

  @Description(
      "Rebuild this UTC sale date, yyyy-MM-dd, or these dates, comma-separated"
          + " (2026-11-24,2026-11-26).")
  String getDate();

  void setDate(String value);

  @Description("Rebuild UTC sale dates from this date (yyyy-MM-dd, inclusive; needs --to).")
  String getFrom();

  void setFrom(String value);

  @Description("Rebuild UTC sale dates up to this date (yyyy-MM-dd, inclusive; needs --from).")
  String getTo();

  void setTo(String value);

  @Description(
      "Rebuild only the dates that received raw rows (late ones included) since the last"
          + " successful mart run; all dates when there was none. Without any date flag, every"
          + " date in raw is rebuilt.")
  @Default.Boolean(false)
  boolean getChangedSinceLastRun();

  void setChangedSinceLastRun(boolean value);

  @Description(
      "Raw lines one task reads and summarizes in memory, at most about: a sale date with more is"
          + " split by store into several tasks, each reading all of the date's files.")
  @Default.Long(4_000_000)
  long getLinesPerTask();

  void setLinesPerTask(long value);
}
