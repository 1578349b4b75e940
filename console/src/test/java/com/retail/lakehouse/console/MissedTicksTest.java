package com.retail.lakehouse.console;

import static com.retail.lakehouse.console.ConsoleIntegrationTest.runs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The documented missed-tick policy: ticks missed while the console was down run once at start-up,
 * not once per missed tick. The job is a stand-in script (the schedule is what is tested).
 */
class MissedTicksTest {
  @TempDir Path dataDir;

  @Test
  void ticksMissedWhileTheConsoleWasDownRunOnceAtStartUp() throws Exception {
    Path job = dataDir.resolve("quick-job.sh");
    Files.writeString(job, "#!/usr/bin/env bash\necho \"quick $1\"\n");
    Files.setPosixFilePermissions(job, PosixFilePermissions.fromString("rwxr-xr-x"));
    ConsoleSettings settings =
        ConsoleSettings.defaults(dataDir, Path.of("."))
            .withAddress("127.0.0.1", 0)
            .withJobs(List.of(job.toString()), Map.of(), "direct")
            .withSchedules(
                ZoneOffset.UTC, "*/10 * * * * *", "0 0 2 * * *", false, Duration.ofHours(1));
    try (ConsoleServer server = ConsoleServer.start(settings)) {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> runs(server.url(), "trigger=schedule&status=succeeded").size() >= 1);
    }
    int before;
    Instant restart;
    // Down for at least three ticks; restart 1 s after a 10-second boundary, so that the next
    // regular tick is 9 s away.
    Thread.sleep(30_000);
    long now = System.currentTimeMillis();
    Thread.sleep(10_000 - now % 10_000 + 1_000);
    restart = Instant.now();
    try (ConsoleServer server = ConsoleServer.start(settings)) {
      before =
          (int)
              runs(server.url(), "trigger=schedule").stream()
                  .filter(r -> Instant.parse(r.get("queued_at").asText()).isBefore(restart))
                  .count();
      Thread.sleep(6_000);
      List<JsonNode> after =
          runs(server.url(), "trigger=schedule").stream()
              .filter(r -> Instant.parse(r.get("queued_at").asText()).isAfter(restart))
              .toList();
      assertThat(after).as("one catch-up run for the missed ticks: " + after).hasSize(1);
      String tick = after.get(0).get("run_key").asText().replaceAll(".*:(\\d{4}-.*)$", "$1");
      assertThat(Instant.parse(tick)).as("it is for a tick before the restart").isBefore(restart);
    }
    assertThat(before).isGreaterThanOrEqualTo(1);
  }
}
