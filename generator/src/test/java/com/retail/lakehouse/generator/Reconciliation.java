package com.retail.lakehouse.generator;

import com.retail.lakehouse.transforms.event.PosEvent;
import com.retail.lakehouse.transforms.event.PosEventJson;
import com.retail.lakehouse.transforms.event.PosEventRules;
import com.retail.lakehouse.transforms.event.Rejection;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/** Recomputes a manifest's figures from raw message values, independently of the generator. */
final class Reconciliation {
  private Reconciliation() {}

  /** What the ingest would make of a set of messages. */
  record Tally(
      long valid,
      long duplicates,
      SortedMap<String, Long> rejectedByReason,
      List<PosEvent> lines) {}

  static Tally tally(List<byte[]> values, Instant now) {
    Set<String> seen = new HashSet<>();
    List<PosEvent> lines = new ArrayList<>();
    SortedMap<String, Long> rejected = new TreeMap<>();
    long duplicates = 0;
    for (byte[] value : values) {
      PosEventJson.Parsed parsed = PosEventJson.parse(value, 1 << 20);
      Optional<Rejection> rejection =
          parsed.isValid()
              ? PosEventRules.standard().check(parsed.event(), now)
              : Optional.of(parsed.rejection());
      if (rejection.isPresent()) {
        rejected.merge(rejection.get().reason().name(), 1L, Long::sum);
      } else if (seen.add(parsed.event().lineKey())) {
        lines.add(parsed.event());
      } else {
        duplicates++;
      }
    }
    return new Tally(lines.size(), duplicates, rejected, lines);
  }

  static List<DailyExpectation> expectedDaily(List<byte[]> values, Instant now) {
    // sale_date -> store -> [revenue, units, lines]
    TreeMap<String, TreeMap<String, Object[]>> byDay = new TreeMap<>();
    for (PosEvent e : tally(values, now).lines()) {
      String day = e.eventTime().atZone(ZoneOffset.UTC).toLocalDate().toString();
      Object[] sums =
          byDay
              .computeIfAbsent(day, d -> new TreeMap<>())
              .computeIfAbsent(e.storeId(), s -> new Object[] {BigDecimal.ZERO, 0L, 0L});
      sums[0] = ((BigDecimal) sums[0]).add(e.totalAmount());
      sums[1] = (Long) sums[1] + e.quantity();
      sums[2] = (Long) sums[2] + 1;
    }
    List<DailyExpectation> out = new ArrayList<>();
    for (Map.Entry<String, TreeMap<String, Object[]>> day : byDay.entrySet()) {
      for (Map.Entry<String, Object[]> store : day.getValue().entrySet()) {
        Object[] s = store.getValue();
        out.add(
            new DailyExpectation(
                store.getKey(),
                day.getKey(),
                ((BigDecimal) s[0]).setScale(2),
                (Long) s[1],
                (Long) s[2]));
      }
    }
    return out;
  }
}
