package com.retail.lakehouse.trino;

import com.retail.lakehouse.common.CatalogFlags;
import com.retail.lakehouse.common.TrinoEndpoint;
import com.retail.lakehouse.common.UsageException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ./lakehouse trino start|stop|status|run}: a local Trino 476 (the engine of Athena engine
 * v3) over the tables of a data folder, reachable as {@code jdbc:trino://127.0.0.1:8089/lakehouse}.
 * {@code start} runs the service in the background and returns once Trino answers; a second {@code
 * start} finds it running and says so; {@code stop} is a no-op when nothing runs. Usage errors exit
 * 2, failures 1 with one line naming the log.
 */
@Command(
    name = "lakehouse trino",
    mixinStandardHelpOptions = true,
    version = "lakehouse trino (Trino 476, Iceberg REST catalog)",
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "A local Trino 476 (the engine of Athena engine v3) over the lakehouse tables: catalog"
          + " 'lakehouse', schemas raw and marts. BI tools connect with Trino's JDBC driver."
    },
    subcommands = {
      TrinoCommand.Start.class,
      TrinoCommand.Stop.class,
      TrinoCommand.Status.class,
      TrinoCommand.Run.class
    },
    footer = {
      "",
      "Examples:",
      "  ./lakehouse trino start",
      "  ./lakehouse sql --engine trino -f sql/queries/daily_revenue_by_store.sql",
      "  ./lakehouse trino stop",
      "Exit codes: 0 ok, 1 failed, 2 usage error, 3 (status) not running."
    })
public final class TrinoCommand implements Callable<Integer> {
  private final PrintStream out;
  private final PrintStream err;

  TrinoCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs a command line and returns its exit code. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    TrinoCommand root = new TrinoCommand(out, err);
    CommandLine cli = new CommandLine(root);
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    cli.setParameterExceptionHandler(
        (ex, a) -> {
          err.println("lakehouse trino: " + ex.getMessage() + " (see ./lakehouse trino --help)");
          return 2;
        });
    cli.setExecutionExceptionHandler(
        (ex, c, p) -> {
          if (ex instanceof UsageException) {
            err.println("lakehouse trino: " + ex.getMessage());
            return 2;
          }
          if (System.getenv("LAKEHOUSE_DEBUG") != null) {
            ex.printStackTrace(err);
          }
          err.println("lakehouse trino: " + ex.getMessage());
          return 1;
        });
    return cli.execute(args);
  }

  @Override
  public Integer call() {
    err.println("lakehouse trino: say start, stop, status or run (see ./lakehouse trino --help)");
    return 2;
  }

  /** The options every subcommand shares. */
  static final class Where {
    @Option(
        names = "--data-dir",
        paramLabel = "DIR",
        defaultValue = "./lakehouse-data",
        description =
            "Lakehouse data folder (its warehouse; Trino's files go to DIR/trino). Default: ${DEFAULT-VALUE}.")
    Path dataDir;
  }

  /** The options of the commands that start Trino. */
  static final class Launch {
    @Option(
        names = "--port",
        paramLabel = "PORT",
        defaultValue = "" + TrinoSettings.DEFAULT_PORT,
        description =
            "Trino's HTTP port (JDBC URL jdbc:trino://127.0.0.1:PORT/lakehouse). Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(
        names = "--warehouse",
        paramLabel = "DIR",
        description = "Warehouse folder. Default: <data-dir>/warehouse.")
    String warehouse;

    @Option(
        names = "--java-home",
        paramLabel = "DIR",
        description =
            "A Java 24+ JDK for Trino. Default: $LAKEHOUSE_TRINO_JAVA_HOME, else the newest under /usr/lib/jvm.")
    String javaHome;

    @Option(
        names = "--heap",
        paramLabel = "SIZE",
        defaultValue = "2g",
        description = "Trino's heap (-Xmx). Default: ${DEFAULT-VALUE}.")
    String heap;

    @Option(
        names = "--timeout",
        paramLabel = "SECONDS",
        defaultValue = "240",
        description = "How long to wait for Trino to start. Default: ${DEFAULT-VALUE}.")
    int timeoutSeconds;

    TrinoSettings settings(Path dataDir) {
      return new TrinoSettings(
          dataDir,
          CatalogFlags.of("hadoop", dataDir.toString(), warehouse, null, List.of()),
          port,
          TrinoInstall.defaultDist(),
          TrinoSettings.javaHome(javaHome),
          heap);
    }
  }

  @Command(
      name = "start",
      mixinStandardHelpOptions = true,
      description = "Start Trino in the background and wait until it answers.")
  static final class Start implements Callable<Integer> {
    @CommandLine.ParentCommand TrinoCommand root;
    @Mixin Where where = new Where();
    @Mixin Launch launch = new Launch();

    @Override
    public Integer call() throws IOException, InterruptedException {
      Path dataDir = where.dataDir;
      Optional<TrinoEndpoint> running = TrinoEndpoint.read(dataDir).filter(TrinoEndpoint::alive);
      if (running.isPresent()) {
        root.out.println(
            "lakehouse trino: already running at "
                + running.get().jdbcUrl()
                + " (pid "
                + running.get().servicePid()
                + "); ./lakehouse trino stop to stop it");
        return 0;
      }
      stopOrphanedTrino(dataDir, root.out);
      TrinoSettings settings = launch.settings(dataDir); // usage errors here, before forking
      TrinoInstall.ensure(settings.dist(), root.out);
      Files.createDirectories(settings.folder());
      Path serviceLog = settings.folder().resolve("service.log");
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      cmd.add("-Dlakehouse.home=" + System.getProperty("lakehouse.home", "."));
      cmd.add("-Dlakehouse.trino.dist=" + settings.dist().toAbsolutePath());
      cmd.add("-cp");
      cmd.add(System.getProperty("java.class.path"));
      cmd.add(TrinoCommand.class.getName());
      cmd.addAll(
          List.of(
              "run",
              "--data-dir=" + dataDir.toAbsolutePath(),
              "--port=" + launch.port,
              "--java-home=" + settings.javaHome(),
              "--heap=" + launch.heap,
              "--timeout=" + launch.timeoutSeconds));
      if (launch.warehouse != null) {
        cmd.add("--warehouse=" + launch.warehouse);
      }
      TrinoEndpoint.delete(dataDir);
      root.out.println("lakehouse trino: starting Trino 476 (log: " + settings.log() + ") ...");
      Process service =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(serviceLog.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(launch.timeoutSeconds + 60L);
      while (System.nanoTime() < deadline) {
        Optional<TrinoEndpoint> e = TrinoEndpoint.read(dataDir);
        if (e.isPresent() && e.get().ready() && e.get().servicePid() == service.pid()) {
          root.out.println(
              "lakehouse trino: ready at "
                  + e.get().jdbcUrl()
                  + " (user: any name, no password); stop with ./lakehouse trino stop");
          return 0;
        }
        if (!service.isAlive()) {
          List<String> lines = Files.readAllLines(serviceLog);
          String last = lines.isEmpty() ? "(no output)" : lines.get(lines.size() - 1);
          root.err.println("lakehouse trino: " + last.replaceFirst("^lakehouse trino: ", ""));
          return service.exitValue() == 2 ? 2 : 1;
        }
        Thread.sleep(500);
      }
      service.destroy();
      root.err.println("lakehouse trino: not ready in time (log: " + settings.log() + ")");
      return 1;
    }
  }

  /**
   * A Trino whose service died (kill -9) keeps running and holds the port: stop it, found by the
   * pid the service recorded and checked to be a Trino server, so an unrelated reused pid is safe.
   */
  static void stopOrphanedTrino(Path dataDir, PrintStream out) {
    Optional<TrinoEndpoint> stale = TrinoEndpoint.read(dataDir).filter(e -> !e.alive());
    Optional<ProcessHandle> trino =
        stale
            .flatMap(e -> ProcessHandle.of(e.trinoPid()))
            .filter(ProcessHandle::isAlive)
            .filter(
                p ->
                    p.info()
                        .commandLine()
                        .map(c -> c.contains("io.trino.server.TrinoServer"))
                        .orElse(false));
    if (trino.isEmpty()) {
      return;
    }
    out.println(
        "lakehouse trino: stopping Trino pid "
            + trino.get().pid()
            + " left running by a service that died");
    trino.get().destroy();
    try {
      trino.get().onExit().get(45, TimeUnit.SECONDS);
    } catch (Exception e) {
      trino.get().destroyForcibly();
    }
  }

  @Command(
      name = "run",
      mixinStandardHelpOptions = true,
      description = "Run Trino in the foreground until stopped (Ctrl-C or SIGTERM).")
  static final class Run implements Callable<Integer> {
    @CommandLine.ParentCommand TrinoCommand root;
    @Mixin Where where = new Where();
    @Mixin Launch launch = new Launch();

    @Override
    public Integer call() throws IOException, InterruptedException {
      Path dataDir = where.dataDir;
      Optional<TrinoEndpoint> running = TrinoEndpoint.read(dataDir).filter(TrinoEndpoint::alive);
      if (running.isPresent() && running.get().servicePid() != ProcessHandle.current().pid()) {
        throw new UsageException(
            "Trino already runs for " + dataDir + " (pid " + running.get().servicePid() + ")");
      }
      TrinoSettings settings = launch.settings(dataDir);
      long self = ProcessHandle.current().pid();
      LocalTrino trino = LocalTrino.start(settings, Duration.ofSeconds(launch.timeoutSeconds));
      new TrinoEndpoint(self, trino.trinoPid(), trino.jdbcUrl(), true).write(dataDir);
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    trino.close();
                    try {
                      TrinoEndpoint.delete(dataDir);
                    } catch (IOException e) {
                      // the next start overwrites it; a dead pid marks it stale meanwhile
                    }
                  },
                  "trino-stop"));
      root.out.println("lakehouse trino: ready at " + trino.jdbcUrl());
      int code = trino.awaitExit();
      root.err.println(
          "lakehouse trino: Trino exited with code "
              + code
              + ": "
              + LocalTrino.firstError(settings.log())
              + " (log: "
              + settings.log()
              + ")");
      return 1;
    }
  }

  @Command(
      name = "stop",
      mixinStandardHelpOptions = true,
      description = "Stop the data folder's Trino (nothing to do if none runs).")
  static final class Stop implements Callable<Integer> {
    @CommandLine.ParentCommand TrinoCommand root;
    @Mixin Where where = new Where();

    @Override
    public Integer call() throws IOException {
      Optional<TrinoEndpoint> endpoint = TrinoEndpoint.read(where.dataDir);
      if (endpoint.isEmpty()) {
        root.out.println("lakehouse trino: not running for " + where.dataDir);
        return 0;
      }
      // The service first (its shutdown hook stops Trino in order), then whatever survived it.
      for (long pid : new long[] {endpoint.get().servicePid(), endpoint.get().trinoPid()}) {
        Optional<ProcessHandle> p = ProcessHandle.of(pid);
        if (p.isEmpty() || !p.get().isAlive()) {
          continue;
        }
        p.get().destroy();
        try {
          p.get().onExit().get(45, TimeUnit.SECONDS);
        } catch (Exception e) {
          p.get().descendants().forEach(ProcessHandle::destroyForcibly);
          p.get().destroyForcibly();
        }
      }
      TrinoEndpoint.delete(where.dataDir);
      root.out.println("lakehouse trino: stopped");
      return 0;
    }
  }

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description = "Say whether the data folder's Trino runs, and where (exit 3 if not).")
  static final class Status implements Callable<Integer> {
    @CommandLine.ParentCommand TrinoCommand root;
    @Mixin Where where = new Where();

    @Override
    public Integer call() {
      Optional<TrinoEndpoint> endpoint = TrinoEndpoint.read(where.dataDir);
      if (endpoint.isPresent() && endpoint.get().alive()) {
        root.out.println(
            "lakehouse trino: "
                + (endpoint.get().ready() ? "running at " : "starting, at ")
                + endpoint.get().jdbcUrl()
                + " (pid "
                + endpoint.get().servicePid()
                + ", Trino pid "
                + endpoint.get().trinoPid()
                + ")");
        return 0;
      }
      root.out.println("lakehouse trino: not running for " + where.dataDir);
      return 3;
    }
  }
}
