package com.retail.lakehouse.transforms.dedupe;

import com.retail.lakehouse.transforms.contract.LineKey;
import com.retail.lakehouse.transforms.metrics.LiveCounters;
import com.retail.lakehouse.transforms.metrics.MetricNames;
import org.apache.beam.sdk.coders.BooleanCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
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
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Duration;
import org.joda.time.Instant;

/**
 * Streaming de-duplication: keeps the first copy of each line (its contract's line key, for POS
 * transaction_id and line_number) and drops copies that arrive within the horizon after it, across
 * commit windows, with one state cell per line key that an event-time timer clears once the horizon
 * has passed. Lines that earlier jobs committed within the horizon ({@link RecentLineKeys}, loaded
 * from the raw table when the job starts) are dropped too, so a restarted job does not re-add them.
 *
 * <p>Timestamps are the time a message was read, so the horizon is measured in ingest time: an
 * event whose own event_time is hours old is still a valid, new line (late data is kept). A line
 * stamped behind the watermark would be forgotten that much early, which is one more reason the
 * streaming read's time never goes back.
 *
 * <p>Cost: state grows with the number of distinct lines per horizon (about 100 bytes each on
 * Flink's heap state backend); for long horizons at high rates use Flink's RocksDB state backend.
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
        .apply("KeyByLine", ParDo.of(new KeyByLineFn(committed.key())))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), lines.getCoder()))
        .apply("KeepFirstCopyWithinHorizon", ParDo.of(new KeepFirstCopyFn(horizon, committed)))
        .setCoder(lines.getCoder());
  }

  static final class KeyByLineFn extends DoFn<Row, KV<String, Row>> {
    private final Counter in = MetricNames.counter(MetricNames.LINES_IN);
    private final LineKey key;

    KeyByLineFn(LineKey key) {
      this.key = key;
    }

    @ProcessElement
    public void process(@Element Row row, OutputReceiver<KV<String, Row>> out) {
      in.inc();
      out.output(KV.of(key.asString(row), row));
    }
  }

  /** Per line key: the first copy passes and starts the horizon; later copies are dropped. */
  static final class KeepFirstCopyFn extends DoFn<KV<String, Row>, Row> {
    private final Duration horizon;
    private final RecentLineKeys committed;
    private final Counter out = MetricNames.counter(MetricNames.LINES_OUT);

    @StateId("seen")
    private final StateSpec<ValueState<Boolean>> seenSpec = StateSpecs.value(BooleanCoder.of());

    @TimerId("forget")
    private final TimerSpec forgetSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    KeepFirstCopyFn(Duration horizon, RecentLineKeys committed) {
      this.horizon = horizon;
      this.committed = committed;
    }

    @ProcessElement
    public void process(
        @Element KV<String, Row> line,
        @Timestamp Instant readAt,
        @StateId("seen") ValueState<Boolean> seen,
        @TimerId("forget") Timer forget,
        OutputReceiver<Row> output) {
      if (seen.read() != null) {
        LiveCounters.add(MetricNames.DUPLICATES_DROPPED, 1);
        return;
      }
      seen.write(true);
      forget.set(readAt.plus(horizon));
      Row row = line.getValue();
      if (committed.contains(row)) {
        LiveCounters.add(MetricNames.DUPLICATES_DROPPED, 1);
        return;
      }
      out.inc();
      output.output(row);
    }

    @OnTimer("forget")
    public void onForget(@StateId("seen") ValueState<Boolean> seen) {
      seen.clear();
    }
  }
}
