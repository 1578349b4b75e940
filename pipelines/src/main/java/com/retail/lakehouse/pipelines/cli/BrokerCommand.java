package com.retail.lakehouse.pipelines.cli;

import com.retail.lakehouse.localkafka.LocalKafkaBroker;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./lakehouse broker}: runs the local single-node Kafka broker in the foreground. */
@Command(
    name = "broker",
    mixinStandardHelpOptions = true,
    description = {
      "Run a real single-node KRaft Kafka broker (from Maven jars, no Docker) until Ctrl-C.",
      "Its log lives in <data-dir>/kafka, so topics and offsets survive restarts. Other commands"
          + " on the same --data-dir attach to it; without it they start their own."
    })
public final class BrokerCommand implements Callable<Integer> {
  @Option(
      names = "--data-dir",
      defaultValue = "lakehouse-data",
      description = "Folder for the broker log (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(
      names = "--port",
      defaultValue = "0",
      description = "Listener port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int port;

  @Override
  public Integer call() throws Exception {
    LocalKafkaBroker broker = LocalKafkaBroker.start(dataDir, port);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  System.err.println("broker: stopping");
                  broker.close();
                  stopped.countDown();
                }));
    System.out.println(
        "broker: "
            + (broker.ownsProcess() ? "running" : "already running")
            + " at "
            + broker.bootstrapServers()
            + " (pid "
            + broker.pid()
            + ", log "
            + broker.logDir()
            + "). Use --bootstrap-servers="
            + broker.bootstrapServers()
            + " or the same --data-dir. Ctrl-C stops it.");
    stopped.await();
    return 0;
  }
}
