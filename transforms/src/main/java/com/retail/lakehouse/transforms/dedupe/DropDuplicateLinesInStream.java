package com.retail.lakehouse.transforms.dedupe;

import com.retail.lakehouse.transforms.contract.LineKey;
import com.retail.lakehouse.transforms.metrics.LiveCounters;
import com.retail.lakehouse.transforms.metrics.MetricNames;
import com.retail.lakehouse.transforms.tables.EncodedRows;
import com.retail.lakehouse.transforms.tables.TableRowCoder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.state.MapState;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.transforms.windowing.WindowFn;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Streaming de-duplication: keeps the first copy of each line (its contract's line key, for POS
 * transaction_id and line_number) and drops copies that arrive within the horizon after it, across
 * commit windows. Lines are spread over {@value #SHARDS} shards by the 64-bit hash of their key;
 * each shard keeps a map state from key hash to the time the line is forgotten (the horizon's end
 * rounded up to an eighth of the horizon), and one event-time timer per shard removes a bucket of
 * keys at a time. Lines that earlier jobs committed within the horizon ({@link RecentLineKeys},
 * loaded from the raw table when the job starts) are dropped too, so a restarted job does not
 * re-add them.
 *
 * <p>Lines travel to their shards in batches, one per bundle, window and shard, and leave as
 * batches of the first copies, each in the window its lines came in: the shuffle and the keyed
 * state then handle a batch where they handled a line. On Flink's streaming mode that per-element
 * work (the key's hash and encoding, the state's lookup of key and namespace, a runner call) cost
 * as much CPU as the de-duplication itself (bench/results/profile-notes.md). The input's windows
 * must be fixed windows or the global window: a batch is stamped with the time of one of its lines
 * and goes back into the window of that time.
 *
 * <p>A batch is one array ({@link EncodedRows}): each line's key hash, then the line as its table's
 * {@link TableRowCoder} (the input's coder) encodes it. The shard reads the hashes and copies the
 * first copies' bytes into its output batch without decoding them, and the writers ({@code
 * WriteDataFiles.batchesTo}) decode each row once, where they write it: in the profile the rows'
 * decoding and re-encoding between the two shuffles cost as much CPU as the de-duplication's state.
 *
 * <p>Timestamps are the time a message was read, so the horizon is measured in ingest time: an
 * event whose own event_time is hours old is still a valid, new line (late data is kept). A line is
 * remembered from the time its batch was stamped, which lies within the bundle its line was read
 * in; a line stamped behind the watermark would be forgotten that much early, which is one more
 * reason the streaming read's time never goes back.
 *
 * <p>Cost: state grows with the distinct lines of one horizon (plus up to an eighth), one map entry
 * each: a hash map entry with the key's boxed hash, its forget time shared by the lines of a batch,
 * on Flink's heap state backend. The first design, a value state and a timer per line key, cost
 * about 1.3 KB a line there (bench soak: heap floor rising 660 MiB over 500,000 lines); for long
 * horizons at high rates use Flink's RocksDB state backend. A copy is judged by its key's 64-bit
 * hash: a new line is taken for a copy with a chance of the keys held over 2^64.
 */
