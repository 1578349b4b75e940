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
    SendProgress sendProgress = new SendProgress(progress, target, duration);
    long t0 = sendProgress.startNanos();
    RunInfo run;
    try (KafkaEventSender sender =
        new KafkaEventSender(bootstrapServers, config.topic(), config.inventoryTopic())) {
      while (simulator.hasNext()) {
        pacer.awaitSlot();
        long now = System.nanoTime();
        if (now - t0 >= durationNanos) {
          break;
        }
        GeneratedMessage message = simulator.next();
        sender.send(message);
        tally.record(message);
        sendProgress.maybeReport(now, tally.sent(), tally.allSent(), sender.errors());
      }
      sender.flush();
      run =
          sendProgress.finish(
              bootstrapServers,
              startedAt,
              tally.sent(),
              tally.allSent(),
              sender.errors(),
              sender.firstError());
    }
    return new Result(tally.toManifest(run), config.inventory() ? tally.closingStock() : null);
  }
}
