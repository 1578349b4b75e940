package com.retail.lakehouse.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker-compose.yml stays valid and keeps the topology {@code ./lakehouse cluster start} starts,
 * checked by Debian's docker-compose: {@code config} reads and normalizes the file and needs no
 * Docker engine (none runs on the build machine, so the file is never started here).
 */
class DockerComposeConfigTest {
  private static final Path COMPOSE_FILE = repoRoot().resolve("docker-compose.yml");

  @TempDir Path tmp;

  @Test
  void composeFileIsValidAndHasTheClusterTopology() throws Exception {
    Result r = config(COMPOSE_FILE);

    assertThat(r.code()).as("docker-compose config: %s", r.err()).isZero();
    Map<String, String> services = services(r.out());
    assertThat(services)
        .containsOnlyKeys(
            "kafka",
            "minio",
            "minio-setup",
            "iceberg-rest",
            "generate",
            "ingest",
            "console",
            "trino",
            "flink-jobmanager",
            "flink-taskmanager-1",
            "flink-taskmanager-2",
            "spark-master",
            "spark-worker-1",
            "spark-worker-2");

    // Flink 1.19 session cluster: a JobManager (REST and web UI 8081, RPC 6123), 2 TaskManagers x
    // 2.
    assertThat(services.get("flink-jobmanager"))
        .contains("image: flink:1.19-java17", "command: jobmanager", "jobmanager.rpc.port: 6123")
        .contains(published(8081, 8081));
    assertThat(services.keySet().stream().filter(s -> s.startsWith("flink-taskmanager")))
        .hasSize(2);
    for (String tm : List.of("flink-taskmanager-1", "flink-taskmanager-2")) {
      assertThat(services.get(tm))
          .as(tm)
          .contains(
              "image: flink:1.19-java17",
              "command: taskmanager",
              "jobmanager.rpc.address: flink-jobmanager",
              "taskmanager.numberOfTaskSlots: 2");
    }

    // Spark 3.5 standalone: the master at 7077, its UI at 8090 (the console owns 8080), 2 workers.
    assertThat(services.get("spark-master"))
        .contains(
            "image: apache/spark:3.5",
            "org.apache.spark.deploy.master.Master",
            "--port 7077",
            "--webui-port 8090",
            published(7077, 7077),
            published(8090, 8090));
    assertThat(services.keySet().stream().filter(s -> s.startsWith("spark-worker"))).hasSize(2);
    for (int i = 1; i <= 2; i++) {
      int ui = 8090 + i;
      assertThat(services.get("spark-worker-" + i))
          .as("spark-worker-" + i)
          .contains(
              "image: apache/spark:3.5",
              "org.apache.spark.deploy.worker.Worker",
              "--cores 2 --memory 2g",
              "--webui-port " + ui,
              "spark://spark-master:7077",
              published(ui, ui));
    }

    assertThat(services.get("console"))
        .contains(
            "image: eclipse-temurin:17-jdk",
            "./lakehouse serve --host 0.0.0.0 --port 8080",
            published(8080, 8080));

    // Trino 476 on 8089, its catalog `lakehouse` the iceberg-rest service's tables on MinIO.
    assertThat(services.get("trino"))
        .contains(
            "image: trinodb/trino:476",
            published(8089, 8080),
            "/docker/trino/catalog:/etc/trino/catalog:ro");
    assertThat(COMPOSE_FILE.resolveSibling("docker/trino/catalog/lakehouse.properties"))
        .content()
        .contains(
            "connector.name=iceberg",
            "iceberg.catalog.type=rest",
            "iceberg.rest-catalog.uri=http://iceberg-rest:8181",
            "s3.endpoint=http://minio:9000");

    List<String> hostPorts = new ArrayList<>();
    Matcher m = Pattern.compile("published: (\\d+)").matcher(r.out());
    while (m.find()) {
      hostPorts.add(m.group(1));
    }
    assertThat(hostPorts).as("host ports").doesNotHaveDuplicates();
  }

  @Test
  void aBadKeyIsRefused() throws Exception {
    String text = Files.readString(COMPOSE_FILE);
    assertThat(text).contains("\n  console:\n");
    Path broken =
        Files.writeString(
            tmp.resolve("docker-compose.yml"),
            text.replace("\n  console:\n", "\n  console:\n    no-such-key: true\n"));

    Result r = config(broken);

    assertThat(r.code())
        .as("docker-compose config of a file with a bad key: %s", r.out())
        .isNotZero();
    assertThat(r.err()).contains("no-such-key");
  }

  private record Result(int code, String out, String err) {}

  private Result config(Path file) throws IOException, InterruptedException {
    Path out = tmp.resolve("config.out");
    Path err = tmp.resolve("config.err");
    ProcessBuilder pb =
        new ProcessBuilder("docker-compose", "-f", file.toString(), "config")
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
    pb.environment().remove("LAKEHOUSE_TOKEN"); // the console's token is read from the environment
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      return fail(
          "docker-compose is not installed: run `apt-get install docker-compose` (or .ci/run)");
    }
    if (!p.waitFor(2, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      fail("docker-compose config took over 2 minutes");
    }
    return new Result(
        p.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  /** "- published: 8089 target: 8080" as a service's whitespace-collapsed text holds it. */
  private static String published(int host, int container) {
    return "- published: " + host + " target: " + container;
  }

  /**
   * The services of docker-compose's normalized config (two-space indented names under {@code
   * services:}), each name to its text with whitespace collapsed, so wrapped lines read as one.
   */
  private static Map<String, String> services(String config) {
    Map<String, String> services = new LinkedHashMap<>();
    boolean inServices = false;
    String name = null;
    for (String line : config.lines().toList()) {
      if (line.isBlank()) {
        continue; // inside a multi-line string (a line break in it)
      } else if (!line.startsWith(" ")) {
        inServices = line.equals("services:");
        name = null;
      } else if (inServices && line.matches("  [^ ].*:")) {
        name = line.substring(2, line.length() - 1);
        services.put(name, "");
      } else if (inServices && name != null) {
        services.merge(name, line.strip() + " ", String::concat);
      }
    }
    services.replaceAll((k, v) -> v.replaceAll("\\s+", " ").strip());
    return services;
  }

  /**
   * Maven runs the tests in the module's folder: the checkout is the nearest folder above with the
   * file.
   */
  private static Path repoRoot() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("docker-compose.yml"))
          && Files.isRegularFile(dir.resolve("mvnw"))) {
        return dir;
      }
    }
    throw new IllegalStateException(
        "no docker-compose.yml beside mvnw in " + Path.of("").toAbsolutePath() + " or above");
  }
}
