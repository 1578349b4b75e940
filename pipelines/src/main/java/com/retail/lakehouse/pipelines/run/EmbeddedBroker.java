package com.retail.lakehouse.pipelines.run;

import com.retail.lakehouse.localkafka.LocalKafkaBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * The Kafka a command talks to: the given bootstrap servers, or (the embedded default) the local
 * broker of the data folder, started for the command and stopped after it unless it was already
 * running.
 */
public final class EmbeddedBroker implements AutoCloseable {
  private final String bootstrapServers;
  private final LocalKafkaBroker broker;

  private EmbeddedBroker(String bootstrapServers, LocalKafkaBroker broker) {
    this.bootstrapServers = bootstrapServers;
    this.broker = broker;
  }

  /** Uses {@code bootstrapServers} if given, else starts or attaches to the local broker. */
  public static EmbeddedBroker resolve(String bootstrapServers, String dataDir) {
    if (bootstrapServers != null && !bootstrapServers.isBlank()) {
      return new EmbeddedBroker(bootstrapServers, null);
    }
    try {
      LocalKafkaBroker broker = LocalKafkaBroker.start(Path.of(dataDir));
      System.err.println(
          "lakehouse: "
              + (broker.ownsProcess() ? "started" : "attached to")
              + " the local Kafka broker at "
              + broker.bootstrapServers()
              + " (log: "
              + broker.logDir()
              + ")");
      return new EmbeddedBroker(broker.bootstrapServers(), broker);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  @Override
  public void close() {
    if (broker != null) {
      broker.close();
    }
  }
}
