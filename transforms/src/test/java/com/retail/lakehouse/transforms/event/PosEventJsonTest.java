package com.retail.lakehouse.transforms.event;

import static com.retail.lakehouse.transforms.TestEvents.json;
import static com.retail.lakehouse.transforms.TestEvents.saleJsonMap;
import static com.retail.lakehouse.transforms.TestEvents.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import com.retail.lakehouse.transforms.TestEvents;
import com.retail.lakehouse.transforms.validate.ParseAndValidate;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PosEventJsonTest {
  private static final int MAX = ParseAndValidate.DEFAULT_MAX_PAYLOAD_BYTES;

  private static PosEventJson.Parsed parse(byte[] payload) {
    return PosEventJson.parse(payload, MAX);
  }

  private static byte[] withField(String name, Object value) {
    Map<String, Object> m = saleJsonMap();
    m.put(name, value);
    return json(m);
  }

  private static byte[] invalidUtf8() {
    byte[] valid = json(saleJsonMap());
    String s = new String(valid, java.nio.charset.StandardCharsets.UTF_8);
    int at = s.indexOf("Organic");
    byte[] bad = valid.clone();
    bad[at] = (byte) 0xC3; // lead byte of a 2-byte sequence...
    bad[at + 1] = (byte) 0x28; // ...followed by a non-continuation byte
    return bad;
  }

  static Stream<Arguments> badInputs() {
    String valid = new String(json(saleJsonMap()), java.nio.charset.StandardCharsets.UTF_8);
    return Stream.of(
        Arguments.of("not JSON", utf8("hello, I am not JSON"), DeadLetterReason.NOT_JSON),
        Arguments.of(
            "truncated JSON",
            utf8(valid.substring(0, valid.length() / 2)),
            DeadLetterReason.TRUNCATED_JSON),
        Arguments.of(
            "truncated after a value",
            utf8("{\"event_id\":\"E-1\""),
            DeadLetterReason.TRUNCATED_JSON),
        // Jackson reports this cut as a parse error, not an EOF error (seen in a generator run).
        Arguments.of(
            "truncated after the comma between entries",
            utf8("{\"event_id\":\"E-1\","),
            DeadLetterReason.TRUNCATED_JSON),
        Arguments.of(
            "truncated after an opening brace and spaces",
            utf8("{  "),
            DeadLetterReason.TRUNCATED_JSON),
        Arguments.of("string quantity", withField("quantity", "2"), DeadLetterReason.WRONG_TYPE),
        Arguments.of("number store_id", withField("store_id", 7), DeadLetterReason.WRONG_TYPE),
        Arguments.of(
            "float line_number", withField("line_number", 1.0), DeadLetterReason.WRONG_TYPE),
        Arguments.of(
            "64-bit line_number",
            withField("line_number", 3_000_000_000L),
            DeadLetterReason.WRONG_TYPE),
        Arguments.of(
            "non-numeric money", withField("unit_price", "abc"), DeadLetterReason.WRONG_TYPE),
        Arguments.of(
            "event_time without zone",
            withField("event_time", "2024-03-01T12:34:56"),
            DeadLetterReason.WRONG_TYPE),
        Arguments.of("missing sku", withField("sku", null), DeadLetterReason.MISSING_FIELD),
        Arguments.of("JSON array", utf8("[" + valid + "]"), DeadLetterReason.NOT_AN_OBJECT),
        Arguments.of("JSON scalar", utf8("42"), DeadLetterReason.NOT_AN_OBJECT),
        Arguments.of("JSON string", utf8("\"SALE\""), DeadLetterReason.NOT_AN_OBJECT),
        Arguments.of("empty payload", new byte[0], DeadLetterReason.EMPTY_PAYLOAD),
        Arguments.of("null payload (tombstone)", null, DeadLetterReason.EMPTY_PAYLOAD),
        Arguments.of("5 MB payload", new byte[5 * 1024 * 1024], DeadLetterReason.PAYLOAD_TOO_LARGE),
        Arguments.of("invalid UTF-8", invalidUtf8(), DeadLetterReason.INVALID_UTF8),
        Arguments.of(
            "unknown event_type",
            withField("event_type", "VOID"),
            DeadLetterReason.UNKNOWN_EVENT_TYPE));
  }

  @ParameterizedTest(name = "{0} -> {2}")
  @MethodSource("badInputs")
  void badInputIsRejectedWithItsOwnReason(String what, byte[] payload, DeadLetterReason expected) {
    PosEventJson.Parsed parsed = parse(payload);

    assertThat(parsed.isValid()).as(what).isFalse();
    assertThat(parsed.event()).isNull();
    assertThat(parsed.rejection().reason()).as(what).isEqualTo(expected);
    assertThat(parsed.rejection().message()).as(what).isNotBlank();
  }

  @Test
  void eachKindOfBadInputHasADistinctReason() {
    byte[][] oneOfEachKind = {
      utf8("not json"),
      utf8("{\"event_id\":"),
      withField("quantity", "2"),
      withField("sku", null),
      utf8("[1,2]"),
      new byte[0],
      new byte[MAX + 1],
      invalidUtf8(),
      withField("event_type", "VOID")
    };
    Set<DeadLetterReason> reasons = new HashSet<>();
    for (byte[] payload : oneOfEachKind) {
      reasons.add(parse(payload).rejection().reason());
    }
    assertThat(reasons).hasSize(oneOfEachKind.length);
  }

  static List<String> requiredFields() {
    return PosEventSchema.FIELDS.stream()
        .filter(PosEventSchema.Field::required)
        .map(PosEventSchema.Field::name)
        .toList();
  }

  @ParameterizedTest(name = "absent {0}")
  @MethodSource("requiredFields")
  void absentRequiredFieldIsMissingFieldNamingIt(String field) {
    Map<String, Object> m = saleJsonMap();
    m.remove(field);

    PosEventJson.Parsed parsed = parse(json(m));

    assertThat(parsed.rejection().reason()).isEqualTo(DeadLetterReason.MISSING_FIELD);
    assertThat(parsed.rejection().message()).startsWith(field + " ");
  }

  @ParameterizedTest(name = "null {0}")
  @MethodSource("requiredFields")
  void nullRequiredFieldIsMissingFieldNamingIt(String field) {
    PosEventJson.Parsed parsed = parse(withField(field, null));

    assertThat(parsed.rejection().reason()).isEqualTo(DeadLetterReason.MISSING_FIELD);
    assertThat(parsed.rejection().message()).startsWith(field + " ");
  }

  @Test
  void requiredFieldsAreAllButCustomerId() {
    assertThat(requiredFields()).hasSize(17).doesNotContain("customer_id");
  }

  @Test
  void blankRequiredStringIsMissingField() {
    PosEventJson.Parsed parsed = parse(withField("store_id", "   "));

    assertThat(parsed.rejection().reason()).isEqualTo(DeadLetterReason.MISSING_FIELD);
    assertThat(parsed.rejection().message()).contains("store_id");
  }

  @Test
  void fiveMegabytePayloadIsTooLargeAndTheMessageGivesItsSize() {
    byte[] payload = new byte[5 * 1024 * 1024];
    Arrays.fill(payload, (byte) ' ');

    PosEventJson.Parsed parsed = parse(payload);

    assertThat(parsed.rejection().reason()).isEqualTo(DeadLetterReason.PAYLOAD_TOO_LARGE);
    assertThat(parsed.rejection().message()).contains("5242880").contains(String.valueOf(MAX));
  }

  @Test
  void payloadExactlyAtTheLimitIsNotTooLarge() {
    byte[] valid = json(saleJsonMap());

    assertThat(PosEventJson.parse(valid, valid.length).isValid()).isTrue();
    assertThat(PosEventJson.parse(valid, valid.length - 1).rejection().reason())
        .isEqualTo(DeadLetterReason.PAYLOAD_TOO_LARGE);
  }

  @Test
  void validSaleParsesIntoTheEvent() {
    PosEventJson.Parsed parsed = parse(json(saleJsonMap()));

    assertThat(parsed.isValid()).isTrue();
    assertThat(parsed.rejection()).isNull();
    PosEvent e = parsed.event();
    assertThat(e.eventId()).isEqualTo("E-1");
    assertThat(e.transactionId()).isEqualTo("T-1");
    assertThat(e.lineNumber()).isEqualTo(1);
    assertThat(e.eventType()).isEqualTo(EventType.SALE);
    assertThat(e.storeId()).isEqualTo("S007");
    assertThat(e.quantity()).isEqualTo(2);
    assertThat(e.unitPrice()).isEqualTo(new BigDecimal("9.99"));
    assertThat(e.discount()).isEqualTo(new BigDecimal("1.00"));
    assertThat(e.totalAmount()).isEqualTo(new BigDecimal("18.98"));
    assertThat(e.customerId()).isEqualTo("CUST-9");
    assertThat(e.eventTime()).isEqualTo(TestEvents.EVENT_TIME);
  }

  @Test
  void moneyAsJsonNumberIsReadExactly() {
    Map<String, Object> m = saleJsonMap();
    m.put("unit_price", new BigDecimal("9.99"));
    m.put("discount", 1);
    m.put("total_amount", 18.98);

    PosEvent e = parse(json(m)).event();

    assertThat(e.unitPrice()).isEqualTo(new BigDecimal("9.99"));
    assertThat(e.discount()).isEqualByComparingTo("1");
    assertThat(e.totalAmount()).isEqualTo(new BigDecimal("18.98"));
  }

  @Test
  void moneyAsStringIsReadExactly() {
    PosEvent e = parse(withField("unit_price", " 0.10 ")).event();

    assertThat(e.unitPrice()).isEqualTo(new BigDecimal("0.10"));
  }

  @Test
  void unknownExtraFieldsAreTolerated() {
    Map<String, Object> m = saleJsonMap();
    m.put("loyalty_tier", "GOLD");
    m.put("nested_extra", Map.of("a", List.of(1, 2, Map.of("b", "c"))));
    m.put("extra_null", null);

    PosEventJson.Parsed parsed = parse(json(m));

    assertThat(parsed.isValid()).isTrue();
    assertThat(parsed.event().sku()).isEqualTo("SKU-0001");
  }

  @Test
  void nullCustomerIdIsAnAnonymousSale() {
    PosEventJson.Parsed parsed = parse(withField("customer_id", null));

    assertThat(parsed.isValid()).isTrue();
    assertThat(parsed.event().customerId()).isNull();
  }

  @Test
  void absentCustomerIdIsAnAnonymousSale() {
    Map<String, Object> m = saleJsonMap();
    m.remove("customer_id");

    assertThat(parse(json(m)).event().customerId()).isNull();
  }

  @Test
  void eventTimeWithAnOffsetIsConvertedToUtc() {
    PosEvent e = parse(withField("event_time", "2024-03-01T14:34:56.789+02:00")).event();

    assertThat(e.eventTime()).isEqualTo(Instant.parse("2024-03-01T12:34:56.789Z"));
  }

  @Test
  void eventTimeIsTruncatedToMilliseconds() {
    PosEvent e = parse(withField("event_time", "2024-03-01T12:34:56.789999Z")).event();

    assertThat(e.eventTime()).isEqualTo(Instant.parse("2024-03-01T12:34:56.789Z"));
  }

  @Test
  void toJsonThenParseGivesTheSameEvent() {
    PosEvent original = TestEvents.sale();

    assertThat(parse(PosEventJson.toJson(original)).event()).isEqualTo(original);
  }

  @Test
  void toJsonWritesMoneyAsStringsAndEventTimeAsUtcMillis() {
    String wire =
        new String(PosEventJson.toJson(TestEvents.sale()), java.nio.charset.StandardCharsets.UTF_8);

    assertThat(wire)
        .contains("\"unit_price\":\"9.99\"")
        .contains("\"event_time\":\"2024-03-01T12:34:56.789Z\"");
  }

  @ParameterizedTest
  @MethodSource("wireTimes")
  void theWireFormatFastPathReadsWhatJavaTimeReads(String text) {
    assertThat(ContractJson.parseWireFormat(text)).isEqualTo(Instant.parse(text));
  }

  static Stream<String> wireTimes() {
    return Stream.of(
        "2024-03-01T12:34:56.789Z",
        "2024-02-29T23:59:59.999Z",
        "1970-01-01T00:00:00.000Z",
        "2026-12-31T00:00:00.001Z",
        "1969-12-31T23:59:59.500Z");
  }

  @ParameterizedTest
  @MethodSource("notWireTimes")
  void theWireFormatFastPathLeavesEverythingElseToJavaTime(String text) {
    assertThat(ContractJson.parseWireFormat(text)).isNull();
  }

  static Stream<String> notWireTimes() {
    return Stream.of(
        "2023-02-29T12:00:00.000Z", // not a leap year
        "2024-13-01T12:00:00.000Z",
        "2024-04-31T12:00:00.000Z",
        "2024-03-01T24:00:00.000Z",
        "2024-03-01T12:60:00.000Z",
        "2024-03-01T12:00:60.000Z",
        "2024-03-01T12:00:00.00xZ",
        "2024-03-01 12:00:00.000Z",
        "2024-03-01T12:00:00.000+01:00",
        "2024-03-01T12:00:00Z",
        "+2024-03-01T12:00:00.000Z");
  }

  @Test
  void anImpossibleDateIsAWrongTypeNotAnEvent() {
    Map<String, Object> fields = saleJsonMap();
    fields.put("event_time", "2023-02-29T12:00:00.000Z");

    PosEventJson.Parsed parsed = parse(json(fields));

    assertThat(parsed.isValid()).isFalse();
    assertThat(parsed.rejection().reason()).isEqualTo(DeadLetterReason.WRONG_TYPE);
  }
}
