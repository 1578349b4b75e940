package com.retail.lakehouse.console.dashboard;

import java.time.LocalDate;
import java.util.regex.Pattern;

/** A live dashboard query: one UTC day, optionally one store and one category. */
record LiveQuery(LocalDate date, String store, String category) {
  private static final Pattern STORE = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  /** Parses query-string values (null or blank = not given; date defaults to {@code today}). */
  static LiveQuery parse(String date, String store, String category, LocalDate today) {
    LocalDate d = DailyQuery.blank(date) ? today : DailyQuery.date("date", date);
    String s = DailyQuery.blank(store) ? null : store.strip();
    if (s != null && !STORE.matcher(s).matches()) {
      throw new IllegalArgumentException(
          "store wants a store id like S001 (letters, digits, '-', '_'), got '"
              + DailyQuery.oneLine(s)
              + "'");
    }
    return new LiveQuery(d, s, DailyQuery.category(category));
  }

  /** Whether a line of {@code lineStore} and {@code lineCategory} is selected. */
  boolean selects(String lineStore, String lineCategory) {
    return (store == null || store.equals(lineStore))
        && (category == null || category.equals(lineCategory));
  }
}
