package com.retail.lakehouse.pipelines.conformance;

import com.retail.lakehouse.pipelines.cli.LakehouseCommand;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A launcher command ({@code ./lakehouse <args>}) in a child JVM with this JVM's classpath and
 * runner, for tests that kill it with kill -9 or keep it running while they kill something else.
 * Its stdout and stderr are kept line by line, to wait for a line and to read them afterwards.
 */
public final class LakehouseJvm implements AutoCloseable {
  private static final Pattern SUMMARY_TITLE = Pattern.compile("^== (.+) ==$");
  private static final Pattern SUMMARY_LINE = Pattern.compile("^ {2}(\\S+)\\s+(.*)$");

  private final Process process;
  private final List<String> stdout = new CopyOnWriteArrayList<>();
  private final List<String> stderr = new CopyOnWriteArrayList<>();
  private final List<Thread> collectors;

  private LakehouseJvm(Process process) {
    this.process = process;
    this.collectors =
        List.of(
            collect(process.getInputStream(), stdout), collect(process.getErrorStream(), stderr));
  }

  /** Starts {@code ./lakehouse args...} with the extra JVM flags (e.g. {@code -Dname=value}). */
  public static LakehouseJvm start(List<String> jvmFlags, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx2g");
    for (String pkg :
        List.of(
            "java.lang",
            "java.nio",
            "sun.nio.ch",
            "java.util",
            "java.lang.invoke",
            "sun.util.calendar",
            "java.io",
            "java.net",
            "java.util.concurrent",
            "sun.security.action")) {
      command.add("--add-opens=java.base/" + pkg + "=ALL-UNNAMED");
    }
    command.addAll(jvmFlags);
    command.add("-Dlakehouse.runner=" + System.getProperty("lakehouse.runner", "direct"));
    command.add("-Dlakehouse.home=" + System.getProperty("lakehouse.home", "."));
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(LakehouseCommand.class.getName());
    command.addAll(List.of(args));
    return new LakehouseJvm(new ProcessBuilder(command).start());
  }

  /**
   * Waits until a line of stderr contains {@code text}; false when the timeout passed or the JVM
   * ended without printing it.
   */
  public boolean awaitStderr(String text, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (stderr.stream().anyMatch(line -> line.contains(text))) {
        return true;
      }
      if (!process.isAlive()) {
        Thread.sleep(200); // the last lines may still be on their way
        return stderr.stream().anyMatch(line -> line.contains(text));
      }
      Thread.sleep(100);
    }
    return false;
  }

  /** Kills the JVM with SIGKILL (no shutdown hooks, buffers lost); returns its exit code. */
  public int kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("pid " + process.pid() + " survived SIGKILL for 60 s");
    }
    return exited();
  }

  /** Stops the JVM with SIGTERM, as Ctrl-C or a service manager would; returns its exit code. */
  public int stop() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      return kill();
    }
    return exited();
  }

  /** Waits until the JVM exits on its own; its exit code, or -1 if it still runs after timeout. */
  public int waitFor(Duration timeout) throws InterruptedException {
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? exited() : -1;
  }

  /** The exit code, once every line the JVM printed has been collected. */
  private int exited() throws InterruptedException {
    for (Thread collector : collectors) {
      collector.join(TimeUnit.SECONDS.toMillis(30));
    }
    return process.exitValue();
  }

  /** Lines printed on stdout so far. */
  public List<String> stdout() {
    return List.copyOf(stdout);
  }

  /** Lines printed on stderr so far. */
  public List<String> stderr() {
    return List.copyOf(stderr);
  }

  /**
   * The summaries titled {@code title} that the command printed on stdout so far ({@code
   * RunSummary.print}: a {@code == title ==} line, then {@code key value} lines), in order, each as
   * key -> value text.
   */
  public List<Map<String, String>> summaries(String title) {
    List<Map<String, String>> summaries = new ArrayList<>();
    Map<String, String> current = null;
    for (String line : stdout) {
      Matcher titled = SUMMARY_TITLE.matcher(line);
      Matcher keyValue = SUMMARY_LINE.matcher(line);
      if (titled.matches()) {
        current = titled.group(1).equals(title) ? new LinkedHashMap<>() : null;
        if (current != null) {
          summaries.add(current);
        }
      } else if (current != null && keyValue.matches()) {
        current.put(keyValue.group(1), keyValue.group(2));
      } else {
        current = null;
      }
    }
    return summaries;
  }

  /** Kills the JVM if it still runs. */
  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
  }

  private static Thread collect(InputStream stream, List<String> lines) {
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                  lines.add(line);
                }
              } catch (IOException ignored) {
                // the stream closes when the JVM dies
              }
            },
            "lakehouse-jvm-output");
    reader.setDaemon(true);
    reader.start();
    return reader;
  }
}
