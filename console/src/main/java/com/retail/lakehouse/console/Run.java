package com.retail.lakehouse.console;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One run of a job as the run history holds it. */
record Run(
    long id,
    String job,
    Trigger trigger,
    Map<String, Object> params,
    RunStatus status,
    int attempt,
    int maxAttempts,
    Long parentId,
    Long backfillId,
    String runKey,
    Instant queuedAt,
    Instant notBefore,
    Instant startedAt,
    Instant endedAt,
    Integer exitCode,
    String message,
    Map<String, Object> summary,
    List<Map<String, Object>> checks,
    String logPath,
    Long pid) {

  /** The API's view (docs/console-api.md). */
  Map<String, Object> toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", id);
    m.put("job", job);
    m.put("trigger", trigger.wire());
    m.put("params", params);
    m.put("status", status.wire());
    m.put("attempt", attempt);
    m.put("max_attempts", maxAttempts);
    m.put("parent_id", parentId);
    m.put("backfill_id", backfillId);
    m.put("run_key", runKey);
    m.put("queued_at", text(queuedAt));
    m.put("not_before", text(notBefore));
    m.put("started_at", text(startedAt));
    m.put("ended_at", text(endedAt));
    m.put(
        "duration_seconds",
        startedAt == null
            ? null
            : Duration.between(startedAt, endedAt == null ? Instant.now() : endedAt).toMillis()
                / 1000.0);
    m.put("exit_code", exitCode);
    m.put("message", message);
    m.put("summary", summary);
    m.put("log_path", logPath);
    m.put("pid", pid);
    m.put("checks", checks == null ? List.of() : checks);
    return m;
  }

  @SuppressWarnings("unchecked")
  List<String> dates() {
    Object dates = params == null ? null : params.get("dates");
    return dates instanceof List<?> list ? (List<String>) list : List.of();
  }

  static String text(Instant instant) {
    return instant == null ? null : instant.toString();
  }
}
