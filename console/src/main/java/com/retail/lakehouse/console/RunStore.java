package com.retail.lakehouse.console;

import com.fasterxml.jackson.core.type.TypeReference;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The run history and the console's state, in its database. Guarantees: a run's status only moves
 * as {@link RunStatus} allows (a move from a stale state changes nothing and says so); at most one
 * run per (job, run key) ever exists, so a tick, a sensor change or a retry asked for twice gives
 * one run; a sensor's cursor moves in the same transaction as the run it asks for.
 */
final class RunStore {
  /** What a new run needs. */
  record NewRun(
      String job,
      Trigger trigger,
      Map<String, Object> params,
      int attempt,
      int maxAttempts,
      Long parentId,
      Long backfillId,
      String runKey,
      Instant notBefore) {}

  /** A filter of the runs list; null fields match everything. */
  record Filter(String job, RunStatus status, Trigger trigger, Long backfillId) {}

  /** A schedule's or sensor's state row. */
  record State(
      String name, boolean paused, String cursor, String lastRunKey, Instant lastEvaluated) {}

  /** A backfill as created. */
  record Backfill(long id, String job, LocalDate from, LocalDate to, Instant createdAt) {}

  private static final String COLUMNS =
      "id, job, trigger_kind, params, status, attempt, max_attempts, parent_id, backfill_id,"
          + " run_key, queued_at, not_before, started_at, ended_at, exit_code, message, summary,"
          + " checks, log_path, pid";

  private final DataSource source;

  RunStore(DataSource source) {
    this.source = source;
  }

  DataSource dataSource() {
    return source;
  }

  /**
   * Adds a queued run; when (job, run key) already has a run, nothing is added and that run is
   * returned with {@code created == false}.
   */
  Created create(NewRun run) {
    try (Connection c = source.getConnection()) {
      return create(c, run);
    } catch (SQLException e) {
      throw failure("add a run of " + run.job(), e);
    }
  }

  /** The result of {@link #create}: the run, and whether this call added it. */
  record Created(Run run, boolean created) {}

  private Created create(Connection c, NewRun run) throws SQLException {
    if (run.runKey() != null) {
      Optional<Run> existing = byKey(c, run.job(), run.runKey());
      if (existing.isPresent()) {
        return new Created(existing.get(), false);
      }
    }
    // Inside a transaction, a failed insert must not abort it (PostgreSQL): roll back to here.
    java.sql.Savepoint before = c.getAutoCommit() ? null : c.setSavepoint();
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO console_runs (job, trigger_kind, params, status, attempt, max_attempts,"
                + " parent_id, backfill_id, run_key, queued_at, not_before)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            new String[] {"id"})) {
      s.setString(1, run.job());
      s.setString(2, run.trigger().wire());
      s.setString(3, Json.write(run.params() == null ? Map.of() : run.params()));
      s.setString(4, RunStatus.QUEUED.wire());
      s.setInt(5, run.attempt());
      s.setInt(6, run.maxAttempts());
      setLong(s, 7, run.parentId());
      setLong(s, 8, run.backfillId());
      s.setString(9, run.runKey());
      s.setObject(10, time(Instant.now()));
      s.setObject(11, time(run.notBefore()));
      s.executeUpdate();
      try (ResultSet keys = s.getGeneratedKeys()) {
        keys.next();
        return new Created(get(c, keys.getLong(1)).orElseThrow(), true);
      }
    } catch (SQLException e) {
      // Another writer added the same (job, run key) between the look-up and the insert.
      if (run.runKey() != null && isUniqueViolation(e)) {
        if (before != null) {
          c.rollback(before);
        }
        return new Created(byKey(c, run.job(), run.runKey()).orElseThrow(() -> e), false);
      }
      throw e;
    }
  }

