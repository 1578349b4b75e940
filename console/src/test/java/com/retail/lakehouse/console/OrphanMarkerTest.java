package com.retail.lakehouse.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A console that died after marking a run running but before recording its pid: the run's process
 * is found by the marker in its environment, killed, and the run failed; its retry does not count
 * as an attempt, even at the last one.
 */
class OrphanMarkerTest {
  @TempDir Path dataDir;

  @Test
  void aProcessWhosePidWasNeverRecordedIsFoundByItsMarkerAndKilled() throws Exception {
    DataSource source = Database.open(dataDir, null);
    RunStore store = new RunStore(source);
    Run run =
        store
            .create(
                new RunStore.NewRun(
                    "mart",
                    Trigger.BACKFILL,
                    Map.of("dates", List.of("2026-11-24")),
                    3,
                    3,
                    null,
                    null,
                    "k",
                    null))
            .run();
    Path runDir = dataDir.resolve("runs").resolve(Long.toString(run.id()));
    Files.createDirectories(runDir);
    assertThat(store.markStarted(run.id(), null, null, runDir.resolve("log.txt").toString()))
        .isTrue();
    // The process the dying console had started: it carries the marker, the database has no pid.
    ProcessBuilder builder = new ProcessBuilder("sleep", "300");
    builder.environment().put(RunLauncher.MARKER, runDir.toString());
    Process survivor = builder.start();
    Database.close(source);

    ConsoleSettings settings =
        ConsoleSettings.defaults(dataDir, Path.of("."))
            .withAddress("127.0.0.1", 0)
            .withJobs(List.of("/bin/false"), Map.of(), "direct")
            .withSchedules(ZoneOffset.UTC, "0 0 3 * * *", "0 0 2 * * *", true, Duration.ofHours(1));
    try (ConsoleServer server = ConsoleServer.start(settings)) {
      assertThat(survivor.isAlive()).as("killed before the console serves").isFalse();
      var orphan =
          ConsoleIntegrationTest.json(
              ConsoleTestSupport.get(server.url(), "api/runs/" + run.id()).body());
      assertThat(orphan.get("status").asText()).isEqualTo("failed");
      assertThat(orphan.get("message").asText())
          .contains("orphaned")
          .contains(Long.toString(survivor.pid()))
          .contains("killed");
      var retries = ConsoleIntegrationTest.runs(server.url(), "trigger=retry");
      assertThat(retries).hasSize(1);
      assertThat(retries.get(0).get("parent_id").asLong()).isEqualTo(run.id());
      assertThat(retries.get(0).get("attempt").asInt())
          .as("a stop by the console is not an attempt")
          .isEqualTo(3);
    } finally {
      survivor.destroyForcibly();
    }
  }
}
