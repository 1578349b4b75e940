package com.retail.lakehouse.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.retail.lakehouse.common.CatalogFlags;
import com.retail.lakehouse.console.tables.LakehouseTables;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checks after ingest runs, and the webhook alert of a run failing after its retries. */
class RunChecksTest {
  @TempDir Path dataDir;

  private final ConsoleSettings settings =
      ConsoleSettings.defaults(Path.of("/tmp/none"), Path.of("."));

  @Test
  void ingestChecksAccountingAndTheDeadLetterRate() {
    var ok =
        RunChecks.of(
            ingest(RunStatus.SUCCEEDED, Map.of("unaccounted", 0, "read", 1000, "dead_letters", 20)),
            settings,
            null);
    assertThat(ok).extracting(c -> c.get("passed")).containsExactly(true, true);

    var bad =
        RunChecks.of(
            ingest(
                RunStatus.SUCCEEDED, Map.of("unaccounted", 2, "read", 1000, "dead_letters", 100)),
            settings,
            null);
    assertThat(bad)
        .extracting(c -> c.get("name"))
        .containsExactly("all_messages_accounted", "dead_letter_rate");
    assertThat(bad).extracting(c -> c.get("passed")).containsExactly(false, false);
    assertThat(bad.get(1).get("severity")).isEqualTo("warn");
    assertThat((String) bad.get(1).get("detail")).contains("10.00%");

    var noSummary = RunChecks.of(ingest(RunStatus.SUCCEEDED, Map.of()), settings, null);
    assertThat(noSummary.get(0).get("passed")).isEqualTo(false);

    assertThat(RunChecks.of(ingest(RunStatus.FAILED, Map.of("unaccounted", 5)), settings, null))
        .as("a failed run committed nothing to check")
        .isEmpty();
  }

  @Test
  void aRunFailingAfterItsLastAttemptIsPostedToTheWebhook() throws Exception {
    List<String> received = new CopyOnWriteArrayList<>();
    HttpServer hook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    hook.createContext(
        "/alert",
        exchange -> {
          received.add(
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          exchange.sendResponseHeaders(204, -1);
          exchange.close();
        });
    hook.start();
    DataSource source = Database.open(dataDir, null);
    try {
      ConsoleSettings withHook =
          ConsoleSettings.defaults(dataDir, Path.of("."))
              .withRetries(2, Duration.ofSeconds(1), Duration.ofSeconds(1))
              .withChecks(
                  "http://127.0.0.1:" + hook.getAddress().getPort() + "/alert",
                  0.05,
                  Duration.ofMinutes(10));
      RunStore store = new RunStore(source);
      LakehouseTables tables =
          new LakehouseTables(
              CatalogSettings.of(
                  CatalogFlags.of("hadoop", dataDir.toString(), null, null, List.of())),
              null,
              "pos_transactions");
      try (Console console = new Console(withHook, store, new Jobs(withHook), tables)) {
        Run first = failed(store, console, null);
        assertThat(store.retryOf(first.id())).as("attempt 1 of 2 is retried").isPresent();
        Thread.sleep(500);
        assertThat(received).as("no alert while a retry is coming").isEmpty();

        Run retry = store.retryOf(first.id()).orElseThrow();
        assertThat(retry.notBefore()).isAfter(Instant.now().minusSeconds(1));
        Run last = failed(store, console, retry);
        assertThat(store.retryOf(last.id())).as("no attempt 3").isEmpty();
        await().atMost(Duration.ofSeconds(10)).until(() -> !received.isEmpty());
        JsonNode alert = new ObjectMapper().readTree(received.get(0));
        assertThat(alert.get("event").asText()).isEqualTo("run_failed_after_retries");
        assertThat(alert.get("run").get("id").asLong()).isEqualTo(last.id());
        assertThat(alert.get("run").get("attempt").asInt()).isEqualTo(2);
      }
    } finally {
      hook.stop(0);
      Database.close(source);
    }
  }

  /** Runs {@code queued} (or a new mart run) to failed through the store and tells the console. */
  private static Run failed(RunStore store, Console console, Run queued) {
    Run run =
        queued != null
            ? queued
            : console
                .request("mart", Trigger.MANUAL, Map.of("dates", List.of("2026-11-24")), null, null)
                .run();
    store.markStarted(run.id(), 1L, Instant.now(), null);
    store.markEnded(run.id(), RunStatus.FAILED, 1, "exit 1: boom", null);
    Run ended = store.get(run.id()).orElseThrow();
    console.ended(ended);
    return ended;
  }

  private static Run ingest(RunStatus status, Map<String, Object> summary) {
    return new Run(
        1,
        "ingest",
        Trigger.SCHEDULE,
        Map.of(),
        status,
        1,
        3,
        null,
        null,
        null,
        Instant.now(),
        null,
        Instant.now(),
        Instant.now(),
        0,
        null,
        summary,
        null,
        null,
        null);
  }
}
