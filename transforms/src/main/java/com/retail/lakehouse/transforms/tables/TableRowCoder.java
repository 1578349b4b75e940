package com.retail.lakehouse.transforms.tables;

import com.retail.lakehouse.transforms.event.PosEventSchema.Field;
import com.retail.lakehouse.transforms.event.PosEventSchema.FieldKind;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.util.VarInt;
import org.apache.beam.sdk.values.Row;
import org.joda.time.ReadableInstant;

/**
 * A compact coder for the rows of one of our tables, used where rows cross a shuffle (the writers'
 * and the de-duplication's). Hand-written because Beam's generated {@code SchemaCoder} showed up in
 * the ingest profile: its {@code BigDecimalCoder} formats a string per money value, and on Flink
 * every field is written to the network buffer a byte at a time. This coder knows the table's seven
 * column kinds, encodes a row into one byte array (money as scale + unscaled long, instants and
 * dates as longs, a null mask up front), writes it with one call, and decodes it into a row without
 * re-checking each value's type.
 */
public final class TableRowCoder extends CustomCoder<Row> {
  /** One encoding buffer per thread, reused: rows are encoded one at a time on a thread. */
  private static final ThreadLocal<Buffer> BUFFER = ThreadLocal.withInitial(Buffer::new);

  private final TableDefinition table;
  private transient FieldKind[] kinds;
  private transient Schema schema;

  private TableRowCoder(TableDefinition table) {
    this.table = table;
  }

  /** The coder of {@code table}'s rows (at most 64 columns). */
  public static TableRowCoder of(TableDefinition table) {
    if (table.fields().size() > 64) {
      throw new IllegalArgumentException(table + " has more than 64 columns");
    }
    return new TableRowCoder(table);
  }

  private FieldKind[] kinds() {
    if (kinds == null) {
      kinds = table.fields().stream().map(Field::kind).toArray(FieldKind[]::new);
      schema = table.beamSchema();
    }
    return kinds;
  }

  @Override
  public void encode(Row row, OutputStream out) throws IOException {
    FieldKind[] k = kinds();
    Buffer buf = BUFFER.get();
    buf.size = 0;
    long nulls = 0;
    for (int i = 0; i < k.length; i++) {
      if (row.getValue(i) == null) {
        nulls |= 1L << i;
      }
    }
    buf.varLong(nulls);
    for (int i = 0; i < k.length; i++) {
      Object v = row.getValue(i);
      if (v == null) {
        continue;
      }
      switch (k[i]) {
        case STRING -> buf.bytes(((String) v).getBytes(StandardCharsets.UTF_8));
        case INT -> buf.varLong((Integer) v);
        case LONG -> buf.varLong((Long) v);
        case BOOLEAN -> buf.varLong((Boolean) v ? 1 : 0);
        case MONEY -> {
          BigDecimal d = (BigDecimal) v;
          BigInteger unscaled = d.unscaledValue();
          buf.varLong(d.scale());
          if (unscaled.bitLength() < 63) {
            buf.varLong(0);
            buf.varLong(unscaled.longValue());
          } else {
            buf.varLong(1);
            buf.bytes(unscaled.toByteArray());
          }
        }
        case DATE -> buf.varLong(((LocalDate) v).toEpochDay());
        case UTC_TIMESTAMP -> buf.varLong(((ReadableInstant) v).getMillis());
      }
    }
    VarInt.encode(buf.size, out);
    out.write(buf.data, 0, buf.size);
  }

  @Override
  public Row decode(InputStream in) throws CoderException, IOException {
    byte[] data = new byte[VarInt.decodeInt(in)];
    new DataInputStream(in).readFully(data);
    return decode(new Reader(data, 0, data.length));
  }

