package com.retail.lakehouse.console.dashboard;

import com.retail.lakehouse.transforms.event.EventType;
import com.retail.lakehouse.transforms.event.PosEventSchema;
import com.retail.lakehouse.transforms.mart.RawFilePlan;
import com.retail.lakehouse.transforms.tables.RawTable;
import com.retail.lakehouse.transforms.tables.StoredColumns;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataOperations;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.CloseableIterator;

/**
 * The de-duplicated lines of raw's partition of one UTC day as of one snapshot, held as columns
 * (dictionary indexes, cents, microseconds: about 60 bytes a line), so that a live report of any
 * store or category is one pass over arrays. Advanced to a newer snapshot by reading only the data
 * files it does not hold yet: data files never change, so when the day's files at the new snapshot
 * include every file read so far, the new lines are exactly those of the new files (a streaming
 * ingest's commit adds a few). When a file read so far is gone (compaction, an overwrite) or a file
 * carries delete files, the day is read again from scratch. De-duplication is the mart's
 * (SummarizeDailySales): one copy per (store, transaction_id, line_number), the one ingested first
 * (ingest_time, then Kafka partition, then offset). Not thread-safe: the caller locks it.
 */
final class LiveDay {
  private static final LocalDateTime EPOCH = LocalDateTime.of(1970, 1, 1, 0, 0);

  /** The raw columns the live view reads (its full read and its incremental one alike). */
  static final List<String> COLUMNS =
      List.of(
          PosEventSchema.TRANSACTION_ID,
          PosEventSchema.LINE_NUMBER,
          PosEventSchema.EVENT_TYPE,
          PosEventSchema.STORE_ID,
          PosEventSchema.PRODUCT,
          PosEventSchema.CATEGORY,
          PosEventSchema.QUANTITY,
          PosEventSchema.TOTAL_AMOUNT,
          PosEventSchema.EVENT_TIME,
          RawTable.INGEST_TIME,
          RawTable.KAFKA_PARTITION,
          RawTable.KAFKA_OFFSET);

  final LocalDate date;
  private final long dayStartMicros;
  private Long snapshotId;
  private final Set<String> files = new HashSet<>();
  final Dictionary stores = new Dictionary();
  final Dictionary products = new Dictionary();
  final Dictionary categories = new Dictionary();
  private final Map<String, Integer> basketIds = new HashMap<>(); // "store|transaction_id"
  int baskets;
  int[] basketStore = new int[1024];
  private LongIntTable index = new LongIntTable(1024); // basket << 32 | line_number -> line

  // the kept lines, one entry per (store, transaction_id, line_number)
  int size;
  int[] basket = new int[1024];
  int[] product = new int[1024];
  int[] category = new int[1024];
  int[] quantity = new int[1024];
  int[] copies = new int[1024];
  boolean[] isReturn = new boolean[1024];
  long[] cents = new long[1024];
  long[] eventMicros = new long[1024];
  private long[] ingestMicros = new long[1024];
  private int[] kafkaPartition = new int[1024];
  private long[] kafkaOffset = new long[1024];
  long rawRows;
  long filesRead;

  LiveDay(LocalDate date) {
    this.date = date;
    this.dayStartMicros = ChronoUnit.MICROS.between(EPOCH, date.atStartOfDay());
  }

  Long snapshotId() {
    return snapshotId;
  }

