package com.retail.lakehouse.generator;

import java.time.Duration;
import java.time.Instant;

/**
 * The progress of a run that sends messages: a line every 2 seconds (the rate since the last line),
 * a last line when it ends (the rate over the whole run), and the run's facts for the manifest.
 */
final class SendProgress {
  private static final long EVERY_NANOS = 2_000_000_000L;

  private final ProgressSink sink;
  private final long target;
  private final Duration duration;
  private final long startNanos = System.nanoTime();
  private long nextReport = startNanos + EVERY_NANOS;
  private long lastReportNanos = startNanos;
  private long lastReportAll;

  /**
   * @param target the POS messages the run aims at (0 or less: none, a duration run)
   * @param duration how long the run sends; null for a counted run
   */
  SendProgress(ProgressSink sink, long target, Duration duration) {
    this.sink = sink;
    this.target = target;
    this.duration = duration;
  }

  /** When the run started, on {@link System#nanoTime()}. */
  long startNanos() {
    return startNanos;
  }

  /**
   * Prints a line if 2 seconds have passed since the last one.
   *
   * @param sent POS messages sent so far
   * @param all messages of every stream sent so far
   */
  void maybeReport(long now, long sent, long all, long errors) {
    if (now < nextReport) {
      return;
    }
    sink.report(
        new ProgressSink.Progress(
            sent,
            target,
            Duration.ofNanos(now - startNanos),
            duration,
            (all - lastReportAll) * 1e9 / (now - lastReportNanos),
            errors));
    lastReportAll = all;
    lastReportNanos = now;
    nextReport = now + EVERY_NANOS;
  }

  /** Prints the last line (call it once the sender is flushed) and returns the run's facts. */
  RunInfo finish(
      String bootstrapServers,
      Instant startedAt,
      long sent,
      long all,
      long errors,
      String firstError) {
    long elapsedNanos = System.nanoTime() - startNanos;
    sink.report(
        new ProgressSink.Progress(
            sent,
            target,
            Duration.ofNanos(elapsedNanos),
            duration,
            all * 1e9 / Math.max(1, elapsedNanos),
            errors));
    double seconds = elapsedNanos / 1e9;
    return new RunInfo(
        bootstrapServers,
        startedAt.toString(),
        Math.round(seconds * 1000) / 1000.0,
        Math.round(all / Math.max(seconds, 1e-9)),
        errors,
        firstError);
  }
}
