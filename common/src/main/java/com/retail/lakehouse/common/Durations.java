package com.retail.lakehouse.common;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Objects;

/**
 * Parses the durations people type on command lines: {@code 500ms}, {@code 10s}, {@code 5m}, {@code
 * 2h}, {@code 1d}, or ISO-8601 ({@code PT1M}, {@code P1D}), case-insensitive.
 */
public final class Durations {
  private Durations() {}

  /**
   * The duration {@code text} describes: a whole number with a unit ({@code ms}, {@code s}, {@code
   * m}, {@code h}, {@code d}) or an ISO-8601 duration, ignoring case and surrounding blanks. The
   * sign is kept ({@code -5s} is negative): callers that need a positive duration check it.
   *
   * @param flag the flag's name without dashes, for the message (e.g. {@code "commit-interval"})
   * @param text what the user typed
   * @throws UsageException {@code --<flag>=<text> is not a duration (use e.g. 500ms, 10s, 5m, 2h,
   *     1d or PT1M)} if {@code text} is none of these forms or is out of range
   * @throws NullPointerException if {@code flag} or {@code text} is null
   */
  public static Duration parse(String flag, String text) {
    Objects.requireNonNull(flag, "flag");
    Objects.requireNonNull(text, () -> "the value of --" + flag);
    String t = text.strip().toLowerCase(Locale.ROOT);
    try {
      if (t.startsWith("p")) {
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
        default -> throw new NumberFormatException("no unit");
      };
    } catch (NumberFormatException
        | DateTimeParseException
        | ArithmeticException
        | IndexOutOfBoundsException e) {
      throw new UsageException(
          "--" + flag + "=" + text + " is not a duration (use e.g. 500ms, 10s, 5m, 2h, 1d or PT1M)",
          e);
    }
  }

  /** The duration of an optional flag: null when the flag is unset or blank. */
  public static Duration optional(String flag, String text) {
    return text == null || text.isBlank() ? null : parse(flag, text);
  }
}
