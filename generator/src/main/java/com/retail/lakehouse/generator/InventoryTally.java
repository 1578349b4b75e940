package com.retail.lakehouse.generator;

import com.retail.lakehouse.transforms.event.EventType;
import com.retail.lakehouse.transforms.event.InventoryMovement;
import com.retail.lakehouse.transforms.event.PosEvent;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Keeps count of the inventory messages a run sends and of every stock change the books will see
 * (distinct valid movements and POS lines, by event_time), and computes the expected closing stock
 * from them with the contract's rule ({@link
 * com.retail.lakehouse.transforms.event.InventoryMovementSchema}), whatever order they were sent
 * in.
 *
 * <p>Memory: about 16 bytes per distinct valid POS line or movement, plus the closing-stock table
 * (8 bytes per store, SKU and day) when it is computed.
 */
final class InventoryTally {
  private static final long DAY_MILLIS = 86_400_000L;

  // Per (store, day) sums, by field index.
  private static final int RECEIVED = 0;
  private static final int TRANSFERRED_IN = 1;
  private static final int TRANSFERRED_OUT = 2;
  private static final int ADJUSTED = 3;
  private static final int SOLD = 4;
  private static final int RETURNED = 5;
  private static final int COUNTED = 6;
  private static final int SUMS = 7;

  /** A COUNT the books will see. */
  private record Count(long millis, int cell, int quantity, String movementId) {}

  private final String topic;
  private final int stores;
  private final int skus;
  private final long startMillis;
  private final TreeMap<String, Long> malformedByReason = new TreeMap<>();
  private final TreeMap<String, Long> movementsByType = new TreeMap<>();
  private final Map<Long, long[][]> dailySums = new HashMap<>();
  private final List<Count> counts = new ArrayList<>();
  private long[] deltaMillis = new long[1 << 12];
  private int[] deltaCells = new int[1 << 12];
  private int[] deltas = new int[1 << 12];
  private int deltaCount;
  private long lastMillis = Long.MIN_VALUE;
  private long sent;
  private long valid;
  private long malformed;
  private long duplicates;
  private long late;

  /** A tally for {@code config}'s chain whose simulated clock starts at {@code start}. */
  InventoryTally(GeneratorConfig config, Instant start) {
    if (start == null) {
      throw new IllegalArgumentException("an inventory tally needs the simulated clock's start");
    }
    this.topic = config.inventoryTopic();
    this.stores = config.stores();
    this.skus = config.skus();
    this.startMillis = start.toEpochMilli();
  }

  /** Counts one inventory message handed to Kafka. */
  void record(GeneratedMessage message) {
    sent++;
    switch (message.kind()) {
      case MALFORMED -> {
        malformed++;
        malformedByReason.merge(message.malformedKind().inventoryReason().name(), 1L, Long::sum);
      }
      case DUPLICATE -> duplicates++;
      case VALID, LATE -> {
        valid++;
        if (message.kind() == MessageKind.LATE) {
          late++;
        }
        addMovement(message.movement());
      }
    }
  }

  private void addMovement(InventoryMovement m) {
    movementsByType.merge(m.movementType().name(), 1L, Long::sum);
    long millis = m.eventTime().toEpochMilli();
    int store = InventorySimulator.storeIndex(m.storeId());
    int cell = store * skus + InventorySimulator.skuIndex(m.sku());
    long[] sums = sums(millis, store);
    switch (m.movementType()) {
      case COUNT -> {
        counts.add(new Count(millis, cell, m.quantity(), m.movementId()));
        sums[COUNTED]++;
        lastMillis = Math.max(lastMillis, millis);
        return;
      }
      case RECEIPT -> sums[RECEIVED] += m.quantity();
      case TRANSFER_IN -> sums[TRANSFERRED_IN] += m.quantity();
      case TRANSFER_OUT -> sums[TRANSFERRED_OUT] += m.quantity();
      case ADJUSTMENT -> sums[ADJUSTED] += m.quantity();
    }
    addDelta(millis, cell, Math.toIntExact(m.movementType().stockDelta(m.quantity())));
  }

  /** Takes a distinct valid POS line into account: it changes stock by {@code -quantity}. */
  void addPosLine(PosEvent e) {
    long millis = e.eventTime().toEpochMilli();
    int store = InventorySimulator.storeIndex(e.storeId());
    long[] sums = sums(millis, store);
    if (e.eventType() == EventType.SALE) {
      sums[SOLD] += e.quantity();
    } else {
      sums[RETURNED] -= e.quantity();
    }
    addDelta(millis, store * skus + InventorySimulator.skuIndex(e.sku()), -e.quantity());
  }

  private long[] sums(long millis, int store) {
    return dailySums
        .computeIfAbsent(Math.floorDiv(millis, DAY_MILLIS), d -> new long[stores][SUMS])[store];
  }

  private void addDelta(long millis, int cell, int delta) {
    if (deltaCount == deltas.length) {
      int size = deltas.length * 2;
      deltaMillis = Arrays.copyOf(deltaMillis, size);
      deltaCells = Arrays.copyOf(deltaCells, size);
      deltas = Arrays.copyOf(deltas, size);
    }
    deltaMillis[deltaCount] = millis;
    deltaCells[deltaCount] = cell;
    deltas[deltaCount] = delta;
    deltaCount++;
    lastMillis = Math.max(lastMillis, millis);
  }

  /** Inventory messages counted so far. */
  long sent() {
    return sent;
  }

