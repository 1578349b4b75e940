package com.retail.lakehouse.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The API's guards: DNS rebinding (Host), cross-origin POSTs (Origin), bad log parameters. */
class ConsoleGuardsTest {
  @TempDir Path dataDir;

  @Test
  void aLoopbackConsoleRefusesRequestsAddressedToAnotherHostAndForeignOrigins() throws Exception {
    ConsoleSettings settings =
        ConsoleSettings.defaults(dataDir, Path.of("."))
            .withAddress("127.0.0.1", 0)
            .withJobs(List.of("/bin/true"), Map.of(), "direct")
            .withSchedules(ZoneOffset.UTC, "0 0 3 * * *", "0 0 2 * * *", true, Duration.ofHours(1));
    try (ConsoleServer server = ConsoleServer.start(settings)) {
      URI url = server.url();
      assertThat(statusWithHost(url, "127.0.0.1:" + url.getPort())).isEqualTo(200);
      assertThat(statusWithHost(url, "localhost:" + url.getPort())).isEqualTo(200);
      // A page on attacker.example whose name now resolves to 127.0.0.1 sends its own Host.
      assertThat(statusWithHost(url, "attacker.example:" + url.getPort())).isEqualTo(403);

      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<String> foreign =
          http.send(
              HttpRequest.newBuilder(url.resolve("api/schedules/ingest-schedule/resume"))
                  .header("X-Lakehouse-Request", "1")
                  .header("Origin", "http://attacker.example")
                  .POST(HttpRequest.BodyPublishers.noBody())
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(foreign.statusCode()).isEqualTo(403);
      assertThat(foreign.body()).contains("cross-origin");
      HttpResponse<String> same =
          http.send(
              HttpRequest.newBuilder(url.resolve("api/schedules/ingest-schedule/resume"))
                  .header("X-Lakehouse-Request", "1")
                  .header("Origin", "http://127.0.0.1:" + url.getPort())
                  .POST(HttpRequest.BodyPublishers.noBody())
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(same.statusCode()).as(same.body()).isEqualTo(200);

      var created = ConsoleTestSupport.post(url, "api/jobs/maintain/runs", "{}");
      long id = ConsoleIntegrationTest.json(created.body()).get("id").asLong();
      assertThat(ConsoleTestSupport.get(url, "api/runs/" + id + "/log?offset=-1").statusCode())
          .isEqualTo(400);
      assertThat(
              ConsoleTestSupport.get(url, "api/runs/" + id + "/log?offset=3000000000").statusCode())
          .as("offsets beyond 2 GiB are numbers too")
          .isEqualTo(200);
      // The end of a log from a line start.
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  ConsoleIntegrationTest.json(ConsoleTestSupport.get(url, "api/runs/" + id).body())
                      .get("status")
                      .asText()
                      .equals("succeeded"));
      var tail =
          ConsoleIntegrationTest.json(
              ConsoleTestSupport.get(url, "api/runs/" + id + "/log?tail_bytes=60").body());
      assertThat(tail.get("offset").asLong()).isPositive();
      assertThat(tail.get("text").asText()).startsWith("console: run " + id + " ended succeeded");
    }
  }

  /** A raw HTTP/1.1 request (the JDK's client will not set Host). */
  private static int statusWithHost(URI url, String host) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", url.getPort())) {
      OutputStream out = socket.getOutputStream();
      out.write(
          ("GET /api/health HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      String status = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
      return Integer.parseInt(status.substring(9, 12));
    }
  }
}
