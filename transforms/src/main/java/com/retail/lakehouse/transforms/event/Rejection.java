package com.retail.lakehouse.transforms.event;

import java.io.Serializable;

/** Why one message was rejected: a countable reason plus a message naming the offending field. */
public record Rejection(DeadLetterReason reason, String message) implements Serializable {

  /** A rejection whose message is built from the reason and a detail. */
  public static Rejection of(DeadLetterReason reason, String detail) {
    return new Rejection(reason, detail);
  }
}
