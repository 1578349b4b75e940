package com.retail.lakehouse.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.retail.lakehouse.common.UsageException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster command without starting a cluster: its arguments, the settings it keeps, and what a
 * submission does to the job's arguments. The clusters themselves run in the runner modules'
 * FlinkClusterIT and SparkClusterIT.
 */
class ClusterCommandTest {
  @TempDir Path dir;

  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        ClusterCommand.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(
        code,
        out.toString(StandardCharsets.UTF_8).strip(),
        err.toString(StandardCharsets.UTF_8).strip());
  }

  @Test
  void helpListsTheSubcommands() {
    Run help = run("--help");
    assertThat(help.code()).isZero();
    assertThat(help.out()).contains("start", "stop", "status", "--profile flink-cluster");
    assertThat(run("start", "--help").out()).contains("--engine", "--workers", "--rest-port");
  }

  @Test
  void anotherEnginesPortFlagIsAOneLineUsageError() {
    Run wrong = run("start", "--engine", "flink", "--master-port", "7000", "--data-dir", "" + dir);
    assertThat(wrong.code()).isEqualTo(2);
    assertThat(wrong.err()).hasLineCount(1).contains("--master-port and --ui-port are Spark's");
    Run unknown = run("start", "--engine", "storm", "--data-dir", "" + dir);
    assertThat(unknown.code()).isEqualTo(2);
    assertThat(unknown.err())
        .hasLineCount(1)
        .contains("unknown engine 'storm': use flink or spark");
    Run small =
        run("start", "--engine", "spark", "--worker-memory", "600m", "--data-dir", "" + dir);
    assertThat(small.code()).isEqualTo(2);
    assertThat(small.err()).hasLineCount(1).contains("--worker-memory for Spark must be at least");
    assertThat(Files.exists(dir.resolve("cluster"))).as("nothing started").isFalse();
  }

  @Test
  void settingsAreCheckedAndSurviveTheirFile() throws Exception {
    assertThatThrownBy(() -> new ClusterSettings(8081, 8081, 2, 2, 1024))
        .isInstanceOf(UsageException.class)
        .hasMessageContaining("must differ");
    assertThatThrownBy(() -> new ClusterSettings(8081, 6123, 0, 2, 1024))
        .hasMessageContaining("--workers must be between 1 and 8");
    assertThatThrownBy(() -> new ClusterSettings(8081, 6123, 2, 2, 100))
        .hasMessageContaining("--worker-memory must be at least 512m");
    ClusterSettings s = new ClusterSettings(18081, 16123, 3, 1, 1536);
    Path file = dir.resolve("cluster.properties");
    s.write(file);
    assertThat(ClusterSettings.read(file)).isEqualTo(s);
    assertThat(ClusterCommand.megabytes("2g")).isEqualTo(2048);
    assertThat(ClusterCommand.megabytes("1536m")).isEqualTo(1536);
    assertThatThrownBy(() -> ClusterCommand.megabytes("lots"))
        .hasMessageContaining("--worker-memory 'lots' is not a size");
  }

  @Test
  void statusOfAClusterNeverStartedSaysHowToStartIt() {
    Run status = run("status", "--data-dir", "" + dir);
    assertThat(status.code()).isEqualTo(1);
    assertThat(status.out())
        .contains("flink: never started here (./lakehouse cluster start --engine flink)")
        .contains("spark: never started here");
    Run stop = run("stop", "--data-dir", "" + dir);
    assertThat(stop.code()).isZero();
    assertThat(stop.out()).contains("the flink cluster was not running");
  }

  @Test
  void submittingToNoRunningClusterIsOneLineThatSaysStartIt() {
    Run submit =
        run(
            "submit",
            "ingest",
            "--until-caught-up",
            "--profile=flink-cluster",
            "--data-dir=" + dir);
    assertThat(submit.code()).isEqualTo(1);
    assertThat(submit.err())
        .hasLineCount(1)
        .contains("no flink cluster is ready under " + dir.resolve("cluster").resolve("flink"))
        .contains("./lakehouse cluster start --engine flink --data-dir " + dir);
    Run local = run("submit", "ingest", "--profile", "local-flink");
    assertThat(local.code()).isEqualTo(2);
    assertThat(local.err()).contains("not local-flink");
  }

  @Test
  void theJobsDataDirAndWarehouseBecomeAbsoluteForTheClustersProcesses() {
    Path cwd = Path.of("").toAbsolutePath();
    assertThat(
            ClusterCommand.withAbsolutePaths(
                List.of("ingest", "--data-dir", "data", "--warehouse=wh", "--topic=t"),
                Path.of("data")))
        .containsExactly(
            "ingest",
            "--data-dir=" + cwd.resolve("data"),
            "--warehouse=" + cwd.resolve("wh"),
            "--topic=t");
    assertThat(
            ClusterCommand.withAbsolutePaths(
                List.of("mart", "--warehouse=s3://bucket/wh"), Path.of("lakehouse-data")))
        .containsExactly(
            "mart", "--warehouse=s3://bucket/wh", "--data-dir=" + cwd.resolve("lakehouse-data"));
    assertThat(
            ClusterCommand.withAbsolutePaths(
                List.of("ingest", "--warehouse=file:/srv/wh", "--dataDir=/srv/data"),
                Path.of("lakehouse-data")))
        .containsExactly("ingest", "--warehouse=file:/srv/wh", "--dataDir=/srv/data");
    assertThat(Engine.ofProfile("spark-standalone")).isEqualTo(Engine.SPARK);
    assertThat(Engine.ofProfile("local-spark")).isNull();
  }

  @Test
  void aUserFlagWinsOverTheOneTheClusterFillsIn() {
    List<String> command = new java.util.ArrayList<>(List.of("java"));
    ClusterCommand.addUnlessGiven(command, List.of("--flink-master=far:8081"), "flinkMaster", "x");
    ClusterCommand.addUnlessGiven(command, List.of("--parallelism=2"), "filesToStage", "/a.jar");
    assertThat(command).containsExactly("java", "--filesToStage=/a.jar");
  }
}