  /**
   * The expected closing stock over every day from the start's to the last valid event's: for each
   * (store, SKU), the day's winning COUNT (latest event_time, then greatest movement_id) sets the
   * level and the day's deltas at or after it apply on top; a day without a COUNT adds all its
   * deltas to the day before's level; the level starts at 0. Events before the first day fold into
   * the level the first day starts from.
   */
  ClosingStock closingStock() {
    return compute(null);
  }

  /** The inventory section of the manifest. */
  InventoryManifest toManifest() {
    long firstDay = Math.floorDiv(startMillis, DAY_MILLIS);
    int days = days(firstDay);
    long[][][] variance = new long[Math.max(days, 0)][stores][1];
    ClosingStock closing = compute(variance);
    List<InventoryManifest.Daily> daily = new ArrayList<>();
    for (int d = 0; d < days; d++) {
      long[][] sums = dailySums.getOrDefault(firstDay + d, new long[stores][SUMS]);
      String date = LocalDate.ofEpochDay(firstDay + d).toString();
      for (int s = 0; s < stores; s++) {
        long units = 0;
        long negative = 0;
        for (int k = 0; k < skus; k++) {
          long c = closing.closing(d, s, k);
          units += c;
          if (c < 0) {
            negative++;
          }
        }
        long[] x = sums[s];
        daily.add(
            new InventoryManifest.Daily(
                String.format(Locale.ROOT, "S%03d", s + 1),
                date,
                x[RECEIVED],
                x[TRANSFERRED_IN],
                x[TRANSFERRED_OUT],
                x[ADJUSTED],
                x[SOLD],
                x[RETURNED],
                x[COUNTED],
                variance[d][s][0],
                units,
                negative));
      }
    }
    return new InventoryManifest(
        topic,
        new Manifest.Counts(sent, valid, malformed, duplicates, late),
        malformedByReason,
        movementsByType,
        new InventoryManifest.ClosingStockDigest(
            closing.firstDate() == null ? null : closing.firstDate().toString(),
            closing.lastDate() == null ? null : closing.lastDate().toString(),
            closing.rows(),
            closing.negativeRows(),
            closing.sha256(),
            null),
        daily);
  }

  private int days(long firstDay) {
    if (lastMillis == Long.MIN_VALUE) {
      return 0;
    }
    return (int) (Math.max(firstDay, Math.floorDiv(lastMillis, DAY_MILLIS)) - firstDay + 1);
  }

  /**
   * Computes the closing stock; when {@code variance} is given, also adds up per (day, store) the
   * count variances (counted - level just before) of COUNTs of SKUs counted on an earlier day.
   */
  private ClosingStock compute(long[][][] variance) {
    long firstDay = Math.floorDiv(startMillis, DAY_MILLIS);
    int days = days(firstDay);
    int cells = stores * skus;
    long[] closing = new long[Math.toIntExact((long) days * cells)];
    // Slot 0 gathers everything before the first day; slot d + 1 is day d.
    int slots = days + 1;
    // Deltas grouped by cell (a counting sort keeps the order within a cell irrelevant anyway).
    int[] cellStart = new int[cells + 1];
    for (int i = 0; i < deltaCount; i++) {
      cellStart[deltaCells[i] + 1]++;
    }
    for (int c = 0; c < cells; c++) {
      cellStart[c + 1] += cellStart[c];
    }
    int[] byCell = new int[deltaCount];
    int[] fill = Arrays.copyOf(cellStart, cells);
    for (int i = 0; i < deltaCount; i++) {
      byCell[fill[deltaCells[i]]++] = i;
    }
    List<Count> sortedCounts = new ArrayList<>(counts);
    sortedCounts.sort(Comparator.comparingInt(Count::cell));
    int nextCount = 0;

    long[] sum = new long[slots];
    long[] after = new long[slots];
    long[] before = new long[slots];
    Count[] winning = new Count[slots];
    for (int cell = 0; cell < cells; cell++) {
      Arrays.fill(sum, 0);
      Arrays.fill(after, 0);
      Arrays.fill(before, 0);
      Arrays.fill(winning, null);
      for (;
          nextCount < sortedCounts.size() && sortedCounts.get(nextCount).cell() == cell;
          nextCount++) {
        Count c = sortedCounts.get(nextCount);
        int slot = slot(c.millis(), firstDay);
        Count w = winning[slot];
        if (w == null
            || c.millis() > w.millis()
            || (c.millis() == w.millis() && c.movementId().compareTo(w.movementId()) > 0)) {
          winning[slot] = c;
        }
      }
      for (int j = cellStart[cell]; j < cellStart[cell + 1]; j++) {
        int i = byCell[j];
        int slot = slot(deltaMillis[i], firstDay);
        sum[slot] += deltas[i];
        Count w = winning[slot];
        if (w != null) {
          if (deltaMillis[i] >= w.millis()) {
            after[slot] += deltas[i];
          } else {
            before[slot] += deltas[i];
          }
        }
      }
      long level = 0;
      boolean countedBefore = false;
      int store = cell / skus;
      int sku = cell % skus;
      for (int slot = 0; slot < slots; slot++) {
        Count w = winning[slot];
        if (w != null) {
          if (variance != null && countedBefore && slot >= 1) {
            variance[slot - 1][store][0] += w.quantity() - (level + before[slot]);
          }
          level = w.quantity() + after[slot];
          countedBefore = true;
        } else {
          level += sum[slot];
        }
        if (slot >= 1) {
          closing[((slot - 1) * stores + store) * skus + sku] = level;
        }
      }
    }
    return new ClosingStock(LocalDate.ofEpochDay(firstDay), days, stores, skus, closing);
  }

  private static int slot(long millis, long firstDay) {
    return (int) Math.max(0, Math.floorDiv(millis, DAY_MILLIS) - firstDay + 1);
  }
}
