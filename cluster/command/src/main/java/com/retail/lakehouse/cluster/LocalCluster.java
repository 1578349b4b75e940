package com.retail.lakehouse.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A multi-process cluster of one engine on this machine, under {@code
 * <data-dir>/cluster/<engine>/}: {@code conf/} (written at every start), {@code log/} (each
 * daemon's log and output), {@code pids/}, {@code cluster.properties} (its ports) and the engine's
 * scratch folders. Starting is idempotent: a daemon that runs is left alone and one that died (say,
 * a worker killed with kill -9) is started again, so {@code start} is also how a cluster is
 * repaired.
 */
abstract class LocalCluster {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Polls in a row (500 ms apart) that must miss a daemon before start says it exited. */
  private static final int ABSENT_POLLS = 3;

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  final Engine engine;
  final Path home;
  final Path dir;
  final ClusterSettings settings;

  LocalCluster(Engine engine, Path home, Path dir, ClusterSettings settings) {
    this.engine = engine;
    this.home = home;
    this.dir = dir.toAbsolutePath().normalize();
    this.settings = settings;
  }

  /** The folder of {@code engine}'s cluster under a data dir. */
  static Path dirOf(Path dataDir, Engine engine) {
    return dataDir.resolve("cluster").resolve(engine.id()).toAbsolutePath().normalize();
  }

  /**
   * The cluster under {@code dataDir}: with the settings it was started with if it has a settings
   * file, else with {@code requested} (null: the engine's defaults).
   */
  static LocalCluster open(Engine engine, Path home, Path dataDir, ClusterSettings requested)
      throws IOException {
    Path dir = dirOf(dataDir, engine);
    ClusterSettings settings =
        requested != null
            ? requested
            : savedSettings(dataDir, engine).orElse(ClusterSettings.defaults(engine));
    return engine == Engine.FLINK
        ? new FlinkCluster(home, dir, settings)
        : new SparkCluster(home, dir, settings);
  }

  /** The settings a running cluster under {@code dataDir} was started with, if it has any. */
  static Optional<ClusterSettings> savedSettings(Path dataDir, Engine engine) throws IOException {
    Path file = dirOf(dataDir, engine).resolve("cluster.properties");
    return Files.isRegularFile(file) ? Optional.of(ClusterSettings.read(file)) : Optional.empty();
  }

  Path conf() {
    return dir.resolve("conf");
  }

  Path logs() {
    return dir.resolve("log");
  }

  Path pids() {
    return dir.resolve("pids");
  }

  /** This cluster's processes in start order (the master first). */
  abstract List<Daemon> daemons() throws IOException;

  /** Writes the engine's configuration files under {@link #conf()}. */
  abstract void writeConfig() throws IOException;

  /** What the master reports, or empty if it does not answer. */
  abstract Optional<Health> health();

  /** The ports the master binds, checked before it starts. */
  abstract List<Integer> masterPorts();

  /** The command line that runs {@code args} (a lakehouse command) as a job on this cluster. */
  abstract List<String> clientCommand(List<String> args) throws IOException;

  /**
   * The command line that runs {@code args} on another cluster of this engine, {@code master} (the
   * {@code --flinkMaster} or {@code --sparkMaster} that {@code args} name): the same jar and
   * client, nothing of this machine's cluster.
   */
  abstract List<String> remoteClientCommand(List<String> args, String master) throws IOException;

  /** The jobs running on this cluster now, id to name (empty if the master does not answer). */
  java.util.Map<String, String> runningJobs() {
    return java.util.Map.of();
  }

  /** Cancels the jobs running now that were not in {@code before} (a killed client's job). */
  void cancelJobsStartedSince(java.util.Set<String> before, PrintStream err) {}

  /** The web UI's address. */
  abstract String webUi();

  /**
   * Where a worker says it registered with the master, and the line that says so; null for the
   * master. A worker started again after a crash counts only once its new process said it: until
   * then the master may still count the dead one.
   */
  abstract Registration registration(String daemon);

  /** A line a daemon writes to a file once it has registered with its master. */
  record Registration(Path file, String line) {
    long size() {
      try {
        return Files.isRegularFile(file) ? Files.size(file) : 0;
      } catch (IOException e) {
        return 0;
      }
    }

    /** Whether the file holds the line after byte {@code from}. */
    boolean seenAfter(long from) {
      try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(file.toFile(), "r")) {
        f.seek(Math.min(from, f.length()));
        byte[] rest = new byte[(int) Math.min(f.length() - f.getFilePointer(), 64 << 20)];
        f.readFully(rest);
        return new String(rest, StandardCharsets.ISO_8859_1).contains(line);
      } catch (IOException e) {
        return false;
      }
    }
  }

  /** What the master says: ready when every worker has registered with all its slots/cores. */
  record Health(boolean ready, String summary) {}

  /**
   * Runs {@code action} holding this cluster's lock file, so that two starts (or a start and a
   * stop) of one cluster never interleave; a second one waits for the first.
   */
  <T> T locked(java.util.concurrent.Callable<T> action) throws IOException {
    Files.createDirectories(dir);
    try (java.nio.channels.FileChannel channel =
            java.nio.channels.FileChannel.open(
                dir.resolve("cluster.lock"),
                java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE);
        java.nio.channels.FileLock lock = channel.lock()) {
      return action.call();
    } catch (IOException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException(e);
    }
  }

  /** Starts what is not running and waits until every worker has registered. */
  void start(PrintStream out, Duration timeout) throws IOException {
    List<Daemon> daemons = daemons();
    boolean masterRunning = daemons.get(0).process().isPresent();
    if (!masterRunning) {
      for (int port : masterPorts()) {
        if (!portIsFree(port)) {
          throw new ClusterFailure(
              "port "
                  + port
                  + " is in use by another process: stop it, or start the "
                  + engine.id()
                  + " cluster on other ports (see ./lakehouse cluster start --help)");
        }
      }
    }
    settings.write(dir.resolve("cluster.properties"));
    if (!masterRunning) {
      writeConfig(); // never under running daemons (a Worker reads jars/ when it starts executors)
    }
    java.util.Map<Registration, Long> started = new java.util.LinkedHashMap<>();
    for (Daemon d : daemons) {
      Optional<ProcessHandle> running = d.process();
      if (running.isPresent()) {
        out.println("  " + d.name() + " is running (pid " + running.get().pid() + ")");
      } else {
        Registration registration = registration(d.name());
        if (registration != null) {
          started.put(registration, registration.size());
        }
        long pid = d.start();
        out.println("  started " + d.name() + " (pid " + pid + ", output " + d.outFile() + ")");
      }
    }
    awaitReady(daemons, started, out, timeout);
  }

  private void awaitReady(
      List<Daemon> daemons,
      java.util.Map<Registration, Long> started,
      PrintStream out,
      Duration timeout) {
    Instant start = Instant.now();
    Instant deadline = start.plus(timeout);
    Instant nextProgress = start.plusSeconds(10);
    String last = "the master does not answer yet";
    // Polls in a row that did not find each daemon. Right after a start, reading a daemon's command
    // line can catch it half way through exec (setsid execs java in place), without its marker:
    // that is a moment, an exit is for good, so only ABSENT_POLLS misses in a row count as one.
    java.util.Map<String, Integer> absent = new java.util.HashMap<>();
    while (true) {
      for (Daemon d : daemons) {
        int misses = d.process().isEmpty() ? absent.getOrDefault(d.name(), 0) + 1 : 0;
        absent.put(d.name(), misses);
        if (misses >= ABSENT_POLLS) {
          throw new ClusterFailure(
              d.name()
                  + " exited while the cluster started; its last output:\n"
                  + d.tail(15)
                  + "\n(all of it: "
                  + d.outFile()
                  + "; stop the rest with ./lakehouse cluster stop --engine "
                  + engine.id()
                  + ")");
        }
      }
      Optional<Health> health = health();
      if (health.isPresent()) {
        last = health.get().summary();
        boolean registered =
            started.entrySet().stream().allMatch(e -> e.getKey().seenAfter(e.getValue()));
        if (health.get().ready() && registered) {
          out.printf(
              "%s cluster ready in %.1f s: %s; web UI %s%n",
              engine.id(),
              Duration.between(start, Instant.now()).toMillis() / 1000.0,
              last,
              webUi());
          return;
        }
      }
      if (Instant.now().isAfter(deadline)) {
        throw new ClusterFailure(
            "the "
                + engine.id()
                + " cluster was not ready after "
                + timeout.toSeconds()
                + " s ("
                + last
                + "): see the logs in "
                + logs()
                + "; stop what started with ./lakehouse cluster stop --engine "
                + engine.id());
      }
      if (Instant.now().isAfter(nextProgress)) {
        out.println("  waiting for the workers: " + last);
        nextProgress = Instant.now().plusSeconds(10);
      }
      Daemon.sleep(500);
    }
  }

  /** Stops every daemon (workers first); returns how many were running. */
  int stop(PrintStream out) throws IOException {
    List<Daemon> daemons = new ArrayList<>(daemons());
    java.util.Collections.reverse(daemons);
    int stopped = 0;
    for (Daemon d : daemons) {
      if (d.stop(Duration.ofSeconds(20))) {
        out.println("  stopped " + d.name());
        stopped++;
      }
    }
    return stopped;
  }

  /** Prints each daemon's state and the master's report; returns whether all of it is up. */
  boolean status(PrintStream out) throws IOException {
    boolean allUp = true;
    for (Daemon d : daemons()) {
      Optional<ProcessHandle> p = d.process();
      out.println(
          "  "
              + d.name()
              + ": "
              + p.map(h -> "running (pid " + h.pid() + ")").orElse("not running"));
      allUp &= p.isPresent();
    }
    Optional<Health> health = health();
    out.println(
        "  master: "
            + health.map(Health::summary).orElse("does not answer")
            + (health.isPresent() ? "; web UI " + webUi() : ""));
    runningJobs().forEach((id, name) -> out.println("  running job " + id + " " + name));
    return allUp && health.map(Health::ready).orElse(false);
  }

  // ---- shared helpers of the two engines ----

  /** GETs a JSON document from the master's HTTP endpoint; empty if it does not answer. */
  static Optional<JsonNode> getJson(String url) {
    return send(
            HttpRequest.newBuilder(URI.create(url)).GET(),
            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
        .filter(response -> response.statusCode() == 200)
        .flatMap(
            response -> {
              try {
                return Optional.of(JSON.readTree(response.body()));
              } catch (IOException notJson) {
                return Optional.empty();
              }
            });
  }

  /** PATCHes {@code url} (empty body); whether the server accepted it (2xx). */
  static boolean patch(String url) {
    return send(
            HttpRequest.newBuilder(URI.create(url))
                .method("PATCH", HttpRequest.BodyPublishers.noBody()),
            HttpResponse.BodyHandlers.discarding())
        .map(response -> response.statusCode() / 100 == 2)
        .orElse(false);
  }

  /** Sends a request to the master (5 s timeout); empty if it does not answer. */
  private static <T> Optional<HttpResponse<T>> send(
      HttpRequest.Builder request, HttpResponse.BodyHandler<T> body) {
    try {
      return Optional.of(HTTP.send(request.timeout(Duration.ofSeconds(5)).build(), body));
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  static boolean portIsFree(int port) {
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The jars of the engine's lib module (cluster/flink-lib, cluster/spark-lib), in order. */
  List<Path> libJars() throws IOException {
    Path file = engine.libClasspathFile(home);
    if (!Files.isRegularFile(file)) {
      throw new ClusterFailure(
          "missing "
              + file
              + ": build it with ./mvnw -B -q -pl cluster/"
              + engine.id()
              + "-lib package (./lakehouse cluster does this on its first run)");
    }
    List<Path> jars = new ArrayList<>();
    for (String entry : Files.readString(file, StandardCharsets.UTF_8).strip().split(":")) {
      if (!entry.isBlank()) {
        jars.add(Path.of(entry));
      }
    }
    return jars;
  }

  /** The runner module's cluster jar, which must have been built. */
  Path clusterJar() {
    Path jar = engine.clusterJar(home);
    if (!Files.isRegularFile(jar)) {
      throw new ClusterFailure(
          "missing "
              + jar
              + ": build it with ./mvnw -B -q -pl runners/"
              + engine.id()
              + " -am -DskipTests package");
    }
    return jar;
  }

  /** The java binary this JVM runs on. */
  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /**
   * This JVM's module flags ({@code --add-opens}, {@code --add-exports}): the launcher gives every
   * JVM the flags Spark, Flink and Beam need on Java 17, and the cluster's JVMs take the same.
   */
  static List<String> moduleFlags() {
    return jvmFlags(arg -> arg.startsWith("--add-opens") || arg.startsWith("--add-exports"));
  }

  /**
   * The JVM flags a submission's client JVM takes from this one: module flags, heap and GC flags
   * (LAKEHOUSE_JAVA_OPTS) and the launcher's log levels; never this JVM's own lakehouse settings.
   */
  static List<String> clientJvmFlags() {
    return jvmFlags(
        arg ->
            arg.startsWith("--add-opens")
                || arg.startsWith("--add-exports")
                || arg.startsWith("-X")
                || arg.startsWith("-Dorg.slf4j."));
  }

  private static List<String> jvmFlags(java.util.function.Predicate<String> wanted) {
    return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(wanted)
        .toList();
  }

  /** The flag that marks a daemon's command line: its cluster folder and its name. */
  String marker(String daemon) {
    return "-Dlakehouse.daemon=" + dir.resolve(daemon);
  }

  /** A daemon of this cluster: output in log/NAME.out, pid in pids/NAME.pid. */
  Daemon daemon(String name, List<String> command, java.util.Map<String, String> env) {
    return new Daemon(
        name,
        command,
        env,
        pids().resolve(name + ".pid"),
        logs().resolve(name + ".out"),
        marker(name),
        dir);
  }

  /** A classpath of {@code jars}. */
  static String classpath(List<Path> jars) {
    return jars.stream().map(Path::toString).collect(Collectors.joining(":"));
  }
}
