package com.retail.lakehouse.cluster;

import com.retail.lakehouse.common.UsageException;
import java.nio.file.Path;
import java.util.Locale;

/** The two engines a local cluster runs, with where their jars and runner profile live. */
enum Engine {
  FLINK("flink-cluster", "runners/flink/target/lakehouse-flink-cluster.jar"),
  SPARK("spark-standalone", "runners/spark/target/lakehouse-spark-cluster.jar");

  private final String profile;
  private final String clusterJar;

  Engine(String profile, String clusterJar) {
    this.profile = profile;
    this.clusterJar = clusterJar;
  }

  /** The short name the command line uses: flink or spark. */
  String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The runner profile that submits to this engine's local cluster. */
  String profile() {
    return profile;
  }

  /**
   * The runner module's cluster jar (our code and dependencies, the engine's own jars left out).
   */
  Path clusterJar(Path home) {
    return home.resolve(clusterJar);
  }

  /** The classpath file the engine's lib module writes (cluster/flink-lib, cluster/spark-lib). */
  Path libClasspathFile(Path home) {
    return home.resolve("cluster")
        .resolve(id() + "-lib")
        .resolve("target")
        .resolve("classpath.txt");
  }

  /** The engine a runner profile submits to, or null if the profile is not a local-cluster one. */
  static Engine ofProfile(String profile) {
    for (Engine e : values()) {
      if (e.profile.equals(profile)) {
        return e;
      }
    }
    return null;
  }

  /** Parses flink or spark (any case). */
  static Engine parse(String value) {
    for (Engine e : values()) {
      if (e.id().equalsIgnoreCase(value)) {
        return e;
      }
    }
    throw new UsageException("unknown engine '" + value + "': use flink or spark");
  }
}
