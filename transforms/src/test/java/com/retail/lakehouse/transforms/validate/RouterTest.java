package com.retail.lakehouse.transforms.validate;

import static com.retail.lakehouse.transforms.TestEvents.TOPIC;
import static com.retail.lakehouse.transforms.TestEvents.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import com.retail.lakehouse.transforms.contract.EventContract;
import com.retail.lakehouse.transforms.contract.LineKey;
import com.retail.lakehouse.transforms.contract.PosContract;
import com.retail.lakehouse.transforms.event.DeadLetterReason;
import com.retail.lakehouse.transforms.source.SourceMessage;
import com.retail.lakehouse.transforms.tables.DeadLetterTable;
import com.retail.lakehouse.transforms.tables.TableDefinition;
import java.time.Duration;
import java.util.Base64;
import org.apache.beam.sdk.values.Row;
import org.junit.jupiter.api.Test;

class RouterTest {
  /** The POS contract with a validator that fails the way a contract's bug would. */
  static final class ThrowingContract implements EventContract {
    @Override
    public String name() {
      return "throwing";
    }

    @Override
    public TableDefinition rawTable() {
      return PosContract.INSTANCE.rawTable();
    }

    @Override
    public TableDefinition deadLetterTable() {
      return PosContract.INSTANCE.deadLetterTable();
    }

    @Override
    public LineKey lineKey() {
      return PosContract.INSTANCE.lineKey();
    }

    @Override
    public Validator newValidator(int maxPayloadBytes, Duration futureTolerance) {
      return (payload, now) -> {
        throw new ArithmeticException("BigInteger would overflow supported range");
      };
    }
  }

  @Test
  void aValidatorThatThrowsMakesADeadLetterNotAStoppedIngest() {
    ParseAndValidate.Router router =
        new ParseAndValidate.Router(
            new ThrowingContract(),
            new RoutingSettings(ParseAndValidate.DEFAULT_MAX_PAYLOAD_BYTES, Duration.ofDays(1)),
            ParseAndValidate.DEFAULT_DEAD_LETTER_KEEP_BYTES,
            GapRouting.none());
    router.setup();
    byte[] payload = utf8("{\"unit_price\":\"1e999999999\"}");

    RoutedRow routed = router.route(new SourceMessage(TOPIC, 0, 7L, 0L, utf8("S007"), payload));
    router.flush();

    assertThat(routed.valid()).isFalse();
    Row row = routed.row();
    assertThat(row.getString(DeadLetterTable.REASON))
        .isEqualTo(DeadLetterReason.VALIDATOR_ERROR.name());
    assertThat(row.getString(DeadLetterTable.REASON_DETAIL))
        .startsWith("java.lang.ArithmeticException: BigInteger would overflow");
    assertThat(Base64.getDecoder().decode(row.getString(DeadLetterTable.PAYLOAD_BASE64)))
        .isEqualTo(payload);
    assertThat(row.getInt64(DeadLetterTable.KAFKA_OFFSET)).isEqualTo(7L);
  }
}
