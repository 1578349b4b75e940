package com.retail.lakehouse.console.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.retail.lakehouse.console.ConsoleServer;
import com.retail.lakehouse.console.ConsoleTestSupport;
import com.retail.lakehouse.generator.DailyExpectation;
import com.retail.lakehouse.generator.Manifest;
import com.retail.lakehouse.pipelines.cli.LakehouseCommand;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quality API against real tables made by the real product: two seeded generator runs with
 * faults (malformed messages, re-sent duplicates, late lines) on a real broker, each ingested by
 * the real ingest, the mart built in between, so the second run's late lines land on dates the mart
 * had already built. Dead letters per reason, duplicates dropped and late rows per date equal the
 * generators' manifests exactly; a console mart run of the late dates shows as reconciled with its
 * run; bad parameters give a 400 with one line.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class QualityDashboardTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final LocalDate FIRST = LocalDate.parse("2026-11-20");
  static final LocalDate SECOND = FIRST.plusDays(1);
  // sale dates of both runs: late lines go up to 48 h back
  static final LocalDate SALES_FROM = FIRST.minusDays(3);
  static final LocalDate SALES_TO = SECOND.plusDays(1);

  @TempDir static Path temp;
  private static Path dataDir;
  private static ConsoleServer server;
  private static LocalDate testDay;
  private static Manifest first;
  private static Manifest second;

  @BeforeAll
  static void buildTablesAndStart() throws Exception {
    testDay = LocalDate.now(ZoneOffset.UTC);
    dataDir = temp.resolve("data");
    Files.createDirectories(dataDir);
    first = generateAndIngest(dataDir, FIRST, 7);
    assertThat(
            LakehouseCommand.run(
                new String[] {
                  "mart", "--runner=direct", "--data-dir=" + dataDir, "--changed-since-last-run"
                }))
        .as("mart")
        .isZero();
    second = generateAndIngest(dataDir, SECOND, 8);
    server = ConsoleTestSupport.startServer(dataDir);
  }

  /** One generator run of 1,000 messages with faults from {@code start}, then one ingest. */
  static Manifest generateAndIngest(Path dataDir, LocalDate start, long seed) throws Exception {
    List<Path> before = manifests(dataDir);
    assertThat(
            LakehouseCommand.run(
                new String[] {
                  "generate",
                  "--data-dir=" + dataDir,
                  "--bootstrap-servers=" + ConsoleTestSupport.broker(dataDir),
                  "--topic=" + ConsoleTestSupport.TOPIC,
                  "--count=1000",
                  "--start=" + start,
                  "--seed=" + seed,
                  "--stores=5",
                  "--malformed-rate=0.04",
                  "--duplicate-rate=0.04",
                  "--late-rate=0.05"
                }))
        .as("generate")
        .isZero();
    List<Path> now = new ArrayList<>(manifests(dataDir));
    now.removeAll(before);
    assertThat(now).hasSize(1);
    ConsoleTestSupport.ingest(dataDir);
    return Manifest.read(now.get(0));
  }

  static List<Path> manifests(Path dataDir) throws Exception {
    Path dir = dataDir.resolve("manifests");
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  @Order(1)
  void deadLettersPerReasonAndDuplicatesDroppedEqualTheManifests() throws Exception {
    // the faults are real: each kind was sent
    assertThat(first.counts().malformed() + second.counts().malformed()).isPositive();
    assertThat(first.counts().duplicates() + second.counts().duplicates()).isPositive();
    assertThat(second.counts().late()).isPositive();

    Map<String, Long> expectedReasons = new TreeMap<>(first.malformedByReason());
    second.malformedByReason().forEach((r, n) -> expectedReasons.merge(r, n, Long::sum));
    long expectedDuplicates = first.counts().duplicates() + second.counts().duplicates();

    // dead letters and ingest duplicates are dated by when ingest ran: this test's days
    JsonNode q = ok(range(testDay, LocalDate.now(ZoneOffset.UTC)));
    Map<String, Long> reasons = new TreeMap<>();
    q.at("/totals/dead_letters_by_reason")
        .fields()
        .forEachRemaining(e -> reasons.put(e.getKey(), e.getValue().asLong()));
    assertThat(reasons).isEqualTo(expectedReasons);
    assertThat(q.at("/totals/dead_letters").asLong())
        .isEqualTo(first.counts().malformed() + second.counts().malformed());
    Map<String, Long> perDay = new TreeMap<>();
    for (JsonNode day : q.get("dead_letters_by_day")) {
      day.get("by_reason")
          .fields()
          .forEachRemaining(e -> perDay.merge(e.getKey(), e.getValue().asLong(), Long::sum));
    }
    assertThat(perDay).isEqualTo(expectedReasons);

    assertThat(q.at("/totals/ingest_commits_not_counted").asLong()).isZero();
    assertThat(q.at("/totals/ingest_commits_pending").asLong()).isZero();
    assertThat(q.at("/totals/duplicates_dropped_by_ingest").asLong()).isEqualTo(expectedDuplicates);
    long commits = 0;
    for (JsonNode day : q.get("ingest_duplicates_by_day")) {
      commits += day.get("commits").asLong();
    }
    assertThat(commits).isPositive();

    // every re-send was dropped by ingest: raw holds one copy of each line, as many as were valid
    JsonNode sales = ok(range(SALES_FROM, SALES_TO));
    assertThat(sales.at("/totals/duplicate_copies_in_raw").asLong()).isZero();
    long rawRows = 0;
    for (JsonNode d : sales.get("dates")) {
      rawRows += d.get("raw_rows").asLong();
    }
    assertThat(rawRows).isEqualTo(first.counts().valid() + second.counts().valid());
    // no ingest ran on sale dates: the sales range holds no dead letters
    assertThat(sales.at("/totals/dead_letters").asLong()).isZero();
  }

  /**
   * The second run's lines of dates the first mart run built arrived after that build: late rows,
   * per date exactly the second manifest's lines of that date; not in the mart until it is
   * re-built.
   */
  @Test
  @Order(2)
  void lateRowsPerDateAreTheSecondRunsLinesOfDatesTheMartHadBuilt() throws Exception {
    SortedSet<LocalDate> built = datesOf(first);
    Map<LocalDate, Long> secondLines = linesPerDate(second);
    SortedSet<LocalDate> late = new TreeSet<>(secondLines.keySet());
    late.retainAll(built);
    assertThat(late).as("the second run has late lines on dates the mart built").isNotEmpty();

    JsonNode q = ok(range(SALES_FROM, SALES_TO));
    assertThat(q.get("dates")).hasSize((int) (SALES_TO.toEpochDay() - SALES_FROM.toEpochDay() + 1));
    long total = 0;
    for (JsonNode d : q.get("dates")) {
      LocalDate date = LocalDate.parse(d.get("date").asText());
      if (built.contains(date)) {
        long expected = secondLines.getOrDefault(date, 0L);
        total += expected;
        assertThat(d.get("mart_builds").asInt()).as(date.toString()).isEqualTo(1);
        assertThat(d.get("late_rows").asLong()).as(date.toString()).isEqualTo(expected);
        assertThat(d.get("late_rows_not_in_mart").asLong()).as(date.toString()).isEqualTo(expected);
        assertThat(d.get("first_built_at").asText()).isNotBlank();
      } else {
        assertThat(d.get("mart_builds").asInt()).as(date.toString()).isZero();
        assertThat(d.get("late_rows").isNull()).as(date.toString()).isTrue();
      }
      assertThat(d.at("/reconciliation/status").asText()).isEqualTo("not_checked");
      assertThat(d.at("/reconciliation/run_id").isNull()).isTrue();
    }
    assertThat(q.at("/totals/late_rows").asLong()).isEqualTo(total).isPositive();
  }

  /**
   * A console mart run of the late dates re-builds them: two builds, nothing left out of the mart,
   * late rows unchanged, and each date reconciled by that run's check.
   */
  @Test
  @Order(3)
  void aConsoleMartRunReconcilesTheLateDatesAndIsLinked() throws Exception {
    SortedSet<LocalDate> late = new TreeSet<>(linesPerDate(second).keySet());
    late.retainAll(datesOf(first));
    JsonNode before = ok(range(SALES_FROM, SALES_TO));
    String dates = String.join(",", late.stream().map(d -> "\"" + d + "\"").toList());
    HttpResponse<String> created =
        ConsoleTestSupport.post(server.url(), "/api/jobs/mart/runs", "{\"dates\":[" + dates + "]}");
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    long runId = JSON.readTree(created.body()).get("id").asLong();
    JsonNode run =
        await()
            .atMost(Duration.ofMinutes(3))
            .pollInterval(Duration.ofMillis(500))
            .until(
                () -> ok("/api/runs/" + runId),
                r ->
                    r.get("status").asText().equals("failed")
                        || (r.get("status").asText().equals("succeeded")
                            && r.get("checks").size() >= late.size()));
    assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("succeeded");

    JsonNode after = ok(range(SALES_FROM, SALES_TO));
    for (int i = 0; i < after.get("dates").size(); i++) {
      JsonNode d = after.get("dates").get(i);
      JsonNode was = before.get("dates").get(i);
      LocalDate date = LocalDate.parse(d.get("date").asText());
      assertThat(d.get("late_rows")).isEqualTo(was.get("late_rows"));
      if (late.contains(date)) {
        assertThat(d.get("mart_builds").asInt()).isEqualTo(2);
        assertThat(d.get("late_rows_not_in_mart").asLong()).isZero();
        assertThat(d.at("/reconciliation/status").asText()).as(d.toString()).isEqualTo("ok");
        assertThat(d.at("/reconciliation/run_id").asLong()).isEqualTo(runId);
        assertThat(d.at("/reconciliation/checked_at").asText()).isNotBlank();
      } else {
        assertThat(d.at("/reconciliation/status").asText()).isEqualTo("not_checked");
      }
    }
    assertThat(after.at("/totals/reconciliation/ok").asLong()).isEqualTo(late.size());
    assertThat(after.at("/totals/reconciliation/failed").asLong()).isZero();
    long withData = 0;
    for (JsonNode d : after.get("dates")) {
      withData += d.get("raw_rows").asLong() > 0 || d.get("mart_builds").asInt() > 0 ? 1 : 0;
    }
    assertThat(after.at("/totals/reconciliation/not_checked").asLong())
        .as("dates with data that no console run checked")
        .isEqualTo(withData - late.size());
  }

  @Test
  @Order(4)
  void theCsvIsTheDeadLetterTableAndRepeatsAreCached() throws Exception {
    String range = "from=" + testDay + "&to=" + LocalDate.now(ZoneOffset.UTC);
    HttpResponse<String> csv =
        ConsoleTestSupport.get(server.url(), "/api/dashboard/quality.csv?" + range);
    assertThat(csv.statusCode()).isEqualTo(200);
    assertThat(csv.headers().firstValue("Content-Type").orElse("")).startsWith("text/csv");
    assertThat(csv.headers().firstValue("Content-Disposition").orElse(""))
        .startsWith("attachment; filename=\"dead-letters-" + testDay + "-to-");
    List<String> lines = csv.body().lines().toList();
    assertThat(lines.get(0)).isEqualTo("day,reason,dead_letters");
    JsonNode q = ok("/api/dashboard/quality?" + range);
    List<String> fromJson = new ArrayList<>();
    for (JsonNode day : q.get("dead_letters_by_day")) {
      day.get("by_reason")
          .fields()
          .forEachRemaining(
              e -> fromJson.add(day.get("day").asText() + "," + e.getKey() + "," + e.getValue()));
    }
    assertThat(lines.subList(1, lines.size())).isEqualTo(fromJson).isNotEmpty();

    SalesDashboard dashboard = SalesDashboard.onDataDir(dataDir);
    Map<String, Object> once = dashboard.quality(SALES_FROM.toString(), SALES_TO.toString());
    assertThat(dashboard.cachedQualityReports()).isEqualTo(1);
    assertThat(dashboard.quality(SALES_FROM.toString(), SALES_TO.toString())).isEqualTo(once);
    assertThat(dashboard.cachedQualityReports()).isEqualTo(1);
  }

  @Test
  @Order(5)
  void badParametersGive400WithOneLine() throws Exception {
    for (String path :
        List.of(
            "/api/dashboard/quality?from=2026-13-01",
            "/api/dashboard/quality?from=2026-11-22&to=2026-11-20",
            "/api/dashboard/quality?from=2024-01-01&to=2026-11-22",
            "/api/dashboard/quality?to=yesterday",
            "/api/dashboard/quality.csv?from=2026-02-30")) {
      HttpResponse<String> r = ConsoleTestSupport.get(server.url(), path);
      assertThat(r.statusCode()).as(path).isEqualTo(400);
      JsonNode body = JSON.readTree(r.body());
      assertThat(body.size()).as(path).isEqualTo(1);
      assertThat(body.get("error").asText()).as(path).isNotBlank().doesNotContain("\n");
    }
  }

  static SortedSet<LocalDate> datesOf(Manifest m) {
    return new TreeSet<>(linesPerDate(m).keySet());
  }

  static Map<LocalDate, Long> linesPerDate(Manifest m) {
    Map<LocalDate, Long> lines = new TreeMap<>();
    for (DailyExpectation d : m.expectedDaily()) {
      lines.merge(LocalDate.parse(d.saleDate()), d.lines(), Long::sum);
    }
    return lines;
  }

  private static String range(LocalDate from, LocalDate to) {
    return "/api/dashboard/quality?from=" + from + "&to=" + to;
  }

  private static JsonNode ok(String path) throws Exception {
    HttpResponse<String> r = ConsoleTestSupport.get(url(), path);
    assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  private static URI url() {
    return server.url();
  }
}
