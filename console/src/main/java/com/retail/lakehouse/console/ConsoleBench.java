package com.retail.lakehouse.console;

import com.retail.lakehouse.pipelines.bench.BenchResults;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./lakehouse bench console}: the console's page and API latency with a large run history
 * (default 10,000 runs and a 1,000,000-line log), and its heap idle and while runs write logs and
 * clients tail them. Prints the figures and writes them to {@code bench/results/console.md}. The
 * console here is the real server on an H2 file; the jobs are a stand-in script that writes log
 * lines as fast as it can (the console's own cost is what is measured, not Beam's).
 */
@Command(
    name = "bench console",
    mixinStandardHelpOptions = true,
    description = "The console's page and API latency with a large run history, and its heap.")
public final class ConsoleBench implements Callable<Integer> {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Option(
      names = "--runs",
      defaultValue = "10000",
      description = "Runs in the history (default: ${DEFAULT-VALUE}).")
  int runs;

  @Option(
      names = "--requests",
      defaultValue = "200",
      description = "Timed requests per page (default: ${DEFAULT-VALUE}).")
  int requests;

  @Option(
      names = "--log-lines",
      defaultValue = "1000000",
      description = "Lines of the one huge run log (default: ${DEFAULT-VALUE}).")
  int logLines;

  @Option(
      names = "--tables-from",
      description =
          "A data folder whose warehouse (its Iceberg tables) is copied in first, so that the"
              + " tables and partitions pages read real tables (default: none, empty warehouse).")
  Path tablesFrom;

  @Option(
      names = "--results",
      description = "Where the figures go (default: <home>/bench/results).")
  Path results;

