package com.retail.lakehouse.console;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.retail.lakehouse.common.CatalogFlags;
import com.retail.lakehouse.common.Durations;
import com.retail.lakehouse.generator.Catalogue;
import com.retail.lakehouse.generator.GeneratedMessage;
import com.retail.lakehouse.generator.GeneratorConfig;
import com.retail.lakehouse.generator.KafkaEventSender;
import com.retail.lakehouse.generator.PosTrafficSimulator;
import com.retail.lakehouse.generator.TrafficModel;
import com.retail.lakehouse.localkafka.LocalKafkaBroker;
import com.retail.lakehouse.pipelines.bench.BenchResults;
import com.retail.lakehouse.transforms.event.PosEventSchema;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import com.retail.lakehouse.transforms.tables.DailySalesSummaryTable;
import com.retail.lakehouse.transforms.tables.RawTable;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./lakehouse bench dashboard}: the sales dashboard's API latency on a realistic lakehouse
 * while the ingest runs beside it, and how soon the live view shows a committed sale.
 *
 * <p>The data set (default 10,000,000 raw rows over 35 UTC days, 1,000,000 of them in today's
 * partition) is built once per data folder and reused: the generator's simulator sends the lines to
 * the folder's local Kafka broker, the real ingest job ({@code ./lakehouse ingest
 * --until-caught-up}) writes raw, the real mart job builds marts.daily_sales_summary for every
 * date. Then a streaming ingest ({@code --mode=streaming}, a commit every {@code
 * --commit-interval}) runs with live generator traffic for today while the real console server
 * answers: for each dashboard call the cold first call, then p50/p95/max over {@code --requests}
 * calls (cached per snapshot), the same calls when every one misses the cache, and the live view
 * right after each new raw commit. Finally probe sales of their own store are sent and the time
 * from the raw commit that holds each to the live view showing it is measured. Prints the figures
 * and appends them to {@code bench/results/dashboard.md}.
 */
@Command(
    name = "bench dashboard",
    mixinStandardHelpOptions = true,
    description = {
      "The sales dashboard's API latency (daily, daily.csv, live) on --rows raw rows over --days"
          + " days with --today-rows in today's partition, while a streaming ingest and live"
          + " traffic run beside it; and the time from a sale's raw commit to the live view"
          + " showing it. The data set is built once per --data-dir (generator -> local Kafka ->"
          + " ./lakehouse ingest -> ./lakehouse mart) and reused.",
      "Try it in a few minutes: ./lakehouse bench dashboard --rows 300000 --requests 50"
    })
final class DashboardBench implements Callable<Integer> {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String TOPIC = GeneratorConfig.DEFAULT_TOPIC;
  static final String PROBE_STORE = "BENCHPROBE";

  @Option(
      names = "--rows",
      defaultValue = "10000000",
      description = "Raw rows of the data set (default: ${DEFAULT-VALUE}).")
  long rows;

  @Option(
      names = "--today-rows",
      description = "Of them, rows in today's UTC partition (default: a tenth of --rows).")
  Long todayRows;

  @Option(
      names = "--days",
      defaultValue = "35",
      description = "UTC days the rows span, today included (default: ${DEFAULT-VALUE}).")
  int days;

  @Option(
      names = "--data-dir",
      description =
          "The bench's data folder (broker, warehouse, console database; default:"
              + " <home>/lakehouse-data/bench-dashboard-<rows>).")
  Path dataDir;

  @Option(
      names = "--rebuild",
      description = "Delete the data folder's data set and build it again.")
  boolean rebuild;

  @Option(
      names = "--runner",
      defaultValue = "flink",
      description =
          "Runner of the ingest and mart jobs: direct, flink or spark (default: ${DEFAULT-VALUE}; the direct runner's streaming job is too slow to keep up).")
  String runner;

  @Option(
      names = "--requests",
      defaultValue = "200",
      description = "Timed calls per endpoint, after --warm-up calls (default: ${DEFAULT-VALUE}).")
  int requests;

  @Option(
      names = "--warm-up",
      defaultValue = "20",
      description = "Untimed calls per endpoint first (default: ${DEFAULT-VALUE}).")
  int warmUp;

