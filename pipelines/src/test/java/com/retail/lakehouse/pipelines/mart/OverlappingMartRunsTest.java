package com.retail.lakehouse.pipelines.mart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.retail.lakehouse.pipelines.cli.LakehouseCommand;
import com.retail.lakehouse.pipelines.run.PipelineArgs;
import com.retail.lakehouse.transforms.commit.CommitToTable;
import com.retail.lakehouse.transforms.event.EventType;
import com.retail.lakehouse.transforms.event.PosEvent;
import com.retail.lakehouse.transforms.mart.ReplaceMartDays;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import com.retail.lakehouse.transforms.tables.DailySalesSummaryTable;
import com.retail.lakehouse.transforms.tables.RawTable;
import com.retail.lakehouse.transforms.write.WriteDataFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.Row;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two mart runs overlapping on one sale date: run A plans at an older raw snapshot, run B plans
 * later at a newer one (more lines on the date) and commits first. A must then fail without
 * committing (it would put the older day back), say so in one line, leave the caught-up mark of
 * --changed-since-last-run where it was, and its retry must build the newer day. Runs on other
 * dates still commit side by side. Real Iceberg tables in a temp folder; the interleaving is driven
 * by MartRun's after-planning test hook.
 */
class OverlappingMartRunsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final LocalDate D0 = LocalDate.parse("2024-02-29");
  private static final LocalDate D1 = LocalDate.parse("2024-03-01");
  private static final String TOPIC = "pos-events";

  @TempDir Path dataDir;
  private long nextOffset;
  private int summaries;

  @AfterEach
  void clearHook() {
    MartRun.afterPlanning = () -> {};
  }

  @ParameterizedTest(name = "mart empty when run A plans: {0}")
  @ValueSource(booleans = {true, false})
  void aRunWhoseDatesAnotherRunReplacedSinceItPlannedFailsAndItsRetryBuildsTheNewerDay(
      boolean martEmptyWhenAPlans) throws Exception {
    appendRaw(D0, 1);
    appendRaw(D1, 2);
    if (!martEmptyWhenAPlans) {
      assertThat(mart("--changed-since-last-run")).isZero();
      appendRaw(D1, 1); // so that run A has a changed date to rebuild
    }
    Long markBefore = caughtUpMark();
    long linesWhenAPlans = rawLines(D1);

    // run A (--changed-since-last-run) plans; then raw gets newer lines on D1 and run B
    // (--date D1) plans and commits before A reaches its commit
    MartRun.afterPlanning =
        () -> {
          MartRun.afterPlanning = () -> {};
          appendRaw(D1, 2);
          assertThat(mart("--date=" + D1)).as("run B's exit code").isZero();
        };
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    PrintStream originalErr = System.err;
    int codeA;
    System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
    try {
      codeA = mart("--changed-since-last-run");
    } finally {
      System.setErr(originalErr);
    }
    originalErr.print(stderr.toString(StandardCharsets.UTF_8));
    long newest = rawLines(D1);
    assertThat(newest).isGreaterThan(linesWhenAPlans);
    List<JsonNode> runs = runRecords();
    JsonNode runB = runs.get(runs.size() - 2);
    JsonNode runA = runs.get(runs.size() - 1);

    // the day keeps B's newer result: A did not put its older one back
    assertThat(martLines(D1)).as("lines of %s in the mart after both runs", D1).isEqualTo(newest);
    assertThat(codeA).as("run A's exit code").isEqualTo(MartCommand.DATES_CHANGED_SINCE_PLAN);
    Table mart = martTable();
    assertThat(mart.currentSnapshot().summary().get(ReplaceMartDays.RUN_ID_KEY))
        .as("the mart's newest commit is run B's")
        .isEqualTo(runB.get("run_id").asText());
    assertThat(ReplaceMartDays.snapshotOfRun(mart, runA.get("run_id").asText())).isNull();

    // one line on stderr saying what happened and what to do; the same in A's run record
    List<String> errorLines =
        stderr
            .toString(StandardCharsets.UTF_8)
            .lines()
            .filter(l -> l.startsWith("lakehouse mart:"))
            .toList();
    assertThat(errorLines).hasSize(1);
    assertThat(errorLines.get(0))
        .startsWith("lakehouse mart: another mart run (")
        .contains(runB.get("run_id").asText().substring(0, 8))
        .contains(D1.toString())
        .contains("since this run planned")
        .contains("re-run");
    assertThat(runA.get("committed").asBoolean()).isFalse();
    assertThat(runA.get("failed").asText())
        .startsWith("DatesChangedSincePlanException: another mart run (")
        .contains("re-run")
        .doesNotContain("\n");

    // --changed-since-last-run's mark is where it was (B rebuilt one date only; A failed)
    assertThat(caughtUpMark()).isEqualTo(markBefore);

    // A's retry is a new plan: it reads the newest raw and moves the mark there
    assertThat(mart("--changed-since-last-run")).as("the retry's exit code").isZero();
    assertThat(martLines(D1)).isEqualTo(newest);
    assertThat(martLines(D0)).isEqualTo(1);
    assertThat(caughtUpMark()).isEqualTo(rawTable().currentSnapshot().snapshotId());
    assertThat(mart("--changed-since-last-run")).isZero();
    assertThat(last(runRecords()).get("skipped").asText())
        .isEqualTo("raw unchanged since the last run");
  }

  @Test
  void runsOnOtherDatesCommitSideBySide() throws Exception {
    appendRaw(D0, 1);
    appendRaw(D1, 2);
    assertThat(mart()).isZero();
    appendRaw(D0, 1);
    appendRaw(D1, 1);
    // run A (--date D1) plans; run C rebuilds D0 and commits before A reaches its commit
    MartRun.afterPlanning =
        () -> {
          MartRun.afterPlanning = () -> {};
          assertThat(mart("--date=" + D0)).as("run C's exit code").isZero();
        };
    assertThat(mart("--date=" + D1)).as("run A's exit code").isZero();
    assertThat(martLines(D0)).isEqualTo(2);
    assertThat(martLines(D1)).isEqualTo(3);
    List<JsonNode> runs = runRecords();
    assertThat(runs.get(runs.size() - 2).get("committed").asBoolean()).isTrue();
    assertThat(last(runs).get("committed").asBoolean()).isTrue();
  }

  private int mart(String... flags) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "mart",
                "--data-dir=" + dataDir,
                "--summary-json=" + dataDir.resolve("mart-" + (++summaries) + ".json")));
    args.addAll(List.of(flags));
    return LakehouseCommand.run(args.toArray(String[]::new));
  }

  private CatalogSettings catalog() {
    return CatalogSettings.of(
        CatalogSettings.Kind.HADOOP,
        dataDir.resolve("warehouse").toAbsolutePath().toString(),
        null,
        Map.of());
  }

  private Table rawTable() {
    Table table = catalog().catalog().loadTable(RawTable.DEFINITION.identifier());
    table.refresh();
    return table;
  }

  private Table martTable() {
    Table table = catalog().catalog().loadTable(DailySalesSummaryTable.DEFINITION.identifier());
    table.refresh();
    return table;
  }

  /** The raw snapshot --changed-since-last-run starts from, or null before a caught-up run. */
  private Long caughtUpMark() {
    if (!catalog().catalog().tableExists(DailySalesSummaryTable.DEFINITION.identifier())) {
      return null;
    }
    Snapshot last = ReplaceMartDays.lastCaughtUpRun(martTable());
    return last == null ? null : Long.valueOf(last.summary().get(ReplaceMartDays.CAUGHT_UP_KEY));
  }

  private List<JsonNode> runRecords() throws IOException {
    List<JsonNode> runs = new ArrayList<>();
    for (String line : Files.readAllLines(dataDir.resolve("runs/mart-runs.jsonl"))) {
      runs.add(JSON.readTree(line));
    }
    return runs;
  }

  private static JsonNode last(List<JsonNode> runs) {
    return runs.get(runs.size() - 1);
  }

  /** The mart's line_count of a date (one store and product here). */
  private long martLines(LocalDate date) {
    long lines = 0;
    try (CloseableIterable<Record> it = IcebergGenerics.read(martTable()).build()) {
      for (Record r : it) {
        if (date.equals(r.getField(DailySalesSummaryTable.SALE_DATE))) {
          lines += (Long) r.getField("line_count");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return lines;
  }

  /** The raw rows of a date at raw's current snapshot. */
  private long rawLines(LocalDate date) {
    long lines = 0;
    try (CloseableIterable<Record> it = IcebergGenerics.read(rawTable()).build()) {
      for (Record r : it) {
        if (((java.time.LocalDateTime) r.getField("event_time")).toLocalDate().equals(date)) {
          lines++;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return lines;
  }

  /** Appends {@code count} new sale lines on {@code date} to raw, as one ingest commit would. */
  private void appendRaw(LocalDate date, int count) {
    CatalogSettings catalog = catalog();
    RawTable.DEFINITION.createOrLoad(catalog.catalog());
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      long offset = nextOffset++;
      String tx = "T-" + offset;
      PosEvent e =
          new PosEvent(
              "E-" + offset,
              tx,
              1,
              EventType.SALE,
              "S007",
              "R02",
              "C42",
              "Organic Milk 1L",
              "SKU-0001",
              "DAIRY",
              2,
              new BigDecimal("9.99"),
              new BigDecimal("1.00"),
              new BigDecimal("18.98"),
              "USD",
              "CARD",
              "CUST-9",
              date.atTime(12, 0).plusMinutes(offset).toInstant(ZoneOffset.UTC));
      rows.add(
          Row.withSchema(RawTable.DEFINITION.beamSchema())
              .addValues(e.toRow().getValues())
              .addValues(new org.joda.time.Instant(), TOPIC, 0, offset)
              .build());
    }
    // the runner of this JVM's classpath (direct in this module; -Pflink / -Pspark run it there)
    Pipeline p =
        Pipeline.create(
            PipelineArgs.parse("mart", new String[] {"--data-dir=" + dataDir}, MartOptions.class));
    PCollectionView<Map<Integer, Long>> lastOffsetRead =
        p.apply(
                "LastOffsetRead",
                Create.of(KV.of(0, nextOffset - 1))
                    .withCoder(KvCoder.of(VarIntCoder.of(), VarLongCoder.of())))
            .apply(View.asMap());
    p.apply("Rows", Create.of(rows).withRowSchema(RawTable.DEFINITION.beamSchema()))
        .apply(WriteDataFiles.to(catalog, RawTable.DEFINITION, 1))
        .apply(
            CommitToTable.of(
                catalog,
                RawTable.DEFINITION,
                TOPIC,
                "test-ingest-" + UUID.randomUUID(),
                lastOffsetRead));
    p.run().waitUntilFinish();
  }
}
