package com.retail.lakehouse.transforms.event;

import static com.retail.lakehouse.transforms.TestEvents.json;
import static com.retail.lakehouse.transforms.TestEvents.saleJsonMap;
import static com.retail.lakehouse.transforms.TestEvents.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.retail.lakehouse.transforms.contract.EventContract;
import com.retail.lakehouse.transforms.contract.PosContract;
import com.retail.lakehouse.transforms.validate.ParseAndValidate;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile message contents through the real validator ({@link PosContract}'s parser and rules):
 * each becomes a dead letter with its reason, without an exception and in bounded time. A message
 * whose content could stop the ingest (the "poison pill": a money value with an extreme exponent
 * that {@code BigDecimal.toPlainString} or an alignment of scales expands to a billion digits) is
 * read again by every later run, so it would stop every run.
 */
class HostilePayloadTest {
  private static final Instant NOW = Instant.parse("2024-03-02T00:00:00Z");
  private static final int MAX = ParseAndValidate.DEFAULT_MAX_PAYLOAD_BYTES;
  private static final Duration BOUND = Duration.ofSeconds(5);

  private static final EventContract.Validator VALIDATOR =
      PosContract.INSTANCE.newValidator(MAX, PosEventRules.DEFAULT_FUTURE_TOLERANCE);

  /** The valid fixture's JSON with one field's value replaced by raw JSON text. */
  static byte[] withRawField(String name, String rawJsonValue) {
    String valid = new String(json(saleJsonMap()), StandardCharsets.UTF_8);
    String marker = "\"" + name + "\":";
    int at = valid.indexOf(marker);
    int valueStart = at + marker.length();
    int valueEnd = valueStart;
    if (valid.charAt(valueStart) == '"') {
      valueEnd = valid.indexOf('"', valueStart + 1) + 1;
    } else {
      while (",}".indexOf(valid.charAt(valueEnd)) < 0) {
        valueEnd++;
      }
    }
    return utf8(valid.substring(0, valueStart) + rawJsonValue + valid.substring(valueEnd));
  }

  /** The valid fixture's JSON with raw JSON text inserted as the object's first member(s). */
  static byte[] withLeadingMembers(String members) {
    String valid = new String(json(saleJsonMap()), StandardCharsets.UTF_8);
    return utf8("{" + members + "," + valid.substring(1));
  }

  static String digits(int count) {
    StringBuilder s = new StringBuilder(count);
    s.append('1');
    while (s.length() < count) {
      s.append((char) ('0' + s.length() % 10));
    }
    return s.toString();
  }

  static String deepNesting(int depth) {
    return "[".repeat(depth) + "]".repeat(depth);
  }

  static String manyFields(int count) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < count; i++) {
      if (i > 0) {
        s.append(',');
      }
      s.append('"').append(Integer.toString(i, 36)).append("\":1");
    }
    return s.toString();
  }

  static byte[] concat(byte[] a, byte[] b) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(a);
    out.writeBytes(b);
    return out.toByteArray();
  }

  static Stream<Arguments> hostile() {
    byte[] valid = json(saleJsonMap());
    return Stream.of(
        // The poison pill and its relatives: extreme exponents on money, as strings and numbers.
        args(
            "unit_price \"1e999999999\"",
            withRawField("unit_price", "\"1e999999999\""),
            DeadLetterReason.AMOUNT_OUT_OF_RANGE),
        args(
            "unit_price 1E+2147483647 (number)",
            withRawField("unit_price", "1E+2147483647"),
            DeadLetterReason.AMOUNT_OUT_OF_RANGE),
        args(
            "unit_price \"1E+2147483647\"",
            withRawField("unit_price", "\"1E+2147483647\""),
            DeadLetterReason.AMOUNT_OUT_OF_RANGE),
        args(
            "discount 1e999999999 (number)",
            withRawField("discount", "1e999999999"),
            DeadLetterReason.AMOUNT_OUT_OF_RANGE),
        args(
            "total_amount \"-1e999999999\"",
            withRawField("total_amount", "\"-1e999999999\""),
            DeadLetterReason.AMOUNT_OUT_OF_RANGE),
        args(
            "unit_price \"1e-999999999\" (tiny, a billion decimals)",
            withRawField("unit_price", "\"1e-999999999\""),
            DeadLetterReason.AMOUNT_OUT_OF_RANGE),
        args(
            "discount 1e-999999999 (number)",
            withRawField("discount", "1e-999999999"),
            DeadLetterReason.AMOUNT_OUT_OF_RANGE),
        args(
            "total_amount \"1E-2147483647\"",
            withRawField("total_amount", "\"1E-2147483647\""),
            DeadLetterReason.AMOUNT_OUT_OF_RANGE),
        args(
            "unit_price \"0e999999999\" (zero with an extreme exponent)",
            withRawField("unit_price", "\"0e999999999\""),
            DeadLetterReason.AMOUNT_OUT_OF_RANGE),
        args(
            "unit_price exponent past int (number)",
            withRawField("unit_price", "1e2147483648"),
            DeadLetterReason.AMOUNT_OUT_OF_RANGE),
        // Huge digit strings.
        args(
            "unit_price of 900,000 digits (number)",
            withRawField("unit_price", digits(900_000)),
            DeadLetterReason.AMOUNT_OUT_OF_RANGE),
        args(
            "unit_price of 900,000 digits (string)",
            withRawField("unit_price", "\"" + digits(900_000) + "\""),
            DeadLetterReason.AMOUNT_OUT_OF_RANGE),
        args(
            "unit_price of 0. and 900,000 digits (string)",
            withRawField("unit_price", "\"0." + digits(900_000) + "\""),
            DeadLetterReason.AMOUNT_OUT_OF_RANGE),
        args(
            "quantity of 900,000 digits",
            withRawField("quantity", digits(900_000)),
            DeadLetterReason.WRONG_TYPE),
        args(
            "line_number of 900,000 digits",
            withRawField("line_number", digits(900_000)),
            DeadLetterReason.WRONG_TYPE),
        args("quantity 1e400", withRawField("quantity", "1e400"), DeadLetterReason.WRONG_TYPE),
        args(
            "quantity 2147483648",
            withRawField("quantity", "2147483648"),
            DeadLetterReason.WRONG_TYPE),
        args(
            "quantity -9223372036854775809",
            withRawField("quantity", "-9223372036854775809"),
            DeadLetterReason.WRONG_TYPE),
        args(
            "quantity 2147483647 (gross past decimal(12,2))",
            withRawField("quantity", "2147483647"),
            DeadLetterReason.AMOUNT_OUT_OF_RANGE),
        // Not numbers.
        args(
            "unit_price NaN (number)",
            withRawField("unit_price", "NaN"),
            DeadLetterReason.NOT_JSON),
        args(
            "unit_price \"NaN\"",
            withRawField("unit_price", "\"NaN\""),
            DeadLetterReason.WRONG_TYPE),
        args(
            "unit_price -Infinity (number)",
            withRawField("unit_price", "-Infinity"),
            DeadLetterReason.NOT_JSON),
        args(
            "unit_price \"Infinity\"",
            withRawField("unit_price", "\"Infinity\""),
            DeadLetterReason.WRONG_TYPE),
        args("quantity -0", withRawField("quantity", "-0"), DeadLetterReason.BAD_QUANTITY),
        // Structure.
        args(
            "10,000-deep nesting in an unknown field",
            withLeadingMembers("\"extra\":" + deepNesting(10_000)),
            DeadLetterReason.LIMIT_EXCEEDED),
        args(
            "10,000-deep nested objects",
            utf8("{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000)),
            DeadLetterReason.LIMIT_EXCEEDED),
        args(
            "100,000 fields",
            withLeadingMembers(manyFields(100_000)),
            DeadLetterReason.LIMIT_EXCEEDED),
        args(
            "a contract field twice (first one null)",
            withLeadingMembers("\"unit_price\":null"),
            DeadLetterReason.DUPLICATE_FIELD),
        args(
            "a contract field twice (a second price)",
            withLeadingMembers("\"unit_price\":\"0.01\""),
            DeadLetterReason.DUPLICATE_FIELD),
        args(
            "a 500,000-character product",
            withRawField("product", "\"" + "p".repeat(500_000) + "\""),
            DeadLetterReason.LIMIT_EXCEEDED),
        args(
            "a 500,000-character event_time",
            withRawField("event_time", "\"" + "2".repeat(500_000) + "\""),
            DeadLetterReason.WRONG_TYPE),
        args(
            "a 500,000-character currency",
            withRawField("currency", "\"" + "U".repeat(500_000) + "\""),
            DeadLetterReason.LIMIT_EXCEEDED),
        // Bytes.
        args(
            "UTF-8 byte order mark before the JSON",
            concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, valid),
            DeadLetterReason.NOT_JSON),
        args(
            "UTF-16 (big-endian) JSON",
            new String(valid, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_16BE),
            DeadLetterReason.NOT_JSON),
        args(
            "UTF-16 (little-endian) JSON",
            new String(valid, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_16LE),
            DeadLetterReason.NOT_JSON),
        args("NUL bytes only", new byte[64], DeadLetterReason.NOT_JSON),
        args("a NUL byte inside a string", nulInProduct(), DeadLetterReason.NOT_JSON),
        args(
            "an overlong UTF-8 encoding",
            concat(valid, new byte[] {(byte) 0xC0, (byte) 0xAF}),
            DeadLetterReason.INVALID_UTF8),
        args(
            "a UTF-8-encoded surrogate",
            concat(valid, new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}),
            DeadLetterReason.INVALID_UTF8),
        args(
            "a lone continuation byte",
            concat(new byte[] {(byte) 0x80}, valid),
            DeadLetterReason.INVALID_UTF8));
  }

  private static byte[] nulInProduct() {
    byte[] p = withRawField("product", "\"Milk X\"");
    String s = new String(p, StandardCharsets.UTF_8);
    p[s.indexOf("Milk X") + 4] = 0;
    return p;
  }

  private static Arguments args(String what, byte[] payload, DeadLetterReason reason) {
    return Arguments.of(what, payload, reason);
  }

  @ParameterizedTest(name = "{0} -> {2}")
  @MethodSource("hostile")
  void hostilePayloadIsADeadLetterWithItsReasonInBoundedTime(
      String what, byte[] payload, DeadLetterReason expected) {
    EventContract.Outcome outcome =
        assertTimeoutPreemptively(BOUND, () -> VALIDATOR.validate(payload, NOW), what);

    assertThat(outcome.isValid()).as(what).isFalse();
    assertThat(outcome.rejection().reason()).as(what).isEqualTo(expected);
    assertThat(outcome.rejection().message()).as(what).isNotBlank().hasSizeLessThanOrEqualTo(500);
  }

  @Test
  void negativeZeroMoneyIsZero() {
    Map<String, Object> m = saleJsonMap();
    m.put("quantity", 1);
    m.put("unit_price", "-0.00");
    m.put("discount", "-0");
    m.put("total_amount", "0.00");

    EventContract.Outcome outcome = VALIDATOR.validate(json(m), NOW);

    assertThat(outcome.isValid()).as(String.valueOf(outcome.rejection())).isTrue();
    assertThat((BigDecimal) outcome.values().get(11)).isEqualByComparingTo("0");
  }

  @Test
  void moneyWithAModerateExponentStillParsesExactly() {
    Map<String, Object> m = saleJsonMap();
    m.put("unit_price", "999E-2");
    m.put("total_amount", "1.898e1");

    assertThat(VALIDATOR.validate(json(m), NOW).isValid()).isTrue();
  }

  @Test
  void aPayloadAtTheSizeLimitFullOfEscapesIsReadInBoundedTime() {
    String escapes = "\\u0000".repeat((MAX - 1000) / 6);
    byte[] payload = withRawField("product", "\"" + escapes + "\"");

    EventContract.Outcome outcome =
        assertTimeoutPreemptively(BOUND, () -> VALIDATOR.validate(payload, NOW));

    assertThat(outcome.rejection().reason()).isEqualTo(DeadLetterReason.LIMIT_EXCEEDED);
  }
}
