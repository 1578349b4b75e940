package com.retail.lakehouse.generator;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What a generator run sent, for reconciling what landed downstream: message counts, dead letters
 * by reason and the expected daily sales per store, plus a {@code run} object with everything that
 * varies between otherwise identical runs. The top-level counts and figures are the POS stream's;
 * with inventory on, an {@code inventory} object adds that stream's ({@link InventoryManifest}).
 *
 * <p>Everything outside {@code run} is byte-identical in {@link #toJson()} for the same flags and
 * seed.
 *
 * @param topic the Kafka topic
 * @param seed the seed
 * @param stores number of stores
 * @param skus number of products
 * @param start the simulated clock's start (ISO-8601 UTC), or {@code "live"} in live mode
 * @param firstEventTime earliest event_time of a valid line, null if none
 * @param lastEventTime latest event_time of a valid line, null if none
 * @param counts message counts by kind
 * @param malformedByReason malformed messages by dead-letter reason name, sorted by name
 * @param expectedDaily one entry per (store, sale date), sorted by sale date then store
 * @param inventory what was sent to the inventory topic and the stock the books must show; null
 *     (and left out of the JSON) when the run sent POS traffic only
 * @param run run-specific facts; null when the messages were not sent
 */
@JsonPropertyOrder({
  "topic",
  "seed",
  "stores",
  "skus",
  "start",
  "first_event_time",
  "last_event_time",
  "counts",
  "malformed_by_reason",
  "expected_daily",
  "inventory",
  "run"
})
@JsonInclude(JsonInclude.Include.ALWAYS)
public record Manifest(
    @JsonProperty("topic") String topic,
    @JsonProperty("seed") long seed,
    @JsonProperty("stores") int stores,
    @JsonProperty("skus") int skus,
    @JsonProperty("start") String start,
    @JsonProperty("first_event_time") String firstEventTime,
    @JsonProperty("last_event_time") String lastEventTime,
    @JsonProperty("counts") Counts counts,
    @JsonProperty("malformed_by_reason") SortedMap<String, Long> malformedByReason,
    @JsonProperty("expected_daily") List<DailyExpectation> expectedDaily,
    @JsonProperty("inventory") @JsonInclude(JsonInclude.Include.NON_NULL)
        InventoryManifest inventory,
    @JsonProperty("run") RunInfo run) {

  private static final ObjectMapper MAPPER =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private static final DateTimeFormatter FILE_STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT).withZone(ZoneOffset.UTC);

  /**
   * Message counts of a run: {@code sent = valid + malformed + duplicates}.
   *
   * @param sent every message sent
   * @param valid distinct valid sale lines, late ones included
   * @param malformed messages the contract rejects
   * @param duplicates exact re-sends of earlier valid lines
   * @param late the valid lines sent 1-48 h after their event_time
   */
  @JsonPropertyOrder({"sent", "valid", "malformed", "duplicates", "late"})
  public record Counts(
      @JsonProperty("sent") long sent,
      @JsonProperty("valid") long valid,
      @JsonProperty("malformed") long malformed,
      @JsonProperty("duplicates") long duplicates,
      @JsonProperty("late") long late) {}

  public Manifest {
    malformedByReason =
        malformedByReason == null ? new TreeMap<>() : new TreeMap<>(malformedByReason);
    expectedDaily = expectedDaily == null ? List.of() : List.copyOf(expectedDaily);
  }

  /** This manifest with the given run facts. */
  public Manifest withRun(RunInfo run) {
    return new Manifest(
        topic,
        seed,
        stores,
        skus,
        start,
        firstEventTime,
        lastEventTime,
        counts,
        malformedByReason,
        expectedDaily,
        inventory,
        run);
  }

  /** This manifest with the given inventory section. */
  public Manifest withInventory(InventoryManifest inventory) {
    return new Manifest(
        topic,
        seed,
        stores,
        skus,
        start,
        firstEventTime,
        lastEventTime,
        counts,
        malformedByReason,
        expectedDaily,
        inventory,
        run);
  }

  /** The sum of expected net revenue over all stores and days. */
  public BigDecimal totalNetRevenue() {
    return expectedDaily.stream()
        .map(DailyExpectation::netRevenue)
        .reduce(BigDecimal.ZERO.setScale(2), BigDecimal::add);
  }

  /** The manifest as pretty-printed JSON (2-space indent, deterministic key order). */
  public String toJson() {
    try {
      return MAPPER.writeValueAsString(this) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize manifest", e);
    }
  }

  /** Reads a manifest written by {@link #toJson()}. */
  public static Manifest fromJson(String json) {
    try {
      return MAPPER.readValue(json, Manifest.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a generator manifest: " + e.getOriginalMessage(), e);
    }
  }

  /** Reads a manifest file. */
  public static Manifest read(Path file) throws IOException {
    return fromJson(Files.readString(file, StandardCharsets.UTF_8));
  }

  /** Writes the manifest to {@code file}, creating parent directories. */
  public void write(Path file) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(file, toJson(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write manifest " + file, e);
    }
  }

  /**
   * Where a run's manifest is kept: {@code
   * <dataDir>/manifests/generate-<seed>-<yyyyMMdd-HHmmss>.json}.
   */
  public static Path defaultPath(Path dataDir, long seed, Instant startedAt) {
    return dataDir
        .resolve("manifests")
        .resolve("generate-" + seed + "-" + FILE_STAMP.format(startedAt) + ".json");
  }
}
