package com.retail.lakehouse.console.dashboard;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** Money as the API writes it: a string with exactly two decimals, never a float. */
final class Money {
  static final BigDecimal ZERO = BigDecimal.ZERO.setScale(2);

  private Money() {}

  /** "1234.50"; fails on a value with more than two decimals (the tables hold cents). */
  static String text(BigDecimal amount) {
    return amount.setScale(2, RoundingMode.UNNECESSARY).toPlainString();
  }

  /** {@code amount / count} to the cent (half-even), "0.00" when count is 0. */
  static String average(BigDecimal amount, long count) {
    return count == 0
        ? text(ZERO)
        : amount.divide(BigDecimal.valueOf(count), 2, RoundingMode.HALF_EVEN).toPlainString();
  }

  /** Change from {@code before} to {@code now} in percent, one decimal (half-up); null from 0. */
  static String percentChange(BigDecimal before, BigDecimal now) {
    if (before.signum() == 0) {
      return null;
    }
    return now.subtract(before)
        .multiply(BigDecimal.valueOf(100))
        .divide(before.abs(), 1, RoundingMode.HALF_UP)
        .toPlainString();
  }
}