  public static void main(String[] args) {
    System.exit(new CommandLine(new ConsoleBench()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (results == null) {
      results = home().resolve("bench/results");
    }
    Path dataDir = Files.createTempDirectory("lakehouse-console-bench-");
    System.out.printf(
        "bench console: %,d runs in history, %,d requests per page, data %s%n",
        runs, requests, dataDir);

    if (tablesFrom != null) {
      copyTree(tablesFrom.resolve("warehouse"), dataDir.resolve("warehouse"));
      System.out.println("  tables copied from " + tablesFrom.resolve("warehouse"));
    }
    Path job = fakeJob(dataDir);
    ConsoleSettings settings =
        ConsoleSettings.defaults(dataDir, home())
            .withAddress("127.0.0.1", 0)
            .withJobs(List.of(job.toString()), Map.of(), "direct")
            .withSchedules(
                ZoneOffset.UTC, "0 0 3 * * *", "0 0 2 * * *", true, Duration.ofSeconds(15));
    long bigLogRun;
    try (ConsoleServer warm = ConsoleServer.start(settings)) {
      // The schema exists now; fill the history in one transaction.
    }
    RunStore store = new RunStore(Database.open(dataDir, null));
    long started = System.nanoTime();
    bigLogRun = fill(store, dataDir, runs, logLines);
    Database.close(store.dataSource());
    System.out.printf("  history filled in %.1f s%n", (System.nanoTime() - started) / 1e9);

    Map<String, Object> result = new LinkedHashMap<>();
    result.put("runs_in_history", runs);
    result.put("tables", tablesFrom == null ? "none" : tablesFrom.toString());
    result.put("requests_per_page", requests);
    try (ConsoleServer server = ConsoleServer.start(settings)) {
      URI url = server.url();
      List<String> pages =
          List.of(
              "",
              "api/health",
              "api/runs",
              "api/runs?status=failed",
              "api/runs?job=mart&trigger=backfill",
              "api/runs?before_id=" + (runs / 2),
              "api/runs/" + (runs / 3),
              "api/runs/" + bigLogRun + "/log",
              "api/runs/"
                  + bigLogRun
                  + "/log?offset="
                  + Math.max(0, Files.size(logOf(dataDir, bigLogRun)) - 65_536),
              "api/jobs",
              "api/schedules",
              "api/sensors",
              "api/backfills",
              "api/partitions",
              "api/tables");
      Map<String, Object> latency = new LinkedHashMap<>();
      double worstP95 = 0;
      String worstPage = "";
      System.out.printf("  %-48s %8s %8s %8s%n", "page", "p50 ms", "p95 ms", "max ms");
      for (String page : pages) {
        double[] ms = measure(url.resolve(page), requests);
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("p50_ms", round(ms[0]));
        row.put("p95_ms", round(ms[1]));
        row.put("max_ms", round(ms[2]));
        latency.put("/" + page, row);
        System.out.printf("  %-48s %8.1f %8.1f %8.1f%n", "/" + page, ms[0], ms[1], ms[2]);
        if (ms[1] > worstP95) {
          worstP95 = ms[1];
          worstPage = "/" + page;
        }
      }
      result.put("latency", latency);
      result.put("worst_p95_ms", round(worstP95));
      result.put("worst_p95_page", worstPage);

      MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
      long idle = heapAfterGc(memory);
      result.put("heap_idle_mib", idle / (1 << 20));
      System.out.printf("  heap idle (after GC): %,d MiB%n", idle / (1 << 20));

      // Under load: one run of each job at once (the most the console allows: one per job), each
      // writing its log as fast as it can, while 5 clients poll the runs list and tail the logs.
      List<Long> ids = new ArrayList<>();
      for (String j : List.of("ingest", "mart", "maintain")) {
        var r = post(url.resolve("api/jobs/" + j + "/runs"));
        ids.add(Long.parseLong(r.replaceAll("[^0-9]", "")));
      }
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong peak = new AtomicLong();
      AtomicLong clientRequests = new AtomicLong();
      AtomicReference<Throwable> clientError = new AtomicReference<>();
      List<Thread> clients = new ArrayList<>();
      for (int c = 0; c < 5; c++) {
        long id = ids.get(c % ids.size());
        Thread t =
            new Thread(
                () -> {
                  long offset = 0;
                  while (!stop.get()) {
                    try {
                      get(url.resolve("api/runs?limit=50"));
                      String log = get(url.resolve("api/runs/" + id + "/log?offset=" + offset));
                      int at = log.indexOf("\"next_offset\":");
                      offset = Long.parseLong(log.substring(at + 14, log.indexOf(',', at)));
                      clientRequests.addAndGet(2);
                    } catch (Exception e) {
                      clientError.compareAndSet(null, e);
                    }
                  }
                });
        t.start();
        clients.add(t);
      }
      long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      int concurrent = 0;
      while (System.nanoTime() < end) {
        peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
        Thread.sleep(100);
        concurrent = Math.max(concurrent, server.activeRuns());
      }
      stop.set(true);
      for (Thread t : clients) {
        t.join();
      }
      long afterLoad = heapAfterGc(memory);
      result.put("concurrent_runs", concurrent);
      result.put("log_tail_clients", 5);
      result.put("client_requests_in_20s", clientRequests.get());
      result.put("heap_peak_under_load_mib", peak.get() / (1 << 20));
      result.put("heap_after_load_mib", afterLoad / (1 << 20));
      System.out.printf(
          "  under load (%d runs writing logs, 5 clients, %,d requests in 20 s): heap peak %,d MiB,"
              + " after GC %,d MiB%s%n",
          concurrent,
          clientRequests.get(),
          peak.get() / (1 << 20),
          afterLoad / (1 << 20),
          clientError.get() == null ? "" : "; client error: " + clientError.get());
      for (long id : ids) {
        post(url.resolve("api/runs/" + id + "/cancel"));
      }
    }
    result.put("machine", BenchResults.machine());
    Path json =
        BenchResults.write(
            results,
            "console",
            "none",
            result,
            List.of(
                "runs_in_history",
                "tables",
                "worst_p95_ms",
                "worst_p95_page",
                "heap_idle_mib",
                "concurrent_runs",
                "heap_peak_under_load_mib",
                "heap_after_load_mib"));
    System.out.println("  results: " + json + " and " + results.resolve("console.md"));
    return 0;
  }

  /** Inserts {@code runs} ended runs (mixed jobs, triggers, statuses), one with a huge log. */
  private long fill(RunStore store, Path dataDir, int runs, int logLines) throws Exception {
    Random random = new Random(1);
    String[] jobs = {"ingest", "ingest", "ingest", "mart", "maintain"};
    String[] triggers = {"schedule", "sensor", "manual", "backfill", "retry"};
    String summary =
        "{\"read\":12000,\"dead_letters\":120,\"duplicates_dropped\":240,\"unaccounted\":0,"
            + "\"raw_snapshot_id\":7147124398130433518,\"seconds\":14.2}";
    Instant t = Instant.now().minus(Duration.ofDays(30));
    try (Connection c = store.dataSource().getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "INSERT INTO console_runs (job, trigger_kind, params, status, attempt,"
                    + " max_attempts, queued_at, started_at, ended_at, exit_code, message, summary,"
                    + " checks, log_path) VALUES (?, ?, ?, ?, 1, 3, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      c.setAutoCommit(false);
      for (int i = 1; i <= runs; i++) {
        t = t.plusSeconds(250);
        boolean failed = random.nextInt(20) == 0;
        s.setString(1, jobs[random.nextInt(jobs.length)]);
        s.setString(2, triggers[random.nextInt(triggers.length)]);
        s.setString(3, "{\"dates\":[\"2026-11-" + (10 + random.nextInt(18)) + "\"]}");
        s.setString(4, failed ? "failed" : "succeeded");
        s.setObject(5, t.atOffset(ZoneOffset.UTC));
        s.setObject(6, t.plusSeconds(1).atOffset(ZoneOffset.UTC));
        s.setObject(7, t.plusSeconds(20).atOffset(ZoneOffset.UTC));
        s.setInt(8, failed ? 1 : 0);
        s.setString(9, failed ? "exit 1: lakehouse mart: failed: injected" : null);
        s.setString(10, summary);
        s.setString(
            11,
            "[{\"name\":\"all_messages_accounted\",\"severity\":\"error\",\"passed\":true,\"detail\":\"unaccounted 0\"}]");
        s.setString(12, logOf(dataDir, i).toString());
        s.addBatch();
        if (i % 1000 == 0) {
          s.executeBatch();
        }
      }
      s.executeBatch();
      c.commit();
    }
    long big = runs - 1;
    Path log = logOf(dataDir, big);
    Files.createDirectories(log.getParent());
    StringBuilder chunk = new StringBuilder();
    try (var out = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
      for (int i = 1; i <= logLines; i++) {
        chunk
            .append("ingest: read ")
            .append(i)
            .append(" of ")
            .append(logLines)
            .append(" events  12,000 events/s\n");
        if (chunk.length() > 1 << 16) {
          out.write(chunk.toString());
          chunk.setLength(0);
        }
      }
      out.write(chunk.toString());
    }
    return big;
  }

  private static void copyTree(Path from, Path to) throws IOException {
    if (!Files.isDirectory(from)) {
      throw new IllegalArgumentException("--tables-from: no warehouse folder " + from);
    }
    try (var paths = Files.walk(from)) {
      for (Path p : (Iterable<Path>) paths::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }

  private static Path logOf(Path dataDir, long id) {
    return dataDir.resolve("runs").resolve(Long.toString(id)).resolve("log.txt");
  }

  private static Path fakeJob(Path dataDir) throws IOException {
    Path script = dataDir.resolve("busy-job.sh");
    Files.writeString(
        script,
        "#!/usr/bin/env bash\n# stands in for a job: writes log lines as fast as it can, then idles\n"
            + "yes \"$1: a busy job's log line, as long as a progress line of a real run\" | head -n 1000000\n"
            + "sleep 60\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    return script;
  }

  /** p50, p95, max in ms over {@code n} requests after 20 warm-ups. */
  private static double[] measure(URI uri, int n) throws Exception {
    for (int i = 0; i < 20; i++) {
      get(uri);
    }
    double[] ms = new double[n];
    for (int i = 0; i < n; i++) {
      long t0 = System.nanoTime();
      get(uri);
      ms[i] = (System.nanoTime() - t0) / 1e6;
    }
    Arrays.sort(ms);
    return new double[] {ms[n / 2], ms[(int) Math.ceil(n * 0.95) - 1], ms[n - 1]};
  }

  private static String get(URI uri) throws Exception {
    HttpResponse<String> r =
        HTTP.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(uri + " answered " + r.statusCode() + ": " + r.body());
    }
    return r.body();
  }

  private static String post(URI uri) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(uri)
                .header("X-Lakehouse-Request", "1")
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() / 100 != 2) {
      throw new IllegalStateException(uri + " answered " + r.statusCode() + ": " + r.body());
    }
    return r.body();
  }

  private static long heapAfterGc(MemoryMXBean memory) throws InterruptedException {
    System.gc();
    Thread.sleep(200);
    System.gc();
    return memory.getHeapMemoryUsage().getUsed();
  }

  private static double round(double ms) {
    return Math.round(ms * 10) / 10.0;
  }

  private static Path home() {
    return Path.of(System.getProperty("lakehouse.home", "."));
  }
}
