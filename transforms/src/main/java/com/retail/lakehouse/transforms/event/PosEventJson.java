package com.retail.lakehouse.transforms.event;

import static com.retail.lakehouse.transforms.event.PosEventSchema.*;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonEOFException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/**
 * The event's JSON wire format: one flat object per sale line, money as decimal strings, event_time
 * as ISO-8601 UTC with milliseconds. Parsing uses Jackson's streaming parser (no tree, no
 * reflection) because it runs once per Kafka message on the ingest hot path.
 */
public final class PosEventJson {
  private static final JsonFactory FACTORY = new JsonFactory();
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
    try (JsonGenerator g = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
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
   * Parses one message. Never throws: every failure becomes a {@link Rejection} whose reason says
   * which kind of failure it was (empty, too large, not UTF-8, not JSON, truncated, wrong
   * types...).
   */
  public static Parsed parse(byte[] payload, int maxPayloadBytes) {
    if (payload == null || payload.length == 0) {
      return reject(DeadLetterReason.EMPTY_PAYLOAD, "0 bytes");
    }
    if (payload.length > maxPayloadBytes) {
      return reject(
          DeadLetterReason.PAYLOAD_TOO_LARGE,
          payload.length + " bytes > limit of " + maxPayloadBytes + " bytes");
    }
    if (!isUtf8(payload)) {
      return reject(DeadLetterReason.INVALID_UTF8, "malformed UTF-8 byte sequence");
    }
    try (JsonParser p = FACTORY.createParser(payload)) {
      JsonToken first = p.nextToken();
      if (first != JsonToken.START_OBJECT) {
        return reject(DeadLetterReason.NOT_AN_OBJECT, "JSON value starts with " + first);
      }
      Parsed parsed = readObject(p);
      if (parsed.isValid() && p.nextToken() != null) {
        return reject(DeadLetterReason.NOT_JSON, "trailing content after the event object");
      }
      return parsed;
    } catch (WrongType e) {
      return reject(DeadLetterReason.WRONG_TYPE, oneLine(e.getOriginalMessage()));
    } catch (JsonEOFException e) {
      return reject(DeadLetterReason.TRUNCATED_JSON, oneLine(e.getOriginalMessage()));
    } catch (JsonProcessingException e) {
      return reject(DeadLetterReason.NOT_JSON, oneLine(e.getOriginalMessage()));
    } catch (IOException e) {
      return reject(DeadLetterReason.NOT_JSON, oneLine(e.getMessage()));
    }
  }

  private static Parsed readObject(JsonParser p) throws IOException {
    String eventId = null, transactionId = null, eventType = null, storeId = null;
    String registerId = null, cashierId = null, product = null, sku = null, category = null;
    String currency = null, paymentMethod = null, customerId = null;
    Integer lineNumber = null, quantity = null;
    BigDecimal unitPrice = null, discount = null, totalAmount = null;
    Instant eventTime = null;
    JsonToken token;
    while ((token = p.nextToken()) == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken value = p.nextToken();
      if (value == JsonToken.VALUE_NULL) {
        continue;
      }
      switch (name) {
        case EVENT_ID -> eventId = text(p, name);
        case TRANSACTION_ID -> transactionId = text(p, name);
        case LINE_NUMBER -> lineNumber = integer(p, name);
        case EVENT_TYPE -> eventType = text(p, name);
        case STORE_ID -> storeId = text(p, name);
        case REGISTER_ID -> registerId = text(p, name);
        case CASHIER_ID -> cashierId = text(p, name);
        case PRODUCT -> product = text(p, name);
        case SKU -> sku = text(p, name);
        case CATEGORY -> category = text(p, name);
        case QUANTITY -> quantity = integer(p, name);
        case UNIT_PRICE -> unitPrice = money(p, name);
        case DISCOUNT -> discount = money(p, name);
        case TOTAL_AMOUNT -> totalAmount = money(p, name);
        case CURRENCY -> currency = text(p, name);
        case PAYMENT_METHOD -> paymentMethod = text(p, name);
        case CUSTOMER_ID -> customerId = text(p, name);
        case EVENT_TIME -> eventTime = timestamp(p, name);
        default -> p.skipChildren(); // unknown fields are tolerated for forward compatibility
      }
    }
    if (token != JsonToken.END_OBJECT) {
      return reject(DeadLetterReason.NOT_JSON, "unexpected " + token + " in the event object");
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
      return reject(DeadLetterReason.MISSING_FIELD, missing + " is missing or null");
    }
    EventType type;
    try {
      type = EventType.valueOf(eventType);
    } catch (IllegalArgumentException e) {
      return reject(DeadLetterReason.UNKNOWN_EVENT_TYPE, "event_type=" + abbreviate(eventType));
    }
    return new Parsed(
        new PosEvent(
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
            eventTime),
        null);
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

  private static String text(JsonParser p, String field) throws IOException {
    if (p.currentToken() != JsonToken.VALUE_STRING) {
      throw new WrongType(field, "a string", p.currentToken());
    }
    return p.getText();
  }

  private static int integer(JsonParser p, String field) throws IOException {
    if (p.currentToken() != JsonToken.VALUE_NUMBER_INT
        || p.getNumberType() != JsonParser.NumberType.INT) {
      throw new WrongType(field, "a 32-bit integer", p.currentToken());
    }
    return p.getIntValue();
  }

  private static BigDecimal money(JsonParser p, String field) throws IOException {
    try {
      return switch (p.currentToken()) {
        case VALUE_STRING -> decimalOfText(p);
        case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> p.getDecimalValue();
        default -> throw new WrongType(field, "a decimal", p.currentToken());
      };
    } catch (NumberFormatException e) {
      throw new WrongType(field, "a decimal", p.currentToken());
    }
  }

  /** The current string token as a decimal, surrounding blanks ignored, without a String. */
  private static BigDecimal decimalOfText(JsonParser p) throws IOException {
    char[] chars = p.getTextCharacters();
    int from = p.getTextOffset();
    int to = from + p.getTextLength();
    while (from < to && chars[from] <= ' ') {
      from++;
    }
    while (to > from && chars[to - 1] <= ' ') {
      to--;
    }
    return new BigDecimal(chars, from, to - from);
  }

  private static Instant timestamp(JsonParser p, String field) throws IOException {
    if (p.currentToken() == JsonToken.VALUE_STRING) {
      Instant wireFormat =
          parseWireFormat(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
      if (wireFormat != null) {
        return wireFormat;
      }
    }
    String text = text(p, field);
    try {
      return Instant.parse(text).truncatedTo(ChronoUnit.MILLIS);
    } catch (DateTimeParseException e) {
      try {
        return OffsetDateTime.parse(text).toInstant().truncatedTo(ChronoUnit.MILLIS);
      } catch (DateTimeParseException e2) {
        throw new WrongType(field, "an ISO-8601 UTC timestamp", p.currentToken());
      }
    }
  }

  /**
   * The producers' own format, {@code yyyy-MM-ddTHH:mm:ss.SSSZ}, read digit by digit; null for any
   * other text, which then goes through java.time's general ISO-8601 parser. Hand-written because
   * {@code Instant.parse} took a third of the JSON parsing time in the ingest profile.
   */
  static Instant parseWireFormat(String text) {
    return parseWireFormat(text.toCharArray(), 0, text.length());
  }

  /** {@link #parseWireFormat(String)} of {@code length} characters at {@code offset}. */
  static Instant parseWireFormat(char[] t, int offset, int length) {
    int o = offset;
    if (length != 24
        || t[o + 4] != '-'
        || t[o + 7] != '-'
        || t[o + 10] != 'T'
        || t[o + 13] != ':'
        || t[o + 16] != ':'
        || t[o + 19] != '.'
        || t[o + 23] != 'Z') {
      return null;
    }
    int year = digits(t, o, 4);
    int month = digits(t, o + 5, 2);
    int day = digits(t, o + 8, 2);
    int hour = digits(t, o + 11, 2);
    int minute = digits(t, o + 14, 2);
    int second = digits(t, o + 17, 2);
    int millis = digits(t, o + 20, 3);
    if ((year | month | day | hour | minute | second | millis) < 0) {
      return null;
    }
    try {
      // LocalDateTime.of checks every field's range (and the day against the month).
      return LocalDateTime.of(year, month, day, hour, minute, second, millis * 1_000_000)
          .toInstant(ZoneOffset.UTC);
    } catch (java.time.DateTimeException e) {
      return null;
    }
  }

  /** The decimal number of {@code count} digits at {@code from}, or -1 if one is not a digit. */
  private static int digits(char[] t, int from, int count) {
    int n = 0;
    for (int i = from; i < from + count; i++) {
      int d = t[i] - '0';
      if (d < 0 || d > 9) {
        return -1;
      }
      n = n * 10 + d;
    }
    return n;
  }

  private static Parsed reject(DeadLetterReason reason, String message) {
    return new Parsed(null, Rejection.of(reason, message));
  }

  /** A field whose JSON type or format is not the contract's; becomes a WRONG_TYPE rejection. */
  private static final class WrongType extends JsonProcessingException {
    WrongType(String field, String expected, JsonToken actual) {
      super(field + " must be " + expected + ", got " + actual);
    }
  }

  static {
    // Keep the parser strict but cheap: no interning of field names we switch on anyway.
    FACTORY.disable(JsonFactory.Feature.INTERN_FIELD_NAMES);
  }

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private static boolean isUtf8(byte[] bytes) {
    // ASCII (all events of the contract, as sent) is checked 8 bytes at a time.
    int i = 0;
    for (; i + 8 <= bytes.length; i += 8) {
      if (((long) LONGS.get(bytes, i) & 0x8080808080808080L) != 0) {
        return strictUtf8(bytes);
      }
    }
    for (; i < bytes.length; i++) {
      if (bytes[i] < 0) {
        return strictUtf8(bytes);
      }
    }
    return true;
  }

  private static boolean strictUtf8(byte[] bytes) {
    try {
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }

  private static String oneLine(String s) {
    if (s == null) {
      return "";
    }
    String line = s.replace('\n', ' ').replace('\r', ' ');
    return line.length() <= 200 ? line : line.substring(0, 200) + "...";
  }
}
