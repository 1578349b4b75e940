package com.retail.lakehouse.transforms.contract;

import com.retail.lakehouse.transforms.event.PosEventJson;
import com.retail.lakehouse.transforms.event.PosEventRules;
import com.retail.lakehouse.transforms.event.PosEventSchema;
import com.retail.lakehouse.transforms.event.Rejection;
import com.retail.lakehouse.transforms.tables.DeadLetterTable;
import com.retail.lakehouse.transforms.tables.RawTable;
import com.retail.lakehouse.transforms.tables.TableDefinition;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The POS sales contract: JSON sale lines ({@link PosEventJson}) checked by {@link PosEventRules},
 * landing in {@code raw.pos_transactions} and {@code raw.pos_transactions_dlq}, de-duplicated on
 * ({@code transaction_id}, {@code line_number}).
 */
public final class PosContract implements EventContract {
  /** The one instance. */
  public static final PosContract INSTANCE = new PosContract();

  /** The POS de-duplication key. */
  public static final LineKey LINE_KEY =
      new LineKey(PosEventSchema.TRANSACTION_ID, PosEventSchema.LINE_NUMBER);

  private PosContract() {}

  @Override
  public String name() {
    return "pos";
  }

  @Override
  public TableDefinition rawTable() {
    return RawTable.DEFINITION;
  }

  @Override
  public TableDefinition deadLetterTable() {
    return DeadLetterTable.DEFINITION;
  }

  @Override
  public LineKey lineKey() {
    return LINE_KEY;
  }

  @Override
  public Validator newValidator(int maxPayloadBytes, Duration futureTolerance) {
    PosEventRules rules = new PosEventRules(futureTolerance);
    return (payload, reference) -> validate(payload, reference, maxPayloadBytes, rules);
  }

  private static Outcome validate(
      byte[] payload, Instant reference, int maxPayloadBytes, PosEventRules rules) {
    PosEventJson.Parsed parsed = PosEventJson.parse(payload, maxPayloadBytes);
    if (!parsed.isValid()) {
      return Outcome.rejected(parsed.rejection());
    }
    // the rules' "now" is the message's Kafka timestamp: routing never depends on the wall clock
    Optional<Rejection> broken = rules.check(parsed.event(), reference);
    return broken.isPresent()
        ? Outcome.rejected(broken.get())
        : Outcome.valid(parsed.event().rowValues());
  }

  private Object readResolve() {
    return INSTANCE;
  }
}