  /**
   * The sensor's step, in one transaction: asks for {@code run} (unless its key has one) and moves
   * the cursor of {@code sensor} to {@code cursor}.
   */
  Created createAndMoveCursor(NewRun run, String sensor, String cursor) {
    try (Connection c = source.getConnection()) {
      c.setAutoCommit(false);
      try {
        Created created = create(c, run);
        writeState(c, sensor, null, cursor, run.runKey(), Instant.now());
        c.commit();
        return created;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw failure("record the sensor's run", e);
    }
  }

  Optional<Run> get(long id) {
    try (Connection c = source.getConnection()) {
      return get(c, id);
    } catch (SQLException e) {
      throw failure("read run " + id, e);
    }
  }

  /** Runs newest first, at most {@code limit}, with ids below {@code beforeId} when given. */
  List<Run> list(Filter filter, int limit, Long beforeId) {
    StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM console_runs WHERE 1=1");
    List<Object> args = new ArrayList<>();
    if (filter.job() != null) {
      sql.append(" AND job = ?");
      args.add(filter.job());
    }
    if (filter.status() != null) {
      sql.append(" AND status = ?");
      args.add(filter.status().wire());
    }
    if (filter.trigger() != null) {
      sql.append(" AND trigger_kind = ?");
      args.add(filter.trigger().wire());
    }
    if (filter.backfillId() != null) {
      sql.append(" AND backfill_id = ?");
      args.add(filter.backfillId());
    }
    if (beforeId != null) {
      sql.append(" AND id < ?");
      args.add(beforeId);
    }
    sql.append(" ORDER BY id DESC LIMIT ").append(Math.max(1, Math.min(limit, 1000)));
    return query(sql.toString(), args);
  }

  /** Every run of a backfill (retries included), oldest first. */
  List<Run> runsOfBackfill(long backfillId) {
    return query(
        "SELECT " + COLUMNS + " FROM console_runs WHERE backfill_id = ? ORDER BY id",
        List.of(backfillId));
  }

  /** Runs in {@code status}, oldest first. */
  List<Run> inStatus(RunStatus status) {
    return query(
        "SELECT " + COLUMNS + " FROM console_runs WHERE status = ? ORDER BY id",
        List.of(status.wire()));
  }

  /** The newest run of {@code job}, if any. */
  Optional<Run> latest(String job) {
    return query(
            "SELECT " + COLUMNS + " FROM console_runs WHERE job = ? ORDER BY id DESC LIMIT 1",
            List.of(job))
        .stream()
        .findFirst();
  }

  /** The run that retried {@code id}, if any. */
  Optional<Run> retryOf(long id) {
    return query(
            "SELECT " + COLUMNS + " FROM console_runs WHERE parent_id = ? ORDER BY id LIMIT 1",
            List.of(id))
        .stream()
        .findFirst();
  }

  /** When the process of run {@code id} started (as recorded when it did), if it did. */
  Optional<Instant> processStart(long id) {
    try (Connection c = source.getConnection();
        PreparedStatement s =
            c.prepareStatement("SELECT pid_started_at FROM console_runs WHERE id = ?")) {
      s.setLong(1, id);
      try (ResultSet r = s.executeQuery()) {
        return r.next() ? Optional.ofNullable(instant(r, 1)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw failure("read run " + id, e);
    }
  }

  /** Count of runs by status. */
  Map<RunStatus, Long> countsByStatus() {
    Map<RunStatus, Long> counts = new LinkedHashMap<>();
    try (Connection c = source.getConnection();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT status, COUNT(*) FROM console_runs GROUP BY status")) {
      while (r.next()) {
        counts.put(RunStatus.parse(r.getString(1)), r.getLong(2));
      }
      return counts;
    } catch (SQLException e) {
      throw failure("count runs", e);
    }
  }

  /**
   * Moves a queued run to running (before its process starts; see {@link #setProcess}); false if it
   * was no longer queued.
   */
  boolean markStarted(long id, Long pid, Instant processStart, String logPath) {
    return update(
        "UPDATE console_runs SET status = ?, started_at = ?, pid = ?, pid_started_at = ?,"
            + " log_path = ? WHERE id = ? AND status = ?",
        RunStatus.RUNNING.wire(),
        time(Instant.now()),
        pid,
        time(processStart),
        logPath,
        id,
        RunStatus.QUEUED.wire());
  }

  /** Records the process of a running run. */
  void setProcess(long id, long pid, Instant processStart) {
    update(
        "UPDATE console_runs SET pid = ?, pid_started_at = ? WHERE id = ?",
        pid,
        time(processStart),
        id);
  }

  /**
   * Ends a run: {@code to} must be a legal move from its current status (else false, nothing
   * changes).
   */
  boolean markEnded(
      long id, RunStatus to, Integer exitCode, String message, Map<String, Object> summary) {
    Run run = get(id).orElseThrow(() -> new IllegalArgumentException("no run " + id));
    if (!run.status().canMoveTo(to)) {
      return false;
    }
    return update(
        "UPDATE console_runs SET status = ?, ended_at = ?, exit_code = ?, message = ?, summary = ?"
            + " WHERE id = ? AND status = ?",
        to.wire(),
        time(Instant.now()),
        exitCode,
        message,
        summary == null ? null : Json.write(summary),
        id,
        run.status().wire());
  }

  /** Records the checks of a run (replacing earlier ones). */
  void setChecks(long id, List<Map<String, Object>> checks) {
    update("UPDATE console_runs SET checks = ? WHERE id = ?", Json.write(checks), id);
  }

  /** Appends to a run's message (e.g. "retry 2 at ..."). */
  void appendMessage(long id, String text) {
    Run run = get(id).orElseThrow();
    String message = run.message() == null ? text : run.message() + "; " + text;
    update("UPDATE console_runs SET message = ? WHERE id = ?", message, id);
  }

  Backfill createBackfill(String job, LocalDate from, LocalDate to) {
    try (Connection c = source.getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "INSERT INTO console_backfills (job, from_date, to_date, created_at)"
                    + " VALUES (?, ?, ?, ?)",
                new String[] {"id"})) {
      Instant now = Instant.now();
      s.setString(1, job);
      s.setDate(2, Date.valueOf(from));
      s.setDate(3, Date.valueOf(to));
      s.setObject(4, time(now));
      s.executeUpdate();
      try (ResultSet keys = s.getGeneratedKeys()) {
        keys.next();
        return new Backfill(keys.getLong(1), job, from, to, now);
      }
    } catch (SQLException e) {
      throw failure("add a backfill", e);
    }
  }

  List<Backfill> backfills(int limit) {
    List<Backfill> out = new ArrayList<>();
    try (Connection c = source.getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT id, job, from_date, to_date, created_at FROM console_backfills"
                    + " ORDER BY id DESC LIMIT "
                    + limit)) {
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          out.add(
              new Backfill(
                  r.getLong(1),
                  r.getString(2),
                  r.getDate(3).toLocalDate(),
                  r.getDate(4).toLocalDate(),
                  instant(r, 5)));
        }
      }
      return out;
    } catch (SQLException e) {
      throw failure("read backfills", e);
    }
  }

  Optional<Backfill> backfill(long id) {
    try (Connection c = source.getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT id, job, from_date, to_date, created_at FROM console_backfills"
                    + " WHERE id = ?")) {
      s.setLong(1, id);
      try (ResultSet r = s.executeQuery()) {
        return r.next()
            ? Optional.of(
                new Backfill(
                    r.getLong(1),
                    r.getString(2),
                    r.getDate(3).toLocalDate(),
                    r.getDate(4).toLocalDate(),
                    instant(r, 5)))
            : Optional.empty();
      }
    } catch (SQLException e) {
      throw failure("read backfill " + id, e);
    }
  }

  /** A schedule's or sensor's state; a missing row reads as not paused, no cursor. */
  State state(String name) {
    try (Connection c = source.getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT paused, cursor_value, last_run_key, last_evaluated FROM console_state"
                    + " WHERE name = ?")) {
      s.setString(1, name);
      try (ResultSet r = s.executeQuery()) {
        if (!r.next()) {
          return new State(name, false, null, null, null);
        }
        return new State(name, r.getBoolean(1), r.getString(2), r.getString(3), instant(r, 4));
      }
    } catch (SQLException e) {
      throw failure("read the state of " + name, e);
    }
  }

  void setPaused(String name, boolean paused) {
    try (Connection c = source.getConnection()) {
      writeState(c, name, paused, null, null, null);
    } catch (SQLException e) {
      throw failure("pause/resume " + name, e);
    }
  }

  void evaluated(String name, Instant at) {
    try (Connection c = source.getConnection()) {
      writeState(c, name, null, null, null, at);
    } catch (SQLException e) {
      throw failure("record an evaluation of " + name, e);
    }
  }

  /** Upserts a state row; null arguments keep the stored value. */
  private static void writeState(
      Connection c, String name, Boolean paused, String cursor, String runKey, Instant evaluated)
      throws SQLException {
    java.sql.Savepoint before = c.getAutoCommit() ? null : c.setSavepoint();
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO console_state (name, paused) SELECT ?, FALSE WHERE NOT"
                + " EXISTS (SELECT 1 FROM console_state WHERE name = ?)")) {
      s.setString(1, name);
      s.setString(2, name);
      s.executeUpdate();
    } catch (SQLException e) {
      if (!isUniqueViolation(e)) {
        throw e;
      }
      if (before != null) {
        c.rollback(before); // another writer added the row first: update it below
      }
    }
    try (PreparedStatement s =
        c.prepareStatement(
            "UPDATE console_state SET paused = COALESCE(?, paused),"
                + " cursor_value = COALESCE(?, cursor_value),"
                + " last_run_key = COALESCE(?, last_run_key),"
                + " last_evaluated = COALESCE(?, last_evaluated) WHERE name = ?")) {
      if (paused == null) {
        s.setNull(1, Types.BOOLEAN);
      } else {
        s.setBoolean(1, paused);
      }
      s.setString(2, cursor);
      s.setString(3, runKey);
      s.setObject(4, time(evaluated), Types.TIMESTAMP_WITH_TIMEZONE);
      s.setString(5, name);
      s.executeUpdate();
    }
  }

  private List<Run> query(String sql, List<Object> args) {
    try (Connection c = source.getConnection();
        PreparedStatement s = c.prepareStatement(sql)) {
      for (int i = 0; i < args.size(); i++) {
        s.setObject(i + 1, args.get(i));
      }
      List<Run> out = new ArrayList<>();
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          out.add(read(r));
        }
      }
      return out;
    } catch (SQLException e) {
      throw failure("read runs", e);
    }
  }

  private static Optional<Run> get(Connection c, long id) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement("SELECT " + COLUMNS + " FROM console_runs WHERE id = ?")) {
      s.setLong(1, id);
      try (ResultSet r = s.executeQuery()) {
        return r.next() ? Optional.of(read(r)) : Optional.empty();
      }
    }
  }

  private static Optional<Run> byKey(Connection c, String job, String key) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT " + COLUMNS + " FROM console_runs WHERE job = ? AND run_key = ?")) {
      s.setString(1, job);
      s.setString(2, key);
      try (ResultSet r = s.executeQuery()) {
        return r.next() ? Optional.of(read(r)) : Optional.empty();
      }
    }
  }

  private static Run read(ResultSet r) throws SQLException {
    String checks = r.getString(18);
    return new Run(
        r.getLong(1),
        r.getString(2),
        Trigger.parse(r.getString(3)),
        Json.object(r.getString(4)),
        RunStatus.parse(r.getString(5)),
        r.getInt(6),
        r.getInt(7),
        (Long) r.getObject(8, Long.class),
        (Long) r.getObject(9, Long.class),
        r.getString(10),
        instant(r, 11),
        instant(r, 12),
        instant(r, 13),
        instant(r, 14),
        (Integer) r.getObject(15, Integer.class),
        r.getString(16),
        Json.object(r.getString(17)),
        checks == null ? null : readChecks(checks),
        r.getString(19),
        (Long) r.getObject(20, Long.class));
  }

  private static List<Map<String, Object>> readChecks(String text) {
    try {
      return Json.MAPPER.readValue(text, new TypeReference<List<Map<String, Object>>>() {});
    } catch (java.io.IOException e) {
      return List.of();
    }
  }

  private boolean update(String sql, Object... args) {
    try (Connection c = source.getConnection();
        PreparedStatement s = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        if (args[i] == null) {
          s.setNull(i + 1, Types.NULL);
        } else {
          s.setObject(i + 1, args[i]);
        }
      }
      return s.executeUpdate() > 0;
    } catch (SQLException e) {
      throw failure("update a run", e);
    }
  }

  private static void setLong(PreparedStatement s, int index, Long value) throws SQLException {
    if (value == null) {
      s.setNull(index, Types.BIGINT);
    } else {
      s.setLong(index, value);
    }
  }

  private static OffsetDateTime time(Instant instant) {
    return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
  }

  private static Instant instant(ResultSet r, int column) throws SQLException {
    OffsetDateTime t = r.getObject(column, OffsetDateTime.class);
    return t == null ? null : t.toInstant();
  }

  private static boolean isUniqueViolation(SQLException e) {
    String state = e.getSQLState();
    return "23505".equals(state) || "23001".equals(state);
  }

  private static IllegalStateException failure(String what, SQLException e) {
    return new IllegalStateException(
        "console database: cannot " + what + ": " + e.getMessage().lines().findFirst().orElse(""),
        e);
  }
}