  @Option(
      names = "--commit-interval",
      defaultValue = "10s",
      description = "The streaming ingest's commit interval (default: ${DEFAULT-VALUE}).")
  String commitInterval;

  @Option(
      names = "--live-rate",
      defaultValue = "500",
      description =
          "Live generator traffic beside the benchmark, events/s (default: ${DEFAULT-VALUE}).")
  int liveRate;

  @Option(
      names = "--commits",
      defaultValue = "6",
      description =
          "New raw commits after each of which the live view is timed (default: ${DEFAULT-VALUE}).")
  int commits;

  @Option(
      names = "--probes",
      defaultValue = "5",
      description = "Probe sales for the live freshness (default: ${DEFAULT-VALUE}).")
  int probes;

  @Option(
      names = "--results",
      description = "Where the figures go (default: <home>/bench/results).")
  Path results;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  private final List<Process> children = new ArrayList<>();
  private String[] commandLine = new String[0];

  public static void main(String[] args) {
    DashboardBench bench = new DashboardBench();
    bench.commandLine = args;
    System.exit(new CommandLine(bench).execute(args));
  }

  /** Checks the options; a one-line ParameterException (exit 2) when they do not fit. */
  void validate() {
    long today = todayRows();
    check(rows >= 10_000, "--rows must be at least 10000, got " + rows);
    check(days >= 2 && days <= 366, "--days must be between 2 and 366, got " + days);
    check(
        today >= 1_000 && today < rows,
        "--today-rows must be at least 1000 and less than --rows, got " + today);
    check(requests >= 1, "--requests must be at least 1, got " + requests);
    check(warmUp >= 0, "--warm-up must not be negative, got " + warmUp);
    check(commits >= 0 && probes >= 0, "--commits and --probes must not be negative");
    check(liveRate >= 1, "--live-rate must be at least 1 event/s, got " + liveRate);
    check(
        List.of("direct", "flink", "spark").contains(runner),
        "--runner must be direct, flink or spark, got '" + runner + "'");
    check(
        !runner.equals("spark"),
        "--runner spark has no streaming ingest (the live part needs one): use flink");
    try {
      Duration d = Durations.parse("commit-interval", commitInterval);
      check(!d.isNegative() && !d.isZero(), "--commit-interval must be positive");
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    check(
        storesFor(today, 1) <= 999,
        "--today-rows "
            + today
            + " needs more than 999 stores in one simulated day; lower it or raise --days");
  }

  private void check(boolean ok, String message) {
    if (!ok) {
      throw new CommandLine.ParameterException(spec.commandLine(), message);
    }
  }

  long todayRows() {
    return todayRows != null ? todayRows : rows / 10;
  }

  @Override
  public Integer call() throws Exception {
    validate();
    Path home = home();
    if (results == null) {
      results = home.resolve("bench/results");
    }
    if (dataDir == null) {
      dataDir = home.resolve("lakehouse-data").resolve("bench-dashboard-" + rows);
    }
    dataDir = dataDir.toAbsolutePath().normalize();
    Runtime.getRuntime().addShutdownHook(new Thread(this::stopChildren));
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    System.out.printf(
        "bench dashboard: %,d raw rows over %d days, %,d today (%s), data %s%n",
        rows, days, todayRows(), today, dataDir);
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("command", ("./lakehouse bench dashboard " + String.join(" ", commandLine)).strip());
    Map<String, Object> dataSet = ensureDataSet(today);
    result.put("data_set", dataSet);
    CatalogSettings catalog =
        CatalogSettings.of(CatalogFlags.of("hadoop", dataDir.toString(), null, null, List.of()));
    Table raw = catalog.catalog().loadTable(RawTable.DEFINITION.identifier());

    try (LocalKafkaBroker broker = LocalKafkaBroker.start(dataDir)) {
      String bootstrap = broker.bootstrapServers();
      Path logs = Files.createDirectories(dataDir.resolve("bench-logs"));
      // Beside the benchmark: the streaming ingest and live traffic for today, as in production.
      raw.refresh();
      long before = raw.currentSnapshot().snapshotId();
      start(
          logs.resolve("ingest-streaming.log"),
          "ingest",
          "--runner=" + runner,
          "--mode=streaming",
          "--commit-interval=" + commitInterval,
          "--data-dir=" + dataDir,
          "--bootstrap-servers=" + bootstrap,
          "--topic=" + TOPIC);
      start(
          logs.resolve("generate-live.log"),
          "generate",
          "--runner=" + runner,
          "--data-dir=" + dataDir,
          "--bootstrap-servers=" + bootstrap,
          "--topic=" + TOPIC,
          "--rate=" + liveRate,
          "--duration=6h",
          "--stores=" + storesFor(todayRows(), 1),
          "--seed=" + System.currentTimeMillis());
      System.out.printf(
          "  streaming ingest (commit every %s) and live traffic (%,d events/s) started; logs in"
              + " %s%n",
          commitInterval, liveRate, logs);
      long waitFrom = System.nanoTime();
      while (raw.currentSnapshot().snapshotId() == before) {
        if (System.nanoTime() - waitFrom > TimeUnit.MINUTES.toNanos(4)) {
          throw new IllegalStateException(
              "the streaming ingest made no commit in 4 minutes; see " + logs);
        }
        children.forEach(
            p -> {
              if (!p.isAlive()) {
                throw new IllegalStateException(
                    "a job beside the benchmark exited (" + p.exitValue() + "); see " + logs);
              }
            });
        Thread.sleep(1000);
        raw.refresh();
      }
      System.out.printf(
          "  the streaming ingest committed after %.0f s%n", (System.nanoTime() - waitFrom) / 1e9);

      ConsoleSettings settings =
          ConsoleSettings.defaults(dataDir, home)
              .withAddress("127.0.0.1", 0)
              .withJobs(List.of(noopJob(dataDir).toString()), Map.of(), runner)
              .withSchedules(
                  ZoneOffset.UTC, "0 0 3 * * *", "0 0 2 * * *", true, Duration.ofSeconds(15));
      try (ConsoleServer server = ConsoleServer.start(settings)) {
        URI url = server.url();
        // the machine is shared: how busy it was is part of the figures
        result.put("load_average_before", loadAverage());
        measureLatency(url, raw, dataSet, result);
        measureFreshness(url, raw, bootstrap, result);
        JsonNode live = getJson(url.resolve("api/dashboard/live"));
        result.put("today_raw_rows_at_end", live.path("totals").path("raw_rows").asLong());
        result.put("load_average_after", loadAverage());
      } finally {
        stopChildren();
      }
    }
    result.put("machine", BenchResults.machine());
    Path json =
        BenchResults.write(
            results,
            "dashboard",
            runner,
            result,
            List.of(
                "raw_rows",
                "today_rows",
                "daily_p95_ms",
                "daily_store_p95_ms",
                "daily_csv_p95_ms",
                "daily_uncached_p95_ms",
                "daily_store_uncached_p95_ms",
                "daily_cold_ms",
                "live_p95_ms",
                "live_store_p95_ms",
                "live_after_commit_p95_ms",
                "live_store_after_commit_p95_ms",
                "live_cold_ms",
                "freshness_commit_to_live_p50_s",
                "freshness_commit_to_live_max_s",
                "freshness_send_to_live_max_s",
                "commit_interval_s",
                "load_average_before"));
    System.out.println("  results: " + json + " and " + results.resolve("dashboard.md"));
    return 0;
  }

  // ---------------------------------------------------------------- the data set

  /**
   * The data set of this folder: reused when its record matches the options and today's date, built
   * otherwise (or with --rebuild). Returns its facts.
   */
  @SuppressWarnings("unchecked")
  private Map<String, Object> ensureDataSet(LocalDate today) throws Exception {
    Path record = dataDir.resolve("bench-data-set.json");
    if (!rebuild && Files.exists(record)) {
      Map<String, Object> facts = JSON.readValue(record.toFile(), Map.class);
      boolean same =
          ((Number) facts.get("rows_wanted")).longValue() == rows
              && ((Number) facts.get("today_rows_wanted")).longValue() == todayRows()
              && ((Number) facts.get("days")).intValue() == days
              && today.toString().equals(facts.get("today"));
      if (same) {
        System.out.printf(
            "  reusing the data set in %s (%,d raw rows, %,d today); --rebuild builds it again%n",
            dataDir, facts.get("raw_rows"), facts.get("today_rows"));
        return facts;
      }
      System.out.println(
          "  the data set in "
              + dataDir
              + " was built for other options or another day ("
              + facts.get("today")
              + "): building it again");
    }
    if (LocalKafkaBroker.runningAddress(dataDir).isPresent()) {
      throw new IllegalStateException(
          "a broker of " + dataDir + " is running: stop it before the data set is rebuilt");
    }
    if (!Files.exists(record) && !isEmptyOrAbsent(dataDir)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--data-dir "
              + dataDir
              + " holds data that is not a bench dashboard data set: give an empty or new folder");
    }
    deleteTree(dataDir); // a data set of this benchmark (its record says so), or nothing
    Files.createDirectories(dataDir);
    Map<String, Object> facts = new LinkedHashMap<>();
    facts.put("rows_wanted", rows);
    facts.put("today_rows_wanted", todayRows());
    facts.put("days", days);
    facts.put("today", today.toString());
    long historyRows = rows - todayRows();
    int historyStores = storesFor(historyRows, days - 1);
    int todayStores = storesFor(todayRows(), 1);
    facts.put("history_stores", historyStores);
    facts.put("today_stores", todayStores);
    long t0 = System.nanoTime();
    try (LocalKafkaBroker broker = LocalKafkaBroker.start(dataDir)) {
      String bootstrap = broker.bootstrapServers();
      KafkaEventSender.ensureTopic(bootstrap, TOPIC, 4);
      Instant todayStart = today.atStartOfDay(ZoneOffset.UTC).toInstant();
      long sentHistory =
          send(
              bootstrap,
              GeneratorConfig.builder()
                  .seed(42)
                  .stores(historyStores)
                  .start(todayStart.minus(days - 1, ChronoUnit.DAYS))
                  .count(historyRows * 2)
                  .topic(TOPIC)
                  .build(),
              historyRows,
              todayStart,
              "history");
      long sentToday =
          send(
              bootstrap,
              GeneratorConfig.builder()
                  .seed(43)
                  .stores(todayStores)
                  .start(todayStart)
                  .count(todayRows() * 2)
                  .topic(TOPIC)
                  .build(),
              todayRows(),
              todayStart.plus(1, ChronoUnit.DAYS),
              "today");
      double sendSeconds = (System.nanoTime() - t0) / 1e9;
      facts.put("sent_history", sentHistory);
      facts.put("sent_today", sentToday);
      facts.put("send_seconds", round(sendSeconds));
      System.out.printf(
          "  sent %,d lines (%,d before today, %,d today) in %.0f s (%,.0f lines/s)%n",
          sentHistory + sentToday,
          sentHistory,
          sentToday,
          sendSeconds,
          (sentHistory + sentToday) / sendSeconds);

      long t1 = System.nanoTime();
      run(
          "ingest",
          "--runner=" + runner,
          "--until-caught-up",
          "--data-dir=" + dataDir,
          "--bootstrap-servers=" + bootstrap,
          "--topic=" + TOPIC,
          "--summary-json=" + dataDir.resolve("bench-ingest.json"));
      facts.put("ingest_seconds", round((System.nanoTime() - t1) / 1e9));
    }
    long t2 = System.nanoTime();
    run(
        "mart",
        "--runner=" + runner,
        "--data-dir=" + dataDir,
        "--summary-json=" + dataDir.resolve("bench-mart.json"));
    facts.put("mart_seconds", round((System.nanoTime() - t2) / 1e9));

    CatalogSettings catalog =
        CatalogSettings.of(CatalogFlags.of("hadoop", dataDir.toString(), null, null, List.of()));
    Table raw = catalog.catalog().loadTable(RawTable.DEFINITION.identifier());
    Table mart = catalog.catalog().loadTable(DailySalesSummaryTable.DEFINITION.identifier());
    facts.put("raw_rows", totalRecords(raw));
    facts.put("today_rows", rowsOn(raw, today));
    facts.put("raw_data_files", totalDataFiles(raw));
    facts.put("mart_rows", totalRecords(mart));
    facts.put("build_seconds", round((System.nanoTime() - t0) / 1e9));
    Files.writeString(
        record,
        JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(facts) + "\n");
    System.out.printf(
        "  data set built in %.0f s: raw %,d rows (%,d today) in %,d files, mart %,d rows%n",
        (System.nanoTime() - t0) / 1e9,
        facts.get("raw_rows"),
        facts.get("today_rows"),
        facts.get("raw_data_files"),
        facts.get("mart_rows"));
    return facts;
  }

