package com.retail.lakehouse.pipelines.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Samples this JVM's heap in use and the process's resident memory every 100 ms while a benchmark
 * phase runs, keeping the peaks (heap also from the JVM's own per-pool peak counters).
 */
final class MemoryWatch implements AutoCloseable {
  private final Thread sampler;
  private volatile boolean running = true;
  private volatile long peakHeapSampled;
  private volatile long peakRssSampled;

  MemoryWatch() {
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      pool.resetPeakUsage();
    }
    sampler =
        new Thread(
            () -> {
              while (running) {
                Runtime rt = Runtime.getRuntime();
                peakHeapSampled = Math.max(peakHeapSampled, rt.totalMemory() - rt.freeMemory());
                peakRssSampled = Math.max(peakRssSampled, statusKb("VmRSS:") * 1024);
                try {
                  Thread.sleep(100);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "bench-memory-watch");
    sampler.setDaemon(true);
    sampler.start();
  }

  /** Peak heap in use: the larger of the sampled total and the sum of the pools' own peaks. */
  long peakHeapBytes() {
    long pools = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
        pools += pool.getPeakUsage().getUsed();
      }
    }
    return Math.max(peakHeapSampled, Math.min(pools, Runtime.getRuntime().maxMemory()));
  }

  /** Peak resident set size sampled during the phase. */
  long peakRssBytes() {
    return peakRssSampled;
  }

  static long statusKb(String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith(field)) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
    return 0;
  }

  @Override
  public void close() {
    running = false;
    sampler.interrupt();
  }
}
