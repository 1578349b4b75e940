package com.retail.lakehouse.transforms.event;

import java.io.Serializable;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The business rules a parsed POS event must satisfy before it may enter the raw table. Each rule
 * that fails returns a {@link Rejection} naming the rule, never a bare boolean.
 *
 * <p>Money is bounded before any arithmetic or formatting ({@link #isWithinDigitBounds}): a
 * decimal's cost grows with its digits and its exponent, and {@code 1e999999999} is one digit that
 * {@code toPlainString} or an alignment of scales turns into a billion. The parser refuses such
 * values already; the rules check again for events built elsewhere.
 */
public final class PosEventRules implements Serializable {
  /** Events before this instant are rejected as corrupt clocks. */
  public static final Instant EARLIEST_EVENT_TIME = Instant.parse("2000-01-01T00:00:00Z");

  /** The default allowance for registers whose clock runs ahead of ours. */
  public static final Duration DEFAULT_FUTURE_TOLERANCE = Duration.ofDays(1);

  /** The largest amount a decimal(12,2) column holds. */
  public static final BigDecimal LARGEST_AMOUNT = new BigDecimal("9999999999.99");

  /** Most digits before, and after, the decimal point of a money value written out in full. */
  public static final int MAX_MONEY_DIGITS = 40;

  private static final BigDecimal ONE_CENT = new BigDecimal("0.01");

  private final Duration futureTolerance;

  public PosEventRules(Duration futureTolerance) {
    this.futureTolerance = futureTolerance;
  }

  /** Rules with the default future tolerance. */
  public static PosEventRules standard() {
    return new PosEventRules(DEFAULT_FUTURE_TOLERANCE);
  }

  /** Checks an event at wall-clock time {@code now}; empty when the event is valid. */
  public Optional<Rejection> check(PosEvent e, Instant now) {
    if (e.lineNumber() < 1) {
      return fail(DeadLetterReason.BAD_LINE_NUMBER, "line_number=" + e.lineNumber());
    }
    boolean sale = e.eventType() == EventType.SALE;
    if (sale ? e.quantity() <= 0 : e.quantity() >= 0) {
      return fail(
          DeadLetterReason.BAD_QUANTITY,
          "quantity="
              + e.quantity()
              + " on a "
              + e.eventType()
              + (sale ? " (must be > 0)" : " (must be < 0)"));
    }
    BigDecimal unitPrice = e.unitPrice();
    BigDecimal discount = e.discount();
    BigDecimal total = e.totalAmount();
    Optional<Rejection> outOfRange = outOfRange(PosEventSchema.UNIT_PRICE, unitPrice);
    if (outOfRange.isEmpty()) {
      outOfRange = outOfRange(PosEventSchema.DISCOUNT, discount);
    }
    if (outOfRange.isEmpty()) {
      outOfRange = outOfRange(PosEventSchema.TOTAL_AMOUNT, total);
    }
    if (outOfRange.isPresent()) {
      return outOfRange;
    }
    // Bounded operands: at most 80 digits, and an int's 10 more.
    BigDecimal gross = unitPrice.multiply(BigDecimal.valueOf(e.quantity()));
    if (gross.abs().compareTo(LARGEST_AMOUNT) > 0) {
      return fail(
          DeadLetterReason.AMOUNT_OUT_OF_RANGE,
          "quantity x unit_price = "
              + gross.toPlainString()
              + " exceeds "
              + LARGEST_AMOUNT.toPlainString());
    }
    if (unitPrice.signum() < 0 || unitPrice.scale() > 2) {
      return fail(DeadLetterReason.BAD_PRICE, "unit_price=" + unitPrice.toPlainString());
    }
    boolean discountInRange =
        sale
            ? discount.signum() >= 0 && discount.compareTo(gross) <= 0
            : discount.signum() <= 0 && discount.compareTo(gross) >= 0;
    if (discount.scale() > 2 || !discountInRange) {
      return fail(
          DeadLetterReason.BAD_DISCOUNT,
          "discount=" + discount.toPlainString() + " for a line of " + gross.toPlainString());
    }
    BigDecimal expected = gross.subtract(discount);
    if (total.scale() > 2 || expected.subtract(total).abs().compareTo(ONE_CENT) > 0) {
      return fail(
          DeadLetterReason.TOTAL_MISMATCH,
          "total_amount="
              + total.toPlainString()
              + " but quantity x unit_price - discount = "
              + expected.toPlainString());
    }
    if (!isCurrencyCode(e.currency())) {
      return fail(DeadLetterReason.BAD_CURRENCY, "currency=" + e.currency());
    }
    return checkEventTime(e.eventTime(), now, futureTolerance);
  }

  /**
   * The event-time rule every contract shares: not before {@link #EARLIEST_EVENT_TIME}, not more
   * than {@code futureTolerance} after {@code now} (the message's Kafka timestamp).
   */
  static Optional<Rejection> checkEventTime(
      Instant eventTime, Instant now, Duration futureTolerance) {
    if (eventTime.isBefore(EARLIEST_EVENT_TIME)) {
      return fail(DeadLetterReason.EVENT_TIME_TOO_OLD, "event_time=" + eventTime);
    }
    if (eventTime.isAfter(now.plus(futureTolerance))) {
      return fail(
          DeadLetterReason.EVENT_TIME_IN_FUTURE,
          "event_time=" + eventTime + " is more than " + futureTolerance + " after " + now);
    }
    return Optional.empty();
  }

  /**
   * Whether a decimal, written out in full, has at most {@link #MAX_MONEY_DIGITS} digits before and
   * after the point: the bound under which its arithmetic and formatting stay cheap. Reads only the
   * scale and the precision; never expands the value.
   */
  public static boolean isWithinDigitBounds(BigDecimal d) {
    int scale = d.scale();
    return scale <= MAX_MONEY_DIGITS
        && scale >= -MAX_MONEY_DIGITS
        && d.precision() - (long) scale <= MAX_MONEY_DIGITS;
  }

  /** AMOUNT_OUT_OF_RANGE if the value is beyond the digit bounds or beyond decimal(12,2). */
  static Optional<Rejection> outOfRange(String field, BigDecimal amount) {
    if (!isWithinDigitBounds(amount)) {
      // toString() is scientific for extreme scales: as short as the digits, never expanded.
      String shown =
          amount.precision() <= MAX_MONEY_DIGITS
              ? amount.toString()
              : "a decimal of " + amount.precision() + " digits";
      return fail(
          DeadLetterReason.AMOUNT_OUT_OF_RANGE,
          field
              + "="
              + shown
              + " has more than "
              + MAX_MONEY_DIGITS
              + " digits before or after the point");
    }
    if (amount.abs().compareTo(LARGEST_AMOUNT) > 0) {
      return fail(
          DeadLetterReason.AMOUNT_OUT_OF_RANGE,
          field + "=" + amount.toPlainString() + " exceeds " + LARGEST_AMOUNT.toPlainString());
    }
    return Optional.empty();
  }

  /** Three letters A-Z, the shape of an ISO 4217 code (a regex here cost ~2% of an ingest). */
  static boolean isCurrencyCode(String s) {
    if (s.length() != 3) {
      return false;
    }
    for (int i = 0; i < 3; i++) {
      char c = s.charAt(i);
      if (c < 'A' || c > 'Z') {
        return false;
      }
    }
    return true;
  }

  static Optional<Rejection> fail(DeadLetterReason reason, String message) {
    return Optional.of(Rejection.of(reason, message));
  }
}
