package com.retail.lakehouse.transforms.commit;

import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.IntervalWindow;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Duration;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The highest offset per partition and window, folded per bundle first: several bundles per window,
 * offsets out of order, and each window's result on time for it (a late one would be dropped by the
 * windowed combine and missing here).
 */
class LastOffsetPerPartitionTest {
  private static final Instant T0 = new Instant(0);
  private static final Duration TEN_SECONDS = Duration.standardSeconds(10);

  private static TimestampedValue<KV<Integer, Long>> at(int second, int partition, long offset) {
    return TimestampedValue.of(KV.of(partition, offset), T0.plus(Duration.standardSeconds(second)));
  }

  @Test
  void highestOffsetOfEachPartitionPerWindowAcrossBundles() {
    TestStream<KV<Integer, Long>> offsets =
        TestStream.create(KvCoder.of(VarIntCoder.of(), VarLongCoder.of()))
            .addElements(at(1, 0, 3), at(2, 0, 1), at(3, 0, 7), at(3, 1, 2))
            .addElements(at(5, 0, 5), at(6, 1, 9))
            .advanceWatermarkTo(T0.plus(TEN_SECONDS))
            .addElements(at(11, 0, 8))
            .advanceWatermarkTo(T0.plus(TEN_SECONDS).plus(TEN_SECONDS))
            .addElements(at(25, 1, 10), at(29, 0, 9))
            .advanceWatermarkToInfinity();
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    PCollection<KV<Integer, Long>> last =
        p.apply(offsets)
            .apply(Window.into(FixedWindows.of(TEN_SECONDS)))
            .apply(LastOffsetPerPartition.perWindow());
    PAssert.that(last).inWindow(window(0)).containsInAnyOrder(KV.of(0, 7L), KV.of(1, 9L));
    PAssert.that(last).inWindow(window(1)).containsInAnyOrder(KV.of(0, 8L));
    PAssert.that(last).inWindow(window(2)).containsInAnyOrder(KV.of(0, 9L), KV.of(1, 10L));
    p.run().waitUntilFinish();
  }

  @Test
  void highestOffsetOfEachPartitionOfABoundedRead() {
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    PCollection<KV<Integer, Long>> last =
        p.apply(
                Create.of(KV.of(2, 4L), KV.of(0, 11L), KV.of(2, 40L), KV.of(0, 3L), KV.of(1, 0L))
                    .withCoder(KvCoder.of(VarIntCoder.of(), VarLongCoder.of())))
            .apply(LastOffsetPerPartition.perWindow());
    PAssert.that(last).containsInAnyOrder(KV.of(0, 11L), KV.of(1, 0L), KV.of(2, 40L));
    p.run().waitUntilFinish();
  }

  private static IntervalWindow window(int index) {
    Instant start = T0.plus(TEN_SECONDS.multipliedBy(index));
    return new IntervalWindow(start, start.plus(TEN_SECONDS));
  }
}
