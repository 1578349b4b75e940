package com.retail.lakehouse.console.tables;

import static org.assertj.core.api.Assertions.assertThat;

import com.retail.lakehouse.common.CatalogFlags;
import com.retail.lakehouse.console.tables.DateState.State;
import com.retail.lakehouse.generator.GenerateRun;
import com.retail.lakehouse.generator.GeneratorConfig;
import com.retail.lakehouse.generator.ProgressSink;
import com.retail.lakehouse.localkafka.KafkaBrokerExtension;
import com.retail.lakehouse.pipelines.cli.LakehouseCommand;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import com.retail.lakehouse.transforms.tables.DailySalesSummaryTable;
import com.retail.lakehouse.transforms.tables.DeadLetterTable;
import com.retail.lakehouse.transforms.tables.InventoryTables;
import com.retail.lakehouse.transforms.tables.RawTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetWriter;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.util.SnapshotUtil;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console's view against real tables made by the real product in this JVM (generate into a real
 * broker, ingest, mart on the direct runner): health counted independently from the scan plan, dead
 * letters, Kafka lag, raw's changes since a cursor, the strip through late data and a re-run, and
 * the mart check passing after a real run and failing after a tampered mart row.
 */
class LakehouseTablesTest {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

  private static final String TOPIC = "console-tables";
  private static final LocalDate D1 = LocalDate.now(ZoneOffset.UTC).minusDays(3);
  private static final LocalDate D2 = D1.plusDays(1);

  @TempDir Path dataDir;

  @BeforeAll
  static void findRunnerProfiles() {
    // the jobs read runner-profiles/ from the repository root (pipelines' surefire sets it; the
    // console's tests run in console/)
    if (System.getProperty("lakehouse.home") == null) {
      Path here = Path.of("").toAbsolutePath();
      Path root = Files.isDirectory(here.resolve("runner-profiles")) ? here : here.getParent();
      System.setProperty("lakehouse.home", root.toString());
    }
  }

  @Test
  void missingTablesAndNoBrokerGiveEmptyAnswersNotExceptions() {
    LakehouseTables tables = new LakehouseTables(catalog(), null, TOPIC);
    assertThat(tables.health())
        .extracting(TableHealth::name, TableHealth::exists)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(RawTable.DEFINITION.toString(), false),
            org.assertj.core.groups.Tuple.tuple(DeadLetterTable.DEFINITION.toString(), false),
            org.assertj.core.groups.Tuple.tuple(
                DailySalesSummaryTable.DEFINITION.toString(), false),
            org.assertj.core.groups.Tuple.tuple(InventoryTables.RAW.toString(), false),
            org.assertj.core.groups.Tuple.tuple(InventoryTables.DEAD_LETTERS.toString(), false));
    assertThat(tables.deadLettersByReason(Instant.EPOCH)).isEmpty();
    assertThat(tables.rawChangesSince(null)).isEqualTo(new RawChanges(null, new TreeSet<>()));
    assertThat(tables.partitionStrip(Map.of())).isEmpty();
    assertThat(tables.lastRawCommit()).isNull();
    assertThat(tables.kafkaLag().partitions()).isEmpty();
    assertThat(tables.kafkaLag().error()).isEqualTo("no Kafka bootstrap servers configured");
    List<MartCheck> checks = tables.checkMart(List.of(D1));
    assertThat(checks).singleElement().satisfies(c -> assertThat(c.passed()).isFalse());

