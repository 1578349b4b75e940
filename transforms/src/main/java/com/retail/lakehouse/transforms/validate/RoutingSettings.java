package com.retail.lakehouse.transforms.validate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Serializable;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The settings that decide which table a message goes to, besides the message itself: the largest
 * payload accepted ({@code --max-payload-bytes}) and how far {@code event_time} may be ahead of the
 * message's Kafka timestamp ({@code --future-tolerance}). With them, routing is a pure function of
 * the message: the same message and the same settings always go to the same table.
 *
 * <p>Every ingest commit records the settings it routed with in its snapshot summary ({@link
 * #SUMMARY_KEY}), next to the Kafka position, so a later run that re-reads messages one table
 * already holds (after a crash between the two tables' commits) routes them as the run that
 * committed them did ({@link GapRouting}), whatever its own flags say.
 */
public record RoutingSettings(int maxPayloadBytes, Duration futureTolerance)
    implements Serializable {
  /** Snapshot summary key holding the settings as JSON. */
  public static final String SUMMARY_KEY = "lakehouse.routing";

  private static final ObjectMapper JSON = new ObjectMapper();

  public RoutingSettings {
    if (maxPayloadBytes < 1) {
      throw new IllegalArgumentException("the maximum payload size must be at least 1 byte");
    }
    if (futureTolerance == null || futureTolerance.isNegative()) {
      throw new IllegalArgumentException("the future tolerance must be zero or positive");
    }
  }

  /** The summary entry to store with a commit: {@link #SUMMARY_KEY} -> these settings. */
  public Map<String, String> toSummary() {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("max-payload-bytes", maxPayloadBytes);
    fields.put("future-tolerance", futureTolerance.toString());
    try {
      return Map.of(SUMMARY_KEY, JSON.writeValueAsString(fields));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The settings recorded in a snapshot summary, or null when it records none (a commit made before
   * routing settings were recorded, or not by ingest).
   */
  public static RoutingSettings fromSummary(Map<String, String> summary) {
    String json = summary == null ? null : summary.get(SUMMARY_KEY);
    if (json == null) {
      return null;
    }
    try {
      JsonNode node = JSON.readTree(json);
      return new RoutingSettings(
          node.get("max-payload-bytes").intValue(),
          Duration.parse(node.get("future-tolerance").textValue()));
    } catch (Exception e) {
      throw new IllegalStateException("Unreadable " + SUMMARY_KEY + " in a snapshot: " + json, e);
    }
  }

  @Override
  public String toString() {
    return "max-payload-bytes=" + maxPayloadBytes + ", future-tolerance=" + futureTolerance;
  }
}
