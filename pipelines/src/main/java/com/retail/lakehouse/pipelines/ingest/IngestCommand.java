package com.retail.lakehouse.pipelines.ingest;

import com.retail.lakehouse.common.Durations;
import com.retail.lakehouse.common.UsageException;
import com.retail.lakehouse.pipelines.options.CatalogFromOptions;
import com.retail.lakehouse.pipelines.run.EmbeddedBroker;
import com.retail.lakehouse.pipelines.run.PipelineArgs;
import com.retail.lakehouse.pipelines.run.RunSummary;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code ./lakehouse ingest}: Kafka -> validated, de-duplicated events -> the raw table of each
 * stream's contract ({@code --streams}: {@code raw.pos_transactions}, {@code
 * raw.inventory_movements}; dead letters -> their {@code _dlq} tables), in one of two modes:
 * catch-up runs ({@link CatchUpIngest}; {@code --until-caught-up} does one, otherwise one starts
 * every {@code --every}, and a run that failed because Kafka did not answer is retried at the next
 * one, up to {@code --max-failed-runs} in a row) or one continuous job ({@link StreamingIngest}).
 * This class only reads the command line and prints summaries.
 */
public final class IngestCommand {
  static final String SUMMARY =
      "Ingest events from Kafka exactly once: POS sales into raw.pos_transactions (valid,"
          + " de-duplicated) and raw.pos_transactions_dlq (everything else), inventory movements"
          + " (--streams=inventory) into raw.inventory_movements and raw.inventory_movements_dlq;"
          + " each commit records the Kafka offsets it covers and every run resumes from the"
          + " tables.";

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
                "ingest", StreamingIngest.withRunnerFlags(args), IngestOptions.class);
      }
      default ->
          throw new UsageException(
              "--mode=" + options.getMode() + " is not a mode: use catch-up or streaming");
    }
    checkCounts(options);
    List<IngestStream> streams = IngestStream.of(options);
    if (streaming && streams.size() > 1) {
      throw new UsageException(
          "--mode=streaming takes one stream, got --streams="
              + options.getStreams()
              + ": run one streaming job per stream");
    }
    CatalogSettings catalog = CatalogFromOptions.settings(options);
    Duration every = Durations.parse("every", options.getEvery());
    try (EmbeddedBroker kafka =
        EmbeddedBroker.resolve(options.getBootstrapServers(), options.getDataDir())) {
      if (streaming) {
        options.setTopic(streams.get(0).topic());
        RunSummary summary =
            StreamingIngest.run(
                options,
                kafka.bootstrapServers(),
                catalog,
                streams.get(0).contract(),
                options::getUntilCaughtUp,
                options.getUntilCaughtUp());
        summary.print(System.out);
        summary.writeJson(options.getSummaryJson());
        return 0;
      }
      int run = 0;
      int failedInARow = 0;
      Set<String> positioned = new HashSet<>(); // streams whose position the flags already set
      while (true) {
        run++;
        boolean last =
            options.getUntilCaughtUp() || (options.getRuns() > 0 && run >= options.getRuns());
        long started = System.nanoTime();
        try {
          runEachStream(options, streams, kafka.bootstrapServers(), catalog, positioned, !last);
          failedInARow = 0;
        } catch (KafkaUnavailableException e) {
          // A run that failed reading Kafka committed nothing the next one would not skip: a
          // repeating ingest outlives a broker restart instead of dying with it.
          failedInARow++;
          if (last) {
            throw e;
          }
          if (options.getMaxFailedRuns() > 0 && failedInARow >= options.getMaxFailedRuns()) {
            throw e.givingUpAfter(failedInARow);
          }
          System.err.printf(
              "lakehouse ingest: run %d failed (%d in a row%s): %s; next run in %s%n",
              run,
              failedInARow,
              options.getMaxFailedRuns() > 0 ? ", stopping at " + options.getMaxFailedRuns() : "",
              e.getMessage(),
              options.getEvery());
        }
        if (last) {
          return 0;
        }
        long sleepMs = every.toMillis() - (System.nanoTime() - started) / 1_000_000;
        if (sleepMs > 0) {
          Thread.sleep(sleepMs);
        }
      }
    }
  }

  /**
   * One catch-up run of each stream, in order. A stream's failure does not hold the others back:
   * each stream runs, then the first failure is thrown (a Kafka outage after any other failure, so
   * that a repeating ingest retries only what Kafka alone stopped). A stream's summary file is
   * removed before its run, so a failed run leaves none of an earlier run behind. {@code
   * --recover-position} and {@code --start-from} apply to a stream's first successful run only
   * ({@code positioned} remembers which streams had it). An {@link IngestStream#optional()
   * optional} stream is skipped while its topic does not exist, and once Kafka did not answer; in a
   * {@code repeating} ingest its failure is said and retried next run instead of ending the
   * command.
   */
  private static void runEachStream(
      IngestOptions options,
      List<IngestStream> streams,
      String bootstrap,
      CatalogSettings catalog,
      Set<String> positioned,
      boolean repeating)
      throws IOException {
    boolean recover = options.getRecoverPosition();
    String startFrom = options.getStartFrom();
    RuntimeException failure = null;
    KafkaUnavailableException kafkaDown = null;
    try {
      for (int i = 0; i < streams.size(); i++) {
        IngestStream stream = streams.get(i);
        String summaryPath = IngestStream.summaryPath(options.getSummaryJson(), i, stream);
        if (summaryPath != null && !summaryPath.isBlank()) {
          Files.deleteIfExists(Path.of(summaryPath));
        }
        if (stream.optional()) {
          // an optional stream runs only when its topic exists, and not once Kafka is down (it
          // would wait out the timeout again)
          if (kafkaDown != null) {
            continue;
          }
          try {
            if (!topicExists(bootstrap, stream.topic(), options)) {
              // said once per command, and not beside another stream's failure (the one line)
              if (failure == null && positioned.add("no topic: " + stream.name())) {
                System.err.printf(
                    "lakehouse ingest: topic %s does not exist (yet): ingesting without the %s"
                        + " stream (./lakehouse generate --streams pos,inventory sends it)%n",
                    stream.topic(), stream.name());
              }
              continue;
            }
          } catch (KafkaUnavailableException e) {
            kafkaDown = e;
            continue;
          } catch (RuntimeException e) {
            failure = failure == null ? e : failure;
            continue;
          }
        }
        boolean first = !positioned.contains(stream.name());
        options.setTopic(stream.topic()); // the run reads its topic from the options
        options.setRecoverPosition(recover && first);
        options.setStartFrom(first ? startFrom : null);
        try {
          RunSummary summary = CatchUpIngest.run(options, bootstrap, catalog, stream.contract());
          positioned.add(stream.name());
          summary.print(System.out);
          summary.writeJson(summaryPath);
        } catch (KafkaUnavailableException e) {
          kafkaDown = kafkaDown == null ? e : kafkaDown;
        } catch (RuntimeException e) {
          if (stream.optional() && repeating) {
            // a repeating ingest goes on with the streams it was not asked for by name failing:
            // said each run, retried next run, never holding the others back
            System.err.println(
                "lakehouse ingest: the "
                    + stream.name()
                    + " stream failed (retried next run): "
                    + e.getMessage());
            continue;
          }
          failure = failure == null ? e : failure;
          if (streams.stream().filter(x -> !x.optional()).count() > 1) {
            System.err.println(
                "lakehouse ingest: the " + stream.name() + " stream failed: " + e.getMessage());
          }
        }
      }
    } finally {
      options.setRecoverPosition(recover);
      options.setStartFrom(startFrom);
    }
    if (failure != null) {
      throw failure;
    }
    if (kafkaDown != null) {
      throw kafkaDown;
    }
  }

  private static boolean topicExists(String bootstrap, String topic, IngestOptions options) {
    try (KafkaPositions positions =
        new KafkaPositions(
            bootstrap, topic, Durations.parse("kafka-timeout", options.getKafkaTimeout()))) {
      return positions.exists();
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
    if (options.getMaxFailedRuns() < 0) {
      throw new UsageException(
          "--max-failed-runs must be 0 (never stop) or more, got " + options.getMaxFailedRuns());
    }
    if (Durations.parse("kafka-timeout", options.getKafkaTimeout()).toMillis() < 1_000) {
      throw new UsageException(
          "--kafka-timeout must be at least 1s, got " + options.getKafkaTimeout());
    }
  }
}
