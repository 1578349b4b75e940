package com.retail.lakehouse.pipelines.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import java.util.Random;
import org.apache.beam.sdk.io.kafka.TimestampPolicy;
import org.apache.kafka.common.TopicPartition;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The streaming read's time per partition, on clocks the test sets: the wall clock while it runs
 * forward, and never a step back, whatever the wall clock does.
 */
class ReadTimePolicyTest {
  private static final long T = Instant.parse("2026-11-24T12:00:00Z").getMillis();
  private static final long DAY = Duration.ofDays(1).toMillis();
  private static final TopicPartition PARTITION = new TopicPartition("pos", 0);

  /** A wall clock and a monotonic clock that move only when told. */
  static final class SetClock implements ReadTimePolicy.ReadClock {
    long wall;
    long nanos;

    SetClock(long wall) {
      this.wall = wall;
    }

    /** Time passes: both clocks move on. */
    void pass(long millis) {
      wall += millis;
      nanos += millis * 1_000_000;
    }

    @Override
    public long wallMillis() {
      return wall;
    }

    @Override
    public long monotonicNanos() {
      return nanos;
    }
  }

  private static TimestampPolicy<byte[], byte[]> policy(SetClock clock) {
    return new ReadTimePolicy(clock).createTimestampPolicy(PARTITION, Optional.empty());
  }

  private static long stamp(TimestampPolicy<byte[], byte[]> policy) {
    return policy.getTimestampForRecord(null, null).getMillis();
  }

  private static long watermark(TimestampPolicy<byte[], byte[]> policy) {
    return policy.getWatermark(null).getMillis();
  }

  @Test
  void stampsAndWatermarkAreTheWallClockWhileItRunsForward() {
    SetClock clock = new SetClock(T);
    TimestampPolicy<byte[], byte[]> policy = policy(clock);
    assertThat(stamp(policy)).isEqualTo(T);
    clock.pass(1_500);
    assertThat(stamp(policy)).isEqualTo(T + 1_500);
    clock.pass(10_000); // idle: the watermark follows the clock
    assertThat(watermark(policy)).isEqualTo(T + 11_500);
  }

  @Test
  void afterTheWallClockStepsBackTheReadTimeRunsOnFromWhereItWas() {
    SetClock clock = new SetClock(T);
    TimestampPolicy<byte[], byte[]> policy = policy(clock);
    assertThat(watermark(policy)).isEqualTo(T);

    clock.wall -= Duration.ofMinutes(10).toMillis();
    assertThat(stamp(policy)).isEqualTo(T);
    clock.pass(2_000);
    assertThat(stamp(policy)).isEqualTo(T + 2_000);
    clock.pass(3_000);
    assertThat(watermark(policy)).isEqualTo(T + 5_000);

    // stepped forward again past the read time: the wall clock once more
    clock.wall = T + Duration.ofMinutes(20).toMillis();
    assertThat(stamp(policy)).isEqualTo(clock.wall);
  }

  @Test
  void aClockThatRanADayAheadAndIsSetBackDoesNotStallTheWatermark() {
    SetClock clock = new SetClock(T + DAY);
    TimestampPolicy<byte[], byte[]> policy = policy(clock);
    assertThat(stamp(policy)).isEqualTo(T + DAY);

    clock.wall = T; // corrected
    for (int window = 1; window <= 6; window++) {
      clock.pass(10_000);
      // a 10 s commit window closes every 10 s, a day ahead of the wall clock
      assertThat(watermark(policy)).isEqualTo(T + DAY + window * 10_000L);
    }
  }

  @Test
  void stepsShorterThanAMillisecondAddUpWhileTheWallClockIsBehind() {
    SetClock clock = new SetClock(T);
    TimestampPolicy<byte[], byte[]> policy = policy(clock);
    stamp(policy);
    clock.wall = T - 60_000;
    for (int i = 0; i < 1_000; i++) {
      clock.nanos += 100_000; // a message every 0.1 ms
      stamp(policy);
    }
    assertThat(stamp(policy)).isEqualTo(T + 100);
  }

  @Test
  void aReaderResumedFromItsCheckpointGoesOnFromTheCheckpointedWatermark() {
    SetClock clock = new SetClock(T - 60_000); // the wall clock stepped back before the resume
    TimestampPolicy<byte[], byte[]> resumed =
        new ReadTimePolicy(clock).createTimestampPolicy(PARTITION, Optional.of(new Instant(T)));
    assertThat(stamp(resumed)).isEqualTo(T);
    clock.pass(500);
    assertThat(stamp(resumed)).isEqualTo(T + 500);

    SetClock ahead = new SetClock(T + 60_000); // the usual case: the wall clock is past it
    TimestampPolicy<byte[], byte[]> fresh =
        new ReadTimePolicy(ahead).createTimestampPolicy(PARTITION, Optional.of(new Instant(T)));
    assertThat(stamp(fresh)).isEqualTo(T + 60_000);
  }

  @Test
  void noStampIsEverBehindAnEarlierStampOrWatermark() {
    Random random = new Random(7);
    SetClock clock = new SetClock(T);
    TimestampPolicy<byte[], byte[]> policy = policy(clock);
    long latest = Long.MIN_VALUE;
    for (int i = 0; i < 100_000; i++) {
      clock.pass(random.nextInt(50));
      if (random.nextInt(1_000) == 0) {
        clock.wall += (random.nextBoolean() ? 1 : -1) * random.nextInt((int) DAY);
      }
      long time = random.nextBoolean() ? stamp(policy) : watermark(policy);
      assertThat(time).isGreaterThanOrEqualTo(latest);
      latest = time;
    }
  }
}
