package com.retail.lakehouse.pipelines.mart;

import com.retail.lakehouse.pipelines.options.CatalogFromOptions;
import com.retail.lakehouse.pipelines.run.PipelineArgs;
import com.retail.lakehouse.pipelines.run.RunSummary;
import com.retail.lakehouse.transforms.mart.ReplaceMartDays;
import com.retail.lakehouse.transforms.tables.CatalogSettings;

/**
 * {@code ./lakehouse mart}: reads the command line, runs {@link MartRun} (which rebuilds
 * marts.daily_sales_summary for the selected UTC sale dates in one commit) or, with {@code --mart
 * inventory}, {@link InventoryMartRun} (marts.daily_inventory), and prints its summary.
 */
public final class MartCommand {
  /**
   * Exit code when the mart's raw table (raw.pos_transactions; for --mart=inventory
   * raw.inventory_movements) does not exist yet.
   */
  public static final int NO_RAW_TABLE = 4;

  /**
   * Exit code when another mart run replaced some of the run's dates after it planned: nothing was
   * committed, and running the mart again rebuilds them from the newest raw data.
   */
  public static final int DATES_CHANGED_SINCE_PLAN = 5;

  private MartCommand() {}

  /** Runs the mart command line; returns the exit code. */
  public static int run(String[] args) throws Exception {
    if (PipelineArgs.wantsHelp(args)) {
      PipelineArgs.printHelp(
          System.out,
          "mart",
          "Rebuild marts.daily_sales_summary (one row per UTC sale_date, store and product) from"
              + " raw.pos_transactions, or with --mart=inventory marts.daily_inventory (one row per"
              + " UTC stock_date, store and sku) from raw.inventory_movements and"
              + " raw.pos_transactions. Each run replaces its dates in one Iceberg commit, so"
              + " re-runs never double count.",
          MartOptions.class);
      return 0;
    }
    MartOptions options = PipelineArgs.parse("mart", args, MartOptions.class);
    MartRun.requestedDates(options); // flag errors before touching the catalog
    boolean inventory = InventoryMartRun.isInventory(options);
    CatalogSettings catalog = CatalogFromOptions.settings(options);
    RunSummary summary;
    try {
      summary = inventory ? InventoryMartRun.run(options, catalog) : MartRun.run(options, catalog);
    } catch (MartRun.NoRawTableException e) {
      System.err.println("lakehouse mart: " + e.getMessage());
      return NO_RAW_TABLE;
    } catch (ReplaceMartDays.DatesChangedSincePlanException e) {
      System.err.println("lakehouse mart: " + e.getMessage());
      return DATES_CHANGED_SINCE_PLAN;
    }
    summary.print(System.out);
    summary.writeJson(options.getSummaryJson());
    return 0;
  }
}
