package com.retail.lakehouse.console;

import com.retail.lakehouse.console.dashboard.MartReconciliation;
import com.retail.lakehouse.console.tables.DateState;
import com.retail.lakehouse.console.tables.LakehouseTables;
import com.retail.lakehouse.console.tables.MartCheck;
import com.retail.lakehouse.console.tables.RawChanges;
import com.retail.lakehouse.console.tables.RunOutcome;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the console does, behind its API: asks for runs (manual, schedule, sensor, backfill, retry),
 * checks each run's result, and answers what the pages show. Guarantees: every request of a run
 * goes through {@link RunStore#create} (one run per run key); a failed run with attempts left gets
 * exactly one retry run (key {@code retry-of:<id>}), queued with its backoff as not-before; a
 * cancelled or skipped run is never retried; a successful run asks for one run of each job that
 * follows it ({@link Jobs#followers}); checks run after every ended run and failed ones are posted
 * to the webhook, if one is set.
 */
final class Console implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Console.class);
  static final String SENSOR = "raw-changed";
  static final String MART_CHECK_PREFIX = "mart_reconciles:";

  private final ConsoleSettings settings;
  private final RunStore store;
  private final Jobs jobs;
  private final LakehouseTables tables;
  private final Backoff backoff;
  private final Random jitter = new Random();
  private final ExecutorService checks =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "console-checks");
            t.setDaemon(true);
            return t;
          });
  private final HttpClient http = HttpClient.newHttpClient();
  private volatile Runnable wake = () -> {};

  Console(ConsoleSettings settings, RunStore store, Jobs jobs, LakehouseTables tables) {
    this.settings = settings;
    this.store = store;
    this.jobs = jobs;
    this.tables = tables;
    this.backoff = new Backoff(settings.retryDelay(), settings.maxRetryDelay());
  }

  void onNewRuns(Runnable wake) {
    this.wake = wake;
  }

  /** Asks for a run; returns it (an existing one when the run key was used before). */
  RunStore.Created request(
      String job, Trigger trigger, Map<String, Object> params, String runKey, Long backfillId) {
    RunStore.Created created =
        store.create(
            new RunStore.NewRun(
                job,
                trigger,
                jobs.params(job, params),
                1,
                settings.maxAttempts(),
                null,
                backfillId,
                runKey,
                null));
    wake.run();
    return created;
  }

  /** A schedule's tick: one run, unless one of the job is queued or running. */
  String tick(ConsoleScheduler.Definition schedule, Instant tickTime) {
    for (RunStatus busy : List.of(RunStatus.QUEUED, RunStatus.RUNNING)) {
      for (Run r : store.inStatus(busy)) {
        if (r.job().equals(schedule.job())) {
          return "skipped: run " + r.id() + " of " + r.job() + " is " + busy.wire();
        }
      }
    }
    RunStore.Created c =
        request(
            schedule.job(),
            Trigger.SCHEDULE,
            schedule.params(),
            "schedule:" + schedule.name() + ":" + tickTime,
            null);
    return c.created() ? "run " + c.run().id() : "already had run " + c.run().id();
  }

  /**
   * The sensor: raw's snapshots after the cursor -> one mart run for the dates they touched (run
   * key = the newest raw snapshot id); the cursor moves in the same transaction.
   */
  void evaluateSensor(Instant now) {
    RunStore.State state = store.state(SENSOR);
    if (state.paused()) {
      store.evaluated(SENSOR, now);
      return;
    }
    Long cursor = state.cursor() == null ? null : Long.valueOf(state.cursor());
    RawChanges changes = tables.rawChangesSince(cursor);
    if (changes.newestSnapshotId() == null
        || changes.newestSnapshotId().equals(cursor)
        || changes.dates().isEmpty()) {
      store.evaluated(SENSOR, now);
      return;
    }
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("changed_since_last_run", true);
    params.put("dates", changes.dates().stream().map(LocalDate::toString).toList());
    RunStore.Created c =
        store.createAndMoveCursor(
            new RunStore.NewRun(
                "mart",
                Trigger.SENSOR,
                jobs.params("mart", params),
                1,
                settings.maxAttempts(),
                null,
                null,
                // the transition, not the target: after a rollback to an older snapshot the
                // change back is a change of its own
                "raw-snapshot:"
                    + (cursor == null ? "" : cursor + "..")
                    + changes.newestSnapshotId(),
                null),
            SENSOR,
            changes.newestSnapshotId().toString());
    LOG.info(
        "sensor {}: raw snapshot {} changed {} -> mart run {}",
        SENSOR,
        changes.newestSnapshotId(),
        changes.dates(),
        c.run().id());
    wake.run();
  }

  /** One mart run per date of [from, to]; returns the backfill and its runs' ids. */
  Map<String, Object> backfill(String job, LocalDate from, LocalDate to) {
    if (!job.equals("mart")) {
      throw new IllegalArgumentException("backfills are by date: only job mart has dates");
    }
    if (to.isBefore(from)) {
      throw new IllegalArgumentException("to " + to + " is before from " + from);
    }
    if (from.plusDays(366).isBefore(to)) {
      throw new IllegalArgumentException("a backfill spans at most 366 dates");
    }
    RunStore.Backfill b = store.createBackfill(job, from, to);
    List<Long> ids = new ArrayList<>();
    for (LocalDate d = from; !d.isAfter(to); d = d.plusDays(1)) {
      ids.add(
          request(
                  job,
                  Trigger.BACKFILL,
                  Map.of("dates", List.of(d.toString())),
                  "backfill:" + b.id() + ":" + d,
                  b.id())
              .run()
              .id());
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", b.id());
    out.put("run_ids", ids);
    return out;
  }

  /** New runs for the backfill's dates whose latest run failed or was cancelled. */
  List<Long> retryFailed(long backfillId) {
    RunStore.Backfill b =
        store
            .backfill(backfillId)
            .orElseThrow(() -> new IllegalArgumentException("no backfill " + backfillId));
    List<Long> ids = new ArrayList<>();
    for (Map.Entry<String, Run> e : latestByDate(backfillId).entrySet()) {
      RunStatus s = e.getValue().status();
      if (s == RunStatus.FAILED || s == RunStatus.CANCELLED) {
        ids.add(
            request(
                    b.job(),
                    Trigger.BACKFILL,
                    Map.of("dates", List.of(e.getKey())),
                    "backfill:" + b.id() + ":" + e.getKey() + ":after:" + e.getValue().id(),
                    b.id())
                .run()
                .id());
      }
    }
    return ids;
  }

  /** The backfills with each date's latest run (API view). */
  List<Map<String, Object>> describeBackfills() {
    List<Map<String, Object>> out = new ArrayList<>();
    for (RunStore.Backfill b : store.backfills(50)) {
      Map<String, Run> latest = latestByDate(b.id());
      List<Map<String, Object>> dates = new ArrayList<>();
      boolean anyFailed = false;
      boolean allSucceeded = true;
      for (LocalDate d = b.from(); !d.isAfter(b.to()); d = d.plusDays(1)) {
        Run r = latest.get(d.toString());
        Map<String, Object> cell = new LinkedHashMap<>();
        cell.put("date", d.toString());
        cell.put("status", r == null ? "missing" : r.status().wire());
        cell.put("run_id", r == null ? null : r.id());
        dates.add(cell);
        anyFailed |=
            r != null && (r.status() == RunStatus.FAILED || r.status() == RunStatus.CANCELLED);
        allSucceeded &= r != null && r.status() == RunStatus.SUCCEEDED;
      }
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", b.id());
      m.put("job", b.job());
      m.put("from", b.from().toString());
      m.put("to", b.to().toString());
      m.put("created_at", b.createdAt().toString());
      m.put("status", allSucceeded ? "succeeded" : anyFailed ? "failed" : "running");
      m.put("dates", dates);
      out.add(m);
    }
    return out;
  }

  /**
   * The latest run per date of a backfill, following retries: a date's retry runs (trigger retry)
   * carry the same dates and count as its latest.
   */
  private Map<String, Run> latestByDate(long backfillId) {
    Map<String, Run> latest = new TreeMap<>();
    for (Run r : store.runsOfBackfill(backfillId)) { // oldest first: the newest per date wins
      for (String d : r.dates()) {
        latest.put(d, r);
      }
    }
    return latest;
  }

  /**
   * After a run ends: its checks, a retry if it failed and has attempts left, and after a success
   * one run of each job that follows it ({@link Jobs#followers}).
   */
  void ended(Run run) {
    if (run.status() == RunStatus.FAILED) {
      retry(run);
    }
    if (run.status() == RunStatus.SUCCEEDED) {
      for (String follower : jobs.followers(run.job())) {
        follow(run, follower);
      }
    }
    checks.execute(() -> check(run));
  }

  /**
   * One run of {@code follower} after {@code run} succeeded (trigger dependency, run key {@code
   * after:<run id>}, so a run seen twice asks once), unless one is already queued: a queued run has
   * not planned yet, so it reads what {@code run} committed (no pile-up after a backfill). A
   * running one may have planned before, so it does not count.
   */
  private void follow(Run run, String follower) {
    for (Run r : store.inStatus(RunStatus.QUEUED)) {
      if (r.job().equals(follower)) {
        LOG.info(
            "run {} ({}) succeeded: {} run {} is queued already",
            run.id(),
            run.job(),
            follower,
            r.id());
        return;
      }
    }
    RunStore.Created c =
        request(
            follower, Trigger.DEPENDENCY, jobs.followerParams(follower), "after:" + run.id(), null);
    LOG.info("run {} ({}) succeeded: {} run {}", run.id(), run.job(), follower, c.run().id());
  }

  /**
   * Start-up: failed runs of the last day with attempts left whose retry was never queued (the
   * console stopped between the failure and the retry) get it; older failures are left alone.
   */
  void queueMissingRetries() {
    Instant since = Instant.now().minus(Duration.ofDays(1));
    for (Run run : store.list(new RunStore.Filter(null, RunStatus.FAILED, null, null), 200, null)) {
      if (run.endedAt() != null && run.endedAt().isAfter(since)) {
        retry(run);
      }
    }
  }

  /**
   * A retry of a failed run: after the backoff, as attempt n + 1 while attempts are left. A run the
   * console itself stopped (it was stopped or died) is not the job's failure: its retry keeps the
   * attempt number and goes at once.
   */
  private void retry(Run run) {
    boolean consoleStopped =
        run.message() != null && run.message().contains(RunLauncher.CONSOLE_STOPPED);
    if ((!consoleStopped && run.attempt() >= run.maxAttempts())
        || store.retryOf(run.id()).isPresent()) {
      return;
    }
    Duration delay = consoleStopped ? Duration.ZERO : backoff.delay(run.attempt(), jitter);
    Instant at = Instant.now().plus(delay);
    RunStore.Created c =
        store.create(
            new RunStore.NewRun(
                run.job(),
                Trigger.RETRY,
                run.params(),
                consoleStopped ? run.attempt() : run.attempt() + 1,
                run.maxAttempts(),
                run.id(),
                run.backfillId(),
                "retry-of:" + run.id(),
                at));
    if (c.created()) {
      store.appendMessage(
          run.id(), "retry " + c.run().id() + " (attempt " + c.run().attempt() + ") at " + at);
      LOG.info("run {} failed: retry {} in {} s", run.id(), c.run().id(), delay.toSeconds());
    }
  }

  private void check(Run run) {
    try {
      List<Map<String, Object>> results = RunChecks.of(run, settings, tables);
      if (!results.isEmpty()) {
        store.setChecks(run.id(), results);
      }
      List<Map<String, Object>> failed =
          results.stream().filter(r -> !Boolean.TRUE.equals(r.get("passed"))).toList();
      boolean finalFailure = run.status() == RunStatus.FAILED && run.attempt() >= run.maxAttempts();
      if ((!failed.isEmpty() || finalFailure) && settings.webhookUrl() != null) {
        alert(run, failed, finalFailure);
      }
    } catch (RuntimeException e) {
      LOG.warn("checks of run {}: {}", run.id(), e.getMessage());
      store.setChecks(
          run.id(),
          List.of(
              RunChecks.result("checks_ran", "warn", false, "checks failed: " + e.getMessage())));
    }
  }

  private void alert(Run run, List<Map<String, Object>> failed, boolean finalFailure) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("event", finalFailure ? "run_failed_after_retries" : "check_failed");
    body.put("run", run.toJson());
    body.put("failed_checks", failed);
    try {
      HttpResponse<Void> response =
          http.send(
              HttpRequest.newBuilder(URI.create(settings.webhookUrl()))
                  .timeout(Duration.ofSeconds(10))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(Json.write(body)))
                  .build(),
              HttpResponse.BodyHandlers.discarding());
      LOG.info("webhook: run {} -> HTTP {}", run.id(), response.statusCode());
    } catch (Exception e) {
      LOG.warn("webhook {} failed: {}", settings.webhookUrl(), e.getMessage());
    }
  }

  /** The mart's partition strip: the tables' state, with the console's last mart run per date. */
  List<DateState> partitions() {
    Map<LocalDate, RunOutcome> outcomes = new TreeMap<>();
    List<Run> runs = store.list(new RunStore.Filter("mart", null, null, null), 1000, null);
    for (int i = runs.size() - 1; i >= 0; i--) { // oldest first: the newest run per date wins
      Run r = runs.get(i);
      RunOutcome o =
          switch (r.status()) {
            case RUNNING, QUEUED -> RunOutcome.RUNNING;
            case SUCCEEDED -> checksFailed(r) ? RunOutcome.FAILED : RunOutcome.SUCCEEDED;
            default -> RunOutcome.FAILED;
          };
      for (String d : r.dates()) {
        if (r.status() != RunStatus.CANCELLED && r.status() != RunStatus.SKIPPED) {
          outcomes.put(LocalDate.parse(d), o);
        }
      }
    }
    return tables.partitionStrip(outcomes);
  }

  /**
   * Per sale date, the newest mart reconciliation check ({@code mart_reconciles:<date>}) among the
   * console's last 1000 mart runs, with its run.
   */
  Map<LocalDate, MartReconciliation> martReconciliations() {
    Map<LocalDate, MartReconciliation> newest = new TreeMap<>();
    List<Run> runs = store.list(new RunStore.Filter("mart", null, null, null), 1000, null);
    for (int i = runs.size() - 1; i >= 0; i--) { // oldest first: the newest check per date wins
      Run r = runs.get(i);
      for (Map<String, Object> c :
          r.checks() == null ? List.<Map<String, Object>>of() : r.checks()) {
        String name = String.valueOf(c.get("name"));
        if (name.startsWith(MART_CHECK_PREFIX)) {
          LocalDate date = LocalDate.parse(name.substring(MART_CHECK_PREFIX.length()));
          newest.put(
              date,
              new MartReconciliation(
                  date,
                  r.id(),
                  r.endedAt(),
                  Boolean.TRUE.equals(c.get("passed")),
                  c.get("detail") == null ? null : String.valueOf(c.get("detail"))));
        }
      }
    }
    return newest;
  }

  private static boolean checksFailed(Run r) {
    return r.checks() != null
        && r.checks().stream()
            .anyMatch(
                c -> "error".equals(c.get("severity")) && !Boolean.TRUE.equals(c.get("passed")));
  }

  LakehouseTables tables() {
    return tables;
  }

  static List<Map<String, Object>> martChecksJson(List<MartCheck> checks) {
    return checks.stream()
        .map(
            c ->
                RunChecks.result(
                    MART_CHECK_PREFIX + c.date(),
                    "error",
                    c.passed(),
                    c.detail() != null
                        ? c.detail()
                        : "mart revenue "
                            + c.martRevenue()
                            + " vs raw "
                            + c.rawRevenue()
                            + ", units "
                            + c.martUnits()
                            + " vs "
                            + c.rawUnits()))
        .toList();
  }

  @Override
  public void close() {
    checks.shutdownNow();
  }
}
