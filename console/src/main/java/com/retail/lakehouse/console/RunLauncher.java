package com.retail.lakehouse.console;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts queued runs as child processes and watches them. Guarantees: at most one run of a job at a
 * time (others wait, oldest first; so at most one mart run touches a date); a run never starts
 * before its not-before time; every child's output goes to {@code <data-dir>/runs/<id>/log.txt}; a
 * run that outlives its job's timeout, or is cancelled, is stopped with its whole process tree
 * (SIGTERM, then SIGKILL after 10 s); a crashing child only fails its run. Runs left "running" by a
 * console that died are found at start-up ({@link #recoverOrphans}): a surviving process is killed,
 * and the run is marked failed (and retried by the policy), never left running.
 */
final class RunLauncher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RunLauncher.class);
  private static final Duration KILL_GRACE = Duration.ofSeconds(10);

  /** A run whose process is going. */
  private static final class Active {
    final long runId;
    final String job;
    final Process process;
    final Instant deadline;
    volatile String stopReason;

    Active(long runId, String job, Process process, Instant deadline) {
      this.runId = runId;
      this.job = job;
      this.process = process;
      this.deadline = deadline;
    }
  }

  private final ConsoleSettings settings;
  private final RunStore store;
  private final Jobs jobs;
  private final Consumer<Run> onEnded;
  private final Map<Long, Active> active = new ConcurrentHashMap<>();
  private final ScheduledExecutorService loop =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "console-dispatcher");
            t.setDaemon(true);
            return t;
          });
  private volatile boolean closed;

  RunLauncher(ConsoleSettings settings, RunStore store, Jobs jobs, Consumer<Run> onEnded) {
    this.settings = settings;
    this.store = store;
    this.jobs = jobs;
    this.onEnded = onEnded;
  }

  void start() {
    loop.scheduleWithFixedDelay(this::tick, 0, 500, TimeUnit.MILLISECONDS);
  }

  /** Looks at the queue now rather than at the next half second. */
  void wake() {
    if (!closed) {
      loop.execute(this::tick);
    }
  }

  /** The running run of each job. */
  Map<String, Long> activeRunByJob() {
    Map<String, Long> byJob = new ConcurrentHashMap<>();
    active.values().forEach(a -> byJob.put(a.job, a.runId));
    return byJob;
  }

  int activeCount() {
    return active.size();
  }

  /**
   * Cancels a queued run at once, or stops a running one (its status turns cancelled when its
   * process is gone). Ended runs are returned as they are.
   */
  Run cancel(long id) {
    Run run = store.get(id).orElseThrow(() -> new IllegalArgumentException("no run " + id));
    if (run.status() == RunStatus.QUEUED) {
      store.markEnded(id, RunStatus.CANCELLED, null, "cancelled before it started", null);
    } else if (run.status() == RunStatus.RUNNING) {
      Active a = active.get(id);
      if (a != null) {
        a.stopReason = "cancelled";
        stopTree(a.process.toHandle());
      }
    }
    return store.get(id).orElseThrow();
  }

  /**
   * Start-up: every run the database says is running belongs to a console that died. A process
   * still going under its pid (same start time) is killed with its children; the run is marked
   * failed and handed to {@code onEnded} (which retries it by the policy).
   */
  void recoverOrphans() {
    for (Run run : store.inStatus(RunStatus.RUNNING)) {
      String fate = "its process was gone";
      if (run.pid() != null) {
        Optional<ProcessHandle> handle = ProcessHandle.of(run.pid());
        if (handle.isPresent() && handle.get().isAlive() && sameProcess(run, handle.get())) {
          stopTree(handle.get());
          fate = "its process " + run.pid() + " was still going and was killed";
        }
      }
      String message = "orphaned: the console stopped while this run was going; " + fate;
      if (store.markEnded(run.id(), RunStatus.FAILED, null, message, null)) {
        appendLog(run.logPath(), "console: " + message);
        LOG.info("run {} ({}) {}", run.id(), run.job(), message);
        onEnded.accept(store.get(run.id()).orElseThrow());
      }
    }
  }

  /** The pid could have been reused by an unrelated process: its start time must match. */
  private boolean sameProcess(Run run, ProcessHandle handle) {
    Optional<Instant> recorded = store.processStart(run.id());
    Optional<Instant> actual = handle.info().startInstant();
    return recorded.isPresent()
        && actual.isPresent()
        && Duration.between(recorded.get(), actual.get()).abs().toMillis() < 1000;
  }

  private void tick() {
    if (closed) {
      return;
    }
    try {
      watchDeadlines();
      Instant now = Instant.now();
      for (Run run : store.inStatus(RunStatus.QUEUED)) {
        if (run.notBefore() != null && run.notBefore().isAfter(now)) {
          continue;
        }
        if (active.values().stream().anyMatch(a -> a.job.equals(run.job()))) {
          continue; // one run of a job at a time: it waits, oldest first
        }
        launch(run);
      }
    } catch (RuntimeException e) {
      LOG.warn("dispatcher: {}", e.getMessage());
    }
  }

  private void watchDeadlines() {
    Instant now = Instant.now();
    for (Active a : active.values()) {
      if (a.stopReason == null && now.isAfter(a.deadline)) {
        a.stopReason =
            "timed out after " + jobs.job(a.job).timeout().toSeconds() + " s (job timeout)";
        stopTree(a.process.toHandle());
      }
    }
  }

  private void launch(Run run) {
    Path dir = settings.dataDir().resolve("runs").resolve(Long.toString(run.id()));
    Path log = dir.resolve("log.txt");
    Path summary = dir.resolve("summary.json");
    List<String> command = jobs.command(run, summary);
    Process process;
    try {
      Files.createDirectories(dir);
      Files.deleteIfExists(summary);
      appendLog(
          log.toString(),
          String.format(
              "console: run %d (%s, %s, attempt %d of %d) at %s%nconsole: %s",
              run.id(),
              run.job(),
              run.trigger().wire(),
              run.attempt(),
              run.maxAttempts(),
              Instant.now(),
              String.join(" ", command)));
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .directory(settings.dataDir().toFile())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      builder.environment().putAll(settings.jobEnvironment());
      process = builder.start();
    } catch (IOException | RuntimeException e) {
      String message = "could not start the job: " + e.getMessage();
      if (store.markStarted(run.id(), -1, Instant.now(), log.toString())) {
        store.markEnded(run.id(), RunStatus.FAILED, null, message, null);
        onEnded.accept(store.get(run.id()).orElseThrow());
      }
      return;
    }
    Instant processStart = process.info().startInstant().orElse(Instant.now());
    if (!store.markStarted(run.id(), process.pid(), processStart, log.toString())) {
      stopTree(process.toHandle()); // cancelled between the read and the start
      return;
    }
    Active a =
        new Active(run.id(), run.job(), process, Instant.now().plus(jobs.job(run.job()).timeout()));
    active.put(run.id(), a);
    LOG.info("run {} ({}) started, pid {}", run.id(), run.job(), process.pid());
    process.onExit().thenRun(() -> finished(a, summary, log));
  }

  private void finished(Active a, Path summaryFile, Path log) {
    try {
      int exit = a.process.exitValue();
      Map<String, Object> summary = readSummary(summaryFile);
      RunStatus status;
      String message;
      if ("cancelled".equals(a.stopReason)) {
        status = RunStatus.CANCELLED;
        message = "cancelled while running (exit " + exit + ")";
      } else if (a.stopReason != null) {
        status = RunStatus.FAILED;
        message = a.stopReason;
      } else if (exit == 0) {
        status = RunStatus.SUCCEEDED;
        message = null;
      } else {
        status = RunStatus.FAILED;
        message = "exit " + exit + ": " + lastErrorLine(log);
      }
      appendLog(
          log.toString(),
          "console: run "
              + a.runId
              + " ended "
              + status.wire()
              + " (exit "
              + exit
              + ")"
              + (message == null ? "" : ": " + message));
      if (!closed || status != RunStatus.FAILED) {
        store.markEnded(a.runId, status, exit, message, summary);
      }
      active.remove(a.runId);
      LOG.info(
          "run {} ({}) {}{}", a.runId, a.job, status.wire(), message == null ? "" : ": " + message);
      if (!closed) {
        onEnded.accept(store.get(a.runId).orElseThrow());
        wake();
      }
    } catch (RuntimeException e) {
      active.remove(a.runId);
      LOG.warn("run {}: could not record its end: {}", a.runId, e.getMessage());
    }
  }

  private static Map<String, Object> readSummary(Path file) {
    try {
      return Files.exists(file) ? Json.object(Files.readString(file)) : null;
    } catch (IOException | IllegalArgumentException e) {
      return Map.of("unreadable_summary", String.valueOf(e.getMessage()));
    }
  }

  /** The job's one-line error ("lakehouse mart: failed: ..."), or its last non-empty line. */
  static String lastErrorLine(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      String last = "";
      for (String line : lines) {
        if (line.startsWith("lakehouse") && line.contains(": ")) {
          last = line;
        }
      }
      if (last.isEmpty()) {
        for (int i = lines.size() - 1; i >= 0; i--) {
          if (!lines.get(i).isBlank() && !lines.get(i).startsWith("console:")) {
            last = lines.get(i).strip();
            break;
          }
        }
      }
      return last.length() > 500 ? last.substring(0, 500) + "..." : last;
    } catch (IOException | UncheckedIOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /**
   * SIGTERM to the process and its descendants, SIGKILL to whatever is left after the grace; in the
   * background (returns at once).
   */
  static void stopTree(ProcessHandle root) {
    Thread killer = new Thread(() -> stopTreeAndWait(root), "console-kill-" + root.pid());
    killer.setDaemon(true);
    killer.start();
  }

  /** As {@link #stopTree}, returning when the whole tree is gone. */
  static void stopTreeAndWait(ProcessHandle root) {
    List<ProcessHandle> tree =
        java.util.stream.Stream.concat(root.descendants(), java.util.stream.Stream.of(root))
            .toList();
    tree.forEach(ProcessHandle::destroy);
    long end = System.nanoTime() + KILL_GRACE.toNanos();
    while (System.nanoTime() < end && tree.stream().anyMatch(ProcessHandle::isAlive)) {
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
  }

  static void appendLog(String log, String line) {
    if (log == null) {
      return;
    }
    try {
      Files.writeString(
          Path.of(log),
          line + System.lineSeparator(),
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      LOG.warn("cannot write {}: {}", log, e.getMessage());
    }
  }

  /**
   * Stops dispatching. Runs still going are stopped with their process trees and marked failed
   * ("the console stopped"), so a restart retries them.
   */
  @Override
  public void close() {
    closed = true;
    loop.shutdownNow();
    List<Thread> stopping = new java.util.ArrayList<>();
    for (Active a : active.values()) {
      a.stopReason = "the console stopped while this run was going";
      store.markEnded(a.runId, RunStatus.FAILED, null, a.stopReason, null);
      Thread t = new Thread(() -> stopTreeAndWait(a.process.toHandle()), "console-stop-" + a.runId);
      t.start();
      stopping.add(t);
    }
    for (Thread t : stopping) {
      try {
        t.join(KILL_GRACE.plusSeconds(5).toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
