package com.retail.lakehouse.transforms.commit;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongFunction;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;

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
  // Positions of the other topics the same snapshot recorded: kept as they are by every commit
  // of this topic, so that one table can be fed by several topics.
  private final TreeMap<String, Map<Integer, Long>> otherTopics;

  public CommittedOffsets(String topic, Map<Integer, Long> nextOffsets) {
    this(topic, nextOffsets, Map.of());
  }

  private CommittedOffsets(
      String topic, Map<Integer, Long> nextOffsets, Map<String, Map<Integer, Long>> otherTopics) {
    if (topic == null || topic.isBlank()) {
      throw new IllegalArgumentException("a Kafka position needs a topic");
    }
    this.topic = topic;
    this.nextOffsets = new TreeMap<>(nextOffsets);
    this.otherTopics = new TreeMap<>();
    otherTopics.forEach((t, offsets) -> this.otherTopics.put(t, new TreeMap<>(offsets)));
    this.otherTopics.remove(topic);
  }

  /**
   * The position the rows of {@code table} prove for {@code topic}: per partition, one past the
   * highest {@code kafka_offset} of a row from that topic (a full scan of three columns). Used only
   * to recover a position that was lost; exact except where the last messages before the lost
   * position were all duplicates (those are read again and dropped as duplicates within the
   * de-duplication horizon).
   */
  public static Map<Integer, Long> provenByRows(
      Table table, String topicColumn, String partitionColumn, String offsetColumn, String topic) {
    table.refresh();
    Map<Integer, Long> next = new TreeMap<>();
    if (table.currentSnapshot() == null) {
      return next;
    }
    try (CloseableIterable<Record> rows =
        IcebergGenerics.read(table)
            .where(Expressions.equal(topicColumn, topic))
            .select(topicColumn, partitionColumn, offsetColumn)
            .build()) {
      for (Record r : rows) {
        next.merge(
            (Integer) r.getField(partitionColumn), (Long) r.getField(offsetColumn) + 1, Math::max);
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("reading the Kafka offsets of " + table.name(), e);
    }
    return next;
  }

  /** No position yet: a table that has never been written by ingest. */
  public static CommittedOffsets none(String topic) {
    return new CommittedOffsets(topic, Map.of());
  }

  /** The position recorded by the newest snapshot of {@code table} that records one. */
  public static CommittedOffsets of(Table table, String topic) {
    table.refresh();
    return newestRecorded(table.currentSnapshot(), table::snapshot, topic);
  }

  private static CommittedOffsets newestRecorded(
      Snapshot snapshot, LongFunction<Snapshot> byId, String topic) {
    return heldBy(newestRecording(snapshot, byId), topic);
  }

  /**
   * The position of {@code topic} that {@code recording} (a table's newest snapshot recording one,
   * or null when none does) holds: what a commit validates against inside Iceberg's optimistic
   * commit, with the recording snapshot of the metadata it is about to replace.
   */
  static CommittedOffsets heldBy(Snapshot recording, String topic) {
    return recording == null ? none(topic) : recordedIn(recording, topic);
  }

  /**
   * What a commit that does not move the position must carry forward so it stays readable: the
   * position value (every topic's, as stored under {@link #SUMMARY_KEY}) and the ingest run's
   * totals ({@link RunTotals#SUMMARY_KEY}) that {@code metadata} holds as the commit is about to
   * replace it; empty when no snapshot records a position. For compaction, whose snapshot becomes
   * the newest while the older ones may then be expired. Call it inside the commit's validation,
   * with the metadata the commit replaces, so that an ingest commit that landed meanwhile is never
   * carried back.
   *
   * @throws PositionUnknownException if the snapshot that recorded it has been expired
   */
  public static Map<String, String> toCarryForward(TableMetadata metadata) {
    Snapshot recording = recordingSnapshot(metadata);
    Map<String, String> carried = new TreeMap<>();
    if (recording != null) {
      for (String key : new String[] {SUMMARY_KEY, RunTotals.SUMMARY_KEY}) {
        String value = recording.summary().get(key);
        if (value != null) {
          carried.put(key, value);
        }
      }
    }
    return carried;
  }

  /** The snapshot that records the position in {@code metadata}, or null when none does. */
  static Snapshot recordingSnapshot(TableMetadata metadata) {
    return newestRecording(metadata.currentSnapshot(), metadata::snapshot);
  }

  /**
   * The newest snapshot of {@code table}'s current history that records a Kafka position (the one
   * ingest resumes from), or null when none does: what snapshot expiry must keep.
   *
   * @throws PositionUnknownException if the snapshot that recorded it has been expired
   */
  public static Snapshot recordingSnapshot(Table table) {
    return newestRecording(table.currentSnapshot(), table::snapshot);
  }

  private static Snapshot newestRecording(Snapshot snapshot, LongFunction<Snapshot> byId) {
    while (snapshot != null) {
      if (snapshot.summary().containsKey(SUMMARY_KEY)) {
        return snapshot;
      }
      Long parent = snapshot.parentId();
      if (parent != null && byId.apply(parent) == null) {
        // The snapshot that recorded the position was expired under newer ones without it
        // (another engine's compaction): starting over would re-read the whole topic.
        throw new PositionUnknownException(
            "the Kafka position of this table was in a snapshot that has been expired (snapshot "
                + parent
                + ", below "
                + snapshot.snapshotId()
                + " from a '"
                + snapshot.operation()
                + "' commit); ingest stops rather than re-read the topic: see README 'Recovering"
                + " a lost position'");
      }
      snapshot = parent == null ? null : byId.apply(parent);
    }
    return null;
  }

  /** A table whose Kafka position cannot be read any more; ingest must not start over. */
  public static final class PositionUnknownException extends IllegalStateException {
    PositionUnknownException(String message) {
      super(message);
    }
  }

  /** The position {@code snapshot} records, or null when it records none (not an ingest commit). */
  public static CommittedOffsets recordedIn(Snapshot snapshot, String topic) {
    String json = snapshot.summary().get(SUMMARY_KEY);
    if (json == null) {
      return null;
    }
    Map<String, Map<Integer, Long>> all = parse(json);
    return new CommittedOffsets(topic, all.getOrDefault(topic, Map.of()), all);
  }

  /**
   * Where an ingest of both tables resumes on {@code partition}: the lower of the raw and the
   * dead-letter position (every message below it is in one of the tables, every one at or above it
   * may still be missing from one). The one rule ingest plans by and lag is measured against.
   */
  public static long resumeOffset(
      CommittedOffsets raw, CommittedOffsets deadLetters, int partition) {
    return Math.min(raw.next(partition), deadLetters.next(partition));
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
    return new CommittedOffsets(topic, merged, otherTopics);
  }

  /** Whether {@code other} is the same position: this topic's and every other topic's offsets. */
  public boolean samePositionAs(CommittedOffsets other) {
    return topic.equals(other.topic)
        && nextOffsets.equals(other.nextOffsets)
        && otherTopics.equals(other.otherTopics);
  }

  /** Whether this position covers every partition offset of {@code other}. */
  public boolean covers(Map<Integer, Long> other) {
    return other.entrySet().stream().allMatch(e -> next(e.getKey()) >= e.getValue());
  }

  /** The summary value to store with a commit. */
  public String toSummaryJson() {
    try {
      Map<String, Map<Integer, Long>> all = new TreeMap<>(otherTopics);
      all.put(topic, nextOffsets);
      return JSON.writeValueAsString(all);
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

  /** Two positions are equal when they hold the same offsets of the same topics. */
  @Override
  public boolean equals(Object o) {
    return o instanceof CommittedOffsets other
        && topic.equals(other.topic)
        && nextOffsets.equals(other.nextOffsets)
        && otherTopics.equals(other.otherTopics);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(topic, nextOffsets, otherTopics);
  }
}
