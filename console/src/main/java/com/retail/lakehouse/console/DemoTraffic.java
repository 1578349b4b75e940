package com.retail.lakehouse.console;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * serve --demo's traffic: once per data folder, {@value #HISTORY_DAYS} days of history of both
 * streams ({@code generate --streams=pos,inventory --count=...} on the simulated clock, ending
 * before now, with the live run's fault rates), so the sales and stock pages have days to show;
 * then the simulator as a child process producing live POS events at a steady rate, with malformed,
 * duplicate and late events, for a day, restarted (after 5 s) if it exits before the console stops.
 * The live run is POS only: the generator's stock movements need its simulated clock (it refuses
 * {@code --streams inventory} in live mode). A history run that fails is logged and tried again at
 * the next start. Output goes to {@code <data-dir>/runs/generator.log}.
 */
final class DemoTraffic implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DemoTraffic.class);

  /** Days of POS and stock history a fresh demo folder gets. */
  static final int HISTORY_DAYS = 7;

  /** The simulator's volume with 20 stores: about 30,000 POS lines per simulated day. */
  private static final int LINES_PER_DAY = 30_000;

  private final List<String> command;
  private final List<String> history;
  private final Path historyDone;
  private final Path log;
  private volatile Process process;
  private volatile boolean live;
  private volatile boolean closed;

  DemoTraffic(ConsoleSettings settings, String bootstrapServers, int eventsPerSecond) {
    List<String> common =
        List.of(
            "generate",
            "--data-dir=" + settings.dataDir(),
            "--bootstrap-servers=" + bootstrapServers,
            "--topic=" + settings.topic(),
            "--stores=20",
            "--malformed-rate=0.01",
            "--duplicate-rate=0.02",
            "--late-rate=0.02");
    this.command = new ArrayList<>(settings.jobCommand());
    command.addAll(common);
    command.addAll(List.of("--rate=" + eventsPerSecond, "--duration=24h"));
    this.history = new ArrayList<>(settings.jobCommand());
    history.addAll(common);
    history.addAll(
        List.of("--streams=pos,inventory", "--count=" + HISTORY_DAYS * LINES_PER_DAY, "--seed=7"));
    this.historyDone = settings.dataDir().resolve("runs").resolve("demo-history.done");
    this.log = settings.dataDir().resolve("runs").resolve("generator.log");
  }

  void start() throws IOException {
    Files.createDirectories(log.getParent());
    if (Files.exists(historyDone)) {
      launch();
      return;
    }
    Process p = start(history);
    LOG.info("demo traffic: {} days of POS and stock history, pid {}", HISTORY_DAYS, p.pid());
    process = p;
    p.onExit()
        .thenRun(
            () -> {
              if (p.exitValue() == 0) {
                try {
                  Files.writeString(historyDone, "done\n");
                } catch (IOException e) {
                  LOG.warn("demo traffic: cannot write {}: {}", historyDone, e.getMessage());
                }
              } else if (!closed) {
                LOG.warn("demo traffic: the history run exited {} (see {})", p.exitValue(), log);
              }
              launch();
            });
  }

  private Process start(List<String> cmd) throws IOException {
    return new ProcessBuilder(cmd)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
  }

  private void launch() {
    if (closed) {
      return;
    }
    try {
      process = start(command);
      live = true;
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

  /** Whether the live generator (after the history) is going. */
  boolean live() {
    Process p = process;
    return live && p != null && p.isAlive();
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
