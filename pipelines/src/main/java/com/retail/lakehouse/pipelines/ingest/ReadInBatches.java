package com.retail.lakehouse.pipelines.ingest;

import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.ListCoder;
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
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Instant;

/**
 * An unbounded source that reads what the source it wraps reads, handing on up to {@value
 * #MAX_BATCH} records at a time: one element is a batch of the records the wrapped reader had
 * ready, each with its own timestamp. The wrapped reader's own Beam metrics are dropped.
 *
 * <p>Why: Beam's Flink runner does fixed work for every element a source emits, above all pushing
 * the source's metrics into Flink's (it did so even for a source without metrics). With KafkaIO's
 * reader that was 45% of the streaming job's reading thread, its bottleneck, and still 30% with the
 * reader's metrics dropped (bench/results/profile-notes.md). A batch pays it once. Nothing of ours
 * reads the reader's metrics: the job's accounting uses its own counters in later steps, and lag
 * comes from the consumer group's offsets.
 *
 * <p>What stays as it was: every record in order, with the timestamp the wrapped reader gave it
 * (the step after the read emits each record with it); the watermark, which is the wrapped reader's
 * after the batch, so it is emitted after the batch and holds back no later record; the checkpoint
 * mark, which is the wrapped reader's, taken between batches, so it covers exactly the records
 * handed on; splits, backlog and finalization (KafkaIO commits the group's offsets). A batch holds
 * what the wrapped reader has ready (KafkaIO's reader waits at most a few milliseconds for a
 * record, once per batch, as it did per record before). The batch's own timestamp is its earliest
 * record's, so no record is emitted before it.
 *
 * <p>The batch size bounds how long the watermark waits under a backlog: Flink's step after the
 * read finishes a bundle (and only then passes the watermark on) after 1,000 input elements, so 100
 * records a batch let the watermark move at least every 100,000 records, a few seconds of reading.
 * A hundred records still spread the runner's work per element over a hundred.
 */
final class ReadInBatches<T, C extends UnboundedSource.CheckpointMark>
    extends UnboundedSource<List<TimestampedValue<T>>, C> {
  static final int MAX_BATCH = 100;
  private final UnboundedSource<T, C> source;

  private ReadInBatches(UnboundedSource<T, C> source) {
    this.source = source;
  }

  static <T, C extends UnboundedSource.CheckpointMark> ReadInBatches<T, C> of(
      UnboundedSource<T, C> source) {
    if (source == null) {
      throw new IllegalArgumentException("a source to read from is needed");
    }
    return new ReadInBatches<>(source);
  }

  @Override
  public List<ReadInBatches<T, C>> split(int desiredNumSplits, PipelineOptions options)
      throws Exception {
    List<ReadInBatches<T, C>> splits = new ArrayList<>();
    for (UnboundedSource<T, C> split : source.split(desiredNumSplits, options)) {
      splits.add(new ReadInBatches<>(split));
    }
    return splits;
  }

  @Override
  public UnboundedReader<List<TimestampedValue<T>>> createReader(
      PipelineOptions options, C checkpointMark) throws IOException {
    UnboundedReader<T> reader;
    try (Closeable quiet = quiet()) {
      reader = source.createReader(options, checkpointMark);
    }
    return new BatchReader<>(this, reader);
  }

  @Override
  public Coder<C> getCheckpointMarkCoder() {
    return source.getCheckpointMarkCoder();
  }

  @Override
  public boolean requiresDeduping() {
    if (source.requiresDeduping()) {
      // a batch has no record id of its own; KafkaIO's reader needs none
      throw new IllegalStateException("batching a source that needs de-duplication by record id");
    }
    return false;
  }

  @Override
  public Coder<List<TimestampedValue<T>>> getOutputCoder() {
    return ListCoder.of(TimestampedValue.TimestampedValueCoder.of(source.getOutputCoder()));
  }

  @Override
  public void validate() {
    source.validate();
  }

  private static Closeable quiet() {
    return MetricsEnvironment.scopedMetricsContainer(NoMetrics.INSTANCE);
  }

  /** Gathers the wrapped reader's ready records into batches; metrics dropped. */
  private static final class BatchReader<T> extends UnboundedReader<List<TimestampedValue<T>>> {
    private final ReadInBatches<T, ?> source;
    private final UnboundedReader<T> reader;
    private List<TimestampedValue<T>> current;
    private Instant currentTimestamp;

    BatchReader(ReadInBatches<T, ?> source, UnboundedReader<T> reader) {
      this.source = source;
      this.reader = reader;
    }

    @Override
    public boolean start() throws IOException {
      try (Closeable quiet = quiet()) {
        return gather(reader.start());
      }
    }

    @Override
    public boolean advance() throws IOException {
      try (Closeable quiet = quiet()) {
        return gather(reader.advance());
      }
    }

    /** Takes the record the reader stands on, if any, and what else it has ready. */
    private boolean gather(boolean available) throws IOException {
      current = null;
      currentTimestamp = null;
      if (!available) {
        return false;
      }
      List<TimestampedValue<T>> batch = new ArrayList<>();
      Instant earliest = null;
      do {
        Instant timestamp = reader.getCurrentTimestamp();
        batch.add(TimestampedValue.of(reader.getCurrent(), timestamp));
        if (earliest == null || timestamp.isBefore(earliest)) {
          earliest = timestamp;
        }
      } while (batch.size() < MAX_BATCH && reader.advance());
      current = batch;
      currentTimestamp = earliest;
      return true;
    }

    @Override
    public List<TimestampedValue<T>> getCurrent() throws NoSuchElementException {
      if (current == null) {
        throw new NoSuchElementException("no batch read");
      }
      return current;
    }

    @Override
    public Instant getCurrentTimestamp() throws NoSuchElementException {
      if (currentTimestamp == null) {
        throw new NoSuchElementException("no batch read");
      }
      return currentTimestamp;
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
    public UnboundedSource<List<TimestampedValue<T>>, ?> getCurrentSource() {
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

    private static final MetricName NAME = MetricName.named(ReadInBatches.class, "none");

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
