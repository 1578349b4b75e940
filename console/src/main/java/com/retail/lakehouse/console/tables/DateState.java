package com.retail.lakehouse.console.tables;

import java.time.LocalDate;

/**
 * The mart's state for one UTC sale date.
 *
 * @param date the UTC sale date
 * @param state see {@link State}
 * @param martRawSnapshotId the raw snapshot the mart's newest commit of this date read, null when
 *     no retained mart commit replaced it
 * @param newestRawSnapshotTouchingDate the newest raw snapshot (of raw's current history, rewrites
 *     by compaction excepted) that added files of this date since the oldest raw snapshot a mart
 *     date was built from; for a date raw last changed before that, the snapshot that added its
 *     newest live file (which may be a compaction); null when that snapshot has expired
 */
public record DateState(
    LocalDate date, State state, Long martRawSnapshotId, Long newestRawSnapshotTouchingDate) {
  /** What the console shows for a date. */
  public enum State {
    /** The mart holds the date built from every raw file of it. */
    UP_TO_DATE,
    /** Raw received files of the date after the raw snapshot the mart built it from. */
    STALE,
    /** Raw has the date, the mart has no rows of it. */
    MISSING,
    /** The last mart run of the date failed and the tables do not show it up to date. */
    FAILED,
    /** A mart run of the date is running. */
    RUNNING
  }
}
