package com.retail.lakehouse.transforms.metrics;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * JVM-local counters for the progress line of a running local job. Beam metrics are the
 * authoritative figures, but most runners only report them when the job ends; these are read while
 * it runs. On a cluster they count only the worker they run in, so only the local launcher shows
 * them.
 */
public final class LiveCounters {
  private static final ConcurrentHashMap<String, LongAdder> COUNTERS = new ConcurrentHashMap<>();

  private LiveCounters() {}

  /** Adds to a named counter. */
  public static void add(String name, long delta) {
    COUNTERS.computeIfAbsent(name, n -> new LongAdder()).add(delta);
  }

  /** The current value of a named counter. */
  public static long get(String name) {
    LongAdder adder = COUNTERS.get(name);
    return adder == null ? 0 : adder.sum();
  }

  /** Resets every counter, at the start of a run. */
  public static void reset() {
    COUNTERS.clear();
  }
}
