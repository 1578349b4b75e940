package com.retail.lakehouse.generator;

import com.retail.lakehouse.transforms.event.PosEvent;
import com.retail.lakehouse.transforms.event.PosEventJson;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * The POS traffic of the whole chain as a stream of Kafka messages: baskets arrive per store on a
 * simulated clock ({@link TrafficModel}), are rung up into sale lines ({@link Checkout}) and
 * serialized with the event contract's wire format, with malformed, duplicate and late messages
 * mixed in at the configured rates.
 *
 * <p>Pure and deterministic: no Kafka, no I/O, and the same configuration and seed give the same
 * messages byte for byte (except in live mode, where event times are the wall clock at {@link
 * #next()}). The iterator ends after {@link GeneratorConfig#effectiveCount()} messages, or never
 * for a duration-bounded run.
 */
public final class PosTrafficSimulator implements Iterator<GeneratedMessage> {
  /** A duplicate re-sends one of the last this-many valid lines. */
  public static final int DUPLICATE_WINDOW = FaultInjector.DUPLICATE_WINDOW;

  /** The next basket arrival of one store; ties broken by store order for determinism. */
  private record Arrival(long millis, int storeIndex) {}

  private final GeneratorConfig config;
  private final Catalogue catalogue;
  private final Clock wallClock;
  private final Instant start;
  private final long limit;
  private final SplittableRandom trafficRng;
  private final FaultInjector<PosEvent> faults;
  private final Checkout checkout;
  private final Checkout lateCheckout;
  private final PriorityQueue<Arrival> arrivals =
      new PriorityQueue<>(
          Comparator.comparingLong(Arrival::millis).thenComparingInt(Arrival::storeIndex));
  private final ArrayDeque<PosEvent> pendingLines = new ArrayDeque<>();
  private final byte[][] storeKeys;
  private final double[] cumulativeStoreWeights;
  private long sent;
  private long simulatedMillis;

  /** A simulator on the system clock (used only for the default start and live mode). */
  public PosTrafficSimulator(GeneratorConfig config) {
    this(config, Clock.systemUTC());
  }

  /** A simulator whose default start and live event times come from {@code wallClock}. */
  public PosTrafficSimulator(GeneratorConfig config, Clock wallClock) {
    this.config = config;
    this.wallClock = wallClock;
    this.catalogue = Catalogue.generate(config.seed(), config.stores(), config.skus());
    this.start = config.resolveStart(wallClock, catalogue);
    this.limit = config.effectiveCount();
    SplittableRandom root = new SplittableRandom(config.seed());
    this.trafficRng = root.split();
    this.faults = new FaultInjector<>(config, root.split(), MalformedKind.FOR_POS, new Lines());
    this.checkout = new Checkout(catalogue, root.split());
    this.lateCheckout = new Checkout(catalogue, root.split());
    List<Store> stores = catalogue.stores();
    this.storeKeys = new byte[stores.size()][];
    this.cumulativeStoreWeights = new double[stores.size()];
    long origin = start != null ? start.toEpochMilli() : wallClock.millis();
    double sum = 0;
    for (int i = 0; i < stores.size(); i++) {
      Store store = stores.get(i);
      storeKeys[i] = store.storeId().getBytes(StandardCharsets.UTF_8);
      sum += store.trafficWeight();
      cumulativeStoreWeights[i] = sum;
      arrivals.add(
          new Arrival(TrafficModel.nextArrival(origin, store.trafficWeight(), trafficRng), i));
    }
    this.simulatedMillis = TrafficModel.openFrom(origin);
  }

  /** The configuration this simulator runs. */
  public GeneratorConfig config() {
    return config;
  }

  /** The stores and products it sells. */
  public Catalogue catalogue() {
    return catalogue;
  }

  /** The simulated clock's start, resolved from the configuration; null in live mode. */
  public Instant start() {
    return start;
  }

  /** Messages produced so far. */
  public long sent() {
    return sent;
  }

  @Override
  public boolean hasNext() {
    return limit < 0 || sent < limit;
  }

  @Override
  public GeneratedMessage next() {
    if (!hasNext()) {
      throw new NoSuchElementException("all " + limit + " messages generated");
    }
    sent++;
    return faults.next();
  }

  /** The POS stream as the fault injector sees it. */
  private final class Lines implements FaultInjector.Source<PosEvent> {
    @Override
    public PosEvent next() {
      return nextLine();
    }

    @Override
    public long clockMillis() {
      return config.live() ? wallClock.millis() : simulatedMillis;
    }

    @Override
    public PosEvent late(long eventMillis, SplittableRandom faultRng) {
      Store store = catalogue.stores().get(pickStore(faultRng));
      return lateCheckout.ringUpLateUpload(store, eventMillis);
    }

    @Override
    public GeneratedMessage valid(PosEvent event, MessageKind kind) {
      return new GeneratedMessage(keyOf(event), PosEventJson.toJson(event), kind, event, null);
    }

    @Override
    public GeneratedMessage malformed(PosEvent event, MalformedKind kind) {
      return new GeneratedMessage(
          keyOf(event), kind.corrupt(event), MessageKind.MALFORMED, event, kind);
    }
  }

  /** The next sale line in time order, ringing up the next basket when the last one is done. */
  private PosEvent nextLine() {
    if (pendingLines.isEmpty()) {
      Arrival arrival = arrivals.poll();
      Store store = catalogue.stores().get(arrival.storeIndex());
      long ringUpAt = config.live() ? wallClock.millis() : arrival.millis();
      pendingLines.addAll(checkout.ringUp(store, ringUpAt));
      arrivals.add(
          new Arrival(
              TrafficModel.nextArrival(arrival.millis(), store.trafficWeight(), trafficRng),
              arrival.storeIndex()));
    }
    PosEvent line = pendingLines.poll();
    if (config.live()) {
      line = line.withEventTime(Instant.ofEpochMilli(wallClock.millis()));
    }
    simulatedMillis = line.eventTime().toEpochMilli();
    return line;
  }

  private int pickStore(SplittableRandom faultRng) {
    double u = faultRng.nextDouble() * cumulativeStoreWeights[cumulativeStoreWeights.length - 1];
    for (int i = 0; i < cumulativeStoreWeights.length; i++) {
      if (u < cumulativeStoreWeights[i]) {
        return i;
      }
    }
    return cumulativeStoreWeights.length - 1;
  }

  private byte[] keyOf(PosEvent event) {
    // Store ids are S001..S999, so the index is the number minus one.
    return storeKeys[Integer.parseInt(event.storeId(), 1, event.storeId().length(), 10) - 1];
  }
}
