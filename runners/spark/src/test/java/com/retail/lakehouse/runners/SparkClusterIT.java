package com.retail.lakehouse.runners;

import static org.assertj.core.api.Assertions.assertThat;

import com.retail.lakehouse.cluster.ClusterCommand;
import com.retail.lakehouse.generator.Manifest;
import com.retail.lakehouse.pipelines.conformance.ClusterConformance;
import com.retail.lakehouse.pipelines.conformance.LakehouseTables;
import com.retail.lakehouse.pipelines.conformance.RunnerConformance;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.Test;

/**
 * The cluster conformance suite on a real Spark 3.5 standalone cluster (a Master and two Workers,
 * each Worker launching the job's executor in a JVM of its own, the job submitted through Spark's
 * own SparkSubmit), plus Spark's fault: an executor killed with kill -9 while it runs tasks. Spark
 * re-runs the lost tasks on another executor, re-reading their Kafka ranges, and the run still
 * lands exactly the manifest with no data file committed twice.
 */
class SparkClusterIT extends ClusterConformance {
  @Override
  protected int cluster(String... args) {
    return ClusterCommand.run(args, System.out, System.err);
  }

  @Override
  protected String engine() {
    return "spark";
  }

  @Override
  protected String profile() {
    return "spark-standalone";
  }

  @Override
  protected List<String> portFlags() throws IOException {
    return List.of("--master-port", "" + freePort(), "--ui-port", "" + freePort());
  }

  @Test
  void executorKilledWhileRunningTasksIsReplacedAndTheRunLandsExactlyTheManifest()
      throws Exception {
    Manifest sent = generate("pos_cluster_kill", 11, 60_000);
    Path tables = work.resolve("kill-executor");
    CompletableFuture<Integer> run = startIngest(tables, "pos_cluster_kill");

    ProcessHandle executor = awaitExecutorRunningTasks(run, Duration.ofMinutes(3));
    executor.destroyForcibly();
    executor.onExit().get(30, TimeUnit.SECONDS);

    assertThat(run.get(5, TimeUnit.MINUTES))
        .as("Spark re-runs the killed executor's tasks: the run succeeds")
        .isZero();
    LakehouseTables result = new LakehouseTables(tables);
    RunnerConformance.assertTablesHoldExactly(result, sent);
    Set<String> files = new HashSet<>();
    try (CloseableIterable<FileScanTask> tasks = result.rawTable().newScan().planFiles()) {
      for (FileScanTask task : tasks) {
        DataFile file = task.file();
        assertThat(files.add(file.path().toString())).as("data file committed once").isTrue();
      }
    }
    assertThat(files).isNotEmpty();
  }

  /**
   * The first executor of this cluster whose log says it runs a task. An executor runs in its work
   * folder (work/worker-N/app-.../ID), where its stderr is.
   */
  private ProcessHandle awaitExecutorRunningTasks(CompletableFuture<?> run, Duration timeout)
      throws Exception {
    String marker = "-Dlakehouse.cluster=" + work.resolve("cluster").resolve("spark");
    Instant deadline = Instant.now().plus(timeout);
    while (true) {
      assertThat(run.isDone()).as("the run ended before an executor ran a task").isFalse();
      assertThat(Instant.now()).as("waiting for an executor running tasks").isBefore(deadline);
      Optional<ProcessHandle> busy =
          ProcessHandle.allProcesses()
              .filter(
                  p ->
                      p.info()
                          .commandLine()
                          .map(
                              c -> c.contains("CoarseGrainedExecutorBackend") && c.contains(marker))
                          .orElse(false))
              .filter(SparkClusterIT::runsATask)
              .findFirst();
      if (busy.isPresent()) {
        return busy.get();
      }
      Thread.sleep(250);
    }
  }

  private static boolean runsATask(ProcessHandle executor) {
    try {
      Path cwd = Files.readSymbolicLink(Path.of("/proc", Long.toString(executor.pid()), "cwd"));
      Path stderr = cwd.resolve("stderr");
      return Files.isRegularFile(stderr)
          && Files.readString(stderr, StandardCharsets.ISO_8859_1).contains("Running task");
    } catch (IOException gone) {
      return false;
    }
  }
}
