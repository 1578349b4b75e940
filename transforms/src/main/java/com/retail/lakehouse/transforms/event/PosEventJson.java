package com.retail.lakehouse.transforms.event;

import static com.retail.lakehouse.transforms.event.PosEventSchema.*;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The POS event's JSON wire format: one flat object per sale line, money as decimal strings,
 * event_time as ISO-8601 UTC with milliseconds. The envelope, the value readers and their bounds
 * against hostile messages are {@link ContractJson}'s; this class reads the POS object with a loop
 * of its own (a typed event straight from the parser: the hottest path of the ingest).
 */
public final class PosEventJson {
  private static final DateTimeFormatter EVENT_TIME_FORMAT =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private PosEventJson() {}

  /** The outcome of parsing one message: an event, or the reason it is not one. */
  public record Parsed(PosEvent event, Rejection rejection) {
    public boolean isValid() {
      return event != null;
    }
  }

  /** Serializes an event to its wire format. */
  public static byte[] toJson(PosEvent e) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(384);
    try (JsonGenerator g = ContractJson.FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
      g.writeStartObject();
      g.writeStringField(EVENT_ID, e.eventId());
      g.writeStringField(TRANSACTION_ID, e.transactionId());
      g.writeNumberField(LINE_NUMBER, e.lineNumber());
      g.writeStringField(EVENT_TYPE, e.eventType().name());
      g.writeStringField(STORE_ID, e.storeId());
      g.writeStringField(REGISTER_ID, e.registerId());
      g.writeStringField(CASHIER_ID, e.cashierId());
      g.writeStringField(PRODUCT, e.product());
      g.writeStringField(SKU, e.sku());
      g.writeStringField(CATEGORY, e.category());
      g.writeNumberField(QUANTITY, e.quantity());
      g.writeStringField(UNIT_PRICE, e.unitPrice().toPlainString());
      g.writeStringField(DISCOUNT, e.discount().toPlainString());
      g.writeStringField(TOTAL_AMOUNT, e.totalAmount().toPlainString());
      g.writeStringField(CURRENCY, e.currency());
      g.writeStringField(PAYMENT_METHOD, e.paymentMethod());
      if (e.customerId() == null) {
        g.writeNullField(CUSTOMER_ID);
      } else {
        g.writeStringField(CUSTOMER_ID, e.customerId());
      }
      g.writeStringField(EVENT_TIME, formatEventTime(e.eventTime()));
      g.writeEndObject();
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    return out.toByteArray();
  }

  /** Formats an instant the way the wire format carries event_time. */
  public static String formatEventTime(Instant instant) {
    return EVENT_TIME_FORMAT.format(instant);
  }

  /**
   * Parses one message (the bounds are {@link ContractJson}'s). Never throws: every failure becomes
   * a {@link Rejection} whose reason says which kind of failure it was (empty, too large, not
   * UTF-8, not JSON, truncated, wrong types...).
   */
  public static Parsed parse(byte[] payload, int maxPayloadBytes) {
    ContractJson.Result<PosEvent> r =
        ContractJson.parse(payload, maxPayloadBytes, PosEventJson::readObject);
    return new Parsed(r.value(), r.rejection());
  }