  /**
   * Sends the simulator's lines of {@code config} until {@code limit} lines or the first line at or
   * after {@code end}; returns the lines sent.
   */
  private static long send(
      String bootstrap, GeneratorConfig config, long limit, Instant end, String what) {
    PosTrafficSimulator simulator = new PosTrafficSimulator(config);
    long sent = 0;
    long t0 = System.nanoTime();
    long nextReport = t0 + TimeUnit.SECONDS.toNanos(5);
    try (KafkaEventSender sender = new KafkaEventSender(bootstrap, config.topic())) {
      while (sent < limit && simulator.hasNext()) {
        GeneratedMessage m = simulator.next();
        if (!m.event().eventTime().isBefore(end)) {
          break;
        }
        sender.send(m);
        sent++;
        long now = System.nanoTime();
        if (now >= nextReport) {
          System.out.printf(
              "  sending %s: %,d of %,d lines (%,.0f/s), simulated clock %s%n",
              what, sent, limit, sent / ((now - t0) / 1e9), m.event().eventTime());
          nextReport = now + TimeUnit.SECONDS.toNanos(5);
        }
      }
      sender.flush();
      if (sender.errors() > 0) {
        throw new IllegalStateException(
            sender.errors() + " lines were not sent: " + sender.firstError());
      }
    }
    return sent;
  }

