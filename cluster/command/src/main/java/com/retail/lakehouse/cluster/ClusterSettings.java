package com.retail.lakehouse.cluster;

import com.retail.lakehouse.common.UsageException;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * The shape of a local cluster, kept in {@code cluster.properties} beside it so that status, stop
 * and submissions find the ports it was started with.
 *
 * @param port the master's service port: Flink's REST port (the web UI too), Spark's master port
 * @param uiPort Flink: the JobManager's RPC port; Spark: the master's web UI (workers use the next
 *     ports)
 * @param workers TaskManagers or Spark Workers, each its own JVM
 * @param slots task slots per TaskManager, cores per Spark Worker
 * @param workerMemoryMb a TaskManager's task heap, a Spark Worker's memory for executors
 */
record ClusterSettings(int port, int uiPort, int workers, int slots, int workerMemoryMb) {
  ClusterSettings {
    checkPort("port", port);
    checkPort("second port", uiPort);
    if (port == uiPort) {
      throw new UsageException("the cluster's two ports must differ, both are " + port);
    }
    if (workers < 1 || workers > 8) {
      throw new UsageException("--workers must be between 1 and 8, not " + workers);
    }
    if (slots < 1 || slots > 16) {
      throw new UsageException("--slots must be between 1 and 16, not " + slots);
    }
    if (workerMemoryMb < 512) {
      throw new UsageException(
          "--worker-memory must be at least 512m, not " + workerMemoryMb + "m");
    }
  }

  private static void checkPort(String what, int port) {
    if (port < 1 || port > 65535) {
      throw new UsageException(
          "the cluster's " + what + " must be between 1 and 65535, not " + port);
    }
  }

  /** The defaults: the engines' usual ports, 2 workers with 2 slots/cores each. */
  static ClusterSettings defaults(Engine engine) {
    return engine == Engine.FLINK
        ? new ClusterSettings(8081, 6123, 2, 2, 1024)
        : new ClusterSettings(7077, 8090, 2, 2, 2048);
  }

  static ClusterSettings read(Path file) throws IOException {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    }
    try {
      return new ClusterSettings(
          Integer.parseInt(p.getProperty("port")),
          Integer.parseInt(p.getProperty("ui-port")),
          Integer.parseInt(p.getProperty("workers")),
          Integer.parseInt(p.getProperty("slots")),
          Integer.parseInt(p.getProperty("worker-memory-mb")));
    } catch (NumberFormatException e) {
      throw new UsageException(
          file
              + " is damaged ("
              + e.getMessage()
              + "): stop the cluster's processes and delete the file");
    }
  }

  void write(Path file) throws IOException {
    Properties p = new Properties();
    p.setProperty("port", Integer.toString(port));
    p.setProperty("ui-port", Integer.toString(uiPort));
    p.setProperty("workers", Integer.toString(workers));
    p.setProperty("slots", Integer.toString(slots));
    p.setProperty("worker-memory-mb", Integer.toString(workerMemoryMb));
    Files.createDirectories(file.getParent());
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      p.store(w, "./lakehouse cluster: the settings this cluster was started with");
    }
  }
}
