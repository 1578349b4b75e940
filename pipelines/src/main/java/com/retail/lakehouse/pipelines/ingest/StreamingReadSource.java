package com.retail.lakehouse.pipelines.ingest;

import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.io.UnboundedSource;
import org.apache.beam.sdk.metrics.BoundedTrie;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Distribution;
import org.apache.beam.sdk.metrics.Gauge;
import org.apache.beam.sdk.metrics.MetricName;
import org.apache.beam.sdk.metrics.MetricsContainer;
import org.apache.beam.sdk.metrics.MetricsEnvironment;
import org.apache.beam.sdk.metrics.StringSet;
import org.apache.beam.sdk.options.PipelineOptions;
import org.joda.time.Instant;

/**
 * An unbounded source that reads exactly as the source it wraps, with two changes for the streaming
 * job: the wrapped reader's own Beam metrics are dropped (what that reader reports while it reads
 * goes nowhere), and the read rests for a moment after each commit window ends.
 *
 * <p>Why: Beam's Flink runner pushes a source's metrics into Flink's after every record it reads,
 * walking all of them each time. With KafkaIO's reader (a dozen metrics: elements and bytes read,
 * per split, backlog gauges, a latency distribution) that was 45% of the streaming job's reading
 * thread, its bottleneck; without them, 30% (bench/results/profile-notes.md). Nothing of ours reads
 * those metrics: the job's accounting uses its own counters in later steps, and lag comes from the
 * consumer group's offsets. Everything else (records, timestamps, watermarks, checkpoint marks and
 * their finalization, splits, backlog, record ids) is the wrapped source's own.
 *
 * <p>Handing on records in batches would remove the rest of that work, and was tried: Flink's
 * operator after the read passes the watermark on only when a bundle of 1,000 elements is full, so
 * batches held the watermark back by seconds at live rates (freshness p99 from 13 s to 24 s at
 * 20,000 events/s) for no gain in throughput.
 *
 * <p>Why the rest: a commit window is written and committed once the watermark passes its end, and
 * Beam's Flink operators (2.70) pass a watermark on only while no bundle is open. Under a steady
 * stream every step of the read's chain has a bundle open almost all the time, so the watermark
 * crept through them: at 5,000 events/s the writers of a 10 s window started up to 31 s after it
 * ended (freshness p99 31.9 s), at 20,000/s 0.5-1.0 s after. Once the read time passes a window's
 * end the read rests (the streaming job: a fifth of the window, at most 0.4 s, on Flink only; not
 * while the reader reports a backlog of more than 16 MB, where it would only slow catching up), so
 * every step finishes its bundle by time and passes the watermark with none open: the writers then
 * start 0.2-0.6 s after the window ends (bench/results/freshness.md). While the read rests, {@code
 * advance()} says no record is available and the wrapped reader is not advanced, so no record is
 * skipped or read twice; its watermark (the read time) goes on rising, and KafkaIO's reader holds
 * the batch it polled last. Nothing depends on the rest for correctness, only on the watermark,
 * which comes later without it.
 */
