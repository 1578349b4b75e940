package com.retail.lakehouse.console;

import static com.retail.lakehouse.console.ConsoleTestSupport.get;
import static com.retail.lakehouse.console.ConsoleTestSupport.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console against real parts: a real broker, real ingest and mart runs as child JVMs, real
 * Iceberg tables, the HTTP API. One data folder with a few ingested days is shared by the tests
 * (each test starts its own console on it).
 */
class ConsoleIntegrationTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration RUN_WAIT = Duration.ofMinutes(3);

  @TempDir static Path temp;
  static Path dataDir;
  static List<String> dates;

  @BeforeAll
  static void rawDays() throws Exception {
    dataDir = ConsoleTestSupport.dataDirWithRawDays(temp);
    dates = new ArrayList<>();
  }

  @Test
  void aMartRunAskedThroughTheApiSucceedsAndItsCheckReconcilesWithRaw() throws Exception {
    try (ConsoleServer server = ConsoleTestSupport.startServer(dataDir)) {
      URI url = server.url();
      var created = post(url, "api/jobs/mart/runs", "{\"dates\":[\"2026-11-21\"]}");
      assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
      long id = JSON.readTree(created.body()).get("id").asLong();

      JsonNode run = awaitEnded(url, id);
      assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("succeeded");
      assertThat(run.get("trigger").asText()).isEqualTo("manual");
      assertThat(run.get("exit_code").asInt()).isZero();
      assertThat(run.get("summary").get("dates").toString()).isEqualTo("[\"2026-11-21\"]");

      // The check runs after the run: mart totals of the date = sums over raw at the mart's input.
      JsonNode checked =
          await()
              .atMost(Duration.ofSeconds(30))
              .until(
                  () -> json(get(url, "api/runs/" + id).body()), r -> !r.get("checks").isEmpty());
      JsonNode check = checked.get("checks").get(0);
      assertThat(check.get("name").asText()).isEqualTo("mart_reconciles:2026-11-21");
      assertThat(check.get("passed").asBoolean()).as(check.toString()).isTrue();

      // Table health: the raw table's files per partition add up to its totals, one per day.
      JsonNode raw = json(get(url, "api/tables").body()).get("tables").get(0);
      assertThat(raw.get("name").asText()).isEqualTo("raw.pos_transactions");
      long files = 0;
      long records = 0;
      List<String> partitions = new ArrayList<>();
      for (JsonNode p : raw.get("partitions")) {
        files += p.get("files").asLong();
        records += p.get("records").asLong();
        partitions.add(p.get("partition").asText());
      }
      assertThat(files).isEqualTo(raw.get("data_files").asLong()).isPositive();
      assertThat(records).isEqualTo(raw.get("records").asLong());
      assertThat(partitions)
          .containsExactly(
              "event_time_day=2026-11-20",
              "event_time_day=2026-11-21",
              "event_time_day=2026-11-22");

      JsonNode log = json(get(url, "api/runs/" + id + "/log").body());
      assertThat(log.get("text").asText()).contains("console: run " + id).contains("mart");
    }
  }

  @Test
  void theSensorAsksForOneMartRunPerRawChangeAndNotAgain() throws Exception {
    try (ConsoleServer server = ConsoleTestSupport.startServer(dataDir)) {
      URI url = server.url();
      assertThat(post(url, "api/sensors/raw-changed/resume", "").statusCode()).isEqualTo(200);
      JsonNode first =
          await()
              .atMost(RUN_WAIT)
              .pollInterval(Duration.ofSeconds(1))
              .until(() -> latest(url, "sensor"), r -> r != null && ended(r));
      assertThat(first.get("status").asText()).as(first.toString()).isEqualTo("succeeded");
      assertThat(first.get("run_key").asText()).startsWith("raw-snapshot:");

      // Nothing new in raw: later evaluations ask for nothing.
      Thread.sleep(4000);
      assertThat(runs(url, "trigger=sensor")).hasSize(1);

      // New events ingested: exactly one more sensor run.
      ConsoleTestSupport.ingest(dataDir); // nothing new in Kafka: no new snapshot
      Thread.sleep(3000);
      assertThat(runs(url, "trigger=sensor")).hasSize(1);
    }
  }

  @Test
  void aBackfillWithOneFailingDateIsRetriedUntilEveryDateSucceeds() throws Exception {
    ConsoleSettings base = ConsoleTestSupport.settings(dataDir);
    JsonNode partitions;
    String from = "2026-11-20";
    String to = "2026-11-22";
    ConsoleSettings settings =
        base.withJobs(ConsoleTestSupport.failingOnceFor(temp, "2026-11-21"), Map.of(), "direct");
    try (ConsoleServer server = ConsoleServer.start(settings)) {
      URI url = server.url();
      var created =
          post(
              url,
              "api/backfills",
              "{\"job\":\"mart\",\"from\":\"" + from + "\",\"to\":\"" + to + "\"}");
      assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
      long backfill = JSON.readTree(created.body()).get("id").asLong();
      assertThat(JSON.readTree(created.body()).get("run_ids")).hasSize(3);

      JsonNode done =
          await()
              .atMost(RUN_WAIT.multipliedBy(2))
              .pollInterval(Duration.ofSeconds(1))
              .until(
                  () -> backfill(url, backfill), b -> !b.get("status").asText().equals("running"));
      assertThat(done.get("status").asText()).as(done.toString()).isEqualTo("succeeded");
      List<JsonNode> all = runs(url, "backfill_id=" + backfill);
      assertThat(all).as(all.toString()).hasSize(4);
      JsonNode failed =
          all.stream()
              .filter(r -> r.get("status").asText().equals("failed"))
              .findFirst()
              .orElseThrow();
      assertThat(failed.get("params").get("dates").get(0).asText()).isEqualTo("2026-11-21");
      assertThat(failed.get("message").asText()).contains("MART_BEFORE_COMMIT");
      JsonNode retry =
          all.stream()
              .filter(r -> r.get("trigger").asText().equals("retry"))
              .findFirst()
              .orElseThrow();
      assertThat(retry.get("parent_id").asLong()).isEqualTo(failed.get("id").asLong());
      assertThat(retry.get("attempt").asInt()).isEqualTo(2);
      assertThat(retry.get("status").asText()).isEqualTo("succeeded");
      partitions = json(get(url, "api/partitions").body());
    }
    for (JsonNode d : partitions.get("dates")) {
      if (d.get("date").asText().compareTo(from) >= 0
          && d.get("date").asText().compareTo(to) <= 0) {
        assertThat(d.get("state").asText()).as(d.toString()).isEqualTo("up_to_date");
      }
    }
  }

  /**
   * A successful mart run starts one inventory_mart run (trigger dependency); on this folder, whose
   * generator sent POS only, raw.inventory_movements does not exist: the run is skipped with the
   * mart's one-line hint, not failed, and not retried.
   */
  @Test
  void aSuccessfulMartRunIsFollowedByAnInventoryMartRunThatSkipsWithoutInventoryRaw()
      throws Exception {
    try (ConsoleServer server = ConsoleTestSupport.startServer(dataDir)) {
      URI url = server.url();
      var created = post(url, "api/jobs/mart/runs", "{\"dates\":[\"2026-11-22\"]}");
      long id = JSON.readTree(created.body()).get("id").asLong();
      assertThat(awaitEnded(url, id).get("status").asText()).isEqualTo("succeeded");

      JsonNode follower =
          await()
              .atMost(RUN_WAIT)
              .pollInterval(Duration.ofSeconds(1))
              .until(
                  () -> runs(url, "job=inventory_mart").stream().findFirst().orElse(null),
                  r -> r != null && ended(r));
      assertThat(follower.get("trigger").asText()).isEqualTo("dependency");
      assertThat(follower.get("run_key").asText()).isEqualTo("after:" + id);
      assertThat(follower.get("params").get("changed_since_last_run").asBoolean()).isTrue();
      assertThat(follower.get("status").asText()).as(follower.toString()).isEqualTo("skipped");
      assertThat(follower.get("exit_code").asInt()).isEqualTo(4);
      assertThat(follower.get("message").asText())
          .startsWith("skipped: ")
          .contains("raw.inventory_movements does not exist")
          .contains("run ./lakehouse ingest --streams pos,inventory first");
      JsonNode log = json(get(url, "api/runs/" + follower.get("id").asLong() + "/log").body());
      assertThat(log.get("text").asText())
          .contains("mart --runner=direct")
          .contains("--mart=inventory");

      Thread.sleep(3000); // a retry would be queued by now (retry delay 1 s)
      assertThat(runs(url, "job=inventory_mart")).as("skipped: not retried").hasSize(1);
      assertThat(runs(url, "status=skipped")).hasSize(1);
      JsonNode jobs = json(get(url, "api/jobs").body()).get("jobs");
      List<String> follows = new ArrayList<>();
      jobs.forEach(
          j -> {
            if (j.get("name").asText().equals("inventory_mart")) {
              j.get("follows").forEach(f -> follows.add(f.asText()));
            }
          });
      assertThat(follows).containsExactly("mart");
    }
  }

  @Test
  void mutatingRequestsWithoutTheCsrfHeaderAreRefused() throws Exception {
    try (ConsoleServer server = ConsoleTestSupport.startServer(dataDir)) {
      var response =
          java.net.http.HttpClient.newHttpClient()
              .send(
                  java.net.http.HttpRequest.newBuilder(server.url().resolve("api/jobs/mart/runs"))
                      .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}"))
                      .build(),
                  java.net.http.HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(403);
      assertThat(response.body()).contains("X-Lakehouse-Request");
      assertThat(runs(server.url(), "job=mart&trigger=manual")).isEmpty();
      var bad = post(server.url(), "api/jobs/mart/runs", "{\"dates\":[\"yesterday\"]}");
      assertThat(bad.statusCode()).isEqualTo(400);
      assertThat(json(bad.body()).get("error").asText()).contains("yyyy-MM-dd");
    }
  }

  private static JsonNode awaitEnded(URI url, long id) {
    return await()
        .atMost(RUN_WAIT)
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> json(get(url, "api/runs/" + id).body()), ConsoleIntegrationTest::ended);
  }

  private static boolean ended(JsonNode run) {
    String s = run.get("status").asText();
    return s.equals("succeeded")
        || s.equals("failed")
        || s.equals("cancelled")
        || s.equals("skipped");
  }

  private static JsonNode latest(URI url, String trigger) throws Exception {
    List<JsonNode> runs = runs(url, "trigger=" + trigger);
    return runs.isEmpty() ? null : runs.get(0);
  }

  static List<JsonNode> runs(URI url, String query) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    json(get(url, "api/runs?" + query).body()).get("runs").forEach(out::add);
    return out;
  }

  private static JsonNode backfill(URI url, long id) throws Exception {
    for (JsonNode b : json(get(url, "api/backfills").body()).get("backfills")) {
      if (b.get("id").asLong() == id) {
        return b;
      }
    }
    throw new AssertionError("no backfill " + id);
  }

  static JsonNode json(String text) throws Exception {
    return JSON.readTree(text);
  }
}
