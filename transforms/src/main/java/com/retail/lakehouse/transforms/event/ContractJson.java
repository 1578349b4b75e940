package com.retail.lakehouse.transforms.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.retail.lakehouse.transforms.event.PosEventSchema.Field;
import java.io.IOException;
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
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON wire format every event contract shares: one flat object per event, money as decimal
 * strings, timestamps as ISO-8601 UTC. Parsing uses Jackson's streaming parser (no tree, no
 * reflection) because it runs once per Kafka message on the ingest hot path. {@link #readFields}
 * reads any contract's object from its list of fields; {@link PosEventJson} reads the POS object
 * with a loop of its own over the same value readers (the POS stream is the hottest path, and its
 * loop fills a typed event without an array in between).
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
public final class ContractJson {
  /** Longest text of a money value (string or number) that is converted to a decimal. */
  public static final int MAX_MONEY_CHARS = 40;

  /** Longest value of a string field of the contract. */
  public static final int MAX_STRING_CHARS = 1024;

  /** Most fields in the event object (beyond the contract's, tolerated extras). */
  public static final int MAX_FIELDS = 256;

  /** Deepest nesting of arrays and objects, counting the event object as 1. */
  public static final int MAX_NESTING_DEPTH = 64;

  /** Longest text of an int field (a sign and 10 digits). */
  private static final int MAX_INT_CHARS = 11;

  /** Longest timestamp text worth handing to java.time (its messages quote the whole text). */
  private static final int MAX_TIME_CHARS = 64;

  static final JsonFactory FACTORY =
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

  private ContractJson() {}

  /** The outcome of parsing one message: a value, or the reason it is not one. */
  public record Result<T>(T value, Rejection rejection) {
    public boolean isValid() {
      return rejection == null;
    }
  }

  /**
   * Reads the event object's fields, the parser standing on its START_OBJECT, and leaves it on the
   * object's END_OBJECT. Refuses a message by throwing {@link #refused}.
   */
  @FunctionalInterface
  public interface ObjectReader<T> {
    T read(JsonParser p) throws IOException;
  }

  /**
   * Parses one message. Never throws: every failure becomes a {@link Rejection} whose reason says
   * which kind of failure it was (empty, too large, not UTF-8, not JSON, truncated, wrong
   * types...).
   */
  public static <T> Result<T> parse(byte[] payload, int maxPayloadBytes, ObjectReader<T> reader) {
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
      T value = reader.read(p);
      if (p.nextToken() != null) {
        return reject(DeadLetterReason.NOT_JSON, "trailing content after the event object");
      }
      return new Result<>(value, null);
    } catch (Refused e) {
      return reject(e.reason, oneLine(e.getOriginalMessage()));
    } catch (JsonEOFException e) {
      return reject(DeadLetterReason.TRUNCATED_JSON, oneLine(e.getOriginalMessage()));
    } catch (StreamConstraintsException e) {
      return reject(DeadLetterReason.LIMIT_EXCEEDED, oneLine(e.getOriginalMessage()));
    } catch (JsonProcessingException e) {
      // Jackson raises some cuts as plain parse errors, e.g. after the comma between two entries
      // ("Unexpected end-of-input within/between Object entries"): the input ended, so truncated.
      String message = e.getOriginalMessage();
      return reject(
          message != null && message.startsWith("Unexpected end-of-input")
              ? DeadLetterReason.TRUNCATED_JSON
              : DeadLetterReason.NOT_JSON,
          oneLine(message));
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

  /**
   * The values of a contract's {@code fields} in their order (null where absent or JSON null), the
   * parser standing on the object's START_OBJECT; leaves it on END_OBJECT. Unknown fields are
   * skipped (forward compatibility); a field of the contract given twice, more than {@value
   * #MAX_FIELDS} fields, a value of the wrong type and an absent required field are refused.
   */
  public static Object[] readFields(JsonParser p, Fields fields) throws IOException {
    Object[] values = new Object[fields.size()];
    boolean[] seen = new boolean[fields.size()];
    JsonToken token;
    int count = 0;
    while ((token = p.nextToken()) == JsonToken.FIELD_NAME) {
      if (++count > MAX_FIELDS) {
        throw new Refused(
            DeadLetterReason.LIMIT_EXCEEDED,
            "the event object has more than " + MAX_FIELDS + " fields");
      }
      String name = p.currentName();
      int field = fields.index(name);
      JsonToken value = p.nextToken();
      if (field < 0) {
        p.skipChildren();
        continue;
      }
      if (seen[field]) {
        throw new Refused(
            DeadLetterReason.DUPLICATE_FIELD, name + " appears more than once in the event");
      }
      seen[field] = true;
      if (value == JsonToken.VALUE_NULL) {
        continue;
      }
      values[field] =
          switch (fields.get(field).kind()) {
            case STRING -> text(p, name);
            case INT -> integer(p, name);
            case MONEY -> money(p, name);
            case UTC_TIMESTAMP -> timestamp(p, name);
            default ->
                throw new IllegalArgumentException(
                    "a contract's JSON field cannot be of kind " + fields.get(field).kind());
          };
    }
    if (token != JsonToken.END_OBJECT) {
      throw new Refused(DeadLetterReason.NOT_JSON, "unexpected " + token + " in the event object");
    }
    for (int f = 0; f < values.length; f++) {
      Object v = values[f];
      if (fields.get(f).required() && (v == null || (v instanceof String t && t.isBlank()))) {
        throw new Refused(
            DeadLetterReason.MISSING_FIELD, fields.get(f).name() + " is missing or null");
      }
    }
    return values;
  }

  /** A contract's wire fields with their names indexed once (for {@link #readFields}). */
  public static final class Fields implements java.io.Serializable {
    private final List<Field> fields;
    private final Map<String, Integer> index = new HashMap<>();

    public Fields(List<Field> fields) {
      if (fields == null || fields.isEmpty()) {
        throw new IllegalArgumentException("a contract needs at least one field");
      }
      this.fields = List.copyOf(fields);
      for (int i = 0; i < this.fields.size(); i++) {
        if (index.put(this.fields.get(i).name(), i) != null) {
          throw new IllegalArgumentException("field " + this.fields.get(i).name() + " twice");
        }
      }
    }

    int index(String name) {
      Integer i = index.get(name);
      return i == null ? -1 : i;
    }

    Field get(int i) {
      return fields.get(i);
    }

    int size() {
      return fields.size();
    }
  }

  /** A string field's value, at most {@value #MAX_STRING_CHARS} characters. */
  public static String text(JsonParser p, String field) throws IOException {
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

  /** A 32-bit integer field's value (at most 11 characters, converted only then). */
  public static int integer(JsonParser p, String field) throws IOException {
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
  public static BigDecimal money(JsonParser p, String field) throws IOException {
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

  /** An ISO-8601 UTC timestamp, truncated to milliseconds. */
  public static Instant timestamp(JsonParser p, String field) throws IOException {
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
  public static Instant parseWireFormat(String text) {
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

  private static <T> Result<T> reject(DeadLetterReason reason, String message) {
    return new Result<>(null, Rejection.of(reason, message));
  }

  /**
   * A refusal for an {@link ObjectReader} to throw: the message becomes a dead letter with this
   * reason. Carries no stack trace: a flood of bad messages costs no more than good ones.
   */
  public static JsonProcessingException refused(DeadLetterReason reason, String message) {
    return new Refused(reason, message);
  }

  static Refused wrongType(String field, String expected, JsonToken actual) {
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

  /** At most 40 characters of a value, for a rejection's message. */
  public static String abbreviate(String s) {
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
