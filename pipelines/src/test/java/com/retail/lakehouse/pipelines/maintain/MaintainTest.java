package com.retail.lakehouse.pipelines.maintain;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.retail.lakehouse.generator.GenerateRun;
import com.retail.lakehouse.generator.GeneratorConfig;
import com.retail.lakehouse.generator.Manifest;
import com.retail.lakehouse.generator.ProgressSink;
import com.retail.lakehouse.localkafka.KafkaBrokerExtension;
import com.retail.lakehouse.pipelines.cli.LakehouseCommand;
import com.retail.lakehouse.pipelines.conformance.CommandRun;
import com.retail.lakehouse.pipelines.conformance.LakehouseJvm;
import com.retail.lakehouse.pipelines.conformance.LakehouseTables;
import com.retail.lakehouse.pipelines.conformance.RunnerConformance;
import com.retail.lakehouse.transforms.commit.CommittedOffsets;
import com.retail.lakehouse.transforms.commit.CrashPoint;
import com.retail.lakehouse.transforms.commit.RunTotals;
import com.retail.lakehouse.transforms.mart.ReplaceMartDays;
import com.retail.lakehouse.transforms.tables.DailySalesSummaryTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.iceberg.DataOperations;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./lakehouse maintain} against a real broker and real tables: compaction keeps every row
 * and per-partition sum, keeps ingest's Kafka position readable through compaction and expiry,
 * keeps an append made while it runs (and carries that append's position, not the planned one),
 * fails cleanly when another compaction won, and a kill -9 before its commit changes nothing.
 */
class MaintainTest {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dataDir;

  private long seed = 40;

  @AfterEach
  void noHook() {
    MaintainRun.afterPlanning = () -> {};
  }

  @Test
  void compactionKeepsEveryRowAndSumAndCarriesTheIngestPosition() throws Exception {
    String topic = "compact";
    List<Manifest> sent = ingestInBatches(topic, 3);
    LakehouseTables tables = new LakehouseTables(dataDir);
    Table raw = tables.rawTable();
    List<String> rowsBefore = rowsOf(tables.raw());
    List<String> deadBefore = rowsOf(tables.deadLetters());
    Map<String, String> sumsBefore = partitionSums(tables.raw());
    CommittedOffsets positionBefore = CommittedOffsets.of(raw, topic);
    RunTotals totalsBefore = RunTotals.recordedIn(raw.currentSnapshot());
    long filesBefore = filesOf(raw);

    JsonNode summary = maintain("--compact", "--min-age=0s");

    raw.refresh();
    JsonNode rawSummary = summary.get("tables").get("raw.pos_transactions");
    assertThat(rawSummary.get("files_before").asLong()).isEqualTo(filesBefore);
    assertThat(rawSummary.get("files_after").asLong())
        .isLessThan(filesBefore)
        .isEqualTo(filesOf(raw));
    assertThat(summary.get("bytes_rewritten").asLong()).isPositive();
    // one file per day partition now: every partition had several small ones
    assertThat(filesOf(raw)).isEqualTo(partitionsOf(raw));
    assertThat(rowsOf(tables.raw())).isEqualTo(rowsBefore);
    assertThat(rowsOf(tables.deadLetters())).isEqualTo(deadBefore);
    assertThat(partitionSums(tables.raw())).isEqualTo(sumsBefore);
    RunnerConformance.assertTablesHoldExactly(tables, sent.toArray(Manifest[]::new));

    Snapshot compaction = raw.currentSnapshot();
    assertThat(compaction.operation()).isEqualTo(DataOperations.REPLACE);
    assertThat(compaction.summary()).containsKey(CommittedOffsets.SUMMARY_KEY);
    assertThat(CommittedOffsets.of(raw, topic).samePositionAs(positionBefore)).isTrue();
    // the last ingest run's totals, carried with the position
    assertThat(totalsBefore).isNotNull();
    assertThat(RunTotals.recordedIn(compaction)).isEqualTo(totalsBefore);
    assertSortedByStoreAndTime(raw);
  }

  @Test
  void positionAndMartMarkSurviveCompactionAndExpiryAndIngestStaysExact() throws Exception {
    String topic = "expire";
    long firstSeed = seed;
    List<Manifest> sent = ingestInBatches(topic, 3);
    assertThat(LakehouseCommand.run(new String[] {"mart", "--data-dir=" + dataDir})).isZero();
    LakehouseTables tables = new LakehouseTables(dataDir);
    Table raw = tables.rawTable();
    int snapshotsBefore = count(raw.snapshots());

    maintain("--compact", "--min-age=0s");
    JsonNode expiry = maintain("--expire", "--retain-last=1", "--older-than=0s");

    raw.refresh();
    assertThat(expiry.get("snapshots_expired").asLong()).isPositive();
    assertThat(count(raw.snapshots())).isLessThan(snapshotsBefore);
    // the position is in the compaction snapshot itself now: readable with its ancestors gone
    assertThat(CommittedOffsets.of(raw, topic).nextOffsets()).isNotEmpty();
    // the raw snapshot the mart caught up with is kept, so --changed-since-last-run still works
    Table mart = catalogTable(DailySalesSummaryTable.DEFINITION.identifier().toString());
    long marked =
        Long.parseLong(
            ReplaceMartDays.lastCaughtUpRun(mart).summary().get(ReplaceMartDays.CAUGHT_UP_KEY));
    assertThat(raw.snapshot(marked)).isNotNull();

    sent.add(generate(topic, seed++, 0.02));
    ingest(topic);
    RunnerConformance.assertTablesHoldExactly(tables, sent.toArray(Manifest[]::new));
    assertThat(
            LakehouseCommand.run(
                new String[] {"mart", "--changed-since-last-run", "--data-dir=" + dataDir}))
        .isZero();

    // re-send the first batch, lines already committed and compacted since: a fresh
    // committed-key index (another horizon) reads them from the compacted files and drops them all
    long rawRows = tables.raw().size();
    Manifest again = generate(topic, firstSeed, 0.02);
    JsonNode resent = ingest(topic, "--dedupe-horizon=2h");
    assertThat(resent.get("raw_written").asLong()).isZero();
    assertThat(resent.get("duplicates_dropped").asLong())
        .isEqualTo(again.counts().valid() + again.counts().duplicates());
    assertThat(tables.raw()).hasSize((int) rawRows);
  }

  @Test
  void anIngestCommitLandingWhileCompactionRunsIsKeptAndItsPositionCarried() throws Exception {
    String topic = "concurrent";
    List<Manifest> sent = ingestInBatches(topic, 2);
    Table raw = new LakehouseTables(dataDir).rawTable();
    List<CommittedOffsets> afterConcurrentIngest = new ArrayList<>();
    List<RunTotals> totalsOfConcurrentIngest = new ArrayList<>();
    MaintainRun.afterPlanning =
        () -> {
          try {
            sent.add(generate(topic, seed++, 0.02));
            ingest(topic);
            afterConcurrentIngest.add(CommittedOffsets.of(raw, topic));
            totalsOfConcurrentIngest.add(RunTotals.recordedIn(raw.currentSnapshot()));
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        };

    JsonNode summary = maintain("--compact", "--min-age=0s");

    raw.refresh();
    assertThat(afterConcurrentIngest).hasSize(1);
    assertThat(summary.get("tables").get("raw.pos_transactions").get("files_rewritten").asLong())
        .isPositive();
    Snapshot compaction = raw.currentSnapshot();
    assertThat(compaction.operation()).isEqualTo(DataOperations.REPLACE);
    // the rewrite sits on top of the ingest commit and records its (newer) position
    assertThat(
            CommittedOffsets.recordedIn(compaction, topic)
                .samePositionAs(afterConcurrentIngest.get(0)))
        .isTrue();
    assertThat(RunTotals.recordedIn(compaction))
        .isNotNull()
        .isEqualTo(totalsOfConcurrentIngest.get(0));
    LakehouseTables tables = new LakehouseTables(dataDir);
    RunnerConformance.assertTablesHoldExactly(tables, sent.toArray(Manifest[]::new));

    sent.add(generate(topic, seed++, 0.02));
    JsonNode next = ingest(topic);
    assertThat(next.get("skipped_already_committed").asLong()).isZero();
    RunnerConformance.assertTablesHoldExactly(tables, sent.toArray(Manifest[]::new));
  }

  @Test
  void aRepeatingIngestRunningThroughCompactionsEndsExact() throws Exception {
    String topic = "through";
    List<Manifest> sent = ingestInBatches(topic, 2);
    LakehouseTables tables = new LakehouseTables(dataDir);
    ExecutorService background = Executors.newSingleThreadExecutor();
    try {
      Future<Integer> repeating =
          background.submit(
              () ->
                  LakehouseCommand.run(
                      new String[] {
                        "ingest",
                        "--every=1s",
                        "--runs=12",
                        "--max-records=400",
                        "--topic=" + topic,
                        "--bootstrap-servers=" + KAFKA.bootstrapServers(),
                        "--data-dir=" + dataDir
                      }));
      long rewritten = 0;
      for (int round = 0; round < 2; round++) {
        long consumed = tables.consumed(topic);
        sent.add(generate(topic, seed++, 0.02));
        // compact once the repeating ingest has committed part of the batch, not all of it
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (tables.consumed(topic) == consumed && System.nanoTime() < deadline) {
          Thread.sleep(200);
        }
        JsonNode summary = maintain("--compact", "--min-age=0s");
        rewritten +=
            summary.get("tables").get("raw.pos_transactions").get("files_rewritten").asLong();
      }
      assertThat(repeating.get(10, TimeUnit.MINUTES)).as("repeating ingest").isZero();
      assertThat(rewritten).isPositive();
    } finally {
      background.shutdownNow();
    }
    ingest(topic);

    Table raw = new LakehouseTables(dataDir).rawTable();
    raw.refresh();
    List<String> history = new ArrayList<>();
    for (Snapshot s = raw.currentSnapshot();
        s != null;
        s = s.parentId() == null ? null : raw.snapshot(s.parentId())) {
      history.add(0, s.operation());
    }
    // ingest commits landed before and after a compaction of the same table
    int firstReplace = history.indexOf(DataOperations.REPLACE);
    assertThat(firstReplace).isPositive();
    assertThat(history.subList(firstReplace, history.size())).contains(DataOperations.APPEND);
    RunnerConformance.assertTablesHoldExactly(tables, sent.toArray(Manifest[]::new));
  }

  @Test
  void aCompactionThatAnotherCompactionBeatFailsInOneLineAndChangesNothing() throws Exception {
    String topic = "rival";
    List<Manifest> sent = ingestInBatches(topic, 2);
    Table raw = new LakehouseTables(dataDir).rawTable();
    List<Long> rivalSnapshot = new ArrayList<>();
    MaintainRun.afterPlanning =
        () -> {
          MaintainRun.afterPlanning = () -> {};
          assertThat(
                  LakehouseCommand.run(
                      new String[] {
                        "maintain", "--compact", "--min-age=0s", "--data-dir=" + dataDir
                      }))
              .isZero();
          raw.refresh();
          rivalSnapshot.add(raw.currentSnapshot().snapshotId());
        };

    CommandRun loser =
        CommandRun.of("maintain", "--compact", "--min-age=0s", "--data-dir=" + dataDir);

    assertThat(loser.code()).isEqualTo(MaintainCommand.CHANGED_SINCE_PLAN);
    String last = loser.stderr().lines().reduce((a, b) -> b).orElseThrow();
    // The rival compacted raw and, when its dead letters had small files too, the DLQ: the loser
    // names the table whose commit it lost (raw or the DLQ), in one line.
    assertThat(last)
        .startsWith("lakehouse maintain: raw.pos_transactions")
        .contains("changed under this compaction")
        .contains("run maintain again");
    raw.refresh();
    assertThat(raw.currentSnapshot().snapshotId()).isEqualTo(rivalSnapshot.get(0));
    RunnerConformance.assertTablesHoldExactly(
        new LakehouseTables(dataDir), sent.toArray(Manifest[]::new));
  }

  @Test
  void aCompactionKilledBeforeItsCommitLeavesTheTableAsItWasAndItsFilesAreOrphans()
      throws Exception {
    String topic = "killed";
    List<Manifest> sent = ingestInBatches(topic, 3);
    LakehouseTables tables = new LakehouseTables(dataDir);
    Table raw = tables.rawTable();
    long snapshotBefore = raw.currentSnapshot().snapshotId();
    List<String> rowsBefore = rowsOf(tables.raw());
    JsonNode none = maintain("--remove-orphans", "--orphan-min-age=0s");
    assertThat(none.get("orphans_found").asLong()).isZero();

    try (LakehouseJvm child =
        LakehouseJvm.start(
            List.of("-Dlakehouse.crash-at=" + CrashPoint.BEFORE_COMMIT.name()),
            "maintain",
            "--compact",
            "--min-age=0s",
            "--data-dir=" + dataDir)) {
      assertThat(child.awaitStderr(CrashPoint.BEFORE_COMMIT.marker(), Duration.ofMinutes(3)))
          .as("compaction reached its commit: %s", child.stderr())
          .isTrue();
      child.kill();
    }

    raw.refresh();
    assertThat(raw.currentSnapshot().snapshotId()).isEqualTo(snapshotBefore);
    assertThat(rowsOf(tables.raw())).isEqualTo(rowsBefore);
    JsonNode found = maintain("--remove-orphans", "--orphan-min-age=0s");
    long orphans = found.get("tables").get("raw.pos_transactions").get("orphans_found").asLong();
    assertThat(orphans).isPositive();
    assertThat(found.get("orphans_removed").asLong()).isZero(); // dry run by default
    JsonNode removed = maintain("--remove-orphans", "--orphan-min-age=0s", "--delete");
    assertThat(removed.get("orphans_removed").asLong())
        .isEqualTo(found.get("orphans_found").asLong());
    assertThat(maintain("--remove-orphans", "--orphan-min-age=0s").get("orphans_found").asLong())
        .isZero();
    // after the cleanup the table still reads, and a compaction then goes through
    maintain("--compact", "--min-age=0s");
    RunnerConformance.assertTablesHoldExactly(tables, sent.toArray(Manifest[]::new));
  }

  @Test
  void byDefaultPartitionsWrittenInTheLastHourAndRecentSnapshotsAreLeftAlone() throws Exception {
    String topic = "recent";
    ingestInBatches(topic, 1);
    Table raw = new LakehouseTables(dataDir).rawTable();
    long snapshot = raw.currentSnapshot().snapshotId();
    long files = filesOf(raw);

    JsonNode summary = maintain(); // every step, default thresholds

    raw.refresh();
    JsonNode rawSummary = summary.get("tables").get("raw.pos_transactions");
    assertThat(rawSummary.get("partitions_too_recent").asLong()).isPositive();
    assertThat(rawSummary.get("files_rewritten").asLong()).isZero();
    assertThat(summary.get("snapshots_expired").asLong()).isZero(); // all younger than 5d
    assertThat(summary.get("orphans_found").asLong()).isZero();
    assertThat(filesOf(raw)).isEqualTo(files);
    // only the manifests were merged: no data file came or went since the last ingest commit
    for (Snapshot s = raw.currentSnapshot();
        s.snapshotId() != snapshot;
        s = raw.snapshot(s.parentId())) {
      assertThat(s.summary().getOrDefault("added-data-files", "0")).isEqualTo("0");
      assertThat(s.summary().getOrDefault("deleted-data-files", "0")).isEqualTo("0");
    }
    assertThat(rawSummary.get("manifests_after").asLong())
        .isLessThanOrEqualTo(rawSummary.get("manifests_before").asLong());
  }

  @Test
  void helpListsTheStepsAndABadFlagIsOneLine() {
    CommandRun bad = CommandRun.of("maintain", "--retain-last=0", "--data-dir=" + dataDir);
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.stderr())
        .isEqualTo(
            "lakehouse maintain: --retain-last must be at least 1 (the current snapshot) (see"
                + " ./lakehouse maintain --help)");
    CommandRun tables = CommandRun.of("maintain", "--tables=raw,orders", "--data-dir=" + dataDir);
    assertThat(tables.code()).isEqualTo(2);
    assertThat(tables.stderr()).contains("unknown table 'orders'");
    assertThat(LakehouseCommand.run(new String[] {"maintain", "--help"})).isZero();
  }

  // ---- helpers

  private List<Manifest> ingestInBatches(String topic, int batches) throws Exception {
    List<Manifest> sent = new ArrayList<>();
    for (int i = 0; i < batches; i++) {
      sent.add(generate(topic, seed++, 0.02));
      ingestInSlices(topic);
    }
    return sent;
  }

  /** Ingests what was sent in runs of at most 700 messages: several small files per partition. */
  private void ingestInSlices(String topic) throws Exception {
    for (int run = 0; run < 20; run++) {
      if (ingest(topic, "--max-records=700").get("lag").asLong() == 0) {
        return;
      }
    }
    throw new AssertionError("ingest did not catch up in 20 runs of 700 messages");
  }

  private Manifest generate(String topic, long seed, double faultRate) throws Exception {
    return GenerateRun.run(
        GeneratorConfig.builder()
            .seed(seed)
            // one UTC day per seed: the receipt numbers of two runs on one day would collide
            .start(LocalDate.of(2026, 6, 1).plusDays(seed).atStartOfDay(ZoneOffset.UTC).toInstant())
            .count(1500)
            .topic(topic)
            .malformedRate(faultRate)
            .duplicateRate(faultRate)
            .build(),
        KAFKA.bootstrapServers(),
        ProgressSink.none());
  }

  private JsonNode ingest(String topic, String... extra) throws Exception {
    Path summary = Files.createTempFile(dataDir, "ingest", ".json");
    List<String> args =
        new ArrayList<>(
            List.of(
                "ingest",
                "--until-caught-up",
                "--topic=" + topic,
                "--bootstrap-servers=" + KAFKA.bootstrapServers(),
                "--data-dir=" + dataDir,
                "--summary-json=" + summary));
    args.addAll(List.of(extra));
    assertThat(LakehouseCommand.run(args.toArray(String[]::new))).as("ingest").isZero();
    return JSON.readTree(Files.readString(summary));
  }

  private JsonNode maintain(String... flags) throws IOException {
    Path summary = Files.createTempFile(dataDir, "maintain", ".json");
    List<String> args = new ArrayList<>(List.of("maintain", "--data-dir=" + dataDir));
    args.addAll(List.of(flags));
    args.add("--summary-json=" + summary);
    assertThat(LakehouseCommand.run(args.toArray(String[]::new))).as("maintain").isZero();
    return JSON.readTree(Files.readString(summary));
  }

  private Table catalogTable(String name) {
    return com.retail.lakehouse.transforms.tables.CatalogSettings.of(
            com.retail.lakehouse.transforms.tables.CatalogSettings.Kind.HADOOP,
            dataDir.resolve("warehouse").toAbsolutePath().toString(),
            null,
            Map.of())
        .catalog()
        .loadTable(org.apache.iceberg.catalog.TableIdentifier.parse(name));
  }

  /** Every row as text, sorted: equal lists mean the same rows, each as often. */
  private static List<String> rowsOf(List<Record> rows) {
    return rows.stream().map(Record::toString).sorted().toList();
  }

  /** Per day partition: rows, revenue and units. */
  private static Map<String, String> partitionSums(List<Record> raw) {
    Map<String, long[]> counts = new TreeMap<>();
    Map<String, BigDecimal> revenue = new TreeMap<>();
    for (Record r : raw) {
      String day = ((LocalDateTime) r.getField("event_time")).toLocalDate().toString();
      long[] c = counts.computeIfAbsent(day, d -> new long[2]);
      c[0]++;
      c[1] += ((Number) r.getField("quantity")).longValue();
      revenue.merge(day, (BigDecimal) r.getField("total_amount"), BigDecimal::add);
    }
    Map<String, String> sums = new TreeMap<>();
    counts.forEach(
        (day, c) -> sums.put(day, c[0] + " rows, " + c[1] + " units, " + revenue.get(day)));
    return sums;
  }

  private static long filesOf(Table table) {
    table.refresh();
    return Long.parseLong(table.currentSnapshot().summary().get("total-data-files"));
  }

  private static long partitionsOf(Table table) {
    try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
      java.util.Set<String> partitions = new java.util.HashSet<>();
      tasks.forEach(t -> partitions.add(table.spec().partitionToPath(t.file().partition())));
      return partitions.size();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Each compacted file (one per day here) holds its rows in store_id, event_time order. */
  private static void assertSortedByStoreAndTime(Table raw) throws IOException {
    try (CloseableIterable<FileScanTask> tasks = raw.newScan().planFiles()) {
      for (FileScanTask task : tasks) {
        LocalDateTime start =
            LocalDateTime.of(1970, 1, 1, 0, 0)
                .plusDays((Integer) task.file().partition().get(0, Integer.class));
        List<String> keys = new ArrayList<>();
        try (CloseableIterable<Record> rows =
            IcebergGenerics.read(raw)
                .where(
                    Expressions.and(
                        Expressions.greaterThanOrEqual("event_time", start.toString()),
                        Expressions.lessThan("event_time", start.plusDays(1).toString())))
                .build()) {
          rows.forEach(r -> keys.add(r.getField("store_id") + "|" + r.getField("event_time")));
        }
        assertThat(keys).isNotEmpty().isSorted();
      }
    }
  }

  private static int count(Iterable<?> items) {
    int n = 0;
    for (Object ignored : items) {
      n++;
    }
    return n;
  }
}
