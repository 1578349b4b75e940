package com.retail.lakehouse.console.dashboard;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.regex.Pattern;

/**
 * A daily dashboard query: an inclusive range of sale dates, an optional store and an optional
 * category. Either bound may be left out (the mart's last 30 days, or 30 days from/to the given
 * bound).
 */
record DailyQuery(LocalDate from, LocalDate to, String store, String category) {
  static final int DEFAULT_DAYS = 30;
  static final int MAX_DAYS = 366;
  private static final Pattern STORE = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final Pattern CATEGORY = Pattern.compile("[\\p{L}\\p{N} &'_.-]{1,64}");

  /** Days in the range. */
  long days() {
    return ChronoUnit.DAYS.between(from, to) + 1;
  }

  /** The range of equal length just before this one. */
  LocalDate previousFrom() {
    return from.minusDays(days());
  }

  /**
   * Parses the query string values (null or blank = not given); {@code lastMartDate} (null when the
   * mart is empty) and {@code today} fill missing bounds. Bad values fail with a one-line
   * IllegalArgumentException (the API's 400).
   */
  static DailyQuery parse(
      String from,
      String to,
      String store,
      String category,
      LocalDate lastMartDate,
      LocalDate today) {
    LocalDate f = blank(from) ? null : date("from", from);
    LocalDate t = blank(to) ? null : date("to", to);
    if (f == null && t == null) {
      t = lastMartDate != null ? lastMartDate : today;
    }
    if (f == null) {
      f = t.minusDays(DEFAULT_DAYS - 1);
    }
    if (t == null) {
      t = f.plusDays(DEFAULT_DAYS - 1);
    }
    if (f.isAfter(t)) {
      throw new IllegalArgumentException("from " + f + " is after to " + t);
    }
    if (ChronoUnit.DAYS.between(f, t) + 1 > MAX_DAYS) {
      throw new IllegalArgumentException(
          "from " + f + " to " + t + " spans more than " + MAX_DAYS + " days");
    }
    String s = blank(store) ? null : store.strip();
    if (s != null && !STORE.matcher(s).matches()) {
      throw new IllegalArgumentException(
          "store wants a store id like S001 (letters, digits, '-', '_'), got '" + oneLine(s) + "'");
    }
    return new DailyQuery(f, t, s, category(category));
  }

  /**
   * A category filter value: null when not given, else the stripped name, which must look like a
   * category name (letters, digits, spaces, {@code &'_.-}; the live view's rule too).
   */
  static String category(String category) {
    String c = blank(category) ? null : category.strip();
    if (c != null && !CATEGORY.matcher(c).matches()) {
      throw new IllegalArgumentException(
          "category wants a name like Dairy (letters, digits, spaces), got '" + oneLine(c) + "'");
    }
    return c;
  }

  static LocalDate date(String name, String value) {
    try {
      return LocalDate.parse(value.strip());
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          name + " wants a date like 2026-11-24, got '" + oneLine(value) + "'");
    }
  }

  static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  /** A user value fit for a one-line message: first line, at most 40 characters. */
  static String oneLine(String s) {
    String line = s.lines().findFirst().orElse("");
    return line.length() > 40 ? line.substring(0, 40) + "…" : line;
  }
}
