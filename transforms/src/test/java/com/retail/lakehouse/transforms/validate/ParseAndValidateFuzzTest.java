package com.retail.lakehouse.transforms.validate;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.retail.lakehouse.transforms.contract.PosContract;
import com.retail.lakehouse.transforms.event.DeadLetterReason;
import com.retail.lakehouse.transforms.event.EventType;
import com.retail.lakehouse.transforms.event.PosEventRules;
import com.retail.lakehouse.transforms.event.PosEventSchema;
import com.retail.lakehouse.transforms.event.Rejection;
import com.retail.lakehouse.transforms.source.SourceMessage;
import com.retail.lakehouse.transforms.tables.DeadLetterTable;
import com.retail.lakehouse.transforms.tables.RawTable;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import org.apache.beam.sdk.values.Row;

/**
 * Coverage-guided fuzzing of the ingest's routing of one Kafka message: {@link
 * ParseAndValidate.Router#route}, the code both forms of {@link ParseAndValidate} run per message
 * (the POS contract's parser and rules, then the raw or dead-letter row). For any payload bytes: no
 * exception escapes, the message becomes exactly one row (a raw row or a dead letter), a raw row
 * holds only values its table can store, and a dead letter keeps the original bytes (base64 of the
 * payload's prefix) with a reason that is not {@link DeadLetterReason#VALIDATOR_ERROR} (the safety
 * net for a validator that threw: reaching it here is a bug).
 *
 * <p>In every build ({@code ./mvnw verify}) Jazzer runs this as a regression test over the
 * committed seed corpus in {@code src/test/resources/.../ParseAndValidateFuzzTestInputs/} (plus an
 * empty input). To fuzz: {@code JAZZER_FUZZ=1 ./mvnw -B -pl transforms -am test
 * -Dtest=ParseAndValidateFuzzTest -Dsurefire.failIfNoSpecifiedTests=false}, which fuzzes for {@code
 * maxDuration} below, keeps its corpus in {@code transforms/.cifuzz-corpus/} (git-ignored; the next
 * run goes on from it, and plain runs replay it too) and writes a failing input to {@code
 * transforms/crash-*}; copy that into the inputs directory to keep it as a regression case.
 */
class ParseAndValidateFuzzTest {
  private static final String TOPIC = "pos_transactions";
  private static final long OFFSET = 4_242L;
  private static final long KAFKA_TS = 1_709_296_496_789L;
  private static final byte[] KEY = "S007".getBytes(StandardCharsets.UTF_8);

  /** The production limits: 1 MiB payloads, the first 64 KiB of a dead letter kept. */
  private static final ParseAndValidate.Router DEFAULTS =
      router(
          ParseAndValidate.DEFAULT_MAX_PAYLOAD_BYTES,
          ParseAndValidate.DEFAULT_DEAD_LETTER_KEEP_BYTES);

  /** Small limits, so that fuzzed inputs reach PAYLOAD_TOO_LARGE and truncated dead letters. */
  private static final int SMALL_MAX = 1_500;

  private static final int SMALL_KEEP = 100;
  private static final ParseAndValidate.Router SMALL = router(SMALL_MAX, SMALL_KEEP);

  private static ParseAndValidate.Router router(int maxPayloadBytes, int keepBytes) {
    ParseAndValidate.Router router =
        new ParseAndValidate.Router(
            PosContract.INSTANCE,
            new RoutingSettings(maxPayloadBytes, PosEventRules.DEFAULT_FUTURE_TOLERANCE),
            keepBytes,
            GapRouting.none());
    router.setup();
    return router;
  }

  /**
   * The fuzz test. (No JUnit {@code @Timeout}: Jazzer runs the whole fuzzing session as one
   * invocation, which JUnit would fail once it is over; each input's time is checked instead.)
   */
  @FuzzTest(maxDuration = "5m")
  void anyPayloadBecomesExactlyOneRawRowOrOneDeadLetter(byte[] payload) throws IOException {
    long t0 = System.nanoTime();
    check(DEFAULTS, payload, ParseAndValidate.DEFAULT_DEAD_LETTER_KEEP_BYTES);
    check(SMALL, payload, SMALL_KEEP);
    // Generous for a busy 2-core machine: the inputs are small and every step linear, so a slow
    // one means a super-linear path (as BigDecimal's expansion of 1e999999999 was).
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(PER_INPUT_BOUND);
  }

