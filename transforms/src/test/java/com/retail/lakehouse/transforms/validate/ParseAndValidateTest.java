package com.retail.lakehouse.transforms.validate;

import static com.retail.lakehouse.transforms.TestEvents.TOPIC;
import static com.retail.lakehouse.transforms.TestEvents.json;
import static com.retail.lakehouse.transforms.TestEvents.saleJsonMap;
import static com.retail.lakehouse.transforms.TestEvents.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import com.retail.lakehouse.transforms.event.DeadLetterReason;
import com.retail.lakehouse.transforms.event.PosEventSchema;
import com.retail.lakehouse.transforms.source.SourceMessage;
import com.retail.lakehouse.transforms.tables.DeadLetterTable;
import com.retail.lakehouse.transforms.tables.RawTable;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.jupiter.api.Test;

class ParseAndValidateTest {
  private static final byte[] KEY = utf8("S007");
  private static final long KAFKA_TS = 1_709_296_496_789L;

  private static SourceMessage message(long offset, byte[] key, byte[] value) {
    return new SourceMessage(TOPIC, (int) (offset % 3), offset, KAFKA_TS + offset, key, value);
  }

  private static byte[] saleLine(int line) {
    Map<String, Object> m = saleJsonMap();
    m.put("event_id", "E-" + line);
    m.put("line_number", line);
    return json(m);
  }

  private static byte[] withField(String name, Object value) {
    Map<String, Object> m = saleJsonMap();
    m.put(name, value);
    return json(m);
  }

  /** offset -> payload; offsets 0..2 valid, the rest invalid for the reason in {@link #REASONS}. */
  private static final List<SourceMessage> MIX = new ArrayList<>();

  private static final Map<Long, DeadLetterReason> REASONS = new HashMap<>();

  static {
    MIX.add(message(0, KEY, saleLine(1)));
    MIX.add(message(1, KEY, saleLine(2)));
    MIX.add(message(2, KEY, saleLine(3)));
    addInvalid(3, KEY, utf8("not json"), DeadLetterReason.NOT_JSON);
    addInvalid(4, KEY, utf8("{\"event_id\":\"E"), DeadLetterReason.TRUNCATED_JSON);
    addInvalid(5, KEY, withField("quantity", "2"), DeadLetterReason.WRONG_TYPE);
    addInvalid(6, KEY, withField("sku", null), DeadLetterReason.MISSING_FIELD);
    addInvalid(7, null, saleLine(4), DeadLetterReason.MISSING_KEY);
    addInvalid(8, new byte[0], saleLine(5), DeadLetterReason.MISSING_KEY);
    addInvalid(9, KEY, null, DeadLetterReason.EMPTY_PAYLOAD);
    addInvalid(10, KEY, withField("total_amount", "99.00"), DeadLetterReason.TOTAL_MISMATCH);
    addInvalid(11, KEY, withField("currency", "usd"), DeadLetterReason.BAD_CURRENCY);
    addInvalid(12, KEY, utf8("[]"), DeadLetterReason.NOT_AN_OBJECT);
  }

  private static void addInvalid(long offset, byte[] key, byte[] value, DeadLetterReason reason) {
    MIX.add(message(offset, key, value));
    REASONS.put(offset, reason);
  }

  private static Create.Values<SourceMessage> create(SourceMessage... messages) {
    // explicit coder: see SourceMessageTest, the @DefaultCoder annotation is not effective
    return Create.of(List.of(messages)).withCoder(SourceMessage.Coder.of());
  }

  private static Pipeline pipeline() {
    return Pipeline.create(PipelineOptionsFactory.create());
  }

