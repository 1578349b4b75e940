package com.retail.lakehouse.pipelines.ingest;

import com.retail.lakehouse.common.Durations;
import com.retail.lakehouse.transforms.commit.CommitToTable;
import com.retail.lakehouse.transforms.commit.CommitWindowsInOrder;
import com.retail.lakehouse.transforms.commit.CommittedOffsets;
import com.retail.lakehouse.transforms.commit.LastOffsetPerPartition;
import com.retail.lakehouse.transforms.commit.SkipRowsAlreadyCommitted;
import com.retail.lakehouse.transforms.commit.WrittenFiles;
import com.retail.lakehouse.transforms.contract.EventContract;
import com.retail.lakehouse.transforms.dedupe.DropDuplicateLinesInStream;
import com.retail.lakehouse.transforms.dedupe.RecentLineKeys;
import com.retail.lakehouse.transforms.source.SourceMessage;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import com.retail.lakehouse.transforms.tables.TableDefinition;
import com.retail.lakehouse.transforms.validate.GapRouting;
import com.retail.lakehouse.transforms.validate.ParseAndValidate;
import com.retail.lakehouse.transforms.validate.RoutedRow;
import com.retail.lakehouse.transforms.write.WriteDataFiles;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.options.StreamingOptions;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.windowing.FixedWindows;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * The two ingest jobs as lists of named steps, for any event contract: read Kafka, parse and
 * validate, skip what the tables already hold, drop duplicate lines, write data files, and commit
 * each table with the Kafka position it reached. Invalid messages take the same path into the
 * dead-letter table. The catch-up job commits once per table; the streaming job once per table and
 * commit window.
 */
public final class IngestPipeline {
  private IngestPipeline() {}

  /**
   * What a catch-up run needs beyond the options: the offset ranges it reads (empty for a source
   * whose offsets are not known up front), where each table stands, the routing settings recorded
   * for the gap between them, the keys committed within the de-duplication horizon, and the run id
   * its commits carry.
   */
  public record CatchUpPlan(
      List<ReadPosMessages.PartitionRange> ranges,
      Duration maxReadTime,
      CatalogSettings catalog,
      EventContract contract,
      CommittedOffsets rawPosition,
      CommittedOffsets deadLetterPosition,
      GapRouting gapRouting,
      RecentLineKeys recentKeys,
      String runId,
      Map<Integer, List<Long>> lostBeforeRead) {}

  /**
   * What the streaming job needs beyond the options: where each table stands when it starts, the
   * routing settings recorded for the gap between them, the keys committed within the horizon, the
   * run id, the commit window and the de-duplication horizon, and how many empty windows in a row
   * pass before one is committed anyway.
   */
  public record StreamingPlan(
      CatalogSettings catalog,
      EventContract contract,
      CommittedOffsets rawPosition,
      CommittedOffsets deadLetterPosition,
      GapRouting gapRouting,
      RecentLineKeys recentKeys,
      String runId,
      Duration commitInterval,
      Duration dedupeHorizon,
      int emptyCommitEvery) {}

