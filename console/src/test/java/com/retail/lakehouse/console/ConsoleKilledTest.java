package com.retail.lakehouse.console;

import static com.retail.lakehouse.console.ConsoleIntegrationTest.json;
import static com.retail.lakehouse.console.ConsoleIntegrationTest.runs;
import static com.retail.lakehouse.console.ConsoleTestSupport.get;
import static com.retail.lakehouse.console.ConsoleTestSupport.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of the console while a run is going: the run's process survives its parent; the next
 * console finds the run "running" in its database, kills the survivor, marks the run failed
 * (orphaned) and retries it. No run stays "running" without a live process.
 */
class ConsoleKilledTest {
  @TempDir Path temp;

  @Test
  void aConsoleKilledDuringARunLeavesNoRunStuckRunningAfterARestart() throws Exception {
    Path dataDir = ConsoleTestSupport.dataDirWithRawDays(temp);
    String db = "jdbc:h2:file:" + temp.resolve("db").resolve("console");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Dlakehouse.home=" + System.getProperty("lakehouse.home"));
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(ServeCommand.class.getName());
    cmd.addAll(
        List.of(
            "--data-dir=" + dataDir,
            "--port=" + port,
            "--db-url=" + db,
            "--job-command=" + ConsoleTestSupport.javaScript(temp),
            "--paused",
            "--bootstrap-servers=" + ConsoleTestSupport.broker(dataDir),
            "--retry-delay=1s",
            "--max-retry-delay=2s"));
    Process console =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(temp.resolve("console.log").toFile())
            .start();
    URI url = URI.create("http://127.0.0.1:" + port + "/");
    long runId;
    long childPid;
    try {
      await()
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .until(() -> get(url, "api/health").statusCode() == 200);
      var created = post(url, "api/jobs/mart/runs", "{\"dates\":[\"2026-11-20\"]}");
      runId = json(created.body()).get("id").asLong();
      JsonNode running =
          await()
              .atMost(Duration.ofSeconds(30))
              .until(
                  () -> json(get(url, "api/runs/" + runId).body()),
                  r -> r.get("status").asText().equals("running") && !r.get("pid").isNull());
      childPid = running.get("pid").asLong();
    } catch (RuntimeException | AssertionError e) {
      throw new AssertionError(
          "console log:\n" + java.nio.file.Files.readString(temp.resolve("console.log")), e);
    } finally {
      console.destroyForcibly(); // SIGKILL: no shutdown hook runs
      console.waitFor();
    }
    assertThat(ProcessHandle.of(childPid).map(ProcessHandle::isAlive))
        .as("the run's process outlives the killed console")
        .contains(true);

    ConsoleSettings settings =
        ConsoleTestSupport.settings(dataDir)
            .withDatabase(db, null)
            .withRetries(3, Duration.ofSeconds(1), Duration.ofSeconds(2));
    try (ConsoleServer restarted = ConsoleServer.start(settings)) {
      URI url2 = restarted.url();
      JsonNode orphan = json(get(url2, "api/runs/" + runId).body());
      assertThat(orphan.has("status")).as(orphan.toString()).isTrue();
      assertThat(orphan.get("status").asText()).isEqualTo("failed");
      assertThat(orphan.get("message").asText()).contains("orphaned").contains("killed");
      await()
          .atMost(Duration.ofSeconds(15))
          .until(
              () -> ProcessHandle.of(childPid).map(ProcessHandle::isAlive).orElse(false) == false);

      JsonNode retry =
          await()
              .atMost(Duration.ofMinutes(3))
              .pollInterval(Duration.ofSeconds(1))
              .until(
                  () -> runs(url2, "trigger=retry").stream().findFirst().orElse(null),
                  r -> r != null && r.get("status").asText().equals("succeeded"));
      assertThat(retry.get("parent_id").asLong()).isEqualTo(runId);
      // the retried mart's success queues the inventory mart after it: that run ends too
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofSeconds(1))
          .untilAsserted(
              () ->
                  assertThat(runs(url2, "status=running"))
                      .as("runs still running after the restart")
                      .isEmpty());
      assertThat(runs(url2, "job=inventory_mart"))
          .as("the inventory mart queued after the retried mart")
          .isNotEmpty()
          .allSatisfy(r -> assertThat(r.get("status").asText()).isIn("skipped", "succeeded"));
    }
  }
}