  @Test
  void everyMessageLeavesOnExactlyOneOutput() {
    Pipeline p = pipeline();
    PCollectionTuple out =
        p.apply(create(MIX.toArray(new SourceMessage[0]))).apply(ParseAndValidate.withDefaults());
    PCollection<Long> validOffsets =
        out.get(ParseAndValidate.VALID)
            .apply(
                "ValidOffsets",
                MapElements.into(TypeDescriptors.longs())
                    .via((Row r) -> r.getInt64(RawTable.KAFKA_OFFSET)));
    PCollection<Long> invalidOffsets =
        out.get(ParseAndValidate.INVALID)
            .apply(
                "InvalidOffsets",
                MapElements.into(TypeDescriptors.longs())
                    .via((Row r) -> r.getInt64(DeadLetterTable.KAFKA_OFFSET)));

    PAssert.that(validOffsets).containsInAnyOrder(0L, 1L, 2L);
    PAssert.that(PCollectionList.of(validOffsets).and(invalidOffsets).apply(Flatten.pCollections()))
        .containsInAnyOrder(MIX.stream().map(SourceMessage::offset).toList());
    p.run().waitUntilFinish();
  }

  @Test
  void eachInvalidMessageCarriesItsReason() {
    Pipeline p = pipeline();
    PCollection<String> offsetAndReason =
        p.apply(create(MIX.toArray(new SourceMessage[0])))
            .apply(ParseAndValidate.withDefaults())
            .get(ParseAndValidate.INVALID)
            .apply(
                MapElements.into(TypeDescriptors.strings())
                    .via(
                        (Row r) ->
                            r.getInt64(DeadLetterTable.KAFKA_OFFSET)
                                + ":"
                                + r.getString(DeadLetterTable.REASON)));

    PAssert.that(offsetAndReason)
        .containsInAnyOrder(
            REASONS.entrySet().stream().map(e -> e.getKey() + ":" + e.getValue().name()).toList());
    p.run().waitUntilFinish();
  }

  @Test
  void validRowsCarryTheEventAndItsKafkaLineage() {
    Pipeline p = pipeline();
    PCollection<Row> valid =
        p.apply(create(message(2, KEY, saleLine(3))))
            .apply(ParseAndValidate.withDefaults())
            .get(ParseAndValidate.VALID);

    PAssert.thatSingleton(valid).satisfies(ParseAndValidateTest::checkValidRow);
    p.run().waitUntilFinish();
  }

  private static Void checkValidRow(Row r) {
    assertThat(r.getSchema()).isEqualTo(RawTable.DEFINITION.beamSchema());
    assertThat(r.getString(PosEventSchema.EVENT_ID)).isEqualTo("E-3");
    assertThat(r.getInt32(PosEventSchema.LINE_NUMBER)).isEqualTo(3);
    assertThat(r.getDecimal(PosEventSchema.TOTAL_AMOUNT)).isEqualTo(new BigDecimal("18.98"));
    assertThat(r.getDateTime(PosEventSchema.EVENT_TIME).getMillis())
        .isEqualTo(java.time.Instant.parse("2024-03-01T12:34:56.789Z").toEpochMilli());
    assertThat(r.getString(RawTable.KAFKA_TOPIC)).isEqualTo(TOPIC);
    assertThat(r.getInt32(RawTable.KAFKA_PARTITION)).isEqualTo(2);
    assertThat(r.getInt64(RawTable.KAFKA_OFFSET)).isEqualTo(2L);
    assertThat(r.getDateTime(RawTable.INGEST_TIME)).isNotNull();
    return null;
  }

  @Test
  void deadLetterRowKeepsTheOriginalBytesAndCoordinates() {
    Pipeline p = pipeline();
    PCollection<Row> invalid =
        p.apply(create(message(5, KEY, withField("quantity", "2"))))
            .apply(ParseAndValidate.withDefaults())
            .get(ParseAndValidate.INVALID);

    PAssert.thatSingleton(invalid).satisfies(ParseAndValidateTest::checkWrongTypeRow);
    p.run().waitUntilFinish();
  }

