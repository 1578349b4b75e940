package com.retail.lakehouse.console;

import com.retail.lakehouse.common.Durations;
import com.retail.lakehouse.common.Failures;
import com.retail.lakehouse.localkafka.LocalKafkaBroker;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./lakehouse serve}: the operations console in the foreground until Ctrl-C. The front door
 * of this module; everything else in it is package-private.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "The operations console: runs ingest and mart as child processes on schedules, a sensor on"
          + " raw and backfills, with retries, timeouts and one run per job at a time; keeps"
          + " their history and logs; checks every run; serves a web UI and a JSON API (/api).",
      "Cron expressions have six fields, seconds first (0 0 2 * * * = 02:00 daily)."
    })
public final class ServeCommand implements Callable<Integer> {
  @Option(
      names = "--data-dir",
      defaultValue = "./lakehouse-data",
      description = "Data folder (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(
      names = "--port",
      defaultValue = "8080",
      description = "HTTP port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--host",
      defaultValue = "127.0.0.1",
      description =
          "Address to bind (default: ${DEFAULT-VALUE}); anything else needs --auth-token.")
  String host;

  @Option(
      names = "--auth-token",
      description =
          "Token that POST requests must send as 'Authorization: Bearer <token>' (default: $LAKEHOUSE_TOKEN).")
  String authToken;

  @Option(
      names = "--db-url",
      description =
          "Run history database: a jdbc:postgresql: URL (default: an H2 file under <data-dir>/console/).")
  String dbUrl;

  @Option(
      names = "--runner",
      defaultValue = "direct",
      description = "Runner of the jobs: direct, flink or spark (default: ${DEFAULT-VALUE}).")
  String runner;

  @Option(
      names = "--zone",
      description = "Time zone of the schedules (default: this machine's, ${sys:user.timezone}).")
  String zone;

  @Option(
      names = "--ingest-cron",
      defaultValue = "0 * * * * *",
      description = "When catch-up ingest runs (default: ${DEFAULT-VALUE} = every minute).")
  String ingestCron;

  @Option(
      names = "--mart-cron",
      defaultValue = "0 0 2 * * *",
      description =
          "When mart --changed-since-last-run runs (default: ${DEFAULT-VALUE} = 02:00 daily).")
  String martCron;

  @Option(
      names = "--maintain-cron",
      defaultValue = "0 0 3 * * *",
      description =
          "When maintain runs: compaction, manifests, snapshot expiry, orphan files (default:"
              + " ${DEFAULT-VALUE} = 03:00 daily).")
  String maintainCron;

  @Option(
      names = "--paused",
      description = "Start with both schedules and the sensor paused (the first time).")
  boolean paused;

  @Option(
      names = "--sensor-interval",
      defaultValue = "15s",
      description = "How often the sensor looks for new raw snapshots (default: ${DEFAULT-VALUE}).")
  String sensorInterval;

  @Option(
      names = "--max-attempts",
      defaultValue = "3",
      description = "Attempts per run, retries included (default: ${DEFAULT-VALUE}).")
  int maxAttempts;

  @Option(
      names = "--retry-delay",
      defaultValue = "10s",
      description =
          "First retry's delay; doubles each retry, with jitter (default: ${DEFAULT-VALUE}).")
  String retryDelay;

  @Option(
      names = "--max-retry-delay",
      defaultValue = "10m",
      description = "Cap of the retry delay (default: ${DEFAULT-VALUE}).")
  String maxRetryDelay;

  @Option(
      names = "--ingest-timeout",
      defaultValue = "30m",
      description = "An ingest run is stopped and failed after this (default: ${DEFAULT-VALUE}).")
  String ingestTimeout;

  @Option(
      names = "--mart-timeout",
      defaultValue = "60m",
      description =
          "A mart or maintain run is stopped and failed after this (default: ${DEFAULT-VALUE}).")
  String martTimeout;

  @Option(
      names = "--webhook-url",
      description = "POST a JSON alert here when a check fails or a run fails after its retries.")
  String webhookUrl;

  @Option(
      names = "--dead-letter-rate-limit",
      defaultValue = "0.05",
      description =
          "Dead-letter share of an ingest run above which its check warns (default: ${DEFAULT-VALUE}).")
  double deadLetterRateLimit;

  @Option(
      names = "--freshness-slo",
      defaultValue = "10m",
      description =
          "Raw older than this is shown as stale on the tables page (default: ${DEFAULT-VALUE}).")
  String freshnessSlo;

  @Option(
      names = "--bootstrap-servers",
      description = "Kafka of the ingest runs (default: the data folder's local broker).")
  String bootstrapServers;

  @Option(
      names = "--topic",
      defaultValue = "pos_transactions",
      description = "Kafka topic (default: ${DEFAULT-VALUE}).")
  String topic;

  @Option(
      names = "--streams",
      defaultValue = "pos,inventory",
      description =
          "Event streams the ingest job takes: pos,inventory (the inventory stream skipped while"
              + " its topic does not exist), or pos (default: ${DEFAULT-VALUE}).")
  String streams;

