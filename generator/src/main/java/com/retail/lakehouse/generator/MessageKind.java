package com.retail.lakehouse.generator;

/** What a generated Kafka message is, so the manifest can count what downstream should see. */
public enum MessageKind {
  /** A valid sale line sent in time order. */
  VALID,
  /** A valid sale line whose event_time is 1-48 h before the simulated clock (a late upload). */
  LATE,
  /** An exact re-send (same key and bytes) of a valid line sent shortly before. */
  DUPLICATE,
  /** A message the event contract rejects; see {@link GeneratedMessage#malformedKind()}. */
  MALFORMED;

  /** Whether the message is a distinct valid sale line (late ones included, re-sends not). */
  public boolean isDistinctValidLine() {
    return this == VALID || this == LATE;
  }
}
