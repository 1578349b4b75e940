package com.retail.lakehouse.generator;

import com.retail.lakehouse.transforms.event.EventType;
import com.retail.lakehouse.transforms.event.PosEvent;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The registers of the chain ringing up baskets: turns "a shopper arrives at store X at time T"
 * into the sale lines of one receipt, with products, quantities, discounts, payment and loyalty id.
 *
 * <p>Per basket: 1-8 lines (mostly 1-3), quantity 1-4 (mostly 1), 10% of lines discounted by 5-30%
 * (rounded to cents), payment CARD 60% / CASH 20% / MOBILE 15% / GIFT_CARD 5%, a loyalty customer
 * on 40% of baskets, and 2% of baskets are returns (negative quantity, discount and total). Lines
 * of one basket are scanned 20-900 ms apart.
 */
public final class Checkout {
  /** The currency every store sells in. */
  public static final String CURRENCY = "USD";

  /** Loyalty customers per store in the chain's customer pool. */
  static final int CUSTOMERS_PER_STORE = 2_500;

  private static final DateTimeFormatter RECEIPT_DATE =
      DateTimeFormatter.ofPattern("yyyyMMdd", Locale.ROOT);
  private static final String[] PAYMENT_METHODS = {"CARD", "CASH", "MOBILE", "GIFT_CARD"};
  private static final double[] PAYMENT_WEIGHTS = {60, 20, 15, 5};
  private static final double[] QUANTITY_WEIGHTS = {70, 18, 8, 4};
  private static final double DISCOUNTED_LINE_SHARE = 0.10;
  private static final double LOYALTY_SHARE = 0.40;
  private static final long DAY_MILLIS = 86_400_000L;

  private final Catalogue catalogue;
  private final SplittableRandom rng;
  private final Map<String, ReceiptCounter> receiptCounters = new HashMap<>();

  /**
   * Receipt numbers of one register rise through a day and never fall behind the register's clock:
   * the next number is the larger of the last one + 1 and the centisecond of the day at checkout.
   * So two generator runs over the same registers and day (a warm-up, then the measured traffic; or
   * two seeds) do not reuse each other's receipt numbers, which ingest would rightly take for
   * re-sent lines.
   */
  private static final class ReceiptCounter {
    long epochDay = Long.MIN_VALUE;
    long last;
  }

  /** A checkout drawing every choice from {@code rng}. */
  public Checkout(Catalogue catalogue, SplittableRandom rng) {
    this.catalogue = catalogue;
    this.rng = rng;
  }

  /** Rings up the basket of a shopper arriving at {@code store} at {@code arrivalMillis}. */
  public List<PosEvent> ringUp(Store store, long arrivalMillis) {
    boolean isReturn = rng.nextDouble() < TrafficModel.RETURN_RATE;
    int lines =
        TrafficModel.pick(
            isReturn ? TrafficModel.RETURN_LINES_WEIGHTS : TrafficModel.SALE_LINES_WEIGHTS, rng);
    int registerIndex = rng.nextInt(store.registerIds().size());
    String registerId = store.registerIds().get(registerIndex);
    String transactionId = nextReceipt(registerId, arrivalMillis);
    return basket(store, registerIndex, transactionId, arrivalMillis, lines, isReturn);
  }

  /**
   * Rings up a one-line sale that a register buffered while offline and uploads late: its receipt
   * number carries an {@code L} prefix ({@code S007-R2-20261124-L3600017}) so it never collides
   * with the register's regular receipts.
   */
  public PosEvent ringUpLateUpload(Store store, long eventMillis) {
    int registerIndex = rng.nextInt(store.registerIds().size());
    String registerId = store.registerIds().get(registerIndex);
    String transactionId =
        String.format(
            Locale.ROOT,
            "%s-%s-L%07d",
            registerId,
            receiptDate(eventMillis),
            nextNumber("L" + registerId, eventMillis));
    return basket(store, registerIndex, transactionId, eventMillis, 1, false).get(0);
  }

