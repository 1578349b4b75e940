package com.retail.lakehouse.transforms.commit;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;

/**
 * The Kafka position a table holds: per partition, the next offset not yet in the table. It is
 * stored in the summary of the same Iceberg snapshot that adds the data (as Iceberg's own Kafka
 * Connect and Flink sinks do), so data and position commit atomically and ingest resumes from the
 * table, never from consumer-group offsets that may run ahead of what was committed.
 */
public final class CommittedOffsets implements Serializable {
  /** Snapshot summary key holding {topic: {partition: nextOffset}} as JSON. */
  public static final String SUMMARY_KEY = "lakehouse.kafka-offsets";

  /** Snapshot summary key naming the ingest run that made the commit. */
  public static final String RUN_ID_KEY = "lakehouse.ingest-run-id";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String topic;
  private final TreeMap<Integer, Long> nextOffsets;

  public CommittedOffsets(String topic, Map<Integer, Long> nextOffsets) {
    this.topic = topic;
    this.nextOffsets = new TreeMap<>(nextOffsets);
  }

  /** No position yet: a table that has never been written by ingest. */
  public static CommittedOffsets none(String topic) {
    return new CommittedOffsets(topic, Map.of());
  }

  /** The position recorded by the newest snapshot of {@code table} that records one. */
  public static CommittedOffsets of(Table table, String topic) {
    table.refresh();
    Snapshot snapshot = table.currentSnapshot();
    while (snapshot != null) {
      String json = snapshot.summary().get(SUMMARY_KEY);
      if (json != null) {
        return new CommittedOffsets(topic, parse(json).getOrDefault(topic, Map.of()));
      }
      Long parent = snapshot.parentId();
      snapshot = parent == null ? null : table.snapshot(parent);
    }
    return none(topic);
  }

  /** The position {@code snapshot} records, or null when it records none (not an ingest commit). */
  public static CommittedOffsets recordedIn(Snapshot snapshot, String topic) {
    String json = snapshot.summary().get(SUMMARY_KEY);
    return json == null
        ? null
        : new CommittedOffsets(topic, parse(json).getOrDefault(topic, Map.of()));
  }

  public String topic() {
    return topic;
  }

  /** Partition -> next offset not yet in the table. */
  public Map<Integer, Long> nextOffsets() {
    return nextOffsets;
  }

  /** The next offset of a partition, or 0 when the table holds nothing of it. */
  public long next(int partition) {
    return nextOffsets.getOrDefault(partition, 0L);
  }

  /** Whether the table already holds the message at this position. */
  public boolean holds(int partition, long offset) {
    return offset < next(partition);
  }

  /** This position advanced to also cover everything up to (excluding) the given offsets. */
  public CommittedOffsets advancedTo(Map<Integer, Long> next) {
    TreeMap<Integer, Long> merged = new TreeMap<>(nextOffsets);
    next.forEach((p, o) -> merged.merge(p, o, Math::max));
    return new CommittedOffsets(topic, merged);
  }

  /** Whether this position covers every partition offset of {@code other}. */
  public boolean covers(Map<Integer, Long> other) {
    return other.entrySet().stream().allMatch(e -> next(e.getKey()) >= e.getValue());
  }

  /** The summary value to store with a commit. */
  public String toSummaryJson() {
    try {
      return JSON.writeValueAsString(Map.of(topic, nextOffsets));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, Map<Integer, Long>> parse(String json) {
    try {
      return JSON.readValue(json, new TypeReference<Map<String, Map<Integer, Long>>>() {});
    } catch (Exception e) {
      throw new IllegalStateException("Unreadable " + SUMMARY_KEY + " in a snapshot: " + json, e);
    }
  }

  @Override
  public String toString() {
    return topic + nextOffsets;
  }
}
