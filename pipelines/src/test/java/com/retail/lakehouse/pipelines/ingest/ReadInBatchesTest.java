package com.retail.lakehouse.pipelines.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.CountingSource;
import org.apache.beam.sdk.io.Read;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TimestampedValue;
import org.joda.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Reading in batches hands on every record of the wrapped source once, in order, with its own
 * timestamp: on the Direct runner, which splits the source and resumes readers from their
 * checkpoint marks between bundles, so a batch that read ahead of its mark would show as a gap.
 */
class ReadInBatchesTest {
  private static final SerializableFunction<Long, Instant> TIME = v -> new Instant(1_000 * v);

  @Test
  void everyRecordOnceInOrderWithItsOwnTimestamp() {
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    PCollection<List<TimestampedValue<Long>>> batches =
        p.apply(
            Read.from(ReadInBatches.of(CountingSource.unboundedWithTimestampFn(TIME)))
                .withMaxNumRecords(300));
    PCollection<KV<Long, Long>> checked = batches.apply(ParDo.of(new CheckBatchFn()));
    PAssert.that(checked)
        .satisfies(
            records -> {
              List<KV<Long, Long>> all = new ArrayList<>();
              records.forEach(all::add);
              assertThat(all).isNotEmpty();
              // consecutive values within a batch are one split's stride apart
              long stride = all.stream().mapToLong(KV::getValue).filter(s -> s > 0).min().orElse(1);
              Map<Long, TreeSet<Long>> bySplit = new TreeMap<>();
              for (KV<Long, Long> r : all) {
                bySplit.computeIfAbsent(r.getKey() % stride, k -> new TreeSet<>()).add(r.getKey());
              }
              assertThat(bySplit.values().stream().mapToInt(TreeSet::size).sum())
                  .as("no record twice")
                  .isEqualTo(all.size());
              for (TreeSet<Long> split : bySplit.values()) {
                long expected = split.first();
                for (long v : split) {
                  assertThat(v).as("no record skipped").isEqualTo(expected);
                  expected += stride;
                }
              }
              return null;
            });
    p.run().waitUntilFinish();
  }

  /**
   * Checks each batch (at most {@value ReadInBatches#MAX_BATCH} records, rising, each with its
   * source timestamp, none before the batch's) and emits (value, gap to the previous in the batch).
   */
  static final class CheckBatchFn extends DoFn<List<TimestampedValue<Long>>, KV<Long, Long>> {
    @ProcessElement
    public void process(
        @Element List<TimestampedValue<Long>> batch,
        @Timestamp Instant batchTime,
        OutputReceiver<KV<Long, Long>> out) {
      if (batch.isEmpty() || batch.size() > ReadInBatches.MAX_BATCH) {
        throw new AssertionError("a batch of " + batch.size() + " records");
      }
      Long previous = null;
      for (TimestampedValue<Long> record : batch) {
        if (!record.getTimestamp().equals(TIME.apply(record.getValue()))) {
          throw new AssertionError("record " + record.getValue() + " lost its timestamp");
        }
        if (record.getTimestamp().isBefore(batchTime)) {
          throw new AssertionError("record " + record.getValue() + " before its batch");
        }
        long gap = previous == null ? 0 : record.getValue() - previous;
        if (previous != null && gap <= 0) {
          throw new AssertionError("records out of order: " + previous + ", " + record.getValue());
        }
        out.output(KV.of(record.getValue(), gap));
        previous = record.getValue();
      }
    }
  }
}
