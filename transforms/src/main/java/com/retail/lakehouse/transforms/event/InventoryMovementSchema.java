package com.retail.lakehouse.transforms.event;

import com.retail.lakehouse.transforms.event.PosEventSchema.Field;
import com.retail.lakehouse.transforms.event.PosEventSchema.FieldKind;
import java.util.List;
import org.apache.beam.sdk.schemas.Schema;

/**
 * The one definition of the {@code inventory_movements} contract's fields (Kafka topic {@code
 * inventory_movements}, key = store_id, one JSON object per message; JSON Schema in {@code
 * inventory-movement.schema.json}), with the rule by which books turn movements and POS lines into
 * a closing stock.
 *
 * <p><b>Closing stock.</b> The books' stock of one (store_id, sku) is computed from the distinct
 * valid movements (de-duplicated on movement_id) and the distinct valid POS lines (de-duplicated on
 * transaction_id, line_number), each applied at its event_time, whatever order they arrive in:
 *
 * <ul>
 *   <li>every movement but a COUNT and every POS line changes the level by its delta: RECEIPT and
 *       TRANSFER_IN {@code +quantity}, TRANSFER_OUT {@code -quantity}, ADJUSTMENT {@code +quantity}
 *       (signed: negative for shrink), a POS SALE or RETURN line {@code -quantity} (a sale's
 *       quantity is positive so it takes stock down; a return's is negative so it puts stock back);
 *   <li>a COUNT sets the level to its quantity at its event_time: everything with an earlier
 *       event_time is forgotten, everything at the same or a later instant applies on top. Of two
 *       COUNTs of the same (store_id, sku) at the same instant, the one with the greater
 *       movement_id (string order) wins;
 *   <li>before its first COUNT the level of a (store_id, sku) starts from 0.
 * </ul>
 *
 * <p>So the closing stock of day D (UTC) is the level after every event with event_time before
 * 00:00 UTC of D+1: if D has COUNTs, the winning (latest) COUNT's quantity plus the deltas of D's
 * events at or after its event_time; otherwise closing(D-1) plus the deltas of D's events. That is
 * {@code closing(D) = closing(D-1) + receipts + transfers in - transfers out + adjustments - units
 * sold + units returned}, except that a COUNT resets the running level. The level is never clamped:
 * a negative closing stock (the books sold more than they knew of) is a real finding, not an error.
 */
public final class InventoryMovementSchema {
  public static final String MOVEMENT_ID = "movement_id";
  public static final String STORE_ID = "store_id";
  public static final String SKU = "sku";
  public static final String MOVEMENT_TYPE = "movement_type";
  public static final String QUANTITY = "quantity";
  public static final String UNIT_COST = "unit_cost";
  public static final String REFERENCE = "reference";
  public static final String REASON = "reason";
  public static final String EVENT_TIME = "event_time";

  /** The contract's fields in wire and column order. */
  public static final List<Field> FIELDS =
      List.of(
          new Field(
              MOVEMENT_ID,
              FieldKind.STRING,
              true,
              "Unique id of the movement; the de-duplication key (a re-sent message repeats it)"),
          new Field(STORE_ID, FieldKind.STRING, true, "Store code, e.g. S007; the Kafka key"),
          new Field(SKU, FieldKind.STRING, true, "Stock keeping unit, as on POS lines"),
          new Field(
              MOVEMENT_TYPE,
              FieldKind.STRING,
              true,
              "RECEIPT, ADJUSTMENT, COUNT, TRANSFER_IN or TRANSFER_OUT"),
          new Field(
              QUANTITY,
              FieldKind.INT,
              true,
              "Units: > 0 on RECEIPT, TRANSFER_IN and TRANSFER_OUT (OUT is subtracted); != 0 on"
                  + " ADJUSTMENT (negative for shrink); >= 0 on COUNT, the counted level"),
          new Field(UNIT_COST, FieldKind.MONEY, true, "Cost of one unit to the chain, >= 0"),
          new Field(
              REFERENCE,
              FieldKind.STRING,
              true,
              "Purchase order (RECEIPT), transfer id shared by a TRANSFER_OUT and its TRANSFER_IN,"
                  + " count session (COUNT) or adjustment id"),
          new Field(
              REASON,
              FieldKind.STRING,
              false,
              "DAMAGE, THEFT or EXPIRED on an ADJUSTMENT; null otherwise"),
          new Field(
              EVENT_TIME,
              FieldKind.UTC_TIMESTAMP,
              true,
              "When the movement happened (a COUNT: the level at that instant), UTC, ms"));

  /** The movement as a Beam schema (unit_cost as DECIMAL, event_time as DATETIME in UTC). */
  public static final Schema BEAM_SCHEMA = PosEventSchema.beamSchema(FIELDS);

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
