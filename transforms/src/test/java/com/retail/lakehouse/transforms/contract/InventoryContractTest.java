package com.retail.lakehouse.transforms.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.retail.lakehouse.transforms.event.DeadLetterReason;
import com.retail.lakehouse.transforms.event.InventoryMovementSchema;
import com.retail.lakehouse.transforms.tables.InventoryTables;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The inventory contract's validator: a valid movement of each type gives its values in the raw
 * table's column order; each rule (quantity's sign per movement type, unit_cost, a reason on an
 * ADJUSTMENT only, the event-time bounds) and each hostile shape the shared JSON reader bounds
 * (deep nesting, a million-digit cost, too many fields, a field twice, a byte order mark) is a
 * rejection with its reason, never an exception.
 */
class InventoryContractTest {
  private static final Instant NOW = Instant.parse("2026-12-03T12:00:00Z");
  private static final EventContract.Validator VALIDATOR =
      InventoryContract.INSTANCE.newValidator(1 << 20, Duration.ofDays(1));

  private static String json(String type, int quantity, String cost, String reason, String time) {
    return "{\"movement_id\":\"M-1\",\"store_id\":\"S001\",\"sku\":\"SKU-1\",\"movement_type\":\""
        + type
        + "\",\"quantity\":"
        + quantity
        + ",\"unit_cost\":\""
        + cost
        + "\",\"reason\":"
        + (reason == null ? "null" : "\"" + reason + "\"")
        + ",\"reference\":\"PO-1\",\"event_time\":\""
        + time
        + "\"}";
  }

  private static EventContract.Outcome validate(String payload) {
    return VALIDATOR.validate(payload.getBytes(StandardCharsets.UTF_8), NOW);
  }

  @ParameterizedTest
  @CsvSource({
    "RECEIPT, 24,",
    "TRANSFER_IN, 5,",
    "TRANSFER_OUT, 5,",
    "ADJUSTMENT, -2, DAMAGE",
    "ADJUSTMENT, 1, THEFT",
    "COUNT, 0,",
    "COUNT, 37,"
  })
  void aValidMovementGivesItsValuesInColumnOrder(String type, int quantity, String reason) {
    EventContract.Outcome outcome =
        validate(json(type, quantity, "1.05", reason, "2026-12-03T10:00:00.000Z"));
    assertThat(outcome.isValid()).as(String.valueOf(outcome.rejection())).isTrue();
    List<Object> v = outcome.values();
    assertThat(v).hasSize(InventoryMovementSchema.FIELDS.size());
    assertThat(InventoryTables.RAW.fields().subList(0, v.size()))
        .isEqualTo(InventoryMovementSchema.FIELDS);
    assertThat(v.get(InventoryMovementSchema.index("movement_type"))).isEqualTo(type);
    assertThat(v.get(InventoryMovementSchema.index("quantity"))).isEqualTo(quantity);
    assertThat(v.get(InventoryMovementSchema.index("unit_cost"))).isEqualTo(new BigDecimal("1.05"));
    assertThat(v.get(InventoryMovementSchema.index("reason"))).isEqualTo(reason);
    assertThat(v.get(InventoryMovementSchema.index("event_time")))
        .isEqualTo(new org.joda.time.Instant(Instant.parse("2026-12-03T10:00:00Z").toEpochMilli()));
  }

