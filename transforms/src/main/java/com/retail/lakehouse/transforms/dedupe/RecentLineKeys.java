package com.retail.lakehouse.transforms.dedupe;

import com.retail.lakehouse.transforms.contract.LineKey;
import com.retail.lakehouse.transforms.contract.PosContract;
import com.retail.lakehouse.transforms.tables.RawTable;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.hash.Hashing;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;

/**
 * The sale lines the raw table received within the de-duplication horizon, as sorted 64-bit hashes
 * of their (transaction_id, line_number) keys: what lets a run drop a re-sent line whose first copy
 * an earlier run already committed. Loaded once per run with a scan that reads only the two key
 * columns of files whose ingest_time range overlaps the horizon.
 */
public final class RecentLineKeys implements Serializable {
  private final LineKey key;
  private final long[] sortedHashes;

  private RecentLineKeys(LineKey key, long[] sortedHashes) {
    this.key = key;
    this.sortedHashes = sortedHashes;
  }

  /** No POS keys: the first run, or de-duplication across runs switched off. */
  public static RecentLineKeys none() {
    return none(PosContract.LINE_KEY);
  }

  /** No keys of a contract's line key. */
  public static RecentLineKeys none(LineKey key) {
    return new RecentLineKeys(key, new long[0]);
  }

  /** POS keys of raw rows ingested at or after {@code now - horizon}. */
  public static RecentLineKeys load(Table raw, Duration horizon, Instant now) {
    return load(raw, PosContract.LINE_KEY, horizon, now);
  }

  /** Keys of raw rows ingested at or after {@code now - horizon}. */
  public static RecentLineKeys load(Table raw, LineKey key, Duration horizon, Instant now) {
    raw.refresh();
    if (raw.currentSnapshot() == null || horizon.isZero()) {
      return none(key);
    }
    LocalDateTime since = LocalDateTime.ofInstant(now.minus(horizon), ZoneOffset.UTC);
    long micros = ChronoUnit.MICROS.between(LocalDateTime.of(1970, 1, 1, 0, 0), since);
    long[] hashes = new long[1024];
    int n = 0;
    try (CloseableIterable<Record> rows =
        IcebergGenerics.read(raw)
            .where(Expressions.greaterThanOrEqual(RawTable.INGEST_TIME, micros))
            .select(selected(key))
            .build()) {
      for (Record r : rows) {
        if (n == hashes.length) {
          hashes = Arrays.copyOf(hashes, n * 2);
        }
        Object line = key.lineField() == null ? null : r.getField(key.lineField());
        hashes[n++] = hash((String) r.getField(key.idField()), line == null ? 0 : (Integer) line);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Reading recent line keys of " + raw.name() + " failed", e);
    }
    long[] sorted = Arrays.copyOf(hashes, n);
    Arrays.sort(sorted);
    return new RecentLineKeys(key, sorted);
  }

  private static java.util.List<String> selected(LineKey key) {
    return key.lineField() == null
        ? java.util.List.of(key.idField(), RawTable.INGEST_TIME)
        : java.util.List.of(key.idField(), key.lineField(), RawTable.INGEST_TIME);
  }

  /** The line key these keys are of. */
  public LineKey key() {
    return key;
  }

  /** Whether a row's line was committed within the horizon. */
  public boolean contains(org.apache.beam.sdk.values.Row row) {
    return sortedHashes.length > 0 && contains(key.id(row), key.line(row));
  }

  /** How many keys are held. */
  public int size() {
    return sortedHashes.length;
  }

  /** Whether a line with this key was committed within the horizon. */
  public boolean contains(String transactionId, int lineNumber) {
    return sortedHashes.length > 0
        && Arrays.binarySearch(sortedHashes, hash(transactionId, lineNumber)) >= 0;
  }

  static long hash(String transactionId, int lineNumber) {
    return Hashing.murmur3_128()
        .newHasher()
        .putString(transactionId, StandardCharsets.UTF_8)
        .putInt(lineNumber)
        .hash()
        .asLong();
  }
}
