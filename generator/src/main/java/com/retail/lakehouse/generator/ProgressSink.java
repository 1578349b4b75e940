package com.retail.lakehouse.generator;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;

/** Where a run reports how far it got, every two seconds and once at the end. */
@FunctionalInterface
public interface ProgressSink {

  /**
   * How far a run got.
   *
   * @param sent messages handed to the producer so far
   * @param target messages to send, or -1 for a duration-bounded run
   * @param elapsed wall-clock time since the first send
   * @param duration the run's duration, or null for a counted run
   * @param eventsPerSecond send rate over the last reporting interval
   * @param errors send errors reported so far
   */
  record Progress(
      long sent,
      long target,
      Duration elapsed,
      Duration duration,
      double eventsPerSecond,
      long errors) {

    /** The line printed to stderr, e.g. {@code generate: 45,000/100,000 sent (45%) ...}. */
    public String line() {
      String done =
          target > 0
              ? String.format(
                  Locale.US, "%,d/%,d sent (%d%%)", sent, target, Math.round(100.0 * sent / target))
              : String.format(
                  Locale.US,
                  "%,d sent (%ds/%ds)",
                  sent,
                  elapsed.toSeconds(),
                  duration == null ? 0 : duration.toSeconds());
      return String.format(
          Locale.US,
          "generate: %s  %,d events/s  errors %,d",
          done,
          Math.round(eventsPerSecond),
          errors);
    }
  }

  /** Receives one progress report. */
  void report(Progress progress);

  /** A sink that ignores progress. */
  static ProgressSink none() {
    return p -> {};
  }

  /** A sink printing each report as one line to {@code out} (usually stderr). */
  static ProgressSink printingTo(PrintStream out) {
    return p -> {
      out.println(p.line());
      out.flush();
    };
  }
}