  @ParameterizedTest
  @CsvSource({
    "RECEIPT, 0, 1.05, , 2026-12-03T10:00:00.000Z, BAD_QUANTITY",
    "RECEIPT, -1, 1.05, , 2026-12-03T10:00:00.000Z, BAD_QUANTITY",
    "TRANSFER_IN, -1, 1.05, , 2026-12-03T10:00:00.000Z, BAD_QUANTITY",
    "TRANSFER_OUT, -5, 1.05, , 2026-12-03T10:00:00.000Z, BAD_QUANTITY",
    "ADJUSTMENT, 0, 1.05, DAMAGE, 2026-12-03T10:00:00.000Z, BAD_QUANTITY",
    "COUNT, -1, 1.05, , 2026-12-03T10:00:00.000Z, BAD_QUANTITY",
    "ADJUSTMENT, -1, 1.05, , 2026-12-03T10:00:00.000Z, BAD_REASON",
    "ADJUSTMENT, -1, 1.05, LOST, 2026-12-03T10:00:00.000Z, BAD_REASON",
    "RECEIPT, 3, 1.05, DAMAGE, 2026-12-03T10:00:00.000Z, BAD_REASON",
    "RECEIPT, 1, -0.01, , 2026-12-03T10:00:00.000Z, BAD_UNIT_COST",
    "RECEIPT, 1, 1.001, , 2026-12-03T10:00:00.000Z, BAD_UNIT_COST",
    "RECEIPT, 1, 99999999999.00, , 2026-12-03T10:00:00.000Z, AMOUNT_OUT_OF_RANGE",
    "RECEIPT, 1, 1e999999999, , 2026-12-03T10:00:00.000Z, AMOUNT_OUT_OF_RANGE",
    "RECEIPT, 1, 1.00, , 1999-12-31T23:59:59.000Z, EVENT_TIME_TOO_OLD",
    "RECEIPT, 1, 1.00, , 2026-12-05T10:00:00.000Z, EVENT_TIME_IN_FUTURE",
    "RECEIPT, 1, 1.00, , 03.12.2026, WRONG_TYPE",
    "SHRINK, -1, 1.00, THEFT, 2026-12-03T10:00:00.000Z, UNKNOWN_MOVEMENT_TYPE"
  })
  void eachBrokenRuleIsARejectionWithItsReason(
      String type, int quantity, String cost, String reason, String time, String expected) {
    EventContract.Outcome outcome = validate(json(type, quantity, cost, reason, time));
    assertThat(outcome.isValid()).isFalse();
    assertThat(outcome.rejection().reason().name()).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "deep",
        "million-digit cost",
        "300 fields",
        "field twice",
        "byte order mark",
        "missing sku",
        "quantity as text",
        "array"
      })
  void hostileShapesAreRejectionsNotExceptions(String what) {
    String valid = json("RECEIPT", 1, "1.00", null, "2026-12-03T10:00:00.000Z");
    String payload =
        switch (what) {
          case "deep" ->
              "{\"x\":" + "[".repeat(10_000) + "]".repeat(10_000) + "," + valid.substring(1);
          case "million-digit cost" -> valid.replace("\"1.00\"", "9".repeat(1_000_000));
          case "300 fields" -> {
            StringBuilder b = new StringBuilder("{");
            for (int i = 0; i < 300; i++) {
              b.append("\"f").append(i).append("\":1,");
            }
            yield b + valid.substring(1);
          }
          case "field twice" -> valid.replace("{", "{\"sku\":\"SKU-2\",");
          case "byte order mark" -> "\uFEFF" + valid;
          case "missing sku" -> valid.replace("\"sku\":\"SKU-1\",", "");
          case "quantity as text" -> valid.replace("\"quantity\":1", "\"quantity\":\"1\"");
          default -> "[" + valid + "]";
        };
    DeadLetterReason expected =
        switch (what) {
          case "deep", "300 fields" -> DeadLetterReason.LIMIT_EXCEEDED;
          case "million-digit cost" -> DeadLetterReason.AMOUNT_OUT_OF_RANGE;
          case "field twice" -> DeadLetterReason.DUPLICATE_FIELD;
          case "byte order mark" -> DeadLetterReason.NOT_JSON;
          case "missing sku" -> DeadLetterReason.MISSING_FIELD;
          case "quantity as text" -> DeadLetterReason.WRONG_TYPE;
          default -> DeadLetterReason.NOT_AN_OBJECT;
        };
    EventContract.Outcome outcome = validate(payload);
    assertThat(outcome.isValid()).isFalse();
    assertThat(outcome.rejection().reason()).as(outcome.rejection().toString()).isEqualTo(expected);
  }
}
