package com.retail.lakehouse.pipelines.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.retail.lakehouse.pipelines.ingest.ReadTimePolicyTest.SetClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.io.UnboundedSource;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.util.SerializableUtils;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The streaming read rests for its pause once a record's read time has passed the end of a commit
 * window, and only then: while it rests no record is available, and afterwards the wrapped reader
 * goes on where it stood, so every record is read once, in order.
 */
class StreamingReadSourceTest {
  private static final long W = 10_000;
  private static final long T = 1_796_400_000_000L; // a window start
  private static final Duration WINDOW = Duration.ofMillis(W);
  private static final Duration PAUSE = Duration.ofMillis(400);

  private final SetClock clock = new SetClock(T);
  private final List<Long> read = new ArrayList<>();

  @Test
  void restsForThePauseAfterEachWindowEndAndLosesNoRecord() throws Exception {
    // records 0..6 read at these times: 5 s into a window, the last moment of it, the next window
    // (a rest begins after it), two more there, then two in the window after
    Stamps stamps =
        new Stamps(T + 5_000, T + 9_999, T + W, T + W + 1, T + W + 500, T + 2 * W, T + 2 * W + 1);
    UnboundedSource.UnboundedReader<Long> reader = reader(stamps, PAUSE);
    assertThat(start(reader)).isTrue();
    assertThat(advance(reader)).as("the last moment of the first window").isTrue();
    assertThat(advance(reader)).as("a record of the next window is read").isTrue();
    assertThat(advance(reader)).as("then the read rests").isFalse();
    clock.pass(399);
    assertThat(advance(reader)).as("still resting").isFalse();
    clock.pass(1);
    assertThat(advance(reader)).as("the pause is over").isTrue();
    assertThat(advance(reader)).as("no rest within a window").isTrue();
    assertThat(advance(reader)).as("the window after").isTrue();
    assertThat(advance(reader)).isFalse();
    clock.pass(400);
    assertThat(advance(reader)).isTrue();
    assertThat(advance(reader)).as("the wrapped reader has no more").isFalse();
    assertThat(read).as("every record once, in order").containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L);
  }

  @Test
  void severalWindowEndsPassedAtOnceMakeOneRest() throws Exception {
    UnboundedSource.UnboundedReader<Long> reader =
        reader(new Stamps(T + 1, T + 5 * W + 7, T + 5 * W + 8, T + 6 * W), PAUSE);
    assertThat(start(reader)).isTrue();
    assertThat(advance(reader)).isTrue();
    assertThat(advance(reader)).isFalse();
    clock.pass(400);
    assertThat(advance(reader)).as("one rest for the windows passed").isTrue();
    assertThat(advance(reader)).isTrue();
    assertThat(advance(reader)).isFalse();
    clock.pass(400);
    assertThat(read).containsExactly(0L, 1L, 2L, 3L);
  }

  @Test
  void aReadBehindItsBacklogDoesNotRestOneThatCaughtUpDoes() throws Exception {
    long behind = StreamingReadSource.StreamingReader.BEHIND_BYTES + 1;
    UnboundedSource.UnboundedReader<Long> reader =
        reader(new Stamps(T + 9_999, T + W, T + W + 1).withBacklog(behind), PAUSE);
    assertThat(start(reader)).isTrue();
    assertThat(advance(reader)).isTrue();
    assertThat(advance(reader)).as("behind: no rest").isTrue();
    UnboundedSource.UnboundedReader<Long> caughtUp =
        reader(
            new Stamps(T + 9_999, T + W, T + W + 1)
                .withBacklog(StreamingReadSource.StreamingReader.BEHIND_BYTES),
            PAUSE);
    assertThat(start(caughtUp)).isTrue();
    assertThat(advance(caughtUp)).isTrue();
    assertThat(advance(caughtUp)).as("caught up: a rest").isFalse();
  }

  @Test
  void aZeroPauseNeverRests() throws Exception {
    UnboundedSource.UnboundedReader<Long> reader =
        reader(new Stamps(T + 9_999, T + W, T + W + 1), Duration.ZERO);
    assertThat(start(reader)).isTrue();
    assertThat(advance(reader)).isTrue();
    assertThat(advance(reader)).isTrue();
    assertThat(read).containsExactly(0L, 1L, 2L);
  }

  @Test
  void theWindowAndPauseReachEverySplit() throws Exception {
    StreamingReadSource<Long, ?> source =
        StreamingReadSource.of(new Stamps(T + 1, T + W, T + W + 1), WINDOW, PAUSE, clock);
    List<? extends UnboundedSource<Long, ?>> splits =
        SerializableUtils.clone(source).split(2, PipelineOptionsFactory.create());
    UnboundedSource.UnboundedReader<Long> reader =
        SerializableUtils.clone(splits.get(0)).createReader(PipelineOptionsFactory.create(), null);
    assertThat(start(reader)).isTrue();
    assertThat(advance(reader)).isTrue();
    assertThat(advance(reader))
        .as("a clone still rests (its clock is a copy, standing still)")
        .isFalse();
  }

  @Test
  void badWindowsAndPausesAreRefused() {
    Stamps stamps = new Stamps();
    assertThatThrownBy(() -> StreamingReadSource.of(stamps, Duration.ZERO, PAUSE, clock))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("window of at least 1 ms");
    assertThatThrownBy(() -> StreamingReadSource.of(stamps, WINDOW, Duration.ofMillis(-1), clock))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> StreamingReadSource.of(stamps, WINDOW, WINDOW, clock))
        .as("a pause as long as the window would rest for ever")
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("shorter than the window");
  }

  @Test
  void onFlinkTheRestIsAFifthOfTheWindowAtMostFourHundredMillisecondsElsewhereNone() {
    assertThat(StreamingIngest.restAfterWindow("flink", Duration.ofSeconds(10)))
        .isEqualTo(Duration.ofMillis(400));
    assertThat(StreamingIngest.restAfterWindow("flink", Duration.ofSeconds(1)))
        .isEqualTo(Duration.ofMillis(200));
    assertThat(StreamingIngest.restAfterWindow("direct", Duration.ofSeconds(10))).isZero();
  }

  private UnboundedSource.UnboundedReader<Long> reader(Stamps stamps, Duration pause)
      throws Exception {
    return StreamingReadSource.of(stamps, WINDOW, pause, clock)
        .createReader(PipelineOptionsFactory.create(), null);
  }

  private boolean start(UnboundedSource.UnboundedReader<Long> reader) throws Exception {
    return record(reader, reader.start());
  }

  private boolean advance(UnboundedSource.UnboundedReader<Long> reader) throws Exception {
    return record(reader, reader.advance());
  }

  private boolean record(UnboundedSource.UnboundedReader<Long> reader, boolean available) {
    if (available) {
      read.add(reader.getCurrent());
    }
    return available;
  }

  /** Records 0, 1, 2... read at the given times; a split reads them all again. */
  static final class Stamps extends UnboundedSource<Long, UnboundedSource.CheckpointMark> {
    private final long[] times;
    private long backlogBytes = UnboundedSource.UnboundedReader.BACKLOG_UNKNOWN;

    Stamps(long... times) {
      this.times = times;
    }

    /** The same records, the reader reporting this backlog. */
    Stamps withBacklog(long bytes) {
      backlogBytes = bytes;
      return this;
    }

    @Override
    public List<Stamps> split(int desiredNumSplits, PipelineOptions options) {
      return List.of(this, new Stamps(times));
    }

    @Override
    public UnboundedReader<Long> createReader(PipelineOptions options, CheckpointMark mark) {
      return new UnboundedReader<>() {
        private int next = -1;

        @Override
        public boolean start() {
          return advance();
        }

        @Override
        public boolean advance() {
          if (next + 1 >= times.length) {
            return false;
          }
          next++;
          return true;
        }

        @Override
        public Long getCurrent() {
          if (next < 0) {
            throw new NoSuchElementException();
          }
          return (long) next;
        }

        @Override
        public Instant getCurrentTimestamp() {
          return new Instant(times[next]);
        }

        @Override
        public Instant getWatermark() {
          return new Instant(times[Math.max(next, 0)]);
        }

        @Override
        public long getSplitBacklogBytes() {
          return backlogBytes;
        }

        @Override
        public CheckpointMark getCheckpointMark() {
          return CheckpointMark.NOOP_CHECKPOINT_MARK;
        }

        @Override
        public UnboundedSource<Long, ?> getCurrentSource() {
          return Stamps.this;
        }

        @Override
        public void close() {}
      };
    }

    @Override
    public Coder<CheckpointMark> getCheckpointMarkCoder() {
      return null;
    }

    @Override
    public Coder<Long> getOutputCoder() {
      return VarLongCoder.of();
    }
  }
}
