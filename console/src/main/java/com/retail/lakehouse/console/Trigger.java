package com.retail.lakehouse.console;

import java.util.Locale;

/** What asked for a run. */
enum Trigger {
  SCHEDULE,
  SENSOR,
  MANUAL,
  BACKFILL,
  RETRY,
  SUPERVISOR;

  String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  static Trigger parse(String text) {
    try {
      return valueOf(text.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unknown trigger '"
              + text
              + "': use schedule, sensor, manual, backfill, retry or supervisor");
    }
  }
}