  private static PosEvent readObject(JsonParser p) throws IOException {
    String eventId = null, transactionId = null, eventType = null, storeId = null;
    String registerId = null, cashierId = null, product = null, sku = null, category = null;
    String currency = null, paymentMethod = null, customerId = null;
    Integer lineNumber = null, quantity = null;
    BigDecimal unitPrice = null, discount = null, totalAmount = null;
    Instant eventTime = null;
    JsonToken token;
    int seen = 0; // one bit per contract field read, to refuse a field given twice
    int fields = 0;
    while ((token = p.nextToken()) == JsonToken.FIELD_NAME) {
      if (++fields > ContractJson.MAX_FIELDS) {
        throw ContractJson.refused(
            DeadLetterReason.LIMIT_EXCEEDED,
            "the event object has more than " + ContractJson.MAX_FIELDS + " fields");
      }
      String name = p.currentName();
      int field = fieldIndex(name);
      JsonToken value = p.nextToken();
      if (field < 0) {
        p.skipChildren(); // unknown fields are tolerated for forward compatibility
        continue;
      }
      int bit = 1 << field;
      if ((seen & bit) != 0) {
        throw ContractJson.refused(
            DeadLetterReason.DUPLICATE_FIELD, name + " appears more than once in the event");
      }
      seen |= bit;
      if (value == JsonToken.VALUE_NULL) {
        continue;
      }
      switch (field) {
        case F_EVENT_ID -> eventId = ContractJson.text(p, name);
        case F_TRANSACTION_ID -> transactionId = ContractJson.text(p, name);
        case F_LINE_NUMBER -> lineNumber = ContractJson.integer(p, name);
        case F_EVENT_TYPE -> eventType = ContractJson.text(p, name);
        case F_STORE_ID -> storeId = ContractJson.text(p, name);
        case F_REGISTER_ID -> registerId = ContractJson.text(p, name);
        case F_CASHIER_ID -> cashierId = ContractJson.text(p, name);
        case F_PRODUCT -> product = ContractJson.text(p, name);
        case F_SKU -> sku = ContractJson.text(p, name);
        case F_CATEGORY -> category = ContractJson.text(p, name);
        case F_QUANTITY -> quantity = ContractJson.integer(p, name);
        case F_UNIT_PRICE -> unitPrice = ContractJson.money(p, name);
        case F_DISCOUNT -> discount = ContractJson.money(p, name);
        case F_TOTAL_AMOUNT -> totalAmount = ContractJson.money(p, name);
        case F_CURRENCY -> currency = ContractJson.text(p, name);
        case F_PAYMENT_METHOD -> paymentMethod = ContractJson.text(p, name);
        case F_CUSTOMER_ID -> customerId = ContractJson.text(p, name);
        default -> eventTime = ContractJson.timestamp(p, name); // F_EVENT_TIME
      }
    }
    if (token != JsonToken.END_OBJECT) {
      throw ContractJson.refused(
          DeadLetterReason.NOT_JSON, "unexpected " + token + " in the event object");
    }
    String missing =
        firstMissing(
            eventId,
            EVENT_ID,
            transactionId,
            TRANSACTION_ID,
            lineNumber,
            LINE_NUMBER,
            eventType,
            EVENT_TYPE,
            storeId,
            STORE_ID,
            registerId,
            REGISTER_ID,
            cashierId,
            CASHIER_ID,
            product,
            PRODUCT,
            sku,
            SKU,
            category,
            CATEGORY,
            quantity,
            QUANTITY,
            unitPrice,
            UNIT_PRICE,
            discount,
            DISCOUNT,
            totalAmount,
            TOTAL_AMOUNT,
            currency,
            CURRENCY,
            paymentMethod,
            PAYMENT_METHOD,
            eventTime,
            EVENT_TIME);
    if (missing != null) {
      throw ContractJson.refused(DeadLetterReason.MISSING_FIELD, missing + " is missing or null");
    }
    EventType type;
    try {
      type = EventType.valueOf(eventType);
    } catch (IllegalArgumentException e) {
      throw ContractJson.refused(
          DeadLetterReason.UNKNOWN_EVENT_TYPE, "event_type=" + ContractJson.abbreviate(eventType));
    }
    return new PosEvent(
        eventId,
        transactionId,
        lineNumber,
        type,
        storeId,
        registerId,
        cashierId,
        product,
        sku,
        category,
        quantity,
        unitPrice,
        discount,
        totalAmount,
        currency,
        paymentMethod,
        customerId,
        eventTime);
  }

  private static final int F_EVENT_ID = 0;
  private static final int F_TRANSACTION_ID = 1;
  private static final int F_LINE_NUMBER = 2;
  private static final int F_EVENT_TYPE = 3;
  private static final int F_STORE_ID = 4;
  private static final int F_REGISTER_ID = 5;
  private static final int F_CASHIER_ID = 6;
  private static final int F_PRODUCT = 7;
  private static final int F_SKU = 8;
  private static final int F_CATEGORY = 9;
  private static final int F_QUANTITY = 10;
  private static final int F_UNIT_PRICE = 11;
  private static final int F_DISCOUNT = 12;
  private static final int F_TOTAL_AMOUNT = 13;
  private static final int F_CURRENCY = 14;
  private static final int F_PAYMENT_METHOD = 15;
  private static final int F_CUSTOMER_ID = 16;
  private static final int F_EVENT_TIME = 17;

  /** The contract field's index (its bit in the set of fields read), or -1 for another name. */
  private static int fieldIndex(String name) {
    return switch (name) {
      case EVENT_ID -> F_EVENT_ID;
      case TRANSACTION_ID -> F_TRANSACTION_ID;
      case LINE_NUMBER -> F_LINE_NUMBER;
      case EVENT_TYPE -> F_EVENT_TYPE;
      case STORE_ID -> F_STORE_ID;
      case REGISTER_ID -> F_REGISTER_ID;
      case CASHIER_ID -> F_CASHIER_ID;
      case PRODUCT -> F_PRODUCT;
      case SKU -> F_SKU;
      case CATEGORY -> F_CATEGORY;
      case QUANTITY -> F_QUANTITY;
      case UNIT_PRICE -> F_UNIT_PRICE;
      case DISCOUNT -> F_DISCOUNT;
      case TOTAL_AMOUNT -> F_TOTAL_AMOUNT;
      case CURRENCY -> F_CURRENCY;
      case PAYMENT_METHOD -> F_PAYMENT_METHOD;
      case CUSTOMER_ID -> F_CUSTOMER_ID;
      case EVENT_TIME -> F_EVENT_TIME;
      default -> -1;
    };
  }

  private static String firstMissing(Object... valuesAndNames) {
    for (int i = 0; i < valuesAndNames.length; i += 2) {
      Object value = valuesAndNames[i];
      if (value == null || (value instanceof String s && s.isBlank())) {
        return (String) valuesAndNames[i + 1];
      }
    }
    return null;
  }
}
