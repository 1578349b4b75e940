package com.retail.lakehouse.transforms.dedupe;

import com.retail.lakehouse.transforms.contract.LineKey;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import com.retail.lakehouse.transforms.tables.RawTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.hash.Hashing;
import org.apache.iceberg.DataOperations;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericDeleteFilter;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.parquet.Parquet;

/**
 * The line keys a raw table committed within a horizon, kept once per JVM and brought up to date
 * incrementally: each run reads the key columns of only the data files appended since the snapshot
 * the index holds (Iceberg's incremental append scan: only manifests written since, merged ones
 * included, and none of the earlier commits' files), and keys leave in time buckets as their row's
 * ingest_time falls behind the horizon. A run's cost is therefore proportional to the rows
 * committed since the last run, whatever the cadence, and memory to the lines of one horizon: 13 to
 * 20 bytes a line (a 64-bit hash and a two-byte time bucket per slot, between 50% and 75% full),
 * shared by every DoFn of the JVM.
 *
 * <p>An index is only ever moved forward in place: to a snapshot that descends from the one it
 * holds through appends and rewrites, with a horizon that starts no earlier, so it gains the newer
 * keys and loses only buckets behind the mover's horizon (a run that still reads an older horizon
 * then is an older run whose commit the claim fence refuses). Anything else (an older snapshot,
 * another horizon, a table whose rows were deleted or rolled back) gets a fresh index read from the
 * table with its delete files applied, built once per JVM at a time, which replaces the shared one
 * unless the shared one is of a newer snapshot. A move that fails half-way (storage, memory)
 * retires the index: the next caller reads afresh.
 *
 * <p>Keys are 64-bit murmur3 hashes of (id, line): the chance that a new line is taken for a
 * committed one is the number of keys held over 2^64 (about 2e-12 for 36 million keys).
 *
 * <p>A key is kept for at least the horizon after its row's ingest_time and at most one bucket (an
 * eighth of the horizon) longer; a row stamped in the future (a clock stepped ahead) is kept as if
 * stamped now, so it cannot outlive or wrap the bucket ring. Dropping a copy of a line committed a
 * little earlier is still dropping a duplicate.
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

  /** Buckets the horizon may move between two runs before every key held is stale. */
  private static final int MAX_BUCKET_STEP = 64; // well inside the ring of HashBuckets

  private static final int SEGMENTS = 16; // top 4 bits of the hash; rebuilt one at a time

  /** Fresh indexes not shared (of an older run), by exactly what they hold; a few kept. */
  private static final Map<Fresh, LineKeyIndex> UNSHARED =
      new LinkedHashMap<>(8, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Fresh, LineKeyIndex> eldest) {
          return size() > MAX_INDEXES;
        }
      };

  /** One lock per index name: fresh indexes of a table are built one at a time. */
  private static final Map<Id, Object> BUILDING = new HashMap<>();

  private final LineKey key;
  private final AtomicReferenceArray<HashBuckets> segments = new AtomicReferenceArray<>(SEGMENTS);
  private String tableUuid;
  private volatile long snapshotId = -1;
  private long sequenceNumber = -1;
  private volatile boolean retired;
  private long bucketMicros = -1;
  private long lowestBucket = Long.MIN_VALUE;
  private long lastSinceMicros = Long.MIN_VALUE;
  private volatile long lastFilesRead;
  private volatile long lastKeysAdded;

  private LineKeyIndex(LineKey key) {
    this.key = key;
    for (int s = 0; s < SEGMENTS; s++) {
      segments.set(s, new HashBuckets(HashBuckets.MIN_CAPACITY));
    }
  }

  /**
   * An index of {@code table}'s line keys as of snapshot {@code snapshotId} within the horizon that
   * starts at {@code sinceMicros} (ingest_time, UTC microseconds): the JVM's shared one moved
   * forward when it can be, else a fresh one (see the class comment).
   */
  static LineKeyIndex at(
      CatalogSettings catalog,
      TableIdentifier id,
      LineKey key,
      Table table,
      long snapshotId,
      long sinceMicros,
      long horizonMicros) {
    Id name = new Id(catalog, id, key);
    LineKeyIndex moved = movedShared(name, table, snapshotId, sinceMicros, horizonMicros);
    if (moved != null) {
      return moved;
    }
    Object building;
    synchronized (INDEXES) {
      building = BUILDING.computeIfAbsent(name, n -> new Object());
    }
    Fresh exactly = new Fresh(name, snapshotId, sinceMicros, horizonMicros);
    synchronized (building) {
      // Another DoFn may have built it while this one waited.
      moved = movedShared(name, table, snapshotId, sinceMicros, horizonMicros);
      if (moved != null) {
        return moved;
      }
      synchronized (INDEXES) {
        LineKeyIndex built = UNSHARED.get(exactly);
        if (built != null) {
          return built;
        }
      }
      LineKeyIndex fresh = new LineKeyIndex(key);
      fresh.moveTo(table, snapshotId, sinceMicros, horizonMicros); // only this thread sees it
      synchronized (INDEXES) {
        LineKeyIndex current = INDEXES.get(name);
        if (current == null || current.retired || current.sequenceNumber <= fresh.sequenceNumber) {
          INDEXES.put(name, fresh);
        } else {
          UNSHARED.put(exactly, fresh); // an older run's: moving it on would serve nobody
        }
      }
      return fresh;
    }
  }

  /**
   * The shared index moved to the target if it can be (null if not); retires it if the move fails.
   */
  private static LineKeyIndex movedShared(
      Id name, Table table, long snapshotId, long sinceMicros, long horizonMicros) {
    LineKeyIndex shared;
    synchronized (INDEXES) {
      shared = INDEXES.computeIfAbsent(name, n -> new LineKeyIndex(n.key()));
    }
    synchronized (shared) {
      if (!shared.canMoveTo(table, snapshotId, sinceMicros, horizonMicros)) {
        return null;
      }
      try {
        shared.moveTo(table, snapshotId, sinceMicros, horizonMicros);
        return shared;
      } catch (RuntimeException | Error e) {
        shared.retired = true; // it may hold some of the target's keys under the old snapshot
        synchronized (INDEXES) {
          INDEXES.remove(name, shared);
        }
        throw e;
      }
    }
  }

  /** The JVM's shared index of a table's line keys if one was opened, else null. */
  static LineKeyIndex existing(CatalogSettings catalog, TableIdentifier table, LineKey key) {
    synchronized (INDEXES) {
      return INDEXES.get(new Id(catalog, table, key));
    }
  }

  private record Id(CatalogSettings catalog, TableIdentifier table, LineKey key) {}

  private record Fresh(Id name, long snapshotId, long sinceMicros, long horizonMicros) {}

  /** Whether moving this index to the target keeps every key its readers hold (or it is empty). */
  private boolean canMoveTo(Table table, long target, long sinceMicros, long horizonMicros) {
    if (retired) {
      return false;
    }
    if (snapshotId == -1) {
      return true;
    }
    long lowest = Math.floorDiv(sinceMicros, width(horizonMicros));
    return uuid(table).equals(tableUuid)
        && width(horizonMicros) == bucketMicros
        && lowest >= lowestBucket
        && lowest - lowestBucket <= MAX_BUCKET_STEP
        && (target == snapshotId || onlyAppendedSince(table, target));
  }

  /**
   * Moves to the keys of {@code target} within the horizon that starts at {@code sinceMicros}:
   * forgets buckets that left the horizon, reads the files appended since the snapshot held (all of
   * the target's files within the horizon when none is held). Callers hold this index's lock or are
   * its only holder.
   */
  private void moveTo(Table table, long target, long sinceMicros, long horizonMicros) {
    long width = width(horizonMicros);
    long lowest = Math.floorDiv(sinceMicros, width);
    if (snapshotId == -1) {
      tableUuid = uuid(table);
      bucketMicros = width;
    }
    if (lowest > lowestBucket) {
      lowestBucket = lowest;
      for (int s = 0; s < SEGMENTS; s++) {
        segments.set(s, segments.get(s).withoutBucketsBefore(lowest));
      }
    }
    if (target == snapshotId) {
      if (sinceMicros != lastSinceMicros) { // another run at the same snapshot: it read nothing
        lastFilesRead = 0;
        lastKeysAdded = 0;
      }
      lastSinceMicros = sinceMicros;
      return;
    }
    Schema read = table.schema().select(columns());
    // Rows from the start of the horizon's first bucket: a caller whose horizon starts earlier in
    // the same bucket finds them too.
    long fromMicros = lowest * width;
    long newestMicros = sinceMicros + horizonMicros + width; // later stamps count as now
    long files = 0;
    long added = 0;
    try (CloseableIterable<FileScanTask> tasks = newFilesUpTo(table, target, fromMicros)) {
      for (FileScanTask task : tasks) {
        added += readKeys(table, task, read, fromMicros, newestMicros, width);
        files++;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Planning the recent line keys of " + table.name(), e);
    }
    Snapshot snapshot = table.snapshot(target);
    sequenceNumber = snapshot == null ? -1 : snapshot.sequenceNumber();
    snapshotId = target;
    lastSinceMicros = sinceMicros;
    lastFilesRead = files;
    lastKeysAdded = added;
  }

  /** The target's data files within the horizon that this index has not read. */
  private CloseableIterable<FileScanTask> newFilesUpTo(Table table, long target, long since) {
    if (snapshotId == -1) {
      return table
          .newScan()
          .useSnapshot(target)
          .filter(Expressions.greaterThanOrEqual(RawTable.INGEST_TIME, since))
          .planFiles();
    }
    // Only appends and rewrites since (canMoveTo): the appended files are the new rows; a
    // rewrite's files hold rows already read, and the incremental scan skips them.
    return table
        .newIncrementalAppendScan()
        .fromSnapshotExclusive(snapshotId)
        .toSnapshot(target)
        .filter(Expressions.greaterThanOrEqual(RawTable.INGEST_TIME, since))
        .planFiles();
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

  private static long width(long horizonMicros) {
    return Math.max(1, horizonMicros / BUCKETS_PER_HORIZON);
  }

  private static String uuid(Table table) {
    return table.uuid() == null ? table.name() : table.uuid().toString();
  }

  /** Whether a line with this key was committed within the horizon. */
  boolean contains(String id, int line) {
    return contains(hash(id, line));
  }

  /** Whether a line whose key has this {@link #hash} was committed within the horizon. */
  boolean contains(long hash) {
    return segments.get(segmentOf(hash)).contains(hash);
  }

  /** How many keys are held. */
  long size() {
    long n = 0;
    for (int s = 0; s < SEGMENTS; s++) {
      n += segments.get(s).size();
    }
    return n;
  }

  /** Bytes of the key arrays. */
  long bytes() {
    long n = 0;
    for (int s = 0; s < SEGMENTS; s++) {
      n += segments.get(s).capacity() * 10L;
    }
    return n;
  }

  /** The snapshot whose keys are held (-1: none yet). */
  long snapshotId() {
    return snapshotId;
  }

  /** Files read to bring this index to its snapshot (0 for a later run at the same snapshot). */
  long lastFilesRead() {
    return lastFilesRead;
  }

  /** Keys added to bring this index to its snapshot (0 for a later run at the same snapshot). */
  long lastKeysAdded() {
    return lastKeysAdded;
  }

  private List<String> columns() {
    List<String> columns = new ArrayList<>();
    columns.add(key.idField());
    if (key.lineField() != null) {
      columns.add(key.lineField());
    }
    columns.add(RawTable.INGEST_TIME);
    return columns;
  }

  /**
   * Adds the keys of a file's rows ingested at or after {@code fromMicros}, each in the bucket of
   * its ingest_time (capped at {@code newestMicros}); rows removed by the task's delete files (a
   * row-level DELETE, say) are not read.
   */
  private long readKeys(
      Table table, FileScanTask task, Schema read, long fromMicros, long newestMicros, long width)
      throws IOException {
    if (task.file().format() != FileFormat.PARQUET) {
      throw new IllegalStateException(
          "Cannot read the line keys of "
              + task.file().path()
              + ": only Parquet data files are supported, not "
              + task.file().format());
    }
    GenericDeleteFilter deletes =
        task.deletes().isEmpty()
            ? null
            : new GenericDeleteFilter(table.io(), task, table.schema(), read);
    Schema projection = deletes == null ? read : deletes.requiredSchema();
    long n = 0;
    CloseableIterable<Record> file =
        Parquet.read(table.io().newInputFile(task.file().path().toString()))
            .project(projection)
            .createReaderFunc(
                fileSchema -> GenericParquetReaders.buildReader(projection, fileSchema))
            .build();
    try (CloseableIterable<Record> rows = deletes == null ? file : deletes.filter(file)) {
      for (Record r : rows) {
        long ingested = micros(r.getField(RawTable.INGEST_TIME), newestMicros);
        if (ingested < fromMicros) {
          continue; // a rewritten file mixes old rows with recent ones
        }
        Object line = key.lineField() == null ? null : r.getField(key.lineField());
        short bucket = (short) Math.floorDiv(Math.min(ingested, newestMicros), width);
        add(hash((String) r.getField(key.idField()), line == null ? 0 : (Integer) line), bucket);
        n++;
      }
    }
    return n;
  }

  /** A generic record's timestamp in UTC microseconds; {@code otherwise} when absent. */
  private static long micros(Object timestamp, long otherwise) {
    if (timestamp instanceof OffsetDateTime t) {
      return ChronoUnit.MICROS.between(Instant.EPOCH, t.toInstant());
    }
    if (timestamp instanceof LocalDateTime t) {
      return ChronoUnit.MICROS.between(Instant.EPOCH, t.toInstant(ZoneOffset.UTC));
    }
    return otherwise;
  }

  private void add(long hash, short bucket) {
    int s = segmentOf(hash);
    HashBuckets segment = segments.get(s);
    HashBuckets after = segment.with(hash, bucket);
    if (after != segment) {
      segments.set(s, after);
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
}