  private static Void checkWrongTypeRow(Row r) {
    byte[] original = withField("quantity", "2");
    assertThat(r.getSchema()).isEqualTo(DeadLetterTable.DEFINITION.beamSchema());
    assertThat(r.getString(DeadLetterTable.REASON)).isEqualTo("WRONG_TYPE");
    assertThat(r.getString(DeadLetterTable.REASON_DETAIL)).contains("quantity");
    assertThat(r.getString(DeadLetterTable.PAYLOAD_BASE64))
        .isEqualTo(Base64.getEncoder().encodeToString(original));
    assertThat(Base64.getDecoder().decode(r.getString(DeadLetterTable.PAYLOAD_BASE64)))
        .isEqualTo(original);
    assertThat(r.getInt32(DeadLetterTable.PAYLOAD_SIZE)).isEqualTo(original.length);
    assertThat(r.getBoolean(DeadLetterTable.PAYLOAD_TRUNCATED)).isFalse();
    assertThat(r.getString(DeadLetterTable.KAFKA_TOPIC)).isEqualTo(TOPIC);
    assertThat(r.getInt32(DeadLetterTable.KAFKA_PARTITION)).isEqualTo(2);
    assertThat(r.getInt64(DeadLetterTable.KAFKA_OFFSET)).isEqualTo(5L);
    assertThat(r.getDateTime(DeadLetterTable.KAFKA_TIMESTAMP).getMillis()).isEqualTo(KAFKA_TS + 5);
    assertThat(r.getString(DeadLetterTable.KAFKA_KEY))
        .isEqualTo(Base64.getEncoder().encodeToString(KEY));
    assertThat(r.getDateTime(DeadLetterTable.FAILED_AT)).isNotNull();
    return null;
  }

  @Test
  void nullKafkaKeyIsMissingKey() {
    Pipeline p = pipeline();
    PCollectionTuple out =
        p.apply(create(message(7, null, saleLine(4)))).apply(ParseAndValidate.withDefaults());

    PAssert.that(out.get(ParseAndValidate.VALID)).empty();
    PAssert.thatSingleton(out.get(ParseAndValidate.INVALID))
        .satisfies(ParseAndValidateTest::checkMissingKeyRow);
    p.run().waitUntilFinish();
  }

  private static Void checkMissingKeyRow(Row r) {
    assertThat(r.getString(DeadLetterTable.REASON)).isEqualTo("MISSING_KEY");
    assertThat(r.getString(DeadLetterTable.KAFKA_KEY)).isNull();
    assertThat(Base64.getDecoder().decode(r.getString(DeadLetterTable.PAYLOAD_BASE64)))
        .isEqualTo(saleLine(4));
    assertThat(r.getInt64(DeadLetterTable.KAFKA_OFFSET)).isEqualTo(7L);
    return null;
  }

  private static final int FIVE_MB = 5 * 1024 * 1024;

  private static byte[] fiveMegabytes() {
    byte[] big = new byte[FIVE_MB];
    Arrays.fill(big, (byte) 'x');
    big[0] = '{';
    return big;
  }

  @Test
  void fiveMegabytePayloadIsTooLargeAndOnlyAPrefixIsKept() {
    Pipeline p = pipeline();
    PCollectionTuple out =
        p.apply(create(message(42, KEY, fiveMegabytes()))).apply(ParseAndValidate.withDefaults());

    PAssert.that(out.get(ParseAndValidate.VALID)).empty();
    PAssert.thatSingleton(out.get(ParseAndValidate.INVALID))
        .satisfies(ParseAndValidateTest::checkTooLargeRow);
    p.run().waitUntilFinish();
  }

  private static Void checkTooLargeRow(Row r) {
    assertThat(r.getString(DeadLetterTable.REASON)).isEqualTo("PAYLOAD_TOO_LARGE");
    assertThat(r.getString(DeadLetterTable.REASON_DETAIL)).contains(String.valueOf(FIVE_MB));
    assertThat(r.getInt32(DeadLetterTable.PAYLOAD_SIZE)).isEqualTo(FIVE_MB);
    assertThat(r.getBoolean(DeadLetterTable.PAYLOAD_TRUNCATED)).isTrue();
    byte[] kept = Base64.getDecoder().decode(r.getString(DeadLetterTable.PAYLOAD_BASE64));
    assertThat(kept).hasSize(ParseAndValidate.DEFAULT_DEAD_LETTER_KEEP_BYTES);
    assertThat(kept).isEqualTo(Arrays.copyOf(fiveMegabytes(), kept.length));
    return null;
  }

