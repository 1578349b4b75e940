package com.retail.lakehouse.transforms.mart;

import static com.retail.lakehouse.transforms.tables.DailyInventoryTable.COVER_DAYS;
import static com.retail.lakehouse.transforms.tables.DailyInventoryTable.DEFINITION;

import com.retail.lakehouse.transforms.event.MovementType;
import com.retail.lakehouse.transforms.event.PosEventSchema;
import com.retail.lakehouse.transforms.metrics.MetricNames;
import com.retail.lakehouse.transforms.tables.TableRowCoder;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.schemas.SchemaCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;

/**
 * Stock events to marts.daily_inventory rows for the run's dates {@code firstDay..lastDay}: all
 * events of one (store_id, sku) are grouped, and its days are computed in order by the
 * closing-stock rule of {@link com.retail.lakehouse.transforms.event.InventoryMovementSchema}; the
 * rows are then grouped by stock_date so each day is written as one batch.
 *
 * <p>Per (store, sku): copies of a movement (movement_id) or a POS line (transaction_id,
 * line_number) are reduced to the first-ingested one (the sales mart's order). The level starts
 * from the mart's own closing_units of {@code firstDay - 1} when the input holds that row (an
 * incremental run), else from 0 at the key's first event. Each day: the winning COUNT (latest
 * event_time, then greatest movement_id) sets the level to its quantity and the day's other events
 * at or after its event_time apply on top; without one, every event of the day applies to the
 * opening level. A key carries to every later date of the run once it has a level, with or without
 * events. Memory: one task holds the events of one store's SKU bucket (an eighth of its SKUs) over
 * the run's dates.
 */
