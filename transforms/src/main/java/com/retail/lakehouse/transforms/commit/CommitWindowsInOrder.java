package com.retail.lakehouse.transforms.commit;

import com.retail.lakehouse.transforms.metrics.LiveCounters;
import com.retail.lakehouse.transforms.metrics.MetricNames;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import com.retail.lakehouse.transforms.tables.TableDefinition;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.state.BagState;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.TimeDomain;
import org.apache.beam.sdk.state.Timer;
import org.apache.beam.sdk.state.TimerSpec;
import org.apache.beam.sdk.state.TimerSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Table;
import org.joda.time.Instant;

/**
 * The streaming committer of one table: once per commit window, one Iceberg append of the files
 * written for the window, recording in the same snapshot the Kafka position the window completes
 * (one past the highest offset read per partition in it, whether that message became a row of this
 * table, of the other one, or a dropped duplicate). Windows are committed in time order only: a
 * window's commit waits until the watermark has passed its end, when every earlier window has
 * arrived too, so a recorded position never jumps over rows that are not committed yet. Runners may
 * fire windows in any order (the DirectRunner does); a stateful step keyed by table puts them back
 * in order.
 *
 * <p>It relies on its input's timestamps rising with the offsets in each partition and never
 * falling behind the watermark: a row stamped behind it would be late, dropped by the window's
 * grouping (no allowed lateness), while a later window's position covered its offset. The streaming
 * ingest's read stamps messages with a read time that never goes back.
 *
 * <p>A window in which this table got no rows still commits, to advance its position, but only
 * every {@code emptyCommitEvery}-th time in a row (what Iceberg's Flink sink does with {@code
 * max-continuous-empty-commits}), so an idle dead-letter table does not gain a snapshot every few
 * seconds; the skipped positions are carried into the next commit, which happens at the latest
 * {@code emptyCommitEvery} windows later even if the topic has gone quiet.
 */
