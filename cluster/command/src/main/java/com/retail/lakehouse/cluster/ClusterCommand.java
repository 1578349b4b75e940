package com.retail.lakehouse.cluster;

import com.retail.lakehouse.common.Failures;
import com.retail.lakehouse.common.UsageException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ./lakehouse cluster start|stop|status}: real multi-process Flink and Spark standalone
 * clusters on this machine ({@link FlinkCluster}, {@link SparkCluster}), and the submission of a
 * pipeline command to one ({@code ./lakehouse ingest ... --profile flink-cluster|spark-standalone}
 * ends here as {@code cluster submit}). A submission runs the runner module's cluster jar, never
 * the launcher's classpath: Flink's client with the jar staged to the JobManager, Spark's own
 * {@code SparkSubmit} with the jar as the application. Usage errors exit 2 with one line, failures
 * 1; a submission exits with its job's exit code.
 */
@Command(
    name = "lakehouse cluster",
    mixinStandardHelpOptions = true,
    version = "lakehouse cluster (Flink 1.19 standalone session, Spark 3.5 standalone)",
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "Local multi-process clusters: a Flink JobManager with TaskManagers, or a Spark Master with"
          + " Workers (executors in their own JVMs), each process its own JVM, under"
          + " <data-dir>/cluster/<engine>/ (conf/, log/, pids/). Jobs go to them with"
          + " --profile flink-cluster or --profile spark-standalone."
    },
    subcommands = {
      ClusterCommand.Start.class,
      ClusterCommand.Stop.class,
      ClusterCommand.Status.class,
      ClusterCommand.Submit.class
    },
    footer = {
      "",
      "Examples:",
      "  ./lakehouse cluster start --engine flink",
      "  ./lakehouse ingest --until-caught-up --profile flink-cluster",
      "  ./lakehouse cluster start --engine spark --workers 3",
      "  ./lakehouse mart --profile spark-standalone",
      "  ./lakehouse cluster status",
      "  ./lakehouse cluster stop",
      "Exit codes: 0 ok, 1 failed (status: not all up), 2 usage error."
    })
public final class ClusterCommand implements Callable<Integer> {
  /** The lakehouse's command-line entry point inside the cluster jars. */
  static final String PIPELINES_MAIN = "com.retail.lakehouse.pipelines.cli.LakehouseCommand";

  private final PrintStream out;
  private final PrintStream err;

  ClusterCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs a command line and returns its exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    CommandLine cli = new CommandLine(new ClusterCommand(out, err));
    // A submission's arguments are the job's own: hand them over untouched.
    cli.getSubcommands()
        .get("submit")
        .setStopAtPositional(true)
        .setUnmatchedOptionsArePositionalParams(true);
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    cli.setParameterExceptionHandler(
        (ex, a) -> {
          err.println(
              "lakehouse cluster: " + ex.getMessage() + " (see ./lakehouse cluster --help)");
          return 2;
        });
    cli.setExecutionExceptionHandler(
        (ex, c, p) -> {
          if (ex instanceof UsageException) {
            err.println("lakehouse cluster: " + ex.getMessage());
            return 2;
          }
          if (System.getenv("LAKEHOUSE_DEBUG") != null) {
            ex.printStackTrace(err);
          }
          err.println(
              "lakehouse cluster: "
                  + (ex instanceof ClusterFailure ? ex.getMessage() : Failures.oneLine(ex)));
          return 1;
        });
    return cli.execute(args);
  }

  @Override
  public Integer call() {
    throw new UsageException("say start, stop or status (see ./lakehouse cluster --help)");
  }

  static Path home() {
    return Path.of(System.getProperty("lakehouse.home", ".")).toAbsolutePath().normalize();
  }

  /** The options of stop and status: which clusters, under which data dir. */
  static final class Clusters {
    @Option(
        names = "--engine",
        defaultValue = "all",
        paramLabel = "flink|spark|all",
        description = "Which cluster (default: ${DEFAULT-VALUE}).")
    String engine;

    @Option(
        names = "--data-dir",
        defaultValue = "lakehouse-data",
        description = "Where the clusters live (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    List<Engine> engines() {
      return engine.equalsIgnoreCase("all")
          ? List.of(Engine.values())
          : List.of(Engine.parse(engine));
    }
  }

  /** Parses 1536m, 2g or 2048 (MiB). */
  static int megabytes(String value) {
    String v = value.strip().toLowerCase(Locale.ROOT);
    try {
      if (v.endsWith("g")) {
        return Math.multiplyExact(Integer.parseInt(v.substring(0, v.length() - 1)), 1024);
      }
      return Integer.parseInt(v.endsWith("m") ? v.substring(0, v.length() - 1) : v);
    } catch (NumberFormatException | ArithmeticException e) {
      throw new UsageException("--worker-memory '" + value + "' is not a size such as 1536m or 2g");
    }
  }

  @Command(
      name = "start",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      description = {
        "Starts the engine's master and workers (each its own JVM), or whichever of them is not"
            + " running, and waits until every worker has registered. Idempotent: start again"
            + " after a worker died to replace it."
      })
  static final class Start implements Callable<Integer> {
    @CommandLine.ParentCommand ClusterCommand parent;

    @Option(
        names = "--engine",
        required = true,
        paramLabel = "flink|spark",
        description = "Which cluster: a Flink 1.19 session cluster or a Spark 3.5 standalone one.")
    String engine;

    @Option(
        names = "--data-dir",
        defaultValue = "lakehouse-data",
        description =
            "The cluster lives in <data-dir>/cluster/<engine> (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(
        names = "--workers",
        description = "TaskManagers or Workers, each its own JVM (default: 2).")
    Integer workers;

    @Option(
        names = "--slots",
        description = "Task slots per TaskManager, cores per Spark Worker (default: 2).")
    Integer slots;

    @Option(
        names = "--worker-memory",
        description =
            "A TaskManager's task heap (default 1g) or a Spark Worker's memory for executors"
                + " (default 2g).")
    String workerMemory;

    @Option(
        names = "--rest-port",
        description = "Flink: the JobManager's REST API and web UI (default 8081).")
    Integer restPort;

    @Option(names = "--rpc-port", description = "Flink: the JobManager's RPC port (default 6123).")
    Integer rpcPort;

    @Option(
        names = "--master-port",
        description = "Spark: the master's port, spark://localhost:<port> (default 7077).")
    Integer masterPort;

    @Option(
        names = "--ui-port",
        description =
            "Spark: the master's web UI (default 8090: the console has 8080); Worker i's is"
                + " <ui-port>+i.")
    Integer uiPort;

    @Option(
        names = "--timeout",
        defaultValue = "180",
        description = "Seconds to wait for the workers to register (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Override
    public Integer call() throws IOException {
      Engine e = Engine.parse(engine);
      ClusterSettings defaults = ClusterSettings.defaults(e);
      if (e == Engine.FLINK && (masterPort != null || uiPort != null)) {
        throw new UsageException(
            "--master-port and --ui-port are Spark's: Flink takes --rest-port" + " and --rpc-port");
      }
      if (e == Engine.SPARK && (restPort != null || rpcPort != null)) {
        throw new UsageException(
            "--rest-port and --rpc-port are Flink's: Spark takes" + " --master-port and --ui-port");
      }
      Integer first = e == Engine.FLINK ? restPort : masterPort;
      Integer second = e == Engine.FLINK ? rpcPort : uiPort;
      Integer memory = workerMemory != null ? megabytes(workerMemory) : null;
      if (e == Engine.SPARK && memory != null && memory < SparkCluster.MIN_WORKER_MEMORY_MB) {
        throw new UsageException(
            "--worker-memory for Spark must be at least "
                + SparkCluster.MIN_WORKER_MEMORY_MB
                + "m (an executor gets 3/4 of it and Spark needs 450m), not "
                + workerMemory);
      }
      ClusterSettings requested =
          new ClusterSettings(
              first != null ? first : defaults.port(),
              second != null ? second : defaults.uiPort(),
              workers != null ? workers : defaults.workers(),
              slots != null ? slots : defaults.slots(),
              memory != null ? memory : defaults.workerMemoryMb());
      LocalCluster.open(e, home(), dataDir, null)
          .locked(
              () -> {
                LocalCluster running = LocalCluster.open(e, home(), dataDir, null);
                LocalCluster cluster = running;
                if (running.daemons().stream().noneMatch(d -> d.process().isPresent())) {
                  cluster = LocalCluster.open(e, home(), dataDir, requested);
                } else {
                  ClusterSettings kept = running.settings;
                  boolean differs =
                      (first != null && first != kept.port())
                          || (second != null && second != kept.uiPort())
                          || (workers != null && workers != kept.workers())
                          || (slots != null && slots != kept.slots())
                          || (memory != null && memory != kept.workerMemoryMb());
                  if (differs) {
                    parent.out.println(
                        "  (the cluster is running with "
                            + kept
                            + "; keeping those settings: stop it first to change them)");
                  }
                }
                parent.out.println("starting the " + e.id() + " cluster in " + cluster.dir);
                cluster.start(parent.out, Duration.ofSeconds(timeoutSeconds));
                return null;
              });
      return 0;
    }
  }

  @Command(
      name = "stop",
      mixinStandardHelpOptions = true,
      description =
          "Stops the cluster's processes (workers first; SIGTERM, then SIGKILL after 20 s).")
  static final class Stop implements Callable<Integer> {
    @CommandLine.ParentCommand ClusterCommand parent;

    @CommandLine.Mixin Clusters clusters;

    @Override
    public Integer call() throws IOException {
      for (Engine e : clusters.engines()) {
        LocalCluster cluster = LocalCluster.open(e, home(), clusters.dataDir, null);
        int stopped = cluster.locked(() -> cluster.stop(parent.out));
        parent.out.println(
            stopped == 0
                ? "the " + e.id() + " cluster was not running"
                : "stopped the " + e.id() + " cluster (" + stopped + " processes)");
      }
      return 0;
    }
  }

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description =
          "Shows each process of the cluster and what its master reports (workers, slots or"
              + " cores, jobs). Exits 0 when every process runs and every worker is registered.")
  static final class Status implements Callable<Integer> {
    @CommandLine.ParentCommand ClusterCommand parent;

    @CommandLine.Mixin Clusters clusters;

    @Override
    public Integer call() throws IOException {
      boolean allUp = true;
      for (Engine e : clusters.engines()) {
        if (LocalCluster.savedSettings(clusters.dataDir, e).isEmpty()) {
          parent.out.println(
              e.id() + ": never started here (./lakehouse cluster start --engine " + e.id() + ")");
          allUp = false;
          continue;
        }
        LocalCluster cluster = LocalCluster.open(e, home(), clusters.dataDir, null);
        parent.out.println(e.id() + " (" + cluster.dir + "):");
        allUp &= cluster.status(parent.out);
      }
      return allUp ? 0 : 1;
    }
  }

  @Command(
      name = "submit",
      hidden = true,
      description =
          "Runs a lakehouse command on the running cluster its --profile names"
              + " (flink-cluster, spark-standalone); the launcher sends such commands here.")
  static final class Submit implements Callable<Integer> {
    @CommandLine.ParentCommand ClusterCommand parent;

    @Parameters(
        arity = "1..*",
        paramLabel = "COMMAND",
        description = "e.g. ingest --until-caught-up --profile flink-cluster")
    List<String> args;

    @Override
    public Integer call() throws IOException, InterruptedException {
      String profile = flagValue(args, "profile").orElse(null);
      Engine e = profile == null ? null : Engine.ofProfile(profile);
      if (e == null) {
        throw new UsageException(
            "cluster submit runs commands with --profile flink-cluster or spark-standalone, not "
                + (profile == null ? "without a profile" : profile));
      }
      Path dataDir = Path.of(flagValue(args, "dataDir").orElse("lakehouse-data"));
      Optional<String> master = flagValue(args, e == Engine.FLINK ? "flinkMaster" : "sparkMaster");
      LocalCluster cluster;
      List<String> command;
      if (master.isPresent()) {
        // Another cluster of this engine: the same jar and client, none of the local cluster's
        // settings (its parallelism is the local cluster's slots).
        cluster = LocalCluster.open(e, home(), dataDir, null);
        command = cluster.remoteClientCommand(withAbsolutePaths(args, dataDir), master.get());
      } else {
        ClusterSettings saved =
            LocalCluster.savedSettings(dataDir, e)
                .orElseThrow(() -> new ClusterFailure(notRunning(e, dataDir)));
        cluster = LocalCluster.open(e, home(), dataDir, saved);
        Optional<LocalCluster.Health> health = cluster.health();
        if (health.isEmpty() || !health.get().ready()) {
          throw new ClusterFailure(
              notRunning(e, dataDir)
                  + health.map(h -> " (its master reports: " + h.summary() + ")").orElse(""));
        }
        command = cluster.clientCommand(withAbsolutePaths(args, dataDir));
      }
      java.util.Set<String> jobsBefore = cluster.runningJobs().keySet();
      Process job = new ProcessBuilder(command).inheritIO().start();
      // Killing a client leaves its job running on a session cluster: cancel what it started.
      Thread stopJob =
          new Thread(
              () -> {
                job.destroy();
                cluster.cancelJobsStartedSince(jobsBefore, parent.err);
              },
              "stop-cluster-client");
      Runtime.getRuntime().addShutdownHook(stopJob);
      int code = job.waitFor();
      Runtime.getRuntime().removeShutdownHook(stopJob);
      return code;
    }

    private static String notRunning(Engine e, Path dataDir) {
      return "no "
          + e.id()
          + " cluster is ready under "
          + LocalCluster.dirOf(dataDir, e)
          + ": start it with ./lakehouse cluster start --engine "
          + e.id()
          + (dataDir.equals(Path.of("lakehouse-data")) ? "" : " --data-dir " + dataDir);
    }
  }

  /**
   * The job's arguments with its data dir (and a file-system warehouse) made absolute: the
   * cluster's processes run in their own folder, where a relative path would mean another place.
   */
  static List<String> withAbsolutePaths(List<String> args, Path dataDir) {
    List<String> result = new ArrayList<>();
    boolean sawDataDir = false;
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      String name = a.startsWith("--") ? a.substring(2).split("=", 2)[0] : "";
      if (spellings("dataDir").contains(name) || name.equals("warehouse")) {
        String value;
        if (a.contains("=")) {
          value = a.substring(a.indexOf('=') + 1);
        } else if (i + 1 < args.size()) {
          value = args.get(++i);
        } else {
          throw new UsageException("--" + name + " needs a value");
        }
        sawDataDir |= !name.equals("warehouse");
        boolean isUri = value.matches("^[a-zA-Z][a-zA-Z0-9+.-]+:.*");
        result.add(
            "--" + name + "=" + (isUri ? value : Path.of(value).toAbsolutePath().normalize()));
      } else {
        result.add(a);
      }
    }
    if (!sawDataDir) {
      result.add("--data-dir=" + dataDir.toAbsolutePath().normalize());
    }
    return result;
  }

  /**
   * The two spellings of a job's flag: Beam's camelCase name and the kebab-case form the launcher
   * also accepts ({@code flinkMaster}, {@code flink-master}).
   */
  static List<String> spellings(String camelName) {
    String kebab = camelName.replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT);
    return kebab.equals(camelName) ? List.of(camelName) : List.of(camelName, kebab);
  }

  /** The value of {@code --name=value} or {@code --name value} in {@code args}, either spelling. */
  static Optional<String> flagValue(List<String> args, String camelName) {
    for (String name : spellings(camelName)) {
      for (int i = 0; i < args.size(); i++) {
        String a = args.get(i);
        if (a.startsWith("--" + name + "=")) {
          return Optional.of(a.substring(name.length() + 3));
        }
        if (a.equals("--" + name) && i + 1 < args.size()) {
          return Optional.of(args.get(i + 1));
        }
      }
    }
    return Optional.empty();
  }

  /** Appends --name=value unless the user's arguments already set the flag (theirs wins). */
  static void addUnlessGiven(
      List<String> command, List<String> args, String camelName, String value) {
    for (String name : spellings(camelName)) {
      for (String a : args) {
        if (a.startsWith("--" + name + "=") || a.equals("--" + name)) {
          return;
        }
      }
    }
    command.add("--" + camelName + "=" + value);
  }
}
