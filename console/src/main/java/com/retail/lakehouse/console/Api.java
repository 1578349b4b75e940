package com.retail.lakehouse.console;

import com.retail.lakehouse.console.dashboard.SalesDashboard;
import com.retail.lakehouse.console.tables.DateState;
import com.retail.lakehouse.console.tables.PartitionFiles;
import com.retail.lakehouse.console.tables.PartitionLag;
import com.retail.lakehouse.console.tables.TableHealth;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpStatus;
import io.javalin.http.staticfiles.Location;
import io.javalin.json.JavalinJackson;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON API under {@code /api} (docs/console-api.md) and the web UI's files at {@code /}. Every
 * POST must carry the header {@code X-Lakehouse-Request: 1}, which a cross-site form cannot set
 * (CSRF), and, when the console has a token, {@code Authorization: Bearer <token>}; the console
 * refuses to bind beyond loopback without a token. Errors are one line of JSON.
 */
final class Api {
  private final ConsoleSettings settings;
  private final RunStore store;
  private final Jobs jobs;
  private final Console console;
  private final RunLauncher launcher;
  private final ConsoleScheduler scheduler;
  private final Instant startedAt = Instant.now();
  private final SalesDashboard dashboard;

  Api(
      ConsoleSettings settings,
      RunStore store,
      Jobs jobs,
      Console console,
      RunLauncher launcher,
      ConsoleScheduler scheduler) {
    this.settings = settings;
    this.store = store;
    this.jobs = jobs;
    this.console = console;
    this.launcher = launcher;
    this.scheduler = scheduler;
    this.dashboard = SalesDashboard.onDataDir(settings.dataDir());
  }

  /** Warms the dashboard up in the background (a daemon thread: never holds the console up). */
  void warmUpDashboard() {
    Thread t = new Thread(dashboard::warmUp, "dashboard-warm-up");
    t.setDaemon(true);
    t.setPriority(Thread.MIN_PRIORITY);
    t.start();
  }

  void configure(JavalinConfig config) {
    config.jsonMapper(new JavalinJackson(Json.MAPPER, false));
    config.staticFiles.add("/console-web", Location.CLASSPATH);
    config.staticFiles.enableWebjars(); // the dashboard's chart library (/webjars/echarts/...)
    config.jetty.host = settings.host();
    config.jetty.port = settings.port();
    config.startup.showJavalinBanner = false;
    var r = config.routes;
    r.before("/api/*", this::guard);
    r.exception(
        IllegalArgumentException.class,
        (e, ctx) -> error(ctx, HttpStatus.BAD_REQUEST, e.getMessage()));
    r.exception(NotFound.class, (e, ctx) -> error(ctx, HttpStatus.NOT_FOUND, e.getMessage()));
    r.exception(
        Exception.class,
        (e, ctx) ->
            error(
                ctx,
                HttpStatus.INTERNAL_SERVER_ERROR,
                e.getClass().getSimpleName() + ": " + e.getMessage()));
    r.get("/api/health", ctx -> ctx.json(health()));
    r.get("/api/runs", this::runs);
    r.get("/api/runs/{id}", ctx -> ctx.json(run(ctx).toJson()));
    r.get("/api/runs/{id}/log", this::log);
    r.post("/api/runs/{id}/cancel", ctx -> ctx.json(launcher.cancel(run(ctx).id()).toJson()));
    r.get("/api/jobs", ctx -> ctx.json(Map.of("jobs", jobsView())));
    r.post("/api/jobs/{job}/runs", this::requestRun);
    r.get("/api/schedules", ctx -> ctx.json(Map.of("schedules", scheduler.describe())));
    r.post("/api/schedules/{name}/pause", ctx -> pause(ctx, true));
    r.post("/api/schedules/{name}/resume", ctx -> pause(ctx, false));
    r.get("/api/sensors", ctx -> ctx.json(Map.of("sensors", List.of(sensorView()))));
    r.post("/api/sensors/{name}/pause", ctx -> pauseSensor(ctx, true));
    r.post("/api/sensors/{name}/resume", ctx -> pauseSensor(ctx, false));
    r.post("/api/backfills", this::backfill);
    r.get("/api/backfills", ctx -> ctx.json(Map.of("backfills", console.describeBackfills())));
    r.post(
        "/api/backfills/{id}/retry-failed",
        ctx -> ctx.json(Map.of("run_ids", console.retryFailed(longParam(ctx, "id")))));
    r.get("/api/partitions", ctx -> ctx.json(Map.of("dates", partitions())));
    r.get("/api/tables", ctx -> ctx.json(tablesView()));
    r.get("/api/kafka/lag", ctx -> ctx.json(kafkaLagView()));
    r.get("/api/dashboard/daily", dashboard::daily);
    r.get("/api/dashboard/daily.csv", dashboard::dailyCsv);
    r.get("/api/dashboard/live", dashboard::live);
    r.get("/api/dashboard/quality", ctx -> dashboard.quality(ctx, console.martReconciliations()));
    r.get("/api/dashboard/quality.csv", dashboard::qualityCsv);
    r.get("/api/dashboard/stock", dashboard::stock);
  }

