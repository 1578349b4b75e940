package com.retail.lakehouse.console;

import com.retail.lakehouse.pipelines.mart.MartCommand;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The jobs the console runs, each a command of the launcher in a child process: what parameters it
 * takes (checked here, so a bad request is refused before it is queued), the command line they
 * become, and which job follows which. One place maps parameters to flags. {@code inventory_mart}
 * is {@code mart --mart=inventory} with the mart's parameters, and follows each successful {@code
 * mart} run (the sales mart first, then the stock mart). A mart whose raw table does not exist yet
 * ends with {@link MartCommand#NO_RAW_TABLE}: for these jobs that is {@link #skipped}, not failed.
 */
final class Jobs {
  /** A job: name, one-line description, how long a run may take. */
  record Job(String name, String description, Duration timeout) {}

  /** The stock mart's job: {@code mart --mart=inventory}, after each successful sales mart. */
  static final String INVENTORY_MART = "inventory_mart";

  private final ConsoleSettings settings;

  Jobs(ConsoleSettings settings) {
    this.settings = settings;
  }

  List<Job> all() {
    return List.of(
        new Job(
            "ingest",
            "Kafka -> raw.pos_transactions"
                + (settings.streams().contains("inventory") ? " and raw.inventory_movements" : "")
                + " + dead letters, catch-up run (exactly once)",
            settings.ingestTimeout()),
        new Job(
            "mart",
            "raw -> marts.daily_sales_summary for the given dates, or the dates raw changed since"
                + " the last mart run",
            settings.martTimeout()),
        new Job(
            INVENTORY_MART,
            "raw.inventory_movements + raw.pos_transactions -> marts.daily_inventory for the given"
                + " dates, or the dates either changed since the last run (skipped while"
                + " raw.inventory_movements does not exist)",
            settings.martTimeout()),
        new Job(
            "maintain",
            "compact small files, merge manifests, expire snapshots, find orphan files",
            settings.martTimeout()));
  }

  Job job(String name) {
    return all().stream()
        .filter(j -> j.name().equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "unknown job '" + name + "': use ingest, mart, inventory_mart or maintain"));
  }

  /**
   * The jobs a successful run of {@code job} starts (trigger dependency), in order: {@code
   * inventory_mart} after {@code mart}, since the stock mart reads the POS sales too.
   */
  List<String> followers(String job) {
    job(job);
    return job.equals("mart") ? List.of(INVENTORY_MART) : List.of();
  }

  /**
   * The parameters of a run that {@link #followers} start: the dates changed since its last run.
   */
  Map<String, Object> followerParams(String job) {
    return params(job, Map.of("changed_since_last_run", true));
  }

  /**
   * Whether a run of {@code job} that exited with {@code exitCode} found nothing to work on yet (a
   * mart whose raw table does not exist): skipped, neither succeeded nor failed, not retried.
   */
  boolean skipped(String job, int exitCode) {
    return isMart(job) && exitCode == MartCommand.NO_RAW_TABLE;
  }

  private static boolean isMart(String job) {
    return job.equals("mart") || job.equals(INVENTORY_MART);
  }

  /** Checks and normalizes a run's parameters (dates sorted and de-duplicated). */
  Map<String, Object> params(String job, Map<String, Object> given) {
    job(job);
    Map<String, Object> params = new LinkedHashMap<>(given == null ? Map.of() : given);
    for (String key : params.keySet()) {
      if (!allowed(job).contains(key)) {
        throw new IllegalArgumentException(
            "job " + job + " takes no parameter '" + key + "' (it takes " + allowed(job) + ")");
      }
    }
    if (params.containsKey("runner")
        && !List.of("direct", "flink", "spark").contains(String.valueOf(params.get("runner")))) {
      throw new IllegalArgumentException(
          "runner must be direct, flink or spark, got '" + params.get("runner") + "'");
    }
    if (params.containsKey("dates")) {
      if (!(params.get("dates") instanceof List<?> list) || list.isEmpty()) {
        throw new IllegalArgumentException("dates must be a non-empty list like [\"2026-11-24\"]");
      }
      TreeSet<String> dates = new TreeSet<>();
      for (Object d : list) {
        try {
          dates.add(LocalDate.parse(String.valueOf(d)).toString());
        } catch (DateTimeParseException e) {
          throw new IllegalArgumentException("dates wants yyyy-MM-dd values, got '" + d + "'");
        }
      }
      params.put("dates", new ArrayList<>(dates));
    }
    return params;
  }

  private static List<String> allowed(String job) {
    return switch (job) {
      case "mart", INVENTORY_MART -> List.of("dates", "changed_since_last_run", "runner");
      default -> List.of("runner");
    };
  }

  /** The child's command line for {@code run}, writing its summary to {@code summaryFile}. */
  List<String> command(Run run, Path summaryFile) {
    List<String> cmd = new ArrayList<>(settings.jobCommand());
    cmd.add(isMart(run.job()) ? "mart" : run.job());
    cmd.add("--runner=" + run.params().getOrDefault("runner", settings.runner()));
    cmd.add("--data-dir=" + settings.dataDir());
    cmd.add("--summary-json=" + summaryFile);
    switch (run.job()) {
      case "ingest" -> {
        if (settings.bootstrapServers() != null) {
          cmd.add("--bootstrap-servers=" + settings.bootstrapServers());
        }
        cmd.add("--topic=" + settings.topic());
        if (!settings.streams().contains("inventory")) {
          cmd.add("--streams=pos");
        } // else the ingest's default: both, the inventory stream skipped while it has no topic
        cmd.add("--until-caught-up"); // one catch-up run, then exit: the schedule repeats it
      }
      case "mart", INVENTORY_MART -> {
        if (run.job().equals(INVENTORY_MART)) {
          cmd.add("--mart=inventory");
        }
        if (!run.dates().isEmpty()
            && !Boolean.TRUE.equals(run.params().get("changed_since_last_run"))) {
          cmd.add("--date=" + String.join(",", run.dates()));
        } else {
          cmd.add("--changed-since-last-run");
        }
      }
      default -> {}
    }
    return cmd;
  }
}
