package com.retail.lakehouse.cluster;

import com.retail.lakehouse.common.Folders;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A Spark 3.5 standalone cluster: a Master (service port {@code port}, web UI {@code uiPort}) and
 * {@code workers} Workers ({@code slots} cores and {@code workerMemoryMb} for executors each, web
 * UIs on the ports after the master's), each its own JVM. A Worker launches each application's
 * executor in a JVM of its own, from {@code SPARK_HOME/jars}: the cluster lays out a SPARK_HOME of
 * its own ({@code home/}) whose {@code jars/} links cluster/spark-lib's jars, as a Spark download
 * would hold them.
 *
 * <p>Jobs are submitted through Spark's own {@code SparkSubmit} (client deploy mode: the driver is
 * the submitting JVM) with the runner module's cluster jar, which the executors fetch from the
 * driver. The master's web UI is on 8090 by default, not Spark's 8080, which the lakehouse console
 * takes.
 */
final class SparkCluster extends LocalCluster {
  /** An executor gets 3/4 of a Worker's memory, and Spark refuses executors under 450 MiB. */
  static final int MIN_WORKER_MEMORY_MB = 640;

  SparkCluster(Path home, Path dir, ClusterSettings settings) {
    super(Engine.SPARK, home, dir, settings);
  }

  Path sparkHome() {
    return dir.resolve("home");
  }

  String masterUrl() {
    return "spark://localhost:" + settings.port();
  }

  @Override
  List<Integer> masterPorts() {
    return List.of(settings.port(), settings.uiPort());
  }

  @Override
  String webUi() {
    return "http://localhost:" + settings.uiPort() + "/";
  }

  @Override
  void writeConfig() throws IOException {
    Path jars = sparkHome().resolve("jars");
    Folders.deleteRecursively(jars);
    Files.createDirectories(jars);
    for (Path jar : libJars()) {
      Files.createSymbolicLink(jars.resolve(jar.getFileName()), jar);
    }
    Path conf = sparkHome().resolve("conf");
    Files.createDirectories(conf);
    Files.createDirectories(conf());
    Files.write(
        conf.resolve("log4j2.properties"),
        List.of(
            "# Written by ./lakehouse cluster start. Daemons and executors log to stderr (their .out"
                + " file, an executor's work/<app>/<id>/stderr).",
            "rootLogger.level = INFO",
            "rootLogger.appenderRef.stderr.ref = console",
            "appender.console.type = Console",
            "appender.console.name = console",
            "appender.console.target = SYSTEM_ERR",
            "appender.console.layout.type = PatternLayout",
            "appender.console.layout.pattern = %d{yy/MM/dd HH:mm:ss} %p %c{1}: %m%n%ex",
            "logger.kafka.name = org.apache.kafka",
            "logger.kafka.level = WARN",
            "logger.jetty.name = org.sparkproject.jetty",
            "logger.jetty.level = WARN"),
        StandardCharsets.UTF_8);
    Files.write(
        conf().resolve("log4j2-client.properties"),
        List.of(
            "# The submitting JVM (the driver): warnings, and the lakehouse's own progress lines.",
            "rootLogger.level = WARN",
            "rootLogger.appenderRef.stderr.ref = console",
            "appender.console.type = Console",
            "appender.console.name = console",
            "appender.console.target = SYSTEM_ERR",
            "appender.console.layout.type = PatternLayout",
            "appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n%ex",
            "logger.lakehouse.name = com.retail.lakehouse",
            "logger.lakehouse.level = INFO"),
        StandardCharsets.UTF_8);
  }

  private Map<String, String> env() {
    return Map.of(
        "SPARK_HOME", sparkHome().toString(),
        "SPARK_CONF_DIR", sparkHome().resolve("conf").toString(),
        "SPARK_SCALA_VERSION", "2.12",
        "SPARK_LOG_DIR", logs().toString(),
        "SPARK_LOCAL_IP", "127.0.0.1");
  }

  private String daemonClasspath() {
    return sparkHome().resolve("conf") + "/:" + sparkHome().resolve("jars") + "/*";
  }