  /**
   * Brings the day to {@code snapshot}: reads the day's data files it does not hold yet, or all of
   * them again when the table lost a file it read. Returns false (the day unchanged) when a file
   * has delete files, which this reader does not apply.
   */
  boolean advanceTo(Table raw, Snapshot snapshot) {
    if (snapshotId != null && snapshotId == snapshot.snapshotId()) {
      return true;
    }
    List<String> appended = snapshotId == null ? null : appendedSince(raw, snapshot);
    if (appended != null) {
      Schema projection = raw.schema().select(COLUMNS);
      for (String path : appended) {
        if (files.add(path)) {
          read(raw, path, projection);
          filesRead++;
        }
      }
      snapshotId = snapshot.snapshotId();
      return true;
    }
    List<FileScanTask> tasks = new ArrayList<>();
    Set<String> paths = new HashSet<>();
    try (CloseableIterable<FileScanTask> planned =
        raw.newScan()
            .useSnapshot(snapshot.snapshotId())
            .filter(RawFilePlan.eventTimeOn(new TreeSet<>(Set.of(date))))
            .planFiles()) {
      for (FileScanTask task : planned) {
        if (!task.deletes().isEmpty()) {
          return false;
        }
        String path = task.file().path().toString();
        if (paths.add(path)) {
          tasks.add(task);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("planning raw.pos_transactions", e);
    }
    if (!paths.containsAll(files)) {
      clear();
    }
    Schema projection = raw.schema().select(COLUMNS);
    for (FileScanTask task : tasks) {
      String path = task.file().path().toString();
      if (files.contains(path)) {
        continue;
      }
      read(raw, path, projection);
      files.add(path);
      filesRead++;
    }
    snapshotId = snapshot.snapshotId();
    return true;
  }

  /**
   * The day's data files that the commits after the held snapshot up to {@code snapshot} added,
   * from those commits' own manifests (no planning over all of the day's manifests); null when a
   * commit in between is not a plain append, or the held snapshot is not an ancestor (expired, or
   * the table was rolled back): the caller then plans the day in full.
   */
  private List<String> appendedSince(Table raw, Snapshot snapshot) {
    List<Snapshot> newer = new ArrayList<>();
    Snapshot s = snapshot;
    while (s != null && s.snapshotId() != snapshotId) {
      if (!DataOperations.APPEND.equals(s.operation()) || newer.size() >= 1000) {
        return null;
      }
      newer.add(s);
      s = s.parentId() == null ? null : raw.snapshot(s.parentId());
    }
    if (s == null) {
      return null;
    }
    List<String> added = new ArrayList<>();
    for (int i = newer.size() - 1; i >= 0; i--) {
      if (newer.get(i).addedDeleteFiles(raw.io()).iterator().hasNext()) {
        return null;
      }
      for (DataFile file : newer.get(i).addedDataFiles(raw.io())) {
        LocalDate day = RawFilePlan.dayOf(raw, file);
        if (day == null) {
          return null; // not partitioned by day: plan with the event_time filter
        }
        if (day.equals(date)) {
          added.add(file.path().toString());
        }
      }
    }
    return added;
  }

  private void clear() {
    files.clear();
    stores.clear();
    products.clear();
    categories.clear();
    basketIds.clear();
    baskets = 0;
    index = new LongIntTable(1024);
    size = 0;
    rawRows = 0;
  }

  private void read(Table raw, String path, Schema projection) {
    try (CloseableIterator<Object[]> rows = readRows(raw, path, projection)) {
      while (rows.hasNext()) {
        add(rows.next());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading raw data file " + path, e);
    }
  }

  /**
   * The rows of one file in the order of COLUMNS (timestamps in microseconds, money in cents): read
   * as stored, or with Iceberg's generic reader for a file stored otherwise.
   */
  private static CloseableIterator<Object[]> readRows(Table raw, String path, Schema projection) {
    return StoredColumns.read(raw.io(), path, projection, COLUMNS);
  }

  private void add(Object[] r) {
    long event = r[8] == null ? Long.MIN_VALUE : (Long) r[8];
    if (event == Long.MIN_VALUE
        || event < dayStartMicros
        || event >= dayStartMicros + 86_400_000_000L) {
      return; // not a line of this day
    }
    rawRows++;
    int store = stores.id((String) r[3]);
    int b = basketOf(store, (String) r[0]);
    long key = ((long) b << 32) | (((Number) r[1]).intValue() & 0xffffffffL);
    long ingest = r[9] == null ? Long.MAX_VALUE : (Long) r[9];
    int partition = ((Number) r[10]).intValue();
    long offset = ((Number) r[11]).longValue();
    int at = index.get(key);
    if (at >= 0) {
      copies[at]++;
      if (!ingestedBefore(ingest, partition, offset, at)) {
        return; // the copy kept was ingested first
      }
    } else {
      at = size++;
      grow(size);
      index.put(key, at);
      copies[at] = 1;
    }
    basket[at] = b;
    product[at] = products.id((String) r[4]);
    category[at] = categories.id((String) r[5]);
    quantity[at] = ((Number) r[6]).intValue();
    isReturn[at] = EventType.RETURN.name().equals(r[2]);
    cents[at] = (Long) r[7];
    eventMicros[at] = event;
    ingestMicros[at] = ingest;
    kafkaPartition[at] = partition;
    kafkaOffset[at] = offset;
  }

  /** SaleLines.ingestedBefore: ingest time, then Kafka partition, then offset. */
  private boolean ingestedBefore(long ingest, int partition, long offset, int kept) {
    if (ingest != ingestMicros[kept]) {
      return ingest < ingestMicros[kept];
    }
    if (partition != kafkaPartition[kept]) {
      return partition < kafkaPartition[kept];
    }
    return offset < kafkaOffset[kept];
  }

  private int basketOf(int store, String transactionId) {
    // keyed by store and transaction: the store is part of a line's identity
    String key = store + "|" + transactionId;
    Integer b = basketIds.get(key);
    if (b == null) {
      b = baskets++;
      basketIds.put(key, b);
      if (b >= basketStore.length) {
        basketStore = Arrays.copyOf(basketStore, basketStore.length * 2);
      }
      basketStore[b] = store;
    }
    return b;
  }

  private void grow(int needed) {
    if (needed <= basket.length) {
      return;
    }
    int n = Math.max(needed, basket.length * 2);
    basket = Arrays.copyOf(basket, n);
    product = Arrays.copyOf(product, n);
    category = Arrays.copyOf(category, n);
    quantity = Arrays.copyOf(quantity, n);
    copies = Arrays.copyOf(copies, n);
    isReturn = Arrays.copyOf(isReturn, n);
    cents = Arrays.copyOf(cents, n);
    eventMicros = Arrays.copyOf(eventMicros, n);
    ingestMicros = Arrays.copyOf(ingestMicros, n);
    kafkaPartition = Arrays.copyOf(kafkaPartition, n);
    kafkaOffset = Arrays.copyOf(kafkaOffset, n);
  }

  /** Strings to dense ids and back. */
  static final class Dictionary {
    private final Map<String, Integer> ids = new HashMap<>();
    private final List<String> values = new ArrayList<>();

    int id(String value) {
      Integer id = ids.get(value);
      if (id == null) {
        id = values.size();
        ids.put(value, id);
        values.add(value);
      }
      return id;
    }

    /** The id of {@code value}, -1 if the day has none. */
    int find(String value) {
      Integer id = ids.get(value);
      return id == null ? -1 : id;
    }

    String value(int id) {
      return values.get(id);
    }

    int size() {
      return values.size();
    }

    void clear() {
      ids.clear();
      values.clear();
    }
  }

  /** An open-addressing map of long keys to non-negative ints (-1: absent). */
  static final class LongIntTable {
    private long[] keys;
    private int[] values;
    private int size;

    LongIntTable(int capacity) {
      int n = Integer.highestOneBit(Math.max(16, capacity) * 2 - 1);
      keys = new long[n];
      values = new int[n];
      Arrays.fill(values, -1);
    }

    int get(long key) {
      int mask = keys.length - 1;
      for (int i = slot(key, mask); ; i = (i + 1) & mask) {
        if (values[i] < 0) {
          return -1;
        }
        if (keys[i] == key) {
          return values[i];
        }
      }
    }

    void put(long key, int value) {
      if ((size + 1) * 2 > keys.length) {
        rehash();
      }
      int mask = keys.length - 1;
      for (int i = slot(key, mask); ; i = (i + 1) & mask) {
        if (values[i] < 0) {
          keys[i] = key;
          values[i] = value;
          size++;
          return;
        }
        if (keys[i] == key) {
          values[i] = value;
          return;
        }
      }
    }

    private void rehash() {
      long[] oldKeys = keys;
      int[] oldValues = values;
      keys = new long[oldKeys.length * 2];
      values = new int[oldKeys.length * 2];
      Arrays.fill(values, -1);
      size = 0;
      for (int i = 0; i < oldKeys.length; i++) {
        if (oldValues[i] >= 0) {
          put(oldKeys[i], oldValues[i]);
        }
      }
    }

    private static int slot(long key, int mask) {
      long h = key * 0x9E3779B97F4A7C15L;
      return (int) (h ^ (h >>> 32)) & mask;
    }
  }
}
