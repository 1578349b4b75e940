package com.retail.lakehouse.console.dashboard;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Objects;

/**
 * The console's newest mart reconciliation check of one sale date ({@code mart_reconciles:<date>}
 * of a mart run, see RunChecks): what the quality page shows per date, with the run that made it.
 *
 * @param date the sale date checked
 * @param runId the mart run whose checks hold it
 * @param checkedAt when that run ended, null if unknown
 * @param passed the mart's revenue and units equal raw's at the raw snapshot the mart read
 * @param detail the check's one line ("not checked: ..." when it could not be made)
 */
public record MartReconciliation(
    LocalDate date, long runId, Instant checkedAt, boolean passed, String detail) {
  public MartReconciliation {
    Objects.requireNonNull(date, "date must not be null");
    detail = detail == null ? "" : detail;
  }

  /** ok, failed, or not_checked (the check ran but could not compare, e.g. raw expired). */
  String status() {
    if (passed) {
      return "ok";
    }
    return detail.startsWith("not checked") ? "not_checked" : "failed";
  }
}
