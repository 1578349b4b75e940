package com.retail.lakehouse.pipelines.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/** Parses the durations users type on command lines: 500ms, 10s, 5m, 2h, 1d, or ISO-8601 PT1M. */
public final class Durations {
  private Durations() {}

  /** The duration, or a one-line usage error naming the flag. */
  public static Duration parse(String flag, String text) {
    String t = text.strip().toLowerCase(Locale.ROOT);
    try {
      if (t.startsWith("pt") || t.startsWith("p")) {
        return Duration.parse(t.toUpperCase(Locale.ROOT));
      }
      if (t.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
      }
      long n = Long.parseLong(t.substring(0, t.length() - 1));
      return switch (t.charAt(t.length() - 1)) {
        case 's' -> Duration.ofSeconds(n);
        case 'm' -> Duration.ofMinutes(n);
        case 'h' -> Duration.ofHours(n);
        case 'd' -> Duration.ofDays(n);
        default -> throw new NumberFormatException();
      };
    } catch (NumberFormatException | DateTimeParseException | StringIndexOutOfBoundsException e) {
      throw new PipelineArgs.UsageException(
          "--"
              + flag
              + "="
              + text
              + " is not a duration (use e.g. 500ms, 10s, 5m, 2h, 1d or PT1M)");
    }
  }
}
