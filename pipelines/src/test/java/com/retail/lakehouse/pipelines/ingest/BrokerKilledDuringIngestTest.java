package com.retail.lakehouse.pipelines.ingest;

import static com.retail.lakehouse.pipelines.conformance.RunnerConformance.assertTablesHoldExactly;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.retail.lakehouse.generator.GenerateRun;
import com.retail.lakehouse.generator.GeneratorConfig;
import com.retail.lakehouse.generator.Manifest;
import com.retail.lakehouse.generator.ProgressSink;
import com.retail.lakehouse.localkafka.KafkaBrokerExtension;
import com.retail.lakehouse.pipelines.conformance.LakehouseJvm;
import com.retail.lakehouse.pipelines.conformance.LakehouseTables;
import com.retail.lakehouse.pipelines.conformance.RunnerConformance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kafka broker killed with kill -9 in the middle of both ingest modes, kept down for 30 s, and
 * restarted on the same port and log, against real Iceberg tables: a repeating catch-up ingest
 * ({@code --every}) and a streaming job run side by side through one outage (it costs 30 s plus the
 * broker's restart, so the two modes share it). Each mode waits or fails cleanly, in one line, and
 * once the broker is back every message sent before and after the outage ends in exactly one place:
 * raw, dead letters, or the duplicates dropped.
 */
class BrokerKilledDuringIngestTest {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

  @TempDir static Path work;

  private static final Duration OUTAGE = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final String CATCH_UP_TOPIC = "pos_outage_catch_up";
  private static final String STREAM_TOPIC = "pos_outage_stream";

  private static Path catchUpDir;
  private static Path streamDir;
  private static LakehouseJvm catchUp;
  private static LakehouseJvm firstJob;
  private static LakehouseJvm nextJob;
  private static Manifest catchUpBefore;
  private static Manifest catchUpAfter;
  private static Manifest streamBefore;
  private static Manifest streamAfter;
  private static long streamConsumedAtKill;
  private static long catchUpConsumedAtKill;
  private static int catchUpExit;
  private static int firstJobExit;
  private static int nextJobExit;

  /**
   * Starts a streaming job and a repeating catch-up ingest (runs of at most 2,000 messages, so that
   * it works through its backlog in several runs) on two topics; once the job has committed and a
   * catch-up run reads, kills the broker for {@link #OUTAGE}; then sends more to both topics (to
   * the streaming topic once the first job, bounded by {@code --until-caught-up}, has finished, and
   * a second job takes those) and stops the catch-up ingest once it has everything.
   */
  @BeforeAll
  static void killTheBrokerInTheMiddleOfBothModes() throws Exception {
    catchUpDir = work.resolve("catch-up");
    streamDir = work.resolve("streaming");
    streamBefore = send(STREAM_TOPIC, 41, 1_000, 9);
    catchUpBefore = send(CATCH_UP_TOPIC, 31, 10_000, 9);

    firstJob = streamingJob("stream-1.json");
    catchUp =
        LakehouseJvm.start(
            List.of(),
            "ingest",
            "--every=2s",
            "--max-records=2000",
            "--kafka-timeout=10s",
            "--bootstrap-servers=" + KAFKA.bootstrapServers(),
            "--topic=" + CATCH_UP_TOPIC,
            "--consumer-group=outage-catch-up",
            "--data-dir=" + catchUpDir);
    assertThat(firstJob.awaitStderr("streaming ingest job", Duration.ofMinutes(2))).isTrue();
    awaitConsumed(streamDir, STREAM_TOPIC, 1, Duration.ofMinutes(2));
    assertThat(catchUp.awaitStderr("lakehouse: ingest run ", Duration.ofMinutes(2)))
        .as("a catch-up run started reading")
        .isTrue();

    streamConsumedAtKill = new LakehouseTables(streamDir).consumed(STREAM_TOPIC);
    catchUpConsumedAtKill = new LakehouseTables(catchUpDir).consumed(CATCH_UP_TOPIC);
    log(
        "kill -9 of the broker; committed so far: streaming "
            + streamConsumedAtKill
            + ", catch-up "
            + catchUpConsumedAtKill);
    KAFKA.killBroker();
    Thread.sleep(OUTAGE.toMillis());
    KAFKA.restartBroker();
    log("broker back");

    catchUpAfter = send(CATCH_UP_TOPIC, 32, 3_000, 3);
    firstJobExit = firstJob.waitFor(Duration.ofMinutes(3));
    log("first streaming job ended: " + firstJobExit);
    streamAfter = send(STREAM_TOPIC, 42, 150, 3);
    nextJob = streamingJob("stream-2.json");
    nextJobExit = nextJob.waitFor(Duration.ofMinutes(2));
    log("next streaming job ended: " + nextJobExit);

    awaitConsumed(
        catchUpDir,
        CATCH_UP_TOPIC,
        catchUpBefore.counts().sent() + catchUpAfter.counts().sent(),
        Duration.ofMinutes(2));
    // a run prints its summary after its commit: wait for the next run, which finds nothing new
    long caughtUp = catchUp.stderr().stream().filter(l -> l.contains("is caught up")).count();
    awaitMoreLines(catchUp, "is caught up", caughtUp, Duration.ofMinutes(1));
    catchUpExit = catchUp.stop();
    log("catch-up ingest stopped: " + catchUpExit);
  }

  @AfterAll
  static void stopWhatStillRuns() throws Exception {
    for (LakehouseJvm jvm : new LakehouseJvm[] {catchUp, firstJob, nextJob}) {
      if (jvm != null) {
        jvm.close();
      }
    }
  }

  @Test
  void repeatingCatchUpIngestRetriesEachFailedRunAndCountsAreExact() throws Exception {
    assertThat(catchUpConsumedAtKill)
        .as("the broker went down in the middle of the backlog")
        .isLessThan(catchUpBefore.counts().sent());
    assertThat(catchUpExit).as("exit code after SIGTERM").isEqualTo(143);
    List<String> failed =
        catchUp.stderr().stream().filter(l -> l.startsWith("lakehouse ingest: run ")).toList();
    System.err.println("catch-up runs failed during the outage:\n  " + String.join("\n  ", failed));
    assertThat(failed)
        .as("runs during the outage fail in one line each, and the next run tries again")
        .isNotEmpty()
        .allSatisfy(
            line ->
                assertThat(line)
                    .contains("Kafka at " + KAFKA.bootstrapServers() + " did not answer for 10 s")
                    .contains("in a row, stopping at 10)")
                    .endsWith("next run in 2s"));
    assertThat(catchUp.stderr())
        .noneMatch(line -> line.startsWith("\tat ") || line.startsWith("Caused by: "));

    List<Map<String, String>> runs = catchUp.summaries("ingest summary");
    assertThat(runs).isNotEmpty();
    for (Map<String, String> run : runs) {
      assertThat(run.get("unaccounted")).as("unaccounted of %s", run).isEqualTo("0");
      assertThat(run.get("lost_to_retention")).as("lost of %s", run).isEqualTo("0");
    }
    Manifest.Counts before = catchUpBefore.counts();
    Manifest.Counts after = catchUpAfter.counts();
    assertThat(sum(runs, "read")).isEqualTo(before.sent() + after.sent());
    assertThat(sum(runs, "raw_written")).isEqualTo(before.valid() + after.valid());
    assertThat(sum(runs, "dead_letters")).isEqualTo(before.malformed() + after.malformed());
    assertThat(sum(runs, "duplicates_dropped")).isEqualTo(before.duplicates() + after.duplicates());
    assertThat(sum(runs, "skipped_already_committed")).isZero();
    assertTablesHoldExactly(new LakehouseTables(catchUpDir), catchUpBefore, catchUpAfter);
  }

  @Test
  void streamingJobWaitsForTheBrokerAndCountsAreExact() throws Exception {
    assertThat(streamConsumedAtKill)
        .as("the broker went down in the middle of the stream")
        .isLessThan(streamBefore.counts().sent());
    // KafkaIO's reader keeps retrying: the job neither failed nor needed a restart
    assertThat(firstJobExit).as("exit code of the job that lived through the outage").isZero();
    assertThat(firstJob.stderr()).noneMatch(line -> line.startsWith("lakehouse ingest: failed"));
    assertSummaryMatches(work.resolve("stream-1.json"), streamBefore);

    assertThat(nextJobExit).as("exit code of the next job").isZero();
    assertSummaryMatches(work.resolve("stream-2.json"), streamAfter);
    assertTablesHoldExactly(new LakehouseTables(streamDir), streamBefore, streamAfter);
  }

  private static LakehouseJvm streamingJob(String summary) throws IOException {
    return LakehouseJvm.start(
        List.of(),
        "ingest",
        "--mode=streaming",
        "--until-caught-up",
        "--commit-interval=2s",
        "--bootstrap-servers=" + KAFKA.bootstrapServers(),
        "--topic=" + STREAM_TOPIC,
        "--consumer-group=outage-stream",
        "--data-dir=" + streamDir,
        "--summary-json=" + work.resolve(summary));
  }

  /** Sends {@code count} messages of one simulated day {@code daysAgo} days back. */
  private static Manifest send(String topic, long seed, long count, int daysAgo)
      throws InterruptedException {
    return GenerateRun.run(
        GeneratorConfig.builder()
            .topic(topic)
            .seed(seed)
            .count(count)
            // days apart, so that no receipt of one batch is a copy of the other's
            .start(
                LocalDate.now(ZoneOffset.UTC)
                    .minusDays(daysAgo)
                    .atStartOfDay(ZoneOffset.UTC)
                    .toInstant())
            .malformedRate(0.02)
            .duplicateRate(0.02)
            .lateRate(0.01)
            .build(),
        KAFKA.bootstrapServers(),
        ProgressSink.none());
  }

  /** Waits until both tables have consumed at least {@code atLeast} messages of the topic. */
  private static void awaitConsumed(Path dataDir, String topic, long atLeast, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    long consumed = 0;
    while (System.nanoTime() < deadline) {
      consumed = new LakehouseTables(dataDir).consumed(topic);
      if (consumed >= atLeast) {
        return;
      }
      Thread.sleep(500);
    }
    throw new AssertionError(
        "the tables consumed " + consumed + " of " + atLeast + " messages within " + timeout);
  }

  private static void awaitMoreLines(LakehouseJvm jvm, String text, long than, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (jvm.stderr().stream().filter(l -> l.contains(text)).count() <= than) {
      assertThat(System.nanoTime()).as("another '" + text + "' line").isLessThan(deadline);
      Thread.sleep(200);
    }
  }

  private static void assertSummaryMatches(Path summaryJson, Manifest sent) throws IOException {
    JsonNode summary = JSON.readTree(Files.readString(summaryJson));
    RunnerConformance.assertSummaryMatches(summary, sent);
    assertThat(summary.get("lost_to_retention").asLong()).isZero();
  }

  private static long sum(List<Map<String, String>> summaries, String key) {
    return summaries.stream().mapToLong(s -> Long.parseLong(s.get(key))).sum();
  }

  private static void log(String what) {
    System.err.println("broker-outage test: " + Instant.now() + " " + what);
  }
}
