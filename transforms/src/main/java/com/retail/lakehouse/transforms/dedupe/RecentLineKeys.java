package com.retail.lakehouse.transforms.dedupe;

import com.retail.lakehouse.transforms.contract.LineKey;
import com.retail.lakehouse.transforms.contract.PosContract;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;

/**
 * The sale lines a raw table committed within the de-duplication horizon, as of one snapshot: what
 * lets a run drop a re-sent line whose first copy an earlier run already committed.
 *
 * <p>This object only names the keys (catalog, table, snapshot, horizon) and is what a pipeline
 * carries to its workers. The keys themselves live once per JVM, in an index that each run brings
 * up to date by reading only the data files committed since the previous run (see {@code
 * LineKeyIndex}): a run's cost grows with the rows committed since the last run, not with the
 * horizon or the cadence, and memory with the lines of one horizon (13 to 20 bytes a line), however
 * many DoFns consult it. The index is opened on first use, on the worker.
 */
public final class RecentLineKeys implements Serializable {
  private final LineKey key;
  private final CatalogSettings catalog; // null: no keys
  private final String table; // TableIdentifier is not Serializable
  private final long snapshotId;
  private final long sinceMicros;
  private final long horizonMicros;
  private transient volatile LineKeyIndex index;

  private RecentLineKeys(
      LineKey key,
      CatalogSettings catalog,
      String table,
      long snapshotId,
      long sinceMicros,
      long horizonMicros) {
    this.key = key;
    this.catalog = catalog;
    this.table = table;
    this.snapshotId = snapshotId;
    this.sinceMicros = sinceMicros;
    this.horizonMicros = horizonMicros;
  }

  /** No POS keys: the first run, or de-duplication across runs switched off. */
  public static RecentLineKeys none() {
    return none(PosContract.LINE_KEY);
  }

  /** No keys of a contract's line key. */
  public static RecentLineKeys none(LineKey key) {
    return new RecentLineKeys(key, null, null, -1, 0, 0);
  }

  /**
   * The keys of {@code raw}'s current snapshot ingested at or after {@code now - horizon}; none
   * when the table is empty or the horizon is zero. Reads nothing yet.
   */
  public static RecentLineKeys of(
      CatalogSettings catalog, TableIdentifier raw, LineKey key, Duration horizon, Instant now) {
    if (horizon.isNegative()) {
      throw new IllegalArgumentException("the de-duplication horizon must not be negative");
    }
    Table table = catalog.catalog().loadTable(raw);
    table.refresh();
    Snapshot current = table.currentSnapshot();
    if (current == null || horizon.isZero()) {
      return none(key);
    }
    long horizonMicros = horizon.toSeconds() * 1_000_000L + horizon.toNanosPart() / 1000;
    long nowMicros = ChronoUnit.MICROS.between(Instant.EPOCH, now);
    return new RecentLineKeys(
        key,
        catalog,
        raw.toString(),
        current.snapshotId(),
        nowMicros - horizonMicros,
        horizonMicros);
  }

  /** The line key these keys are of. */
  public LineKey key() {
    return key;
  }

  /** Whether a line with this key was committed within the horizon. */
  public boolean contains(String id, int line) {
    return catalog != null && open().contains(id, line);
  }

  /**
   * Whether a line whose key hashes to {@code hash} ({@link LineKeyIndex#hash}, as the streaming
   * de-duplication's shards hold keys) was committed within the horizon.
   */
  public boolean containsKeyHash(long hash) {
    return catalog != null && open().contains(hash);
  }

  /**
   * A one-line account of this JVM's index of these keys, for logs: held keys, memory, and what the
   * last run added; null when no DoFn of this JVM opened it (a cluster's workers).
   */
  public String describeInThisJvm() {
    if (catalog == null) {
      return null;
    }
    LineKeyIndex keys = index;
    if (keys == null) {
      keys = LineKeyIndex.existing(catalog, TableIdentifier.parse(table), key);
    }
    if (keys == null || keys.snapshotId() != snapshotId) {
      return null;
    }
    return String.format(
        "de-duplication: %,d line keys of the last %s held (%,d MB); %,d read from %,d new files",
        keys.size(),
        Duration.of(horizonMicros, ChronoUnit.MICROS).toString().substring(2).toLowerCase(),
        keys.bytes() >> 20,
        keys.lastKeysAdded(),
        keys.lastFilesRead());
  }

  /** How many keys the JVM's index holds (0 for none). */
  public long size() {
    return catalog == null ? 0 : open().size();
  }

  private LineKeyIndex open() {
    LineKeyIndex opened = index;
    if (opened == null) {
      TableIdentifier id = TableIdentifier.parse(table);
      Table raw = catalog.catalog().loadTable(id);
      opened = LineKeyIndex.at(catalog, id, key, raw, snapshotId, sinceMicros, horizonMicros);
      index = opened;
    }
    return opened;
  }
}
