package com.retail.lakehouse.transforms.dedupe;

import com.retail.lakehouse.transforms.event.PosEventSchema;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;

/**
 * Keeps the first copy of each sale line, identified by (transaction_id, line_number), and drops
 * every further copy: within the run, and (with {@link #withCommittedKeys}) copies of lines that
 * earlier runs committed within the de-duplication horizon (registers retry, producers re-send).
 * Lines are grouped into a few shards by a hash of their key, so all copies of a line meet in one
 * shard, and each shard keeps a set of the keys it has seen.
 *
 * <p>Why not Beam's {@code Deduplicate}: it is a stateful DoFn keyed per line, and the DirectRunner
 * processes each key as its own bundle; the next GroupByKey then copies its growing buffer once per
 * bundle, which made a 25,000-event run take minutes. A sharded GroupByKey keeps bundles large on
 * every runner and is a plain batch shuffle on Flink and Spark.
 */
public final class DropDuplicateLines extends PTransform<PCollection<Row>, PCollection<Row>> {
  /** Metric: lines that entered de-duplication. */
  public static final String LINES_IN = "dedupe_lines_in";

  /** Metric: lines that left de-duplication (first copies). */
  public static final String LINES_OUT = "dedupe_lines_out";

  private final int shards;
  private final RecentLineKeys committed;

  private DropDuplicateLines(int shards, RecentLineKeys committed) {
    this.shards = shards;
    this.committed = committed;
  }

  /** De-duplicates over {@code shards} parallel groups. */
  public static DropDuplicateLines inShards(int shards) {
    return new DropDuplicateLines(Math.max(1, shards), RecentLineKeys.none());
  }

  /** Also drops lines that earlier runs committed within the horizon. */
  public DropDuplicateLines withCommittedKeys(RecentLineKeys keys) {
    return new DropDuplicateLines(shards, keys);
  }

  @Override
  public PCollection<Row> expand(PCollection<Row> lines) {
    return lines
        .apply("ShardByLineKey", ParDo.of(new ShardFn(shards)))
        .setCoder(KvCoder.of(VarIntCoder.of(), lines.getCoder()))
        .apply("GroupShards", GroupByKey.create())
        .apply("KeepFirstCopy", ParDo.of(new KeepFirstCopyFn(committed)))
        .setCoder(lines.getCoder());
  }

  /** The de-duplication key of a row that has the event contract's columns. */
  public static String lineKey(Row row) {
    return row.getString(PosEventSchema.TRANSACTION_ID)
        + "#"
        + row.getInt32(PosEventSchema.LINE_NUMBER);
  }

  /** Routes every copy of a line to the same shard. */
  static final class ShardFn extends DoFn<Row, KV<Integer, Row>> {
    private final int shards;
    private final Counter in = Metrics.counter("lakehouse", LINES_IN);

    ShardFn(int shards) {
      this.shards = shards;
    }

    @ProcessElement
    public void process(@Element Row row, OutputReceiver<KV<Integer, Row>> out) {
      in.inc();
      out.output(KV.of(FirstCopies.shardOf(row, shards), row));
    }
  }

  /** Emits the first copy of each line key of a shard. */
  static final class KeepFirstCopyFn extends DoFn<KV<Integer, Iterable<Row>>, Row> {
    private final Counter out = Metrics.counter("lakehouse", LINES_OUT);
    private final RecentLineKeys committed;

    KeepFirstCopyFn(RecentLineKeys committed) {
      this.committed = committed;
    }

    @ProcessElement
    public void process(@Element KV<Integer, Iterable<Row>> shard, OutputReceiver<Row> output) {
      FirstCopies firstCopies = new FirstCopies(committed);
      for (Row row : shard.getValue()) {
        if (firstCopies.isFirst(row)) {
          out.inc();
          output.output(row);
        }
      }
    }
  }
}