  /** Stores whose simulated days make about {@code lines} lines in {@code days} days. */
  static int storesFor(long lines, int days) {
    double perStoreDay = TrafficModel.expectedLinesPerDay(Catalogue.generate(42, 100, 500)) / 100;
    return (int) Math.max(1, Math.ceil(lines / (perStoreDay * days)));
  }

  // ---------------------------------------------------------------- latency

  private void measureLatency(
      URI url, Table raw, Map<String, Object> dataSet, Map<String, Object> r) throws Exception {
    r.put("raw_rows", dataSet.get("raw_rows"));
    r.put("today_rows", dataSet.get("today_rows"));
    r.put("requests_per_endpoint", requests);
    JsonNode daily0 = null;
    Map<String, Object> cold = new LinkedHashMap<>();
    Map<String, Object> latency = new LinkedHashMap<>();
    System.out.printf("  %-58s %9s %8s %8s %8s%n", "call", "cold ms", "p50 ms", "p95 ms", "max ms");
    String[][] endpoints = {
      {"daily", "api/dashboard/daily"},
      {"daily_store", "api/dashboard/daily?store=S001"},
      {"daily_csv", "api/dashboard/daily.csv"},
      {"live", "api/dashboard/live"},
      {"live_store", "api/dashboard/live?store=S001"},
    };
    for (String[] e : endpoints) {
      URI uri = url.resolve(e[1]);
      long t0 = System.nanoTime();
      String body = get(uri);
      double coldMs = (System.nanoTime() - t0) / 1e6;
      if (e[0].equals("daily")) {
        daily0 = JSON.readTree(body);
      }
      double[] ms = measure(() -> get(uri), warmUp, requests);
      cold.put(e[0], round(coldMs));
      latency.put(e[0], row(ms));
      r.put(e[0] + "_p95_ms", round(ms[1]));
      print("/" + e[1], coldMs, ms);
    }
    r.put("daily_cold_ms", cold.get("daily"));
    r.put("live_cold_ms", cold.get("live"));

    // Every call a cache miss: another range (daily) or another store (daily, store) each time.
    LocalDate last = LocalDate.parse(daily0.path("to").asText());
    int stores = ((Number) dataSet.get("today_stores")).intValue();
    int[] i = {0};
    double[] ms =
        measure(
            () -> {
              int k = i[0]++;
              LocalDate to = last.minusDays(k / 30 % 5);
              LocalDate from = to.minusDays(29 - k % 30);
              return get(url.resolve("api/dashboard/daily?from=" + from + "&to=" + to));
            },
            0,
            requests);
    latency.put("daily_uncached", row(ms));
    r.put("daily_uncached_p95_ms", round(ms[1]));
    print("/api/dashboard/daily?from=&to= (another range each call)", Double.NaN, ms);
    int[] j = {0};
    ms =
        measure(
            () ->
                get(
                    url.resolve(
                        String.format(
                            "api/dashboard/daily?store=S%03d", 2 + j[0]++ % (stores - 1)))),
            0,
            requests);
    latency.put("daily_store_uncached", row(ms));
    r.put("daily_store_uncached_p95_ms", round(ms[1]));
    print("/api/dashboard/daily?store= (another store each call)", Double.NaN, ms);

    // The live view right after each new raw commit: the call that reads the new data.
    double[] after = new double[commits];
    double[] afterStore = new double[commits];
    raw.refresh();
    long seen = raw.currentSnapshot().snapshotId();
    for (int c = 0; c < commits; c++) {
      seen = awaitNewSnapshot(raw, seen);
      long t0 = System.nanoTime();
      get(url.resolve("api/dashboard/live"));
      after[c] = (System.nanoTime() - t0) / 1e6;
      t0 = System.nanoTime();
      get(url.resolve("api/dashboard/live?store=S001"));
      afterStore[c] = (System.nanoTime() - t0) / 1e6;
    }
    if (commits > 0) {
      double[] a = stats(after);
      double[] b = stats(afterStore);
      latency.put("live_after_commit", row(a));
      latency.put("live_store_after_commit", row(b));
      r.put("live_after_commit_p95_ms", round(a[1]));
      r.put("live_store_after_commit_p95_ms", round(b[1]));
      print("/api/dashboard/live, first call after a commit (" + commits + ")", Double.NaN, a);
      print("/api/dashboard/live?store=S001, first after a commit", Double.NaN, b);
    }
    r.put("cold_ms", cold);
    r.put("latency", latency);
  }

