package com.retail.lakehouse.transforms.event;

import com.retail.lakehouse.transforms.event.PosEventSchema.Field;
import com.retail.lakehouse.transforms.event.PosEventSchema.FieldKind;
import java.util.List;

/**
 * The one definition of the inventory movement's fields (topic {@code inventory_movements}, keyed
 * by store; JSON Schema: {@code inventory-movement.schema.json}), from which its Beam and Iceberg
 * schemas derive as the POS event's do.
 *
 * <p>{@code quantity} is the signed change of the store's stock of the SKU, in units: positive for
 * a {@code RECEIPT} and a {@code TRANSFER_IN}, negative for a {@code TRANSFER_OUT}, either sign
 * (never 0) for an {@code ADJUSTMENT} (negative: damage, theft, expiry, with a {@code reason}); for
 * a {@code COUNT} it is the level counted (>= 0), which replaces the books' level at its
 * event_time.
 */
public final class InventoryMovementSchema {
  public static final String MOVEMENT_ID = "movement_id";
  public static final String STORE_ID = "store_id";
  public static final String SKU = "sku";
  public static final String MOVEMENT_TYPE = "movement_type";
  public static final String QUANTITY = "quantity";
  public static final String UNIT_COST = "unit_cost";
  public static final String REASON = "reason";
  public static final String REFERENCE = "reference";
  public static final String EVENT_TIME = "event_time";

  /** What a movement does to the stock (see the class comment for quantity's sign). */
  public enum MovementType {
    RECEIPT,
    ADJUSTMENT,
    COUNT,
    TRANSFER_IN,
    TRANSFER_OUT
  }

  /** The contract's fields in wire and column order. */
  public static final List<Field> FIELDS =
      List.of(
          new Field(MOVEMENT_ID, FieldKind.STRING, true, "Unique id of the movement"),
          new Field(STORE_ID, FieldKind.STRING, true, "Store code, e.g. S007"),
          new Field(SKU, FieldKind.STRING, true, "Stock keeping unit"),
          new Field(
              MOVEMENT_TYPE,
              FieldKind.STRING,
              true,
              "RECEIPT, ADJUSTMENT, COUNT, TRANSFER_IN or TRANSFER_OUT"),
          new Field(
              QUANTITY,
              FieldKind.INT,
              true,
              "Signed change in units (> 0 RECEIPT, TRANSFER_IN; < 0 TRANSFER_OUT; != 0"
                  + " ADJUSTMENT); for a COUNT the level counted, >= 0"),
          new Field(UNIT_COST, FieldKind.MONEY, true, "Cost of one unit, >= 0"),
          new Field(
              REASON,
              FieldKind.STRING,
              false,
              "Why an ADJUSTMENT was made (e.g. DAMAGE, THEFT, EXPIRED); required on one"),
          new Field(
              REFERENCE,
              FieldKind.STRING,
              false,
              "Purchase order id of a RECEIPT, transfer id shared by a TRANSFER_OUT and its"
                  + " TRANSFER_IN"),
          new Field(
              EVENT_TIME, FieldKind.UTC_TIMESTAMP, true, "When the movement happened, UTC, ms"));

  private InventoryMovementSchema() {}

  /** The position of a field in {@link #FIELDS} (and in the raw table's columns). */
  public static int index(String name) {
    for (int i = 0; i < FIELDS.size(); i++) {
      if (FIELDS.get(i).name().equals(name)) {
        return i;
      }
    }
    throw new IllegalArgumentException("no inventory movement field " + name);
  }
}
