package com.retail.lakehouse.trino;

import com.retail.lakehouse.common.UsageException;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.iceberg.catalog.Catalog;

/**
 * A running local Trino over the lakehouse tables: a {@link RestCatalog} in this JVM serving the
 * pipelines' catalog, and a Trino server (a child process on its own Java 24+ JDK) whose catalog
 * {@code lakehouse} is an Iceberg REST catalog pointing at it. Trino reads data files straight from
 * the warehouse folder. Started together, ready when Trino has read a table of the catalog ({@link
 * TrinoReadiness}), stopped together by {@link #close()} (SIGTERM, then SIGKILL after 30 s).
 */
final class LocalTrino implements AutoCloseable {
  private final RestCatalog rest;
  private final Process process;
  private final int port;

  private LocalTrino(RestCatalog rest, Process process, int port) {
    this.rest = rest;
    this.process = process;
    this.port = port;
  }

  /**
   * Starts the catalog and Trino and waits until Trino answers queries.
   *
   * @throws UsageException when the distribution, the Java home, the port or the warehouse is
   *     unusable
   * @throws IllegalStateException when Trino exits or is not ready within {@code timeout} (the
   *     message names its log)
   */
  static LocalTrino start(TrinoSettings s, Duration timeout) throws IOException {
    Path install = TrinoInstall.ensure(s.dist(), System.out);
    CatalogSettings catalogSettings = CatalogSettings.of(s.catalog());
    String warehouse = catalogSettings.warehouse();
    if (warehouse.contains("://") && !warehouse.startsWith("file:")) {
      throw new UsageException(
          "the local Trino reads a warehouse folder only, got "
              + warehouse
              + " (on AWS, Athena reads the Glue catalog)");
    }
    int port = s.port() == 0 ? freePort() : s.port();
    requireFree(port);
    Catalog catalog = catalogSettings.catalog();
    RestCatalog rest = RestCatalog.start(catalog, 0);
    Process process;
    try {
      writeConfig(s, install, port, rest.uri());
      List<String> cmd = command(s, install, port);
      process =
          new ProcessBuilder(cmd)
              .directory(s.folder().toFile())
              .redirectErrorStream(true)
              .redirectOutput(s.log().toFile())
              .start();
    } catch (IOException | RuntimeException e) {
      rest.close();
      throw e;
    }
    LocalTrino trino = new LocalTrino(rest, process, port);
    try {
      TrinoReadiness.await(
          URI.create("http://127.0.0.1:" + port),
          TrinoReadiness.probeFor(catalog),
          process,
          timeout,
          s.log());
    } catch (RuntimeException e) {
      trino.close();
      throw e;
    }
    return trino;
  }

  /** {@code jdbc:trino://127.0.0.1:<port>/lakehouse}. */
  String jdbcUrl() {
    return "jdbc:trino://127.0.0.1:" + port + "/" + TrinoSettings.CATALOG;
  }

  int port() {
    return port;
  }

  long trinoPid() {
    return process.pid();
  }

  /** Whether the Trino process is still alive. */
  boolean alive() {
    return process.isAlive();
  }

  /** Blocks until the Trino process exits; returns its exit code. */
  int awaitExit() throws InterruptedException {
    return process.waitFor();
  }

  @Override
  public void close() {
    try {
      if (process.isAlive()) {
        process.destroy(); // SIGTERM: Trino shuts down in order
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          process.descendants().forEach(ProcessHandle::destroyForcibly);
          process.destroyForcibly();
          process.waitFor(10, TimeUnit.SECONDS);
        }
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    } finally {
      rest.close();
    }
  }

  /** The first line of Trino's log that names an error, for a one-line failure. */
  static String firstError(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      // Trino's own start-up failure first ("Configuration errors", "1) Error: ..."), then any.
      for (String line : lines) {
        if (line.strip().matches("\\d+\\) Error: .*")) {
          return line.strip();
        }
      }
      for (String line : lines) {
        if (line.contains("ERROR") && line.contains("io.trino.server")) {
          return line.strip();
        }
      }
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
    return "(no error line in the log)";
  }

  private static void writeConfig(TrinoSettings s, Path install, int port, URI catalogUri)
      throws IOException {
    Path etc = s.folder().resolve("etc");
    Path catalogs = etc.resolve("catalog");
    Files.createDirectories(catalogs);
    Files.createDirectories(s.folder().resolve("node"));
    // Every property below is one Trino 476 knows: an unknown one stops its start-up.
    write(
        etc.resolve("config.properties"),
        "coordinator=true",
        "node-scheduler.include-coordinator=true",
        "http-server.http.port=" + port,
        "discovery.uri=http://127.0.0.1:" + port,
        "plugin.dir=" + install.resolve("plugin").toAbsolutePath(),
        "catalog.config-dir=" + catalogs.toAbsolutePath());
    write(
        catalogs.resolve(TrinoSettings.CATALOG + ".properties"),
        "connector.name=iceberg",
        "iceberg.catalog.type=rest",
        "iceberg.rest-catalog.uri=" + catalogUri,
        // The warehouse is a local folder: Hadoop's local file system reads file: and plain paths.
        "fs.hadoop.enabled=true");
    write(etc.resolve("log.properties"), "io.trino=INFO");
  }

  private static List<String> command(TrinoSettings s, Path install, int port) {
    Path node = s.folder().resolve("node").toAbsolutePath();
    Path etc = s.folder().resolve("etc").toAbsolutePath();
    List<String> cmd = new ArrayList<>();
    cmd.add(s.javaHome().resolve("bin/java").toString());
    cmd.add("-Xmx" + s.heap());
    // The JVM flags of Trino's own launcher (etc/jvm.config of its distribution).
    cmd.addAll(
        List.of(
            "-XX:+UseG1GC",
            "-XX:G1HeapRegionSize=32M",
            "-XX:+ExplicitGCInvokesConcurrent",
            "-XX:+ExitOnOutOfMemoryError",
            "-XX:-OmitStackTraceInFastThrow",
            "-XX:ReservedCodeCacheSize=256M",
            "-XX:PerMethodRecompilationCutoff=10000",
            "-XX:PerBytecodeRecompilationCutoff=10000",
            "-XX:+EnableDynamicAgentLoading",
            "-Djdk.attach.allowAttachSelf=true",
            "-Djdk.nio.maxCachedBufferSize=2000000",
            "-Dfile.encoding=UTF-8",
            "-Duser.timezone=UTC"));
    cmd.add("-Dnode.environment=lakehouse");
    cmd.add("-Dnode.id=lakehouse-" + port);
    cmd.add("-Dnode.data-dir=" + node);
    // Loopback only: no authentication here, so nothing beyond this machine may reach it.
    cmd.add("-Dnode.bind-ip=127.0.0.1");
    cmd.add("-Dnode.internal-address=127.0.0.1");
    cmd.add("-Dconfig=" + etc.resolve("config.properties"));
    cmd.add("-Dlog.levels-file=" + etc.resolve("log.properties"));
    cmd.add("-cp");
    cmd.add(install.toAbsolutePath().resolve("lib") + "/*");
    cmd.add("io.trino.server.TrinoServer");
    return cmd;
  }

  private static void write(Path file, String... lines) throws IOException {
    Files.write(file, List.of(lines), StandardCharsets.UTF_8);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static void requireFree(int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
    } catch (IOException e) {
      throw new UsageException("port " + port + " is in use: pass --port with a free one");
    }
  }
}
