package com.retail.lakehouse.common;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;

/**
 * Where the local Trino of a data folder answers ({@code ./lakehouse trino start} writes it, {@code
 * ./lakehouse sql --engine trino} reads it): {@code <data-dir>/trino/endpoint.properties} with the
 * service's pid, Trino's pid and the JDBC URL. The one place that knows this file. An endpoint is
 * {@linkplain #alive() alive} while the service process is.
 *
 * @param servicePid the process that serves the catalog and supervises Trino
 * @param trinoPid Trino's own process
 * @param jdbcUrl e.g. {@code jdbc:trino://127.0.0.1:8089/lakehouse}
 * @param ready false while Trino is still starting
 */
public record TrinoEndpoint(long servicePid, long trinoPid, String jdbcUrl, boolean ready) {
  /** The folder below a data folder that holds Trino's configuration, state and logs. */
  public static final String FOLDER = "trino";

  private static final String FILE = "endpoint.properties";

  public TrinoEndpoint {
    Objects.requireNonNull(jdbcUrl, "jdbcUrl must not be null");
  }

  /** {@code <data-dir>/trino}. */
  public static Path folder(Path dataDir) {
    return Objects.requireNonNull(dataDir, "dataDir must not be null").resolve(FOLDER);
  }

  /** The recorded endpoint of a data folder, if a file is there (alive or not). */
  public static Optional<TrinoEndpoint> read(Path dataDir) {
    Path file = folder(dataDir).resolve(FILE);
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    try {
      return Optional.of(
          new TrinoEndpoint(
              Long.parseLong(p.getProperty("service_pid", "-1")),
              Long.parseLong(p.getProperty("trino_pid", "-1")),
              p.getProperty("jdbc_url", ""),
              Boolean.parseBoolean(p.getProperty("ready", "false"))));
    } catch (NumberFormatException e) {
      return Optional.empty(); // a torn file from a crashed service: treated as no endpoint
    }
  }

  /** The running Trino of a data folder: recorded, ready and its service process alive. */
  public static Optional<TrinoEndpoint> running(Path dataDir) {
    return read(dataDir).filter(e -> e.ready && e.alive());
  }

  /** Writes this endpoint atomically (a reader never sees half a file). */
  public void write(Path dataDir) throws IOException {
    Path dir = folder(dataDir);
    Files.createDirectories(dir);
    Properties p = new Properties();
    p.setProperty("service_pid", Long.toString(servicePid));
    p.setProperty("trino_pid", Long.toString(trinoPid));
    p.setProperty("jdbc_url", jdbcUrl);
    p.setProperty("ready", Boolean.toString(ready));
    Path tmp = dir.resolve(FILE + ".tmp");
    try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
      p.store(w, "written by ./lakehouse trino; removed when it stops");
    }
    Files.move(tmp, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE);
  }

  /** Removes the endpoint file of a data folder (no error if there is none). */
  public static void delete(Path dataDir) throws IOException {
    Files.deleteIfExists(folder(dataDir).resolve(FILE));
  }

  /** Whether the service process is alive. */
  public boolean alive() {
    return ProcessHandle.of(servicePid).map(ProcessHandle::isAlive).orElse(false);
  }
}
