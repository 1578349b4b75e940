package com.retail.lakehouse.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Run parameters -> the child's command line, and bad parameters refused before queueing. */
class JobsTest {
  private final ConsoleSettings settings =
      ConsoleSettings.defaults(Path.of("/data"), Path.of("/home/lh"));
  private final Jobs jobs = new Jobs(settings);

  @Test
  void martDatesBecomeOneDateFlagAndNoDatesMeansChangedSinceLastRun() {
    Map<String, Object> params =
        jobs.params("mart", Map.of("dates", List.of("2026-11-25", "2026-11-24", "2026-11-25")));
    assertThat(params.get("dates")).isEqualTo(List.of("2026-11-24", "2026-11-25"));
    assertThat(jobs.command(run("mart", params), Path.of("/s.json")))
        .containsExactly(
            "/home/lh/lakehouse",
            "mart",
            "--runner=direct",
            "--data-dir=/data",
            "--summary-json=/s.json",
            "--date=2026-11-24,2026-11-25");
    assertThat(jobs.command(run("mart", Map.of()), Path.of("/s.json")))
        .endsWith("--changed-since-last-run");
    assertThat(jobs.command(run("ingest", Map.of("runner", "flink")), Path.of("/s.json")))
        .contains("--runner=flink", "--until-caught-up", "--topic=pos_transactions");
  }

  @Test
  void theInventoryMartIsTheMartCommandWithMartInventoryAndFollowsTheSalesMart() {
    assertThat(jobs.followers("mart")).containsExactly("inventory_mart");
    assertThat(jobs.followers("inventory_mart")).isEmpty();
    assertThat(jobs.followers("ingest")).isEmpty();
    Map<String, Object> params = jobs.followerParams("inventory_mart");
    assertThat(params).isEqualTo(Map.of("changed_since_last_run", true));
    assertThat(jobs.command(run("inventory_mart", params), Path.of("/s.json")))
        .containsExactly(
            "/home/lh/lakehouse",
            "mart",
            "--runner=direct",
            "--data-dir=/data",
            "--summary-json=/s.json",
            "--mart=inventory",
            "--changed-since-last-run");
    assertThat(
            jobs.command(
                run(
                    "inventory_mart",
                    jobs.params("inventory_mart", Map.of("dates", List.of("2026-11-24")))),
                Path.of("/s.json")))
        .endsWith("--mart=inventory", "--date=2026-11-24");
    // The mart's exit code for "its raw table does not exist yet" skips either mart, nothing else.
    assertThat(jobs.skipped("inventory_mart", 4)).isTrue();
    assertThat(jobs.skipped("mart", 4)).isTrue();
    assertThat(jobs.skipped("inventory_mart", 1)).isFalse();
    assertThat(jobs.skipped("ingest", 4)).isFalse();
    assertThat(RunStatus.RUNNING.canMoveTo(RunStatus.SKIPPED)).isTrue();
    assertThat(RunStatus.SKIPPED.ended()).isTrue();
  }

  @Test
  void theIngestJobTakesTheConfiguredStreams() {
    // both streams: the ingest's default, which skips the inventory stream while it has no topic
    assertThat(jobs.command(run("ingest", Map.of()), Path.of("/s.json")))
        .noneMatch(a -> a.startsWith("--streams"));
    Jobs posOnly = new Jobs(settings.withStreams("pos"));
    assertThat(posOnly.command(run("ingest", Map.of()), Path.of("/s.json")))
        .contains("--streams=pos");
    assertThat(settings.withStreams("inventory, pos").streams()).isEqualTo("pos,inventory");
    assertThatThrownBy(() -> settings.withStreams("inventory"))
        .hasMessageContaining("--streams is pos or pos,inventory");
    assertThatThrownBy(() -> settings.withStreams("pos,returns"))
        .hasMessageContaining("got 'pos,returns'");
  }

  @Test
  void badParametersAreRefusedWithWhatIsAllowed() {
    assertThatThrownBy(() -> jobs.params("mart", Map.of("dates", List.of("tomorrow"))))
        .hasMessageContaining("yyyy-MM-dd");
    assertThatThrownBy(() -> jobs.params("ingest", Map.of("dates", List.of("2026-11-24"))))
        .hasMessageContaining("takes no parameter 'dates'");
    assertThatThrownBy(() -> jobs.params("mart", Map.of("runner", "dataflow")))
        .hasMessageContaining("direct, flink or spark");
    assertThatThrownBy(() -> jobs.params("reindex", Map.of()))
        .hasMessageContaining("unknown job 'reindex'");
    assertThatThrownBy(() -> jobs.params("mart", Map.of("dates", List.of())))
        .hasMessageContaining("non-empty");
  }

  private static Run run(String job, Map<String, Object> params) {
    return new Run(
        1,
        job,
        Trigger.MANUAL,
        params,
        RunStatus.QUEUED,
        1,
        3,
        null,
        null,
        null,
        Instant.now(),
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null);
  }
}
