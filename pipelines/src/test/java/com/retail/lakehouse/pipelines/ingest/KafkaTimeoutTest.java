package com.retail.lakehouse.pipelines.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.retail.lakehouse.pipelines.conformance.CommandRun;
import com.retail.lakehouse.pipelines.ingest.ReadPosMessages.PartitionRange;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ingest with no broker answering at its address ({@code --kafka-timeout}): a run fails within the
 * timeout with one line that says what to do, a repeating ingest says so for each run and gives up
 * after {@code --max-failed-runs}, and a catch-up reader whose broker is gone fails its run rather
 * than polling forever.
 */
class KafkaTimeoutTest {
  @TempDir Path dataDir;

  @Test
  void aRunWithNoBrokerFailsInOneLineWithinTheTimeout() throws Exception {
    String nobody = "127.0.0.1:" + freePort();
    long t0 = System.nanoTime();
    CommandRun run =
        CommandRun.of(
            "ingest",
            "--until-caught-up",
            "--kafka-timeout=3s",
            "--bootstrap-servers=" + nobody,
            "--data-dir=" + dataDir);
    Duration took = Duration.ofNanos(System.nanoTime() - t0);

    assertThat(run.code()).isEqualTo(1);
    assertThat(launcherLines(run))
        .singleElement()
        .asString()
        .startsWith("lakehouse ingest: failed: KafkaUnavailableException: Kafka at " + nobody)
        .contains("did not answer for 3 s (describing topic pos_transactions)")
        .contains("start the broker or fix --bootstrap-servers");
    assertThat(run.stderr().lines())
        .noneMatch(line -> line.startsWith("\tat ") || line.startsWith("Caused by: "));
    assertThat(took).isLessThan(Duration.ofSeconds(30));
  }

  @Test
  void aRepeatingIngestTriesAgainAndGivesUpAfterMaxFailedRuns() {
    String nobody = "127.0.0.1:" + freePort();
    CommandRun run =
        CommandRun.of(
            "ingest",
            "--every=1s",
            "--max-failed-runs=2",
            "--kafka-timeout=2s",
            "--bootstrap-servers=" + nobody,
            "--data-dir=" + dataDir);

    assertThat(run.code()).isEqualTo(1);
    assertThat(launcherLines(run))
        .satisfiesExactly(
            first ->
                assertThat(first)
                    .startsWith(
                        "lakehouse ingest: run 1 failed (1 in a row, stopping at 2): Kafka at "
                            + nobody)
                    .endsWith("; next run in 1s"),
            last ->
                assertThat(last)
                    .startsWith("lakehouse ingest: failed: KafkaUnavailableException: Kafka at ")
                    .endsWith(
                        "; gave up after 2 runs in a row failed (--max-failed-runs)"
                            + " (LAKEHOUSE_DEBUG=1 shows the stack trace)"));
  }

  @Test
  void aReaderGettingNothingFromAGoneBrokerFailsTheRunWithinTheTimeout() {
    String nobody = "127.0.0.1:" + freePort();
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    p.apply(
        new ReadPosMessages(
            nobody,
            List.of(new PartitionRange("pos_transactions", 0, 0, 100)),
            null,
            1,
            Duration.ofSeconds(3)));

    long t0 = System.nanoTime();
    RuntimeException failure = null;
    try {
      p.run().waitUntilFinish();
    } catch (RuntimeException e) {
      failure = e;
    }
    Duration took = Duration.ofNanos(System.nanoTime() - t0);

    assertThat(failure).as("the run failed").isNotNull();
    assertThat(KafkaUnavailableException.in(failure))
        .get()
        .extracting(Throwable::getMessage)
        .asString()
        .contains("Kafka at " + nobody + " did not answer for 3 s")
        .contains("reading pos_transactions at offsets {0=0}, planned up to {0=100}");
    // the reader asks the broker after 5 s without a message, and by then the 3 s are up
    assertThat(took).isLessThan(Duration.ofSeconds(30));
  }

  /** What the launcher itself printed; the Kafka client's connection warnings are left out. */
  private static List<String> launcherLines(CommandRun run) {
    return run.stderr().lines().filter(line -> line.startsWith("lakehouse")).toList();
  }

  /** A port nothing listens on: the address of a broker that is down. */
  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
