package com.retail.lakehouse.runners;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.retail.lakehouse.cluster.ClusterCommand;
import com.retail.lakehouse.generator.Manifest;
import com.retail.lakehouse.pipelines.conformance.ClusterConformance;
import com.retail.lakehouse.pipelines.conformance.LakehouseTables;
import com.retail.lakehouse.pipelines.conformance.RunnerConformance;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * The cluster conformance suite on a real Flink 1.19 standalone session cluster (a JobManager and
 * two TaskManagers, each its own JVM), plus Flink's faults: a TaskManager killed with kill -9
 * during a catch-up run and during the streaming job fails the job (no restarts, by the profile),
 * and the next submission, after {@code cluster start} replaced the TaskManager, resumes from the
 * tables' positions with exact counts.
 */
class FlinkClusterIT extends ClusterConformance {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private int restPort;

  @Override
  protected int cluster(String... args) {
    return ClusterCommand.run(args, System.out, System.err);
  }

  @Override
  protected String engine() {
    return "flink";
  }

  @Override
  protected String profile() {
    return "flink-cluster";
  }

  @Override
  protected List<String> portFlags() throws IOException {
    restPort = freePort();
    return List.of("--rest-port", Integer.toString(restPort), "--rpc-port", "" + freePort());
  }

  @Test
  void taskManagerKilledDuringACatchUpRunFailsTheJobAndTheNextRunResumesExactly() throws Exception {
    Manifest sent = generate("pos_cluster_kill", 11, 120_000);
    Path tables = work.resolve("kill-catch-up");
    CompletableFuture<Integer> run = startIngest(tables, "pos_cluster_kill");

    await("a task of the job running", Duration.ofMinutes(3), this::aTaskRuns);
    Thread.sleep(1_000);
    assertThat(aTaskRuns()).as("the job still runs when its TaskManager is killed").isTrue();
    ProcessHandle.of(pidOf("taskmanager-2")).orElseThrow().destroyForcibly();

    assertThat(run.get(3, TimeUnit.MINUTES)).as("the job fails with its TaskManager").isNotZero();
    restartKilledTaskManager();
    JsonNode summary = ingest(tables, "pos_cluster_kill", "after-kill.json");
    assertThat(summary.get("lag").asLong()).isZero();
    RunnerConformance.assertTablesHoldExactly(new LakehouseTables(tables), sent);
  }

  @Test
  void streamingJobOnTheClusterKilledTaskManagerThenResubmittedLandsExactlyTheManifest()
      throws Exception {
    Manifest sent = generate("pos_cluster_stream", 17, 40_000);
    Path tables = work.resolve("stream");
    String[] streaming = {"--mode=streaming", "--commit-interval=2s"};
    CompletableFuture<Integer> run = startIngest(tables, "pos_cluster_stream", streaming);

    await(
        "the streaming job's first commit",
        Duration.ofMinutes(3),
        () -> committed(tables) || run.isDone());
    assertThat(run.isDone()).as("the streaming job still runs after its first commit").isFalse();
    ProcessHandle.of(pidOf("taskmanager-1")).orElseThrow().destroyForcibly();

    assertThat(run.get(3, TimeUnit.MINUTES)).as("the job fails with its TaskManager").isNotZero();
    restartKilledTaskManager();
    JsonNode summary = ingest(tables, "pos_cluster_stream", "after-kill.json", streaming);
    assertThat(summary.get("mode").asText()).isEqualTo("streaming");
    assertThat(summary.get("lag").asLong()).isZero();
    RunnerConformance.assertTablesHoldExactly(new LakehouseTables(tables), sent);
  }

  private void restartKilledTaskManager() throws IOException {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        ClusterCommand.run(
            new String[] {"start", "--engine", "flink", "--data-dir", work.toString()},
            System.out,
            new PrintStream(err, true, StandardCharsets.UTF_8));
    String said = err.toString(StandardCharsets.UTF_8);
    System.err.print(said);
    if (code != 0) {
      assertThat(code)
          .as("cluster start replaces the killed TaskManager; it said: %s%n%s", said, logTails())
          .isZero();
    }
  }

  private static boolean committed(Path tables) {
    try {
      return new LakehouseTables(tables).rawTable().currentSnapshot() != null;
    } catch (RuntimeException notYet) {
      return false; // the table does not exist yet
    }
  }

  /** Whether a job runs with at least one task (vertex) in state RUNNING. */
  private boolean aTaskRuns() {
    JsonNode jobs = get("/jobs/overview");
    for (JsonNode job : jobs.path("jobs")) {
      if ("RUNNING".equals(job.path("state").asText())
          && job.path("tasks").path("running").asInt() > 0) {
        return true;
      }
    }
    return false;
  }

  private JsonNode get(String path) {
    try {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(URI.create("http://localhost:" + restPort + path))
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return JSON.readTree(r.body());
    } catch (IOException e) {
      return JSON.createObjectNode();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return JSON.createObjectNode();
    }
  }

  private static void await(String what, Duration timeout, BooleanSupplier condition)
      throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    while (!condition.getAsBoolean()) {
      assertThat(Instant.now()).as("waiting for " + what).isBefore(deadline);
      Thread.sleep(250);
    }
  }
}
