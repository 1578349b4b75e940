package com.retail.lakehouse.localkafka;

import com.retail.lakehouse.common.Folders;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension that gives a test class its own real Kafka broker on a fresh temporary data
 * directory, so integration tests need no Docker and no shared state.
 *
 * <p>Register it as {@code @RegisterExtension static final KafkaBrokerExtension KAFKA = new
 * KafkaBrokerExtension();} and read {@link #bootstrapServers()} in the tests.
 */
public final class KafkaBrokerExtension implements BeforeAllCallback, AfterAllCallback {

  private Path dataDir;
  private LocalKafkaBroker broker;
  private String ownerId;

  /** Creates an extension that starts its broker before the first test of the class. */
  public KafkaBrokerExtension() {}

  /** Starts the broker on a fresh temporary directory before all tests of the class. */
  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    if (broker != null) {
      return; // Already started by an enclosing class (e.g. for @Nested tests).
    }
    dataDir = Files.createTempDirectory("lakehouse-kafka-");
    broker = LocalKafkaBroker.start(dataDir);
    ownerId = context.getUniqueId();
  }

  /** Stops the broker and deletes its data directory after all tests of the class. */
  @Override
  public void afterAll(ExtensionContext context) throws IOException {
    if (broker == null || !context.getUniqueId().equals(ownerId)) {
      return; // Not started, or an inner @Nested class finishing before the class that started it.
    }
    try {
      broker.close();
    } finally {
      broker = null;
      Folders.deleteRecursively(dataDir);
    }
  }

  /** Returns the running broker's {@code host:port}, for the clients under test. */
  public String bootstrapServers() {
    return running().bootstrapServers();
  }

  /** Returns the temporary data directory the broker runs on (deleted after the class). */
  public Path dataDir() {
    running();
    return dataDir;
  }

  /** Returns the running broker itself, for tests that need its pid or log directory. */
  public LocalKafkaBroker broker() {
    return running();
  }

  /**
   * Kills the broker with SIGKILL, as a crash would ({@link LocalKafkaBroker#killForcibly()}),
   * until {@link #restartBroker()} brings it back at the same address. For fault tests of its
   * clients.
   */
  public void killBroker() throws IOException {
    running().killForcibly();
  }

  /**
   * Starts the broker again on the same data directory and port ({@link
   * LocalKafkaBroker#restart()}), so clients holding {@link #bootstrapServers()} reconnect to it.
   */
  public void restartBroker() throws IOException {
    broker = running().restart();
  }

  private LocalKafkaBroker running() {
    if (broker == null) {
      throw new IllegalStateException(
          "Kafka broker not running: register KafkaBrokerExtension as a static @RegisterExtension"
              + " field and use it from tests, not from field initializers");
    }
    return broker;
  }
}
