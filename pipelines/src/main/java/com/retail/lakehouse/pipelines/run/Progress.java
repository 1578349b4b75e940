package com.retail.lakehouse.pipelines.run;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleFunction;

/**
 * A progress line on stderr every few seconds while a local job runs, built from the seconds since
 * the start (the line reads live counters). Closing it stops the line.
 */
public final class Progress implements AutoCloseable {
  /** How often the line is printed. */
  public static final long EVERY_SECONDS = 5;

  private final ScheduledExecutorService timer;

  private Progress(ScheduledExecutorService timer) {
    this.timer = timer;
  }

  /**
   * Starts printing {@code line.apply(secondsSinceStart)} every {@value #EVERY_SECONDS} s, from
   * {@code startNanos} ({@link System#nanoTime()}).
   */
  public static Progress start(String name, long startNanos, DoubleFunction<String> line) {
    ScheduledExecutorService timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, name + "-progress");
              t.setDaemon(true);
              return t;
            });
    timer.scheduleAtFixedRate(
        () -> System.err.println(line.apply((System.nanoTime() - startNanos) / 1e9)),
        EVERY_SECONDS,
        EVERY_SECONDS,
        TimeUnit.SECONDS);
    return new Progress(timer);
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
