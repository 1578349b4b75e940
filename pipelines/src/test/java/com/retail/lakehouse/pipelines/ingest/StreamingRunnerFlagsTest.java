package com.retail.lakehouse.pipelines.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.retail.lakehouse.common.UsageException;
import com.retail.lakehouse.pipelines.run.PipelineArgs;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The streaming job's runner flags: what the job needs everywhere, what it gets on the local runner
 * only (Beam metrics off), and the command line winning over both.
 */
class StreamingRunnerFlagsTest {
  private static List<String> flags(String runner, String... args) {
    return List.of(StreamingIngest.withRunnerFlags(args, runner));
  }

  @Test
  void theLocalFlinkRunnerGetsTheJobsFlagsAndBeamMetricsOff() {
    assertThat(flags("flink", "--topic=pos"))
        .contains(
            "--maxBundleTimeMills=100",
            "--numberOfExecutionRetries=0",
            "--finishBundleBeforeCheckpointing=true",
            "--disableMetrics=true",
            "--topic=pos")
        // no checkpoints: nothing restores from one, and they wrote the whole state each time
        .noneMatch(f -> f.startsWith("--checkpointingInterval") || f.startsWith("--stateBackend"));
  }

  @Test
  void noFlinkRunnerProfileTurnsCheckpointsOn() {
    // a profile's flags reach the job after these: checkpointing on there without a storage path
    // stopped the streaming job on the cluster at once
    for (String profile : List.of("local-flink", "flink-cluster")) {
      assertThat(PipelineArgs.profileArgs(profile))
          .as(profile)
          .isNotEmpty()
          .noneMatch(
              f -> f.startsWith("--checkpointingInterval") || f.startsWith("--stateBackend"));
    }
  }

  @Test
  void checkpointsAreRefusedWithAMessageSayingWhatToDrop() {
    // the de-duplication changes its state in place: a heap snapshot could catch it half-way
    for (String flag : List.of("--checkpointingInterval=60000", "--checkpointing-interval=1")) {
      assertThatThrownBy(() -> flags("flink", "--topic=pos", flag))
          .as(flag)
          .isInstanceOf(UsageException.class)
          .hasMessageContaining("takes no Flink checkpoints")
          .hasMessageContaining("drop --checkpointingInterval=");
    }
    assertThat(flags("flink", "--checkpointingInterval=-1")).contains("--checkpointingInterval=-1");
  }

  @Test
  void onAClusterProfileBeamMetricsStayOn() {
    assertThat(flags("flink", "--profile", "flink-cluster"))
        .contains("--maxBundleTimeMills=100", "--profile=flink-cluster")
        .noneMatch(f -> f.startsWith("--disableMetrics"));
  }

  @Test
  void theCommandLineWins() {
    assertThat(flags("flink", "--disable-metrics=false", "--max-bundle-time-mills=20"))
        .contains("--disableMetrics=false", "--maxBundleTimeMills=20")
        .doesNotContain("--disableMetrics=true", "--maxBundleTimeMills=100");
  }

  @Test
  void theDirectRunnerGetsNone() {
    assertThat(flags("direct", "--topic=pos")).containsExactly("--topic=pos");
  }
}
