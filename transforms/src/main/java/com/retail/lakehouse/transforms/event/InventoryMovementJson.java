package com.retail.lakehouse.transforms.event;

import static com.retail.lakehouse.transforms.event.InventoryMovementSchema.EVENT_TIME;
import static com.retail.lakehouse.transforms.event.InventoryMovementSchema.MOVEMENT_ID;
import static com.retail.lakehouse.transforms.event.InventoryMovementSchema.MOVEMENT_TYPE;
import static com.retail.lakehouse.transforms.event.InventoryMovementSchema.QUANTITY;
import static com.retail.lakehouse.transforms.event.InventoryMovementSchema.REASON;
import static com.retail.lakehouse.transforms.event.InventoryMovementSchema.REFERENCE;
import static com.retail.lakehouse.transforms.event.InventoryMovementSchema.SKU;
import static com.retail.lakehouse.transforms.event.InventoryMovementSchema.STORE_ID;
import static com.retail.lakehouse.transforms.event.InventoryMovementSchema.UNIT_COST;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The wire format of an {@link InventoryMovement}: one JSON object per Kafka message, fields in
 * {@link InventoryMovementSchema#FIELDS} order, money as a decimal string and event_time in the POS
 * format ({@link PosEventJson#formatEventTime}).
 */
public final class InventoryMovementJson {
  private static final JsonFactory FACTORY = new JsonFactory();

  private InventoryMovementJson() {}

  /** Serializes a movement to its wire format. */
  public static byte[] toJson(InventoryMovement m) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator g = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
      g.writeStartObject();
      g.writeStringField(MOVEMENT_ID, m.movementId());
      g.writeStringField(STORE_ID, m.storeId());
      g.writeStringField(SKU, m.sku());
      g.writeStringField(MOVEMENT_TYPE, m.movementType().name());
      g.writeNumberField(QUANTITY, m.quantity());
      g.writeStringField(UNIT_COST, m.unitCost().toPlainString());
      g.writeStringField(REFERENCE, m.reference());
      if (m.reason() == null) {
        g.writeNullField(REASON);
      } else {
        g.writeStringField(REASON, m.reason().name());
      }
      g.writeStringField(EVENT_TIME, PosEventJson.formatEventTime(m.eventTime()));
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
