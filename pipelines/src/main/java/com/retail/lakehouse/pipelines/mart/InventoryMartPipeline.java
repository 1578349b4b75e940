package com.retail.lakehouse.pipelines.mart;

import com.retail.lakehouse.transforms.mart.ReadStockEvents;
import com.retail.lakehouse.transforms.mart.ReplaceMartDays;
import com.retail.lakehouse.transforms.mart.SummarizeDailyInventory;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import com.retail.lakehouse.transforms.tables.DailyInventoryTable;
import com.retail.lakehouse.transforms.write.WriteDataFiles;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import org.apache.beam.sdk.Pipeline;
import org.joda.time.Instant;

/**
 * The daily inventory mart as a list of named steps: read the planned files (movements, POS lines
 * and the mart's own rows before the first date) one file per element into stock events, group them
 * per (store, sku) and compute its days in order, group the rows per stock_date and write each
 * day's files, and replace the run's dates in one commit (the sales mart's committer).
 */
final class InventoryMartPipeline {
  private InventoryMartPipeline() {}

  /**
   * What one run needs beyond the options: the files to read, the dates it replaces (every date
   * from the first to the last), the run's identity, the raw.inventory_movements snapshot it read,
   * the mart snapshot read at plan time, whether it catches up with raw, further snapshot summary
   * entries, and the mart's own dates it reads (the opening; a change to them since the plan fails
   * the commit too).
   */
  record RunPlan(
      CatalogSettings catalog,
      List<ReadStockEvents.FileToRead> files,
      SortedSet<LocalDate> dates,
      String runId,
      Instant startedAt,
      long movementsSnapshotId,
      Long martSnapshotAtPlan,
      boolean caughtUp,
      Map<String, String> moreSummary,
      SortedSet<LocalDate> martDatesRead) {
    RunPlan {
      if (dates.isEmpty()) {
        throw new IllegalArgumentException("an inventory mart run needs at least one date");
      }
      if (dates.last().toEpochDay() - dates.first().toEpochDay() + 1 != dates.size()) {
        throw new IllegalArgumentException(
            "an inventory mart run replaces consecutive dates, got " + dates);
      }
    }
  }

  static Pipeline build(MartOptions options, RunPlan plan) {
    Pipeline p = Pipeline.create(options);
    p.apply("ReadStockEvents", ReadStockEvents.of(plan.catalog(), plan.files()))
        .apply(
            "SummarizeDailyInventory",
            SummarizeDailyInventory.of(plan.dates().first(), plan.dates().last(), plan.startedAt()))
        .apply(
            "WriteMartFiles",
            WriteDataFiles.eachBatchTo(plan.catalog(), DailyInventoryTable.DEFINITION))
        .apply(
            "ReplaceMartDays",
            ReplaceMartDays.of(
                    plan.catalog(),
                    DailyInventoryTable.DEFINITION,
                    DailyInventoryTable.STOCK_DATE,
                    plan.dates(),
                    plan.runId(),
                    plan.movementsSnapshotId(),
                    plan.martSnapshotAtPlan(),
                    plan.caughtUp(),
                    plan.moreSummary())
                .withMartDatesRead(plan.martDatesRead()));
    return p;
  }
}