    // a broker nobody listens on: empty within the timeout, one line why
    LakehouseTables unreachable = new LakehouseTables(catalog(), "127.0.0.1:1", TOPIC);
    long start = System.nanoTime();
    LakehouseTables.KafkaLag down = unreachable.kafkaLag();
    assertThat(down.partitions()).isEmpty();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
    assertThat(down.error()).contains("127.0.0.1:1").doesNotContain("\n");
  }

  @Test
  void theConsolesViewFollowsIngestLateDataMartRunsAndATamperedMart() throws Exception {
    LakehouseTables tables = new LakehouseTables(catalog(), KAFKA.bootstrapServers(), TOPIC);
    generate(1, D1.atStartOfDay(), 1_000, 0.03);
    generate(2, D2.atStartOfDay(), 1_000, 0.03);
    assertThat(ingest()).isZero();

    // health: the summary's figures equal what the scan plan counts
    Table raw = table(RawTable.DEFINITION.identifier());
    List<TableHealth> health = tables.health();
    assertThat(health)
        .extracting(TableHealth::exists)
        .containsExactly(true, true, false, false, false);
    assertHealthCountsTheScan(health.get(0), raw);
    assertHealthCountsTheScan(health.get(1), table(DeadLetterTable.DEFINITION.identifier()));
    assertThat(tables.lastRawCommit())
        .isEqualTo(Instant.ofEpochMilli(raw.currentSnapshot().timestampMillis()));

    // dead letters by reason: all of them, and none from the future
    Map<String, Long> reasons = tables.deadLettersByReason(Instant.EPOCH);
    assertThat(reasons).isNotEmpty();
    assertThat(reasons.values().stream().mapToLong(Long::longValue).sum())
        .isEqualTo(rows(table(DeadLetterTable.DEFINITION.identifier())));
    assertThat(tables.deadLettersByReason(Instant.now().plus(1, ChronoUnit.HOURS))).isEmpty();

    // raw changes from the beginning: both dates, cursor = raw's current snapshot
    RawChanges all = tables.rawChangesSince(null);
    assertThat(all.dates()).containsExactly(D1, D2);
    assertThat(all.newestSnapshotId()).isEqualTo(raw.currentSnapshot().snapshotId());
    assertThat(tables.rawChangesSince(all.newestSnapshotId()).dates()).isEmpty();

    // before any mart run: both dates missing
    assertThat(tables.partitionStrip(Map.of()))
        .extracting(DateState::date, DateState::state)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(D1, State.MISSING),
            org.assertj.core.groups.Tuple.tuple(D2, State.MISSING));

    assertThat(mart()).isZero();
    long builtFrom = raw.currentSnapshot().snapshotId();
    List<DateState> strip = tables.partitionStrip(Map.of());
    assertThat(strip).extracting(DateState::state).containsOnly(State.UP_TO_DATE);
    assertThat(strip).extracting(DateState::martRawSnapshotId).containsOnly(builtFrom);
    assertThat(tables.health().get(2).exists()).isTrue();
    List<MartCheck> checks = tables.checkMart(List.of(D2, D1));
    assertThat(checks).extracting(MartCheck::date).containsExactly(D1, D2);
    assertThat(checks).allSatisfy(c -> assertThat(c.passed()).as(c.detail()).isTrue());
    assertThat(checks)
        .allSatisfy(
            c -> assertThat(c.martRevenue()).isPositive().isEqualByComparingTo(c.rawRevenue()));

    // late data on D1: only D1 changes, and it turns STALE
    generate(3, D1.atTime(18, 0), 40, 0);
    assertThat(ingest()).isZero();
    raw.refresh();
    long lateSnapshot = raw.currentSnapshot().snapshotId();
    RawChanges late = tables.rawChangesSince(all.newestSnapshotId());
    assertThat(late.dates()).containsExactly(D1);
    assertThat(late.newestSnapshotId()).isEqualTo(lateSnapshot);
    strip = tables.partitionStrip(Map.of());
    assertThat(strip)
        .containsExactly(
            new DateState(D1, State.STALE, builtFrom, lateSnapshot),
            new DateState(D2, State.UP_TO_DATE, builtFrom, builtFrom));
    // the run history only refines it: a failed run shows where the tables are not up to date
    assertThat(
            tables.partitionStrip(Map.of(D1, RunOutcome.FAILED, D2, RunOutcome.FAILED)).stream()
                .map(DateState::state))
        .containsExactly(State.FAILED, State.UP_TO_DATE);
    assertThat(tables.partitionStrip(Map.of(D2, RunOutcome.RUNNING)).get(1).state())
        .isEqualTo(State.RUNNING);

    // the check reads raw at the snapshot the mart built D1 from, not raw's current state
    // (a fresh view too, so that no total cached before the late data answers)
    MartCheck pinned = tables.checkMart(List.of(D1)).get(0);
    assertThat(new LakehouseTables(catalog(), null, TOPIC).checkMart(List.of(D1)))
        .containsExactly(pinned);
    assertThat(pinned.passed()).as(pinned.detail()).isTrue();
    assertThat(revenueOf(raw, D1, null)).isNotEqualByComparingTo(pinned.rawRevenue());
    assertThat(revenueOf(raw, D1, builtFrom)).isEqualByComparingTo(pinned.rawRevenue());

    // a re-run of the changed dates brings D1 up to date
    assertThat(mart("--changed-since-last-run")).isZero();
    strip = tables.partitionStrip(Map.of());
    assertThat(strip)
        .containsExactly(
            new DateState(D1, State.UP_TO_DATE, lateSnapshot, lateSnapshot),
            new DateState(D2, State.UP_TO_DATE, builtFrom, builtFrom));
    MartCheck rebuilt = tables.checkMart(List.of(D1)).get(0);
    assertThat(rebuilt.passed()).as(rebuilt.detail()).isTrue();
    assertThat(rebuilt.rawRevenue()).isEqualByComparingTo(revenueOf(raw, D1, null));

    // a compaction of raw rewrites the same rows into new files ('replace'): no date turns stale
    // and the check still passes; the sensor, by the mart's own rule, sees the rewritten date
    long filesBefore = tables.health().get(0).dataFiles();
    assertThat(
            LakehouseCommand.run(
                new String[] {
                  "maintain", "--compact", "--min-age=0s", "--tables=raw", "--data-dir=" + dataDir
                }))
        .isZero();
    raw.refresh();
    assertThat(raw.currentSnapshot().operation()).isEqualTo("replace");
    assertThat(tables.health().get(0).dataFiles()).isLessThan(filesBefore);
    assertThat(tables.partitionStrip(Map.of())).isEqualTo(strip);
    assertThat(tables.checkMart(List.of(D1, D2))).allMatch(MartCheck::passed);
    assertThat(tables.rawChangesSince(lateSnapshot).dates()).contains(D1);

    // a row appended to the mart by hand: the check fails by exactly its amount
    Table mart = table(DailySalesSummaryTable.DEFINITION.identifier());
    appendMartRow(mart, D2, new BigDecimal("5.00"), 1);
    MartCheck tampered = tables.checkMart(List.of(D2)).get(0);
    assertThat(tampered.passed()).as(tampered.detail()).isFalse();
    assertThat(tampered.martRevenue())
        .isEqualByComparingTo(tampered.rawRevenue().add(new BigDecimal("5.00")));
    assertThat(tampered.martUnits()).isEqualTo(tampered.rawUnits() + 1);
    assertThat(tampered.detail()).contains("mart != raw");
    assertThat(tables.checkMart(List.of(D1)).get(0).passed()).isTrue();

    // a full mart run after the compaction replaces the tampered day and builds both dates from
    // the compaction snapshot (older changes are then found from the live files)
    long compacted = raw.currentSnapshot().snapshotId();
    assertThat(mart()).isZero();
    assertThat(tables.partitionStrip(Map.of()))
        .allSatisfy(
            d -> {
              assertThat(d.state()).isEqualTo(State.UP_TO_DATE);
              assertThat(d.martRawSnapshotId()).isEqualTo(compacted);
              assertThat(d.newestRawSnapshotTouchingDate())
                  .isIn(compacted, lateSnapshot, builtFrom);
            });
    assertThat(tables.checkMart(List.of(D1, D2))).allMatch(MartCheck::passed);

    // page loads from several threads at once see the same, on a fresh view (empty caches) too
    for (LakehouseTables view : List.of(tables, new LakehouseTables(catalog(), null, TOPIC))) {
      List<DateState> expected = tables.partitionStrip(Map.of());
      List<TableHealth> expectedHealth = tables.health();
      List<java.util.concurrent.Callable<Boolean>> loads = new java.util.ArrayList<>();
      for (int i = 0; i < 8; i++) {
        loads.add(
            () ->
                view.partitionStrip(Map.of()).equals(expected)
                    && view.health().equals(expectedHealth));
      }
      java.util.concurrent.ExecutorService pool =
          java.util.concurrent.Executors.newFixedThreadPool(4);
      try {
        for (java.util.concurrent.Future<Boolean> same : pool.invokeAll(loads)) {
          assertThat(same.get()).isTrue();
        }
      } finally {
        pool.shutdown();
      }
    }

    // lag: 0 after ingest; then exactly the messages produced since
    LakehouseTables.KafkaLag caughtUpLag = tables.kafkaLag();
    List<PartitionLag> caughtUp = caughtUpLag.partitions();
    assertThat(caughtUpLag.error()).isNull();
    assertThat(caughtUp).hasSize(2).allSatisfy(l -> assertThat(l.lag()).isZero());
    assertThat(caughtUp).allSatisfy(l -> assertThat(l.committedOffset()).isEqualTo(l.endOffset()));
    generate(4, D2.atTime(12, 0), 123, 0.1);
    List<PartitionLag> behind = tables.kafkaLag().partitions();
    assertThat(behind.stream().mapToLong(PartitionLag::lag).sum()).isEqualTo(123);
    assertThat(behind)
        .allSatisfy(l -> assertThat(l.lag()).isEqualTo(l.endOffset() - l.committedOffset()));
  }

  private static void assertHealthCountsTheScan(TableHealth health, Table table)
      throws IOException {
    table.refresh();
    long files = 0;
    long bytes = 0;
    long records = 0;
    try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
      for (FileScanTask t : tasks) {
        files++;
        bytes += t.file().fileSizeInBytes();
        records += t.file().recordCount();
      }
    }
    int snapshots = 0;
    for (Snapshot ignored : SnapshotUtil.currentAncestors(table)) {
      snapshots++;
    }
    assertThat(files).isPositive();
    assertThat(health.snapshots()).as("snapshots of %s", health.name()).isEqualTo(snapshots);
    assertThat(health.dataFiles()).as("files of %s", health.name()).isEqualTo(files);
    assertThat(health.totalBytes()).isEqualTo(bytes);
    assertThat(health.records()).isEqualTo(records).isEqualTo(rows(table));
    assertThat(health.averageFileBytes()).isEqualTo(bytes / files);
    assertThat(health.currentSnapshotId()).isEqualTo(table.currentSnapshot().snapshotId());
  }

  private static long rows(Table table) {
    table.refresh();
    long n = 0;
    try (CloseableIterable<Record> it = IcebergGenerics.read(table).build()) {
      for (Record ignored : it) {
        n++;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return n;
  }

  /** Net revenue of raw's distinct lines of {@code date}, at a snapshot or (null) the current. */
  private static BigDecimal revenueOf(Table raw, LocalDate date, Long snapshotId) {
    raw.refresh();
    BigDecimal sum = BigDecimal.ZERO;
    Set<String> seen = new java.util.HashSet<>();
    IcebergGenerics.ScanBuilder scan = IcebergGenerics.read(raw);
    if (snapshotId != null) {
      scan = scan.useSnapshot(snapshotId);
    }
    try (CloseableIterable<Record> it = scan.build()) {
      for (Record r : it) {
        LocalDateTime t = (LocalDateTime) r.getField("event_time");
        String key =
            r.getField("store_id")
                + "/"
                + r.getField("transaction_id")
                + "/"
                + r.getField("line_number");
        if (t.toLocalDate().equals(date) && seen.add(key)) {
          sum = sum.add((BigDecimal) r.getField("total_amount"));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return sum;
  }

  /** One mart row written and appended through Iceberg's own API, as a hand-made fix would. */
  private static void appendMartRow(Table mart, LocalDate date, BigDecimal sales, long units)
      throws IOException {
    GenericRecord row = GenericRecord.create(mart.schema());
    LocalDateTime noon = date.atTime(12, 0);
    row.setField(DailySalesSummaryTable.SALE_DATE, date);
    row.setField(DailySalesSummaryTable.STORE_ID, "S999");
    row.setField(DailySalesSummaryTable.PRODUCT, "Tampered");
    row.setField(DailySalesSummaryTable.TOTAL_SALES, sales);
    row.setField(DailySalesSummaryTable.GROSS_SALES, sales);
    row.setField(DailySalesSummaryTable.RETURNS_AMOUNT, new BigDecimal("0.00"));
    row.setField(DailySalesSummaryTable.UNITS_SOLD, units);
    row.setField(DailySalesSummaryTable.TRANSACTION_COUNT, 1L);
    row.setField(DailySalesSummaryTable.LINE_COUNT, 1L);
    row.setField(DailySalesSummaryTable.AVG_UNIT_PRICE, sales);
    row.setField(DailySalesSummaryTable.FIRST_SALE_TIME, noon);
    row.setField(DailySalesSummaryTable.LAST_SALE_TIME, noon);
    row.setField(DailySalesSummaryTable.COMPUTED_AT, noon);
    PartitionKey partition = new PartitionKey(mart.spec(), mart.schema());
    partition.partition(new InternalRecordWrapper(mart.schema().asStruct()).wrap(row));
    String path =
        mart.locationProvider().newDataLocation("tampered-" + UUID.randomUUID() + ".parquet");
    DataWriter<Record> writer =
        Parquet.writeData(mart.io().newOutputFile(path))
            .schema(mart.schema())
            .createWriterFunc(GenericParquetWriter::buildWriter)
            .withSpec(mart.spec())
            .withPartition(partition)
            .overwrite()
            .build();
    try (writer) {
      writer.write(row);
    }
    DataFile file = writer.toDataFile();
    mart.newAppend().appendFile(file).commit();
  }

  private void generate(long seed, LocalDateTime start, long count, double malformedRate)
      throws Exception {
    GenerateRun.run(
        GeneratorConfig.builder()
            .seed(seed)
            .stores(2)
            .start(start.toInstant(ZoneOffset.UTC))
            .count(count)
            .malformedRate(malformedRate)
            .partitions(2)
            .topic(TOPIC)
            .build(),
        KAFKA.bootstrapServers(),
        ProgressSink.none());
  }

  private int ingest() {
    return LakehouseCommand.run(
        new String[] {
          "ingest",
          "--until-caught-up",
          "--topic=" + TOPIC,
          "--bootstrap-servers=" + KAFKA.bootstrapServers(),
          "--data-dir=" + dataDir
        });
  }

  private int mart(String... flags) {
    String[] args = new String[flags.length + 2];
    args[0] = "mart";
    args[1] = "--data-dir=" + dataDir;
    System.arraycopy(flags, 0, args, 2, flags.length);
    return LakehouseCommand.run(args);
  }

  private CatalogSettings catalog() {
    return CatalogSettings.of(CatalogFlags.of("hadoop", dataDir.toString(), null, null, List.of()));
  }

  private Table table(org.apache.iceberg.catalog.TableIdentifier id) {
    return catalog().catalog().loadTable(id);
  }
}
