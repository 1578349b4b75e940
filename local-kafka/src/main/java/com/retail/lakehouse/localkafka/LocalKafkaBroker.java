package com.retail.lakehouse.localkafka;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real single-node KRaft Kafka 4.1 broker (combined broker and controller) running in a child
 * JVM, so that the broker's Kafka 4 and Scala 2.13 jars never meet the caller's classpath.
 *
 * <p>Everything lives under {@code <dataDir>/kafka}: the data ({@code log/}), the broker's console
 * and log4j output ({@code broker.log}), its generated {@code server.properties} and {@code
 * log4j.properties}, and {@code broker.json}, which describes the running broker so that a second
 * {@link #start(Path)} on the same data directory attaches to it instead of starting another one.
 *
 * <p>The owning instance registers a JVM shutdown hook that stops the child when the parent exits
 * without {@link #close()}. A parent killed with {@code kill -9} cannot run that hook, so it leaves
 * the broker running; the next {@link #start(Path)} on the same data directory then attaches to it
 * (and stop it with {@code kill <pid>} from {@code broker.json} if it is no longer wanted).
 *
 * <p>This class uses only the JDK: the broker's jars are read from the classpath resource {@code
 * lakehouse/kafka-broker.classpath} written by the build.
 */
public final class LocalKafkaBroker implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(LocalKafkaBroker.class.getName());

  private static final String CLASSPATH_RESOURCE = "/lakehouse/kafka-broker.classpath";
  private static final String HOST = "127.0.0.1";
  private static final String STARTED_MARKER = "Kafka Server started";
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration FORMAT_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
  private static final int LOG_TAIL_LINES = 20;
  private static final Object START_LOCK = new Object();
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path kafkaDir;
  private final String bootstrapServers;
  private final long pid;
  private final Process process;
  private final Thread shutdownHook;
  private boolean closed;

  private LocalKafkaBroker(
      Path kafkaDir, String bootstrapServers, long pid, Process process, Thread shutdownHook) {
    this.kafkaDir = kafkaDir;
    this.bootstrapServers = bootstrapServers;
    this.pid = pid;
    this.process = process;
    this.shutdownHook = shutdownHook;
  }

  /**
   * Starts a broker on {@code dataDir} with free ports chosen automatically, or attaches to the
   * broker already running on it, so callers need not manage ports or duplicate brokers.
   */
  public static LocalKafkaBroker start(Path dataDir) throws IOException {
    return start(dataDir, 0);
  }

  /**
   * Starts a broker on {@code dataDir} listening on {@code port} (0 picks a free one), or attaches
   * to the broker already running on it when that broker uses the same port.
   */
  public static LocalKafkaBroker start(Path dataDir, int port) throws IOException {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("Port out of range: " + port);
    }
    Path kafkaDir = dataDir.toAbsolutePath().normalize().resolve("kafka");
    Files.createDirectories(kafkaDir);
    // One start at a time per data directory: threads of this JVM via the monitor, other JVMs via
    // the file lock.
    synchronized (START_LOCK) {
      try (FileChannel channel =
              FileChannel.open(
                  kafkaDir.resolve("start.lock"),
                  StandardOpenOption.CREATE,
                  StandardOpenOption.WRITE);
          FileLock ignored = channel.lock()) {
        Optional<LocalKafkaBroker> running = attach(kafkaDir);
        if (running.isPresent()) {
          LocalKafkaBroker attached = running.get();
          if (port != 0 && !attached.bootstrapServers.equals(HOST + ":" + port)) {
            throw new IOException(
                "A Kafka broker (pid "
                    + attached.pid
                    + ") is already running on "
                    + kafkaDir
                    + " at "
                    + attached.bootstrapServers
                    + ", not on port "
                    + port
                    + "; stop it or use start(dataDir) to attach to it");
          }
          LOG.log(
              Level.INFO,
              "Attached to running Kafka broker pid {0,number,#} at {1} ({2})",
              attached.pid,
              attached.bootstrapServers,
              kafkaDir);
          return attached;
        }
        return launch(kafkaDir, port);
      }
    }
  }

  /**
   * The address of the broker running on {@code dataDir}, if one is running and accepting
   * connections; nothing is started.
   */
  public static Optional<String> runningAddress(Path dataDir) throws IOException {
    return attach(dataDir.toAbsolutePath().normalize().resolve("kafka"))
        .map(b -> b.bootstrapServers);
  }

  /** Returns the address clients connect to, {@code 127.0.0.1:<port>}. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** Returns the broker's data directory ({@code <dataDir>/kafka/log}), where topics are stored. */
  public Path logDir() {
    return kafkaDir.resolve("log");
  }

  /** Returns the broker's console and log4j output file, the place to look when it misbehaves. */
  public Path brokerLog() {
    return kafkaDir.resolve("broker.log");
  }

  /**
   * Returns whether this instance started the broker (and so stops it on close), as opposed to
   * having attached to a broker that was already running.
   */
  public boolean ownsProcess() {
    return process != null;
  }

  /** Returns the process id of the broker's JVM, for diagnostics and manual cleanup. */
  public long pid() {
    return pid;
  }

  /**
   * Kills the broker's JVM with SIGKILL ({@link ProcessHandle#destroyForcibly()}), as {@code kill
   * -9} or a crash would: no clean shutdown, the log is recovered on the next start. Waits until
   * the process is gone. Leaves {@code broker.json} behind like a crash does (a later start ignores
   * it since its pid is dead). For fault tests; {@link #restart()} brings the broker back.
   *
   * @throws IOException if the process is still alive 30 s after the signal
   */
  public synchronized void killForcibly() throws IOException {
    if (shutdownHook != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException shuttingDown) {
        // The hook is running or about to; it finds the process gone.
      }
    }
    Optional<ProcessHandle> handle =
        process != null ? Optional.of(process.toHandle()) : ProcessHandle.of(pid);
    if (handle.isEmpty() || !handle.get().isAlive()) {
      return;
    }
    handle.get().destroyForcibly();
    try {
      handle.get().onExit().get(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("Interrupted while killing Kafka broker pid " + pid, e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IOException(
          "Kafka broker pid "
              + pid
              + " still runs "
              + STOP_TIMEOUT.toSeconds()
              + " s after SIGKILL",
          e);
    }
    LOG.log(Level.INFO, "Killed Kafka broker pid {0,number,#} with SIGKILL", pid);
  }

  /**
   * Starts the broker again on the same data directory and port, after {@link #killForcibly()} or
   * {@link #close()}, as an operator restarting a broker would: clients keep their bootstrap
   * address and reconnect, topics and offsets are where the log left them. Returns the new
   * instance, which owns the new process.
   *
   * @throws IOException if the broker cannot start (e.g. this one still runs on the port)
   */
  public LocalKafkaBroker restart() throws IOException {
    int port = Integer.parseInt(bootstrapServers.substring(bootstrapServers.lastIndexOf(':') + 1));
    return start(kafkaDir.getParent(), port);
  }

  /**
   * Stops the broker cleanly if this instance owns it (SIGTERM, up to 30 s, then SIGKILL) and
   * removes {@code broker.json}; does nothing for an attached instance.
   */
  @Override
  public synchronized void close() {
    if (closed || process == null) {
      closed = true;
      return;
    }
    closed = true;
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // The hook is running or about to; stopping twice is harmless.
    }
    long t0 = System.nanoTime();
    stopProcess(process);
    deleteStateIfOurs(kafkaDir, pid);
    LOG.log(
        Level.INFO,
        "Stopped Kafka broker pid {0,number,#} in {1,number,#} ms",
        pid,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
  }

  @Override
  public String toString() {
    return "LocalKafkaBroker[" + bootstrapServers + ", pid " + pid + ", " + kafkaDir + "]";
  }

  // ---------------------------------------------------------------------------------------------
  // Starting

  private static LocalKafkaBroker launch(Path kafkaDir, int requestedPort) throws IOException {
    long t0 = System.nanoTime();
    Path logDir = kafkaDir.resolve("log");
    Path brokerLog = kafkaDir.resolve("broker.log");
    Files.createDirectories(logDir);

    int port = requestedPort == 0 ? freePort() : requestedPort;
    if (requestedPort != 0 && !isBindable(port)) {
      throw new IOException(
          "Cannot start Kafka broker: port "
              + port
              + " on "
              + HOST
              + " is already in use (by another process or broker)");
    }
    int controllerPort = freePort();
    while (controllerPort == port) {
      controllerPort = freePort();
    }

    Path serverProperties = kafkaDir.resolve("server.properties");
    Path log4jProperties = kafkaDir.resolve("log4j.properties");
    writeString(serverProperties, serverProperties(port, controllerPort, logDir));
    writeString(log4jProperties, LOG4J_PROPERTIES);
    writeString(kafkaDir.resolve(LOG4J2_FILE), LOG4J2_PROPERTIES);
    String classpath = brokerClasspath();

    if (!Files.exists(logDir.resolve("meta.properties"))) {
      format(kafkaDir, classpath, serverProperties, log4jProperties, brokerLog);
    }
    long tFormatted = System.nanoTime();

    long logOffset = Files.exists(brokerLog) ? Files.size(brokerLog) : 0L;
    List<String> command =
        javaCommand(
            classpath, log4jProperties, kafkaDir, "kafka.Kafka", serverProperties.toString());
    Process process = spawn(command, kafkaDir, brokerLog, "kafka.Kafka on port " + port);
    String bootstrap = HOST + ":" + port;
    Thread hook =
        new Thread(
            () -> {
              stopProcess(process);
              deleteStateIfOurs(kafkaDir, process.pid());
            },
            "local-kafka-shutdown-" + process.pid());
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      awaitReady(process, port, brokerLog, logOffset);
    } catch (IOException | RuntimeException e) {
      stopProcess(process);
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException ignored) {
        // JVM shutting down.
      }
      throw e;
    }
    writeState(kafkaDir, process.pid(), bootstrap);
    long t1 = System.nanoTime();
    LOG.log(
        Level.INFO,
        "Started Kafka broker pid {0,number,#} at {1} in {2,number,#} ms (format {3,number,#} ms); data {4}, log {5}",
        process.pid(),
        bootstrap,
        TimeUnit.NANOSECONDS.toMillis(t1 - t0),
        TimeUnit.NANOSECONDS.toMillis(tFormatted - t0),
        logDir,
        brokerLog);
    return new LocalKafkaBroker(kafkaDir, bootstrap, process.pid(), process, hook);
  }

  private static void format(
      Path kafkaDir, String classpath, Path serverProperties, Path log4jProperties, Path brokerLog)
      throws IOException {
    long logOffset = Files.exists(brokerLog) ? Files.size(brokerLog) : 0L;
    List<String> command =
        javaCommand(
            classpath,
            log4jProperties,
            kafkaDir,
            "kafka.tools.StorageTool",
            "format",
            "-t",
            newClusterId(),
            "-c",
            serverProperties.toString());
    Process process = spawn(command, kafkaDir, brokerLog, "kafka.tools.StorageTool format");
    try {
      if (!process.waitFor(FORMAT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        stopProcess(process);
        throw failure(
            "Formatting the Kafka log directory timed out after "
                + FORMAT_TIMEOUT.toSeconds()
                + " s",
            brokerLog,
            logOffset);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopProcess(process);
      throw new IOException("Interrupted while formatting the Kafka log directory", e);
    }
    if (process.exitValue() != 0) {
      throw failure(
          "Formatting the Kafka log directory failed with exit code " + process.exitValue(),
          brokerLog,
          logOffset);
    }
  }

  private static List<String> javaCommand(
      String classpath, Path log4jProperties, Path kafkaDir, String mainClass, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xms128m");
    command.add("-Xmx512m");
    command.add("-XX:+UseG1GC");
    command.add("-XX:MaxGCPauseMillis=20");
    command.add("-XX:+ExitOnOutOfMemoryError");
    command.add("-Djava.awt.headless=true");
    command.add("-Dlog4j.configuration=" + log4jProperties.toUri());
    // Kafka 4 also touches Log4j 2 (its logger MBean); without a config it prints an ERROR line.
    command.add(
        "-Dlog4j2.configurationFile=" + log4jProperties.resolveSibling(LOG4J2_FILE).toUri());
    command.add("-Dkafka.logs.dir=" + kafkaDir);
    command.add("-cp");
    command.add(classpath);
    command.add(mainClass);
    command.addAll(List.of(args));
    return command;
  }

  private static Process spawn(List<String> command, Path kafkaDir, Path brokerLog, String label)
      throws IOException {
    Files.writeString(
        brokerLog,
        "==== " + Instant.now() + " LocalKafkaBroker runs " + label + "\n",
        StandardCharsets.UTF_8,
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.directory(kafkaDir.toFile());
    builder.redirectErrorStream(true);
    builder.redirectOutput(ProcessBuilder.Redirect.appendTo(brokerLog.toFile()));
    builder.redirectInput(ProcessBuilder.Redirect.from(nullDevice()));
    // Keep the caller's Kafka tooling settings (KAFKA_OPTS, KAFKA_HEAP_OPTS, ...) out of the child.
    builder.environment().keySet().removeIf(k -> k.startsWith("KAFKA_"));
    return builder.start();
  }

  private static File nullDevice() {
    return new File(System.getProperty("os.name", "").startsWith("Windows") ? "NUL" : "/dev/null");
  }

  private static void awaitReady(Process process, int port, Path brokerLog, long logOffset)
      throws IOException {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    boolean started = false;
    while (true) {
      if (!process.isAlive()) {
        throw failure(
            "Kafka broker (pid "
                + process.pid()
                + ") exited with code "
                + process.exitValue()
                + " during startup",
            brokerLog,
            logOffset);
      }
      if (!started) {
        started = readFrom(brokerLog, logOffset).contains(STARTED_MARKER);
      }
      if (started && accepts(port)) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw failure(
            "Kafka broker (pid "
                + process.pid()
                + ") was not ready on "
                + HOST
                + ":"
                + port
                + " within "
                + READY_TIMEOUT.toSeconds()
                + " s",
            brokerLog,
            logOffset);
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("Interrupted while waiting for the Kafka broker to start", e);
      }
    }
  }

  private static String serverProperties(int port, int controllerPort, Path logDir) {
    return String.join(
            "\n",
            "# Written by LocalKafkaBroker on every start; edits are overwritten.",
            "process.roles=broker,controller",
            "node.id=1",
            "controller.quorum.voters=1@" + HOST + ":" + controllerPort,
            "listeners=PLAINTEXT://"
                + HOST
                + ":"
                + port
                + ",CONTROLLER://"
                + HOST
                + ":"
                + controllerPort,
            "advertised.listeners=PLAINTEXT://" + HOST + ":" + port,
            "controller.listener.names=CONTROLLER",
            "inter.broker.listener.name=PLAINTEXT",
            "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "log.dirs=" + propertyValue(logDir.toString()),
            "num.partitions=4",
            "auto.create.topics.enable=true",
            "offsets.topic.replication.factor=1",
            // 50 partitions (the default) make the first consumer group noticeably slow on 2 cores.
            "offsets.topic.num.partitions=4",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "transaction.state.log.num.partitions=4",
            "share.coordinator.state.topic.replication.factor=1",
            "share.coordinator.state.topic.min.isr=1",
            "group.initial.rebalance.delay.ms=0",
            // Keep data forever: tests and demos re-read topics.
            "log.retention.hours=-1",
            // The default 128 MiB dedupe buffer is a quarter of the child's heap.
            "log.cleaner.dedupe.buffer.size=16777216",
            // Accept oversized POS payloads (up to 16 MiB) so ingest can dead-letter them.
            "message.max.bytes=16777216",
            "")
        + "\n";
  }

  private static String propertyValue(String value) {
    return value.replace("\\", "\\\\");
  }

  private static final String LOG4J_PROPERTIES =
      String.join(
          "\n",
          "# Written by LocalKafkaBroker; stdout is appended to broker.log.",
          "log4j.rootLogger=INFO, stdout",
          "log4j.appender.stdout=org.apache.log4j.ConsoleAppender",
          "log4j.appender.stdout.layout=org.apache.log4j.PatternLayout",
          "log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n",
          "log4j.logger.kafka.request.logger=WARN",
          "log4j.logger.state.change.logger=WARN",
          "log4j.logger.org.apache.kafka.common.utils.AppInfoParser=WARN",
          "");

  private static final String LOG4J2_FILE = "log4j2.properties";

  private static final String LOG4J2_PROPERTIES =
      String.join(
          "\n",
          "# Written by LocalKafkaBroker; Kafka's own logging goes through reload4j (log4j.properties).",
          "status=warn",
          "appender.stdout.type=Console",
          "appender.stdout.name=STDOUT",
          "appender.stdout.layout.type=PatternLayout",
          "appender.stdout.layout.pattern=[%d] %p %m (%c)%n",
          "rootLogger.level=info",
          "rootLogger.appenderRef.stdout.ref=STDOUT",
          "");

  private static String brokerClasspath() throws IOException {
    String classpath;
    try (InputStream in = LocalKafkaBroker.class.getResourceAsStream(CLASSPATH_RESOURCE)) {
      if (in == null) {
        throw new IOException(
            "Resource "
                + CLASSPATH_RESOURCE
                + " not found; build the local-kafka module (mvn -pl local-kafka install)");
      }
      classpath = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
    }
    for (String jar : classpath.split(File.pathSeparator)) {
      if (!jar.isEmpty() && !Files.exists(Path.of(jar))) {
        throw new IOException(
            "Kafka broker jar "
                + jar
                + " is missing; run mvn -pl local-kafka install to download it again");
      }
    }
    return classpath;
  }

  /** A Kafka-style UUID: 16 random bytes, URL-safe base64 without padding, never starting '-'. */
  private static String newClusterId() {
    byte[] bytes = new byte[16];
    String id;
    do {
      RANDOM.nextBytes(bytes);
      id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    } while (id.startsWith("-"));
    return id;
  }

  // ---------------------------------------------------------------------------------------------
  // Stopping

  private static void stopProcess(Process process) {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        LOG.log(
            Level.WARNING,
            "Kafka broker pid {0,number,#} did not stop within {1} s; killing it",
            process.pid(),
            STOP_TIMEOUT.toSeconds());
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // broker.json

  private static final Pattern PID_JSON = Pattern.compile("\"pid\"\\s*:\\s*(\\d+)");
  private static final Pattern BOOTSTRAP_JSON =
      Pattern.compile("\"bootstrap_servers\"\\s*:\\s*\"([^\"]+)\"");

  private static Optional<LocalKafkaBroker> attach(Path kafkaDir) throws IOException {
    Path state = kafkaDir.resolve("broker.json");
    if (!Files.exists(state)) {
      return Optional.empty();
    }
    String json = Files.readString(state, StandardCharsets.UTF_8);
    Matcher pidMatch = PID_JSON.matcher(json);
    Matcher bootstrapMatch = BOOTSTRAP_JSON.matcher(json);
    if (!pidMatch.find() || !bootstrapMatch.find()) {
      LOG.log(Level.WARNING, "Ignoring unreadable {0}", state);
      return Optional.empty();
    }
    long pid = Long.parseLong(pidMatch.group(1));
    String bootstrap = bootstrapMatch.group(1);
    boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    int colon = bootstrap.lastIndexOf(':');
    boolean accepting =
        alive && colon > 0 && accepts(Integer.parseInt(bootstrap.substring(colon + 1)));
    if (!accepting) {
      LOG.log(
          Level.DEBUG,
          "Ignoring stale {0} (pid {1,number,#} alive: {2}, port accepting: {3})",
          state,
          pid,
          alive,
          accepting);
      return Optional.empty();
    }
    return Optional.of(new LocalKafkaBroker(kafkaDir, bootstrap, pid, null, null));
  }

  private static void writeState(Path kafkaDir, long pid, String bootstrap) throws IOException {
    String json =
        "{\"pid\":"
            + pid
            + ",\"bootstrap_servers\":\""
            + bootstrap
            + "\",\"started_at\":\""
            + Instant.now()
            + "\"}\n";
    Path tmp = kafkaDir.resolve("broker.json.tmp");
    writeString(tmp, json);
    Files.move(
        tmp,
        kafkaDir.resolve("broker.json"),
        StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
  }

  private static void deleteStateIfOurs(Path kafkaDir, long pid) {
    Path state = kafkaDir.resolve("broker.json");
    try {
      if (Files.exists(state)) {
        Matcher m = PID_JSON.matcher(Files.readString(state, StandardCharsets.UTF_8));
        if (m.find() && Long.parseLong(m.group(1)) == pid) {
          Files.deleteIfExists(state);
        }
      }
    } catch (IOException | UncheckedIOException e) {
      LOG.log(Level.WARNING, "Could not delete " + state, e);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  private static void writeString(Path path, String content) throws IOException {
    Files.writeString(path, content, StandardCharsets.UTF_8);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    }
  }

  private static boolean isBindable(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getByName(HOST), port), 1);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean accepts(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(HOST, port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static String readFrom(Path file, long offset) throws IOException {
    if (!Files.exists(file)) {
      return "";
    }
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = channel.size();
      if (size <= offset) {
        return "";
      }
      ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(size - offset, 64L << 20));
      channel.read(buffer, offset);
      return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
    }
  }

  /** Builds the one-line reason, then the tail of what the child wrote to broker.log. */
  private static IOException failure(String what, Path brokerLog, long logOffset) {
    List<String> lines = List.of();
    try {
      lines = readFrom(brokerLog, logOffset).lines().toList();
    } catch (IOException e) {
      // Fall through with no log lines.
    }
    String reason = reason(lines);
    StringBuilder message = new StringBuilder(what);
    if (reason != null) {
      message.append(": ").append(reason);
    }
    message.append(" (see ").append(brokerLog).append(')');
    if (!lines.isEmpty()) {
      message.append("\nLast lines of broker.log:");
      for (String line : lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size())) {
        message.append("\n  ").append(line);
      }
    }
    return new IOException(message.toString());
  }

  private static final Pattern EXCEPTION_LINE =
      Pattern.compile("^(?:Caused by: )?([\\w$]+\\.)+[\\w$]*(?:Exception|Error)(?::\\s*(.*))?$");

  /** The most specific cause in the child's output: the last exception line, else an ERROR line. */
  private static String reason(List<String> lines) {
    String lastException = null;
    String firstError = null;
    for (String line : lines) {
      String trimmed = line.strip();
      Matcher m = EXCEPTION_LINE.matcher(trimmed);
      if (m.matches()) {
        lastException = trimmed.startsWith("Caused by: ") ? trimmed.substring(11) : trimmed;
      } else if (firstError == null
          && (trimmed.contains(" ERROR ") || trimmed.contains(" FATAL "))) {
        firstError = trimmed;
      }
    }
    return lastException != null ? lastException : firstError;
  }
}
