package com.retail.lakehouse.transforms.event;

/** Why an {@link MovementType#ADJUSTMENT} corrected the stock. */
public enum AdjustmentReason {
  /** Broken or spoiled in handling. */
  DAMAGE,
  /** Stolen (found missing with evidence, e.g. an empty package). */
  THEFT,
  /** Past its sell-by date and written off. */
  EXPIRED
}
