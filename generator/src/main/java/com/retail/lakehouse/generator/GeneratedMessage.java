package com.retail.lakehouse.generator;

import com.retail.lakehouse.transforms.event.InventoryMovement;
import com.retail.lakehouse.transforms.event.PosEvent;

/**
 * One Kafka message the simulator produced: its key (the store id, UTF-8) and value bytes, plus
 * what it is, so senders and tests can account for it without re-parsing. A message carries either
 * a POS sale line ({@code event}) or an inventory movement ({@code movement}), never both.
 *
 * <p>Records compare arrays by identity: compare {@code key} and {@code value} with {@link
 * java.util.Arrays#equals(byte[], byte[])}.
 *
 * @param key the Kafka key: the store id in UTF-8, for every kind of message
 * @param value the Kafka value: an event's JSON, or the corrupted bytes of a malformed message
 * @param kind what the message is
 * @param event the sale line a valid, late or duplicate POS message carries; for a malformed one,
 *     the line it was corrupted from; null on an inventory message
 * @param malformedKind how a malformed message was corrupted; null for other kinds
 * @param movement the inventory movement an inventory message carries (or was corrupted from); null
 *     on a POS message
 */
public record GeneratedMessage(
    byte[] key,
    byte[] value,
    MessageKind kind,
    PosEvent event,
    MalformedKind malformedKind,
    InventoryMovement movement) {

  /** Exactly one of a sale line and a movement. */
  public GeneratedMessage {
    if ((event == null) == (movement == null)) {
      throw new IllegalArgumentException("a message carries either a sale line or a movement");
    }
  }

  /** A POS message. */
  public GeneratedMessage(
      byte[] key, byte[] value, MessageKind kind, PosEvent event, MalformedKind malformedKind) {
    this(key, value, kind, event, malformedKind, null);
  }

  /** The stream the message belongs to, which decides its topic. */
  public EventStream stream() {
    return movement != null ? EventStream.INVENTORY : EventStream.POS;
  }

  /** When the carried line or movement happened (for a malformed message: its source's time). */
  public long eventMillis() {
    return movement != null
        ? movement.eventTime().toEpochMilli()
        : event.eventTime().toEpochMilli();
  }
}