  /**
   * A console on loopback answers only requests addressed to loopback (a page whose host name was
   * rebound to 127.0.0.1 sends its own name: DNS rebinding); every POST needs the CSRF header, no
   * foreign Origin, and the token when one is set.
   */
  private void guard(Context ctx) {
    if (settings.loopbackOnly()) {
      String host = ctx.host() == null ? "" : ctx.host().replaceAll(":\\d+$", "");
      if (!host.equals("127.0.0.1") && !host.equals("localhost") && !host.equals("[::1]")) {
        throw new Forbidden("this console answers requests to 127.0.0.1 or localhost only");
      }
    }
    if (ctx.method() != HandlerType.POST) {
      return;
    }
    String origin = ctx.header("Origin");
    if (origin != null && !origin.equals("null")) {
      String originHost = origin.replaceFirst("^https?://", "");
      if (!originHost.equalsIgnoreCase(ctx.host())) {
        throw new Forbidden("cross-origin POST refused (Origin " + origin + ")");
      }
    }
    if (!"1".equals(ctx.header("X-Lakehouse-Request"))) {
      throw new Forbidden("POST requests need the header X-Lakehouse-Request: 1 (CSRF guard)");
    }
    if (settings.authToken() != null) {
      String given = ctx.header("Authorization");
      byte[] expected = ("Bearer " + settings.authToken()).getBytes(StandardCharsets.UTF_8);
      if (given == null
          || !MessageDigest.isEqual(expected, given.getBytes(StandardCharsets.UTF_8))) {
        ctx.status(HttpStatus.UNAUTHORIZED);
        throw new Unauthorized(
            "this console needs 'Authorization: Bearer <token>' to change things");
      }
    }
  }

  private Map<String, Object> health() {
    Map<RunStatus, Long> counts = store.countsByStatus();
    Map<String, Object> m = new LinkedHashMap<>();
    Instant beat = scheduler.heartbeat();
    Instant dispatched = launcher.heartbeat();
    boolean schedulerAlive = Duration.between(beat, Instant.now()).toSeconds() < 30;
    boolean dispatcherAlive = Duration.between(dispatched, Instant.now()).toSeconds() < 30;
    m.put(
        "status",
        !schedulerAlive ? "scheduler_stalled" : !dispatcherAlive ? "dispatcher_stalled" : "ok");
    m.put("started_at", startedAt.toString());
    m.put("scheduler_heartbeat", beat.toString());
    m.put("dispatcher_heartbeat", dispatched.toString());
    m.put("active_runs", counts.getOrDefault(RunStatus.RUNNING, 0L));
    m.put("queued_runs", counts.getOrDefault(RunStatus.QUEUED, 0L));
    m.put(
        "runs_by_status",
        counts.entrySet().stream()
            .collect(
                java.util.stream.Collectors.toMap(e -> e.getKey().wire(), Map.Entry::getValue)));
    m.put("data_dir", settings.dataDir().toString());
    m.put("runner", settings.runner());
    m.put("version", Api.class.getPackage().getImplementationVersion());
    return m;
  }

  private void runs(Context ctx) {
    String status = ctx.queryParam("status");
    String trigger = ctx.queryParam("trigger");
    String backfill = ctx.queryParam("backfill_id");
    String before = ctx.queryParam("before_id");
    String limitText = ctx.queryParam("limit");
    int limit = limitText == null ? 50 : parseInt("limit", limitText);
    RunStore.Filter filter =
        new RunStore.Filter(
            blankToNull(ctx.queryParam("job")),
            blankToNull(status) == null ? null : RunStatus.parse(status),
            blankToNull(trigger) == null ? null : Trigger.parse(trigger),
            blankToNull(backfill) == null ? null : (long) parseInt("backfill_id", backfill));
    List<Run> page =
        store.list(
            filter,
            limit,
            blankToNull(before) == null ? null : (long) parseInt("before_id", before));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("runs", page.stream().map(Run::toJson).toList());
    out.put(
        "next_before_id",
        page.size() < limit || page.isEmpty() ? null : page.get(page.size() - 1).id());
    ctx.json(out);
  }

