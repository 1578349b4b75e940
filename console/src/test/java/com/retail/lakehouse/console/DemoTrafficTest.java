package com.retail.lakehouse.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.retail.lakehouse.generator.Manifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * serve --demo's traffic on a real broker: a fresh data folder first gets the week of history of
 * both streams (a manifest with inventory movements, ending before now), once; the live POS
 * generator follows.
 */
class DemoTrafficTest {
  @TempDir Path temp;

  @Test
  void aFreshFolderGetsAWeekOfBothStreamsOnceThenLiveTraffic() throws Exception {
    Path dataDir = temp.resolve("data");
    Files.createDirectories(dataDir);
    String kafka = ConsoleTestSupport.broker(dataDir);
    ConsoleSettings settings =
        ConsoleSettings.defaults(dataDir, Path.of("."))
            .withJobs(ConsoleTestSupport.javaCommand(List.of()), Map.of(), "direct")
            .withKafka(kafka, ConsoleTestSupport.TOPIC);
    Path done = dataDir.resolve("runs").resolve("demo-history.done");
    try (DemoTraffic traffic = new DemoTraffic(settings, kafka, 50)) {
      traffic.start();
      await()
          .atMost(Duration.ofMinutes(3))
          .pollInterval(Duration.ofSeconds(1))
          .until(() -> Files.exists(done));
      Manifest history;
      try (Stream<Path> files = Files.list(dataDir.resolve("manifests"))) {
        List<Path> seven =
            files.filter(f -> f.getFileName().toString().startsWith("generate-7-")).toList();
        assertThat(seven).hasSize(1);
        history = Manifest.read(seven.get(0));
      }
      assertThat(history.stores()).isEqualTo(20);
      assertThat(history.inventory()).as("the history has stock movements").isNotNull();
      assertThat(history.inventory().counts().sent()).isPositive();
      assertThat(Instant.parse(history.lastEventTime())).isBefore(Instant.now());
      assertThat(history.expectedDaily().stream().map(d -> d.saleDate()).distinct().count())
          .isGreaterThanOrEqualTo(DemoTraffic.HISTORY_DAYS);
      // then the live generator (POS, wall clock)
      await().atMost(Duration.ofMinutes(1)).until(traffic::live);
    }
  }
}
