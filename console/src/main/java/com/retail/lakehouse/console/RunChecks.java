package com.retail.lakehouse.console;

import com.retail.lakehouse.console.tables.LakehouseTables;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The checks after a run (Dagster's asset checks): after ingest, every message is accounted for
 * ({@code unaccounted == 0}, error) and the dead-letter rate is under the limit (warn); after a
 * mart run, each rebuilt date's revenue and units equal the sums over raw's lines at the raw
 * snapshot the mart read (error). A failed run gets no data checks (its output is not committed).
 */
final class RunChecks {
  private RunChecks() {}

  static List<Map<String, Object>> of(Run run, ConsoleSettings settings, LakehouseTables tables) {
    List<Map<String, Object>> out = new ArrayList<>();
    if (run.status() != RunStatus.SUCCEEDED) {
      return out;
    }
    Map<String, Object> summary = run.summary() == null ? Map.of() : run.summary();
    switch (run.job()) {
      case "ingest" -> {
        long unaccounted = number(summary.get("unaccounted"));
        out.add(
            result(
                "all_messages_accounted",
                "error",
                summary.containsKey("unaccounted") && unaccounted == 0,
                summary.containsKey("unaccounted")
                    ? "unaccounted " + unaccounted + " (read = raw + dead letters + duplicates)"
                    : "the run wrote no summary"));
        long read = number(summary.get("read"));
        long dead = number(summary.get("dead_letters"));
        double rate = read == 0 ? 0 : (double) dead / read;
        out.add(
            result(
                "dead_letter_rate",
                "warn",
                rate <= settings.deadLetterRateLimit(),
                String.format(
                    "%d of %d messages (%.2f%%) went to dead letters; limit %.2f%%",
                    dead, read, rate * 100, settings.deadLetterRateLimit() * 100)));
      }
      case "mart" -> {
        List<LocalDate> dates = new ArrayList<>();
        Object fromSummary = summary.get("dates");
        if (fromSummary instanceof List<?> list) {
          list.forEach(d -> dates.add(LocalDate.parse(String.valueOf(d))));
        } else {
          run.dates().forEach(d -> dates.add(LocalDate.parse(d)));
        }
        if (!dates.isEmpty()) {
          out.addAll(Console.martChecksJson(tables.checkMart(dates)));
        }
      }
      default -> {}
    }
    return out;
  }

  static Map<String, Object> result(String name, String severity, boolean passed, String detail) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    m.put("severity", severity);
    m.put("passed", passed);
    m.put("detail", detail);
    return m;
  }

  private static long number(Object value) {
    return value instanceof Number n ? n.longValue() : 0;
  }
}