  private static byte[] eventAt(String eventTime) {
    Map<String, Object> m = saleJsonMap();
    m.put("event_time", eventTime);
    return json(m);
  }

  private static String routed(ParseAndValidate.Router router, SourceMessage m) {
    RoutedRow r = router.route(m);
    return r.valid() ? "raw" : r.row().getString(DeadLetterTable.REASON);
  }

  @Test
  void eventTimeIsJudgedAgainstTheKafkaTimestampNotTheWallClock() {
    ParseAndValidate.Router router = ParseAndValidate.withDefaults().router(); // tolerance 1 day
    router.setup();
    // sent 2024-03-01T12:34:56.789Z; both event times are long past by the wall clock
    long sent = KAFKA_TS;
    SourceMessage twoDaysAhead =
        new SourceMessage(TOPIC, 0, 0, sent, KEY, eventAt("2024-03-03T12:34:56.789Z"));
    SourceMessage halfADayAhead =
        new SourceMessage(TOPIC, 0, 1, sent, KEY, eventAt("2024-03-02T00:34:56.789Z"));
    // no timestamp (the v0 message format): nothing to judge against, never in the future
    SourceMessage noTimestamp =
        new SourceMessage(TOPIC, 0, 2, -1, KEY, eventAt("2999-01-01T00:00:00.000Z"));

    assertThat(routed(router, twoDaysAhead)).isEqualTo("EVENT_TIME_IN_FUTURE");
    assertThat(routed(router, halfADayAhead)).isEqualTo("raw");
    assertThat(routed(router, noTimestamp)).isEqualTo("raw");
    // the same message again, later: the same table
    assertThat(routed(router, twoDaysAhead)).isEqualTo("EVENT_TIME_IN_FUTURE");
  }

  @Test
  void messagesOfTheGapAreRoutedWithTheSettingsRecordedForThem() {
    RoutingSettings recorded = new RoutingSettings(100, Duration.ofDays(1)); // < any sale line
    GapRouting gap =
        GapRouting.builder()
            .add(1, 10, 12, recorded)
            .add(1, 12, 13, null) // a commit that recorded no settings: this run's own
            .build();
    ParseAndValidate.Router router = ParseAndValidate.withDefaults().withGapRouting(gap).router();
    router.setup();
    Map<String, String> tables = new TreeMap<>();
    for (int partition = 0; partition < 2; partition++) {
      for (long offset = 9; offset <= 13; offset++) {
        tables.put(
            partition + "@" + offset,
            routed(
                router, new SourceMessage(TOPIC, partition, offset, KAFKA_TS, KEY, saleLine(1))));
      }
    }

    assertThat(tables)
        .containsEntry("1@9", "raw")
        .containsEntry("1@10", "PAYLOAD_TOO_LARGE")
        .containsEntry("1@11", "PAYLOAD_TOO_LARGE")
        .containsEntry("1@12", "raw")
        .containsEntry("1@13", "raw")
        .containsEntry("0@10", "raw")
        .containsEntry("0@11", "raw");
    assertThat(gap.toString())
        .isEqualTo(
            "partition 1 offsets 10-11: max-payload-bytes=100, future-tolerance=PT24H;"
                + " partition 1 offsets 12-12: no settings recorded");
  }

  @Test
  void routingSettingsRoundTripThroughASnapshotSummary() {
    RoutingSettings settings = new RoutingSettings(1500, Duration.ofDays(3));
    assertThat(RoutingSettings.fromSummary(settings.toSummary())).isEqualTo(settings);
    assertThat(RoutingSettings.fromSummary(Map.of("lakehouse.kafka-offsets", "{}"))).isNull();
    assertThat(ParseAndValidate.withDefaults().withMaxPayloadBytes(1500).settings())
        .isEqualTo(new RoutingSettings(1500, Duration.ofDays(1)));
  }
}
