package com.retail.lakehouse.console;

import java.time.Duration;
import java.util.Random;

/**
 * The wait before retry {@code n} of a failed run: exponential, {@code base x 2^(n-1)}, capped at
 * {@code max}, with "equal jitter" (a random half of it) so that runs failing together do not retry
 * together. A seeded {@link Random} gives the same delays every time (tests).
 */
record Backoff(Duration base, Duration max) {
  Backoff {
    if (base.isNegative() || base.isZero()) {
      throw new IllegalArgumentException("retry delay must be positive, got " + base);
    }
    if (max.compareTo(base) < 0) {
      throw new IllegalArgumentException("max retry delay " + max + " is below the delay " + base);
    }
  }

  /** The delay before retry {@code retry} (1 = the first retry). */
  Duration delay(int retry, Random random) {
    if (retry < 1) {
      throw new IllegalArgumentException("retries count from 1, got " + retry);
    }
    long full = base.toMillis();
    for (int i = 1; i < retry && full < max.toMillis(); i++) {
      full *= 2;
    }
    full = Math.min(full, max.toMillis());
    long half = full / 2;
    return Duration.ofMillis(full - half + (half == 0 ? 0 : (long) (random.nextDouble() * half)));
  }
}
