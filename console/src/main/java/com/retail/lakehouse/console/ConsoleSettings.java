package com.retail.lakehouse.console;

import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything a console is started with. {@link #defaults} gives the documented defaults for a data
 * folder; the {@code with...} methods change one value each. Cron expressions have six fields,
 * seconds first (db-scheduler's format, e.g. {@code 0 0 2 * * *} = 02:00 every day), in {@link
 * #zone}.
 */
public record ConsoleSettings(
    Path dataDir,
    String host,
    int port,
    String dbUrl,
    String authToken,
    List<String> jobCommand,
    Map<String, String> jobEnvironment,
    String runner,
    ZoneId zone,
    String ingestCron,
    String martCron,
    String maintainCron,
    boolean schedulesPaused,
    Duration sensorInterval,
    int maxAttempts,
    Duration retryDelay,
    Duration maxRetryDelay,
    Duration ingestTimeout,
    Duration martTimeout,
    String webhookUrl,
    double deadLetterRateLimit,
    Duration freshnessSlo,
    String bootstrapServers,
    String topic,
    String streams) {

  public ConsoleSettings {
    Objects.requireNonNull(dataDir, "dataDir");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("--port must be 0-65535, got " + port);
    }
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("--max-attempts must be at least 1, got " + maxAttempts);
    }
    if (jobCommand == null || jobCommand.isEmpty()) {
      throw new IllegalArgumentException("the job command is empty");
    }
    jobCommand = List.copyOf(jobCommand);
    jobEnvironment = Map.copyOf(jobEnvironment == null ? Map.of() : jobEnvironment);
    streams = checkStreams(streams);
    new Backoff(retryDelay, maxRetryDelay); // checks them
  }

  /** The documented defaults: jobs run through {@code <home>/lakehouse} on the direct runner. */
  public static ConsoleSettings defaults(Path dataDir, Path home) {
    return new ConsoleSettings(
        dataDir.toAbsolutePath().normalize(),
        "127.0.0.1",
        8080,
        null,
        null,
        List.of(home.resolve("lakehouse").toString()),
        Map.of(),
        "direct",
        ZoneId.systemDefault(),
        "0 * * * * *",
        "0 0 2 * * *",
        "0 0 3 * * *",
        false,
        Duration.ofSeconds(15),
        3,
        Duration.ofSeconds(10),
        Duration.ofMinutes(10),
        Duration.ofMinutes(30),
        Duration.ofMinutes(60),
        null,
        0.05,
        Duration.ofMinutes(10),
        null,
        "pos_transactions",
        "pos,inventory");
  }

  /**
   * The event streams the ingest job takes ({@code --streams}): pos, or pos and inventory (the
   * default), comma-separated; returned normalized ({@code pos} first).
   */
  private static String checkStreams(String streams) {
    List<String> given =
        streams == null ? List.of() : List.of(streams.replace(" ", "").split(",", -1));
    if (!given.contains("pos") || !List.of("pos", "inventory").containsAll(given)) {
      throw new IllegalArgumentException(
          "--streams is pos or pos,inventory (inventory movements follow the POS sales), got '"
              + streams
              + "'");
    }
    return given.contains("inventory") ? "pos,inventory" : "pos";
  }

  public ConsoleSettings withAddress(String host, int port) {
    return with(
        b -> {
          b.host = host;
          b.port = port;
        });
  }

  public ConsoleSettings withDatabase(String dbUrl, String authToken) {
    return with(
        b -> {
          b.dbUrl = dbUrl;
          b.authToken = authToken;
        });
  }

  /** How jobs start: the command before the job's name, its extra environment, the runner. */
  public ConsoleSettings withJobs(
      List<String> jobCommand, Map<String, String> jobEnvironment, String runner) {
    return with(
        b -> {
          b.jobCommand = jobCommand;
          b.jobEnvironment = jobEnvironment;
          b.runner = runner;
        });
  }

  public ConsoleSettings withSchedules(
      ZoneId zone, String ingestCron, String martCron, boolean paused, Duration sensorInterval) {
    return with(
        b -> {
          b.zone = zone;
          b.ingestCron = ingestCron;
          b.martCron = martCron;
          b.schedulesPaused = paused;
          b.sensorInterval = sensorInterval;
        });
  }

  /** When maintain (compaction, expiry, orphans, manifests) runs; six-field cron. */
  public ConsoleSettings withMaintainCron(String maintainCron) {
    return with(b -> b.maintainCron = maintainCron);
  }

  public ConsoleSettings withRetries(int maxAttempts, Duration retryDelay, Duration maxRetryDelay) {
    return with(
        b -> {
          b.maxAttempts = maxAttempts;
          b.retryDelay = retryDelay;
          b.maxRetryDelay = maxRetryDelay;
        });
  }

  public ConsoleSettings withTimeouts(Duration ingestTimeout, Duration martTimeout) {
    return with(
        b -> {
          b.ingestTimeout = ingestTimeout;
          b.martTimeout = martTimeout;
        });
  }

  public ConsoleSettings withChecks(
      String webhookUrl, double deadLetterRateLimit, Duration freshnessSlo) {
    return with(
        b -> {
          b.webhookUrl = webhookUrl;
          b.deadLetterRateLimit = deadLetterRateLimit;
          b.freshnessSlo = freshnessSlo;
        });
  }

  public ConsoleSettings withKafka(String bootstrapServers, String topic) {
    return with(
        b -> {
          b.bootstrapServers = bootstrapServers;
          b.topic = topic;
        });
  }

  /** The streams the ingest job takes: {@code pos} or {@code pos,inventory}. */
  public ConsoleSettings withStreams(String streams) {
    return with(b -> b.streams = streams);
  }

  /** A copy with the values {@code change} sets (the record's one copy of every field). */
  private ConsoleSettings with(java.util.function.Consumer<Copy> change) {
    Copy b = new Copy(this);
    change.accept(b);
    return b.build();
  }

  /** The fields of a settings value, to change a few and build a new one. */
  private static final class Copy {
    Path dataDir;
    String host;
    int port;
    String dbUrl;
    String authToken;
    List<String> jobCommand;
    Map<String, String> jobEnvironment;
    String runner;
    ZoneId zone;
    String ingestCron;
    String martCron;
    String maintainCron;
    boolean schedulesPaused;
    Duration sensorInterval;
    int maxAttempts;
    Duration retryDelay;
    Duration maxRetryDelay;
    Duration ingestTimeout;
    Duration martTimeout;
    String webhookUrl;
    double deadLetterRateLimit;
    Duration freshnessSlo;
    String bootstrapServers;
    String topic;
    String streams;

    Copy(ConsoleSettings s) {
      dataDir = s.dataDir;
      host = s.host;
      port = s.port;
      dbUrl = s.dbUrl;
      authToken = s.authToken;
      jobCommand = s.jobCommand;
      jobEnvironment = s.jobEnvironment;
      runner = s.runner;
      zone = s.zone;
      ingestCron = s.ingestCron;
      martCron = s.martCron;
      maintainCron = s.maintainCron;
      schedulesPaused = s.schedulesPaused;
      sensorInterval = s.sensorInterval;
      maxAttempts = s.maxAttempts;
      retryDelay = s.retryDelay;
      maxRetryDelay = s.maxRetryDelay;
      ingestTimeout = s.ingestTimeout;
      martTimeout = s.martTimeout;
      webhookUrl = s.webhookUrl;
      deadLetterRateLimit = s.deadLetterRateLimit;
      freshnessSlo = s.freshnessSlo;
      bootstrapServers = s.bootstrapServers;
      topic = s.topic;
      streams = s.streams;
    }

    ConsoleSettings build() {
      return new ConsoleSettings(
          dataDir,
          host,
          port,
          dbUrl,
          authToken,
          jobCommand,
          jobEnvironment,
          runner,
          zone,
          ingestCron,
          martCron,
          maintainCron,
          schedulesPaused,
          sensorInterval,
          maxAttempts,
          retryDelay,
          maxRetryDelay,
          ingestTimeout,
          martTimeout,
          webhookUrl,
          deadLetterRateLimit,
          freshnessSlo,
          bootstrapServers,
          topic,
          streams);
    }
  }

  /** True when the server listens on loopback only (then mutating requests need no token). */
  boolean loopbackOnly() {
    return host.equals("127.0.0.1") || host.equals("localhost") || host.equals("::1");
  }
}