  /**
   * The catch-up job over a source of messages: Kafka's planned ranges ({@link ReadPosMessages}),
   * or memory in the smoke test. Duplicate lines are dropped within bundles, so the source must
   * emit all messages of a Kafka partition from one element, as the Kafka reader does: a runner
   * keeps one element's outputs in one bundle.
   */
  public static Pipeline buildCatchUp(
      IngestOptions options,
      CatchUpPlan plan,
      PTransform<PBegin, PCollection<SourceMessage>> source) {
    Pipeline p = Pipeline.create(options);
    String topic = options.getTopic();

    PCollection<SourceMessage> messages = p.apply("ReadPosEvents", source);

    PCollectionView<Map<Integer, Long>> lastOffsetRead =
        (plan.maxReadTime() == null && !plan.ranges().isEmpty()
                ? lastOffsetOfEachRange(p, plan)
                : offsetOfEachMessage(messages)
                    .apply("LastOffsetPerPartition", LastOffsetPerPartition.perWindow()))
            .apply("AsSideInput", View.asMap());

    // One path from Kafka to Parquet, no shuffle: valid and rejected messages travel together
    // (a collection read by two steps would cross the network on Flink's batch mode), a reader
    // reads whole partitions, and messages are keyed by store, so each bundle holds every copy of
    // its lines.
    ParseAndValidate parse = parseAndValidate(options, plan.contract(), plan.gapRouting());
    Map<String, String> routing = new TreeMap<>(parse.settings().toSummary());
    routing.putAll(IngestTables.lostToRetentionProperty(plan.lostBeforeRead()));
    PCollection<RoutedRow> rows = messages.apply("ParseAndValidate", parse.inOneCollection());
    if (readsSomethingATableHolds(plan)) {
      rows =
          rows.apply(
              "SkipRowsAlreadyCommitted",
              SkipRowsAlreadyCommitted.ofRouted(plan.rawPosition(), plan.deadLetterPosition()));
    }
    PCollection<WrittenFiles> written =
        rows.apply(
            "DropDuplicateLinesAndWriteFiles",
            WriteDataFiles.eachBundleOfRoutedRows(plan.catalog(), plan.contract())
                .droppingDuplicateLines(plan.recentKeys()));
    written.apply(
        "CommitRawTable",
        CommitToTable.of(
                plan.catalog(), plan.contract().rawTable(), topic, plan.runId(), lastOffsetRead)
            .startingFrom(plan.rawPosition())
            .withSnapshotProperties(routing));
    written.apply(
        "CommitDeadLetterTable",
        CommitToTable.of(
                plan.catalog(),
                plan.contract().deadLetterTable(),
                topic,
                plan.runId(),
                lastOffsetRead)
            .startingFrom(plan.deadLetterPosition())
            .withSnapshotProperties(routing));
    return p;
  }

  /**
   * The continuous job (--mode=streaming): KafkaIO's unbounded read, the same parse and validate
   * and skip steps, de-duplication with per-line state across the whole job, and one commit per
   * table every commit interval, in window order, recording the offsets the window completes.
   */
  public static Pipeline buildStreaming(
      IngestOptions options,
      StreamingPlan plan,
      PTransform<PBegin, PCollection<SourceMessage>> source) {
    options.as(StreamingOptions.class).setStreaming(true);
    Pipeline p = Pipeline.create(options);
    String topic = options.getTopic();
    FixedWindows commitWindows =
        FixedWindows.of(org.joda.time.Duration.millis(plan.commitInterval().toMillis()));

    PCollection<SourceMessage> messages = p.apply("ReadPosEvents", source);

    PCollection<KV<Integer, Long>> lastOffsetPerWindow =
        offsetOfEachMessage(messages)
            .apply("OffsetsIntoCommitWindows", Window.into(commitWindows))
            .apply("LastOffsetPerPartition", LastOffsetPerPartition.perWindow());

    ParseAndValidate parse = parseAndValidate(options, plan.contract(), plan.gapRouting());
    Map<String, String> routing = parse.settings().toSummary();
    PCollectionTuple parsed = messages.apply("ParseAndValidate", parse);

    parsed
        .get(ParseAndValidate.VALID)
        .apply("SkipRowsAlreadyInRaw", SkipRowsAlreadyCommitted.inRaw(plan.rawPosition()))
        .apply("RowsIntoCommitWindows", Window.into(commitWindows))
        // first copies leave in batches, each in its lines' commit window
        .apply(
            "DropDuplicateLines",
            DropDuplicateLinesInStream.within(plan.dedupeHorizon())
                .withCommittedKeys(plan.recentKeys()))
        .apply(
            "WriteRawFiles",
            WriteDataFiles.batchesTo(
                plan.catalog(), plan.contract().rawTable(), options.getWriters()))
        .apply(
            "CommitRawTable",
            commitWindows(
                plan,
                plan.contract().rawTable(),
                plan.rawPosition(),
                lastOffsetPerWindow,
                routing));

    parsed
        .get(ParseAndValidate.INVALID)
        .apply(
            "SkipRowsAlreadyInDeadLetters",
            SkipRowsAlreadyCommitted.inDeadLetters(plan.deadLetterPosition()))
        .apply("DeadLettersIntoCommitWindows", Window.into(commitWindows))
        .apply(
            "WriteDeadLetterFiles",
            WriteDataFiles.to(plan.catalog(), plan.contract().deadLetterTable(), 1))
        .apply(
            "CommitDeadLetterTable",
            commitWindows(
                plan,
                plan.contract().deadLetterTable(),
                plan.deadLetterPosition(),
                lastOffsetPerWindow,
                routing));
    return p;
  }

