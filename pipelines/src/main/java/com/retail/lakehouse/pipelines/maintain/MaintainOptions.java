package com.retail.lakehouse.pipelines.maintain;

import com.retail.lakehouse.pipelines.options.CatalogOptions;
import com.retail.lakehouse.pipelines.options.LakehouseOptions;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/**
 * Options of table maintenance: which steps run (none named: all, in a safe order), on which
 * tables, and the thresholds of each step.
 */
public interface MaintainOptions extends LakehouseOptions, CatalogOptions {
  @Description(
      "Compact: per partition, rewrite data files smaller than --min-file-size into fewer, larger"
          + " ones (raw sorted by store_id, event_time), one Iceberg rewrite commit per table.")
  @Default.Boolean(false)
  boolean getCompact();

  void setCompact(boolean value);

  @Description(
      "Expire snapshots older than --older-than beyond the last --retain-last, never the one"
          + " holding ingest's Kafka position nor the raw snapshots each mart (sales, inventory)"
          + " last caught up with.")
  @Default.Boolean(false)
  boolean getExpire();

  void setExpire(boolean value);

  @Description(
      "Find files under each table's location that no snapshot references and that are older"
          + " than --orphan-min-age (left by crashed runs); lists them with sizes, removes them"
          + " only with --delete.")
  @Default.Boolean(false)
  boolean getRemoveOrphans();

  void setRemoveOrphans(boolean value);

  @Description("Merge small manifests (below the table's commit.manifest.target-size-bytes).")
  @Default.Boolean(false)
  boolean getRewriteManifests();

  void setRewriteManifests(boolean value);

  @Description(
      "Tables to maintain, comma separated: raw, dlq, mart (raw.pos_transactions, its dead"
          + " letters, marts.daily_sales_summary), inventory, inventory_dlq, inventory_mart"
          + " (raw.inventory_movements, its dead letters, marts.daily_inventory). Tables that do"
          + " not exist yet are skipped.")
  @Default.String("raw,dlq,mart,inventory,inventory_dlq,inventory_mart")
  String getTables();

  void setTables(String value);

  @Description(
      "Compaction: data files below this many bytes are rewritten. Default: 75% of the table's"
          + " write.target-file-size-bytes.")
  Long getMinFileSize();

  void setMinFileSize(Long value);

  @Description(
      "Compaction: at most this many bytes of input files per file group; a group is one task"
          + " that sorts its rows in memory and writes one file, so this bounds a task's memory"
          + " (it is also capped at the table's target file size).")
  @Default.Long(64L * 1024 * 1024)
  long getMaxGroupBytes();

  void setMaxGroupBytes(long value);

  @Description(
      "Compaction: leave alone partitions that received a file this recently (the live"
          + " partition that ingest is still appending to), e.g. 30m, 1h, 0s.")
  @Default.String("1h")
  String getMinAge();

  void setMinAge(String value);

  @Description("Expiry: always keep this many of the newest snapshots.")
  @Default.Integer(100)
  int getRetainLast();

  void setRetainLast(int value);

  @Description("Expiry: expire only snapshots older than this, e.g. 5d, 12h.")
  @Default.String("5d")
  String getOlderThan();

  void setOlderThan(String value);

  @Description("Orphans: only files older than this count as orphans (in-flight writes are not).")
  @Default.String("3d")
  String getOrphanMinAge();

  void setOrphanMinAge(String value);

  @Description("Orphans: delete the orphan files found (without it, only list them).")
  @Default.Boolean(false)
  boolean getDelete();

  void setDelete(boolean value);
}
