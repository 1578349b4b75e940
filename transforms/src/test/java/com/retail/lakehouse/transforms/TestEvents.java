package com.retail.lakehouse.transforms;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.retail.lakehouse.transforms.event.EventType;
import com.retail.lakehouse.transforms.event.PosEvent;
import com.retail.lakehouse.transforms.tables.RawTable;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.beam.sdk.values.Row;

/** Shared test fixtures: a valid sale line, its JSON as an editable map, and raw-table rows. */
public final class TestEvents {
  public static final String TOPIC = "pos-events";
  public static final Instant EVENT_TIME = Instant.parse("2024-03-01T12:34:56.789Z");
  private static final ObjectMapper JSON = new ObjectMapper();

  private TestEvents() {}

  /** A valid SALE: 2 x 9.99 - 1.00 = 18.98 USD. */
  public static PosEvent sale() {
    return sale("T-1", 1);
  }

  public static PosEvent sale(String transactionId, int lineNumber) {
    return new PosEvent(
        "E-" + transactionId + "-" + lineNumber,
        transactionId,
        lineNumber,
        EventType.SALE,
        "S007",
        "R02",
        "C42",
        "Organic Milk 1L",
        "SKU-0001",
        "DAIRY",
        2,
        new BigDecimal("9.99"),
        new BigDecimal("1.00"),
        new BigDecimal("18.98"),
        "USD",
        "CARD",
        "CUST-9",
        EVENT_TIME);
  }

  /** The JSON object of a valid sale, as an ordered map tests may edit before serializing. */
  public static Map<String, Object> saleJsonMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("event_id", "E-1");
    m.put("transaction_id", "T-1");
    m.put("line_number", 1);
    m.put("event_type", "SALE");
    m.put("store_id", "S007");
    m.put("register_id", "R02");
    m.put("cashier_id", "C42");
    m.put("product", "Organic Milk 1L");
    m.put("sku", "SKU-0001");
    m.put("category", "DAIRY");
    m.put("quantity", 2);
    m.put("unit_price", "9.99");
    m.put("discount", "1.00");
    m.put("total_amount", "18.98");
    m.put("currency", "USD");
    m.put("payment_method", "CARD");
    m.put("customer_id", "CUST-9");
    m.put("event_time", "2024-03-01T12:34:56.789Z");
    return m;
  }

  public static byte[] json(Map<String, Object> m) {
    try {
      return JSON.writeValueAsBytes(m);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** A row of the raw table: the event's columns plus lineage. */
  public static Row rawRow(PosEvent e, int partition, long offset) {
    Row event = e.toRow();
    return Row.withSchema(RawTable.DEFINITION.beamSchema())
        .addValues(event.getValues())
        .addValues(
            new org.joda.time.Instant(Instant.parse("2024-03-01T13:00:00Z").toEpochMilli()),
            TOPIC,
            partition,
            offset)
        .build();
  }
}
