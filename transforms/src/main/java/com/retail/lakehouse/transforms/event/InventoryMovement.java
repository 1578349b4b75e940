package com.retail.lakehouse.transforms.event;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;

/**
 * One inventory movement of the {@code inventory_movements} contract: a change to (or a count of)
 * the stock of one SKU in one store. Field meanings and the closing-stock rule are in {@link
 * InventoryMovementSchema}.
 *
 * @param movementId unique id of the movement; a re-sent message carries the same id
 * @param storeId store code, e.g. S007 (also the Kafka key)
 * @param sku stock keeping unit
 * @param movementType what the movement does
 * @param quantity units; sign by type (see {@link MovementType})
 * @param unitCost cost of one unit to the chain, scale 2
 * @param reference purchase order, transfer, count or adjustment id
 * @param reason why an ADJUSTMENT was made; null for every other type
 * @param eventTime when the movement happened, UTC
 */
public record InventoryMovement(
    String movementId,
    String storeId,
    String sku,
    MovementType movementType,
    int quantity,
    BigDecimal unitCost,
    String reference,
    AdjustmentReason reason,
    Instant eventTime) {

  /** Checks the sign rules and that exactly ADJUSTMENTs carry a reason. */
  public InventoryMovement {
    Objects.requireNonNull(movementId, "movementId");
    Objects.requireNonNull(storeId, "storeId");
    Objects.requireNonNull(sku, "sku");
    Objects.requireNonNull(movementType, "movementType");
    Objects.requireNonNull(unitCost, "unitCost");
    Objects.requireNonNull(reference, "reference");
    Objects.requireNonNull(eventTime, "eventTime");
    if (!movementType.allows(quantity)) {
      throw new IllegalArgumentException(
          "quantity " + quantity + " is not allowed on a " + movementType + " movement");
    }
    if ((movementType == MovementType.ADJUSTMENT) != (reason != null)) {
      throw new IllegalArgumentException(
          "an ADJUSTMENT needs a reason and no other movement has one: "
              + movementType
              + " with reason "
              + reason);
    }
    if (unitCost.signum() < 0 || unitCost.scale() > 2) {
      throw new IllegalArgumentException("unit_cost must be >= 0 with at most 2 decimals");
    }
  }
}
