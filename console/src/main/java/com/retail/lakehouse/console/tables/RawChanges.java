package com.retail.lakehouse.console.tables;

import java.time.LocalDate;
import java.util.SortedSet;

public record RawChanges(Long newestSnapshotId, SortedSet<LocalDate> dates) {}