  /** A page of a run's log from a byte offset (live tail: poll with the returned next_offset). */
  private void log(Context ctx) throws IOException {
    Run run = run(ctx);
    long offset =
        ctx.queryParam("offset") == null ? 0 : parseLong("offset", ctx.queryParam("offset"));
    long maxBytes =
        ctx.queryParam("max_bytes") == null
            ? 65536
            : parseLong("max_bytes", ctx.queryParam("max_bytes"));
    if (offset < 0 || maxBytes < 1) {
      throw new IllegalArgumentException("offset must be >= 0 and max_bytes >= 1");
    }
    int max = (int) Math.min(1 << 20, maxBytes);
    Map<String, Object> out = new LinkedHashMap<>();
    String text = "";
    long size = 0;
    long next = offset;
    if (run.logPath() != null && Files.exists(Path.of(run.logPath()))) {
      try (RandomAccessFile file = new RandomAccessFile(run.logPath(), "r")) {
        size = file.length();
        String tail = ctx.queryParam("tail_bytes");
        if (tail != null && ctx.queryParam("offset") == null) {
          // The first page of a live tail: the end of the log, from a line start.
          offset = Math.max(0, size - Math.max(1, parseLong("tail_bytes", tail)));
          if (offset > 0) {
            file.seek(offset - 1);
            while (offset < size && file.read() != '\n') {
              offset++;
            }
          }
          next = offset;
        }
        if (offset < size) {
          byte[] bytes = new byte[(int) Math.min(max, size - offset)];
          file.seek(offset);
          file.readFully(bytes);
          text = new String(bytes, StandardCharsets.UTF_8);
          next = offset + bytes.length;
        }
      }
    }
    out.put("text", text);
    out.put("offset", offset);
    out.put("next_offset", next);
    out.put("size", size);
    out.put("complete", run.status().ended() && next >= size);
    ctx.json(out);
  }

  private void requestRun(Context ctx) {
    String job = ctx.pathParam("job");
    jobs.job(job);
    Map<String, Object> params = ctx.body().isBlank() ? Map.of() : Json.object(ctx.body());
    RunStore.Created c = console.request(job, Trigger.MANUAL, params, null, null);
    ctx.status(HttpStatus.CREATED).json(Map.of("id", c.run().id()));
  }

  private void backfill(Context ctx) {
    Map<String, Object> body = Json.object(ctx.body());
    if (body == null) {
      throw new IllegalArgumentException(
          "send {\"job\":\"mart\",\"from\":\"yyyy-MM-dd\",\"to\":\"yyyy-MM-dd\"}");
    }
    String job = String.valueOf(body.getOrDefault("job", "mart"));
    LocalDate from = date(body.get("from"), "from");
    LocalDate to = date(body.get("to"), "to");
    ctx.status(HttpStatus.CREATED).json(console.backfill(job, from, to));
  }

  private void pause(Context ctx, boolean paused) {
    String name = ctx.pathParam("name");
    if (!scheduler.knows(name)) {
      throw new NotFound("no schedule '" + name + "'");
    }
    store.setPaused(name, paused);
    ctx.json(
        scheduler.describe().stream()
            .filter(s -> s.get("name").equals(name))
            .findFirst()
            .orElseThrow());
  }

  private void pauseSensor(Context ctx, boolean paused) {
    if (!Console.SENSOR.equals(ctx.pathParam("name"))) {
      throw new NotFound("no sensor '" + ctx.pathParam("name") + "'");
    }
    store.setPaused(Console.SENSOR, paused);
    ctx.json(sensorView());
  }

  private List<Map<String, Object>> jobsView() {
    Map<String, Long> active = launcher.activeRunByJob();
    List<Map<String, Object>> out = new ArrayList<>();
    for (Jobs.Job j : jobs.all()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", j.name());
      m.put("description", j.description());
      m.put("max_attempts", settings.maxAttempts());
      m.put("timeout_seconds", j.timeout().toSeconds());
      m.put("active_run_id", active.get(j.name()));
      m.put(
          "follows",
          jobs.all().stream()
              .map(Jobs.Job::name)
              .filter(upstream -> jobs.followers(upstream).contains(j.name()))
              .toList());
      m.put("last_run", store.latest(j.name()).map(Run::toJson).orElse(null));
      out.add(m);
    }
    return out;
  }

  private Map<String, Object> sensorView() {
    RunStore.State s = store.state(Console.SENSOR);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", Console.SENSOR);
    m.put("table", "raw.pos_transactions");
    m.put("job", "mart");
    m.put("interval_seconds", settings.sensorInterval().toSeconds());
    m.put("cursor", s.cursor());
    m.put("last_evaluated", Run.text(s.lastEvaluated()));
    m.put("last_run_key", s.lastRunKey());
    m.put("paused", s.paused());
    return m;
  }

