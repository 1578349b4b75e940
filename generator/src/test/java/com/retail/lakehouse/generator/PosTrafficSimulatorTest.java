package com.retail.lakehouse.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.retail.lakehouse.transforms.event.DeadLetterReason;
import com.retail.lakehouse.transforms.event.EventType;
import com.retail.lakehouse.transforms.event.PosEvent;
import com.retail.lakehouse.transforms.event.PosEventJson;
import com.retail.lakehouse.transforms.event.PosEventRules;
import com.retail.lakehouse.transforms.event.Rejection;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Tests the simulator's determinism, fault mix and manifest without Kafka. */
class PosTrafficSimulatorTest {
  private static final int MAX_PAYLOAD = 1 << 20;
  private static final Instant START = Instant.parse("2026-11-24T00:00:00Z");
  private static final GeneratorConfig FAULTY =
      GeneratorConfig.builder()
          .start(START)
          .count(40_000)
          .malformedRate(0.02)
          .duplicateRate(0.03)
          .lateRate(0.02)
          .build();

  private static List<GeneratedMessage> generate(GeneratorConfig config) {
    List<GeneratedMessage> messages = new ArrayList<>();
    new PosTrafficSimulator(config).forEachRemaining(messages::add);
    return messages;
  }

  /** Parses and validates one message the way the ingest does. */
  private static Optional<Rejection> rejection(byte[] value, Instant now) {
    PosEventJson.Parsed parsed = PosEventJson.parse(value, MAX_PAYLOAD);
    if (!parsed.isValid()) {
      return Optional.of(parsed.rejection());
    }
    return PosEventRules.standard().check(parsed.event(), now);
  }

  @Test
  void sameSeedGivesIdenticalMessages() {
    List<GeneratedMessage> a = generate(FAULTY);
    List<GeneratedMessage> b = generate(FAULTY);
    assertThat(a).hasSameSizeAs(b);
    for (int i = 0; i < a.size(); i++) {
      assertThat(a.get(i).key()).isEqualTo(b.get(i).key());
      assertThat(a.get(i).value()).isEqualTo(b.get(i).value());
      assertThat(a.get(i).kind()).isEqualTo(b.get(i).kind());
    }
    assertThat(ManifestTally.simulate(new PosTrafficSimulator(FAULTY)).toJson())
        .isEqualTo(ManifestTally.simulate(new PosTrafficSimulator(FAULTY)).toJson());
  }

  @Test
  void differentSeedsDiffer() {
    List<GeneratedMessage> a = generate(FAULTY.toBuilder().count(1_000).build());
    List<GeneratedMessage> b = generate(FAULTY.toBuilder().count(1_000).seed(43).build());
    long same = 0;
    for (int i = 0; i < a.size(); i++) {
      if (Arrays.equals(a.get(i).value(), b.get(i).value())) {
        same++;
      }
    }
    assertThat(same).isZero();
    assertThat(Catalogue.generate(42, 20, 500).products())
        .isNotEqualTo(Catalogue.generate(43, 20, 500).products());
  }

  @Test
  void countsAddUp() {
    Manifest m = ManifestTally.simulate(new PosTrafficSimulator(FAULTY));
    Manifest.Counts c = m.counts();
    assertThat(c.sent()).isEqualTo(40_000);
    assertThat(c.sent()).isEqualTo(c.valid() + c.malformed() + c.duplicates());
    assertThat((double) c.malformed() / c.sent()).isCloseTo(0.02, within(0.004));
    assertThat((double) c.duplicates() / c.sent()).isCloseTo(0.03, within(0.004));
    assertThat((double) c.late() / c.sent()).isCloseTo(0.02, within(0.004));
    assertThat(m.malformedByReason().values().stream().mapToLong(Long::longValue).sum())
        .isEqualTo(c.malformed());
    assertThat(m.malformedByReason()).hasSize(MalformedKind.values().length);
    assertThat(m.expectedDaily().stream().mapToLong(DailyExpectation::lines).sum())
        .isEqualTo(c.valid());

    Manifest clean =
        ManifestTally.simulate(
            new PosTrafficSimulator(GeneratorConfig.builder().start(START).build()));
    assertThat(clean.counts()).isEqualTo(new Manifest.Counts(10_000, 10_000, 0, 0, 0));
    assertThat(clean.malformedByReason()).isEmpty();
  }

