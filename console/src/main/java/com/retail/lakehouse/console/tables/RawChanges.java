package com.retail.lakehouse.console.tables;

import java.time.LocalDate;
import java.util.SortedSet;

/**
 * What raw received since a cursor.
 *
 * @param newestSnapshotId raw's current snapshot (the sensor's next cursor), null without one
 * @param dates the UTC sale dates that received files since the cursor
 */
public record RawChanges(Long newestSnapshotId, SortedSet<LocalDate> dates) {
  public RawChanges {
    dates = java.util.Collections.unmodifiableSortedSet(new java.util.TreeSet<>(dates));
  }
}
