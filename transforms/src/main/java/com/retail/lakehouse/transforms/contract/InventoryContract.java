package com.retail.lakehouse.transforms.contract;

import com.retail.lakehouse.transforms.event.ContractJson;
import com.retail.lakehouse.transforms.event.DeadLetterReason;
import com.retail.lakehouse.transforms.event.InventoryMovementSchema;
import com.retail.lakehouse.transforms.event.InventoryRules;
import com.retail.lakehouse.transforms.event.MovementType;
import com.retail.lakehouse.transforms.event.Rejection;
import com.retail.lakehouse.transforms.tables.InventoryTables;
import com.retail.lakehouse.transforms.tables.TableDefinition;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;

/**
 * The inventory contract: JSON stock movements ({@link InventoryMovementSchema}, read by {@link
 * ContractJson} from the field list) checked by {@link InventoryRules}, landing in {@code
 * raw.inventory_movements} and {@code raw.inventory_movements_dlq}, de-duplicated on {@code
 * movement_id}. The same reader, writer and exactly-once commit as the POS contract.
 */
public final class InventoryContract implements EventContract {
  /** The one instance. */
  public static final InventoryContract INSTANCE = new InventoryContract();

  /** The inventory de-duplication key: the movement id (a movement has no lines). */
  public static final LineKey LINE_KEY = new LineKey(InventoryMovementSchema.MOVEMENT_ID, null);

  private static final ContractJson.Fields FIELDS =
      new ContractJson.Fields(InventoryMovementSchema.FIELDS);
  private static final int TYPE =
      InventoryMovementSchema.index(InventoryMovementSchema.MOVEMENT_TYPE);
  private static final int EVENT_TIME =
      InventoryMovementSchema.index(InventoryMovementSchema.EVENT_TIME);

  private InventoryContract() {}

  @Override
  public String name() {
    return "inventory";
  }

  @Override
  public TableDefinition rawTable() {
    return InventoryTables.RAW;
  }

  @Override
  public TableDefinition deadLetterTable() {
    return InventoryTables.DEAD_LETTERS;
  }

  @Override
  public LineKey lineKey() {
    return LINE_KEY;
  }

  @Override
  public Validator newValidator(int maxPayloadBytes, Duration futureTolerance) {
    InventoryRules rules = new InventoryRules(futureTolerance);
    return (payload, reference) -> validate(payload, reference, maxPayloadBytes, rules);
  }

  private static Outcome validate(
      byte[] payload, Instant reference, int maxPayloadBytes, InventoryRules rules) {
    ContractJson.Result<Object[]> parsed =
        ContractJson.parse(payload, maxPayloadBytes, p -> ContractJson.readFields(p, FIELDS));
    if (!parsed.isValid()) {
      return Outcome.rejected(parsed.rejection());
    }
    Object[] values = parsed.value();
    MovementType type;
    try {
      type = MovementType.valueOf((String) values[TYPE]);
    } catch (IllegalArgumentException e) {
      return Outcome.rejected(
          Rejection.of(
              DeadLetterReason.UNKNOWN_MOVEMENT_TYPE,
              "movement_type=" + ContractJson.abbreviate((String) values[TYPE])));
    }
    Instant eventTime = (Instant) values[EVENT_TIME];
    // the rules' "now" is the message's Kafka timestamp: routing never depends on the wall clock
    Optional<Rejection> broken = rules.check(values, type, eventTime, reference);
    if (broken.isPresent()) {
      return Outcome.rejected(broken.get());
    }
    values[EVENT_TIME] = new org.joda.time.Instant(eventTime.toEpochMilli()); // a Beam row value
    return Outcome.valid(Arrays.asList(values));
  }

  private Object readResolve() {
    return INSTANCE;
  }
}
