package com.retail.lakehouse.transforms.dedupe;

import com.retail.lakehouse.transforms.contract.LineKey;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import com.retail.lakehouse.transforms.tables.RawTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.hash.Hashing;
import org.apache.iceberg.DataOperations;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.types.Conversions;
import org.apache.iceberg.types.Types;

/**
 * The line keys a raw table committed within a horizon, kept once per JVM and brought up to date
 * incrementally: each run reads the key columns of only the data files it has not read before, and
 * keys leave in time buckets as their files' newest ingest_time falls behind the horizon. A run's
 * cost is therefore proportional to the rows committed since the last run, whatever the cadence,
 * and memory to the lines of one horizon: about 12 bytes a line (a 64-bit hash and a one-byte time
 * bucket per slot, at most 75% full), shared by every DoFn of the JVM.
 *
 * <p>Keys are 64-bit murmur3 hashes of (id, line): the chance that a new line is taken for a
 * committed one is the number of keys held over 2^64 (about 2e-12 for 36 million keys).
 *
 * <p>A key is kept for at least the horizon: a file's keys stay as long as its newest row is within
 * it, so a key may be kept up to one bucket (an eighth of the horizon) plus a file's time span
 * longer. Dropping a copy of a line committed a little earlier is still dropping a duplicate.
 *
 * <p>Hand-written because no library served here has a primitive long set with time-bucketed
 * eviction; a {@code HashSet<Long>} costs about 50 bytes a key.
 */
final class LineKeyIndex {
  /** Indexes kept per JVM: one per (catalog, table, key); the least recently used one leaves. */
  private static final int MAX_INDEXES = 4;

