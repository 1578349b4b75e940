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
 * An unbounded source that reads exactly as the source it wraps, with the wrapped reader's own Beam
 * metrics dropped: what that reader reports while it reads goes nowhere.
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
 */
final class WithoutReaderMetrics<T, C extends UnboundedSource.CheckpointMark>
    extends UnboundedSource<T, C> {
  private final UnboundedSource<T, C> source;

  private WithoutReaderMetrics(UnboundedSource<T, C> source) {
    this.source = source;
  }

  static <T, C extends UnboundedSource.CheckpointMark> WithoutReaderMetrics<T, C> of(
      UnboundedSource<T, C> source) {
    if (source == null) {
      throw new IllegalArgumentException("a source to read from is needed");
    }
    return new WithoutReaderMetrics<>(source);
  }

  @Override
  public List<WithoutReaderMetrics<T, C>> split(int desiredNumSplits, PipelineOptions options)
      throws Exception {
    List<WithoutReaderMetrics<T, C>> splits = new ArrayList<>();
    for (UnboundedSource<T, C> split : source.split(desiredNumSplits, options)) {
      splits.add(new WithoutReaderMetrics<>(split));
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
    return new QuietReader<>(this, reader);
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

  /** The wrapped reader, its reading and checkpointing done with metrics dropped. */
  private static final class QuietReader<T> extends UnboundedReader<T> {
    private final WithoutReaderMetrics<T, ?> source;
    private final UnboundedReader<T> reader;

    QuietReader(WithoutReaderMetrics<T, ?> source, UnboundedReader<T> reader) {
      this.source = source;
      this.reader = reader;
    }

    @Override
    public boolean start() throws IOException {
      try (Closeable quiet = quiet()) {
        return reader.start();
      }
    }

    @Override
    public boolean advance() throws IOException {
      try (Closeable quiet = quiet()) {
        return reader.advance();
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

    private static final MetricName NAME = MetricName.named(WithoutReaderMetrics.class, "none");

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
