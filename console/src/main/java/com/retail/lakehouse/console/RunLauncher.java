package com.retail.lakehouse.console;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts queued runs as child processes and watches them. Guarantees: at most one run of a job at a
 * time (others wait, oldest first; so at most one mart run touches a date); a run never starts
 * before its not-before time; a run is marked running <em>before</em> its process starts, and every
 * process carries its run's folder in the environment variable {@value #MARKER}, so a process whose
 * console died at any moment is found; every child's output goes to {@code
 * <data-dir>/runs/<id>/log.txt}; a run that outlives its job's timeout, or is cancelled, is stopped
 * with its whole process tree (SIGTERM, then SIGKILL after 10 s); a crashing child only fails its
 * run, and one that found nothing to work on yet ({@link Jobs#skipped}) is marked skipped. Runs
 * left "running" by a console that died are resolved at start-up ({@link #recoverOrphans}): every
 * surviving process of the run is killed and gone before the run is marked failed, so its retry
 * never overlaps it.
 */
final class RunLauncher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RunLauncher.class);
  private static final Duration KILL_GRACE = Duration.ofSeconds(10);

  /** The environment variable that names a child's run folder (inherited by its children). */
  static final String MARKER = "LAKEHOUSE_CONSOLE_RUN";

  /** In a run's message: the run was stopped by the console, not by its job (not an attempt). */
  static final String CONSOLE_STOPPED = "the console stopped while this run was going";

  /** A run whose process is going. */
  private static final class Active {
    final long runId;
    final String job;
    final Process process;
    final Instant deadline;
    volatile String stopReason;

    /** Set once {@link #finished} has recorded the run's end itself. */
    volatile boolean recorded;

    /** Counted down when {@link #finished} is done with the run, recorded or not. */
    final CountDownLatch handled = new CountDownLatch(1);

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
  private final Set<Long> cancelRequested = ConcurrentHashMap.newKeySet();
  private final ScheduledExecutorService loop =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "console-dispatcher");
            t.setDaemon(true);
            return t;
          });
  private volatile boolean closed;
  private volatile Instant heartbeat = Instant.now();

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
      try {
        loop.execute(this::tick);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // closing
      }
    }
  }

  /** The last time the dispatcher looked at the queue (its liveness). */
  Instant heartbeat() {
    return heartbeat;
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
    if (run.status() == RunStatus.QUEUED
        && store.markEnded(id, RunStatus.CANCELLED, null, "cancelled before it started", null)) {
      return store.get(id).orElseThrow();
    }
    run = store.get(id).orElseThrow();
    if (run.status() == RunStatus.RUNNING) {
      synchronized (this) {
        Active a = active.get(id);
        if (a != null) {
          a.stopReason = "cancelled";
          stopTree(a.process.toHandle());
        } else {
          cancelRequested.add(id); // its launch is under way: it stops the process it starts
        }
      }
    }
    return store.get(id).orElseThrow();
  }

  /**
   * Start-up: every run the database says is running belongs to a console that died. Every process
   * of the run still going (found by {@value #MARKER}, or by its recorded pid and start time) is
   * killed with its children and waited for; then the run is marked failed and handed to {@code
   * onEnded} (which retries it: a stop by the console does not count as an attempt).
   */
  void recoverOrphans() {
    for (Run run : store.inStatus(RunStatus.RUNNING)) {
      Set<ProcessHandle> survivors = new LinkedHashSet<>(withMarker(runDir(run.id())));
      if (run.pid() != null) {
        ProcessHandle.of(run.pid())
            .filter(ProcessHandle::isAlive)
            .filter(h -> sameProcess(run, h))
            .ifPresent(survivors::add);
      }
      String fate;
      if (survivors.isEmpty()) {
        fate = "its process was gone";
      } else {
        survivors.forEach(RunLauncher::stopTreeAndWait);
        fate =
            "its process "
                + survivors.stream().map(h -> Long.toString(h.pid())).toList()
                + " was still going and was killed";
      }
      String message = "orphaned: " + CONSOLE_STOPPED + "; " + fate;
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

  /**
   * Processes whose environment holds {@value #MARKER}{@code =<runDir>} (Linux: /proc).
   * Hand-written because the JDK's ProcessHandle shows no environment, and a job's command line is
   * too long for it to show whole.
   */
  static List<ProcessHandle> withMarker(Path runDir) {
    byte[] wanted = (MARKER + "=" + runDir + "\0").getBytes(StandardCharsets.UTF_8);
    List<ProcessHandle> found = new ArrayList<>();
    try (Stream<ProcessHandle> all = ProcessHandle.allProcesses()) {
      all.forEach(
          h -> {
            try {
              byte[] env = Files.readAllBytes(Path.of("/proc", Long.toString(h.pid()), "environ"));
              if (indexOf(env, wanted) >= 0 && h.isAlive()) {
                found.add(h);
              }
            } catch (IOException | RuntimeException e) {
              // gone, not ours, or no /proc: not a survivor we can see
            }
          });
    }
    return found;
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      if (i > 0 && haystack[i - 1] != 0) {
        continue; // variables start after a NUL
      }
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private Path runDir(long id) {
    return settings.dataDir().resolve("runs").resolve(Long.toString(id));
  }

  private void tick() {
    if (closed) {
      return;
    }
    heartbeat = Instant.now();
    try {
      watchDeadlines();
      Instant now = Instant.now();
      for (Run run : store.inStatus(RunStatus.QUEUED)) {
        if (closed) {
          return;
        }
        if (run.notBefore() != null && run.notBefore().isAfter(now)) {
          continue;
        }
        if (active.values().stream().anyMatch(a -> a.job.equals(run.job()))) {
          continue; // one run of a job at a time: it waits, oldest first
        }
        launch(run);
      }
    } catch (Throwable e) { // never let the scheduled dispatcher die
      LOG.warn("dispatcher: {}", e.toString());
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
    Path dir = runDir(run.id());
    Path log = dir.resolve("log.txt");
    Path summary = dir.resolve("summary.json");
    List<String> command = jobs.command(run, summary);
    // Running before the process exists: a console dying from here on leaves a run that start-up
    // resolves (by the marker), never a queued run whose process is already going.
    if (!store.markStarted(run.id(), null, null, log.toString())) {
      return; // cancelled meanwhile
    }
    if (cancelRequested.remove(run.id())) {
      store.markEnded(run.id(), RunStatus.CANCELLED, null, "cancelled before it started", null);
      return;
    }
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
      builder.environment().put(MARKER, dir.toString());
      process = builder.start();
    } catch (IOException | RuntimeException e) {
      String message = "could not start the job: " + e.getMessage();
      appendLog(log.toString(), "console: " + message);
      if (store.markEnded(run.id(), RunStatus.FAILED, null, message, null)) {
        onEnded.accept(store.get(run.id()).orElseThrow());
      }
      return;
    }
    Active a =
        new Active(run.id(), run.job(), process, Instant.now().plus(jobs.job(run.job()).timeout()));
    synchronized (this) {
      active.put(run.id(), a);
      if (cancelRequested.remove(run.id())) {
        a.stopReason = "cancelled";
        stopTree(process.toHandle());
      }
    }
    try {
      store.setProcess(
          run.id(), process.pid(), process.info().startInstant().orElse(Instant.now()));
    } catch (RuntimeException e) {
      LOG.warn(
          "run {}: pid not recorded ({}); its marker still finds it", run.id(), e.getMessage());
    }
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
      } else if (jobs.skipped(a.job, exit)) {
        status = RunStatus.SKIPPED;
        message = "skipped: " + lastErrorLine(log);
      } else {
        status = RunStatus.FAILED;
        message = "exit " + exit + ": " + lastErrorLine(log);
      }
      if (closed && status == RunStatus.FAILED) {
        return; // close() records it once every process is gone
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
      store.markEnded(a.runId, status, exit, message, summary);
      a.recorded = true;
      LOG.info(
          "run {} ({}) {}{}", a.runId, a.job, status.wire(), message == null ? "" : ": " + message);
      if (!closed) {
        onEnded.accept(store.get(a.runId).orElseThrow());
      }
    } catch (Throwable e) {
      LOG.warn("run {}: could not record its end: {}", a.runId, e.toString());
    } finally {
      active.remove(a.runId);
      a.handled.countDown();
      wake();
    }
  }

  private static Map<String, Object> readSummary(Path file) {
    try {
      return Files.exists(file) ? Json.object(Files.readString(file)) : null;
    } catch (IOException | IllegalArgumentException e) {
      return Map.of("unreadable_summary", String.valueOf(e.getMessage()));
    }
  }

  /**
   * The job's one-line error ("lakehouse mart: failed: ..."), or its last non-empty line, from the
   * last 64 KiB of its log (a log of any size, in any encoding).
   */
  static String lastErrorLine(Path log) {
    try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
      long start = Math.max(0, file.length() - 65_536);
      byte[] tail = new byte[(int) (file.length() - start)];
      file.seek(start);
      file.readFully(tail);
      String text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPLACE)
              .onUnmappableCharacter(CodingErrorAction.REPLACE)
              .decode(ByteBuffer.wrap(tail))
              .toString();
      List<String> lines = text.lines().toList();
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
    } catch (IOException e) {
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
    List<ProcessHandle> tree = Stream.concat(root.descendants(), Stream.of(root)).toList();
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
    long hardEnd = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (System.nanoTime() < hardEnd && tree.stream().anyMatch(ProcessHandle::isAlive)) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
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
   * Stops dispatching (a launch under way completes first), stops every run still going with its
   * process tree, and only when those processes are gone marks the runs failed ({@value
   * #CONSOLE_STOPPED}); a restarted console retries them without counting an attempt.
   */
  @Override
  public void close() {
    closed = true;
    loop.shutdownNow();
    try {
      loop.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    List<Active> going = new ArrayList<>(active.values());
    List<Thread> stopping = new ArrayList<>();
    for (Active a : going) {
      a.stopReason = CONSOLE_STOPPED;
      Thread t = new Thread(() -> stopTreeAndWait(a.process.toHandle()), "console-stop-" + a.runId);
      t.start();
      stopping.add(t);
    }
    for (Thread t : stopping) {
      try {
        t.join(KILL_GRACE.plusSeconds(10).toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (Active a : going) {
      // a run that ended by itself just as the console stopped is being recorded by finished():
      // wait for it, so nothing writes to the run's log or the database after close() returns
      try {
        a.handled.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (!a.recorded) {
        store.markEnded(a.runId, RunStatus.FAILED, null, CONSOLE_STOPPED, null);
        appendLog(runDir(a.runId).resolve("log.txt").toString(), "console: " + CONSOLE_STOPPED);
      }
    }
  }
}
