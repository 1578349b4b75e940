package com.retail.lakehouse.transforms.event;

import static com.retail.lakehouse.transforms.event.PosEventSchema.*;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
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
 *
 * <p>Every message's content is hostile until proved otherwise: a message that made the parser
 * throw, or spend memory or time out of proportion to its size, would stop the ingest, and the next
 * run would read it again. So each value is bounded before anything converts, expands or formats
 * it: a money value has at most {@value #MAX_MONEY_CHARS} characters and, written out, at most
 * {@value PosEventRules#MAX_MONEY_DIGITS} digits before and after the point (so {@code
 * "1e999999999"} is refused before {@code BigDecimal} arithmetic or {@code toPlainString} could
 * expand it to a billion digits); an integer has at most 11 characters before it is converted; a
 * string field has at most {@value #MAX_STRING_CHARS} characters; the event object has at most
 * {@value #MAX_FIELDS} fields, nested values at most {@value #MAX_NESTING_DEPTH} levels, and no
 * field of the contract twice. Each violation is a {@link Rejection} with its reason; nothing here
 * is slower than linear in the payload's size.
 */
public final class PosEventJson {
  /** Longest text of a money value (string or number) that is converted to a decimal. */
  public static final int MAX_MONEY_CHARS = 40;

  /** Longest value of a string field of the contract. */
  public static final int MAX_STRING_CHARS = 1024;

  /** Most fields in the event object (the contract has 18; the rest are tolerated extras). */
  public static final int MAX_FIELDS = 256;

  /** Deepest nesting of arrays and objects, counting the event object as 1. */
  public static final int MAX_NESTING_DEPTH = 64;

  /** Longest text of an int field (a sign and 10 digits). */
  private static final int MAX_INT_CHARS = 11;

  /** Longest event_time text worth handing to java.time (its messages quote the whole text). */
  private static final int MAX_TIME_CHARS = 64;

  private static final JsonFactory FACTORY =
      JsonFactory.builder()
          // Numbers are scanned in linear time; only their conversion can cost more, and each
          // field bounds its number's length before converting it. An unknown field's number is
          // skipped without conversion.
          .streamReadConstraints(
              StreamReadConstraints.builder()
                  .maxNestingDepth(MAX_NESTING_DEPTH)
                  .maxNumberLength(Integer.MAX_VALUE)
                  .build())
          // Keep the parser strict but cheap: no interning of field names we switch on anyway.
          .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
          .build();
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
    String notUtf8Json = notUtf8JsonText(payload);
    if (notUtf8Json != null) {
      return reject(DeadLetterReason.NOT_JSON, notUtf8Json);
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
    } catch (Refused e) {
      return reject(e.reason, oneLine(e.getOriginalMessage()));
    } catch (JsonEOFException e) {
      return reject(DeadLetterReason.TRUNCATED_JSON, oneLine(e.getOriginalMessage()));
    } catch (StreamConstraintsException e) {
      return reject(DeadLetterReason.LIMIT_EXCEEDED, oneLine(e.getOriginalMessage()));
    } catch (JsonProcessingException e) {
      return reject(DeadLetterReason.NOT_JSON, oneLine(e.getOriginalMessage()));
    } catch (IOException e) {
      return reject(DeadLetterReason.NOT_JSON, oneLine(e.getMessage()));
    } catch (IllegalStateException e) {
      // Jackson's field-name table refuses names crafted to collide in its hash (a DoS guard).
      return reject(DeadLetterReason.LIMIT_EXCEEDED, oneLine(e.getMessage()));
    }
  }

  /**
   * Why valid UTF-8 bytes are still not the UTF-8 JSON text the contract names, or null. Jackson
   * would skip a byte order mark and read UTF-16 or UTF-32 (told by NUL bytes among the first four)
   * as JSON; RFC 8259 has JSON between systems in UTF-8 without a byte order mark.
   */
  private static String notUtf8JsonText(byte[] payload) {
    if (payload.length >= 3
        && payload[0] == (byte) 0xEF
        && payload[1] == (byte) 0xBB
        && payload[2] == (byte) 0xBF) {
      return "starts with a byte order mark (U+FEFF): the contract's JSON is UTF-8 without one";
    }
    for (int i = 0, n = Math.min(4, payload.length); i < n; i++) {
      if (payload[i] == 0) {
        return "NUL byte at offset " + i + " (UTF-16 or UTF-32 text?): not UTF-8 JSON";
      }
    }
    return null;
  }

  private static Parsed readObject(JsonParser p) throws IOException {
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
      if (++fields > MAX_FIELDS) {
        throw new Refused(
            DeadLetterReason.LIMIT_EXCEEDED,
            "the event object has more than " + MAX_FIELDS + " fields");
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
        throw new Refused(
            DeadLetterReason.DUPLICATE_FIELD, name + " appears more than once in the event");
      }
      seen |= bit;
      if (value == JsonToken.VALUE_NULL) {
        continue;
      }
      switch (field) {
        case F_EVENT_ID -> eventId = text(p, name);
        case F_TRANSACTION_ID -> transactionId = text(p, name);
        case F_LINE_NUMBER -> lineNumber = integer(p, name);
        case F_EVENT_TYPE -> eventType = text(p, name);
        case F_STORE_ID -> storeId = text(p, name);
        case F_REGISTER_ID -> registerId = text(p, name);
        case F_CASHIER_ID -> cashierId = text(p, name);
        case F_PRODUCT -> product = text(p, name);
        case F_SKU -> sku = text(p, name);
        case F_CATEGORY -> category = text(p, name);
        case F_QUANTITY -> quantity = integer(p, name);
        case F_UNIT_PRICE -> unitPrice = money(p, name);
        case F_DISCOUNT -> discount = money(p, name);
        case F_TOTAL_AMOUNT -> totalAmount = money(p, name);
        case F_CURRENCY -> currency = text(p, name);
        case F_PAYMENT_METHOD -> paymentMethod = text(p, name);
        case F_CUSTOMER_ID -> customerId = text(p, name);
        default -> eventTime = timestamp(p, name); // F_EVENT_TIME
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

  private static String text(JsonParser p, String field) throws IOException {
    if (p.currentToken() != JsonToken.VALUE_STRING) {
      throw wrongType(field, "a string", p.currentToken());
    }
    int length = p.getTextLength();
    if (length > MAX_STRING_CHARS) {
      throw new Refused(
          DeadLetterReason.LIMIT_EXCEEDED,
          field + " has " + length + " characters, more than " + MAX_STRING_CHARS);
    }
    return p.getText();
  }

  private static int integer(JsonParser p, String field) throws IOException {
    // The length bound comes first: an int has at most 11 characters, and converting a number of
    // a million digits (to learn that it is not an int) would take time quadratic in its length.
    if (p.currentToken() != JsonToken.VALUE_NUMBER_INT
        || p.getTextLength() > MAX_INT_CHARS
        || p.getNumberType() != JsonParser.NumberType.INT) {
      throw wrongType(field, "a 32-bit integer", p.currentToken());
    }
    return p.getIntValue();
  }

  /**
   * A money value, a JSON string (surrounding blanks ignored) or number, read exactly; its text is
   * converted only if it is short enough, and the decimal is kept only if its exponent is within
   * bounds: beyond them it is AMOUNT_OUT_OF_RANGE before any arithmetic or formatting sees it.
   */
  private static BigDecimal money(JsonParser p, String field) throws IOException {
    JsonToken token = p.currentToken();
    if (token != JsonToken.VALUE_STRING
        && token != JsonToken.VALUE_NUMBER_INT
        && token != JsonToken.VALUE_NUMBER_FLOAT) {
      throw wrongType(field, "a decimal", token);
    }
    char[] chars = p.getTextCharacters();
    int from = p.getTextOffset();
    int to = from + p.getTextLength();
    while (from < to && chars[from] <= ' ') {
      from++;
    }
    while (to > from && chars[to - 1] <= ' ') {
      to--;
    }
    if (to - from > MAX_MONEY_CHARS) {
      throw new Refused(
          DeadLetterReason.AMOUNT_OUT_OF_RANGE,
          field
              + " has "
              + (to - from)
              + " characters, more than the "
              + MAX_MONEY_CHARS
              + " a decimal(12,2) value may take");
    }
    BigDecimal value;
    try {
      value = new BigDecimal(chars, from, to - from);
    } catch (NumberFormatException e) {
      if (isDecimalSyntax(chars, from, to)) { // a decimal whose exponent overflows an int
        throw new Refused(
            DeadLetterReason.AMOUNT_OUT_OF_RANGE,
            field + "=" + new String(chars, from, to - from) + " is out of range");
      }
      throw wrongType(field, "a decimal", token);
    }
    if (!PosEventRules.isWithinDigitBounds(value)) {
      throw new Refused(
          DeadLetterReason.AMOUNT_OUT_OF_RANGE,
          field
              + "="
              + new String(chars, from, to - from)
              + " has more than "
              + PosEventRules.MAX_MONEY_DIGITS
              + " digits before or after the point");
    }
    return value;
  }

  /** Whether the text is a decimal in BigDecimal's syntax (digits, point, exponent). */
  private static boolean isDecimalSyntax(char[] t, int from, int to) {
    int i = from;
    if (i < to && (t[i] == '+' || t[i] == '-')) {
      i++;
    }
    int mantissaDigits = 0;
    while (i < to && (Character.isDigit(t[i]) || t[i] == '.')) {
      mantissaDigits += t[i] == '.' ? 0 : 1;
      i++;
    }
    if (mantissaDigits == 0 || i == to || (t[i] != 'e' && t[i] != 'E')) {
      return false;
    }
    i++;
    if (i < to && (t[i] == '+' || t[i] == '-')) {
      i++;
    }
    int exponentStart = i;
    while (i < to && Character.isDigit(t[i])) {
      i++;
    }
    return i == to && i > exponentStart;
  }

  private static Instant timestamp(JsonParser p, String field) throws IOException {
    if (p.currentToken() == JsonToken.VALUE_STRING) {
      Instant wireFormat =
          parseWireFormat(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
      if (wireFormat != null) {
        return wireFormat;
      }
      if (p.getTextLength() > MAX_TIME_CHARS) {
        throw wrongType(field, "an ISO-8601 UTC timestamp", p.currentToken());
      }
    }
    String text = text(p, field);
    try {
      return Instant.parse(text).truncatedTo(ChronoUnit.MILLIS);
    } catch (DateTimeParseException e) {
      try {
        return OffsetDateTime.parse(text).toInstant().truncatedTo(ChronoUnit.MILLIS);
      } catch (DateTimeParseException e2) {
        throw wrongType(field, "an ISO-8601 UTC timestamp", p.currentToken());
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

  private static Refused wrongType(String field, String expected, JsonToken actual) {
    return new Refused(
        DeadLetterReason.WRONG_TYPE, field + " must be " + expected + ", got " + actual);
  }

  /**
   * A field the contract refuses, with the reason; thrown out of the parser's loop and turned into
   * the rejection. Without a stack trace: a flood of bad messages costs no more than good ones.
   */
  private static final class Refused extends JsonProcessingException {
    final DeadLetterReason reason;

    Refused(DeadLetterReason reason, String message) {
      super(message);
      this.reason = reason;
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this;
    }
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