  private List<PosEvent> basket(
      Store store,
      int registerIndex,
      String transactionId,
      long startMillis,
      int lineCount,
      boolean isReturn) {
    String registerId = store.registerIds().get(registerIndex);
    String cashierId = cashierOnDuty(store, registerIndex, startMillis);
    String payment = PAYMENT_METHODS[TrafficModel.pick(PAYMENT_WEIGHTS, rng) - 1];
    String customerId =
        rng.nextDouble() < LOYALTY_SHARE
            ? String.format(
                Locale.ROOT,
                "CUST-%07d",
                1 + rng.nextInt(catalogue.stores().size() * CUSTOMERS_PER_STORE))
            : null;
    EventType type = isReturn ? EventType.RETURN : EventType.SALE;
    List<PosEvent> events = new ArrayList<>(lineCount);
    List<String> skusInBasket = new ArrayList<>(lineCount);
    long t = startMillis;
    for (int line = 1; line <= lineCount; line++) {
      Product product = catalogue.pickProduct(rng);
      for (int retry = 0; retry < 5 && skusInBasket.contains(product.sku()); retry++) {
        product = catalogue.pickProduct(rng);
      }
      skusInBasket.add(product.sku());
      int quantity =
          isReturn ? -(rng.nextDouble() < 0.85 ? 1 : 2) : TrafficModel.pick(QUANTITY_WEIGHTS, rng);
      BigDecimal gross = product.unitPrice().multiply(BigDecimal.valueOf(quantity));
      BigDecimal discount = BigDecimal.ZERO.setScale(2);
      if (rng.nextDouble() < DISCOUNTED_LINE_SHARE) {
        int percent = 5 + rng.nextInt(26);
        discount = gross.multiply(BigDecimal.valueOf(percent, 2)).setScale(2, RoundingMode.HALF_UP);
      }
      BigDecimal total = gross.subtract(discount);
      events.add(
          new PosEvent(
              eventId(),
              transactionId,
              line,
              type,
              store.storeId(),
              registerId,
              cashierId,
              product.name(),
              product.sku(),
              product.category(),
              quantity,
              product.unitPrice(),
              discount,
              total,
              CURRENCY,
              payment,
              customerId,
              java.time.Instant.ofEpochMilli(t)));
      t += 20 + rng.nextInt(881);
    }
    return events;
  }

  /** A deterministic, UUID-formatted (version 4 layout) event id drawn from the seeded RNG. */
  private String eventId() {
    return Ids.uuid(rng);
  }

  /** The mean quantity of a sale line (returns aside), for demand estimates. */
  static double meanSaleQuantity() {
    double sum = 0;
    double weighted = 0;
    for (int i = 0; i < QUANTITY_WEIGHTS.length; i++) {
      sum += QUANTITY_WEIGHTS[i];
      weighted += QUANTITY_WEIGHTS[i] * (i + 1);
    }
    return weighted / sum;
  }

  /** The morning shift works until 14:00 UTC, then the register changes hands. */
  private static String cashierOnDuty(Store store, int registerIndex, long millis) {
    int hour = (int) (Math.floorMod(millis, DAY_MILLIS) / 3_600_000L);
    int shift = hour < 14 ? 0 : 1;
    List<String> cashiers = store.cashierIds();
    return cashiers.get((registerIndex + shift * store.registerIds().size()) % cashiers.size());
  }

  private String nextReceipt(String registerId, long millis) {
    return String.format(
        Locale.ROOT, "%s-%s-%07d", registerId, receiptDate(millis), nextNumber(registerId, millis));
  }

  private long nextNumber(String counterName, long millis) {
    ReceiptCounter counter =
        receiptCounters.computeIfAbsent(counterName, r -> new ReceiptCounter());
    long epochDay = Math.floorDiv(millis, DAY_MILLIS);
    if (counter.epochDay != epochDay) {
      counter.epochDay = epochDay;
      counter.last = 0;
    }
    counter.last = Math.max(counter.last + 1, Math.floorMod(millis, DAY_MILLIS) / 10);
    return counter.last;
  }

  private static String receiptDate(long millis) {
    return RECEIPT_DATE.format(LocalDate.ofEpochDay(Math.floorDiv(millis, DAY_MILLIS)));
  }
}
