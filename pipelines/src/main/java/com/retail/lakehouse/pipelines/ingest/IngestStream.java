package com.retail.lakehouse.pipelines.ingest;

import com.retail.lakehouse.common.UsageException;
import com.retail.lakehouse.transforms.contract.EventContract;
import com.retail.lakehouse.transforms.contract.InventoryContract;
import com.retail.lakehouse.transforms.contract.PosContract;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One event stream an ingest run takes: its name on the command line ({@code --streams}), the topic
 * it is read from, and its contract. Every stream goes through the same reader, writer and
 * exactly-once commit; only the contract differs.
 */
public record IngestStream(String name, String topic, EventContract contract, boolean optional) {
  /** The names {@code --streams} accepts. */
  public static final List<String> NAMES = List.of("pos", "inventory");

  /**
   * The streams {@code --streams} names, in its order, each once: {@code pos} from {@code --topic},
   * {@code inventory} from {@code --inventory-topic}. Without {@code --streams}: both, the
   * inventory stream {@link #optional() optional} (skipped while its topic does not exist, so a
   * POS-only broker ingests as before); only pos with {@code --mode=streaming} (one job per stream)
   * or {@code --start-from} (a position of {@code --topic}).
   */
  public static List<IngestStream> of(IngestOptions options) {
    String list = options.getStreams();
    if (list == null) {
      boolean posOnly =
          "streaming".equals(options.getMode())
              || (options.getStartFrom() != null && !options.getStartFrom().isBlank());
      posOnly |= options.getTopic().equals(options.getInventoryTopic());
      return posOnly
          ? List.of(new IngestStream("pos", options.getTopic(), PosContract.INSTANCE, false))
          : of(options, List.of("pos", "inventory"), true);
    }
    if (list.isBlank()) {
      throw new UsageException("--streams must name at least one of " + String.join(", ", NAMES));
    }
    Set<String> names = new LinkedHashSet<>();
    for (String part : list.split(",")) {
      String name = part.trim();
      if (!NAMES.contains(name)) {
        throw new UsageException(
            "--streams="
                + list
                + ": '"
                + name
                + "' is not a stream; use "
                + String.join(", ", NAMES)
                + " or both, comma-separated");
      }
      names.add(name);
    }
    return of(options, List.copyOf(names), false);
  }

  /** The named streams; with {@code inventoryOptional}, the inventory stream is optional. */
  private static List<IngestStream> of(
      IngestOptions options, List<String> names, boolean inventoryOptional) {
    List<IngestStream> streams = new ArrayList<>();
    for (String name : names) {
      streams.add(
          name.equals("pos")
              ? new IngestStream(name, options.getTopic(), PosContract.INSTANCE, false)
              : new IngestStream(
                  name,
                  options.getInventoryTopic(),
                  InventoryContract.INSTANCE,
                  inventoryOptional));
    }
    if (names.size() > 1 && options.getTopic().equals(options.getInventoryTopic())) {
      throw new UsageException(
          "--topic and --inventory-topic are both "
              + options.getTopic()
              + ": each stream needs its own topic (every message would land under both contracts)");
    }
    if (streams.size() > 1 && options.getStartFrom() != null && !options.getStartFrom().isBlank()) {
      throw new UsageException(
          "--start-from sets one topic's position: give it with a single stream (--streams="
              + streams.get(0).name()
              + ")");
    }
    return streams;
  }

  /**
   * Where this stream's summary goes when {@code --summary-json} names {@code path}: the path
   * itself for the first stream, {@code <path without .json>.<stream>.json} for the others.
   */
  static String summaryPath(String path, int index, IngestStream stream) {
    if (path == null || path.isBlank() || index == 0) {
      return path;
    }
    String stem = path.endsWith(".json") ? path.substring(0, path.length() - 5) : path;
    return stem + "." + stream.name() + ".json";
  }
}