  @Override
  List<Daemon> daemons() throws IOException {
    List<Daemon> daemons = new ArrayList<>();
    daemons.add(
        daemon(
            "master",
            jvm(
                "master",
                "org.apache.spark.deploy.master.Master",
                List.of(
                    "--host",
                    "localhost",
                    "--port",
                    Integer.toString(settings.port()),
                    "--webui-port",
                    Integer.toString(settings.uiPort()))),
            env()));
    for (int i = 1; i <= settings.workers(); i++) {
      String name = "worker-" + i;
      daemons.add(
          daemon(
              name,
              jvm(
                  name,
                  "org.apache.spark.deploy.worker.Worker",
                  List.of(
                      "--host",
                      "localhost",
                      "--cores",
                      Integer.toString(settings.slots()),
                      "--memory",
                      settings.workerMemoryMb() + "m",
                      "--webui-port",
                      Integer.toString(settings.uiPort() + i),
                      "--work-dir",
                      dir.resolve("work").resolve(name).toString(),
                      masterUrl())),
              env()));
    }
    return daemons;
  }

  private List<String> jvm(String name, String main, List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(java());
    command.add("-Xmx512m");
    command.addAll(moduleFlags());
    command.add(marker(name));
    command.add("-cp");
    command.add(daemonClasspath());
    command.add(main);
    command.addAll(args);
    return command;
  }

  @Override
  Registration registration(String daemon) {
    return daemon.startsWith("worker-")
        ? new Registration(logs().resolve(daemon + ".out"), "Successfully registered with master")
        : null;
  }

  @Override
  Optional<Health> health() {
    return getJson("http://localhost:" + settings.uiPort() + "/json/")
        .map(
            o -> {
              int alive = o.path("aliveworkers").asInt();
              boolean ready =
                  "ALIVE".equals(o.path("status").asText())
                      && alive == settings.workers()
                      && o.path("cores").asInt() == settings.workers() * settings.slots();
              return new Health(
                  ready,
                  String.format(
                      "Spark master %s, %d workers alive, %d cores (%d used), %d applications"
                          + " running",
                      o.path("status").asText("?"),
                      alive,
                      o.path("cores").asInt(),
                      o.path("coresused").asInt(),
                      o.path("activeapps").size()));
            });
  }

  /** Executors get ~3/4 of a Worker's memory; the rest is the JVM's own and off-heap. */
  int executorMemoryMb() {
    return settings.workerMemoryMb() * 3 / 4;
  }

  @Override
  List<String> clientCommand(List<String> args) throws IOException {
    List<String> command = client(args, masterUrl());
    ClusterCommand.addUnlessGiven(command, args, "sparkMaster", masterUrl());
    return command;
  }

  @Override
  List<String> remoteClientCommand(List<String> args, String master) throws IOException {
    return client(args, master);
  }

  /** Spark's SparkSubmit running the lakehouse command from the cluster jar on {@code master}. */
  private List<String> client(List<String> args, String master) throws IOException {
    Path jar = clusterJar();
    List<String> command = new ArrayList<>();
    command.add(java());
    command.addAll(clientJvmFlags());
    command.add("-Dlakehouse.runner=spark");
    command.add("-Dlakehouse.home=" + home);
    command.add("-Dlog4j2.configurationFile=file:" + conf().resolve("log4j2-client.properties"));
    command.add("-cp");
    command.add(classpath(libJars()));
    command.add("org.apache.spark.deploy.SparkSubmit");
    command.addAll(
        List.of(
            "--master",
            master,
            "--deploy-mode",
            "client",
            "--name",
            "lakehouse " + (args.isEmpty() ? "" : args.get(0)),
            "--class",
            ClusterCommand.PIPELINES_MAIN,
            "--conf",
            "spark.executor.memory=" + executorMemoryMb() + "m",
            "--conf",
            "spark.executor.extraJavaOptions=-Dlakehouse.cluster=" + dir,
            "--conf",
            "spark.driver.host=localhost",
            "--conf",
            "spark.driver.bindAddress=127.0.0.1",
            jar.toString()));
    command.addAll(args);
    ClusterCommand.addUnlessGiven(command, args, "filesToStage", jar.toString());
    return command;
  }
}
