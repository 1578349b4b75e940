package com.retail.lakehouse.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.retail.lakehouse.localkafka.LocalKafkaBroker;
import com.retail.lakehouse.pipelines.cli.LakehouseCommand;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the console's tests share: a data folder with a real broker and real ingested raw days, and
 * a console on it whose jobs run as child JVMs of this test's classpath (the same command a user's
 * launcher runs, minus the script).
 */
public final class ConsoleTestSupport {
  public static final String TOPIC = "pos_transactions";

  /** Raw holds {@link #DAYS} sale dates from this one, 1,000 events each. */
  public static final String START = "2026-11-20";

  public static final int DAYS = 3;

  private static final Map<Path, LocalKafkaBroker> BROKERS = new ConcurrentHashMap<>();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private ConsoleTestSupport() {}

  /** A data folder whose raw table holds a few days of real events, ingested exactly once. */
  public static Path dataDirWithRawDays(Path tempDir) throws IOException {
    Path dataDir = tempDir.resolve("data");
    Files.createDirectories(dataDir);
    String kafka = broker(dataDir);
    for (int day = 0; day < DAYS; day++) {
      assertThat(
              LakehouseCommand.run(
                  new String[] {
                    "generate",
                    "--data-dir=" + dataDir,
                    "--bootstrap-servers=" + kafka,
                    "--topic=" + TOPIC,
                    "--count=1000",
                    "--start=" + LocalDate.parse(START).plusDays(day),
                    "--seed=" + (42 + day),
                    "--stores=5"
                  }))
          .as("generate")
          .isZero();
    }
    ingest(dataDir);
    return dataDir;
  }

  /** One catch-up ingest run in this JVM. */
  public static void ingest(Path dataDir) throws IOException {
    assertThat(
            LakehouseCommand.run(
                new String[] {
                  "ingest",
                  "--runner=direct",
                  "--data-dir=" + dataDir,
                  "--bootstrap-servers=" + broker(dataDir),
                  "--topic=" + TOPIC,
                  "--until-caught-up"
                }))
        .as("ingest")
        .isZero();
  }

  /** The data folder's broker (started once per folder, stopped when the test JVM exits). */
  public static String broker(Path dataDir) throws IOException {
    LocalKafkaBroker broker = BROKERS.get(dataDir);
    if (broker == null) {
      broker = LocalKafkaBroker.start(dataDir);
      BROKERS.put(dataDir, broker);
    }
    return broker.bootstrapServers();
  }

  /**
   * Settings for a test console: free port, its own fresh run-history database (tests sharing a
   * data folder do not see each other's runs), schedules and sensor paused, fast retries.
   */
  static ConsoleSettings settings(Path dataDir) throws IOException {
    Path db = Files.createTempDirectory(dataDir, "console-db-").resolve("console");
    return ConsoleSettings.defaults(dataDir, Path.of("."))
        .withAddress("127.0.0.1", 0)
        .withDatabase("jdbc:h2:file:" + db, null)
        .withJobs(javaCommand(List.of()), Map.of(), "direct")
        .withSchedules(ZoneOffset.UTC, "0 0 3 * * *", "0 0 2 * * *", true, Duration.ofSeconds(1))
        .withRetries(3, Duration.ofSeconds(1), Duration.ofSeconds(4))
        .withKafka(broker(dataDir), TOPIC);
  }

  /** A started console on {@code dataDir} (see {@link #settings}). */
  public static ConsoleServer startServer(Path dataDir) throws IOException {
    return ConsoleServer.start(settings(dataDir));
  }

  /** {@code java <flags> -cp <this test's classpath> LakehouseCommand}: a job's command prefix. */
  static List<String> javaCommand(List<String> jvmFlags) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx1g");
    cmd.addAll(jvmFlags);
    cmd.add("--add-opens=java.base/java.lang=ALL-UNNAMED");
    cmd.add("--add-opens=java.base/java.nio=ALL-UNNAMED");
    cmd.add("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED");
    cmd.add("--add-opens=java.base/java.util=ALL-UNNAMED");
    cmd.add("-Dlakehouse.home=" + System.getProperty("lakehouse.home"));
    cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
    cmd.add("-Dorg.slf4j.simpleLogger.log.com.retail.lakehouse=info");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("com.retail.lakehouse.pipelines.cli.LakehouseCommand");
    return cmd;
  }

  /**
   * A job command (a script) that makes the first mart run whose dates include {@code date} fail
   * just before its commit ({@code lakehouse.crash-at}); later runs of that date go through.
   */
  static List<String> failingOnceFor(Path dir, String date) throws IOException {
    Path mark = dir.resolve("fail-once-" + date);
    Files.writeString(mark, "armed");
    List<String> java = javaCommand(List.of());
    List<String> crashing = javaCommand(List.of("-Dlakehouse.crash-at=MART_BEFORE_COMMIT"));
    Path script = dir.resolve("job-failing-once.sh");
    Files.writeString(
        script,
        "#!/usr/bin/env bash\n"
            + "if [[ \"$*\" == *\"--date=\"*\""
            + date
            + "\"* ]] && rm \""
            + mark
            + "\" 2>/dev/null; then\n"
            + "  exec "
            + quote(crashing)
            + " \"$@\"\n"
            + "fi\n"
            + "exec "
            + quote(java)
            + " \"$@\"\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    return List.of(script.toString());
  }

  /** {@link #javaCommand} as one executable script (for a console in its own process). */
  static Path javaScript(Path dir) throws IOException {
    Path script = dir.resolve("job.sh");
    Files.writeString(
        script, "#!/usr/bin/env bash\nexec " + quote(javaCommand(List.of())) + " \"$@\"\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    return script;
  }

  private static String quote(List<String> words) {
    return String.join(" ", words.stream().map(w -> "'" + w.replace("'", "'\\''") + "'").toList());
  }

  public static HttpResponse<String> get(URI base, String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(base.resolve(path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  public static HttpResponse<String> post(URI base, String path, String json) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(base.resolve(path))
            .header("Content-Type", "application/json")
            .header("X-Lakehouse-Request", "1")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
