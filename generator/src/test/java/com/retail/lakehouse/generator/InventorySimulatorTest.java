package com.retail.lakehouse.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.retail.lakehouse.transforms.event.PosEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Tests the inventory stream: determinism, stock following the POS lines, counts, the manifest. */
class InventorySimulatorTest {
  private static final Instant START = Instant.parse("2026-11-24T00:00:00Z");
  private static final Set<EventStream> BOTH = EnumSet.allOf(EventStream.class);

  /** 5 stores x 100 SKUs over about 10 days, with every kind of fault. */
  static final GeneratorConfig FAULTY =
      GeneratorConfig.builder()
          .start(START)
          .stores(5)
          .skus(100)
          .count(75_000)
          .malformedRate(0.02)
          .duplicateRate(0.03)
          .lateRate(0.02)
          .streams(BOTH)
          .build();

  private static final GeneratorConfig CLEAN =
      FAULTY.toBuilder().malformedRate(0).duplicateRate(0).lateRate(0).build();

  private static List<GeneratedMessage> faulty;
  private static ManifestTally faultyTally;
  private static List<PosEvent> faultyLines;

  @BeforeAll
  static void simulate() {
    faulty = generate(new ChainSimulator(FAULTY));
    faultyTally = new ManifestTally(FAULTY, START);
    faulty.forEach(faultyTally::record);
    faultyLines = posLines(faulty);
  }

  private static List<GeneratedMessage> generate(ChainSimulator simulator) {
    List<GeneratedMessage> messages = new ArrayList<>();
    simulator.forEachRemaining(messages::add);
    return messages;
  }

  private static List<byte[]> inventoryValues(List<GeneratedMessage> messages) {
    return messages.stream()
        .filter(m -> m.stream() == EventStream.INVENTORY)
        .map(GeneratedMessage::value)
        .toList();
  }

  private static List<byte[]> posValues(List<GeneratedMessage> messages) {
    return messages.stream()
        .filter(m -> m.stream() == EventStream.POS)
        .map(GeneratedMessage::value)
        .toList();
  }

  /** The distinct valid POS lines, as the ingest would keep them (parsed from the bytes). */
  private static List<PosEvent> posLines(List<GeneratedMessage> messages) {
    Instant now = Instant.parse("2027-01-01T00:00:00Z");
    return Reconciliation.tally(posValues(messages), now).lines();
  }

  @Test
  void sameSeedGivesIdenticalMessagesOnBothStreams() {
    List<GeneratedMessage> again = generate(new ChainSimulator(FAULTY));
    assertThat(again).hasSameSizeAs(faulty);
    for (int i = 0; i < faulty.size(); i++) {
      assertThat(again.get(i).key()).isEqualTo(faulty.get(i).key());
      assertThat(again.get(i).value()).isEqualTo(faulty.get(i).value());
      assertThat(again.get(i).kind()).isEqualTo(faulty.get(i).kind());
    }
    assertThat(ManifestTally.simulate(new ChainSimulator(FAULTY)).toJson())
        .isEqualTo(faultyTally.toManifest(null).toJson());
    List<GeneratedMessage> otherSeed =
        generate(new ChainSimulator(FAULTY.toBuilder().seed(7).build()));
    assertThat(inventoryValues(otherSeed).get(0)).isNotEqualTo(inventoryValues(faulty).get(0));
  }

  @Test
  void posTrafficIsExactlyThatOfAPosOnlyRun() {
    GeneratorConfig posOnly = FAULTY.toBuilder().streams(EnumSet.of(EventStream.POS)).build();
    List<GeneratedMessage> alone = new ArrayList<>();
    new PosTrafficSimulator(posOnly).forEachRemaining(alone::add);
    List<GeneratedMessage> pos =
        faulty.stream().filter(m -> m.stream() == EventStream.POS).toList();
    assertThat(pos).hasSameSizeAs(alone);
    for (int i = 0; i < pos.size(); i++) {
      assertThat(pos.get(i).value()).isEqualTo(alone.get(i).value());
    }
    // and the POS part of the manifest is the POS-only manifest
    Manifest both = faultyTally.toManifest(null);
    assertThat(both.withInventory(null).toJson())
        .isEqualTo(ManifestTally.simulate(new PosTrafficSimulator(posOnly)).toJson());
    assertThat(both.inventory()).isNotNull();
    assertThat(both.toJson()).contains("\"inventory\"");
    assertThat(ManifestTally.simulate(new PosTrafficSimulator(posOnly)).toJson())
        .doesNotContain("inventory");
  }

