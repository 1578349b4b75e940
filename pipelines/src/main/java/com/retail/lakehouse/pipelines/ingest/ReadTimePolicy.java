package com.retail.lakehouse.pipelines.ingest;

import java.io.Serializable;
import java.util.Optional;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.io.kafka.TimestampPolicy;
import org.apache.beam.sdk.io.kafka.TimestampPolicyFactory;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.kafka.common.TopicPartition;
import org.joda.time.Instant;

/**
 * The timestamps and watermark of the streaming read: each message is stamped with the time it was
 * read, and the watermark is that time now, as with KafkaIO's processing-time policy, except that
 * within a partition the time never goes back.
 *
 * <p>Why: rows are windowed by these stamps, and a window's grouping allows no lateness. With the
 * wall clock's time, a clock stepped back (an NTP correction) after the watermark had passed made
 * the next messages late: their rows were dropped, and the next window's commit recorded a position
 * past their offsets (in WallClockStepsBackTest, every message of the batch read after a 10-minute
 * step back).
 *
 * <p>The read time of a partition is the wall clock while the wall clock is at or past the latest
 * time handed out (a stamp or the watermark). When the wall clock is behind it, the read time runs
 * on from there at the pace of the JVM's monotonic clock, so windows keep closing every commit
 * interval and nothing stalls, however far the wall clock went forward before it came back (a day
 * ahead and back: no stall, no late row). The read time then stays that far ahead of the wall clock
 * (both run at the same pace) until the wall clock steps forward again or the job ends: only the
 * windows' and the de-duplication horizon's times are shifted (the rows' {@code ingest_time} is the
 * wall clock's), and a new job starts from the wall clock again. A reader that KafkaIO resumes from
 * its checkpoint (the direct runner does so now and then) goes on from the checkpoint's watermark,
 * which is at or past every stamp its partition gave: the direct runner asks for the watermark
 * after reading a bundle and before taking the checkpoint.
 */
final class ReadTimePolicy implements TimestampPolicyFactory<byte[], byte[]> {
  private final ReadClock clock;

  ReadTimePolicy(ReadClock clock) {
    this.clock = clock;
  }

  @Override
  public TimestampPolicy<byte[], byte[]> createTimestampPolicy(
      TopicPartition partition, Optional<Instant> previousWatermark) {
    return new OnePartition(
        clock, previousWatermark.orElse(BoundedWindow.TIMESTAMP_MIN_VALUE).getMillis());
  }

  /** Where the read takes the time from: the wall clock, and a monotonic clock. */
  interface ReadClock extends Serializable {
    /** The wall clock, in milliseconds since the epoch; it can step back or forward. */
    long wallMillis();

    /** A clock that only runs forward, for elapsed time (System.nanoTime's contract). */
    long monotonicNanos();
  }

  /** The system's clocks. */
  enum SystemClock implements ReadClock {
    INSTANCE;

    @Override
    public long wallMillis() {
      return System.currentTimeMillis();
    }

    @Override
    public long monotonicNanos() {
      return System.nanoTime();
    }
  }

  /** The read time of one partition; its stamps and watermarks never go back. */
  static final class OnePartition extends TimestampPolicy<byte[], byte[]> {
    private final ReadClock clock;
    private long latestMillis;
    // While the wall clock is behind, the read time is anchorMillis plus the monotonic time since
    // anchorNanos (one fixed anchor, so sub-millisecond steps add up instead of being rounded off).
    private long anchorMillis;
    private long anchorNanos;

    OnePartition(ReadClock clock, long resumeFromMillis) {
      this.clock = clock;
      this.latestMillis = resumeFromMillis;
      this.anchorMillis = resumeFromMillis;
      this.anchorNanos = clock.monotonicNanos();
    }

    @Override
    public Instant getTimestampForRecord(
        PartitionContext context, KafkaRecord<byte[], byte[]> record) {
      return now();
    }

    @Override
    public Instant getWatermark(PartitionContext context) {
      return now(); // no later message can be stamped before it, so none is ever late
    }

    private Instant now() {
      long wall = clock.wallMillis();
      long nanos = clock.monotonicNanos();
      if (wall >= latestMillis) {
        latestMillis = wall;
        anchorMillis = wall;
        anchorNanos = nanos;
      } else {
        latestMillis = Math.max(latestMillis, anchorMillis + (nanos - anchorNanos) / 1_000_000);
      }
      return new Instant(latestMillis);
    }
  }
}
