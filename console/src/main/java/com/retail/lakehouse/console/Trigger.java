package com.retail.lakehouse.console;

import java.util.Locale;

/** What asked for a run ({@code dependency}: a run of the job it follows succeeded). */
enum Trigger {
  SCHEDULE,
  SENSOR,
  MANUAL,
  BACKFILL,
  RETRY,
  SUPERVISOR,
  DEPENDENCY;

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
              + "': use schedule, sensor, manual, backfill, retry, supervisor or dependency");
    }
  }
}
