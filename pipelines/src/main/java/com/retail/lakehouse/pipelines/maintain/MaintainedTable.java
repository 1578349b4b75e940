package com.retail.lakehouse.pipelines.maintain;

import com.retail.lakehouse.common.UsageException;
import com.retail.lakehouse.transforms.event.InventoryMovementSchema;
import com.retail.lakehouse.transforms.event.PosEventSchema;
import com.retail.lakehouse.transforms.tables.DailyInventoryTable;
import com.retail.lakehouse.transforms.tables.DailySalesSummaryTable;
import com.retail.lakehouse.transforms.tables.DeadLetterTable;
import com.retail.lakehouse.transforms.tables.InventoryTables;
import com.retail.lakehouse.transforms.tables.RawTable;
import com.retail.lakehouse.transforms.tables.TableDefinition;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The tables maintenance knows, with the order compaction sorts their rows in: the POS stream's raw
 * table, its dead letters and the sales mart, and the inventory stream's raw table, its dead
 * letters and the inventory mart. Raw tables are sorted by {@code store_id, event_time}: the
 * dashboard's and Athena's store and time filters then skip most row groups of a compacted file by
 * their min/max statistics, where ingest's arrival order mixes every store in every row group; dead
 * letters by {@code failed_at}; the marts by store and product (sales) or SKU (inventory).
 */
enum MaintainedTable {
  RAW("raw", RawTable.DEFINITION, List.of(PosEventSchema.STORE_ID, PosEventSchema.EVENT_TIME)),
  DLQ("dlq", DeadLetterTable.DEFINITION, List.of(DeadLetterTable.FAILED_AT)),
  MART(
      "mart",
      DailySalesSummaryTable.DEFINITION,
      List.of(DailySalesSummaryTable.STORE_ID, DailySalesSummaryTable.PRODUCT)),
  INVENTORY(
      "inventory",
      InventoryTables.RAW,
      List.of(InventoryMovementSchema.STORE_ID, InventoryMovementSchema.EVENT_TIME)),
  INVENTORY_DLQ("inventory_dlq", InventoryTables.DEAD_LETTERS, List.of(DeadLetterTable.FAILED_AT)),
  INVENTORY_MART(
      "inventory_mart",
      DailyInventoryTable.DEFINITION,
      List.of(DailyInventoryTable.STORE_ID, DailyInventoryTable.SKU));

  private final String flag;
  private final TableDefinition definition;
  private final List<String> sortColumns;

  MaintainedTable(String flag, TableDefinition definition, List<String> sortColumns) {
    this.flag = flag;
    this.definition = definition;
    this.sortColumns = sortColumns;
  }

  String flag() {
    return flag;
  }

  TableDefinition definition() {
    return definition;
  }

  /** The columns a compacted file's rows are sorted by, in order. */
  List<String> sortColumns() {
    return sortColumns;
  }

  /** Every flag, comma separated, in maintenance order: --tables' default. */
  static String allFlags() {
    return String.join(",", java.util.Arrays.stream(values()).map(t -> t.flag).toList());
  }

  /**
   * The tables a --tables value names, in maintenance order (raw, dlq, mart, inventory,
   * inventory_dlq, inventory_mart).
   */
  static List<MaintainedTable> parse(String value) {
    List<String> names = new ArrayList<>();
    for (String part : value.split(",")) {
      String name = part.strip().toLowerCase(Locale.ROOT);
      if (name.isEmpty()) {
        continue;
      }
      if (of(name) == null) {
        throw new UsageException(
            "--tables: unknown table '" + part.strip() + "': use " + allFlags().replace(",", ", "));
      }
      names.add(name);
    }
    if (names.isEmpty()) {
      throw new UsageException("--tables names no table: use " + allFlags().replace(",", ", "));
    }
    List<MaintainedTable> tables = new ArrayList<>();
    for (MaintainedTable t : values()) {
      if (names.contains(t.flag)) {
        tables.add(t);
      }
    }
    return tables;
  }

  /** The table a flag name names, or null. */
  static MaintainedTable of(String flag) {
    for (MaintainedTable t : values()) {
      if (t.flag.equals(flag)) {
        return t;
      }
    }
    return null;
  }
}
