package com.retail.lakehouse.console.tables;

import java.time.LocalDate;

public record DateState(
    LocalDate date, State state, Long martRawSnapshotId, Long newestRawSnapshotTouchingDate) {
  public enum State {
    UP_TO_DATE,
    STALE,
    MISSING,
    FAILED,
    RUNNING
  }
}