  @Test
  void aLaterRunOnTheSameRegistersAndDayUsesNewReceiptNumbers() {
    // a warm-up run, then the measured traffic starting after its last event (another seed)
    GeneratorConfig first = GeneratorConfig.builder().seed(43).start(START).count(5_000).build();
    Manifest firstRun = ManifestTally.simulate(new PosTrafficSimulator(first));
    GeneratorConfig second =
        GeneratorConfig.builder()
            .seed(42)
            .start(Instant.parse(firstRun.lastEventTime()).plusSeconds(1))
            .count(5_000)
            .build();
    Set<String> firstReceipts = new HashSet<>();
    generate(first).forEach(m -> firstReceipts.add(receiptOf(m)));
    firstReceipts.remove(null);
    List<String> reused =
        generate(second).stream()
            .map(PosTrafficSimulatorTest::receiptOf)
            .filter(firstReceipts::contains)
            .toList();
    assertThat(firstReceipts).hasSizeGreaterThan(1_000);
    assertThat(reused).isEmpty();
  }

  private static String receiptOf(GeneratedMessage m) {
    return m.event() == null ? null : m.event().transactionId();
  }

  @Test
  void everyValidMessagePassesTheContract() {
    List<GeneratedMessage> messages = generate(FAULTY);
    Manifest m = ManifestTally.simulate(new PosTrafficSimulator(FAULTY));
    Instant now = Instant.parse(m.lastEventTime()).plusSeconds(1);
    Pattern receipt = Pattern.compile("S\\d{3}-R\\d-\\d{8}-L?\\d{7}");
    Pattern uuid =
        Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    Set<String> eventIds = new HashSet<>();
    for (GeneratedMessage msg : messages) {
      if (msg.kind() == MessageKind.MALFORMED) {
        continue;
      }
      assertThat(rejection(msg.value(), now)).as(new String(msg.value())).isEmpty();
      PosEvent e = PosEventJson.parse(msg.value(), MAX_PAYLOAD).event();
      assertThat(e).isEqualTo(msg.event());
      assertThat(new String(msg.key(), StandardCharsets.UTF_8)).isEqualTo(e.storeId());
      assertThat(e.transactionId()).matches(receipt).startsWith(e.registerId() + "-");
      assertThat(e.eventId()).matches(uuid);
      assertThat(e.currency()).isEqualTo("USD");
      assertThat(e.unitPrice().scale()).isEqualTo(2);
      assertThat(e.totalAmount())
          .isEqualByComparingTo(
              e.unitPrice()
                  .multiply(java.math.BigDecimal.valueOf(e.quantity()))
                  .subtract(e.discount()));
      if (msg.kind() != MessageKind.DUPLICATE) {
        assertThat(eventIds.add(e.eventId())).as("unique event_id").isTrue();
      }
    }
  }

  @Test
  void eachMalformedKindIsRejectedWithItsReason() {
    GeneratorConfig clean = GeneratorConfig.builder().start(START).count(5_000).build();
    List<GeneratedMessage> messages = generate(clean);
    PosEvent sale = messages.get(0).event();
    PosEvent aReturn =
        messages.stream()
            .map(GeneratedMessage::event)
            .filter(e -> e.eventType() == EventType.RETURN)
            .findFirst()
            .orElseThrow();
    Instant now = Instant.parse("2026-12-01T00:00:00Z");
    Set<DeadLetterReason> reasons = new HashSet<>();
    for (MalformedKind kind : MalformedKind.values()) {
      for (PosEvent source : List.of(sale, aReturn)) {
        byte[] corrupted = kind.corrupt(source);
        assertThat(rejection(corrupted, now))
            .as(kind + ": " + new String(corrupted, StandardCharsets.UTF_8))
            .map(Rejection::reason)
            .contains(kind.reason());
      }
      reasons.add(kind.reason());
    }
    assertThat(reasons).hasSize(MalformedKind.values().length);

    // In a generated stream too, every malformed message is rejected with its kind's reason.
    Map<MalformedKind, Integer> seen = new EnumMap<>(MalformedKind.class);
    for (GeneratedMessage msg : generate(FAULTY)) {
      if (msg.kind() == MessageKind.MALFORMED) {
        assertThat(rejection(msg.value(), now).map(Rejection::reason))
            .contains(msg.malformedKind().reason());
        assertThat(new String(msg.key(), StandardCharsets.UTF_8)).isEqualTo(msg.event().storeId());
        seen.merge(msg.malformedKind(), 1, Integer::sum);
      }
    }
    assertThat(seen).hasSize(MalformedKind.values().length);
  }

  @Test
  void duplicatesAreExactResendsOfEarlierValidLines() {
    List<GeneratedMessage> messages = generate(FAULTY);
    int duplicates = 0;
    for (int i = 0; i < messages.size(); i++) {
      GeneratedMessage dup = messages.get(i);
      if (dup.kind() != MessageKind.DUPLICATE) {
        continue;
      }
      duplicates++;
      boolean found = false;
      int validSeen = 0;
      for (int j = i - 1; j >= 0 && validSeen < PosTrafficSimulator.DUPLICATE_WINDOW; j--) {
        GeneratedMessage earlier = messages.get(j);
        if (earlier.kind().isDistinctValidLine()) {
          validSeen++;
          if (Arrays.equals(earlier.key(), dup.key())
              && Arrays.equals(earlier.value(), dup.value())) {
            found = true;
            break;
          }
        }
      }
      assertThat(found).as("duplicate #%d re-sends one of the last 1000 valid lines", i).isTrue();
    }
    assertThat(duplicates).isGreaterThan(1_000);
  }

