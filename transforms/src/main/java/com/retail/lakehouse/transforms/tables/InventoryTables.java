package com.retail.lakehouse.transforms.tables;

import com.retail.lakehouse.transforms.event.InventoryMovementSchema;
import org.apache.iceberg.PartitionSpec;

/**
 * The inventory contract's tables: {@code raw.inventory_movements}, every valid, de-duplicated
 * movement with the same lineage columns as raw.pos_transactions, partitioned by day(event_time);
 * and {@code raw.inventory_movements_dlq}, its dead letters, of the POS dead-letter table's
 * columns.
 */
public final class InventoryTables {
  /** raw.inventory_movements. */
  public static final TableDefinition RAW =
      new TableDefinition(
          "raw",
          "inventory_movements",
          RawTable.withLineage(InventoryMovementSchema.FIELDS),
          schema ->
              PartitionSpec.builderFor(schema).day(InventoryMovementSchema.EVENT_TIME).build());

  /** raw.inventory_movements_dlq. */
  public static final TableDefinition DEAD_LETTERS =
      DeadLetterTable.named("inventory_movements_dlq");

  private InventoryTables() {}
}
