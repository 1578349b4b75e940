package com.retail.lakehouse.generator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.retail.lakehouse.transforms.event.PosEvent;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Keeps stock books from raw inventory message values and POS lines the way a mart would,
 * independently of the generator's own tally: parses and checks each movement, de-duplicates on
 * movement_id, then replays every (store, SKU) in event-time order.
 */
final class StockBooks {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Set<String> TYPES =
      Set.of("RECEIPT", "ADJUSTMENT", "COUNT", "TRANSFER_IN", "TRANSFER_OUT");
  private static final Instant OLDEST = Instant.parse("2000-01-01T00:00:00Z");

  /** A parsed movement as the test reads it. */
  record Movement(
      String id, String store, String sku, String type, int quantity, Instant eventTime) {}

  /** One thing that happens to a (store, SKU): a COUNT (sets) or a change. */
  record Entry(Instant time, boolean count, long value, String id) {}

  private StockBooks() {}

  /** The movement a message value carries, or null if a mart would reject it. */
  static Movement parse(byte[] value) {
    JsonNode o;
    try {
      o = MAPPER.readTree(value);
    } catch (IOException e) {
      return null;
    }
    if (o == null || !o.isObject()) {
      return null;
    }
    for (String field :
        List.of(
            "movement_id",
            "store_id",
            "sku",
            "movement_type",
            "quantity",
            "unit_cost",
            "reference",
            "event_time")) {
      if (!o.hasNonNull(field)) {
        return null;
      }
    }
    if (!o.get("quantity").isInt() || !TYPES.contains(o.get("movement_type").asText())) {
      return null;
    }
    String type = o.get("movement_type").asText();
    int q = o.get("quantity").asInt();
    boolean signOk =
        switch (type) {
          case "COUNT" -> q >= 0;
          case "ADJUSTMENT" -> q != 0;
          default -> q > 0;
        };
    if (!signOk) {
      return null;
    }
    Instant t;
    try {
      t = Instant.parse(o.get("event_time").asText());
    } catch (RuntimeException e) {
      return null;
    }
    if (t.isBefore(OLDEST)) {
      return null;
    }
    return new Movement(
        o.get("movement_id").asText(),
        o.get("store_id").asText(),
        o.get("sku").asText(),
        type,
        q,
        t);
  }

  /** Valid movements, each movement_id once (the first seen). */
  static List<Movement> distinctValid(List<byte[]> values) {
    Set<String> seen = new HashSet<>();
    List<Movement> out = new ArrayList<>();
    for (byte[] v : values) {
      Movement m = parse(v);
      if (m != null && seen.add(m.id())) {
        out.add(m);
      }
    }
    return out;
  }

  /** Every (store|sku) key's entries, sorted by time, COUNTs before changes, then by id. */
  static Map<String, List<Entry>> entries(List<Movement> movements, List<PosEvent> lines) {
    Map<String, List<Entry>> byKey = new HashMap<>();
    for (Movement m : movements) {
      long change =
          switch (m.type()) {
            case "RECEIPT", "TRANSFER_IN", "ADJUSTMENT" -> m.quantity();
            case "TRANSFER_OUT" -> -m.quantity();
            default -> m.quantity(); // the counted level
          };
      byKey
          .computeIfAbsent(m.store() + "|" + m.sku(), k -> new ArrayList<>())
          .add(new Entry(m.eventTime(), m.type().equals("COUNT"), change, m.id()));
    }
    for (PosEvent e : lines) {
      byKey
          .computeIfAbsent(e.storeId() + "|" + e.sku(), k -> new ArrayList<>())
          .add(new Entry(e.eventTime(), false, -e.quantity(), e.eventId()));
    }
    Comparator<Entry> order =
        Comparator.comparing(Entry::time)
            .thenComparing(e -> e.count() ? 0 : 1)
            .thenComparing(Entry::id);
    byKey.values().forEach(list -> list.sort(order));
    return byKey;
  }

  /** The closing stock of every (store|sku) key on every day from {@code first} to {@code last}. */
  static Map<String, TreeMap<LocalDate, Long>> closing(
      Map<String, List<Entry>> entries, LocalDate first, LocalDate last) {
    Map<String, TreeMap<LocalDate, Long>> out = new HashMap<>();
    for (Map.Entry<String, List<Entry>> key : entries.entrySet()) {
      TreeMap<LocalDate, Long> days = new TreeMap<>();
      long level = 0;
      int i = 0;
      List<Entry> list = key.getValue();
      for (LocalDate d = first; !d.isAfter(last); d = d.plusDays(1)) {
        Instant end = d.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        for (; i < list.size() && list.get(i).time().isBefore(end); i++) {
          Entry e = list.get(i);
          level = e.count() ? e.value() : level + e.value();
        }
        days.put(d, level);
      }
      out.put(key.getKey(), days);
    }
    return out;
  }

  /**
   * Each COUNT of a key counted before: (store, date) -> sum of counted level minus the level just
   * before the count.
   */
  static Map<String, Long> countVariances(Map<String, List<Entry>> entries) {
    Map<String, Long> out = new TreeMap<>();
    for (Map.Entry<String, List<Entry>> key : entries.entrySet()) {
      long level = 0;
      boolean counted = false;
      for (Entry e : key.getValue()) {
        if (e.count()) {
          if (counted) {
            String store = key.getKey().substring(0, key.getKey().indexOf('|'));
            String date = e.time().atZone(ZoneOffset.UTC).toLocalDate().toString();
            out.merge(store + "|" + date, e.value() - level, Long::sum);
          }
          level = e.value();
          counted = true;
        } else {
          level += e.value();
        }
      }
    }
    return out;
  }

  /**
   * The SHA-256 of the closing-stock CSV a mart would export: header, then every (date, store, SKU)
   * of the chain, sorted, a key without any entry at 0.
   */
  static String sha256(
      Map<String, TreeMap<LocalDate, Long>> closing,
      int stores,
      int skus,
      LocalDate first,
      LocalDate last) {
    StringBuilder csv = new StringBuilder("date,store_id,sku,closing_stock\n");
    for (LocalDate d = first; !d.isAfter(last); d = d.plusDays(1)) {
      for (int s = 1; s <= stores; s++) {
        for (int k = 1; k <= skus; k++) {
          String store = String.format("S%03d", s);
          String sku = String.format("SKU-%05d", k);
          TreeMap<LocalDate, Long> days = closing.get(store + "|" + sku);
          long level = days == null ? 0 : days.get(d);
          csv.append(d).append(',').append(store).append(',').append(sku).append(',');
          csv.append(level).append('\n');
        }
      }
    }
    return sha256(csv.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  static String sha256(byte[] bytes) {
    try {
      return java.util.HexFormat.of()
          .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
