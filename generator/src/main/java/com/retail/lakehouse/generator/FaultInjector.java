package com.retail.lakehouse.generator;

import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Mixes malformed, duplicate and late messages into one stream of events at the configured rates,
 * the same way for every stream: each message draws once, and is malformed (the next event,
 * corrupted by the next kind in the cycle), a duplicate (an exact re-send of one of the last {@link
 * #DUPLICATE_WINDOW} valid messages), late (a new event dated 1-48 h before the stream's clock) or
 * valid (the next event), with probabilities {@code malformedRate}, {@code duplicateRate}, {@code
 * lateRate} and the rest.
 *
 * <p>Deterministic: every fault choice comes from the RNG it is given, and the events from its
 * {@link Source}.
 *
 * @param <E> the stream's event type
 */
final class FaultInjector<E> {
  /** A duplicate re-sends one of the last this-many valid messages. */
  static final int DUPLICATE_WINDOW = 1000;

  private static final long HOUR_MILLIS = Duration.ofHours(1).toMillis();

  /** Where the injector gets events and how it turns them into messages. */
  interface Source<E> {
    /** The next event of the stream, consumed. */
    E next();

    /** The stream's clock, which late events are dated back from. */
    long clockMillis();

    /** A new event that happened at {@code eventMillis}; may draw from {@code faultRng}. */
    E late(long eventMillis, SplittableRandom faultRng);

    /**
     * The message of a distinct valid event ({@link MessageKind#VALID} or {@link
     * MessageKind#LATE}); called exactly once per such event, never for a re-send.
     */
    GeneratedMessage valid(E event, MessageKind kind);

    /** The message of {@code event} corrupted the {@code kind} way. */
    GeneratedMessage malformed(E event, MalformedKind kind);
  }

  private final GeneratorConfig config;
  private final SplittableRandom rng;
  private final List<MalformedKind> kinds;
  private final Source<E> source;
  private final GeneratedMessage[] recentValid = new GeneratedMessage[DUPLICATE_WINDOW];
  private int recentCount;
  private int recentNext;
  private long malformed;

  FaultInjector(
      GeneratorConfig config, SplittableRandom rng, List<MalformedKind> kinds, Source<E> source) {
    if (kinds.isEmpty()) {
      throw new IllegalArgumentException("a fault injector needs at least one malformed kind");
    }
    this.config = config;
    this.rng = rng;
    this.kinds = List.copyOf(kinds);
    this.source = source;
  }

  /** The next message: a fault or the next valid event. */
  GeneratedMessage next() {
    double u = rng.nextDouble();
    double malformedBelow = config.malformedRate();
    double duplicateBelow = malformedBelow + config.duplicateRate();
    double lateBelow = duplicateBelow + config.lateRate();
    if (u < malformedBelow) {
      MalformedKind kind = kinds.get((int) (malformed++ % kinds.size()));
      return source.malformed(source.next(), kind);
    }
    if (u < duplicateBelow) {
      if (recentCount > 0) {
        GeneratedMessage original = recentValid[rng.nextInt(recentCount)];
        return new GeneratedMessage(
            original.key(),
            original.value(),
            MessageKind.DUPLICATE,
            original.event(),
            null,
            original.movement());
      }
      return remember(source.valid(source.next(), MessageKind.VALID)); // nothing to re-send yet
    }
    if (u < lateBelow) {
      long clock = source.clockMillis();
      long delay = HOUR_MILLIS + rng.nextLong(47 * HOUR_MILLIS + 1);
      return remember(source.valid(source.late(clock - delay, rng), MessageKind.LATE));
    }
    return remember(source.valid(source.next(), MessageKind.VALID));
  }

  private GeneratedMessage remember(GeneratedMessage message) {
    recentValid[recentNext] = message;
    recentNext = (recentNext + 1) % DUPLICATE_WINDOW;
    recentCount = Math.min(recentCount + 1, DUPLICATE_WINDOW);
    return message;
  }
}