  /**
   * Decodes the one row whose encoding (what {@link #encode} wrote, its length prefix included)
   * takes {@code length} bytes from {@code from} in {@code data}, without copying them first.
   */
  public Row decode(byte[] data, int from, int length) throws CoderException {
    if (from < 0 || length < 1 || from + length > data.length) {
      throw new CoderException("corrupt row encoding");
    }
    Reader prefix = new Reader(data, from, from + length);
    int rowLength = (int) prefix.unsignedVarLong();
    if (prefix.pos + rowLength != from + length) {
      throw new CoderException("corrupt row encoding");
    }
    return decode(new Reader(data, prefix.pos, from + length));
  }

  private Row decode(Reader r) throws CoderException {
    FieldKind[] k = kinds();
    long nulls = r.varLong();
    List<Object> values = new ArrayList<>(k.length);
    for (int i = 0; i < k.length; i++) {
      if ((nulls & (1L << i)) != 0) {
        values.add(null);
        continue;
      }
      values.add(
          switch (k[i]) {
            case STRING -> r.string();
            case INT -> (int) r.varLong();
            case LONG -> r.varLong();
            case BOOLEAN -> r.varLong() == 1;
            case MONEY -> {
              int scale = (int) r.varLong();
              yield r.varLong() == 0
                  ? BigDecimal.valueOf(r.varLong(), scale)
                  : new BigDecimal(new BigInteger(r.bytes()), scale);
            }
            case DATE -> LocalDate.ofEpochDay(r.varLong());
            case UTC_TIMESTAMP -> new org.joda.time.Instant(r.varLong());
          });
    }
    if (r.pos != r.end) {
      throw new CoderException("corrupt row encoding: " + (r.end - r.pos) + " bytes left over");
    }
    return Row.withSchema(schema).attachValues(values);
  }

  @Override
  public void verifyDeterministic() {}

  /** A growable byte array with zig-zag varint writes. */
  private static final class Buffer {
    byte[] data = new byte[1024];
    int size;

    void varLong(long value) {
      long v = (value << 1) ^ (value >> 63); // zig-zag: small negatives stay short
      ensure(10);
      while ((v & ~0x7FL) != 0) {
        data[size++] = (byte) ((v & 0x7F) | 0x80);
        v >>>= 7;
      }
      data[size++] = (byte) v;
    }

    void bytes(byte[] b) {
      varLong(b.length);
      ensure(b.length);
      System.arraycopy(b, 0, data, size, b.length);
      size += b.length;
    }

    private void ensure(int more) {
      if (size + more > data.length) {
        data = Arrays.copyOf(data, Math.max(data.length * 2, size + more));
      }
    }
  }

  /** Reads what {@link Buffer} wrote. */
  private static final class Reader {
    private final byte[] data;
    private final int end;
    private int pos;

    Reader(byte[] data, int from, int end) {
      this.data = data;
      this.pos = from;
      this.end = end;
    }

    private int length() throws CoderException {
      int n = (int) varLong();
      if (n < 0 || pos + n > end) {
        throw new CoderException("corrupt row encoding");
      }
      return n;
    }

    long varLong() throws CoderException {
      long v = unsignedVarLong();
      return (v >>> 1) ^ -(v & 1);
    }

    /** A varint as VarInt writes it (no zig-zag): the row's length prefix. */
    long unsignedVarLong() throws CoderException {
      long v = 0;
      int shift = 0;
      while (true) {
        if (pos >= end || shift > 63) {
          throw new CoderException("corrupt row encoding");
        }
        byte b = data[pos++];
        v |= (long) (b & 0x7F) << shift;
        if (b >= 0) {
          break;
        }
        shift += 7;
      }
      return v;
    }

    String string() throws CoderException {
      int n = length();
      String s = new String(data, pos, n, StandardCharsets.UTF_8);
      pos += n;
      return s;
    }

    byte[] bytes() throws CoderException {
      int n = length();
      byte[] b = Arrays.copyOfRange(data, pos, pos + n);
      pos += n;
      return b;
    }
  }
}
