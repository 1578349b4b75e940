package com.retail.lakehouse.console.tables;

import java.time.Instant;

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