  private static final Duration PER_INPUT_BOUND = Duration.ofSeconds(5);

  private static void check(ParseAndValidate.Router router, byte[] payload, int keepBytes)
      throws IOException {
    SourceMessage message = new SourceMessage(TOPIC, 3, OFFSET, KAFKA_TS, KEY, payload);

    RoutedRow routed = router.route(message); // must not throw, for any bytes

    assertThat(routed).isNotNull();
    assertThat(routed.row()).isNotNull();
    if (routed.valid()) {
      checkRawRow(routed.row());
    } else {
      checkDeadLetter(routed.row(), payload, keepBytes);
    }
    // The row travels between steps with its coder: it must encode and come back equal.
    RoutedRow.Coder coder = RoutedRow.Coder.of();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    coder.encode(routed, out);
    assertThat(coder.decode(new ByteArrayInputStream(out.toByteArray()))).isEqualTo(routed);
  }

  private static void checkRawRow(Row row) {
    assertThat(row.getSchema()).isEqualTo(RawTable.DEFINITION.beamSchema());
    assertThat(row.getString(RawTable.KAFKA_TOPIC)).isEqualTo(TOPIC);
    assertThat(row.getInt64(RawTable.KAFKA_OFFSET)).isEqualTo(OFFSET);
    for (PosEventSchema.Field field : PosEventSchema.FIELDS) {
      if (field.required()) {
        assertThat((Object) row.getValue(field.name())).as(field.name()).isNotNull();
      }
    }
    for (String money :
        new String[] {
          PosEventSchema.UNIT_PRICE, PosEventSchema.DISCOUNT, PosEventSchema.TOTAL_AMOUNT
        }) {
      BigDecimal value = row.getDecimal(money);
      // What the Parquet writer does with it; it must neither round nor overflow decimal(12,2).
      BigDecimal stored = value.setScale(PosEventSchema.MONEY_SCALE, RoundingMode.UNNECESSARY);
      assertThat(stored.abs()).as(money).isLessThanOrEqualTo(PosEventRules.LARGEST_AMOUNT);
    }
    int quantity = row.getInt32(PosEventSchema.QUANTITY);
    boolean sale = EventType.valueOf(row.getString(PosEventSchema.EVENT_TYPE)) == EventType.SALE;
    assertThat(sale ? quantity > 0 : quantity < 0).as("quantity=%d", quantity).isTrue();
    assertThat(row.getInt32(PosEventSchema.LINE_NUMBER)).isPositive();
    assertThat(row.getDateTime(PosEventSchema.EVENT_TIME).getMillis())
        .isGreaterThanOrEqualTo(PosEventRules.EARLIEST_EVENT_TIME.toEpochMilli())
        .isLessThanOrEqualTo(System.currentTimeMillis() + Duration.ofDays(2).toMillis());
  }

  private static void checkDeadLetter(Row row, byte[] payload, int keepBytes) {
    assertThat(row.getSchema()).isEqualTo(DeadLetterTable.DEFINITION.beamSchema());
    assertThat(row.getInt64(DeadLetterTable.KAFKA_OFFSET)).isEqualTo(OFFSET);
    String reason = row.getString(DeadLetterTable.REASON);
    assertThat(DeadLetterReason.valueOf(reason))
        .as("a validator threw: " + row.getString(DeadLetterTable.REASON_DETAIL))
        .isNotEqualTo(DeadLetterReason.VALIDATOR_ERROR);
    assertThat(row.getString(DeadLetterTable.REASON_DETAIL))
        .isNotNull()
        .hasSizeLessThanOrEqualTo(Rejection.MAX_MESSAGE_CHARS);
    int size = payload == null ? 0 : payload.length;
    assertThat(row.getInt32(DeadLetterTable.PAYLOAD_SIZE)).isEqualTo(size);
    assertThat(row.getBoolean(DeadLetterTable.PAYLOAD_TRUNCATED)).isEqualTo(size > keepBytes);
    byte[] kept = Base64.getDecoder().decode(row.getString(DeadLetterTable.PAYLOAD_BASE64));
    assertThat(kept).isEqualTo(Arrays.copyOf(payload, Math.min(size, keepBytes)));
    assertThat(Base64.getDecoder().decode(row.getString(DeadLetterTable.KAFKA_KEY))).isEqualTo(KEY);
  }
}
