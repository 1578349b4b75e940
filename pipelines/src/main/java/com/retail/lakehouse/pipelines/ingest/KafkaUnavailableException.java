package com.retail.lakehouse.pipelines.ingest;

import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Optional;
import java.util.Set;

/**
 * Kafka did not answer within {@code --kafka-timeout}: the broker is down or unreachable. A run
 * that fails with it has committed nothing the next run would not skip, so a repeating ingest
 * ({@code --every}) tries again at its next run; a single run fails with its message as the one
 * line.
 *
 * <p>The Kafka client's own exception is kept as a suppressed exception, not as the cause: the
 * launcher prints the innermost cause, and this message is the one that says what to do.
 */
public final class KafkaUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  KafkaUnavailableException(
      String bootstrapServers, Duration timeout, String doing, Throwable kafkaError) {
    super(
        "Kafka at "
            + bootstrapServers
            + " did not answer for "
            + (timeout.toMillis() % 1000 == 0
                ? timeout.toSeconds() + " s"
                : timeout.toMillis() + " ms")
            + " ("
            + doing
            + "): start the broker or fix --bootstrap-servers; ingest resumes from the tables'"
            + " positions");
    if (kafkaError != null) {
      addSuppressed(kafkaError);
    }
  }

  private KafkaUnavailableException(String message, KafkaUnavailableException last) {
    super(message);
    addSuppressed(last);
  }

  /** This failure after {@code runs} runs in a row failed with it: the repeating ingest stops. */
  KafkaUnavailableException givingUpAfter(int runs) {
    return new KafkaUnavailableException(
        getMessage() + "; gave up after " + runs + " runs in a row failed (--max-failed-runs)",
        this);
  }

  /** The one found among {@code e} and its causes (runners wrap a reader's failure), if any. */
  static Optional<KafkaUnavailableException> in(Throwable e) {
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Throwable t = e; t != null && seen.add(t); t = t.getCause()) {
      if (t instanceof KafkaUnavailableException unavailable) {
        return Optional.of(unavailable);
      }
    }
    return Optional.empty();
  }
}
