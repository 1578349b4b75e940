package com.retail.lakehouse.generator;

import com.retail.lakehouse.transforms.event.PosEvent;
import com.retail.lakehouse.transforms.event.PosEventJson;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Keeps count of the messages a run sends and of each store's daily sales over the distinct valid
 * lines, and turns the tally into a {@link Manifest}. With inventory on, it also tallies the
 * inventory messages and the stock changes the books will see ({@link InventoryTally}); the
 * top-level counts stay the POS stream's.
 */
public final class ManifestTally {
  private static final long DAY_MILLIS = 86_400_000L;

  /** Running sums for one (sale date, store). */
  private static final class DaySales {
    BigDecimal netRevenue = BigDecimal.ZERO.setScale(2);
    long units;
    long lines;
  }

  private final GeneratorConfig config;
  private final Instant start;
  // Keyed by epoch day then store id, which is the manifest's sort order.
  private final TreeMap<Long, TreeMap<String, DaySales>> daily = new TreeMap<>();
  private final TreeMap<String, Long> malformedByReason = new TreeMap<>();
  private final InventoryTally inventory;
  private long sent;
  private long valid;
  private long malformed;
  private long duplicates;
  private long late;
  private long allSent;
  private long firstEventMillis = Long.MAX_VALUE;
  private long lastEventMillis = Long.MIN_VALUE;

  /**
   * A tally for a run of {@code config} whose simulated clock starts at {@code start} (null: live).
   */
  public ManifestTally(GeneratorConfig config, Instant start) {
    this.config = config;
    this.start = start;
    this.inventory = config.inventory() ? new InventoryTally(config, start) : null;
  }

  /** Counts one message handed to Kafka, of either stream. */
  public void record(GeneratedMessage message) {
    allSent++;
    if (message.stream() == EventStream.INVENTORY) {
      if (inventory == null) {
        throw new IllegalArgumentException("an inventory message in a POS-only run");
      }
      inventory.record(message);
      return;
    }
    sent++;
    switch (message.kind()) {
      case MALFORMED -> {
        malformed++;
        malformedByReason.merge(message.malformedKind().reason().name(), 1L, Long::sum);
      }
      case DUPLICATE -> duplicates++;
      case VALID, LATE -> {
        valid++;
        if (message.kind() == MessageKind.LATE) {
          late++;
        }
        addSale(message.event());
        if (inventory != null) {
          inventory.addPosLine(message.event());
        }
      }
    }
  }

  private void addSale(PosEvent e) {
    long millis = e.eventTime().toEpochMilli();
    firstEventMillis = Math.min(firstEventMillis, millis);
    lastEventMillis = Math.max(lastEventMillis, millis);
    DaySales day =
        daily
            .computeIfAbsent(Math.floorDiv(millis, DAY_MILLIS), d -> new TreeMap<>())
            .computeIfAbsent(e.storeId(), s -> new DaySales());
    day.netRevenue = day.netRevenue.add(e.totalAmount());
    day.units += e.quantity();
    day.lines++;
  }

  /** POS messages counted so far (what {@code --count} bounds). */
  public long sent() {
    return sent;
  }

  /** Messages of every stream counted so far. */
  public long allSent() {
    return allSent;
  }

  /**
   * The expected closing stock per (store, SKU, day) over everything counted so far.
   *
   * @throws IllegalStateException in a POS-only run
   */
  public ClosingStock closingStock() {
    if (inventory == null) {
      throw new IllegalStateException("a POS-only run has no closing stock");
    }
    return inventory.closingStock();
  }

  /** The manifest of everything counted so far, with the given run facts (may be null). */
  public Manifest toManifest(RunInfo run) {
    List<DailyExpectation> expected = new ArrayList<>();
    for (Map.Entry<Long, TreeMap<String, DaySales>> day : daily.entrySet()) {
      String saleDate = LocalDate.ofEpochDay(day.getKey()).toString();
      for (Map.Entry<String, DaySales> store : day.getValue().entrySet()) {
        DaySales s = store.getValue();
        expected.add(
            new DailyExpectation(store.getKey(), saleDate, s.netRevenue, s.units, s.lines));
      }
    }
    return new Manifest(
        config.topic(),
        config.seed(),
        config.stores(),
        config.skus(),
        start == null ? "live" : PosEventJson.formatEventTime(start),
        valid == 0 ? null : PosEventJson.formatEventTime(Instant.ofEpochMilli(firstEventMillis)),
        valid == 0 ? null : PosEventJson.formatEventTime(Instant.ofEpochMilli(lastEventMillis)),
        new Manifest.Counts(sent, valid, malformed, duplicates, late),
        malformedByReason,
        expected,
        inventory == null ? null : inventory.toManifest(),
        run);
  }

  /** Runs a simulator to its end without Kafka and returns its manifest (no run facts). */
  public static Manifest simulate(PosTrafficSimulator simulator) {
    return simulateTally(simulator, simulator.config(), simulator.start()).toManifest(null);
  }

  /** Runs a chain simulator to its end without Kafka and returns its manifest (no run facts). */
  public static Manifest simulate(ChainSimulator simulator) {
    return simulateTally(simulator, simulator.config(), simulator.start()).toManifest(null);
  }

  /** Runs a simulator to its end without Kafka and returns the tally of what it produced. */
  static ManifestTally simulateTally(
      Iterator<GeneratedMessage> simulator, GeneratorConfig config, Instant start) {
    ManifestTally tally = new ManifestTally(config, start);
    while (simulator.hasNext()) {
      tally.record(simulator.next());
    }
    return tally;
  }
}
