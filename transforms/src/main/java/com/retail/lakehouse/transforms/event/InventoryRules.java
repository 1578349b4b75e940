package com.retail.lakehouse.transforms.event;

import static com.retail.lakehouse.transforms.event.InventoryMovementSchema.*;

import java.io.Serializable;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The rules an inventory movement must satisfy before it may enter {@code raw.inventory_movements}
 * (quantity's sign per movement type, {@link MovementType#allows}; unit_cost a non-negative amount
 * in cents that fits decimal(12,2); a reason of {@link AdjustmentReason} on every ADJUSTMENT and on
 * no other movement; event_time as for POS events). Each failing rule returns a {@link Rejection}
 * naming it.
 */
public final class InventoryRules implements Serializable {
  private static final int I_QUANTITY = index(QUANTITY);
  private static final int I_UNIT_COST = index(UNIT_COST);
  private static final int I_REASON = index(REASON);

  private static boolean isAdjustmentReason(String reason) {
    for (AdjustmentReason r : AdjustmentReason.values()) {
      if (r.name().equals(reason)) {
        return true;
      }
    }
    return false;
  }

  private final Duration futureTolerance;

  public InventoryRules(Duration futureTolerance) {
    if (futureTolerance == null || futureTolerance.isNegative()) {
      throw new IllegalArgumentException("futureTolerance must be >= 0, got " + futureTolerance);
    }
    this.futureTolerance = futureTolerance;
  }

  /**
   * Checks a movement's values (in {@link InventoryMovementSchema#FIELDS} order, required ones
   * present, movement_type already known to be one of {@link MovementType}) against {@code now},
   * the message's Kafka timestamp; empty when the movement is valid.
   */
  public Optional<Rejection> check(Object[] v, MovementType type, Instant eventTime, Instant now) {
    int quantity = (Integer) v[I_QUANTITY];
    if (!type.allows(quantity)) {
      return PosEventRules.fail(
          DeadLetterReason.BAD_QUANTITY,
          "quantity=" + quantity + " on a " + type + " (" + type.quantityRule() + ")");
    }
    BigDecimal unitCost = (BigDecimal) v[I_UNIT_COST];
    Optional<Rejection> outOfRange = PosEventRules.outOfRange(UNIT_COST, unitCost);
    if (outOfRange.isPresent()) {
      return outOfRange;
    }
    if (unitCost.signum() < 0 || unitCost.scale() > 2) {
      return PosEventRules.fail(
          DeadLetterReason.BAD_UNIT_COST, "unit_cost=" + unitCost.toPlainString());
    }
    String reason = (String) v[I_REASON];
    if (type == MovementType.ADJUSTMENT ? !isAdjustmentReason(reason) : reason != null) {
      return PosEventRules.fail(
          DeadLetterReason.BAD_REASON,
          type == MovementType.ADJUSTMENT
              ? "reason="
                  + (reason == null ? "null" : ContractJson.abbreviate(reason))
                  + " on an ADJUSTMENT (must be one of DAMAGE, THEFT, EXPIRED)"
              : "reason=" + ContractJson.abbreviate(reason) + " on a " + type + " (must be null)");
    }
    return PosEventRules.checkEventTime(eventTime, now, futureTolerance);
  }
}
