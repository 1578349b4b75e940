package com.retail.lakehouse.aws;

import java.io.PrintStream;
import java.util.Locale;

/** Progress lines on stderr while a query or a step runs: the state, the time, what changed. */
final class Progress {
  private final PrintStream err;
  private final String prefix;
  private final long start = System.nanoTime();
  private String last = "";
  private long lastPrinted;

  Progress(PrintStream err, String prefix) {
    this.err = err;
    this.prefix = prefix;
  }

  double elapsedSeconds() {
    return (System.nanoTime() - start) / 1e9;
  }

  /** Prints {@code detail} when it changed, and at least every 10 s while nothing changes. */
  void update(String detail) {
    long now = System.nanoTime();
    if (!detail.equals(last) || now - lastPrinted > 10_000_000_000L) {
      err.println(prefix + ": " + detail + " (" + seconds(elapsedSeconds()) + ")");
      last = detail;
      lastPrinted = now;
    }
  }

  static String seconds(double s) {
    return String.format(Locale.ROOT, "%.1f s", s);
  }

  /** Bytes as a person reads them: 0 B, 12.3 KB, 4.5 MB, 1.2 GB (powers of 1024). */
  static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    String[] units = {"KB", "MB", "GB", "TB", "PB"};
    double v = n;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }
}