  @Test
  void movementsAreSentInEventTimeOrderAmongThePosLines() {
    long lastPosValid = Long.MIN_VALUE;
    int movements = 0;
    for (GeneratedMessage m : faulty) {
      if (m.kind() != MessageKind.VALID) {
        continue;
      }
      if (m.stream() == EventStream.POS) {
        lastPosValid = Math.max(lastPosValid, m.eventMillis());
      } else {
        movements++;
        assertThat(m.eventMillis())
            .as("movement %s after a later sale line", m.movement())
            .isGreaterThanOrEqualTo(lastPosValid);
      }
      assertThat(m.key())
          .isEqualTo(
              (m.stream() == EventStream.POS ? m.event().storeId() : m.movement().storeId())
                  .getBytes(StandardCharsets.UTF_8));
    }
    assertThat(movements).isGreaterThan(1_000);
  }

  @Test
  void manifestCountsAndClosingStockMatchAnIndependentRecomputation() {
    InventoryManifest manifest = faultyTally.toManifest(null).inventory();
    List<byte[]> values = inventoryValues(faulty);
    List<StockBooks.Movement> movements = StockBooks.distinctValid(values);
    long parsedValid = values.stream().filter(v -> StockBooks.parse(v) != null).count();

    assertThat(manifest.counts().sent()).isEqualTo(values.size());
    assertThat(manifest.counts().valid()).isEqualTo(movements.size());
    assertThat(manifest.counts().duplicates()).isEqualTo(parsedValid - movements.size());
    assertThat(manifest.counts().malformed()).isEqualTo(values.size() - parsedValid);
    assertThat(manifest.counts().malformed()).isPositive();
    assertThat(manifest.counts().duplicates()).isPositive();
    assertThat(manifest.counts().late()).isPositive();
    assertThat(manifest.movementsByType())
        .containsOnlyKeys("ADJUSTMENT", "COUNT", "RECEIPT", "TRANSFER_IN", "TRANSFER_OUT");

    List<PosEvent> lines = faultyLines;
    LocalDate first = LocalDate.parse(manifest.closingStock().firstDate());
    LocalDate last = LocalDate.parse(manifest.closingStock().lastDate());
    assertThat(first).isEqualTo(LocalDate.parse("2026-11-24"));
    assertThat(last).isAfterOrEqualTo(first.plusDays(8));
    Map<String, TreeMap<LocalDate, Long>> closing =
        StockBooks.closing(StockBooks.entries(movements, lines), first, last);

    // The test's own CSV of the recomputation hashes to the manifest's digest...
    assertThat(manifest.closingStock().sha256())
        .isEqualTo(StockBooks.sha256(closing, FAULTY.stores(), FAULTY.skus(), first, last));
    // ...and every cell matches the generator's table.
    ClosingStock table = faultyTally.closingStock();
    long rows = 0;
    for (LocalDate d = first; !d.isAfter(last); d = d.plusDays(1)) {
      for (int s = 1; s <= FAULTY.stores(); s++) {
        for (int k = 1; k <= FAULTY.skus(); k++) {
          String store = String.format("S%03d", s);
          String sku = String.format("SKU-%05d", k);
          TreeMap<LocalDate, Long> days = closing.get(store + "|" + sku);
          assertThat(table.closing(store, sku, d))
              .as("%s %s %s", store, sku, d)
              .isEqualTo(days == null ? 0 : days.get(d));
          rows++;
        }
      }
    }
    assertThat(manifest.closingStock().rows()).isEqualTo(rows);
  }

  @Test
  void everySaleAndReturnLineIsReflectedInStock() {
    Manifest manifest = faultyTally.toManifest(null);
    Map<String, DailyExpectation> pos = new TreeMap<>();
    manifest.expectedDaily().forEach(e -> pos.put(e.storeId() + "|" + e.saleDate(), e));
    Map<String, InventoryManifest.Daily> inv = new TreeMap<>();
    manifest.inventory().expectedDaily().forEach(d -> inv.put(d.storeId() + "|" + d.date(), d));
    // Sold minus returned units are the POS manifest's units, store-day by store-day.
    for (InventoryManifest.Daily d : manifest.inventory().expectedDaily()) {
      DailyExpectation sales = pos.get(d.storeId() + "|" + d.date());
      assertThat(d.sold() - d.returned()).isEqualTo(sales == null ? 0 : sales.units());
    }
    // On a day without counts, the closing stock moves by exactly the movements and the lines.
    int checked = 0;
    for (InventoryManifest.Daily d : manifest.inventory().expectedDaily()) {
      InventoryManifest.Daily before =
          inv.get(d.storeId() + "|" + LocalDate.parse(d.date()).minusDays(1));
      if (before == null || d.countedSkus() > 0) {
        continue;
      }
      assertThat(d.closingUnits() - before.closingUnits())
          .as("%s %s", d.storeId(), d.date())
          .isEqualTo(
              d.received()
                  + d.transferredIn()
                  - d.transferredOut()
                  + d.adjusted()
                  - d.sold()
                  + d.returned());
      checked++;
    }
    assertThat(checked).isGreaterThan(20);
    // One line more or less shows in the books: drop a sale line and the recomputation differs.
    List<PosEvent> lines = faultyLines;
    List<StockBooks.Movement> movements = StockBooks.distinctValid(inventoryValues(faulty));
    PosEvent dropped =
        lines.stream()
            .filter(e -> e.eventTime().isAfter(Instant.parse("2026-11-25T12:00:00Z")))
            .findFirst()
            .orElseThrow();
    LocalDate day = LocalDate.parse("2026-11-25");
    List<PosEvent> fewer = new ArrayList<>(lines);
    fewer.remove(dropped);
    long withLine =
        StockBooks.closing(StockBooks.entries(movements, lines), day, day)
            .get(dropped.storeId() + "|" + dropped.sku())
            .get(day);
    long withoutLine =
        StockBooks.closing(StockBooks.entries(movements, fewer), day, day)
            .get(dropped.storeId() + "|" + dropped.sku())
            .get(day);
    assertThat(withoutLine - withLine).isEqualTo(dropped.quantity());
    assertThat(faultyTally.closingStock().closing(dropped.storeId(), dropped.sku(), day))
        .isEqualTo(withLine);
  }

