package com.retail.lakehouse.transforms.event;

import java.io.Serializable;

/**
 * Why one message was rejected: a countable reason plus a message naming the offending field. The
 * message is cut to {@value #MAX_MESSAGE_CHARS} characters: it may quote the message's content, and
 * the dead-letter row keeps the content itself.
 */
public record Rejection(DeadLetterReason reason, String message) implements Serializable {
  /** Longest message kept (the dead-letter table's {@code reason_detail}). */
  public static final int MAX_MESSAGE_CHARS = 500;

  public Rejection {
    if (message != null && message.length() > MAX_MESSAGE_CHARS) {
      message = message.substring(0, MAX_MESSAGE_CHARS - 3) + "...";
    }
  }

  /** A rejection whose message is built from the reason and a detail. */
  public static Rejection of(DeadLetterReason reason, String detail) {
    return new Rejection(reason, detail);
  }
}
