package com.retail.lakehouse.console.tables;

import java.time.Instant;

/**
 * One table's state from its current snapshot's metadata (no data file is opened).
 *
 * @param name the table identifier, e.g. {@code raw.pos_transactions}
 * @param exists false when the catalog has no such table (all other values are then 0 or null)
 * @param snapshots snapshots the table's metadata retains
 * @param dataFiles live data files of the current snapshot
 * @param totalBytes bytes of the current snapshot's live files
 * @param averageFileBytes {@code totalBytes / dataFiles}, 0 without files
 * @param records rows of the current snapshot's live data files
 * @param lastCommit when the current snapshot was committed, null without one
 * @param currentSnapshotId the current snapshot, null without one
 */
public record TableHealth(
    String name,
    boolean exists,
    int snapshots,
    long dataFiles,
    long totalBytes,
    long averageFileBytes,
    long records,
    Instant lastCommit,
    Long currentSnapshotId) {}
