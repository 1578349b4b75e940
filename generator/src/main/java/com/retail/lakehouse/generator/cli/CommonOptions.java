package com.retail.lakehouse.generator.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The options every lakehouse command shares, where its data lives and where to write its summary,
 * as a picocli mixin ({@code @Mixin CommonOptions common;}).
 */
public class CommonOptions {

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      defaultValue = "./lakehouse-data",
      description = {
        "Local working directory: the embedded Kafka broker, the warehouse and the run manifests"
            + " (under DIR/manifests) live here.",
        "Default: ${DEFAULT-VALUE}."
      })
  private Path dataDir;

  @Option(
      names = "--summary-json",
      paramLabel = "FILE",
      description =
          "Also write the command's JSON summary to FILE (parent directories are created)."
              + " Default: not written.")
  private Path summaryJson;

  /** The local working directory. */
  public Path getDataDir() {
    return dataDir;
  }

  /** Where to write the JSON summary, or null if not requested. */
  public Path getSummaryJson() {
    return summaryJson;
  }
}
