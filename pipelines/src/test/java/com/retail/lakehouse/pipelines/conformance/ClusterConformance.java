package com.retail.lakehouse.pipelines.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.retail.lakehouse.generator.Manifest;
import com.retail.lakehouse.localkafka.KafkaBrokerExtension;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What a real multi-process cluster on this machine must do with the pipelines: a seeded generator
 * run with faults, ingested by a catch-up run submitted to the cluster ({@code --profile
 * flink-cluster|spark-standalone}: the runner module's cluster jar, its tasks in other JVMs), lands
 * exactly the manifest, and the mart built on the cluster matches it to the cent. Each engine's
 * runner module runs a subclass as an integration test (after {@code package} built the cluster
 * jar) and adds the faults that engine must survive: a worker or executor killed with kill -9.
 *
 * <p>One cluster serves the whole class, under {@code <work>/cluster/<engine>}; each test writes
 * its own warehouse ({@code <work>/<test>/warehouse}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ClusterConformance {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The data dir: the cluster, and each test's tables (created here: a per-class temp dir). */
  protected Path work;

  protected Manifest manifest;

  /** Runs {@code ./lakehouse cluster ARGS} (start, stop, status, submit) in this JVM. */
  protected abstract int cluster(String... args);

  /** flink or spark. */
  protected abstract String engine();

  /** The runner profile that submits to this engine's local cluster. */
  protected abstract String profile();

  /** The start flags that put the cluster on free ports. */
  protected abstract List<String> portFlags() throws IOException;

  @BeforeAll
  void startClusterAndGenerate() throws Exception {
    work = Files.createTempDirectory("lakehouse-" + engine() + "-cluster-");
    // The daemons run in sessions of their own: if this JVM dies before @AfterAll, stop them.
    Path dir = work;
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  if (Files.isDirectory(dir)) { // not yet removed by @AfterAll
                    cluster("stop", "--engine", engine(), "--data-dir", dir.toString());
                  }
                }));
    List<String> start =
        new ArrayList<>(List.of("start", "--engine", engine(), "--data-dir", work.toString()));
    start.addAll(portFlags());
    assertThat(cluster(start.toArray(String[]::new))).as("cluster start exit code").isZero();
    manifest = generate("pos_cluster", 5, 40_000);
  }

  @AfterAll
  void stopCluster() throws IOException {
    if (work != null) {
      cluster("stop", "--engine", engine(), "--data-dir", work.toString());
      com.retail.lakehouse.common.Folders.deleteRecursively(work);
    }
  }

  /** A seeded generator run with every kind of fault into {@code topic}. */
  protected static Manifest generate(String topic, long seed, int count) throws Exception {
    return RunnerConformance.sendWithFaults(KAFKA.bootstrapServers(), topic, seed, count);
  }

  @Test
  void catchUpIngestAndMartOnTheClusterReconcileWithTheManifest() throws Exception {
    Path tables = work.resolve("e2e");
    JsonNode summary = ingest(tables, "pos_cluster", "ingest.json");
    assertThat(summary.get("runner").asText()).isEqualTo(engine());
    RunnerConformance.assertSummaryMatches(summary, manifest);
    RunnerConformance.assertTablesHoldExactly(new LakehouseTables(tables), manifest);
    System.err.printf(
        "cluster conformance: %s cluster ingest of %d events: %.1f s, %d events/s%n",
        engine(),
        summary.get("read").asLong(),
        summary.get("seconds").asDouble(),
        summary.get("events_per_second").asLong());

    JsonNode mart = submit(tables, "mart.json", "mart");
    assertThat(mart.get("raw_rows_read").asLong()).isEqualTo(manifest.counts().valid());
    MartChecks.assertMatchesManifest(tables, manifest);
    MartChecks.assertMatchesRaw(tables);
  }

  /** A catch-up ingest of {@code topic} on the cluster into {@code tables}; must succeed. */
  protected JsonNode ingest(Path tables, String topic, String summaryName, String... extra)
      throws IOException {
    List<String> args = new ArrayList<>(ingestArgs(topic));
    args.addAll(List.of(extra));
    return submit(tables, summaryName, args.toArray(String[]::new));
  }

  /** The same ingest started in the background: its exit code, when it ends. */
  protected CompletableFuture<Integer> startIngest(Path tables, String topic, String... extra) {
    List<String> args = new ArrayList<>(ingestArgs(topic));
    args.addAll(List.of(extra));
    List<String> submit = submitArgs(tables, null, args.toArray(String[]::new));
    return CompletableFuture.supplyAsync(() -> cluster(submit.toArray(String[]::new)));
  }

  private List<String> ingestArgs(String topic) {
    return List.of(
        "ingest",
        "--until-caught-up",
        "--bootstrap-servers=" + KAFKA.bootstrapServers(),
        "--topic=" + topic,
        "--streams=pos");
  }

  /** Submits a lakehouse command to the cluster with its tables in {@code tables}/warehouse. */
  protected JsonNode submit(Path tables, String summaryName, String... command) throws IOException {
    Files.createDirectories(tables);
    List<String> args = submitArgs(tables, tables.resolve(summaryName), command);
    int code = cluster(args.toArray(String[]::new));
    assertThat(code).as(command[0] + " on the " + engine() + " cluster: exit code").isZero();
    return JSON.readTree(Files.readString(tables.resolve(summaryName), StandardCharsets.UTF_8));
  }

  private List<String> submitArgs(Path tables, Path summary, String... command) {
    List<String> args = new ArrayList<>();
    args.add("submit");
    args.addAll(List.of(command));
    args.add("--profile=" + profile());
    args.add("--data-dir=" + work);
    args.add("--warehouse=" + tables.resolve("warehouse"));
    if (summary != null) {
      args.add("--summary-json=" + summary);
    }
    return args;
  }

  /** A port nothing listens on now. */
  protected static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** The last lines of each daemon's log and output, for a failure's message. */
  protected String logTails() throws IOException {
    Path logs = work.resolve("cluster").resolve(engine()).resolve("log");
    StringBuilder tails = new StringBuilder();
    try (java.util.stream.Stream<Path> files = Files.list(logs)) {
      for (Path file : files.sorted().toList()) {
        List<String> lines = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
        tails.append("--- ").append(file.getFileName()).append(", last lines:\n");
        lines
            .subList(Math.max(0, lines.size() - 25), lines.size())
            .forEach(line -> tails.append(line).append('\n'));
      }
    }
    return tails.toString();
  }

  /** The pid in {@code <work>/cluster/<engine>/pids/<daemon>.pid}. */
  protected long pidOf(String daemon) throws IOException {
    return Long.parseLong(
        Files.readString(
                work.resolve("cluster").resolve(engine()).resolve("pids").resolve(daemon + ".pid"))
            .strip());
  }
}
