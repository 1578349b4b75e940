package com.retail.lakehouse.generator;

import java.util.concurrent.locks.LockSupport;

/**
 * Holds sends to a target rate, token-bucket style: each send earns its slot {@code 1/rate} after
 * the previous one, bursts of up to 5 ms worth are allowed, and the sender parks (never spins) when
 * it is ahead of schedule.
 */
final class SendPacer {
  private static final long MIN_PARK_NANOS = 1_000_000L;
  private static final long BURST_NANOS = 5_000_000L;

  private final long intervalNanos;
  private long nextSlot;

  /** A pacer for {@code ratePerSecond} sends per second; 0 means unthrottled. */
  SendPacer(double ratePerSecond) {
    this.intervalNanos = ratePerSecond <= 0 ? 0 : Math.max(1, Math.round(1e9 / ratePerSecond));
    this.nextSlot = System.nanoTime();
  }

  /** Waits until the next send is due. */
  void awaitSlot() throws InterruptedException {
    if (intervalNanos == 0) {
      return;
    }
    long now = System.nanoTime();
    // Falling behind (a slow broker, a GC) earns at most a small burst, not a flood.
    nextSlot = Math.max(nextSlot, now - BURST_NANOS);
    long ahead = nextSlot - now;
    while (ahead >= MIN_PARK_NANOS) {
      LockSupport.parkNanos(ahead);
      if (Thread.interrupted()) {
        throw new InterruptedException("interrupted while pacing sends");
      }
      ahead = nextSlot - System.nanoTime();
    }
    nextSlot += intervalNanos;
  }
}
