package com.retail.lakehouse.trino;

import com.retail.lakehouse.common.CatalogFlags;
import com.retail.lakehouse.common.TrinoEndpoint;
import com.retail.lakehouse.common.UsageException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * What a local Trino needs: the data folder (its catalog and {@code <data-dir>/trino}), the HTTP
 * port, the unpacked Trino distribution and a Java 24+ home for the Trino process alone.
 *
 * @param dataDir the lakehouse data folder
 * @param catalog the catalog the pipelines write (served to Trino over REST)
 * @param port Trino's HTTP port on 127.0.0.1 (0: a free one)
 * @param dist the folder with Trino's archives (see {@link TrinoInstall})
 * @param javaHome a JDK of version {@value #MIN_JAVA} or newer
 * @param heap Trino's -Xmx, e.g. {@code 2g}
 */
record TrinoSettings(
    Path dataDir, CatalogFlags catalog, int port, Path dist, Path javaHome, String heap) {
  /** Trino 476 refuses older JVMs. */
  static final int MIN_JAVA = 24;

  /** The catalog's name in Trino: {@code jdbc:trino://host:port/lakehouse}. */
  static final String CATALOG = "lakehouse";

  static final int DEFAULT_PORT = 8089;

  TrinoSettings {
    Objects.requireNonNull(dataDir, "dataDir must not be null");
    Objects.requireNonNull(catalog, "catalog must not be null");
    Objects.requireNonNull(dist, "dist must not be null");
    Objects.requireNonNull(javaHome, "javaHome must not be null");
    if (port < 0 || port > 65535) {
      throw new UsageException("--port must be 0..65535, got " + port);
    }
    if (heap == null || !heap.matches("\\d+[mMgG]")) {
      throw new UsageException("--heap looks like 2g or 1536m, got '" + heap + "'");
    }
  }

  /** {@code <data-dir>/trino}: configuration, Trino's node data and its log. */
  Path folder() {
    return TrinoEndpoint.folder(dataDir);
  }

  /** Trino's console output (its log): {@code <data-dir>/trino/server.log}. */
  Path log() {
    return folder().resolve("server.log");
  }

  /**
   * A Java home for Trino: {@code given} if set, else {@code $LAKEHOUSE_TRINO_JAVA_HOME}, else the
   * newest JDK of version {@value #MIN_JAVA}+ under /usr/lib/jvm.
   *
   * @throws UsageException when none is found or the given one is too old
   */
  static Path javaHome(String given) {
    String chosen =
        given != null && !given.isBlank() ? given : System.getenv("LAKEHOUSE_TRINO_JAVA_HOME");
    if (chosen != null && !chosen.isBlank()) {
      Path home = Path.of(chosen);
      int version = javaVersion(home).orElse(0);
      if (version < MIN_JAVA) {
        throw new UsageException(
            "Trino needs Java "
                + MIN_JAVA
                + "+, but "
                + home
                + (version == 0 ? " is not a JDK" : " is Java " + version));
      }
      return home;
    }
    Path jvms = Path.of("/usr/lib/jvm");
    try (Stream<Path> homes = Files.isDirectory(jvms) ? Files.list(jvms) : Stream.empty()) {
      return homes
          .filter(h -> javaVersion(h).orElse(0) >= MIN_JAVA)
          .max(Comparator.comparingInt((Path h) -> javaVersion(h).orElse(0)))
          .orElseThrow(
              () ->
                  new UsageException(
                      "Trino needs Java "
                          + MIN_JAVA
                          + "+ and none is under /usr/lib/jvm: install one (e.g. Temurin 25) and"
                          + " pass --java-home DIR"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The feature version in a JDK's {@code release} file, if it is a JDK with a java binary. */
  static Optional<Integer> javaVersion(Path home) {
    Path release = home.resolve("release");
    if (!Files.isRegularFile(release) || !Files.isExecutable(home.resolve("bin/java"))) {
      return Optional.empty();
    }
    Properties p = new Properties();
    try (var in = Files.newBufferedReader(release)) {
      p.load(in);
    } catch (IOException e) {
      return Optional.empty();
    }
    String v = p.getProperty("JAVA_VERSION", "").replace("\"", "");
    List<String> parts = List.of(v.split("[.+-]"));
    try {
      int major = Integer.parseInt(parts.get(0));
      return Optional.of(major == 1 && parts.size() > 1 ? Integer.parseInt(parts.get(1)) : major);
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
