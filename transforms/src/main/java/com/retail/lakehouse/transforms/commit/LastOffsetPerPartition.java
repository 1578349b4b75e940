package com.retail.lakehouse.transforms.commit;

import java.util.HashMap;
import java.util.Map;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Max;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Instant;

/**
 * The last (highest) Kafka offset read of each partition, per window of its input of (partition,
 * offset) pairs: what a commit of that window records as the position it reached. The result is
 * exactly {@link Max#longsPerKey()} of the input.
 *
 * <p>Each bundle's offsets are first folded into one element per (window, partition), so the
 * combine after the shuffle sees a few elements per bundle instead of one per message: on Flink's
 * streaming mode the per-message combine took a sixth of the job's CPU
 * (bench/results/profile-notes.md). The folded elements leave when the bundle finishes, with the
 * timestamp of the message that carried the offset. A runner does not advance a step's output
 * watermark past a bundle still in progress (Flink's operator holds it until the bundle finishes),
 * so a window's last offset never arrives late for the window's commit.
 */
public final class LastOffsetPerPartition
    extends PTransform<PCollection<KV<Integer, Long>>, PCollection<KV<Integer, Long>>> {

  private LastOffsetPerPartition() {}

  /** The highest offset per partition and window. */
  public static LastOffsetPerPartition perWindow() {
    return new LastOffsetPerPartition();
  }

  @Override
  public PCollection<KV<Integer, Long>> expand(PCollection<KV<Integer, Long>> offsets) {
    return offsets
        .apply("HighestOffsetOfEachBundle", ParDo.of(new HighestInBundleFn()))
        .setCoder(KvCoder.of(VarIntCoder.of(), VarLongCoder.of()))
        .apply("HighestOffset", Max.longsPerKey());
  }

  /** One (partition, highest offset) per window and partition seen in a bundle. */
  static final class HighestInBundleFn extends DoFn<KV<Integer, Long>, KV<Integer, Long>> {
    private transient Map<WindowAndPartition, Highest> highest;

    @StartBundle
    public void startBundle() {
      highest = new HashMap<>();
    }

    @ProcessElement
    public void process(
        @Element KV<Integer, Long> offset, @Timestamp Instant timestamp, BoundedWindow window) {
      Highest seen =
          highest.computeIfAbsent(
              new WindowAndPartition(window, offset.getKey()), k -> new Highest());
      if (offset.getValue() > seen.offset) {
        seen.offset = offset.getValue();
        seen.timestamp = timestamp;
      }
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext context) {
      for (Map.Entry<WindowAndPartition, Highest> e : highest.entrySet()) {
        Highest h = e.getValue();
        context.output(KV.of(e.getKey().partition(), h.offset), h.timestamp, e.getKey().window());
      }
      highest = null;
    }
  }

  private record WindowAndPartition(BoundedWindow window, int partition) {}

  private static final class Highest {
    long offset = Long.MIN_VALUE;
    Instant timestamp;
  }
}
