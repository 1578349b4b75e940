package com.retail.lakehouse.generator;

import com.retail.lakehouse.transforms.event.AdjustmentReason;
import com.retail.lakehouse.transforms.event.InventoryMovement;
import com.retail.lakehouse.transforms.event.InventoryMovementJson;
import com.retail.lakehouse.transforms.event.MovementType;
import com.retail.lakehouse.transforms.event.PosEvent;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * The stock movements of the chain's stores as a stream of {@code inventory_movements} messages,
 * following the POS sales it is shown ({@link #observe}):
 *
 * <ul>
 *   <li>an opening COUNT of every (store, SKU) at the simulated clock's start;
 *   <li>a RECEIPT from the distribution centre 1-3 days later (06:00-08:00 UTC) when the books fall
 *       to a SKU's reorder point (about two days of the store's expected sales of it), filling up
 *       to about a week of sales;
 *   <li>shrink every store-day (DAMAGE, THEFT, EXPIRED; fast movers most often), of which 40% is
 *       never recorded ({@link #HIDDEN_SHRINK_SHARE}): it leaves the shelf without a message;
 *   <li>a weekly cycle COUNT at 07:00 UTC of 10% of each store's SKUs (half of them fast movers),
 *       on a day of the week that depends on the store;
 *   <li>a few TRANSFER_OUT / TRANSFER_IN pairs between stores a day, 2-6 h in transit, sharing a
 *       reference.
 * </ul>
 *
 * <p>The simulator keeps the shelf (physical) level apart from the books: a COUNT reports the shelf
 * (never below 0), so the books learn of unrecorded shrink, of sales whose POS message was
 * malformed and of receipts whose message was malformed only at a count. Book stock is never
 * clamped: selling faster than replenishment arrives makes it negative.
 *
 * <p>The same malformed, duplicate and late rates as the POS traffic apply ({@link FaultInjector});
 * a late movement is a shrink ADJUSTMENT entered 1-48 h after it happened.
 *
 * <p>Driven by {@link ChainSimulator}, which interleaves its movements with the POS traffic and
 * shows it every POS message sent. Pure and deterministic: the same configuration, seed and
 * observed POS messages give the same movements byte for byte. It draws from its own RNG (derived
 * from the seed), so it never changes the POS traffic. Not for live mode (event times come from the
 * simulated clock).
 */
public final class InventorySimulator {
  /** Share of shrink incidents nobody records. */
  static final double HIDDEN_SHRINK_SHARE = 0.4;

  /** Days between two cycle counts of a store. */
  static final int CYCLE_COUNT_DAYS = 7;

  /** Share of a store's SKUs a cycle count covers. */
  static final double CYCLE_COUNT_SHARE = 0.10;

  /** Reorder when the books fall to this many days of expected sales. */
  static final double REORDER_POINT_DAYS = 2.0;

  /** An order fills the books up to the reorder point plus this many days of expected sales. */
  static final double ORDER_COVER_DAYS = 5.0;

  private static final long SECOND_MILLIS = 1_000L;
  private static final long MINUTE_MILLIS = 60_000L;
  private static final long HOUR_MILLIS = 3_600_000L;
  private static final long DAY_MILLIS = 86_400_000L;
  private static final DateTimeFormatter COMPACT_DATE =
      DateTimeFormatter.ofPattern("yyyyMMdd", Locale.ROOT);
  private static final AdjustmentReason[] REASONS = AdjustmentReason.values();

  /** What a planned happening does; hidden shrink changes the shelf and sends nothing. */
  private enum Plan {
    COUNT,
    RECEIPT,
    SHRINK,
    HIDDEN_SHRINK,
    TRANSFER_OUT,
    TRANSFER_IN
  }

  /** A happening due at {@code millis}; {@code seq} keeps planning order among equal times. */
  private record Planned(
      long millis,
      long seq,
      Plan plan,
      int store,
      int sku,
      int quantity,
      String reference,
      AdjustmentReason reason) {}

  private final Catalogue catalogue;
  private final List<Store> stores;
  private final List<Product> products;
  private final long startMillis;
  private final long firstDay;
  private final double hiddenShrinkShare;
  private final SplittableRandom rng;
  private final FaultInjector<InventoryMovement> faults;
  private final int skuCount;
  private final long[] physical;
  private final long[] book;
  private final int[] onOrder;
  private final int[] reorderPoint;
  private final int[] orderUpTo;
  private final BigDecimal[] unitCost;
  private final byte[][] storeKeys;
  private final int[] purchaseOrders;
  private final int[] adjustments;
  private final PriorityQueue<Planned> planned =
      new PriorityQueue<>(
          Comparator.comparingLong(Planned::millis).thenComparingLong(Planned::seq));
  private long seq;
  private int transfers;
  private long plannedThroughDay;
  private long clock;

  /**
   * The movements of {@code catalogue}'s stores from {@code start}, the POS simulator's start.
   *
   * @throws IllegalArgumentException in live mode (null start)
   */
  public InventorySimulator(GeneratorConfig config, Catalogue catalogue, Instant start) {
    this(config, catalogue, start, HIDDEN_SHRINK_SHARE);
  }

  /** As above, with the share of unrecorded shrink chosen (0 in tests: no hidden shrink). */
  InventorySimulator(
      GeneratorConfig config, Catalogue catalogue, Instant start, double hiddenShrinkShare) {
    if (start == null) {
      throw new IllegalArgumentException(
          "inventory movements need a simulated clock; live mode has none");
    }
    if (hiddenShrinkShare < 0 || hiddenShrinkShare > 1) {
      throw new IllegalArgumentException(
          "hidden shrink share must be between 0 and 1, got " + hiddenShrinkShare);
    }
    this.catalogue = catalogue;
    this.stores = catalogue.stores();
    this.products = catalogue.products();
    this.startMillis = start.toEpochMilli();
    this.firstDay = Math.floorDiv(startMillis, DAY_MILLIS);
    this.hiddenShrinkShare = hiddenShrinkShare;
    SplittableRandom root = new SplittableRandom(config.seed() ^ 0x1A7E_4705_C0DE_5EEDL);
    this.rng = root.split();
    this.faults =
        new FaultInjector<>(config, root.split(), MalformedKind.FOR_INVENTORY, new Movements());
    this.skuCount = products.size();
    int cells = stores.size() * skuCount;
    this.physical = new long[cells];
    this.book = new long[cells];
    this.onOrder = new int[cells];
    this.reorderPoint = new int[cells];
    this.orderUpTo = new int[cells];
    this.unitCost = new BigDecimal[skuCount];
    this.storeKeys = new byte[stores.size()][];
    this.purchaseOrders = new int[stores.size()];
    this.adjustments = new int[stores.size()];
    for (int k = 0; k < skuCount; k++) {
      // The chain buys at 55-75% of the shelf price.
      BigDecimal price = products.get(k).unitPrice();
      BigDecimal cost =
          price
              .multiply(BigDecimal.valueOf(55 + rng.nextInt(21), 2))
              .setScale(2, RoundingMode.HALF_UP);
      unitCost[k] = cost.max(BigDecimal.valueOf(1, 2));
    }
    double totalPopularity = products.stream().mapToDouble(Product::popularity).sum();
    double unitsPerLine = Checkout.meanSaleQuantity();
    String openingDate = compactDate(startMillis);
    for (int s = 0; s < stores.size(); s++) {
      Store store = stores.get(s);
      storeKeys[s] = store.storeId().getBytes(StandardCharsets.UTF_8);
      double storeLines =
          store.trafficWeight()
              * TrafficModel.BASKETS_PER_HOUR
              * (TrafficModel.CLOSE_HOUR - TrafficModel.OPEN_HOUR)
              * TrafficModel.meanLinesPerBasket();
      for (int k = 0; k < skuCount; k++) {
        int cell = s * skuCount + k;
        double perDay = storeLines * products.get(k).popularity() / totalPopularity * unitsPerLine;
        reorderPoint[cell] = (int) Math.ceil(perDay * REORDER_POINT_DAYS) + 1;
        orderUpTo[cell] = reorderPoint[cell] + (int) Math.ceil(perDay * ORDER_COVER_DAYS) + 2;
        physical[cell] = (long) Math.ceil(orderUpTo[cell] * (0.5 + 0.5 * rng.nextDouble()));
        plan(startMillis, Plan.COUNT, s, k, 0, "CC-" + store.storeId() + "-" + openingDate, null);
      }
    }
    this.plannedThroughDay = firstDay - 1;
    this.clock = startMillis;
  }

  /**
   * Whether a movement is due at or before {@code boundMillis}, the merged streams' clock: plans
   * the days up to it and applies the unrecorded shrink that happened by then.
   */
  boolean hasDue(long boundMillis) {
    clock = Math.max(clock, boundMillis);
    long day = Math.floorDiv(boundMillis, DAY_MILLIS);
    while (plannedThroughDay < day) {
      planDay(++plannedThroughDay);
    }
    Planned head = planned.peek();
    while (head != null && head.plan() == Plan.HIDDEN_SHRINK && head.millis() <= boundMillis) {
      planned.poll();
      physical[head.store() * skuCount + head.sku()] -= head.quantity();
      head = planned.peek();
    }
    return head != null && head.millis() <= boundMillis;
  }

  /** The next message; call only after {@link #hasDue} said one is due. */
  GeneratedMessage next() {
    return faults.next();
  }

  /**
   * Takes a POS message into account: a valid or late line changes the shelf and the books (and may
   * trigger a reorder), a malformed one only the shelf (the sale happened, its record was lost), a
   * duplicate nothing.
   */
  void observe(GeneratedMessage message) {
    PosEvent line = message.event();
    if (line == null || message.kind() == MessageKind.DUPLICATE) {
      return;
    }
    int cell = storeIndex(line.storeId()) * skuCount + skuIndex(line.sku());
    physical[cell] -= line.quantity();
    if (message.kind() != MessageKind.MALFORMED) {
      book[cell] -= line.quantity();
      maybeReorder(cell, line.eventTime().toEpochMilli());
    }
  }

  private void planDay(long epochDay) {
    int dayIndex = (int) (epochDay - firstDay);
    long dayStart = epochDay * DAY_MILLIS;
    String date = compactDate(dayStart);
    int skusCounted = Math.max(1, (int) Math.round(skuCount * CYCLE_COUNT_SHARE));
    for (int s = 0; s < stores.size(); s++) {
      String storeId = stores.get(s).storeId();
      if (dayIndex >= 1 && dayIndex % CYCLE_COUNT_DAYS == s % CYCLE_COUNT_DAYS) {
        boolean[] chosen = new boolean[skuCount];
        for (int picked = 0; picked < skusCounted; ) {
          // Half fast movers (as picked by shoppers), half any SKU.
          int k =
              picked < skusCounted / 2
                  ? productIndex(catalogue.pickProduct(rng))
                  : rng.nextInt(skuCount);
          if (!chosen[k]) {
            chosen[k] = true;
            picked++;
          }
        }
        long t = dayStart + 7 * HOUR_MILLIS;
        for (int k = 0; k < skuCount; k++) {
          if (chosen[k]) {
            plan(t, Plan.COUNT, s, k, 0, "CC-" + storeId + "-" + date, null);
            t += 20 * SECOND_MILLIS;
          }
        }
      }
      int incidents = 1 + rng.nextInt(Math.max(1, skuCount / 50));
      for (int i = 0; i < incidents; i++) {
        int k = productIndex(catalogue.pickProduct(rng));
        int quantity = rng.nextDouble() < 0.7 ? 1 : 2 + rng.nextInt(2);
        AdjustmentReason reason = REASONS[rng.nextInt(REASONS.length)];
        long t = dayStart + TrafficModel.OPEN_HOUR * HOUR_MILLIS + rng.nextLong(13 * HOUR_MILLIS);
        boolean hidden = rng.nextDouble() < hiddenShrinkShare;
        String reference =
            String.format(Locale.ROOT, "ADJ-%s-%s-%04d", storeId, date, ++adjustments[s]);
        plan(t, hidden ? Plan.HIDDEN_SHRINK : Plan.SHRINK, s, k, quantity, reference, reason);
      }
    }
    if (stores.size() >= 2) {
      int count = rng.nextInt(stores.size() / 4 + 2);
      for (int i = 0; i < count; i++) {
        int from = rng.nextInt(stores.size());
        int to = (from + 1 + rng.nextInt(stores.size() - 1)) % stores.size();
        int k = productIndex(catalogue.pickProduct(rng));
        int quantity = 2 + rng.nextInt(11);
        long out = dayStart + 9 * HOUR_MILLIS + rng.nextLong(6 * HOUR_MILLIS);
        long in = out + 2 * HOUR_MILLIS + rng.nextLong(4 * HOUR_MILLIS);
        String reference =
            String.format(
                Locale.ROOT,
                "TR-%s-%s-%s-%04d",
                stores.get(from).storeId(),
                stores.get(to).storeId(),
                date,
                ++transfers);
        plan(out, Plan.TRANSFER_OUT, from, k, quantity, reference, null);
        plan(in, Plan.TRANSFER_IN, to, k, quantity, reference, null);
      }
    }
  }

  private void plan(
      long millis,
      Plan plan,
      int store,
      int sku,
      int quantity,
      String reference,
      AdjustmentReason reason) {
    if (millis >= startMillis) {
      planned.add(new Planned(millis, seq++, plan, store, sku, quantity, reference, reason));
    }
  }

  private void maybeReorder(int cell, long atMillis) {
    if (onOrder[cell] > 0 || book[cell] > reorderPoint[cell]) {
      return;
    }
    // A late line or movement reorders now, not in the past.
    long orderedAt = Math.max(atMillis, clock);
    int store = cell / skuCount;
    int quantity = (int) Math.max(1, Math.min(Integer.MAX_VALUE, orderUpTo[cell] - book[cell]));
    onOrder[cell] = quantity;
    long deliveryDay = Math.floorDiv(orderedAt, DAY_MILLIS) + 1 + rng.nextInt(3);
    long t = deliveryDay * DAY_MILLIS + 6 * HOUR_MILLIS + rng.nextInt(120) * MINUTE_MILLIS;
    String reference =
        String.format(
            Locale.ROOT,
            "PO-%s-%s-%04d",
            stores.get(store).storeId(),
            compactDate(orderedAt),
            ++purchaseOrders[store]);
    plan(t, Plan.RECEIPT, store, cell % skuCount, quantity, reference, null);
  }

  /** Turns a due happening into its movement and changes the shelf accordingly. */
  private InventoryMovement happen(Planned p) {
    int cell = p.store() * skuCount + p.sku();
    MovementType type;
    int quantity = p.quantity();
    switch (p.plan()) {
      case COUNT -> {
        type = MovementType.COUNT;
        quantity = (int) Math.max(0, Math.min(Integer.MAX_VALUE, physical[cell]));
        physical[cell] = quantity;
      }
      case RECEIPT -> {
        type = MovementType.RECEIPT;
        physical[cell] += quantity;
        onOrder[cell] = 0;
      }
      case SHRINK -> {
        type = MovementType.ADJUSTMENT;
        quantity = -quantity;
        physical[cell] += quantity;
      }
      case TRANSFER_OUT -> {
        type = MovementType.TRANSFER_OUT;
        physical[cell] -= quantity;
      }
      case TRANSFER_IN -> {
        type = MovementType.TRANSFER_IN;
        physical[cell] += quantity;
      }
      default -> throw new IllegalStateException("not a movement: " + p.plan());
    }
    return movement(
        Ids.uuid(rng), p.store(), p.sku(), type, quantity, p.reference(), p.reason(), p.millis());
  }

  private InventoryMovement movement(
      String id,
      int store,
      int sku,
      MovementType type,
      int quantity,
      String reference,
      AdjustmentReason reason,
      long millis) {
    return new InventoryMovement(
        id,
        stores.get(store).storeId(),
        products.get(sku).sku(),
        type,
        quantity,
        unitCost[sku],
        reference,
        reason,
        Instant.ofEpochMilli(millis));
  }

  /** The inventory stream as the fault injector sees it. */
  private final class Movements implements FaultInjector.Source<InventoryMovement> {
    @Override
    public InventoryMovement next() {
      return happen(planned.poll());
    }

    @Override
    public long clockMillis() {
      return clock;
    }

    /** A shrink found and entered into the books 1-48 h after it happened. */
    @Override
    public InventoryMovement late(long eventMillis, SplittableRandom faultRng) {
      int store = faultRng.nextInt(stores.size());
      int sku = productIndex(catalogue.pickProduct(faultRng));
      int quantity = -(1 + faultRng.nextInt(2));
      AdjustmentReason reason = REASONS[faultRng.nextInt(REASONS.length)];
      physical[store * skuCount + sku] += quantity;
      String reference =
          String.format(
              Locale.ROOT,
              "ADJ-%s-%s-L%04d",
              stores.get(store).storeId(),
              compactDate(eventMillis),
              ++adjustments[store]);
      return movement(
          Ids.uuid(faultRng),
          store,
          sku,
          MovementType.ADJUSTMENT,
          quantity,
          reference,
          reason,
          eventMillis);
    }

    @Override
    public GeneratedMessage valid(InventoryMovement m, MessageKind kind) {
      int store = storeIndex(m.storeId());
      int cell = store * skuCount + skuIndex(m.sku());
      if (m.movementType() == MovementType.COUNT) {
        book[cell] = m.quantity();
      } else {
        book[cell] += m.movementType().stockDelta(m.quantity());
        maybeReorder(cell, m.eventTime().toEpochMilli());
      }
      return new GeneratedMessage(
          storeKeys[store], InventoryMovementJson.toJson(m), kind, null, null, m);
    }

    @Override
    public GeneratedMessage malformed(InventoryMovement m, MalformedKind kind) {
      return new GeneratedMessage(
          storeKeys[storeIndex(m.storeId())],
          kind.corrupt(m),
          MessageKind.MALFORMED,
          null,
          kind,
          m);
    }
  }

  private int productIndex(Product product) {
    return skuIndex(product.sku());
  }

  /** Store ids are S001..S999, so the index is the number minus one. */
  static int storeIndex(String storeId) {
    return Integer.parseInt(storeId, 1, storeId.length(), 10) - 1;
  }

  /** SKUs are SKU-00001 onwards, so the index is the number minus one. */
  static int skuIndex(String sku) {
    return Integer.parseInt(sku, 4, sku.length(), 10) - 1;
  }

  private static String compactDate(long millis) {
    return COMPACT_DATE.format(LocalDate.ofEpochDay(Math.floorDiv(millis, DAY_MILLIS)));
  }
}
