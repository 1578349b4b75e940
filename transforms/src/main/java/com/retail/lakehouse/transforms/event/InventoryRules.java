package com.retail.lakehouse.transforms.event;

import static com.retail.lakehouse.transforms.event.InventoryMovementSchema.*;

import com.retail.lakehouse.transforms.event.InventoryMovementSchema.MovementType;
import java.io.Serializable;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The rules an inventory movement must satisfy before it may enter {@code raw.inventory_movements}
 * (quantity's sign per movement type as {@link InventoryMovementSchema} defines it; unit_cost a
 * non-negative amount in cents that fits decimal(12,2); a reason on every ADJUSTMENT; event_time as
 * for POS events). Each failing rule returns a {@link Rejection} naming it.
 */
public final class InventoryRules implements Serializable {
  private static final int I_QUANTITY = index(QUANTITY);
  private static final int I_UNIT_COST = index(UNIT_COST);
  private static final int I_REASON = index(REASON);

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
    boolean signOk =
        switch (type) {
          case RECEIPT, TRANSFER_IN -> quantity > 0;
          case TRANSFER_OUT -> quantity < 0;
          case ADJUSTMENT -> quantity != 0;
          case COUNT -> quantity >= 0;
        };
    if (!signOk) {
      return PosEventRules.fail(
          DeadLetterReason.BAD_QUANTITY,
          "quantity="
              + quantity
              + " on a "
              + type
              + switch (type) {
                case RECEIPT, TRANSFER_IN -> " (must be > 0)";
                case TRANSFER_OUT -> " (must be < 0: units leaving)";
                case ADJUSTMENT -> " (must not be 0)";
                case COUNT -> " (the level counted: must be >= 0)";
              });
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
    Object reason = v[I_REASON];
    if (type == MovementType.ADJUSTMENT && (reason == null || ((String) reason).isBlank())) {
      return PosEventRules.fail(
          DeadLetterReason.MISSING_FIELD, "reason is required on an ADJUSTMENT");
    }
    return PosEventRules.checkEventTime(eventTime, now, futureTolerance);
  }
}
