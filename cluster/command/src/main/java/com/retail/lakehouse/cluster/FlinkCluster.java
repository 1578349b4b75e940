package com.retail.lakehouse.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A Flink 1.19 standalone session cluster: one JobManager ({@code
 * StandaloneSessionClusterEntrypoint}, REST API and web UI on {@code port}) and {@code workers}
 * TaskManagers ({@code TaskManagerRunner}, {@code slots} slots each), each its own JVM, started
 * from cluster/flink-lib's jars as Flink's own scripts start them from a distribution's lib/
 * folder.
 *
 * <p>Each TaskManager's memory is set explicitly (what Flink's scripts compute with BashJavaUtils),
 * and each has a fixed resource id, so a TaskManager started again after a crash replaces its dead
 * registration at once instead of waiting for the heartbeat timeout. Jobs are submitted with their
 * jar (the runner module's cluster jar), which the TaskManagers load child-first as Flink does.
 */
final class FlinkCluster extends LocalCluster {
  private static final int FRAMEWORK_HEAP_MB = 128;
  private static final int FRAMEWORK_OFF_HEAP_MB = 128;
  private static final int TASK_OFF_HEAP_MB = 64;
  private static final int NETWORK_MB = 384;
  private static final int MANAGED_MB = 256;
  private static final int METASPACE_MB = 256;
  private static final int OVERHEAD_MB = 192;

  FlinkCluster(Path home, Path dir, ClusterSettings settings) {
    super(Engine.FLINK, home, dir, settings);
  }

  @Override
  List<Integer> masterPorts() {
    return List.of(settings.port(), settings.uiPort());
  }

  @Override
  String webUi() {
    return "http://localhost:" + settings.port() + "/";
  }

  /** The JobManager's REST address, what a client submits to. */
  String restAddress() {
    return "localhost:" + settings.port();
  }

  @Override
  void writeConfig() throws IOException {
    Files.createDirectories(conf());
    Path tmp = dir.resolve("tmp");
    Files.createDirectories(tmp);
    List<String> lines =
        List.of(
            "# Written by ./lakehouse cluster start at every start; edit the command's flags instead.",
            "jobmanager.rpc.address: localhost",
            "jobmanager.rpc.port: " + settings.uiPort(),
            "jobmanager.bind-host: localhost",
            "jobmanager.memory.process.size: 1024m",
            "rest.address: localhost",
            "rest.bind-address: localhost",
            "rest.port: " + settings.port(),
            "taskmanager.host: localhost",
            "taskmanager.bind-host: localhost",
            "taskmanager.numberOfTaskSlots: " + settings.slots(),
            "parallelism.default: " + settings.workers() * settings.slots(),
            // Explicit TaskManager memory (Flink's scripts pass the same, computed): no derivation.
            "taskmanager.cpu.cores: " + settings.slots(),
            "taskmanager.memory.framework.heap.size: " + FRAMEWORK_HEAP_MB + "m",
            "taskmanager.memory.task.heap.size: " + settings.workerMemoryMb() + "m",
            "taskmanager.memory.framework.off-heap.size: " + FRAMEWORK_OFF_HEAP_MB + "m",
            "taskmanager.memory.task.off-heap.size: " + TASK_OFF_HEAP_MB + "m",
            "taskmanager.memory.network.min: " + NETWORK_MB + "m",
            "taskmanager.memory.network.max: " + NETWORK_MB + "m",
            "taskmanager.memory.managed.size: " + MANAGED_MB + "m",
            "taskmanager.memory.jvm-metaspace.size: " + METASPACE_MB + "m",
            "taskmanager.memory.jvm-overhead.min: " + OVERHEAD_MB + "m",
            "taskmanager.memory.jvm-overhead.max: " + OVERHEAD_MB + "m",
            // Spread a job's tasks over every TaskManager, as a multi-machine cluster would.
            "cluster.evenly-spread-out-slots: true",
            // A TaskManager killed with kill -9 is noticed within seconds, not the default 50.
            "heartbeat.interval: 2000",
            "heartbeat.timeout: 20000",
            "io.tmp.dirs: " + tmp,
            "web.tmpdir: " + tmp.resolve("web"),
            "blob.storage.directory: " + tmp.resolve("blobs"),
            "classloader.check-leaked-classloader: false");
    Files.write(conf().resolve("flink-conf.yaml"), lines, StandardCharsets.UTF_8);
    Files.write(
        conf().resolve("log4j.properties"),
        List.of(
            "# log4j2: each daemon logs INFO to the file its -Dlog.file names (the web UI shows it).",
            "rootLogger.level = INFO",
            "rootLogger.appenderRef.file.ref = MainAppender",
            "appender.main.name = MainAppender",
            "appender.main.type = File",
            "appender.main.append = true",
            "appender.main.fileName = ${sys:log.file}",
            "appender.main.layout.type = PatternLayout",
            "appender.main.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n",
            "logger.pekko.name = org.apache.pekko",
            "logger.pekko.level = WARN",
            "logger.kafka.name = org.apache.kafka",
            "logger.kafka.level = WARN",
            "logger.hadoop.name = org.apache.hadoop",
            "logger.hadoop.level = WARN"),
        StandardCharsets.UTF_8);
  }

  @Override
  List<Daemon> daemons() throws IOException {
    String classpath = classpath(libJars());
    List<Daemon> daemons = new ArrayList<>();
    daemons.add(
        daemon(
            "jobmanager",
            jvm(
                "jobmanager",
                List.of("-Xms768m", "-Xmx768m", "-XX:MaxMetaspaceSize=256m"),
                classpath,
                "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint",
                List.of("--configDir", conf().toString())),
            Map.of()));
    int heap = FRAMEWORK_HEAP_MB + settings.workerMemoryMb();
    int direct = FRAMEWORK_OFF_HEAP_MB + TASK_OFF_HEAP_MB + NETWORK_MB;
    for (int i = 1; i <= settings.workers(); i++) {
      String name = "taskmanager-" + i;
      daemons.add(
          daemon(
              name,
              jvm(
                  name,
                  List.of(
                      "-Xms" + heap + "m",
                      "-Xmx" + heap + "m",
                      "-XX:MaxDirectMemorySize=" + direct + "m",
                      "-XX:MaxMetaspaceSize=" + METASPACE_MB + "m"),
                  classpath,
                  "org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
                  List.of(
                      "--configDir", conf().toString(), "-D", "taskmanager.resource-id=" + name)),
              Map.of()));
    }
    return daemons;
  }

  private List<String> jvm(
      String name, List<String> memory, String classpath, String main, List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(java());
    command.addAll(memory);
    command.addAll(moduleFlags());
    command.add(marker(name));
    command.add("-Dlog.file=" + logs().resolve(name + ".log"));
    command.add("-Dlog4j.configurationFile=file:" + conf().resolve("log4j.properties"));
    command.add("-cp");
    command.add(classpath);
    command.add(main);
    command.addAll(args);
    return command;
  }

  @Override
  Registration registration(String daemon) {
    return daemon.startsWith("taskmanager-")
        ? new Registration(
            logs().resolve(daemon + ".log"), "Successful registration at resource manager")
        : null;
  }

  @Override
  Optional<Health> health() {
    return getJson("http://localhost:" + settings.port() + "/overview")
        .map(
            o -> {
              int tms = o.path("taskmanagers").asInt();
              int slots = o.path("slots-total").asInt();
              boolean ready =
                  tms == settings.workers() && slots == settings.workers() * settings.slots();
              return new Health(
                  ready,
                  String.format(
                      "Flink %s, %d TaskManagers, %d slots (%d free), %d jobs running",
                      o.path("flink-version").asText("?"),
                      tms,
                      slots,
                      o.path("slots-available").asInt(),
                      o.path("jobs-running").asInt()));
            });
  }

  @Override
  List<String> clientCommand(List<String> args) throws IOException {
    List<String> command = client(args);
    ClusterCommand.addUnlessGiven(command, args, "flinkMaster", restAddress());
    // As many parallel tasks as the cluster has slots: more would wait for slots that never come.
    ClusterCommand.addUnlessGiven(
        command, args, "parallelism", Integer.toString(settings.workers() * settings.slots()));
    return command;
  }

  @Override
  List<String> remoteClientCommand(List<String> args, String master) throws IOException {
    return client(args); // args name the master: --flinkMaster reaches the client as it is
  }

  /** Flink's client running the lakehouse command from the cluster jar, which it stages. */
  private List<String> client(List<String> args) throws IOException {
    Path jar = clusterJar();
    List<Path> classpath = new ArrayList<>();
    // The job's jar first, as Flink loads user code child-first; Flink's own jars after it.
    classpath.add(jar);
    classpath.addAll(libJars());
    List<String> command = new ArrayList<>();
    command.add(java());
    command.addAll(clientJvmFlags());
    command.add("-Dlakehouse.runner=flink");
    command.add("-Dlakehouse.home=" + home);
    command.add("-cp");
    command.add(classpath(classpath));
    command.add(ClusterCommand.PIPELINES_MAIN);
    command.addAll(args);
    ClusterCommand.addUnlessGiven(command, args, "filesToStage", jar.toString());
    return command;
  }

  @Override
  Map<String, String> runningJobs() {
    Map<String, String> jobs = new java.util.TreeMap<>();
    getJson("http://localhost:" + settings.port() + "/jobs/overview")
        .ifPresent(
            o -> {
              for (JsonNode j : o.path("jobs")) {
                if ("RUNNING".equals(j.path("state").asText())) {
                  jobs.put(j.path("jid").asText(), j.path("name").asText());
                }
              }
            });
    return jobs;
  }

  @Override
  void cancelJobsStartedSince(java.util.Set<String> before, java.io.PrintStream err) {
    for (Map.Entry<String, String> job : runningJobs().entrySet()) {
      if (!before.contains(job.getKey())) {
        boolean cancelled = patch(webUi() + "jobs/" + job.getKey() + "?mode=cancel");
        err.println(
            "lakehouse cluster: "
                + (cancelled ? "cancelled" : "could not cancel")
                + " the job "
                + job.getValue()
                + " ("
                + job.getKey()
                + ") its stopped client had started");
      }
    }
  }
}
