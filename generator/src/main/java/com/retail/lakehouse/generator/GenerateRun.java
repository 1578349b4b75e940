package com.retail.lakehouse.generator;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * One generator run end to end: creates the topics, streams the simulator's messages (POS, and
 * inventory movements interleaved in event-time order when chosen: {@link ChainSimulator}) through
 * a {@link KafkaEventSender} at the configured pace until the count or duration is reached, and
 * returns the manifest of what was sent.
 */
public final class GenerateRun {
  private static final long PROGRESS_NANOS = 2_000_000_000L;

  private GenerateRun() {}

  /** Runs {@code config} against {@code bootstrapServers} on the system clock. */
  public static Manifest run(GeneratorConfig config, String bootstrapServers, ProgressSink progress)
      throws InterruptedException {
    return run(config, bootstrapServers, progress, Clock.systemUTC());
  }

  /**
   * Runs {@code config} against {@code bootstrapServers}; {@code wallClock} drives the default
   * start and live event times. Check {@code run().send_errors()} of the result: non-zero means
   * some messages did not reach Kafka.
   */
  public static Manifest run(
      GeneratorConfig config, String bootstrapServers, ProgressSink progress, Clock wallClock)
      throws InterruptedException {
    return execute(config, bootstrapServers, progress, wallClock).manifest();
  }

  /**
   * What a run sent.
   *
   * @param manifest the manifest
   * @param closingStock the expected closing stock per (store, SKU, day), whose digest the manifest
   *     holds; null when the run sent POS traffic only
   */
  public record Result(Manifest manifest, ClosingStock closingStock) {}

  /** Like {@link #run(GeneratorConfig, String, ProgressSink, Clock)}, with the closing stock. */
  public static Result execute(
      GeneratorConfig config, String bootstrapServers, ProgressSink progress, Clock wallClock)
      throws InterruptedException {
    ChainSimulator simulator = new ChainSimulator(config, wallClock);
    ManifestTally tally = new ManifestTally(config, simulator.start());
    KafkaEventSender.ensureTopic(bootstrapServers, config.topic(), config.partitions());
    if (config.inventory()) {
      KafkaEventSender.ensureTopic(bootstrapServers, config.inventoryTopic(), config.partitions());
    }
    SendPacer pacer = new SendPacer(config.rate());
    long target = config.effectiveCount();
    Duration duration = config.duration();
    long durationNanos = duration == null ? Long.MAX_VALUE : duration.toNanos();
    Instant startedAt = wallClock.instant();
    long t0 = System.nanoTime();
    long errors;
    String firstError;
    long elapsedNanos;
    try (KafkaEventSender sender =
        new KafkaEventSender(bootstrapServers, config.topic(), config.inventoryTopic())) {
      long nextReport = t0 + PROGRESS_NANOS;
      long lastReportNanos = t0;
      long lastReportAllSent = 0;
      while (simulator.hasNext()) {
        pacer.awaitSlot();
        long now = System.nanoTime();
        if (now - t0 >= durationNanos) {
          break;
        }
        GeneratedMessage message = simulator.next();
        sender.send(message);
        tally.record(message);
        if (now >= nextReport) {
          progress.report(
              new ProgressSink.Progress(
                  tally.sent(),
                  target,
                  Duration.ofNanos(now - t0),
                  duration,
                  (tally.allSent() - lastReportAllSent) * 1e9 / (now - lastReportNanos),
                  sender.errors()));
          lastReportAllSent = tally.allSent();
          lastReportNanos = now;
          nextReport = now + PROGRESS_NANOS;
        }
      }
      sender.flush();
      errors = sender.errors();
      firstError = sender.firstError();
      elapsedNanos = System.nanoTime() - t0;
      progress.report(
          new ProgressSink.Progress(
              tally.sent(),
              target,
              Duration.ofNanos(elapsedNanos),
              duration,
              tally.allSent() * 1e9 / Math.max(1, elapsedNanos),
              errors));
    }
    double seconds = elapsedNanos / 1e9;
    RunInfo run =
        new RunInfo(
            bootstrapServers,
            startedAt.toString(),
            Math.round(seconds * 1000) / 1000.0,
            Math.round(tally.allSent() / Math.max(seconds, 1e-9)),
            errors,
            firstError);
    return new Result(tally.toManifest(run), config.inventory() ? tally.closingStock() : null);
  }
}
