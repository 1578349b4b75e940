package com.retail.lakehouse.console;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The states of a run and the only moves between them: queued -> running -> succeeded | failed |
 * cancelled | skipped, and queued -> cancelled. Skipped: the job found nothing to work on yet (a
 * mart whose raw table does not exist); it is neither a failure nor retried. A retry is a new run
 * (trigger retry), never a move back, so an ended run stays ended.
 */
enum RunStatus {
  QUEUED,
  RUNNING,
  SUCCEEDED,
  FAILED,
  CANCELLED,
  SKIPPED;

  boolean canMoveTo(RunStatus next) {
    return next(this).contains(next);
  }

  boolean ended() {
    return this == SUCCEEDED || this == FAILED || this == CANCELLED || this == SKIPPED;
  }

  String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  static RunStatus parse(String text) {
    try {
      return valueOf(text.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unknown run status '"
              + text
              + "': use queued, running, succeeded, failed, cancelled or skipped");
    }
  }

  private static Set<RunStatus> next(RunStatus from) {
    return switch (from) {
      case QUEUED -> EnumSet.of(RUNNING, CANCELLED);
      case RUNNING -> EnumSet.of(SUCCEEDED, FAILED, CANCELLED, SKIPPED);
      default -> EnumSet.noneOf(RunStatus.class);
    };
  }
}
