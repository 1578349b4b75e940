package com.retail.lakehouse.console.dashboard;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A small least-recently-used cache of results keyed by (snapshot id, query): a table's snapshot
 * never changes, so an entry is never stale, only superseded by a newer snapshot's key.
 */
final class SnapshotCache<K, V> {
  private final int capacity;
  private final Map<K, V> entries;

  SnapshotCache(int capacity) {
    this.capacity = capacity;
    this.entries = new LinkedHashMap<>(16, 0.75f, true);
  }

  /** The cached value of {@code key}, computed (outside the lock) when absent. */
  V get(K key, Supplier<V> compute) {
    synchronized (this) {
      V hit = entries.get(key);
      if (hit != null) {
        return hit;
      }
    }
    V value = compute.get();
    synchronized (this) {
      entries.put(key, value);
      while (entries.size() > capacity) {
        entries.remove(entries.keySet().iterator().next());
      }
    }
    return value;
  }

  /** The cached value of {@code key}, or null (counts as a use). */
  synchronized V peek(K key) {
    return entries.get(key);
  }

  synchronized int size() {
    return entries.size();
  }
}
