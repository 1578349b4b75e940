package com.retail.lakehouse.transforms.mart;

import static org.assertj.core.api.Assertions.assertThat;

import com.retail.lakehouse.transforms.event.MovementType;
import java.util.List;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.testing.CoderProperties;
import org.apache.beam.sdk.util.CoderUtils;
import org.junit.jupiter.api.Test;

/** The stock event coder gives back every field, nulls and negatives too, in far fewer bytes. */
class StockEventCoderTest {
  private static final long MILLIS = 1_795_950_930_123L; // 2026-11-24T10:15:30.123Z

  private static final StockEvent MOVEMENT =
      new StockEvent(
          StockEvent.Source.MOVEMENT,
          "S007",
          "SKU-00042",
          MILLIS / 86_400_000L,
          MILLIS,
          "0c5f0a44-8d7e-4a51-9a0e-2b6f1c3d4e5f",
          0,
          MovementType.ADJUSTMENT.ordinal(),
          -2,
          125,
          0,
          0,
          MILLIS + 1_500,
          3,
          1_234_567L);

  private static final StockEvent POS_RETURN =
      new StockEvent(
          StockEvent.Source.POS_LINE,
          "S007",
          "SKU-00042",
          MILLIS / 86_400_000L,
          MILLIS,
          "T-20261124-S007-000123",
          4,
          1,
          -3,
          -1,
          0,
          0,
          MILLIS + 900,
          0,
          42L);

  /** A mart row has no id; the other strings null and extreme values exercise the edges. */
  private static final StockEvent EDGES =
      new StockEvent(
          StockEvent.Source.MART_ROW,
          null,
          "Zürich-Ω",
          -1,
          Long.MIN_VALUE,
          null,
          Integer.MAX_VALUE,
          Integer.MIN_VALUE,
          Long.MAX_VALUE,
          -1,
          -7,
          Long.MIN_VALUE + 1,
          -1_000L,
          -1,
          Long.MAX_VALUE);

  @Test
  void everyFieldRoundTripsIncludingNullsAndNegatives() throws Exception {
    Coder<StockEvent> coder = StockEventCoder.of();
    for (StockEvent e : List.of(MOVEMENT, POS_RETURN, EDGES)) {
      CoderProperties.coderDecodeEncodeEqual(coder, e);
      CoderProperties.coderDecodeEncodeContentsEqual(
          org.apache.beam.sdk.coders.ListCoder.of(coder), List.of(e, e));
      // CoderProperties' structural-value check needs JUnit 4's Assert: the same check by hand
      assertThat(coder.structuralValue(CoderUtils.clone(coder, e)))
          .isEqualTo(coder.structuralValue(e));
      CoderProperties.coderDeterministic(coder, e, CoderUtils.clone(coder, e));
      assertThat(CoderUtils.clone(coder, e)).isEqualTo(e);
    }
    // consistent with equals (checked by hand: CoderProperties' check needs JUnit 4)
    assertThat(coder.consistentWithEquals()).isTrue();
    StockEvent copy = CoderUtils.clone(coder, MOVEMENT);
    assertThat(CoderUtils.encodeToByteArray(coder, copy))
        .isEqualTo(CoderUtils.encodeToByteArray(coder, MOVEMENT));
    assertThat(CoderUtils.encodeToByteArray(coder, POS_RETURN))
        .isNotEqualTo(CoderUtils.encodeToByteArray(coder, MOVEMENT));
    CoderProperties.coderSerializable(coder);
  }

  @Test
  void aMovementTakesAFractionOfJavaSerialization() throws Exception {
    int compact = CoderUtils.encodeToByteArray(StockEventCoder.of(), MOVEMENT).length;
    int serialized =
        CoderUtils.encodeToByteArray(SerializableCoder.of(StockEvent.class), MOVEMENT).length;
    assertThat(compact).isLessThanOrEqualTo(100);
    assertThat(serialized).isGreaterThan(100);
    assertThat(compact * 5).isLessThan(serialized);
    int line = CoderUtils.encodeToByteArray(StockEventCoder.of(), POS_RETURN).length;
    assertThat(line).isLessThanOrEqualTo(70);
  }

  @Test
  void aByteThatIsNoSourceIsRefused() {
    byte[] bytes = {(byte) 9};
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> CoderUtils.decodeFromByteArray(StockEventCoder.of(), bytes))
        .hasMessageContaining("not a StockEvent source: 9");
  }
}
