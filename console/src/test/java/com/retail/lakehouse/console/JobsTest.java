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
