package com.retail.lakehouse.transforms.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.retail.lakehouse.transforms.TestEvents;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PosEventRulesTest {
  private static final Instant NOW = Instant.parse("2024-03-02T00:00:00Z");
  private final PosEventRules rules = PosEventRules.standard();

  /** A line with the given amounts; the rest from the valid fixture. */
  private static PosEvent line(
      EventType type, int quantity, String unitPrice, String discount, String total) {
    PosEvent b = TestEvents.sale();
    return new PosEvent(
        b.eventId(),
        b.transactionId(),
        b.lineNumber(),
        type,
        b.storeId(),
        b.registerId(),
        b.cashierId(),
        b.product(),
        b.sku(),
        b.category(),
        quantity,
        new BigDecimal(unitPrice),
        new BigDecimal(discount),
        new BigDecimal(total),
        b.currency(),
        b.paymentMethod(),
        b.customerId(),
        b.eventTime());
  }

  private static PosEvent withCurrency(String currency) {
    PosEvent b = TestEvents.sale();
    return new PosEvent(
        b.eventId(),
        b.transactionId(),
        b.lineNumber(),
        b.eventType(),
        b.storeId(),
        b.registerId(),
        b.cashierId(),
        b.product(),
        b.sku(),
        b.category(),
        b.quantity(),
        b.unitPrice(),
        b.discount(),
        b.totalAmount(),
        currency,
        b.paymentMethod(),
        b.customerId(),
        b.eventTime());
  }

  private static PosEvent at(Instant eventTime) {
    PosEvent b = TestEvents.sale();
    return new PosEvent(
        b.eventId(),
        b.transactionId(),
        b.lineNumber(),
        b.eventType(),
        b.storeId(),
        b.registerId(),
        b.cashierId(),
        b.product(),
        b.sku(),
        b.category(),
        b.quantity(),
        b.unitPrice(),
        b.discount(),
        b.totalAmount(),
        b.currency(),
        b.paymentMethod(),
        b.customerId(),
        eventTime);
  }

  private static PosEvent lineNumber(int n) {
    PosEvent b = TestEvents.sale();
    return new PosEvent(
        b.eventId(),
        b.transactionId(),
        n,
        b.eventType(),
        b.storeId(),
        b.registerId(),
        b.cashierId(),
        b.product(),
        b.sku(),
        b.category(),
        b.quantity(),
        b.unitPrice(),
        b.discount(),
        b.totalAmount(),
        b.currency(),
        b.paymentMethod(),
        b.customerId(),
        b.eventTime());
  }

  private Optional<DeadLetterReason> reasonFor(PosEvent e) {
    return rules.check(e, NOW).map(Rejection::reason);
  }

  /**
   * Events built outside the parser (a test, the generator) get the same digit bounds: an extreme
   * exponent is AMOUNT_OUT_OF_RANGE, without toPlainString or a scale alignment expanding it.
   */
  @Test
  void extremeExponentsAreOutOfRangeWithoutExpandingThem() {
    assertTimeoutPreemptively(
        Duration.ofSeconds(5),
        () -> {
          for (PosEvent e :
              new PosEvent[] {
                line(EventType.SALE, 2, "1e999999999", "0", "0"),
                line(EventType.SALE, 2, "1E-999999999", "0", "0"),
                line(EventType.SALE, 2, "9.99", "1e-999999999", "19.98"),
                line(EventType.SALE, 2, "9.99", "0", "1E-2147483647"),
                line(EventType.SALE, 2, "9.99", "0", "-1E+2147483647"),
                line(EventType.SALE, 2, "0E+999999999", "0", "0")
              }) {
            Optional<Rejection> r = rules.check(e, NOW);
            assertThat(r).map(Rejection::reason).contains(DeadLetterReason.AMOUNT_OUT_OF_RANGE);
            assertThat(r.get().message()).hasSizeLessThan(120);
          }
        });
  }

  @Test
  void digitBoundsAreFortyDigitsEachSideOfThePoint() {
    assertThat(PosEventRules.isWithinDigitBounds(new BigDecimal("1" + "0".repeat(39)))).isTrue();
    assertThat(PosEventRules.isWithinDigitBounds(new BigDecimal("1" + "0".repeat(40)))).isFalse();
    assertThat(PosEventRules.isWithinDigitBounds(new BigDecimal("1e-40"))).isTrue();
    assertThat(PosEventRules.isWithinDigitBounds(new BigDecimal("1e-41"))).isFalse();
    assertThat(PosEventRules.isWithinDigitBounds(new BigDecimal("0e41"))).isFalse();
    assertThat(PosEventRules.isWithinDigitBounds(new BigDecimal("-9999999999.99"))).isTrue();
  }

  @Test
  void fixtureSaleIsValid() {
    assertThat(rules.check(TestEvents.sale(), NOW)).isEmpty();
  }

  @Test
  void lineNumberZeroIsRejectedAndOneIsAccepted() {
    assertThat(reasonFor(lineNumber(0))).contains(DeadLetterReason.BAD_LINE_NUMBER);
    assertThat(reasonFor(lineNumber(1))).isEmpty();
  }

  @Test
  void zeroQuantityOnSaleIsRejected() {
    Optional<Rejection> r = rules.check(line(EventType.SALE, 0, "9.99", "0.00", "0.00"), NOW);

    assertThat(r).map(Rejection::reason).contains(DeadLetterReason.BAD_QUANTITY);
    assertThat(r.get().message()).contains("quantity=0");
  }

  @Test
  void negativeQuantityOnSaleIsRejected() {
    assertThat(reasonFor(line(EventType.SALE, -1, "9.99", "0.00", "-9.99")))
        .contains(DeadLetterReason.BAD_QUANTITY);
  }

  @Test
  void quantityOneOnSaleIsAccepted() {
    assertThat(reasonFor(line(EventType.SALE, 1, "9.99", "0.00", "9.99"))).isEmpty();
  }

  @Test
  void positiveQuantityOnReturnIsRejected() {
    assertThat(reasonFor(line(EventType.RETURN, 1, "9.99", "0.00", "9.99")))
        .contains(DeadLetterReason.BAD_QUANTITY);
  }

  @Test
  void zeroQuantityOnReturnIsRejected() {
    assertThat(reasonFor(line(EventType.RETURN, 0, "9.99", "0.00", "0.00")))
        .contains(DeadLetterReason.BAD_QUANTITY);
  }

  @Test
  void negativeQuantityOnReturnWithNegativeAmountsIsAccepted() {
    assertThat(reasonFor(line(EventType.RETURN, -2, "9.99", "-1.00", "-18.98"))).isEmpty();
  }

  @Test
  void negativeUnitPriceIsRejected() {
    assertThat(reasonFor(line(EventType.SALE, 1, "-0.01", "0.00", "-0.01")))
        .contains(DeadLetterReason.BAD_PRICE);
  }

  @Test
  void zeroUnitPriceIsAccepted() {
    assertThat(reasonFor(line(EventType.SALE, 1, "0.00", "0.00", "0.00"))).isEmpty();
  }

  @Test
  void unitPriceWithThreeDecimalsIsRejected() {
    assertThat(reasonFor(line(EventType.SALE, 1, "9.999", "0.00", "10.00")))
        .contains(DeadLetterReason.BAD_PRICE);
  }

  @Test
  void negativeDiscountOnSaleIsRejected() {
    assertThat(reasonFor(line(EventType.SALE, 2, "9.99", "-1.00", "20.98")))
        .contains(DeadLetterReason.BAD_DISCOUNT);
  }

  @Test
  void discountLargerThanTheSaleLineIsRejected() {
    assertThat(reasonFor(line(EventType.SALE, 2, "9.99", "19.99", "-0.01")))
        .contains(DeadLetterReason.BAD_DISCOUNT);
  }

  @Test
  void discountEqualToTheSaleLineIsAccepted() {
    assertThat(reasonFor(line(EventType.SALE, 2, "9.99", "19.98", "0.00"))).isEmpty();
  }

  @Test
  void positiveDiscountOnReturnIsRejected() {
    assertThat(reasonFor(line(EventType.RETURN, -2, "9.99", "1.00", "-20.98")))
        .contains(DeadLetterReason.BAD_DISCOUNT);
  }

  @Test
  void returnDiscountBeyondTheLineIsRejectedAndEqualIsAccepted() {
    assertThat(reasonFor(line(EventType.RETURN, -2, "9.99", "-19.99", "0.01")))
        .contains(DeadLetterReason.BAD_DISCOUNT);
    assertThat(reasonFor(line(EventType.RETURN, -2, "9.99", "-19.98", "0.00"))).isEmpty();
  }

  @Test
  void discountWithThreeDecimalsIsRejected() {
    assertThat(reasonFor(line(EventType.SALE, 2, "9.99", "1.005", "18.975")))
        .contains(DeadLetterReason.BAD_DISCOUNT);
  }

  @Test
  void totalOffByMoreThanACentIsRejected() {
    Optional<Rejection> r = rules.check(line(EventType.SALE, 2, "9.99", "1.00", "19.00"), NOW);

    assertThat(r).map(Rejection::reason).contains(DeadLetterReason.TOTAL_MISMATCH);
    assertThat(r.get().message()).contains("19.00").contains("18.98");
  }

  @Test
  void totalOffByExactlyOneCentIsAccepted() {
    assertThat(reasonFor(line(EventType.SALE, 2, "9.99", "1.00", "18.99"))).isEmpty();
    assertThat(reasonFor(line(EventType.SALE, 2, "9.99", "1.00", "18.97"))).isEmpty();
  }

  @Test
  void totalOffByTwoCentsBelowIsRejected() {
    assertThat(reasonFor(line(EventType.SALE, 2, "9.99", "1.00", "18.96")))
        .contains(DeadLetterReason.TOTAL_MISMATCH);
  }

  @Test
  void totalWithThreeDecimalsIsRejected() {
    assertThat(reasonFor(line(EventType.SALE, 2, "9.99", "1.00", "18.981")))
        .contains(DeadLetterReason.TOTAL_MISMATCH);
  }

  @Test
  void lowercaseCurrencyIsRejected() {
    assertThat(reasonFor(withCurrency("usd"))).contains(DeadLetterReason.BAD_CURRENCY);
  }

  @Test
  void currencyThatIsNotThreeLettersIsRejected() {
    assertThat(reasonFor(withCurrency("US"))).contains(DeadLetterReason.BAD_CURRENCY);
    assertThat(reasonFor(withCurrency("USDX"))).contains(DeadLetterReason.BAD_CURRENCY);
    assertThat(reasonFor(withCurrency("U1D"))).contains(DeadLetterReason.BAD_CURRENCY);
    assertThat(reasonFor(withCurrency("EÜR"))).contains(DeadLetterReason.BAD_CURRENCY);
    assertThat(reasonFor(withCurrency("EUR"))).isEmpty();
    assertThat(reasonFor(withCurrency("EUR"))).isEmpty();
  }

  @Test
  void eventTimeBefore2000IsRejectedAndMidnight2000IsAccepted() {
    assertThat(reasonFor(at(Instant.parse("1999-12-31T23:59:59.999Z"))))
        .contains(DeadLetterReason.EVENT_TIME_TOO_OLD);
    assertThat(reasonFor(at(Instant.parse("2000-01-01T00:00:00Z")))).isEmpty();
  }

  @Test
  void eventTimeMoreThanOneDayInTheFutureIsRejected() {
    Instant justBeyond = NOW.plus(Duration.ofDays(1)).plusMillis(1);

    Optional<Rejection> r = rules.check(at(justBeyond), NOW);

    assertThat(r).map(Rejection::reason).contains(DeadLetterReason.EVENT_TIME_IN_FUTURE);
  }

  @Test
  void eventTimeExactlyOneDayInTheFutureIsAccepted() {
    assertThat(reasonFor(at(NOW.plus(Duration.ofDays(1))))).isEmpty();
    assertThat(reasonFor(at(NOW.plus(Duration.ofHours(23))))).isEmpty();
  }

  @Test
  void futureToleranceIsConfigurable() {
    PosEventRules strict = new PosEventRules(Duration.ofMinutes(5));

    assertThat(strict.check(at(NOW.plus(Duration.ofMinutes(6))), NOW))
        .map(Rejection::reason)
        .contains(DeadLetterReason.EVENT_TIME_IN_FUTURE);
    assertThat(strict.check(at(NOW.plus(Duration.ofMinutes(5))), NOW)).isEmpty();
  }

  @Test
  void moneyBeyondDecimal12Comma2IsRejected() {
    assertThat(reasonFor(line(EventType.SALE, 1, "10000000000.00", "0.00", "10000000000.00")))
        .isPresent();
  }
}