public final class SummarizeDailyInventory
    extends PTransform<PCollection<KV<String, StockEvent>>, PCollection<List<Row>>> {
  private final long firstDay;
  private final long lastDay;
  private final Instant computedAt;

  private SummarizeDailyInventory(long firstDay, long lastDay, Instant computedAt) {
    if (lastDay < firstDay) {
      throw new IllegalArgumentException(
          "last day "
              + LocalDate.ofEpochDay(lastDay)
              + " is before "
              + LocalDate.ofEpochDay(firstDay));
    }
    this.firstDay = firstDay;
    this.lastDay = lastDay;
    this.computedAt = computedAt;
  }

  /** Rows for every date from {@code first} to {@code last}, stamped with {@code computedAt}. */
  public static SummarizeDailyInventory of(LocalDate first, LocalDate last, Instant computedAt) {
    return new SummarizeDailyInventory(first.toEpochDay(), last.toEpochDay(), computedAt);
  }

  @Override
  public PCollection<List<Row>> expand(PCollection<KV<String, StockEvent>> events) {
    return events
        .apply("KeyByStoreAndSkuBucket", ParDo.of(new BucketFn()))
        .setCoder(
            KvCoder.of(
                StringUtf8Coder.of(),
                ((KvCoder<String, StockEvent>) events.getCoder()).getValueCoder()))
        .apply("GroupByStoreAndSkuBucket", GroupByKey.create())
        .apply("ComputeDays", ParDo.of(new DaysFn(firstDay, lastDay, computedAt)))
        .setCoder(KvCoder.of(VarLongCoder.of(), TableRowCoder.of(DEFINITION)))
        .apply("GroupByStockDate", GroupByKey.create())
        .apply("AsDayBatch", ParDo.of(new BatchFn()))
        .setCoder(ListCoder.of(SchemaCoder.of(DEFINITION.beamSchema())));
  }

  /** The rows of one day as one batch for the writer. */
  static final class BatchFn extends DoFn<KV<Long, Iterable<Row>>, List<Row>> {
    @ProcessElement
    public void process(@Element KV<Long, Iterable<Row>> day, OutputReceiver<List<Row>> out) {
      List<Row> rows = new ArrayList<>();
      day.getValue().forEach(rows::add);
      out.output(rows);
    }
  }

  /**
   * Groups of a few dozen SKUs of one store rather than one group per (store, sku): the direct
   * runner keeps state and a watermark hold per key, and tens of thousands of keys made its
   * grouping take minutes for a three-day demo (measured: 167 s for 10,000 keys, a few seconds for
   * 160); 8 buckets per store still leave Flink and Spark 8 groups per store to spread.
   */
  static final int SKU_BUCKETS = 8;

  /** The (store, SKU bucket) key of an event keyed by (store, sku). */
  static final class BucketFn extends DoFn<KV<String, StockEvent>, KV<String, StockEvent>> {
    @ProcessElement
    public void process(
        @Element KV<String, StockEvent> e, OutputReceiver<KV<String, StockEvent>> out) {
      StockEvent event = e.getValue();
      out.output(
          KV.of(event.storeId() + "#" + Math.floorMod(event.sku().hashCode(), SKU_BUCKETS), event));
    }
  }

  /** The days of each (store, sku) of one (store, SKU bucket). */
  static final class DaysFn extends DoFn<KV<String, Iterable<StockEvent>>, KV<Long, Row>> {
    private final long firstDay;
    private final long lastDay;
    private final Instant computedAt;
    private final Counter duplicates = MetricNames.counter(MetricNames.MART_DUPLICATES);

    DaysFn(long firstDay, long lastDay, Instant computedAt) {
      this.firstDay = firstDay;
      this.lastDay = lastDay;
      this.computedAt = computedAt;
    }

    @ProcessElement
    public void process(
        @Element KV<String, Iterable<StockEvent>> key, OutputReceiver<KV<Long, Row>> out) {
      Map<String, List<StockEvent>> bySku = new HashMap<>();
      for (StockEvent e : key.getValue()) {
        bySku.computeIfAbsent(e.sku(), k -> new ArrayList<>()).add(e);
      }
      for (List<StockEvent> events : bySku.values()) {
        for (Row row : days(events, firstDay, lastDay, computedAt, duplicates::inc)) {
          out.output(KV.of(((LocalDate) row.getValue(0)).toEpochDay(), row));
        }
      }
    }
  }

  /** A sink for the number of duplicate copies dropped. */
  interface Dropped {
    void add(long n);
  }

  /**
   * The book level just before {@code count}'s instant: the opening level, then the day's events
   * before that instant in time order, an earlier COUNT of the day setting the level (COUNTs of one
   * instant before that instant's deltas, the greater movement_id last) and every other event
   * adding its delta.
   */
  private static long levelBefore(
      List<StockEvent> today, StockEvent count, long openingUnits, MovementType[] types) {
    List<StockEvent> earlier = new ArrayList<>();
    for (StockEvent e : today) {
      if (e.eventMillis() < count.eventMillis()) {
        earlier.add(e);
      }
    }
    earlier.sort(
        java.util.Comparator.comparingLong(StockEvent::eventMillis)
            .thenComparing(e -> !isCount(e, types))
            .thenComparing(e -> e.id() == null ? "" : e.id()));
    long level = openingUnits;
    for (StockEvent e : earlier) {
      if (isCount(e, types)) {
        level = e.quantity();
      } else if (e.source() == StockEvent.Source.POS_LINE) {
        level -= e.quantity();
      } else {
        level += types[e.type()].stockDelta((int) e.quantity());
      }
    }
    return level;
  }

  private static boolean isCount(StockEvent e, MovementType[] types) {
    return e.source() == StockEvent.Source.MOVEMENT && types[e.type()] == MovementType.COUNT;
  }

  /**
   * The rows of one (store, sku) for {@code firstDay..lastDay} from all its events (see the class
   * Javadoc); empty when it has neither an opening row nor an event.
   */
  static List<Row> days(
      Iterable<StockEvent> events,
      long firstDay,
      long lastDay,
      Instant computedAt,
      Dropped dropped) {
    Map<String, StockEvent> movements = new HashMap<>();
    Map<String, StockEvent> lines = new HashMap<>();
    Map<Long, Long> netSold = new HashMap<>();
    StockEvent opening = null;
    String store = null;
    String sku = null;
    long copies = 0;
    for (StockEvent e : events) {
      store = e.storeId();
      sku = e.sku();
      switch (e.source()) {
        case MART_ROW -> {
          if (e.epochDay() >= firstDay) {
            throw new IllegalStateException(
                "mart row of " + LocalDate.ofEpochDay(e.epochDay()) + " read as an opening");
          }
          netSold.put(e.epochDay(), e.sold() - e.returned());
          if (e.epochDay() == firstDay - 1) {
            opening = e;
          }
        }
        case MOVEMENT -> {
          StockEvent kept = movements.putIfAbsent(e.id(), e);
          if (kept != null) {
            copies++;
            if (e.ingestedBefore(kept)) {
              movements.put(e.id(), e);
            }
          }
        }
        case POS_LINE -> {
          String id = e.id() + "#" + e.lineNumber();
          StockEvent kept = lines.putIfAbsent(id, e);
          if (kept != null) {
            copies++;
            if (e.ingestedBefore(kept)) {
              lines.put(id, e);
            }
          }
        }
      }
    }
    dropped.add(copies);
    TreeMap<Long, List<StockEvent>> byDay = new TreeMap<>();
    for (StockEvent e : movements.values()) {
      byDay.computeIfAbsent(e.epochDay(), d -> new ArrayList<>()).add(e);
    }
    for (StockEvent e : lines.values()) {
      byDay.computeIfAbsent(e.epochDay(), d -> new ArrayList<>()).add(e);
    }
    if (!byDay.isEmpty() && byDay.firstKey() < firstDay) {
      throw new IllegalStateException(
          "event of " + LocalDate.ofEpochDay(byDay.firstKey()) + " before the run's first date");
    }
    if (opening == null && byDay.isEmpty()) {
      return List.of();
    }
    long start = opening != null ? firstDay : byDay.firstKey();
    long level = opening != null ? opening.quantity() : 0;
    // the latest unit_cost: event_time, then movement_id; a mart row's holds what was before
    long costCents = opening != null ? opening.unitCostCents() : -1;
    long costMillis = Long.MIN_VALUE;
    String costId = "";
    MovementType[] types = MovementType.values();
    List<Row> rows = new ArrayList<>();
    for (long day = start; day <= lastDay; day++) {
      long openingUnits = level;
      long received = 0;
      long sold = 0;
      long returned = 0;
      long adjusted = 0;
      long transfer = 0;
      StockEvent count = null;
      List<StockEvent> today = byDay.getOrDefault(day, List.of());
      for (StockEvent e : today) {
        if (e.source() == StockEvent.Source.POS_LINE) {
          if (e.type() == 1) {
            returned -= e.quantity();
          } else {
            sold += e.quantity();
          }
          continue;
        }
        if (e.eventMillis() > costMillis
            || (e.eventMillis() == costMillis && e.id().compareTo(costId) > 0)) {
          costMillis = e.eventMillis();
          costId = e.id();
          costCents = e.unitCostCents();
        }
        switch (types[e.type()]) {
          case RECEIPT -> received += e.quantity();
          case ADJUSTMENT -> adjusted += e.quantity();
          case TRANSFER_IN -> transfer += e.quantity();
          case TRANSFER_OUT -> transfer -= e.quantity();
          case COUNT -> {
            if (count == null
                || e.eventMillis() > count.eventMillis()
                || (e.eventMillis() == count.eventMillis() && e.id().compareTo(count.id()) > 0)) {
              count = e;
            }
          }
        }
      }
      long before = 0;
      long after = 0;
      for (StockEvent e : today) {
        long delta;
        if (e.source() == StockEvent.Source.POS_LINE) {
          delta = -e.quantity();
        } else if (types[e.type()] == MovementType.COUNT) {
          continue;
        } else {
          delta = types[e.type()].stockDelta((int) e.quantity());
        }
        if (count != null && e.eventMillis() >= count.eventMillis()) {
          after += delta;
        } else {
          before += delta;
        }
      }
      Long variance = null;
      if (count != null) {
        variance = count.quantity() - levelBefore(today, count, openingUnits, types);
        level = count.quantity() + after;
      } else {
        level = openingUnits + before;
      }
      netSold.put(day, sold - returned);
      long windowNet = 0;
      for (long d = day - COVER_DAYS + 1; d <= day; d++) {
        windowNet += netSold.getOrDefault(d, 0L);
      }
      BigDecimal cover =
          windowNet <= 0
              ? null
              : BigDecimal.valueOf(level * COVER_DAYS)
                  .divide(
                      BigDecimal.valueOf(windowNet),
                      PosEventSchema.MONEY_SCALE,
                      RoundingMode.HALF_EVEN);
      BigDecimal unitCost = costCents < 0 ? null : SaleLines.money(costCents);
      BigDecimal value =
          costCents < 0 ? null : SaleLines.money(Math.multiplyExact(level, costCents));
      rows.add(
          Row.withSchema(DEFINITION.beamSchema())
              .addValues(
                  LocalDate.ofEpochDay(day),
                  store,
                  sku,
                  openingUnits,
                  received,
                  sold,
                  returned,
                  adjusted,
                  transfer,
                  variance,
                  level,
                  unitCost,
                  value,
                  level <= 0,
                  cover,
                  computedAt)
              .build());
    }
    return rows;
  }
}
