package com.retail.lakehouse.generator;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** The event streams the generator can send, each to its own topic. */
public enum EventStream {
  /** POS sale lines ({@code pos_transactions}). */
  POS,
  /** Inventory movements ({@code inventory_movements}), following the POS sales. */
  INVENTORY;

  /** The stream's name on the command line: {@code pos}, {@code inventory}. */
  public String cliName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses a comma-separated list such as {@code pos,inventory}.
   *
   * @throws IllegalArgumentException naming the unknown stream
   */
  public static Set<EventStream> parseList(String text) {
    EnumSet<EventStream> streams = EnumSet.noneOf(EventStream.class);
    for (String part : text.split(",", -1)) {
      String name = part.trim();
      EventStream match = null;
      for (EventStream s : values()) {
        if (s.cliName().equalsIgnoreCase(name)) {
          match = s;
        }
      }
      if (match == null) {
        throw new IllegalArgumentException(
            "--streams takes a comma-separated list of pos and inventory, got '" + text + "'");
      }
      streams.add(match);
    }
    return streams;
  }
}