  @Option(
      names = "--job-command",
      description =
          "Executable the jobs run through, given the job's name and flags (default:"
              + " <home>/lakehouse, this launcher).")
  Path jobCommand;

  @Option(
      names = "--demo",
      description =
          "A living system on embedded defaults: starts the local broker, sends a week of POS and"
              + " stock history once per data folder, then live POS traffic (with faults); ingest"
              + " every 20 s, the mart sensor (each mart run followed by the stock mart); prints"
              + " the URL.")
  boolean demo;

  @Override
  public Integer call() throws Exception {
    Path home = Path.of(System.getProperty("lakehouse.home", "."));
    ConsoleSettings settings =
        ConsoleSettings.defaults(dataDir, home)
            .withAddress(host, port)
            .withDatabase(
                dbUrl,
                blankToNull(authToken != null ? authToken : System.getenv("LAKEHOUSE_TOKEN")))
            .withJobs(
                jobCommand == null
                    ? ConsoleSettings.defaults(dataDir, home).jobCommand()
                    : List.of(jobCommand.toAbsolutePath().toString()),
                Map.of(),
                runner(runner))
            .withSchedules(
                zone == null ? ZoneId.systemDefault() : zone(zone),
                demo ? "*/20 * * * * *" : ingestCron,
                martCron,
                paused,
                Durations.parse("sensor-interval", sensorInterval))
            .withMaintainCron(maintainCron)
            .withRetries(
                maxAttempts,
                Durations.parse("retry-delay", retryDelay),
                Durations.parse("max-retry-delay", maxRetryDelay))
            .withTimeouts(
                Durations.parse("ingest-timeout", ingestTimeout),
                Durations.parse("mart-timeout", martTimeout))
            .withChecks(
                webhookUrl, deadLetterRateLimit, Durations.parse("freshness-slo", freshnessSlo))
            .withKafka(bootstrapServers, topic)
            .withStreams(streams);
    LocalKafkaBroker broker = null;
    DemoTraffic traffic = null;
    if (demo) {
      broker = LocalKafkaBroker.start(settings.dataDir());
      System.err.println("serve --demo: Kafka broker at " + broker.bootstrapServers());
      settings = settings.withKafka(broker.bootstrapServers(), topic);
      traffic = new DemoTraffic(settings, broker.bootstrapServers(), 100);
      traffic.start();
      System.err.println(
          "serve --demo: live traffic of 20 stores at 100 events/s (1% malformed, 2% duplicates,"
              + " 2% late), after "
              + DemoTraffic.HISTORY_DAYS
              + " days of POS and stock history once per data folder");
    }
    ConsoleServer server;
    try {
      server = ConsoleServer.start(settings);
    } catch (RuntimeException e) {
      stopDemo(traffic, broker);
      throw e;
    }
    System.out.println(
        "lakehouse console: "
            + server.url()
            + "  (data: "
            + settings.dataDir()
            + "; Ctrl-C stops it)");
    // The JVM does not wait for this thread once a shutdown hook ends: stop everything in the hook.
    CountDownLatch stopped = new CountDownLatch(1);
    DemoTraffic demoTraffic = traffic;
    LocalKafkaBroker demoBroker = broker;
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  System.err.println(
                      "lakehouse console: stopping (runs going are stopped and"
                          + " marked failed; a restart retries them)");
                  server.close();
                  stopDemo(demoTraffic, demoBroker);
                  stopped.countDown();
                },
                "console-stop"));
    stopped.await();
    return 0;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  private static void stopDemo(DemoTraffic traffic, LocalKafkaBroker broker) {
    if (traffic != null) {
      traffic.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  private static String runner(String runner) {
    if (!runner.equals("direct") && !runner.equals("flink") && !runner.equals("spark")) {
      throw new IllegalArgumentException(
          "unknown --runner '" + runner + "': use direct, flink or spark");
    }
    return runner;
  }

  private static ZoneId zone(String zone) {
    try {
      return ZoneId.of(zone);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "unknown --zone '" + zone + "': use an IANA zone like Europe/Berlin or UTC");
    }
  }

  public static void main(String[] args) {
    CommandLine cli = new CommandLine(new ServeCommand());
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          if (System.getenv("LAKEHOUSE_DEBUG") != null) {
            e.printStackTrace();
          }
          // Our own checks say what to do in their message; anything else names its type.
          String line =
              e instanceof IllegalArgumentException || e instanceof IllegalStateException
                  ? e.getMessage()
                  : Failures.oneLine(e);
          System.err.println("lakehouse serve: " + line + " (see ./lakehouse serve --help)");
          return e instanceof IllegalArgumentException ? 2 : 1;
        });
    cli.setParameterExceptionHandler(
        (e, args2) -> {
          System.err.println(
              "lakehouse serve: " + e.getMessage() + " (see ./lakehouse serve --help)");
          return 2;
        });
    System.exit(cli.execute(args));
  }
}
