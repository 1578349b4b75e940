package com.retail.lakehouse.console.tables;

/** The outcome of the console's last mart run for a date, from its run history. */
public enum RunOutcome {
  SUCCEEDED,
  FAILED,
  RUNNING
}
