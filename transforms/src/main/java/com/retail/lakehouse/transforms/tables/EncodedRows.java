package com.retail.lakehouse.transforms.tables;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.values.Row;

/**
 * A batch of rows of one table as one array: each row as its {@link TableRowCoder} encodes it (a
 * length, then the row), back to back, so that batches merge by appending and a row passes from one
 * batch to another without being decoded. The streaming ingest carries its rows this way from the
 * de-duplication's shuffle to the Parquet writers: a row is encoded once, where it is read, and
 * decoded once, where it is written; on Flink's heap state a batch waiting for its window's end is
 * then one object, not ~35 per row.
 *
 * <p>It is also the stream that builds such a batch. Hand-written rather than a {@code
 * ByteArrayOutputStream} because that one locks on every write, and a row's encoding is several
 * writes.
 */
public final class EncodedRows extends OutputStream {
  private byte[] data;
  private int size;

  /** An empty batch with room for about {@code bytes} bytes. */
  public EncodedRows(int bytes) {
    data = new byte[Math.max(64, bytes)];
  }

  /** Appends a row, encoded by {@code coder}. */
  public void add(Row row, TableRowCoder coder) {
    try {
      coder.encode(row, this);
    } catch (IOException e) {
      throw new IllegalStateException("encoding a row into memory failed", e); // never: memory
    }
  }

  /** Appends the one encoded row that starts at {@code from} in {@code batch}. */
  public void addEncoded(byte[] batch, int from, int length) {
    write(batch, from, length);
  }

  /** Appends every row of another batch. */
  public void addAll(byte[] batch) {
    write(batch, 0, batch.length);
  }

  /** Appends a long as 8 bytes (big-endian), for a value that travels with each row. */
  public void writeLong(long value) {
    ensure(8);
    for (int shift = 56; shift >= 0; shift -= 8) {
      data[size++] = (byte) (value >>> shift);
    }
  }

  /** Reads what {@link #writeLong} wrote at {@code at}. */
  public static long readLong(byte[] batch, int at) throws CoderException {
    if (at < 0 || at + 8 > batch.length) {
      throw new CoderException("a batch of encoded rows is cut short");
    }
    long value = 0;
    for (int i = 0; i < 8; i++) {
      value = (value << 8) | (batch[at + i] & 0xFF);
    }
    return value;
  }

  @Override
  public void write(int b) {
    ensure(1);
    data[size++] = (byte) b;
  }

  @Override
  public void write(byte[] b, int off, int len) {
    ensure(len);
    System.arraycopy(b, off, data, size, len);
    size += len;
  }

  private void ensure(int more) {
    if (size + more > data.length) {
      data = Arrays.copyOf(data, Math.max(data.length * 2, size + more));
    }
  }

  /** The bytes written so far. */
  public int size() {
    return size;
  }

  /** The batch as an array of exactly its bytes. */
  public byte[] toByteArray() {
    return Arrays.copyOf(data, size);
  }

  /**
   * The length of the one encoded row that starts at {@code at} in {@code batch}, its length prefix
   * included.
   */
  public static int rowLength(byte[] batch, int at) throws CoderException {
    int pos = at;
    long length = 0;
    for (int shift = 0; ; shift += 7) {
      if (pos >= batch.length || shift > 28) {
        throw new CoderException("a batch of encoded rows is cut short");
      }
      byte b = batch[pos++];
      length |= (long) (b & 0x7F) << shift;
      if (b >= 0) {
        break;
      }
    }
    if (pos + length > batch.length) {
      throw new CoderException("a batch of encoded rows is cut short");
    }
    return (int) (pos - at + length);
  }

  /** How many rows a batch holds. */
  public static int count(byte[] batch) throws CoderException {
    int n = 0;
    for (int pos = 0; pos < batch.length; pos += rowLength(batch, pos)) {
      n++;
    }
    return n;
  }

  /** Where {@link #forEach} puts rows. */
  public interface RowSink {
    void accept(Row row) throws IOException;
  }

  /** Decodes each row of a batch in order and hands it to {@code sink}. */
  public static void forEach(byte[] batch, TableRowCoder coder, RowSink sink) throws IOException {
    for (int pos = 0; pos < batch.length; ) {
      int length = rowLength(batch, pos);
      sink.accept(coder.decode(batch, pos, length));
      pos += length;
    }
  }

  /** The rows of a batch, decoded. */
  public static List<Row> decode(byte[] batch, TableRowCoder coder) throws IOException {
    List<Row> rows = new ArrayList<>();
    forEach(batch, coder, rows::add);
    return rows;
  }
}
