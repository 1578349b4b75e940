package com.retail.lakehouse.transforms.event;

/**
 * Whether a sale line sells goods or takes them back; a return carries negative quantity and
 * amounts.
 */
public enum EventType {
  SALE,
  RETURN
}
