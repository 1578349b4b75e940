package com.retail.lakehouse.trino;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.retail.lakehouse.transforms.tables.CatalogSettings;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.iceberg.Schema;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The readiness wait against a server that answers as a just-started Trino did in a failed CI run:
 * {@code /v1/info} already says {@code "starting":false}, yet queries fail with {@code
 * NO_NODES_AVAILABLE} for a while. The real Trino is exercised by {@link TrinoSqlTest}; this one
 * makes the race happen every time.
 */
class TrinoReadinessTest {
  private static final String PROBE = "SELECT count(*) FROM (SELECT 1 FROM t LIMIT 1)";

  @TempDir Path temp;

  private HttpServer server;
  private URI base;
  private Process alive;
  private final AtomicInteger posts = new AtomicInteger();
  private volatile int failingPosts;
  private volatile String failure = "NO_NODES_AVAILABLE";

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/v1/info", x -> reply(x, "{\"starting\":false}"));
    server.createContext(
        "/v1/statement",
        x -> {
          String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          if (x.getRequestMethod().equals("POST")) {
            assertThat(body).isEqualTo(PROBE);
            assertThat(x.getRequestHeaders().getFirst("X-Trino-User")).isNotBlank();
            if (posts.incrementAndGet() <= failingPosts) {
              reply(
                  x,
                  "{\"id\":\"q\",\"error\":{\"message\":\"m\",\"errorName\":\"" + failure + "\"}}");
            } else {
              reply(x, "{\"id\":\"q\",\"nextUri\":\"" + base.resolve("/v1/statement/q/1") + "\"}");
            }
          } else {
            reply(x, "{\"id\":\"q\",\"data\":[[1]]}");
          }
        });
    server.start();
    base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    alive = new ProcessBuilder("sleep", "600").start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
    alive.destroyForcibly();
  }

  @Test
  void waitsUntilAQueryRunsOnANodeNotUntilTrinoSaysItHasStarted() {
    failingPosts = 3;
    TrinoReadiness.await(base, PROBE, alive, Duration.ofSeconds(30), temp.resolve("trino.log"));
    assertThat(posts.get()).as("probes sent, the first three refused").isEqualTo(4);
  }

  @Test
  void anErrorAboutTheTableItselfIsAnAnswerAndEndsTheWait() {
    failingPosts = Integer.MAX_VALUE;
    failure = "ICEBERG_MISSING_DATA";
    TrinoReadiness.await(base, PROBE, alive, Duration.ofSeconds(30), temp.resolve("trino.log"));
    assertThat(posts.get()).isEqualTo(1);
  }

  @Test
  void aTrinoThatNeverFindsANodeFailsWithTheReasonAndTheLog() {
    failingPosts = Integer.MAX_VALUE;
    Path log = temp.resolve("trino.log");
    assertThatThrownBy(() -> TrinoReadiness.await(base, PROBE, alive, Duration.ofSeconds(2), log))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("not ready within 2 s")
        .hasMessageContaining("NO_NODES_AVAILABLE")
        .hasMessageContaining(log.toString());
  }

  @Test
  void aTrinoThatExitsWhileStartingSaysSoWithItsFirstError() throws Exception {
    Path log = temp.resolve("trino.log");
    Files.writeString(log, "1) Error: Configuration property 'x' was not used\n");
    Process exited = new ProcessBuilder("false").start();
    exited.waitFor();
    assertThatThrownBy(() -> TrinoReadiness.await(base, PROBE, exited, Duration.ofSeconds(30), log))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("Trino exited with code 1 while starting")
        .hasMessageContaining("1) Error: Configuration property 'x' was not used");
  }

  @Test
  void theProbeReadsTheFirstTableOfTheCatalogOrTheNodesWhenThereIsNone() {
    Catalog catalog =
        CatalogSettings.of(CatalogSettings.Kind.HADOOP, temp.resolve("wh").toString(), null, null)
            .catalog();
    assertThat(TrinoReadiness.probeFor(catalog)).isEqualTo(TrinoReadiness.NO_TABLE_PROBE);
    Schema schema = new Schema(Types.NestedField.required(1, "id", Types.LongType.get()));
    catalog.createTable(TableIdentifier.of("raw", "pos_events"), schema);
    catalog.createTable(TableIdentifier.of("marts", "daily_sales_summary"), schema);
    catalog.createTable(TableIdentifier.of("marts", "daily_inventory"), schema);
    assertThat(TrinoReadiness.probeFor(catalog))
        .isEqualTo(
            "SELECT count(*) FROM (SELECT 1 FROM lakehouse.\"marts\".\"daily_inventory\" LIMIT 1)");
  }

  private static void reply(HttpExchange x, String json) throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().set("Content-Type", "application/json");
    x.sendResponseHeaders(200, bytes.length);
    x.getResponseBody().write(bytes);
    x.close();
  }
}
