package com.retail.lakehouse.console.tables;

import com.retail.lakehouse.console.tables.DateState.State;

/**
 * The state of one date from the facts the tables give and the console's last run: a pure function,
 * so the strip is the same for the same facts.
 *
 * <p>Precedence: {@code RUNNING} (a run is at it); then the tables' own verdict ({@code MISSING}
 * before {@code STALE} before {@code UP_TO_DATE}); a last run that {@code FAILED} turns a verdict
 * other than {@code UP_TO_DATE} into {@code FAILED} (a date the tables show up to date, e.g.
 * rebuilt by a later run outside the console, stays {@code UP_TO_DATE}).
 */
final class PartitionStates {
  private PartitionStates() {}

  /**
   * @param rawHasDate raw's current snapshot holds files of the date
   * @param martHasRows the mart's current snapshot holds rows of the date
   * @param rawChangedSinceBuild a raw snapshot newer than the one the mart built the date from
   *     added files of the date (late data)
   * @param lastRun the console's last mart run of the date, null if none
   */
  static State state(
      boolean rawHasDate, boolean martHasRows, boolean rawChangedSinceBuild, RunOutcome lastRun) {
    if (lastRun == RunOutcome.RUNNING) {
      return State.RUNNING;
    }
    State tables;
    if (rawHasDate && !martHasRows) {
      tables = State.MISSING;
    } else if (rawChangedSinceBuild) {
      tables = State.STALE;
    } else {
      tables = State.UP_TO_DATE;
    }
    if (lastRun == RunOutcome.FAILED && tables != State.UP_TO_DATE) {
      return State.FAILED;
    }
    return tables;
  }
}
