package com.retail.lakehouse.pipelines.ingest;

import com.retail.lakehouse.common.Durations;
import com.retail.lakehouse.common.UsageException;
import com.retail.lakehouse.pipelines.options.CatalogFromOptions;
import com.retail.lakehouse.pipelines.run.EmbeddedBroker;
import com.retail.lakehouse.pipelines.run.PipelineArgs;
import com.retail.lakehouse.pipelines.run.RunSummary;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import java.time.Duration;

/**
 * {@code ./lakehouse ingest}: Kafka -> validated, de-duplicated events -> {@code
 * raw.pos_transactions} (and dead letters -> {@code raw.pos_transactions_dlq}), in one of two
 * modes: catch-up runs ({@link CatchUpIngest}; {@code --until-caught-up} does one, otherwise one
 * starts every {@code --every}) or one continuous job ({@link StreamingIngest}). This class only
 * reads the command line and prints summaries.
 */
public final class IngestCommand {
  static final String SUMMARY =
      "Ingest POS events from Kafka into raw.pos_transactions (valid, de-duplicated) and"
          + " raw.pos_transactions_dlq (everything else), exactly once: each commit records the"
          + " Kafka offsets it covers and every run resumes from the tables.";

  private IngestCommand() {}

  /** Runs the command; returns the process exit code. */
  public static int run(String[] args) throws Exception {
    if (PipelineArgs.wantsHelp(args)) {
      PipelineArgs.printHelp(System.out, "ingest", SUMMARY, IngestOptions.class);
      return 0;
    }
    IngestOptions options = PipelineArgs.parse("ingest", args, IngestOptions.class);
    boolean streaming;
    switch (options.getMode()) {
      case "catch-up" -> streaming = false;
      case "streaming" -> {
        streaming = true;
        options =
            PipelineArgs.parse(
                "ingest",
                StreamingIngest.withRunnerFlags(args, options.getDataDir()),
                IngestOptions.class);
      }
      default ->
          throw new UsageException(
              "--mode=" + options.getMode() + " is not a mode: use catch-up or streaming");
    }
    checkCounts(options);
    CatalogSettings catalog = CatalogFromOptions.settings(options);
    Duration every = Durations.parse("every", options.getEvery());
    try (EmbeddedBroker kafka =
        EmbeddedBroker.resolve(options.getBootstrapServers(), options.getDataDir())) {
      if (streaming) {
        RunSummary summary =
            StreamingIngest.run(
                options,
                kafka.bootstrapServers(),
                catalog,
                options::getUntilCaughtUp,
                options.getUntilCaughtUp());
        summary.print(System.out);
        summary.writeJson(options.getSummaryJson());
        return 0;
      }
      int run = 0;
      while (true) {
        run++;
        long started = System.nanoTime();
        RunSummary summary = CatchUpIngest.run(options, kafka.bootstrapServers(), catalog);
        // A position is recovered or set once, by the first run; later runs resume from it.
        options.setRecoverPosition(false);
        options.setStartFrom(null);
        summary.print(System.out);
        summary.writeJson(options.getSummaryJson());
        if (options.getUntilCaughtUp() || (options.getRuns() > 0 && run >= options.getRuns())) {
          return 0;
        }
        long sleepMs = every.toMillis() - (System.nanoTime() - started) / 1_000_000;
        if (sleepMs > 0) {
          Thread.sleep(sleepMs);
        }
      }
    }
  }

  /** Flag checks the options interface cannot express; a wrong value is a usage error. */
  static void checkCounts(IngestOptions options) {
    if (options.getReaders() < 1) {
      throw new UsageException("--readers must be at least 1, got " + options.getReaders());
    }
    if (options.getWriters() < 1) {
      throw new UsageException("--writers must be at least 1, got " + options.getWriters());
    }
    if (options.getMaxPayloadBytes() < 1) {
      throw new UsageException(
          "--max-payload-bytes must be at least 1, got " + options.getMaxPayloadBytes());
    }
  }
}
