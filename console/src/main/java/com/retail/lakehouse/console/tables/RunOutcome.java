package com.retail.lakehouse.console.tables;

public enum RunOutcome {
  SUCCEEDED,
  FAILED,
  RUNNING
}