public final class DropDuplicateLinesInStream
    extends PTransform<PCollection<Row>, PCollection<byte[]>> {
  private final Duration horizon;
  private final RecentLineKeys committed;

  private DropDuplicateLinesInStream(Duration horizon, RecentLineKeys committed) {
    this.horizon = horizon;
    this.committed = committed;
  }

  /** Drops copies arriving within {@code horizon} of the first copy of their line. */
  public static DropDuplicateLinesInStream within(java.time.Duration horizon) {
    return new DropDuplicateLinesInStream(
        Duration.millis(positive(horizon).toMillis()), RecentLineKeys.none());
  }

  private static java.time.Duration positive(java.time.Duration horizon) {
    if (horizon == null || horizon.isNegative() || horizon.isZero()) {
      throw new IllegalArgumentException(
          "the de-duplication horizon must be positive, got " + horizon);
    }
    return horizon;
  }

  /** Also drops lines that earlier jobs committed within the horizon. */
  public DropDuplicateLinesInStream withCommittedKeys(RecentLineKeys keys) {
    return new DropDuplicateLinesInStream(horizon, keys);
  }

  @Override
  public PCollection<byte[]> expand(PCollection<Row> lines) {
    WindowFn<?, ?> windows = lines.getWindowingStrategy().getWindowFn();
    if (!(windows instanceof FixedWindows) && !(windows instanceof GlobalWindows)) {
      throw new IllegalArgumentException(
          "DropDuplicateLinesInStream takes lines in fixed windows or the global window, not "
              + windows.getClass().getSimpleName());
    }
    if (!(lines.getCoder() instanceof TableRowCoder coder)) {
      throw new IllegalArgumentException(
          "DropDuplicateLinesInStream takes rows coded by their table's TableRowCoder (the first"
              + " copies leave encoded by it), not "
              + lines.getCoder().getClass().getSimpleName());
    }
    PCollection<byte[]> firstCopies =
        lines
            .apply("KeyByShard", ParDo.of(new KeyByShardFn(committed.key(), coder)))
            .setCoder(KvCoder.of(VarIntCoder.of(), ByteArrayCoder.of()))
            // the state outlives commit windows: a line is remembered across them
            .apply("AcrossWindows", Window.into(new GlobalWindows()))
            .apply("KeepFirstCopyWithinHorizon", ParDo.of(new KeepFirstCopyFn(horizon, committed)))
            .setCoder(ByteArrayCoder.of());
    return windows instanceof FixedWindows fixed
        ? firstCopies.apply("BackIntoTheirWindows", Window.into(fixed))
        : firstCopies;
  }

  /** Shards of the line keys: each holds the keys of its lines in one map state. */
  static final int SHARDS = 64;

  /** Buckets per horizon: keys leave a shard's state a bucket at a time. */
  static final int BUCKETS_PER_HORIZON = 8;

  /**
   * Gathers a bundle's lines into a batch per window and shard. The batches leave when the bundle
   * finishes, earlier windows first, each stamped with the time of its newest line: of two copies
   * of a line that one reader reads (on Flink: a source subtask's partitions), the earlier one
   * still reaches the shard first and is kept. Copies read by different readers reach it in any
   * order, as single lines did; whichever is kept, the line is committed once, and a crash between
   * the two windows' commits re-reads the kept copy, since its offset lies past the position the
   * earlier window recorded. A runner does not advance the output watermark past a bundle in
   * progress (Flink's operator holds it until the bundle finishes), so no batch is late for its
   * window.
   */
  static final class KeyByShardFn extends DoFn<Row, KV<Integer, byte[]>> {
    private final Counter in = MetricNames.counter(MetricNames.LINES_IN);
    private final LineKey key;
    private final TableRowCoder coder;
    private transient Map<BoundedWindow, Batch[]> batches;
    private transient BoundedWindow lastWindow;
    private transient Batch[] lastShards;
    private transient long lines;

    KeyByShardFn(LineKey key, TableRowCoder coder) {
      this.key = key;
      this.coder = coder;
    }

    @StartBundle
    public void startBundle() {
      batches = new HashMap<>();
      lastWindow = null;
      lastShards = null;
      lines = 0;
    }

    @ProcessElement
    public void process(@Element Row row, @Timestamp Instant timestamp, BoundedWindow window) {
      lines++;
      long hash = LineKeyIndex.hash(key.id(row), key.line(row));
      int shard = (int) Math.floorMod(hash, (long) SHARDS);
      if (!window.equals(lastWindow)) { // a bundle's lines are mostly of one window
        lastShards = batches.computeIfAbsent(window, w -> new Batch[SHARDS]);
        lastWindow = window;
      }
      Batch batch = lastShards[shard];
      if (batch == null) {
        batch = new Batch();
        lastShards[shard] = batch;
      }
      // the key's hash travels with the line: the shard checks it without decoding the line
      batch.lines.writeLong(hash);
      batch.lines.add(row, coder);
      if (batch.newest == null || timestamp.isAfter(batch.newest)) {
        batch.newest = timestamp;
      }
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext context) {
      // counted once per bundle: a metric update per line is a measurable share of the job
      in.inc(lines);
      List<BoundedWindow> windows = new ArrayList<>(batches.keySet());
      windows.sort(Comparator.comparing(BoundedWindow::maxTimestamp));
      for (BoundedWindow window : windows) {
        Batch[] shards = batches.get(window);
        for (int shard = 0; shard < SHARDS; shard++) {
          if (shards[shard] != null) {
            context.output(
                KV.of(shard, shards[shard].lines.toByteArray()), shards[shard].newest, window);
          }
        }
      }
      batches = null;
      lastWindow = null;
      lastShards = null;
    }

    /** A shard's lines of one window: each line as its key's hash, then the row encoded. */
    private static final class Batch {
      final EncodedRows lines = new EncodedRows(4096);
      Instant newest;
    }
  }

  /**
   * Per shard: a map from line-key hash to the time its first copy is forgotten (the end of the
   * horizon, rounded up to a bucket); a copy whose key is in the map is dropped. One event-time
   * timer per shard removes the keys whose time has come, a bucket at a time.
   */
  static final class KeepFirstCopyFn extends DoFn<KV<Integer, byte[]>, byte[]> {
    private final Duration horizon;
    private final long bucketMillis;
    private final RecentLineKeys committed;
    private final Counter out = MetricNames.counter(MetricNames.LINES_OUT);

    @StateId("seen")
    private final StateSpec<MapState<Long, Long>> seenSpec =
        StateSpecs.map(VarLongCoder.of(), VarLongCoder.of());

    @StateId("forgetAt")
    private final StateSpec<ValueState<Long>> forgetAtSpec = StateSpecs.value(VarLongCoder.of());

    @TimerId("forget")
    private final TimerSpec forgetSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    KeepFirstCopyFn(Duration horizon, RecentLineKeys committed) {
      this.horizon = horizon;
      this.bucketMillis = Math.max(1, horizon.getMillis() / BUCKETS_PER_HORIZON);
      this.committed = committed;
    }

    @ProcessElement
    public void process(
        @Element KV<Integer, byte[]> lines,
        @Timestamp Instant readAt,
        @StateId("seen") MapState<Long, Long> seen,
        @StateId("forgetAt") ValueState<Long> forgetAt,
        @TimerId("forget") Timer forget,
        OutputReceiver<byte[]> output)
        throws CoderException {
      long expiry = roundUp(readAt.getMillis() + horizon.getMillis());
      // one boxed value for the whole batch: Flink's heap state keeps the object it is given, so
      // every line of the batch shares it (16 bytes and an object less per line held)
      Long forgetTime = expiry;
      byte[] batch = lines.getValue();
      EncodedRows first = new EncodedRows(batch.length);
      long kept = 0;
      long dropped = 0;
      for (int pos = 0; pos < batch.length; ) {
        long hash = EncodedRows.readLong(batch, pos);
        pos += 8;
        int length = EncodedRows.rowLength(batch, pos);
        if (seen.get(hash).read() != null) {
          dropped++;
        } else {
          seen.put(hash, forgetTime);
          if (committed.containsKeyHash(hash)) {
            dropped++;
          } else {
            first.addEncoded(batch, pos, length);
            kept++;
          }
        }
        pos += length;
      }
      Long next = forgetAt.read();
      if (next == null || expiry < next) {
        forgetAt.write(expiry);
        forget.set(new Instant(expiry));
      }
      if (dropped > 0) {
        LiveCounters.add(MetricNames.DUPLICATES_DROPPED, dropped);
      }
      if (kept > 0) {
        out.inc(kept);
        output.output(first.toByteArray());
      }
    }

    private long roundUp(long millis) {
      return Math.floorDiv(millis + bucketMillis - 1, bucketMillis) * bucketMillis;
    }

    @OnTimer("forget")
    public void onForget(
        OnTimerContext context,
        @StateId("seen") MapState<Long, Long> seen,
        @StateId("forgetAt") ValueState<Long> forgetAt,
        @TimerId("forget") Timer forget) {
      long now = context.fireTimestamp().getMillis();
      List<Long> gone = new ArrayList<>();
      long next = Long.MAX_VALUE;
      for (Map.Entry<Long, Long> e : seen.entries().read()) {
        if (e.getValue() <= now) {
          gone.add(e.getKey());
        } else {
          next = Math.min(next, e.getValue());
        }
      }
      gone.forEach(seen::remove);
      if (next == Long.MAX_VALUE) {
        forgetAt.clear();
      } else {
        forgetAt.write(next);
        forget.set(new Instant(next));
      }
    }
  }
}