  @Test
  void cycleCountsRevealUnrecordedShrink() {
    // No faults: books and shelf differ only by unrecorded shrink (and a shelf never counts below
    // 0), so a count below the books can only be hidden shrink.
    Catalogue catalogue = Catalogue.generate(CLEAN.seed(), CLEAN.stores(), CLEAN.skus());
    List<GeneratedMessage> withShrink = generate(new ChainSimulator(CLEAN));
    List<GeneratedMessage> withoutShrink =
        generate(
            new ChainSimulator(
                new PosTrafficSimulator(CLEAN),
                new InventorySimulator(CLEAN, catalogue, START, 0.0)));

    Map<String, Long> hidden = variances(withShrink);
    Map<String, Long> none = variances(withoutShrink);
    assertThat(hidden.values()).anySatisfy(v -> assertThat(v).isNegative());
    assertThat(none.values()).allSatisfy(v -> assertThat(v).isNotNegative());
    assertThat(none).isNotEmpty();

    // The manifest reports the same variances per store and day.
    ManifestTally tally = new ManifestTally(CLEAN, START);
    withShrink.forEach(tally::record);
    for (InventoryManifest.Daily d : tally.toManifest(null).inventory().expectedDaily()) {
      assertThat(d.countVariance())
          .as("%s %s", d.storeId(), d.date())
          .isEqualTo(hidden.getOrDefault(d.storeId() + "|" + d.date(), 0L));
    }
  }

  private static Map<String, Long> variances(List<GeneratedMessage> messages) {
    return StockBooks.countVariances(
        StockBooks.entries(
            StockBooks.distinctValid(inventoryValues(messages)), posLines(messages)));
  }

  @Test
  void negativeStockOccursAndIsReported() {
    InventoryManifest manifest = faultyTally.toManifest(null).inventory();
    ClosingStock table = faultyTally.closingStock();
    long negative = 0;
    for (int d = 0; d < table.days(); d++) {
      for (int s = 0; s < FAULTY.stores(); s++) {
        for (int k = 0; k < FAULTY.skus(); k++) {
          if (table.closing(d, s, k) < 0) {
            negative++;
          }
        }
      }
    }
    assertThat(negative).isPositive();
    assertThat(manifest.closingStock().negativeRows()).isEqualTo(negative);
    assertThat(
            manifest.expectedDaily().stream()
                .mapToLong(InventoryManifest.Daily::negativeSkus)
                .sum())
        .isEqualTo(negative);
  }

  @Test
  void manifestRoundTripsThroughJson() {
    Manifest manifest = faultyTally.toManifest(null);
    assertThat(Manifest.fromJson(manifest.toJson())).isEqualTo(manifest);
    assertThat(manifest.toJson())
        .contains("\"inventory\" : {", "\"closing_stock\" : {", "\"sha256\" : \"");
  }

  @Test
  void inventoryNeedsPosAndASimulatedClock() {
    assertThatThrownBy(
            () -> GeneratorConfig.builder().streams(EnumSet.of(EventStream.INVENTORY)).build())
        .hasMessageContaining("--streams must include pos");
    assertThatThrownBy(
            () -> GeneratorConfig.builder().streams(BOTH).duration(Duration.ofSeconds(5)).build())
        .hasMessageContaining("needs a simulated clock");
    assertThatThrownBy(() -> EventStream.parseList("pos,stock"))
        .hasMessageContaining("--streams takes a comma-separated list of pos and inventory");
    assertThat(EventStream.parseList(" pos , inventory")).isEqualTo(BOTH);
    assertThat(MalformedKind.FOR_INVENTORY)
        .doesNotContain(MalformedKind.TOTAL_MISMATCH)
        .hasSize(MalformedKind.values().length - 1);
  }
}
