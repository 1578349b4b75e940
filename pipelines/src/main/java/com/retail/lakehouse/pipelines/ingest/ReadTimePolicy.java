package com.retail.lakehouse.pipelines.ingest;

import java.io.Serializable;
import java.util.Optional;
import org.apache.beam.sdk.io.kafka.KafkaRecord;
import org.apache.beam.sdk.io.kafka.TimestampPolicy;
import org.apache.beam.sdk.io.kafka.TimestampPolicyFactory;
import org.apache.kafka.common.TopicPartition;
import org.joda.time.Instant;

/**
 * The timestamps and watermark of the streaming read: each message is stamped with the time it was
 * read, and the watermark is the time now (what KafkaIO's processing-time policy does), both taken
 * from a {@link ReadClock} so that a test can step it.
 */
final class ReadTimePolicy implements TimestampPolicyFactory<byte[], byte[]> {
  private final ReadClock clock;

  ReadTimePolicy(ReadClock clock) {
    this.clock = clock;
  }

  @Override
  public TimestampPolicy<byte[], byte[]> createTimestampPolicy(
      TopicPartition partition, Optional<Instant> previousWatermark) {
    return new OnePartition(clock);
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

  /** The policy of one partition. */
  static final class OnePartition extends TimestampPolicy<byte[], byte[]> {
    private final ReadClock clock;

    OnePartition(ReadClock clock) {
      this.clock = clock;
    }

    @Override
    public Instant getTimestampForRecord(
        PartitionContext context, KafkaRecord<byte[], byte[]> record) {
      return new Instant(clock.wallMillis());
    }

    @Override
    public Instant getWatermark(PartitionContext context) {
      return new Instant(clock.wallMillis());
    }
  }
}