  private static final Map<Id, LineKeyIndex> INDEXES =
      new LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Id, LineKeyIndex> eldest) {
          return size() > MAX_INDEXES;
        }
      };

  /** Buckets per horizon; a bucket's keys leave together. */
  static final int BUCKETS_PER_HORIZON = 8;

  private static final int SEGMENTS = 16; // top 4 bits of the hash; rebuilt one at a time

  private final LineKey key;
  private final AtomicReferenceArray<Segment> segments = new AtomicReferenceArray<>(SEGMENTS);
  private final Set<String> filesRead = new HashSet<>();
  private String tableUuid;
  private long snapshotId = -1;
  private long bucketMicros = -1;
  private long lowestBucket = Long.MIN_VALUE;
  private long lastFilesRead;
  private long lastKeysAdded;

  private LineKeyIndex(LineKey key) {
    this.key = key;
    clear();
  }

  /** The JVM's index of a table's line keys. */
  static LineKeyIndex of(CatalogSettings catalog, TableIdentifier table, LineKey key) {
    synchronized (INDEXES) {
      return INDEXES.computeIfAbsent(new Id(catalog, table, key), id -> new LineKeyIndex(key));
    }
  }

  /** The JVM's index of a table's line keys if one was opened, else null. */
  static LineKeyIndex existing(CatalogSettings catalog, TableIdentifier table, LineKey key) {
    synchronized (INDEXES) {
      return INDEXES.get(new Id(catalog, table, key));
    }
  }

  private record Id(CatalogSettings catalog, TableIdentifier table, LineKey key) {}

  /**
   * Brings the index to the keys of {@code table}'s snapshot {@code snapshotId} within the horizon
   * that starts at {@code sinceMicros} (ingest_time, UTC microseconds): reads the files not read
   * before, forgets buckets that left the horizon.
   */
  synchronized void advance(Table table, long snapshotId, long sinceMicros, long horizonMicros) {
    String uuid = table.uuid() == null ? table.name() : table.uuid().toString();
    long width = Math.max(1, horizonMicros / BUCKETS_PER_HORIZON);
    if (!uuid.equals(tableUuid) || width != bucketMicros) {
      clear(); // another table under the same name, or another horizon
      tableUuid = uuid;
      bucketMicros = width;
    }
    long lowest = Math.floorDiv(sinceMicros, width);
    if (this.snapshotId != -1 && !onlyAppendedSince(table, snapshotId)) {
      clear(); // rolled back, or rows deleted: start again from the table
    }
    if (lowestBucket != Long.MIN_VALUE && lowest - lowestBucket > 64) {
      clear(); // every key held is older than the horizon (and its byte bucket could wrap)
    }
    if (lowest > lowestBucket) {
      lowestBucket = lowest;
      for (int s = 0; s < SEGMENTS; s++) {
        segments.set(s, segments.get(s).withoutBucketsBefore(lowest));
      }
    }
    if (snapshotId == this.snapshotId) {
      lastFilesRead = 0;
      lastKeysAdded = 0;
      return;
    }
    Types.NestedField ingestTime = table.schema().findField(RawTable.INGEST_TIME);
    Schema keys = table.schema().select(columns());
    Set<String> planned = new HashSet<>();
    long files = 0;
    long added = 0;
    try (CloseableIterable<FileScanTask> tasks =
        table
            .newScan()
            .useSnapshot(snapshotId)
            .filter(Expressions.greaterThanOrEqual(RawTable.INGEST_TIME, sinceMicros))
            .includeColumnStats() // a file's newest ingest_time picks its keys' bucket
            .planFiles()) {
      for (FileScanTask task : tasks) {
        String path = task.file().path().toString();
        planned.add(path);
        if (filesRead.contains(path)) {
          continue;
        }
        long newest = newestIngestTime(task, ingestTime, sinceMicros, horizonMicros);
        byte bucket = (byte) Math.floorDiv(newest, width);
        added += readKeys(table, task, keys, bucket);
        files++;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Planning the recent line keys of " + table.name(), e);
    }
    filesRead.retainAll(planned);
    filesRead.addAll(planned);
    this.snapshotId = snapshotId;
    lastFilesRead = files;
    lastKeysAdded = added;
  }

  /**
   * Whether {@code target} descends from the snapshot this index holds through appends and rewrites
   * only (our commits, compaction): then every key held is still in the table.
   */
  private boolean onlyAppendedSince(Table table, long target) {
    Long id = target;
    while (id != null && id != this.snapshotId) {
      Snapshot snapshot = table.snapshot(id);
      if (snapshot == null) {
        return false; // history expired between the two: cannot tell
      }
      String operation = snapshot.operation();
      if (!DataOperations.APPEND.equals(operation) && !DataOperations.REPLACE.equals(operation)) {
        return false;
      }
      id = snapshot.parentId();
    }
    return id != null;
  }

  /** Whether a line with this key was committed within the horizon. */
  boolean contains(String id, int line) {
    long hash = hash(id, line);
    return segments.get(segmentOf(hash)).contains(hash);
  }

  /** How many keys are held (counting a key once per bucket it was added in). */
  long size() {
    long n = 0;
    for (int s = 0; s < SEGMENTS; s++) {
      n += segments.get(s).size;
    }
    return n;
  }

  /** Bytes of the key arrays. */
  long bytes() {
    long n = 0;
    for (int s = 0; s < SEGMENTS; s++) {
      n += segments.get(s).hashes.length * 9L;
    }
    return n;
  }

  /** The snapshot whose keys are held (-1: none yet). */
  synchronized long snapshotId() {
    return snapshotId;
  }

  /** Files read by the last {@link #advance} (0 when nothing was committed since). */
  long lastFilesRead() {
    return lastFilesRead;
  }

  /** Keys added by the last {@link #advance}. */
  long lastKeysAdded() {
    return lastKeysAdded;
  }

  private void clear() {
    lastFilesRead = 0;
    lastKeysAdded = 0;
    for (int s = 0; s < SEGMENTS; s++) {
      segments.set(s, new Segment(1 << 10));
    }
    filesRead.clear();
    snapshotId = -1;
    lowestBucket = Long.MIN_VALUE;
  }

  private List<String> columns() {
    return key.lineField() == null
        ? List.of(key.idField())
        : List.of(key.idField(), key.lineField());
  }

  /** A file's newest ingest_time from its column bounds; "now" (the horizon's end) without them. */
  private static long newestIngestTime(
      FileScanTask task, Types.NestedField ingestTime, long sinceMicros, long horizonMicros) {
    Map<Integer, ByteBuffer> upper = task.file().upperBounds();
    ByteBuffer bound = upper == null ? null : upper.get(ingestTime.fieldId());
    if (bound == null) {
      return sinceMicros + horizonMicros;
    }
    Long micros = Conversions.fromByteBuffer(ingestTime.type(), bound);
    return micros;
  }

  private long readKeys(Table table, FileScanTask task, Schema keys, byte bucket)
      throws IOException {
    long n = 0;
    try (CloseableIterable<Record> rows =
        Parquet.read(table.io().newInputFile(task.file().path().toString()))
            .project(keys)
            .createReaderFunc(fileSchema -> GenericParquetReaders.buildReader(keys, fileSchema))
            .build()) {
      for (Record r : rows) {
        Object line = key.lineField() == null ? null : r.getField(key.lineField());
        add(hash((String) r.getField(key.idField()), line == null ? 0 : (Integer) line), bucket);
        n++;
      }
    }
    return n;
  }

  private void add(long hash, byte bucket) {
    int s = segmentOf(hash);
    Segment segment = segments.get(s);
    if (!segment.add(hash, bucket)) {
      segment = segment.grown();
      segment.add(hash, bucket);
      segments.set(s, segment);
    }
  }

  private static int segmentOf(long hash) {
    return (int) (hash >>> 60);
  }

  static long hash(String id, int line) {
    long h =
        Hashing.murmur3_128()
            .newHasher()
            .putString(id, StandardCharsets.UTF_8)
            .putInt(line)
            .hash()
            .asLong();
    return h == 0 ? 1 : h; // 0 marks an empty slot
  }

  /**
   * One sixteenth of the keys: open addressing with linear probing over parallel arrays (hash,
   * bucket), any capacity (the slot is picked by multiply-shift, so it grows by half, not double).
   * A segment is only ever replaced whole when it grows or sheds a bucket, so a reader holding the
   * old one still sees every key it held.
   */
  private static final class Segment {
    private static final double MAX_LOAD = 0.75;
    final long[] hashes;
    final byte[] buckets;
    int size;

    Segment(int capacity) {
      hashes = new long[capacity];
      buckets = new byte[capacity];
    }

    private int slot(long hash) {
      // low 60 bits spread over [0, capacity): the top 4 chose the segment
      return (int) (((hash & 0x0FFF_FFFF_FFFF_FFFFL) >>> 28) * hashes.length >>> 32);
    }

    boolean contains(long hash) {
      int i = slot(hash);
      while (true) {
        long h = hashes[i];
        if (h == hash) {
          return true;
        }
        if (h == 0) {
          return false;
        }
        i = i + 1 == hashes.length ? 0 : i + 1;
      }
    }

    /** Adds (or re-buckets to the newer bucket); false when full. */
    boolean add(long hash, byte bucket) {
      int i = slot(hash);
      while (true) {
        long h = hashes[i];
        if (h == hash) {
          if ((byte) (bucket - buckets[i]) > 0) {
            buckets[i] = bucket;
          }
          return true;
        }
        if (h == 0) {
          if (size + 1 > hashes.length * MAX_LOAD) {
            return false;
          }
          hashes[i] = hash;
          buckets[i] = bucket;
          size++;
          return true;
        }
        i = i + 1 == hashes.length ? 0 : i + 1;
      }
    }

    Segment grown() {
      return copy(Math.max(hashes.length + (hashes.length >> 1), 16), null);
    }

    /** A copy without the keys of buckets before {@code lowest} (this one if none is older). */
    Segment withoutBucketsBefore(long lowest) {
      byte low = (byte) lowest;
      int live = 0;
      for (int i = 0; i < hashes.length; i++) {
        if (hashes[i] != 0 && (byte) (buckets[i] - low) >= 0) {
          live++;
        }
      }
      if (live == size) {
        return this;
      }
      int capacity = Math.max((int) (live / MAX_LOAD * 1.5) + 1, 1 << 10);
      return copy(capacity, low);
    }

    private Segment copy(int capacity, Byte low) {
      Segment next = new Segment(capacity);
      for (int i = 0; i < hashes.length; i++) {
        if (hashes[i] != 0 && (low == null || (byte) (buckets[i] - low) >= 0)) {
          next.add(hashes[i], buckets[i]);
        }
      }
      return next;
    }
  }
}