  /** The streaming job's committer of one table: one commit per window, in window order. */
  private static CommitWindowsInOrder commitWindows(
      StreamingPlan plan,
      TableDefinition table,
      CommittedOffsets startedFrom,
      PCollection<KV<Integer, Long>> lastOffsetPerWindow,
      Map<String, String> routing) {
    return CommitWindowsInOrder.of(
            plan.catalog(), table, startedFrom.topic(), plan.runId(), lastOffsetPerWindow)
        .withEmptyCommitEvery(plan.emptyCommitEvery())
        .startingFrom(startedFrom)
        .withSnapshotProperties(routing);
  }

  /**
   * A run without --max-read-time reads every planned range to its end (or fails), so the last
   * offset it reads per partition is known before it starts. Taking it from the plan rather than
   * from the messages leaves the messages a single consumer: on Spark a second one made the runner
   * cache all messages and, under memory pressure, read Kafka twice.
   */
  private static PCollection<KV<Integer, Long>> lastOffsetOfEachRange(
      Pipeline p, CatchUpPlan plan) {
    List<KV<Integer, Long>> last = new ArrayList<>();
    for (ReadPosMessages.PartitionRange range : plan.ranges()) {
      last.add(KV.of(range.partition(), range.end() - 1));
    }
    return p.apply(
        "LastOffsetOfEachRange",
        Create.of(last).withCoder(KvCoder.of(VarIntCoder.of(), VarLongCoder.of())));
  }

  private static PCollection<KV<Integer, Long>> offsetOfEachMessage(
      PCollection<SourceMessage> messages) {
    return messages
        .apply(
            "OffsetOfEachMessage",
            MapElements.into(
                    TypeDescriptors.kvs(TypeDescriptors.integers(), TypeDescriptors.longs()))
                .via((SourceMessage m) -> KV.of(m.partition(), m.offset())))
        .setCoder(KvCoder.of(VarIntCoder.of(), VarLongCoder.of()));
  }

  /**
   * Whether a planned range starts below a table's position: only after a crash between the two
   * tables' commits (a run resumes from the lower one). Otherwise the skip step is left out: it
   * would check every row and drop none.
   */
  private static boolean readsSomethingATableHolds(CatchUpPlan plan) {
    for (ReadPosMessages.PartitionRange range : plan.ranges()) {
      int p = range.partition();
      if (plan.rawPosition().holds(p, range.start())
          || plan.deadLetterPosition().holds(p, range.start())) {
        return true;
      }
    }
    return plan.ranges().isEmpty(); // messages from another source: offsets not known up front
  }

  /**
   * The router of both jobs: the flags' settings for new messages, the recorded ones for the gap
   * between the tables' positions; every commit records the flags' settings for the next run.
   */
  private static ParseAndValidate parseAndValidate(
      IngestOptions options, EventContract contract, GapRouting gap) {
    return ParseAndValidate.of(contract)
        .withMaxPayloadBytes(options.getMaxPayloadBytes())
        .withFutureTolerance(Durations.parse("future-tolerance", options.getFutureTolerance()))
        .withGapRouting(gap);
  }
}
