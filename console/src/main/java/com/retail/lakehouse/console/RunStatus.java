package com.retail.lakehouse.console;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The states of a run and the only moves between them: queued -> running -> succeeded | failed |
 * cancelled, and queued -> cancelled. A retry is a new run (trigger retry), never a move back, so
 * an ended run stays ended.
 */
enum RunStatus {
  QUEUED,
  RUNNING,
  SUCCEEDED,
  FAILED,
  CANCELLED;

  boolean canMoveTo(RunStatus next) {
    return next(this).contains(next);
  }

  boolean ended() {
    return this == SUCCEEDED || this == FAILED || this == CANCELLED;
  }

  String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  static RunStatus parse(String text) {
    try {
      return valueOf(text.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unknown run status '" + text + "': use queued, running, succeeded, failed or cancelled");
    }
  }

  private static Set<RunStatus> next(RunStatus from) {
    return switch (from) {
      case QUEUED -> EnumSet.of(RUNNING, CANCELLED);
      case RUNNING -> EnumSet.of(SUCCEEDED, FAILED, CANCELLED);
      default -> EnumSet.noneOf(RunStatus.class);
    };
  }
}
