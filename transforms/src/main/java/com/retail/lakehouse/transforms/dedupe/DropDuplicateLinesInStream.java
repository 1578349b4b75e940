package com.retail.lakehouse.transforms.dedupe;

import com.retail.lakehouse.transforms.contract.LineKey;
import com.retail.lakehouse.transforms.metrics.LiveCounters;
import com.retail.lakehouse.transforms.metrics.MetricNames;
import com.retail.lakehouse.transforms.tables.EncodedRows;
import com.retail.lakehouse.transforms.tables.TableRowCoder;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.metrics.Counter;
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
 * each shard keeps its keys' hashes in one value state, a primitive hash set ({@link HashBuckets})
 * in which each key sits in the time bucket its line is forgotten in (the horizon's end rounded up
 * to an eighth of the horizon), and one event-time timer per shard sheds a bucket of keys at a
 * time. Lines that earlier jobs committed within the horizon ({@link RecentLineKeys}, loaded from
 * the raw table when the job starts) are dropped too, so a restarted job does not re-add them.
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
 * in; a line stamped behind the time its shard has reached is kept until the shard's next bucket
 * leaves (on a shard holding no keys it is forgotten at once), which is one more reason the
 * streaming read's time never goes back.
 *
 * <p>Cost: state grows with the distinct lines of one horizon (plus up to an eighth): 10 bytes a
 * slot, 50% to 75% of the slots full, so 13 to 20 bytes a line, in two primitive arrays per shard
 * that the garbage collector does not trace. A map state entry per line (a boxed hash, a map node,
 * a lookup of key and namespace on Flink's heap state backend) cost the job 15-21% of its
 * throughput and ~2 GB of resident memory over 6 million lines (bench/results/profile-notes.md);
 * the first design, a value state and a timer per line key, about 1.3 KB a line. A shard's keys are
 * one state value, so a state backend that serializes on every access (RocksDB) would re-encode a
 * shard's keys for every batch: the job keeps Flink's heap backend. A copy is judged by its key's
 * 64-bit hash: a new line is taken for a copy with a chance of the keys held over 2^64.
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

  /** Shards of the line keys: each holds the keys of its lines in one value state. */
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
   * Per shard: the keys of the first copies held ({@link HeldKeys}), each in the bucket its line is
   * forgotten in (the end of the horizon, rounded up to a bucket); a copy whose key is held is
   * dropped. One event-time timer per shard sheds the buckets whose time has come.
   */
  static final class KeepFirstCopyFn extends DoFn<KV<Integer, byte[]>, byte[]> {
    private final Duration horizon;
    private final long bucketMillis;
    private final RecentLineKeys committed;
    private final Counter out = MetricNames.counter(MetricNames.LINES_OUT);

    @StateId("held")
    private final StateSpec<ValueState<HeldKeys>> heldSpec = StateSpecs.value(HeldKeys.CODER);

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
        @StateId("held") ValueState<HeldKeys> state,
        @TimerId("forget") Timer forget,
        OutputReceiver<byte[]> output)
        throws CoderException {
      // the bucket whose end is the first one at or after the end of the horizon
      long bucket = Math.floorDiv(readAt.getMillis() + horizon.getMillis() - 1, bucketMillis) + 1;
      HeldKeys held = state.read();
      if (held == null) {
        held = new HeldKeys(HashBuckets.forKeys(0), bucket - BUCKETS_PER_HORIZON - 1, NO_TIMER);
      }
      if (bucket < held.lowest) {
        bucket = held.lowest; // read behind the shard's clock: forgotten with the next bucket shed
      } else if (bucket - held.lowest > MAX_BUCKETS_HELD) {
        // read thousands of horizons ahead of the shard's clock (the watermark, which the timers
        // follow): every key held is that much older, and the ring of buckets could no longer
        // tell them from new ones, so the shard starts afresh from this batch's time
        held.keys = HashBuckets.forKeys(0);
        held.lowest = bucket - BUCKETS_PER_HORIZON - 1;
      }
      short inBucket = (short) bucket;
      byte[] batch = lines.getValue();
      EncodedRows first = new EncodedRows(batch.length);
      long kept = 0;
      long dropped = 0;
      for (int pos = 0; pos < batch.length; ) {
        long hash = EncodedRows.readLong(batch, pos);
        pos += 8;
        int length = EncodedRows.rowLength(batch, pos);
        if (held.keys.contains(hash)) {
          dropped++;
        } else {
          held.add(hash, inBucket);
          if (committed.containsKeyHash(hash)) {
            dropped++;
          } else {
            first.addEncoded(batch, pos, length);
            kept++;
          }
        }
        pos += length;
      }
      if (held.timer == NO_TIMER || bucket < held.timer) {
        held.timer = bucket;
        forget.set(new Instant(bucket * bucketMillis));
      }
      state.write(held);
      if (dropped > 0) {
        LiveCounters.add(MetricNames.DUPLICATES_DROPPED, dropped);
      }
      if (kept > 0) {
        out.inc(kept);
        output.output(first.toByteArray());
      }
    }

    @OnTimer("forget")
    public void onForget(
        OnTimerContext context,
        @StateId("held") ValueState<HeldKeys> state,
        @TimerId("forget") Timer forget) {
      HeldKeys held = state.read();
      if (held == null) {
        return;
      }
      // a bucket is due once its end has come
      long lowest = Math.floorDiv(context.fireTimestamp().getMillis(), bucketMillis) + 1;
      if (lowest > held.lowest) {
        held.lowest = lowest;
        held.keys = held.keys.withoutBucketsBefore(lowest);
      }
      if (held.keys.size() == 0) {
        state.clear();
        return;
      }
      // the next bucket's end: one scan of the shard's keys per bucket while it holds any
      held.timer = held.lowest;
      forget.set(new Instant(held.lowest * bucketMillis));
      state.write(held);
    }
  }

  /** No timer set. */
  static final long NO_TIMER = Long.MIN_VALUE;

  /**
   * How far ahead of the shard's lowest bucket a batch may be read (4,000 horizons) before the
   * shard starts afresh: within the span its ring of buckets tells apart ({@link
   * HashBuckets#MAX_BUCKET_SPAN}). A shard's clock is the watermark, the slowest reader's time, so
   * this allows for readers whose clocks differ by that much.
   */
  static final long MAX_BUCKETS_HELD = 4_000L * BUCKETS_PER_HORIZON;

  /**
   * The keys one shard holds, each in the bucket its line is forgotten in, with the lowest bucket
   * that may still be held and the bucket the shard's timer is set for. The whole shard is one
   * value state: the state backend handles one object per shard where a map state handled an entry
   * (a boxed key, a node, a lookup of key and namespace) per line, and the keys are two primitive
   * arrays the garbage collector does not trace. Changed in place, then written back: Flink's heap
   * state backend keeps the object it is given, and runners that copy state see the write.
   *
   * <p>The job therefore runs without Flink checkpoints ({@code StreamingIngest} refuses them):
   * with Beam's {@code --fasterCopy} a heap snapshot would share this object with the running job,
   * which changes it while the snapshot encodes it. Nothing needs them: a failed job restarts from
   * the tables' positions and loads the lines they committed within the horizon.
   */
  static final class HeldKeys {
    static final Coder<HeldKeys> CODER = new HeldKeysCoder();

    HashBuckets keys;
    long lowest;
    long timer;

    HeldKeys(HashBuckets keys, long lowest, long timer) {
      this.keys = keys;
      this.lowest = lowest;
      this.timer = timer;
    }

    void add(long hash, short bucket) {
      keys = keys.with(hash, bucket);
    }
  }

  /** Lowest bucket, timer bucket, key count, then each key's hash and bucket. */
  private static final class HeldKeysCoder extends AtomicCoder<HeldKeys> {
    @Override
    public void verifyDeterministic() throws NonDeterministicException {
      throw new NonDeterministicException(
          this, "a shard's keys are written in slot order, which differs between equal sets");
    }

    @Override
    public void encode(HeldKeys held, OutputStream to) throws IOException {
      DataOutputStream out = new DataOutputStream(to);
      out.writeLong(held.lowest);
      out.writeLong(held.timer);
      out.writeInt(held.keys.size());
      HashBuckets keys = held.keys;
      for (int slot = 0; slot < keys.capacity(); slot++) {
        long hash = keys.hashAt(slot);
        if (hash != 0) {
          out.writeLong(hash);
          out.writeShort(keys.bucketAt(slot));
        }
      }
      out.flush();
    }

    @Override
    public HeldKeys decode(InputStream from) throws IOException {
      DataInputStream in = new DataInputStream(from);
      long lowest = in.readLong();
      long timer = in.readLong();
      int count = in.readInt();
      if (count < 0) {
        throw new CoderException("a shard's keys cannot number " + count);
      }
      HeldKeys held = new HeldKeys(HashBuckets.forKeys(count), lowest, timer);
      for (int i = 0; i < count; i++) {
        held.add(in.readLong(), in.readShort());
      }
      return held;
    }
  }
}
