package com.retail.lakehouse.pipelines.mart;

import com.retail.lakehouse.transforms.mart.RawFilePlan;
import com.retail.lakehouse.transforms.mart.ReadRawFiles;
import com.retail.lakehouse.transforms.mart.ReplaceMartDays;
import com.retail.lakehouse.transforms.mart.SummarizeDailySales;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import com.retail.lakehouse.transforms.tables.DailySalesSummaryTable;
import com.retail.lakehouse.transforms.write.WriteDataFiles;
import org.apache.beam.sdk.Pipeline;
import org.joda.time.Instant;

/**
 * The daily sales mart as a list of named steps: read the planned raw files one day (slice) per
 * element, summarize each element per (sale_date, store, product, category) where it was read,
 * write each element's summary rows into data files, and replace the selected days in one commit.
 * Raw lines never cross a shuffle; only the written files' metadata is gathered for the commit.
 */
public final class MartPipeline {
  private MartPipeline() {}

  /**
   * What one run needs beyond the options: the catalog, the raw files and dates, its identity, the
   * mart snapshot read before raw was planned (null: the mart was empty; the commit fails if the
   * dates changed in the mart since), and whether its dates are all that raw changed (see
   * ReplaceMartDays.CAUGHT_UP_KEY).
   */
  public record RunPlan(
      CatalogSettings catalog,
      RawFilePlan raw,
      String runId,
      Instant startedAt,
      Long martSnapshotAtPlan,
      boolean caughtUp) {}

  public static Pipeline build(MartOptions options, RunPlan plan) {
    Pipeline p = Pipeline.create(options);
    p.apply("ReadRawLines", ReadRawFiles.of(plan.catalog(), plan.raw().slices()))
        .apply("SummarizeDailySales", SummarizeDailySales.computedAt(plan.startedAt()))
        .apply(
            "WriteMartFiles",
            WriteDataFiles.eachBatchTo(plan.catalog(), DailySalesSummaryTable.DEFINITION))
        .apply(
            "ReplaceMartDays",
            ReplaceMartDays.of(
                plan.catalog(),
                plan.raw().dates(),
                plan.runId(),
                plan.raw().rawSnapshotId(),
                plan.martSnapshotAtPlan(),
                plan.caughtUp()));
    return p;
  }
}