  private long awaitNewSnapshot(Table raw, long seen) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (System.nanoTime() < end) {
      raw.refresh();
      Snapshot s = raw.currentSnapshot();
      if (s.snapshotId() != seen) {
        return s.snapshotId();
      }
      Thread.sleep(20);
    }
    throw new IllegalStateException("no new raw commit in 2 minutes: is the streaming ingest up?");
  }

  // ---------------------------------------------------------------- freshness

  private void measureFreshness(URI url, Table raw, String bootstrap, Map<String, Object> r)
      throws Exception {
    Duration interval = Durations.parse("commit-interval", commitInterval);
    r.put("commit_interval_s", interval.toSeconds());
    if (probes == 0) {
      return;
    }
    Properties props = KafkaEventSender.producerProperties(bootstrap);
    URI probeUri = url.resolve("api/dashboard/live?store=" + PROBE_STORE);
    long linesBefore = getJson(probeUri).path("totals").path("lines").asLong();
    double[] commitToLive = new double[probes];
    double[] sendToLive = new double[probes];
    double[] sendToCommit = new double[probes];
    String run = Long.toString(System.currentTimeMillis());
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (int p = 0; p < probes; p++) {
        // land at different points of the commit window
        Thread.sleep((long) (interval.toMillis() * ((p * 0.37) % 1.0)) + 500);
        String transaction = PROBE_STORE + "-" + run + "-" + p;
        Instant sentAt = Instant.now();
        producer
            .send(
                new ProducerRecord<>(
                    TOPIC,
                    PROBE_STORE.getBytes(StandardCharsets.UTF_8),
                    probeEvent(transaction, sentAt).getBytes(StandardCharsets.UTF_8)))
            .get();
        long visibleAt;
        long deadline = System.currentTimeMillis() + interval.toMillis() * 3 + 60_000;
        while (true) {
          JsonNode live = getJson(probeUri);
          if (live.path("totals").path("lines").asLong() >= linesBefore + p + 1) {
            visibleAt = System.currentTimeMillis();
            break;
          }
          if (System.currentTimeMillis() > deadline) {
            throw new IllegalStateException(
                "probe " + transaction + " never showed in the live view");
          }
          Thread.sleep(50);
        }
        long committedAt = commitOf(raw, transaction, sentAt.toEpochMilli());
        commitToLive[p] = (visibleAt - committedAt) / 1000.0;
        sendToLive[p] = (visibleAt - sentAt.toEpochMilli()) / 1000.0;
        sendToCommit[p] = (committedAt - sentAt.toEpochMilli()) / 1000.0;
        System.out.printf(
            "  probe %d: sent -> committed %.2f s, committed -> live view %.2f s%n",
            p + 1, sendToCommit[p], commitToLive[p]);
      }
    }
    double[] c = stats(commitToLive);
    double[] s = stats(sendToLive);
    double[] k = stats(sendToCommit);
    r.put("freshness_commit_to_live_p50_s", round2(c[0]));
    r.put("freshness_commit_to_live_max_s", round2(c[2]));
    r.put("freshness_send_to_live_p50_s", round2(s[0]));
    r.put("freshness_send_to_live_max_s", round2(s[2]));
    r.put("freshness_send_to_commit_p50_s", round2(k[0]));
    r.put("freshness_send_to_commit_max_s", round2(k[2]));
    r.put("freshness_target_s", interval.toSeconds() + 2);
    System.out.printf(
        "  live freshness (%d probes): commit -> live p50 %.2f s, max %.2f s; send -> live p50 %.2f"
            + " s, max %.2f s (target: commit interval + 2 s = %d s)%n",
        probes, c[0], c[2], s[0], s[2], interval.toSeconds() + 2);
  }

  /**
   * The timestamp of the first raw snapshot after {@code fromMillis} that holds the transaction.
   */
  private static long commitOf(Table raw, String transaction, long fromMillis) throws IOException {
    raw.refresh();
    List<Snapshot> snapshots = new ArrayList<>();
    raw.snapshots().forEach(snapshots::add);
    snapshots.sort(Comparator.comparingLong(Snapshot::timestampMillis));
    Long previous = null;
    for (Snapshot s : snapshots) {
      if (s.timestampMillis() >= fromMillis && previous != null) {
        try (CloseableIterable<Record> found =
            IcebergGenerics.read(raw)
                .appendsBetween(previous, s.snapshotId())
                .where(
                    Expressions.and(
                        Expressions.equal(PosEventSchema.STORE_ID, PROBE_STORE),
                        Expressions.equal(PosEventSchema.TRANSACTION_ID, transaction)))
                .select(PosEventSchema.TRANSACTION_ID)
                .build()) {
          for (Record rec : found) {
            if (transaction.equals(rec.getField(PosEventSchema.TRANSACTION_ID))) {
              return s.timestampMillis();
            }
          }
        }
      }
      previous = s.snapshotId();
    }
    throw new IllegalStateException("no raw snapshot holds probe " + transaction);
  }

  /** A valid one-line sale of the probe store (docs: the POS event contract). */
  static String probeEvent(String transaction, Instant at) {
    return "{\"event_id\":\""
        + UUID.randomUUID()
        + "\",\"transaction_id\":\""
        + transaction
        + "\",\"line_number\":1,\"event_type\":\"SALE\",\"store_id\":\""
        + PROBE_STORE
        + "\",\"register_id\":\""
        + PROBE_STORE
        + "-R1\",\"cashier_id\":\""
        + PROBE_STORE
        + "-C01\",\"product\":\"Bench probe\",\"sku\":\"SKU-PROBE\",\"category\":\"Bench\","
        + "\"quantity\":1,\"unit_price\":\"1.00\",\"discount\":\"0.00\",\"total_amount\":\"1.00\","
        + "\"currency\":\"USD\",\"payment_method\":\"CARD\",\"customer_id\":null,\"event_time\":\""
        + at.truncatedTo(ChronoUnit.MILLIS)
        + "\"}";
  }

  // ---------------------------------------------------------------- helpers

  private interface Call {
    String call() throws Exception;
  }

  /** p50, p95, max in ms over {@code n} calls after {@code warm} untimed ones. */
  private static double[] measure(Call call, int warm, int n) throws Exception {
    for (int i = 0; i < warm; i++) {
      call.call();
    }
    double[] ms = new double[n];
    for (int i = 0; i < n; i++) {
      long t0 = System.nanoTime();
      call.call();
      ms[i] = (System.nanoTime() - t0) / 1e6;
    }
    return stats(ms);
  }

  /** p50, p95 (nearest rank), max. */
  static double[] stats(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    int n = v.length;
    return new double[] {
      v[(int) Math.ceil(n * 0.50) - 1], v[(int) Math.ceil(n * 0.95) - 1], v[n - 1]
    };
  }

  private static Map<String, Object> row(double[] ms) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("p50_ms", round(ms[0]));
    m.put("p95_ms", round(ms[1]));
    m.put("max_ms", round(ms[2]));
    return m;
  }

  private static void print(String what, double coldMs, double[] ms) {
    System.out.printf(
        "  %-58s %9s %8.1f %8.1f %8.1f%n",
        what, Double.isNaN(coldMs) ? "" : String.format("%.1f", coldMs), ms[0], ms[1], ms[2]);
  }

  private static String get(URI uri) throws Exception {
    HttpResponse<String> r =
        HTTP.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(uri + " answered " + r.statusCode() + ": " + r.body());
    }
    return r.body();
  }

  private static JsonNode getJson(URI uri) throws Exception {
    return JSON.readTree(get(uri));
  }

  private static long totalRecords(Table t) {
    t.refresh();
    return t.currentSnapshot() == null
        ? 0
        : Long.parseLong(t.currentSnapshot().summary().getOrDefault("total-records", "0"));
  }

  private static long totalDataFiles(Table t) {
    return t.currentSnapshot() == null
        ? 0
        : Long.parseLong(t.currentSnapshot().summary().getOrDefault("total-data-files", "0"));
  }

  /** Raw rows of one UTC day: the record counts of its files (metadata only). */
  private static long rowsOn(Table raw, LocalDate day) throws IOException {
    long n = 0;
    try (var tasks =
        raw.newScan()
            .filter(
                com.retail.lakehouse.transforms.mart.RawFilePlan.eventTimeOn(
                    new java.util.TreeSet<>(List.of(day))))
            .planFiles()) {
      for (var task : tasks) {
        n += task.file().recordCount();
      }
    }
    return n;
  }

  /** Runs {@code ./lakehouse <args>} to the end, its output on ours; fails on a non-zero exit. */
  private void run(String... args) throws Exception {
    System.out.println("  running ./lakehouse " + String.join(" ", args));
    long t0 = System.nanoTime();
    Process p = new ProcessBuilder(launcher(args)).inheritIO().start();
    children.add(p);
    int exit = p.waitFor();
    children.remove(p);
    if (exit != 0) {
      throw new IllegalStateException("./lakehouse " + args[0] + " exited " + exit);
    }
    System.out.printf("  ./lakehouse %s took %.0f s%n", args[0], (System.nanoTime() - t0) / 1e9);
  }

  /** Starts {@code ./lakehouse <args>} beside the benchmark, its output to {@code log}. */
  private void start(Path log, String... args) throws IOException {
    Process p =
        new ProcessBuilder(launcher(args))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    children.add(p);
  }

  private List<String> launcher(String... args) {
    List<String> command = new ArrayList<>();
    command.add(home().resolve("lakehouse").toString());
    command.addAll(List.of(args));
    return command;
  }

  private synchronized void stopChildren() {
    for (Process p : children) {
      if (p.isAlive()) {
        RunLauncher.stopTreeAndWait(p.toHandle());
      }
    }
    children.clear();
  }

  private static Path noopJob(Path dataDir) throws IOException {
    Path script = dataDir.resolve("bench-noop-job.sh");
    Files.writeString(script, "#!/usr/bin/env bash\n# bench dashboard: the console runs no job\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    return script;
  }

  /** The 1, 5 and 15 minute load averages (Linux), or "unknown". */
  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  private static boolean isEmptyOrAbsent(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return true;
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.findAny().isEmpty();
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private static double round2(double v) {
    return Math.round(v * 100) / 100.0;
  }

  private static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }

  private static Path home() {
    return Path.of(System.getProperty("lakehouse.home", ".")).toAbsolutePath().normalize();
  }
}
