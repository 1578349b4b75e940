package com.retail.lakehouse.console.tables;

import static org.assertj.core.api.Assertions.assertThat;

import com.retail.lakehouse.console.tables.DateState.State;
import org.junit.jupiter.api.Test;

/** Every state of the strip from the facts that make it, and the precedence between them. */
class PartitionStatesTest {
  @Test
  void builtFromEveryRawFileIsUpToDate() {
    assertThat(PartitionStates.state(true, true, false, null)).isEqualTo(State.UP_TO_DATE);
    assertThat(PartitionStates.state(true, true, false, RunOutcome.SUCCEEDED))
        .isEqualTo(State.UP_TO_DATE);
  }

  @Test
  void aDateOnlyTheMartHasIsUpToDateUnlessRawChangedIt() {
    assertThat(PartitionStates.state(false, true, false, null)).isEqualTo(State.UP_TO_DATE);
    assertThat(PartitionStates.state(false, true, true, null)).isEqualTo(State.STALE);
  }

  @Test
  void rawRowsTheMartHasNotIsMissing() {
    assertThat(PartitionStates.state(true, false, false, null)).isEqualTo(State.MISSING);
    // never built, and raw got files since: still MISSING, the stronger fact
    assertThat(PartitionStates.state(true, false, true, RunOutcome.SUCCEEDED))
        .isEqualTo(State.MISSING);
  }

  @Test
  void rawFilesAfterTheBuildAreStale() {
    assertThat(PartitionStates.state(true, true, true, null)).isEqualTo(State.STALE);
    assertThat(PartitionStates.state(true, true, true, RunOutcome.SUCCEEDED))
        .isEqualTo(State.STALE);
  }

  @Test
  void aFailedLastRunShowsOnlyWhereTheTablesAreNotUpToDate() {
    assertThat(PartitionStates.state(true, true, true, RunOutcome.FAILED)).isEqualTo(State.FAILED);
    assertThat(PartitionStates.state(true, false, false, RunOutcome.FAILED))
        .isEqualTo(State.FAILED);
    // rebuilt since by a run the console did not see: the tables say up to date
    assertThat(PartitionStates.state(true, true, false, RunOutcome.FAILED))
        .isEqualTo(State.UP_TO_DATE);
  }

  @Test
  void aRunningRunWinsOverEverything() {
    assertThat(PartitionStates.state(true, true, false, RunOutcome.RUNNING))
        .isEqualTo(State.RUNNING);
    assertThat(PartitionStates.state(true, false, false, RunOutcome.RUNNING))
        .isEqualTo(State.RUNNING);
    assertThat(PartitionStates.state(true, true, true, RunOutcome.RUNNING))
        .isEqualTo(State.RUNNING);
  }
}
