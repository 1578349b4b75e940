package com.retail.lakehouse.pipelines.maintain;

import com.retail.lakehouse.pipelines.options.CatalogFromOptions;
import com.retail.lakehouse.pipelines.run.PipelineArgs;
import com.retail.lakehouse.pipelines.run.RunSummary;
import com.retail.lakehouse.transforms.tables.CatalogSettings;

/**
 * {@code ./lakehouse maintain}: table maintenance of each stream's raw and dead-letter tables and
 * of the marts (POS: raw, dlq, mart; inventory: inventory, inventory_dlq, inventory_mart), the one
 * entry point of the maintain package. Guarantees: compaction keeps every row (each table's rewrite
 * is one Iceberg commit, validated from the snapshot it planned at, so rows appended meanwhile are
 * kept and a concurrent compaction makes this one fail, changing nothing), and it carries the
 * ingest Kafka position into its own snapshot; expiry never removes the snapshot that holds that
 * position nor the raw snapshots each mart last caught up with; orphan files are only listed unless
 * --delete is given. A run killed at any point leaves each table as its last commit left it (files
 * written and never committed become orphans).
 */
public final class MaintainCommand {
  /** Exit code when another compaction replaced files this run planned to rewrite. */
  public static final int CHANGED_SINCE_PLAN = 5;

  static final String SUMMARY =
      "Maintain the lakehouse tables: compact small files (per partition, raw sorted by store_id,"
          + " event_time), merge small manifests, expire old snapshots and find (with --delete,"
          + " remove) orphan files. With no step flag, all four, in that order. Ingest may keep"
          + " running: compaction keeps its rows and its Kafka position.";

  private MaintainCommand() {}

  /** Runs the command line; returns the exit code. */
  public static int run(String[] args) throws Exception {
    if (PipelineArgs.wantsHelp(args)) {
      PipelineArgs.printHelp(System.out, "maintain", SUMMARY, MaintainOptions.class);
      return 0;
    }
    MaintainOptions options = PipelineArgs.parse("maintain", args, MaintainOptions.class);
    MaintainRun.Settings.of(options); // flag errors before touching the catalog
    CatalogSettings catalog = CatalogFromOptions.settings(options);
    RunSummary summary;
    try {
      summary = MaintainRun.run(options, catalog);
    } catch (CommitRewrites.ChangedSincePlanException e) {
      System.err.println("lakehouse maintain: " + e.getMessage());
      return CHANGED_SINCE_PLAN;
    }
    summary.print(System.out);
    summary.writeJson(options.getSummaryJson());
    return 0;
  }
}
