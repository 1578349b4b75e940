package com.retail.lakehouse.console;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * serve --demo's live traffic: the simulator as a child process producing POS events at a steady
 * rate, with malformed, duplicate and late events, for a day; restarted (after 5 s) if it exits
 * before the console stops. Its output goes to {@code <data-dir>/runs/generator.log}.
 */
final class DemoTraffic implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DemoTraffic.class);

  private final List<String> command;
  private final Path log;
  private volatile Process process;
  private volatile boolean closed;

  DemoTraffic(ConsoleSettings settings, String bootstrapServers, int eventsPerSecond) {
    this.command = new ArrayList<>(settings.jobCommand());
    command.addAll(
        List.of(
            "generate",
            "--data-dir=" + settings.dataDir(),
            "--bootstrap-servers=" + bootstrapServers,
            "--topic=" + settings.topic(),
            "--rate=" + eventsPerSecond,
            "--duration=24h",
            "--stores=20",
            "--malformed-rate=0.01",
            "--duplicate-rate=0.02",
            "--late-rate=0.02"));
    this.log = settings.dataDir().resolve("runs").resolve("generator.log");
  }

  void start() throws IOException {
    Files.createDirectories(log.getParent());
    launch();
  }

  private void launch() {
    if (closed) {
      return;
    }
    try {
      process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .start();
      LOG.info("demo traffic: generator pid {} (log {})", process.pid(), log);
      process
          .onExit()
          .thenRun(
              () -> {
                if (!closed) {
                  LOG.warn(
                      "demo traffic: generator exited ({}); restarting in 5 s",
                      process.exitValue());
                  try {
                    Thread.sleep(5000);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                  }
                  launch();
                }
              });
    } catch (IOException e) {
      LOG.warn("demo traffic: cannot start the generator: {}", e.getMessage());
    }
  }

  @Override
  public void close() {
    closed = true;
    Process p = process;
    if (p != null) {
      RunLauncher.stopTree(p.toHandle());
    }
  }
}
