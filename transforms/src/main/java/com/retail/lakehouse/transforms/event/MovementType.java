package com.retail.lakehouse.transforms.event;

/**
 * What an inventory movement does to the stock of one SKU in one store, and the sign its {@code
 * quantity} carries (see {@link InventoryMovementSchema} for the closing-stock rule).
 */
public enum MovementType {
  /** Goods received from a distribution centre against a purchase order; quantity > 0, added. */
  RECEIPT,
  /**
   * A recorded stock correction (damage, theft, expiry); quantity != 0, added as signed (negative
   * for shrink), with a {@code reason}.
   */
  ADJUSTMENT,
  /**
   * A physical (cycle) count: quantity >= 0 is the counted level, which replaces the book level at
   * the count's event_time.
   */
  COUNT,
  /** Goods arriving from another store; quantity > 0, added. Shares its reference with the OUT. */
  TRANSFER_IN,
  /** Goods leaving for another store; quantity > 0, subtracted. */
  TRANSFER_OUT;

  /** Whether {@code quantity} is allowed on a movement of this type (the sign rules above). */
  public boolean allows(int quantity) {
    return switch (this) {
      case RECEIPT, TRANSFER_IN, TRANSFER_OUT -> quantity > 0;
      case ADJUSTMENT -> quantity != 0;
      case COUNT -> quantity >= 0;
    };
  }

  /** The sign rule of this type, for a rejection's message. */
  public String quantityRule() {
    return switch (this) {
      case RECEIPT, TRANSFER_IN, TRANSFER_OUT -> "must be > 0";
      case ADJUSTMENT -> "must not be 0";
      case COUNT -> "the level counted: must be >= 0";
    };
  }

  /**
   * The change in book stock this movement makes, for every type but {@link #COUNT} (which sets the
   * level instead of changing it).
   *
   * @throws IllegalStateException for a COUNT
   */
  public long stockDelta(int quantity) {
    return switch (this) {
      case RECEIPT, TRANSFER_IN, ADJUSTMENT -> quantity;
      case TRANSFER_OUT -> -(long) quantity;
      case COUNT -> throw new IllegalStateException("a COUNT sets the level, it has no delta");
    };
  }
}