final class StreamingReadSource<T, C extends UnboundedSource.CheckpointMark>
    extends UnboundedSource<T, C> {
  private final UnboundedSource<T, C> source;
  private final long windowMillis;
  private final long pauseMillis;
  private final ReadTimePolicy.ReadClock clock;

  private StreamingReadSource(
      UnboundedSource<T, C> source,
      long windowMillis,
      long pauseMillis,
      ReadTimePolicy.ReadClock clock) {
    this.source = source;
    this.windowMillis = windowMillis;
    this.pauseMillis = pauseMillis;
    this.clock = clock;
  }

  /**
   * Reads {@code source}, resting {@code pause} (on {@code clock}'s monotonic time) once a record's
   * timestamp has passed the end of a fixed window of {@code window}; a zero pause never rests.
   */
  static <T, C extends UnboundedSource.CheckpointMark> StreamingReadSource<T, C> of(
      UnboundedSource<T, C> source,
      java.time.Duration window,
      java.time.Duration pause,
      ReadTimePolicy.ReadClock clock) {
    if (source == null || clock == null) {
      throw new IllegalArgumentException("a source to read from and a clock are needed");
    }
    if (window == null
        || window.toMillis() < 1
        || pause == null
        || pause.isNegative()
        || pause.toMillis() >= window.toMillis()) {
      throw new IllegalArgumentException(
          "the read needs a window of at least 1 ms and a pause of 0 or more, shorter than the"
              + " window, got "
              + window
              + " and "
              + pause);
    }
    return new StreamingReadSource<>(source, window.toMillis(), pause.toMillis(), clock);
  }

  @Override
  public List<StreamingReadSource<T, C>> split(int desiredNumSplits, PipelineOptions options)
      throws Exception {
    List<StreamingReadSource<T, C>> splits = new ArrayList<>();
    for (UnboundedSource<T, C> split : source.split(desiredNumSplits, options)) {
      splits.add(new StreamingReadSource<>(split, windowMillis, pauseMillis, clock));
    }
    return splits;
  }

  @Override
  public UnboundedReader<T> createReader(PipelineOptions options, C checkpointMark)
      throws IOException {
    UnboundedReader<T> reader;
    try (Closeable quiet = quiet()) {
      reader = source.createReader(options, checkpointMark);
    }
    return new StreamingReader<>(this, reader);
  }

  @Override
  public Coder<C> getCheckpointMarkCoder() {
    return source.getCheckpointMarkCoder();
  }

  @Override
  public boolean requiresDeduping() {
    return source.requiresDeduping();
  }

  @Override
  public boolean offsetBasedDeduplicationSupported() {
    return source.offsetBasedDeduplicationSupported();
  }

  @Override
  public Coder<T> getOutputCoder() {
    return source.getOutputCoder();
  }

  @Override
  public void validate() {
    source.validate();
  }

  private static Closeable quiet() {
    return MetricsEnvironment.scopedMetricsContainer(NoMetrics.INSTANCE);
  }

  /**
   * The wrapped reader, its reading and checkpointing done with metrics dropped, resting after each
   * window end.
   */
  static final class StreamingReader<T> extends UnboundedReader<T> {
    /** A backlog above this (~40,000 POS messages, 2 s at 20,000/s) is a read behind. */
    static final long BEHIND_BYTES = 16L * 1024 * 1024;

    private final StreamingReadSource<T, ?> source;
    private final UnboundedReader<T> reader;
    private long nextWindowEnd = Long.MIN_VALUE;
    private boolean resting;
    private long restEndsNanos;

    StreamingReader(StreamingReadSource<T, ?> source, UnboundedReader<T> reader) {
      this.source = source;
      this.reader = reader;
    }

    /**
     * After a record is read: once a record's read time (the time its window is taken from) reaches
     * the end of the window the read was in, the read rests before the next record.
     */
    private boolean read(boolean available) {
      if (available && source.pauseMillis > 0) {
        long readAt = reader.getCurrentTimestamp().getMillis();
        long windowEnd =
            Math.floorDiv(readAt, source.windowMillis) * source.windowMillis + source.windowMillis;
        // a read that is behind (a backlog) rests not: its bundles fill and finish by count, and a
        // rest would only slow the catching up; the first record ends no window
        if (nextWindowEnd != Long.MIN_VALUE
            && readAt >= nextWindowEnd
            && !behind(reader.getSplitBacklogBytes())) {
          resting = true;
          restEndsNanos = source.clock.monotonicNanos() + source.pauseMillis * 1_000_000L;
        }
        // never back: another partition's record of the window before starts no second rest
        nextWindowEnd = Math.max(nextWindowEnd, windowEnd);
      }
      return available;
    }

    /** Whether the wrapped reader's backlog says the read is behind (an unknown one does not). */
    static boolean behind(long backlogBytes) {
      return backlogBytes != BACKLOG_UNKNOWN && backlogBytes > BEHIND_BYTES;
    }

    /** Whether the read rests now: for the pause after a record of a new window was read. */
    private boolean resting() {
      if (resting && source.clock.monotonicNanos() - restEndsNanos >= 0) {
        resting = false;
      }
      return resting;
    }

    @Override
    public boolean start() throws IOException {
      try (Closeable quiet = quiet()) {
        return read(reader.start());
      }
    }

    @Override
    public boolean advance() throws IOException {
      if (resting()) {
        return false; // no record now; the wrapped reader stays where it is
      }
      try (Closeable quiet = quiet()) {
        return read(reader.advance());
      }
    }

    @Override
    public T getCurrent() throws NoSuchElementException {
      return reader.getCurrent();
    }

    @Override
    public Instant getCurrentTimestamp() throws NoSuchElementException {
      return reader.getCurrentTimestamp();
    }

    @Override
    public byte[] getCurrentRecordId() throws NoSuchElementException {
      return reader.getCurrentRecordId();
    }

    @Override
    public byte[] getCurrentRecordOffset() {
      return reader.getCurrentRecordOffset();
    }

    @Override
    public Instant getWatermark() {
      return reader.getWatermark();
    }

    @Override
    public CheckpointMark getCheckpointMark() {
      try (Closeable quiet = quiet()) {
        return reader.getCheckpointMark();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }

    @Override
    public long getSplitBacklogBytes() {
      return reader.getSplitBacklogBytes();
    }

    @Override
    public long getTotalBacklogBytes() {
      return reader.getTotalBacklogBytes();
    }

    @Override
    public UnboundedSource<T, ?> getCurrentSource() {
      return source;
    }

    @Override
    public void close() throws IOException {
      reader.close();
    }
  }

  /** A metrics container that keeps nothing. */
  private enum NoMetrics
      implements MetricsContainer, Counter, Distribution, Gauge, StringSet, BoundedTrie {
    INSTANCE;

    private static final MetricName NAME = MetricName.named(StreamingReadSource.class, "none");

    @Override
    public Counter getCounter(MetricName metricName) {
      return this;
    }

    @Override
    public Distribution getDistribution(MetricName metricName) {
      return this;
    }

    @Override
    public Gauge getGauge(MetricName metricName) {
      return this;
    }

    @Override
    public StringSet getStringSet(MetricName metricName) {
      return this;
    }

    @Override
    public BoundedTrie getBoundedTrie(MetricName metricName) {
      return this;
    }

    @Override
    public MetricName getName() {
      return NAME;
    }

    @Override
    public void inc() {}

    @Override
    public void inc(long n) {}

    @Override
    public void dec() {}

    @Override
    public void dec(long n) {}

    @Override
    public void update(long value) {}

    @Override
    public void update(long sum, long count, long min, long max) {}

    @Override
    public void set(long value) {}

    @Override
    public void add(String value) {}

    @Override
    public void add(Iterable<String> values) {}

    @Override
    public void add(String... values) {}
  }
}