public final class CommitWindowsInOrder
    extends PTransform<PCollection<WrittenFiles>, PCollection<CommitResult>> {
  private final CommitTarget target;
  private final PCollection<KV<Integer, Long>> lastOffsetPerWindow;
  private final int emptyCommitEvery;

  private CommitWindowsInOrder(
      CommitTarget target,
      PCollection<KV<Integer, Long>> lastOffsetPerWindow,
      int emptyCommitEvery) {
    this.target = target;
    this.lastOffsetPerWindow = lastOffsetPerWindow;
    this.emptyCommitEvery = emptyCommitEvery;
  }

  /**
   * Commits {@code table} once per window of its input; {@code lastOffsetPerWindow} holds, in the
   * same windows, the highest offset read per partition (partition -> offset).
   */
  public static CommitWindowsInOrder of(
      CatalogSettings catalog,
      TableDefinition table,
      String topic,
      String runId,
      PCollection<KV<Integer, Long>> lastOffsetPerWindow) {
    return new CommitWindowsInOrder(
        CommitTarget.of(catalog, table, topic, runId), lastOffsetPerWindow, 10);
  }

  /**
   * The same commits, each refused (atomically) unless the table's position is exactly where this
   * job's previous commit left it, the first one where the job started ({@code position}): a window
   * that vanished from the table (a rollback, a commit another process overwrote) stops the job
   * instead of being skipped over.
   */
  public CommitWindowsInOrder startingFrom(CommittedOffsets position) {
    return new CommitWindowsInOrder(
        target.startingFrom(position), lastOffsetPerWindow, emptyCommitEvery);
  }

  /**
   * Also records {@code properties} in every commit's snapshot summary (the ingest: the routing
   * settings the job used).
   */
  public CommitWindowsInOrder withSnapshotProperties(Map<String, String> properties) {
    return new CommitWindowsInOrder(
        target.withSnapshotProperties(properties), lastOffsetPerWindow, emptyCommitEvery);
  }

  /** Commits a window without files only every {@code n}-th time in a row (1: always). */
  public CommitWindowsInOrder withEmptyCommitEvery(int n) {
    if (n < 1) {
      throw new IllegalArgumentException("an empty commit every n windows needs n >= 1, got " + n);
    }
    return new CommitWindowsInOrder(target, lastOffsetPerWindow, n);
  }

  @Override
  public PCollection<CommitResult> expand(PCollection<WrittenFiles> written) {
    String key = target.table().toString();
    KvCoder<String, CommitPart> partCoder =
        KvCoder.of(StringUtf8Coder.of(), SerializableCoder.of(CommitPart.class));
    PCollection<KV<String, CommitPart>> fileParts =
        written.apply("FilesAsCommitPart", ParDo.of(new FilesPartFn(key))).setCoder(partCoder);
    PCollection<KV<String, CommitPart>> offsetParts =
        lastOffsetPerWindow
            .apply("OffsetAsCommitPart", ParDo.of(new OffsetPartFn(key)))
            .setCoder(partCoder);
    return PCollectionList.of(fileParts)
        .and(offsetParts)
        .apply("FilesAndOffsets", Flatten.pCollections())
        .apply("GatherWindow", GroupByKey.create())
        .apply("MergeWindow", ParDo.of(new MergeWindowFn()))
        .setCoder(partCoder)
        .apply("OneTimeline", Window.into(new GlobalWindows()))
        .apply(
            "CommitInWindowOrder",
            ParDo.of(new CommitInOrderFn(target, emptyCommitEvery, windowMillis(written))))
        .setCoder(SerializableCoder.of(CommitResult.class));
  }

  /** The length of the input's commit windows (fixed windows; 10 s otherwise). */
  private static long windowMillis(PCollection<?> windowed) {
    return windowed.getWindowingStrategy().getWindowFn() instanceof FixedWindows fixed
        ? fixed.getSize().getMillis()
        : 10_000;
  }

  /**
   * Files and/or positions of one or more commit windows: {@code nextOffsets} maps partition -> one
   * past the highest offset read; {@code windowEnd} is the end of the latest window included.
   */
  record CommitPart(List<DataFile> files, long rows, Map<Integer, Long> nextOffsets, long windowEnd)
      implements Serializable {
    static CommitPart merge(Iterable<CommitPart> parts, long windowEnd) {
      List<DataFile> files = new ArrayList<>();
      long rows = 0;
      Map<Integer, Long> next = new TreeMap<>();
      for (CommitPart part : parts) {
        files.addAll(part.files());
        rows += part.rows();
        part.nextOffsets().forEach((p, o) -> next.merge(p, o, Math::max));
        windowEnd = Math.max(windowEnd, part.windowEnd());
      }
      return new CommitPart(files, rows, next, windowEnd);
    }
  }

  static final class FilesPartFn extends DoFn<WrittenFiles, KV<String, CommitPart>> {
    private final String key;

    FilesPartFn(String key) {
      this.key = key;
    }

    @ProcessElement
    public void process(@Element WrittenFiles w, OutputReceiver<KV<String, CommitPart>> out) {
      out.output(KV.of(key, new CommitPart(w.files(), w.rows(), Map.of(), Long.MIN_VALUE)));
    }
  }

  static final class OffsetPartFn extends DoFn<KV<Integer, Long>, KV<String, CommitPart>> {
    private final String key;

    OffsetPartFn(String key) {
      this.key = key;
    }

    @ProcessElement
    public void process(
        @Element KV<Integer, Long> last, OutputReceiver<KV<String, CommitPart>> out) {
      out.output(
          KV.of(
              key,
              new CommitPart(
                  List.of(), 0, Map.of(last.getKey(), last.getValue() + 1), Long.MIN_VALUE)));
    }
  }

  /** One part per table and window, stamped with the window's end. */
  static final class MergeWindowFn
      extends DoFn<KV<String, Iterable<CommitPart>>, KV<String, CommitPart>> {
    @ProcessElement
    public void process(
        @Element KV<String, Iterable<CommitPart>> parts,
        BoundedWindow window,
        OutputReceiver<KV<String, CommitPart>> out) {
      out.output(
          KV.of(
              parts.getKey(),
              CommitPart.merge(parts.getValue(), window.maxTimestamp().getMillis())));
    }
  }

  /** Holds window parts until the watermark says no earlier window can still come, then commits. */
  static final class CommitInOrderFn extends DoFn<KV<String, CommitPart>, CommitResult> {
    private final CommitTarget target;
    private final int emptyCommitEvery;
    private final long windowMillis;
    private transient Table table;

    // Where this job's last commit left the table (state is never restored: a failed job is
    // restarted from the tables, so this is right for the job's whole life).
    @StateId("position")
    private final StateSpec<ValueState<CommittedOffsets>> positionSpec =
        StateSpecs.value(SerializableCoder.of(CommittedOffsets.class));

    @StateId("pending")
    private final StateSpec<BagState<CommitPart>> pendingSpec =
        StateSpecs.bag(SerializableCoder.of(CommitPart.class));

    @StateId("dueAt")
    private final StateSpec<ValueState<Long>> dueAtSpec = StateSpecs.value(VarLongCoder.of());

    @StateId("emptyInARow")
    private final StateSpec<ValueState<Integer>> emptyInARowSpec =
        StateSpecs.value(VarIntCoder.of());

    @StateId("emptySince")
    private final StateSpec<ValueState<Long>> emptySinceSpec = StateSpecs.value(VarLongCoder.of());

    @TimerId("commitDue")
    private final TimerSpec commitDueSpec = TimerSpecs.timer(TimeDomain.EVENT_TIME);

    CommitInOrderFn(CommitTarget target, int emptyCommitEvery, long windowMillis) {
      this.target = target;
      this.emptyCommitEvery = emptyCommitEvery;
      this.windowMillis = windowMillis;
    }

    @Setup
    public void setup() {
      table = target.catalog().catalog().loadTable(target.table().identifier());
    }

    @ProcessElement
    public void process(
        @Element KV<String, CommitPart> part,
        @StateId("pending") BagState<CommitPart> pending,
        @StateId("dueAt") ValueState<Long> dueAt,
        @TimerId("commitDue") Timer commitDue) {
      pending.add(part.getValue());
      long windowEnd = part.getValue().windowEnd();
      Long due = dueAt.read();
      if (due == null || windowEnd < due) {
        dueAt.write(windowEnd);
        commitDue.set(new Instant(windowEnd));
      }
    }

    @OnTimer("commitDue")
    public void onCommitDue(
        OnTimerContext context,
        @StateId("pending") BagState<CommitPart> pending,
        @StateId("dueAt") ValueState<Long> dueAt,
        @StateId("emptyInARow") ValueState<Integer> emptyInARow,
        @StateId("emptySince") ValueState<Long> emptySince,
        @StateId("position") ValueState<CommittedOffsets> position,
        @TimerId("commitDue") Timer commitDue,
        OutputReceiver<CommitResult> out) {
      long now = context.fireTimestamp().getMillis();
      List<CommitPart> ready = new ArrayList<>();
      List<CommitPart> later = new ArrayList<>();
      for (CommitPart part : pending.read()) {
        (part.windowEnd() <= now ? ready : later).add(part);
      }
      pending.clear();
      later.forEach(pending::add);
      dueAt.clear();
      long nextDue = later.stream().mapToLong(CommitPart::windowEnd).min().orElse(Long.MAX_VALUE);
      if (nextDue != Long.MAX_VALUE) {
        dueAt.write(nextDue);
        commitDue.set(new Instant(nextDue));
      }
      if (ready.isEmpty()) {
        return;
      }
      CommitPart merged = CommitPart.merge(ready, now);
      if (merged.files().isEmpty()) {
        int empty = (emptyInARow.read() == null ? 0 : emptyInARow.read()) + 1;
        long since = emptySince.read() == null ? now : emptySince.read();
        long deadline = since + (long) emptyCommitEvery * windowMillis;
        if (empty < emptyCommitEvery && now < deadline) {
          emptyInARow.write(empty);
          emptySince.write(since);
          pending.add(merged); // carried into the next commit of this table
          // ... which happens by the deadline even when no further window arrives (idle topic)
          long due = Math.min(deadline, nextDue);
          dueAt.write(due);
          commitDue.set(new Instant(due));
          return;
        }
      }
      emptyInARow.clear();
      emptySince.clear();
      CommittedOffsets from = position.read() != null ? position.read() : target.startedFrom();
      CommitResult result =
          target.commit(table, from, merged.files(), merged.rows(), merged.nextOffsets());
      position.write(
          from != null && result.snapshotId() >= 0
              ? from.advancedTo(merged.nextOffsets())
              : CommittedOffsets.of(table, target.topic()));
      LiveCounters.add(MetricNames.COMMITS, result.snapshotId() < 0 ? 0 : 1);
      out.output(result);
    }
  }
}
