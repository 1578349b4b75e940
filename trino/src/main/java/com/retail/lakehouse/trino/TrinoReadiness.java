package com.retail.lakehouse.trino;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Set;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.exceptions.NoSuchNamespaceException;

/**
 * Waits until a starting Trino has run a query that reads a lakehouse table, not merely until it
 * says it is no longer starting. Between the two, Trino does not yet list itself among the nodes
 * that serve the {@code lakehouse} catalog (it learns that from its own announcement, refreshed
 * every 5 s): system and {@code information_schema} queries already run, but a table scan fails
 * with "No nodes available to run query" for up to a few seconds. So the probe reads one row of a
 * table of the catalog ({@link #probeFor}); with no table yet (a fresh warehouse), nothing can be
 * scanned, and it reads {@code system.runtime.nodes} instead. It goes over Trino's own client
 * protocol ({@code POST /v1/statement}, then each {@code nextUri}).
 */
final class TrinoReadiness {
  static final String NO_TABLE_PROBE =
      "SELECT count(*) FROM system.runtime.nodes WHERE state = 'active'";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final Duration PAUSE = Duration.ofMillis(500);
  private static final Set<String> NOT_YET = Set.of("SERVER_STARTING_UP", "NO_NODES_AVAILABLE");

  private TrinoReadiness() {}

  /**
   * The probe statement for {@code catalog}: one row of its first table in name order (as Trino
   * names it, {@code lakehouse."ns"."table"}), or {@link #NO_TABLE_PROBE} when it has none.
   */
  static String probeFor(Catalog catalog) {
    if (!(catalog instanceof SupportsNamespaces namespaces)) {
      return NO_TABLE_PROBE;
    }
    try {
      return firstTable(catalog, namespaces);
    } catch (NoSuchNamespaceException e) {
      return NO_TABLE_PROBE; // a warehouse folder not made yet, or a namespace dropped meanwhile
    }
  }

  private static String firstTable(Catalog catalog, SupportsNamespaces namespaces) {
    return namespaces.listNamespaces().stream()
        .filter(ns -> ns.length() == 1)
        .sorted(Comparator.comparing(Namespace::toString))
        .flatMap(
            ns -> catalog.listTables(ns).stream().sorted(Comparator.comparing(Object::toString)))
        .findFirst()
        .map(
            t ->
                "SELECT count(*) FROM (SELECT 1 FROM "
                    + TrinoSettings.CATALOG
                    + "."
                    + quoted(t.namespace().level(0))
                    + "."
                    + quoted(t.name())
                    + " LIMIT 1)")
        .orElse(NO_TABLE_PROBE);
  }

  private static String quoted(String name) {
    return '"' + name.replace("\"", "\"\"") + '"';
  }

  /**
   * Returns once Trino at {@code base} has answered {@code probe}: with its result, or with an
   * error other than "still starting" or "no nodes available".
   *
   * @throws IllegalStateException when {@code process} exits first, or no probe succeeds within
   *     {@code timeout}; the message names the log and the last reason the probe gave
   */
  static void await(URI base, String probe, Process process, Duration timeout, Path log) {
    long deadline = System.nanoTime() + timeout.toNanos();
    String lastReason = "Trino did not answer";
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "Trino exited with code "
                + process.exitValue()
                + " while starting: "
                + LocalTrino.firstError(log)
                + " (log: "
                + log
                + ")");
      }
      try {
        String reason = run(base, probe);
        if (reason == null) {
          return;
        }
        lastReason = reason;
        Thread.sleep(PAUSE.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while Trino was starting", e);
      }
    }
    throw new IllegalStateException(
        "Trino was not ready within "
            + timeout.toSeconds()
            + " s ("
            + lastReason
            + "; log: "
            + log
            + ")");
  }

  /** Runs the probe once: {@code null} when Trino answered it, else why it is not ready yet. */
  private static String run(URI base, String probe) throws InterruptedException {
    try {
      return answer(base, probe);
    } catch (IOException e) {
      return "not listening yet"; // or not answering yet
    }
  }

  private static String answer(URI base, String probe) throws IOException, InterruptedException {
    HttpRequest post =
        request(base.resolve("/v1/statement"))
            .POST(HttpRequest.BodyPublishers.ofString(probe))
            .build();
    HttpResponse<String> r = HTTP.send(post, HttpResponse.BodyHandlers.ofString());
    // Each answer carries part of the result and the next page's address, until the last.
    for (int page = 0; page < 1_000; page++) {
      if (r.statusCode() != 200) {
        return "HTTP " + r.statusCode() + " from " + r.uri().getPath();
      }
      JsonNode answer = JSON.readTree(r.body());
      JsonNode error = answer.path("error");
      if (!error.isMissingNode()) {
        String name = error.path("errorName").asText("");
        // Only these two mean "not yet": any other error is Trino answering, about the table
        // (one it cannot read, say), and a start must not wait on a table's health.
        return NOT_YET.contains(name) ? name + ": " + error.path("message").asText() : null;
      }
      JsonNode next = answer.path("nextUri");
      if (next.isMissingNode() || next.isNull()) {
        return null;
      }
      r =
          HTTP.send(
              request(URI.create(next.asText())).GET().build(),
              HttpResponse.BodyHandlers.ofString());
    }
    return "the probe's answer did not end";
  }

  private static HttpRequest.Builder request(URI uri) {
    return HttpRequest.newBuilder(uri)
        .timeout(Duration.ofSeconds(10))
        .header("X-Trino-User", "lakehouse");
  }
}
