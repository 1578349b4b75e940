package com.retail.lakehouse.trino;

import com.retail.lakehouse.common.Folders;
import com.retail.lakehouse.common.UsageException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

/**
 * The Trino distribution on disk: the trino module's build copies Trino's server tarball and its
 * Iceberg plugin zip from Maven Central into {@code trino/target/trino-dist}; the first start
 * unpacks them next to it, once. The tarball is unpacked by the system's {@code tar} because it
 * holds hard links (jars shared by several plugins) that Maven's own unpacker writes as empty
 * files. Unpacking goes to a scratch folder renamed into place at the end, so an interrupted unpack
 * is never mistaken for an install.
 */
final class TrinoInstall {
  static final String VERSION = "476";
  private static final String SERVER = "trino-server-" + VERSION;
  private static final String PLUGIN = "iceberg";

  private TrinoInstall() {}

  /** {@code -Dlakehouse.trino.dist}, else {@code <lakehouse.home>/trino/target/trino-dist}. */
  static Path defaultDist() {
    String given = System.getProperty("lakehouse.trino.dist");
    if (given != null && !given.isBlank()) {
      return Path.of(given);
    }
    return Path.of(System.getProperty("lakehouse.home", ".")).resolve("trino/target/trino-dist");
  }

  /**
   * The unpacked server under {@code dist}, unpacking it first if needed (progress on {@code out}).
   *
   * @throws UsageException when the archives are not there (the module was not built)
   */
  static Path ensure(Path dist, PrintStream out) throws IOException {
    Path install = dist.resolve(SERVER);
    if (Files.isRegularFile(install.resolve(".unpacked"))) {
      return install;
    }
    Path tarball = dist.resolve(SERVER + ".tar.gz");
    if (!Files.isRegularFile(tarball)) {
      throw new UsageException(
          "no Trino distribution in "
              + dist
              + ": build it with ./mvnw -B -pl trino -am package -DskipTests");
    }
    out.println("lakehouse trino: unpacking Trino " + VERSION + " into " + install + " (once) ...");
    Path scratch = dist.resolve(".unpacking");
    Folders.deleteRecursively(scratch);
    Files.createDirectories(scratch);
    Process tar =
        new ProcessBuilder("tar", "-xzf", tarball.toString(), "-C", scratch.toString())
            .redirectErrorStream(true)
            .start();
    String tarOutput = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (tar.waitFor() != 0) {
        throw new IOException("tar failed on " + tarball + ": " + tarOutput.strip());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while unpacking " + tarball, e);
    }
    try (Stream<Path> plugins = Files.list(scratch.resolve(SERVER).resolve("plugin"))) {
      for (Path plugin : plugins.toList()) {
        if (!plugin.getFileName().toString().equals(PLUGIN)) {
          Folders.deleteRecursively(plugin);
        }
      }
    }
    Files.writeString(scratch.resolve(SERVER).resolve(".unpacked"), VERSION + "\n");
    Folders.deleteRecursively(install);
    Files.move(scratch.resolve(SERVER), install, StandardCopyOption.ATOMIC_MOVE);
    Folders.deleteRecursively(scratch);
    return install;
  }
}
