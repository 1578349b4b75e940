package com.retail.lakehouse.generator;

import static com.retail.lakehouse.transforms.event.PosEventSchema.EVENT_ID;
import static com.retail.lakehouse.transforms.event.PosEventSchema.EVENT_TIME;
import static com.retail.lakehouse.transforms.event.PosEventSchema.EVENT_TYPE;
import static com.retail.lakehouse.transforms.event.PosEventSchema.QUANTITY;
import static com.retail.lakehouse.transforms.event.PosEventSchema.SKU;
import static com.retail.lakehouse.transforms.event.PosEventSchema.TOTAL_AMOUNT;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.retail.lakehouse.transforms.event.DeadLetterReason;
import com.retail.lakehouse.transforms.event.InventoryMovement;
import com.retail.lakehouse.transforms.event.InventoryMovementJson;
import com.retail.lakehouse.transforms.event.InventoryMovementSchema;
import com.retail.lakehouse.transforms.event.MovementType;
import com.retail.lakehouse.transforms.event.PosEvent;
import com.retail.lakehouse.transforms.event.PosEventJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The ways the simulator corrupts a real sale line into a malformed message, each one rejected by
 * the event contract with its own {@link DeadLetterReason}, so dead-letter counts can be checked
 * per reason. The simulator cycles through them in declaration order.
 *
 * <p>Inventory movements are corrupted the same ways ({@link #corrupt(InventoryMovement)}), except
 * {@link #TOTAL_MISMATCH}, which has no counterpart there: see {@link #FOR_INVENTORY}.
 */
public enum MalformedKind {
  /** A register still on the legacy pipe-delimited format: not JSON at all. */
  NOT_JSON(DeadLetterReason.NOT_JSON),
  /** The message cut in half, as by a register losing power mid-send. */
  TRUNCATED_JSON(DeadLetterReason.TRUNCATED_JSON),
  /** quantity sent as a string ("1") instead of an integer. */
  WRONG_TYPE(DeadLetterReason.WRONG_TYPE),
  /** The sku field left out. */
  MISSING_FIELD(DeadLetterReason.MISSING_FIELD),
  /** event_type VOID, which the contract does not know. */
  UNKNOWN_EVENT_TYPE(DeadLetterReason.UNKNOWN_EVENT_TYPE),
  /** quantity 0. */
  BAD_QUANTITY(DeadLetterReason.BAD_QUANTITY),
  /** total_amount one dollar more than quantity x unit_price - discount. */
  TOTAL_MISMATCH(DeadLetterReason.TOTAL_MISMATCH),
  /** event_time 1970-01-01, a register whose clock battery died. */
  EVENT_TIME_TOO_OLD(DeadLetterReason.EVENT_TIME_TOO_OLD);

  /** Every kind, in the order POS messages cycle through them. */
  public static final List<MalformedKind> FOR_POS = List.of(values());

  /**
   * The kinds that apply to an inventory movement, in the order inventory messages cycle through
   * them: all but TOTAL_MISMATCH. On a movement, UNKNOWN_EVENT_TYPE sends movement_type {@code
   * SHIPMENT} and BAD_QUANTITY a quantity the type forbids (0, or -1 on a COUNT).
   */
  public static final List<MalformedKind> FOR_INVENTORY =
      FOR_POS.stream().filter(k -> k != TOTAL_MISMATCH).toList();

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final DeadLetterReason reason;

  MalformedKind(DeadLetterReason reason) {
    this.reason = reason;
  }

  /** The dead-letter reason the POS contract gives a sale line corrupted this way. */
  public DeadLetterReason reason() {
    return reason;
  }

  /**
   * The dead-letter reason the inventory contract gives a movement corrupted this way: the POS one,
   * but an unknown movement_type is UNKNOWN_MOVEMENT_TYPE.
   */
  public DeadLetterReason inventoryReason() {
    return this == UNKNOWN_EVENT_TYPE ? DeadLetterReason.UNKNOWN_MOVEMENT_TYPE : reason;
  }

  /** Corrupts a valid sale line into the bytes of a malformed message of this kind. */
  public byte[] corrupt(PosEvent event) {
    byte[] json = PosEventJson.toJson(event);
    return switch (this) {
      case NOT_JSON ->
          String.join(
                  "|",
                  event.storeId(),
                  event.registerId(),
                  event.transactionId(),
                  Integer.toString(event.lineNumber()),
                  event.sku(),
                  Integer.toString(event.quantity()),
                  event.totalAmount().toPlainString(),
                  PosEventJson.formatEventTime(event.eventTime()))
              .getBytes(StandardCharsets.UTF_8);
      case TRUNCATED_JSON -> Arrays.copyOf(json, json.length / 2);
      case WRONG_TYPE -> edit(json, o -> o.put(QUANTITY, Integer.toString(event.quantity())));
      case MISSING_FIELD -> edit(json, o -> o.remove(SKU));
      case UNKNOWN_EVENT_TYPE -> edit(json, o -> o.put(EVENT_TYPE, "VOID"));
      case BAD_QUANTITY -> edit(json, o -> o.put(QUANTITY, 0));
      case TOTAL_MISMATCH ->
          edit(
              json,
              o -> o.put(TOTAL_AMOUNT, event.totalAmount().add(BigDecimal.ONE).toPlainString()));
      case EVENT_TIME_TOO_OLD -> edit(json, o -> o.put(EVENT_TIME, "1970-01-01T00:00:00.000Z"));
    };
  }

  /**
   * Corrupts a valid inventory movement into the bytes of a malformed message of this kind.
   *
   * @throws IllegalArgumentException for a kind not in {@link #FOR_INVENTORY}
   */
  public byte[] corrupt(InventoryMovement m) {
    byte[] json = InventoryMovementJson.toJson(m);
    String id = InventoryMovementSchema.MOVEMENT_ID;
    return switch (this) {
      case NOT_JSON ->
          String.join(
                  "|",
                  m.storeId(),
                  m.sku(),
                  m.movementType().name(),
                  Integer.toString(m.quantity()),
                  m.unitCost().toPlainString(),
                  m.reference(),
                  PosEventJson.formatEventTime(m.eventTime()))
              .getBytes(StandardCharsets.UTF_8);
      case TRUNCATED_JSON -> Arrays.copyOf(json, json.length / 2);
      case WRONG_TYPE ->
          edit(
              json,
              id,
              o -> o.put(InventoryMovementSchema.QUANTITY, Integer.toString(m.quantity())));
      case MISSING_FIELD -> edit(json, id, o -> o.remove(InventoryMovementSchema.SKU));
      case UNKNOWN_EVENT_TYPE ->
          edit(json, id, o -> o.put(InventoryMovementSchema.MOVEMENT_TYPE, "SHIPMENT"));
      case BAD_QUANTITY ->
          edit(
              json,
              id,
              o ->
                  o.put(
                      InventoryMovementSchema.QUANTITY,
                      m.movementType() == MovementType.COUNT ? -1 : 0));
      case TOTAL_MISMATCH ->
          throw new IllegalArgumentException("an inventory movement has no total to mismatch");
      case EVENT_TIME_TOO_OLD ->
          edit(
              json, id, o -> o.put(InventoryMovementSchema.EVENT_TIME, "1970-01-01T00:00:00.000Z"));
    };
  }

  private static byte[] edit(byte[] json, java.util.function.Consumer<ObjectNode> change) {
    return edit(json, EVENT_ID, change);
  }

  private static byte[] edit(
      byte[] json, String idField, java.util.function.Consumer<ObjectNode> change) {
    try {
      ObjectNode object = (ObjectNode) MAPPER.readTree(json);
      change.accept(object);
      if (!object.has(idField)) {
        throw new IllegalStateException(
            "not an event: " + new String(json, StandardCharsets.UTF_8));
      }
      return MAPPER.writeValueAsBytes(object);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
