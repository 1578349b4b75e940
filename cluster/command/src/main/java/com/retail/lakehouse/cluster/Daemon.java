package com.retail.lakehouse.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One long-running process of a local cluster (a JobManager, a TaskManager, a Spark Master or
 * Worker): how to start it, and its pid file. A daemon is started in a session of its own ({@code
 * setsid}), so a Ctrl-C in the terminal that started the cluster does not stop it, and it outlives
 * the command that started it. Its stdout and stderr go to {@code <name>.out} in the log folder.
 *
 * <p>A pid counts as this daemon only while a live process with that pid has the daemon's marker on
 * its command line, so a recycled pid is never mistaken for it (nor killed).
 */
final class Daemon {
  private final String name;
  private final List<String> command;
  private final Map<String, String> env;
  private final Path pidFile;
  private final Path outFile;
  private final String marker;
  private final Path workDir;

  /**
   * @param name e.g. {@code taskmanager-1}
   * @param command the full command line (java and its flags, main class, arguments); it must
   *     contain {@code marker}
   * @param marker a string only this daemon's command line holds
   * @param workDir the folder it runs in
   */
  Daemon(
      String name,
      List<String> command,
      Map<String, String> env,
      Path pidFile,
      Path outFile,
      String marker,
      Path workDir) {
    this.name = Objects.requireNonNull(name, "name");
    this.command = List.copyOf(command);
    this.env = Map.copyOf(env);
    this.pidFile = Objects.requireNonNull(pidFile, "pidFile");
    this.outFile = Objects.requireNonNull(outFile, "outFile");
    this.marker = Objects.requireNonNull(marker, "marker");
    this.workDir = Objects.requireNonNull(workDir, "workDir");
    if (command.stream().noneMatch(a -> a.contains(marker))) {
      throw new IllegalArgumentException("the command of " + name + " lacks its marker " + marker);
    }
  }

  String name() {
    return name;
  }

  Path outFile() {
    return outFile;
  }

  /** The live process of this daemon, if its pid file names one. */
  Optional<ProcessHandle> process() {
    if (!Files.isRegularFile(pidFile)) {
      return Optional.empty();
    }
    long pid;
    try {
      pid = Long.parseLong(Files.readString(pidFile, StandardCharsets.UTF_8).strip());
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
    return ProcessHandle.of(pid)
        .filter(ProcessHandle::isAlive)
        .filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false));
  }

  /** Starts the daemon and writes its pid file; returns its pid. */
  long start() throws IOException {
    Files.createDirectories(pidFile.getParent());
    Files.createDirectories(outFile.getParent());
    Files.createDirectories(workDir);
    List<String> line = new ArrayList<>();
    line.add("setsid");
    line.addAll(command);
    ProcessBuilder builder = new ProcessBuilder(line);
    builder.environment().putAll(env);
    builder.directory(workDir.toFile());
    builder.redirectErrorStream(true);
    builder.redirectOutput(ProcessBuilder.Redirect.appendTo(outFile.toFile()));
    builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    Process process = builder.start();
    // setsid execs the command in place (a child of a JVM is never a process-group leader), so
    // the pid is the JVM's own.
    Files.writeString(pidFile, process.pid() + "\n", StandardCharsets.UTF_8);
    return process.pid();
  }

  /**
   * Stops the daemon: SIGTERM, then SIGKILL after {@code grace}. Returns false if it was not
   * running. The pid file is removed either way.
   */
  boolean stop(Duration grace) throws IOException {
    Optional<ProcessHandle> process = process();
    if (process.isPresent()) {
      ProcessHandle p = process.get();
      p.destroy();
      Instant deadline = Instant.now().plus(grace);
      while (p.isAlive() && Instant.now().isBefore(deadline)) {
        sleep(200);
      }
      if (p.isAlive()) {
        p.destroyForcibly();
        // process(), not isAlive(): a killed daemon nobody reaps stays a zombie, whose empty
        // command line no longer carries the marker.
        Instant killDeadline = Instant.now().plusSeconds(10);
        while (process().isPresent() && Instant.now().isBefore(killDeadline)) {
          sleep(100);
        }
      }
    }
    Files.deleteIfExists(pidFile);
    return process.isPresent();
  }

  /** The last {@code lines} lines of the daemon's output, for a failure message. */
  String tail(int lines) {
    try {
      List<String> all = Files.readAllLines(outFile, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no output in " + outFile + ")";
    }
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ClusterFailure("interrupted");
    }
  }
}