  @Test
  void expectedDailyMatchesTheValidDistinctLines() {
    List<GeneratedMessage> messages = generate(FAULTY);
    Manifest manifest = ManifestTally.simulate(new PosTrafficSimulator(FAULTY));
    Instant now = Instant.parse(manifest.lastEventTime()).plusSeconds(60);
    List<DailyExpectation> recomputed =
        Reconciliation.expectedDaily(messages.stream().map(GeneratedMessage::value).toList(), now);
    assertThat(recomputed).isEqualTo(manifest.expectedDaily());
    Reconciliation.Tally tally =
        Reconciliation.tally(messages.stream().map(GeneratedMessage::value).toList(), now);
    assertThat(tally.valid()).isEqualTo(manifest.counts().valid());
    assertThat(tally.duplicates()).isEqualTo(manifest.counts().duplicates());
    assertThat(tally.rejectedByReason()).isEqualTo(manifest.malformedByReason());
    // Late lines land on earlier days than the simulated clock reached.
    assertThat(manifest.expectedDaily().get(0).saleDate()).isLessThan("2026-11-24");
    assertThat(manifest.toJson()).isEqualTo(Manifest.fromJson(manifest.toJson()).toJson());
  }

  @Test
  void returnsHaveNegativeAmounts() {
    List<PosEvent> returns =
        generate(FAULTY).stream()
            .filter(m -> m.kind().isDistinctValidLine())
            .map(GeneratedMessage::event)
            .filter(e -> e.eventType() == EventType.RETURN)
            .toList();
    assertThat(returns).hasSizeGreaterThan(100);
    for (PosEvent e : returns) {
      assertThat(e.quantity()).isNegative();
      assertThat(e.discount().signum()).isLessThanOrEqualTo(0);
      assertThat(e.totalAmount().signum()).isNegative();
    }
    assertThat(returns).anyMatch(e -> e.discount().signum() < 0);
  }

  @Test
  void defaultStartEndsBeforeNow() {
    // Worst case: just after midnight UTC, when today's 08:00 opening is still in the future.
    Clock clock = Clock.fixed(Instant.parse("2026-11-25T00:30:00Z"), ZoneOffset.UTC);
    for (long count : new long[] {100, 10_000, 35_000, 150_000}) {
      GeneratorConfig config = GeneratorConfig.builder().count(count).lateRate(0.01).build();
      PosTrafficSimulator simulator = new PosTrafficSimulator(config, clock);
      Instant start = simulator.start();
      assertThat(start.atZone(ZoneOffset.UTC).toLocalTime().toSecondOfDay()).isZero();
      assertThat(start).isBeforeOrEqualTo(Instant.parse("2026-11-24T00:00:00Z"));
      Manifest m = ManifestTally.simulate(simulator);
      assertThat(Instant.parse(m.lastEventTime())).as("count %d", count).isBefore(clock.instant());
      assertThat(Instant.parse(m.firstEventTime())).isAfter(start.minus(Duration.ofHours(49)));
    }
  }

  @Test
  void modelVolumeMatchesItsDocumentedDailyFigure() {
    GeneratorConfig config = GeneratorConfig.builder().start(START).count(200_000).build();
    Manifest m = ManifestTally.simulate(new PosTrafficSimulator(config));
    Map<String, Long> linesPerDay = new java.util.TreeMap<>();
    m.expectedDaily().forEach(d -> linesPerDay.merge(d.saleDate(), d.lines(), Long::sum));
    double expected = TrafficModel.expectedLinesPerDay(Catalogue.generate(42, 20, 500));
    // Full days only (the last one is cut off by the count).
    linesPerDay.entrySet().stream()
        .filter(
            e ->
                LocalDate.parse(e.getKey())
                    .isBefore(LocalDate.parse(m.lastEventTime().substring(0, 10))))
        .forEach(
            e -> assertThat((double) e.getValue()).isCloseTo(expected, within(expected * 0.05)));
    assertThat(expected).isBetween(25_000.0, 40_000.0);
    // Stores are closed at night.
    assertThat(new PosTrafficSimulator(config))
        .toIterable()
        .allSatisfy(
            msg -> {
              int hour = msg.event().eventTime().atZone(ZoneOffset.UTC).getHour();
              assertThat(hour).isBetween(TrafficModel.OPEN_HOUR, TrafficModel.CLOSE_HOUR);
            });
  }
}
