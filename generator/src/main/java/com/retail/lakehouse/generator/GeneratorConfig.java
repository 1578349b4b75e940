package com.retail.lakehouse.generator;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * Every knob of one generator run (chain size, clock, volume, pace and fault rates), so the same
 * configuration and seed always produce the same messages.
 *
 * @param seed seeds every random choice
 * @param stores number of stores, {@code S001} onwards
 * @param skus number of products in the catalogue
 * @param start the simulated clock's start; null picks a default (see {@link #resolveStart})
 * @param count messages to send; null with a null duration means {@link #DEFAULT_COUNT}
 * @param duration how long to send for (wall clock); exclusive with count
 * @param rate messages per second; 0 sends as fast as possible
 * @param malformedRate fraction of sent messages that are malformed
 * @param duplicateRate fraction of sent messages that re-send an earlier valid line
 * @param lateRate fraction of sent messages that are late valid lines
 * @param topic the Kafka topic of POS events
 * @param partitions partitions of a topic when it is created
 * @param streams the streams to send: always POS, optionally INVENTORY (which follows the POS
 *     sales); null means POS only
 * @param inventoryTopic the Kafka topic of inventory movements; null means {@link
 *     #DEFAULT_INVENTORY_TOPIC}
 */
public record GeneratorConfig(
    long seed,
    int stores,
    int skus,
    Instant start,
    Long count,
    Duration duration,
    double rate,
    double malformedRate,
    double duplicateRate,
    double lateRate,
    String topic,
    int partitions,
    Set<EventStream> streams,
    String inventoryTopic) {

  /** The topic POS events go to. */
  public static final String DEFAULT_TOPIC = "pos_transactions";

  /** The topic inventory movements go to. */
  public static final String DEFAULT_INVENTORY_TOPIC = "inventory_movements";

  /**
   * The most stock positions (stores x SKUs) an inventory run tracks: the manifest keeps a closing
   * stock per position and day.
   */
  public static final long MAX_STOCK_POSITIONS = 200_000;

  /** Messages sent when neither a count nor a duration is given. */
  public static final long DEFAULT_COUNT = 10_000;

  /** Validates the configuration; every message is one line fit for a CLI error. */
  public GeneratorConfig {
    require(stores >= 1 && stores <= 999, "--stores must be between 1 and 999, got " + stores);
    require(skus >= 1 && skus <= 99_999, "--skus must be between 1 and 99999, got " + skus);
    require(count == null || count >= 1, "--count must be at least 1, got " + count);
    require(
        duration == null || (!duration.isNegative() && !duration.isZero()),
        "--duration must be positive, got " + duration);
    require(count == null || duration == null, "--count and --duration are exclusive; give one");
    require(
        rate >= 0 && Double.isFinite(rate), "--rate must be >= 0 (0 = unthrottled), got " + rate);
    requireFraction("--malformed-rate", malformedRate);
    requireFraction("--duplicate-rate", duplicateRate);
    requireFraction("--late-rate", lateRate);
    require(
        malformedRate + duplicateRate + lateRate <= 1.0,
        "--malformed-rate + --duplicate-rate + --late-rate must not exceed 1");
    require(topic != null && !topic.isBlank(), "--topic must not be empty");
    require(partitions >= 1, "--partitions must be at least 1, got " + partitions);
    streams =
        streams == null || streams.isEmpty()
            ? Collections.unmodifiableSet(EnumSet.of(EventStream.POS))
            : Collections.unmodifiableSet(EnumSet.copyOf(streams));
    require(
        streams.contains(EventStream.POS),
        "--streams must include pos: inventory movements follow the POS sales");
    inventoryTopic = inventoryTopic == null ? DEFAULT_INVENTORY_TOPIC : inventoryTopic;
    require(!inventoryTopic.isBlank(), "--inventory-topic must not be empty");
    if (streams.contains(EventStream.INVENTORY)) {
      require(
          !(duration != null && start == null),
          "--streams inventory needs a simulated clock: give --start with --duration, or use"
              + " --count");
      require(
          (long) stores * skus <= MAX_STOCK_POSITIONS,
          "--streams inventory tracks at most "
              + MAX_STOCK_POSITIONS
              + " stock positions (--stores x --skus), got "
              + (long) stores * skus);
      require(
          !inventoryTopic.equals(topic), "--inventory-topic must differ from --topic: " + topic);
    }
  }

  /** Whether inventory movements are sent alongside the POS traffic. */
  public boolean inventory() {
    return streams.contains(EventStream.INVENTORY);
  }

  /** A builder with the defaults: seed 42, 20 stores, 500 SKUs, 10,000 messages, no faults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from this configuration. */
  public Builder toBuilder() {
    return new Builder()
        .seed(seed)
        .stores(stores)
        .skus(skus)
        .start(start)
        .count(count)
        .duration(duration)
        .rate(rate)
        .malformedRate(malformedRate)
        .duplicateRate(duplicateRate)
        .lateRate(lateRate)
        .topic(topic)
        .partitions(partitions)
        .streams(streams)
        .inventoryTopic(inventoryTopic);
  }

  /** Messages to send, or -1 when the run is bounded by its duration instead. */
  public long effectiveCount() {
    if (count != null) {
      return count;
    }
    return duration == null ? DEFAULT_COUNT : -1;
  }

  /**
   * Whether event times are the wall clock at send (a duration run without {@code --start}), for
   * freshness benchmarks.
   */
  public boolean live() {
    return duration != null && start == null;
  }

  /**
   * The simulated clock's start: {@code start} if given; otherwise, for a counted run, 00:00 UTC of
   * enough days before today (at least one) that the model's volume ends before now; null in live
   * mode.
   */
  public Instant resolveStart(Clock wallClock, Catalogue catalogue) {
    if (start != null) {
      return start;
    }
    if (live()) {
      return null;
    }
    double linesPerDay = TrafficModel.expectedLinesPerDay(catalogue);
    // 10% headroom over the model's expected volume (every message consumes at most one line).
    long days = Math.max(1, (long) Math.ceil(effectiveCount() * 1.1 / linesPerDay));
    LocalDate today = LocalDate.ofInstant(wallClock.instant(), ZoneOffset.UTC);
    return today.minusDays(days).atStartOfDay(ZoneOffset.UTC).toInstant();
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }

  private static void requireFraction(String name, double value) {
    require(value >= 0 && value <= 1, name + " must be between 0 and 1, got " + value);
  }

  /** Builds a {@link GeneratorConfig} from the defaults, changing only what is set. */
  public static final class Builder {
    private long seed = 42;
    private int stores = 20;
    private int skus = 500;
    private Instant start;
    private Long count;
    private Duration duration;
    private double rate;
    private double malformedRate;
    private double duplicateRate;
    private double lateRate;
    private String topic = DEFAULT_TOPIC;
    private int partitions = 4;
    private Set<EventStream> streams = EnumSet.of(EventStream.POS);
    private String inventoryTopic = DEFAULT_INVENTORY_TOPIC;

    private Builder() {}

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public Builder stores(int stores) {
      this.stores = stores;
      return this;
    }

    public Builder skus(int skus) {
      this.skus = skus;
      return this;
    }

    public Builder start(Instant start) {
      this.start = start;
      return this;
    }

    public Builder count(Long count) {
      this.count = count;
      return this;
    }

    public Builder count(long count) {
      this.count = count;
      return this;
    }

    public Builder duration(Duration duration) {
      this.duration = duration;
      return this;
    }

    public Builder rate(double rate) {
      this.rate = rate;
      return this;
    }

    public Builder malformedRate(double malformedRate) {
      this.malformedRate = malformedRate;
      return this;
    }

    public Builder duplicateRate(double duplicateRate) {
      this.duplicateRate = duplicateRate;
      return this;
    }

    public Builder lateRate(double lateRate) {
      this.lateRate = lateRate;
      return this;
    }

    public Builder topic(String topic) {
      this.topic = topic;
      return this;
    }

    public Builder partitions(int partitions) {
      this.partitions = partitions;
      return this;
    }

    public Builder streams(Set<EventStream> streams) {
      this.streams = streams;
      return this;
    }

    public Builder inventoryTopic(String inventoryTopic) {
      this.inventoryTopic = inventoryTopic;
      return this;
    }

    public GeneratorConfig build() {
      return new GeneratorConfig(
          seed,
          stores,
          skus,
          start,
          count,
          duration,
          rate,
          malformedRate,
          duplicateRate,
          lateRate,
          topic,
          partitions,
          streams,
          inventoryTopic);
    }
  }
}