  private List<Map<String, Object>> partitions() {
    List<Map<String, Object>> out = new ArrayList<>();
    for (DateState d : console.partitions()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("date", d.date().toString());
      m.put("state", d.state().name().toLowerCase(java.util.Locale.ROOT));
      m.put("mart_raw_snapshot_id", d.martRawSnapshotId());
      m.put("newest_raw_snapshot_id", d.newestRawSnapshotTouchingDate());
      out.add(m);
    }
    return out;
  }

  private Map<String, Object> tablesView() {
    var tables = console.tables();
    List<Map<String, Object>> health = new ArrayList<>();
    Map<String, List<PartitionFiles>> partitions = tables.filesByPartition();
    for (TableHealth t : tables.health()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", t.name());
      m.put("exists", t.exists());
      m.put("snapshots", t.snapshots());
      m.put("data_files", t.dataFiles());
      m.put("total_bytes", t.totalBytes());
      m.put("average_file_bytes", t.averageFileBytes());
      m.put("records", t.records());
      m.put("last_commit", Run.text(t.lastCommit()));
      m.put("current_snapshot_id", t.currentSnapshotId());
      List<Map<String, Object>> parts = new ArrayList<>();
      for (PartitionFiles p : partitions.getOrDefault(t.name(), List.of())) {
        Map<String, Object> pm = new LinkedHashMap<>();
        pm.put("partition", p.partition());
        pm.put("files", p.files());
        pm.put("bytes", p.bytes());
        pm.put("records", p.records());
        pm.put("average_file_bytes", p.averageFileBytes());
        parts.add(pm);
      }
      m.put("partitions", parts);
      health.add(m);
    }
    Map<String, Object> kafka = kafkaLagView();
    Instant last = tables.lastRawCommit();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("tables", health);
    out.put("kafka", kafka);
    out.put(
        "dead_letters_24h", tables.deadLettersByReason(Instant.now().minus(Duration.ofHours(24))));
    out.put(
        "seconds_since_last_raw_commit",
        last == null ? null : Duration.between(last, Instant.now()).toMillis() / 1000.0);
    out.put("freshness_slo_seconds", settings.freshnessSlo().toSeconds());
    return out;
  }

  /**
   * The topic's messages not yet in the tables, per partition and in all ({@code lag} null when
   * Kafka or the tables' position cannot be read; {@code error} says why).
   */
  private Map<String, Object> kafkaLagView() {
    var tables = console.tables();
    List<Map<String, Object>> lag = new ArrayList<>();
    long total = 0;
    var now = tables.kafkaLag();
    for (PartitionLag p : now.partitions()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("partition", p.partition());
      m.put("end_offset", p.endOffset());
      m.put("committed_offset", p.committedOffset());
      m.put("lag", p.lag());
      lag.add(m);
      total += p.lag();
    }
    String error = now.error();
    Map<String, Object> kafka = new LinkedHashMap<>();
    kafka.put("topic", settings.topic());
    kafka.put("lag", error == null ? total : null);
    kafka.put("partitions", lag);
    kafka.put("error", error);
    return kafka;
  }

  private Run run(Context ctx) {
    long id = longParam(ctx, "id");
    return store.get(id).orElseThrow(() -> new NotFound("no run " + id));
  }

  private static long longParam(Context ctx, String name) {
    return parseInt(name, ctx.pathParam(name));
  }

  private static long parseLong(String name, String text) {
    try {
      return Long.parseLong(text.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a number, got '" + text + "'");
    }
  }

  private static int parseInt(String name, String text) {
    try {
      return Integer.parseInt(text.strip());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a number, got '" + text + "'");
    }
  }

  private static LocalDate date(Object value, String name) {
    try {
      return LocalDate.parse(String.valueOf(value));
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          name + " wants a date like 2026-11-24, got '" + value + "'");
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  private static void error(Context ctx, HttpStatus status, String message) {
    ctx.status(status).json(Map.of("error", message == null ? status.getMessage() : message));
  }

  /** 404 with a message. */
  static final class NotFound extends RuntimeException {
    NotFound(String message) {
      super(message);
    }
  }

  /** 403 with a message. */
  static final class Forbidden extends RuntimeException {
    Forbidden(String message) {
      super(message);
    }
  }

  /** 401 with a message. */
  static final class Unauthorized extends RuntimeException {
    Unauthorized(String message) {
      super(message);
    }
  }

  /** Exception mappers for the two access errors (added by the server). */
  static void accessErrors(JavalinConfig config) {
    config.routes.exception(
        Forbidden.class, (e, ctx) -> error(ctx, HttpStatus.FORBIDDEN, e.getMessage()));
    config.routes.exception(
        Unauthorized.class, (e, ctx) -> error(ctx, HttpStatus.UNAUTHORIZED, e.getMessage()));
  }
}
