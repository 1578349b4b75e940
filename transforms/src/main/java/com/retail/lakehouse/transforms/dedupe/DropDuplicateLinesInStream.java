package com.retail.lakehouse.transforms.dedupe;

import com.retail.lakehouse.transforms.contract.LineKey;
import com.retail.lakehouse.transforms.metrics.LiveCounters;
import com.retail.lakehouse.transforms.metrics.MetricNames;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * <p>Timestamps are the time a message was read, so the horizon is measured in ingest time: an
 * event whose own event_time is hours old is still a valid, new line (late data is kept). A line
 * stamped behind the watermark would be forgotten that much early, which is one more reason the
 * streaming read's time never goes back.
 *
 * <p>Cost: state grows with the distinct lines of one horizon (plus up to an eighth), one map entry
 * each: two boxed longs in a hash map on Flink's heap state backend. The first design, a value
 * state and a timer per line key, cost about 1.3 KB a line there (bench soak: heap floor rising 660
 * MiB over 500,000 lines); for long horizons at high rates use Flink's RocksDB state backend. A
 * copy is judged by its key's 64-bit hash: a new line is taken for a copy with a chance of the keys
 * held over 2^64.
 */
public final class DropDuplicateLinesInStream
    extends PTransform<PCollection<Row>, PCollection<Row>> {
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
  public PCollection<Row> expand(PCollection<Row> lines) {
    return lines
        .apply("KeyByShard", ParDo.of(new KeyByShardFn(committed.key())))
        .setCoder(KvCoder.of(VarIntCoder.of(), lines.getCoder()))
        .apply("KeepFirstCopyWithinHorizon", ParDo.of(new KeepFirstCopyFn(horizon, committed)))
        .setCoder(lines.getCoder());
  }

  /** Shards of the line keys: each holds the keys of its lines in one map state. */
  static final int SHARDS = 64;

  /** Buckets per horizon: keys leave a shard's state a bucket at a time. */
  static final int BUCKETS_PER_HORIZON = 8;

  static final class KeyByShardFn extends DoFn<Row, KV<Integer, Row>> {
    private final Counter in = MetricNames.counter(MetricNames.LINES_IN);
    private final LineKey key;

    KeyByShardFn(LineKey key) {
      this.key = key;
    }

    @ProcessElement
    public void process(@Element Row row, OutputReceiver<KV<Integer, Row>> out) {
      in.inc();
      long hash = LineKeyIndex.hash(key.id(row), key.line(row));
      out.output(KV.of((int) Math.floorMod(hash, (long) SHARDS), row));
    }
  }

  /**
   * Per shard: a map from line-key hash to the time its first copy is forgotten (the end of the
   * horizon, rounded up to a bucket); a copy whose key is in the map is dropped. One event-time
   * timer per shard removes the keys whose time has come, a bucket at a time.
   */
  static final class KeepFirstCopyFn extends DoFn<KV<Integer, Row>, Row> {
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
        @Element KV<Integer, Row> line,
        @Timestamp Instant readAt,
        @StateId("seen") MapState<Long, Long> seen,
        @StateId("forgetAt") ValueState<Long> forgetAt,
        @TimerId("forget") Timer forget,
        OutputReceiver<Row> output) {
      Row row = line.getValue();
      LineKey key = committed.key();
      long hash = LineKeyIndex.hash(key.id(row), key.line(row));
      if (seen.get(hash).read() != null) {
        LiveCounters.add(MetricNames.DUPLICATES_DROPPED, 1);
        return;
      }
      long expiry = roundUp(readAt.getMillis() + horizon.getMillis());
      seen.put(hash, expiry);
      Long next = forgetAt.read();
      if (next == null || expiry < next) {
        forgetAt.write(expiry);
        forget.set(new Instant(expiry));
      }
      if (committed.contains(row)) {
        LiveCounters.add(MetricNames.DUPLICATES_DROPPED, 1);
        return;
      }
      out.inc();
      output.output(row);
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
