package com.retail.lakehouse.transforms.validate;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The routing settings recorded for the messages of the gap between the two tables' positions:
 * offsets that one table (raw or dead letters) already holds and the other does not, because a run
 * or job committed one table and stopped before the other. A run re-reading the gap must route each
 * of its messages exactly as the run that committed it did, or the message ends in both tables
 * (routed to the lagging table now, already in the other) or in neither (routed to the table that
 * holds its offset now, and skipped there). Routing depends only on the message and {@link
 * RoutingSettings}, and every commit records its settings, so this maps each gap offset to the
 * settings of the commit that first covered it; every other offset is routed with the run's own
 * settings.
 *
 * <p>The gap is at most what one run or streaming job committed to one table and not to the other,
 * so the map is small: a few ranges per partition. A range whose commit recorded no settings (made
 * before they were recorded, or whose snapshot expired) has none, and is routed with the run's own.
 */
public final class GapRouting implements Serializable {
  private static final GapRouting NONE = new GapRouting(List.of(), new TreeMap<>());

  /** The distinct recorded settings; ranges refer to them by index. */
  private final List<RoutingSettings> recorded;

  /** Partition -> its ranges, for {@link #toString()} and equality of plans in logs. */
  private final TreeMap<Integer, Ranges> ranges;

  /** The same ranges indexed by partition (null: no gap in that partition), for the hot path. */
  private final Ranges[] byPartition;

  private GapRouting(List<RoutingSettings> recorded, TreeMap<Integer, Ranges> ranges) {
    this.recorded = List.copyOf(recorded);
    this.ranges = ranges;
    this.byPartition = new Ranges[ranges.isEmpty() ? 0 : ranges.lastKey() + 1];
    ranges.forEach((p, r) -> byPartition[p] = r);
  }

  /** No gap: every message is routed with the run's own settings. */
  public static GapRouting none() {
    return NONE;
  }

  /** Whether no offset has recorded settings (the usual case: both tables at one position). */
  public boolean isEmpty() {
    return ranges.isEmpty();
  }

  /** The distinct settings the gap's commits recorded; {@link #indexAt} points into this list. */
  public List<RoutingSettings> recordedSettings() {
    return recorded;
  }

  /**
   * The index in {@link #recordedSettings()} of the settings that routed the message at {@code
   * partition}/{@code offset} when one table committed it, or -1 when the run's own settings apply
   * (outside the gap, or no settings recorded for that range).
   */
  public int indexAt(int partition, long offset) {
    if (partition < 0 || partition >= byPartition.length) {
      return -1;
    }
    Ranges r = byPartition[partition];
    return r == null ? -1 : r.indexAt(offset);
  }

  /** The settings for a message: the recorded ones in the gap, otherwise {@code own}. */
  public RoutingSettings settingsAt(int partition, long offset, RoutingSettings own) {
    int i = indexAt(partition, offset);
    return i < 0 ? own : recorded.get(i);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Collects ranges of offsets with the settings recorded for them. */
  public static final class Builder {
    private final List<RoutingSettings> recorded = new ArrayList<>();
    private final Map<Integer, List<long[]>> ranges = new TreeMap<>(); // {from, to, index}

    private Builder() {}

    /**
     * Offsets {@code from} (inclusive) to {@code to} (exclusive) of {@code partition} were routed
     * with {@code settings} (null: unknown, route them with the run's own). Ranges of a partition
     * must not overlap.
     */
    public Builder add(int partition, long from, long to, RoutingSettings settings) {
      if (partition < 0 || from < 0 || to < from) {
        throw new IllegalArgumentException(
            "bad range " + from + ".." + to + " of partition " + partition);
      }
      if (from == to) {
        return this;
      }
      int index = -1;
      if (settings != null) {
        index = recorded.indexOf(settings);
        if (index < 0) {
          recorded.add(settings);
          index = recorded.size() - 1;
        }
      }
      ranges.computeIfAbsent(partition, p -> new ArrayList<>()).add(new long[] {from, to, index});
      return this;
    }

    public GapRouting build() {
      if (ranges.isEmpty()) {
        return NONE;
      }
      TreeMap<Integer, Ranges> built = new TreeMap<>();
      ranges.forEach((p, list) -> built.put(p, Ranges.of(p, list)));
      return new GapRouting(recorded, built);
    }
  }

  /** One partition's ranges, sorted by start. */
  private static final class Ranges implements Serializable {
    private final long[] starts;
    private final long[] ends;
    private final int[] indexes;

    private Ranges(long[] starts, long[] ends, int[] indexes) {
      this.starts = starts;
      this.ends = ends;
      this.indexes = indexes;
    }

    static Ranges of(int partition, List<long[]> list) {
      List<long[]> sorted = new ArrayList<>(list);
      sorted.sort(Comparator.comparingLong(r -> r[0]));
      long[] starts = new long[sorted.size()];
      long[] ends = new long[sorted.size()];
      int[] indexes = new int[sorted.size()];
      for (int i = 0; i < sorted.size(); i++) {
        long[] r = sorted.get(i);
        if (i > 0 && r[0] < ends[i - 1]) {
          throw new IllegalArgumentException(
              "overlapping ranges of partition " + partition + " at offset " + r[0]);
        }
        starts[i] = r[0];
        ends[i] = r[1];
        indexes[i] = (int) r[2];
      }
      return new Ranges(starts, ends, indexes);
    }

    int indexAt(long offset) {
      int i = Arrays.binarySearch(starts, offset);
      if (i < 0) {
        i = -i - 2; // the last range starting before offset
      }
      return i >= 0 && offset < ends[i] ? indexes[i] : -1;
    }

    void describe(StringBuilder out, int partition, List<RoutingSettings> recorded) {
      for (int i = 0; i < starts.length; i++) {
        out.append(out.length() == 0 ? "" : "; ")
            .append("partition ")
            .append(partition)
            .append(" offsets ")
            .append(starts[i])
            .append('-')
            .append(ends[i] - 1)
            .append(": ")
            .append(indexes[i] < 0 ? "no settings recorded" : recorded.get(indexes[i]));
      }
    }
  }

  @Override
  public String toString() {
    if (ranges.isEmpty()) {
      return "no gap";
    }
    StringBuilder out = new StringBuilder();
    ranges.forEach((p, r) -> r.describe(out, p, recorded));
    return out.toString();
  }
}
