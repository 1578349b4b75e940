package com.retail.lakehouse.console;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.task.ExecutionComplete;
import com.github.kagkarlsson.scheduler.task.helper.RecurringTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.github.kagkarlsson.scheduler.task.schedule.Schedule;
import com.github.kagkarlsson.scheduler.task.schedule.Schedules;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's clock, on db-scheduler (durable ticks in the console database, cron with a time
 * zone). Policies: a schedule's tick asks for one run with the run key {@code schedule:<name>:<tick
 * time>}, so a tick seen twice (crash, restart) gives one run; a tick that finds a run of the same
 * job queued or running is skipped (no pile-up); ticks missed while the console was down run once
 * at start-up (db-scheduler fires the overdue tick once, then goes on from now), never once per
 * missed tick; a paused schedule's ticks are skipped. The sensor is evaluated on a fixed delay.
 */
final class ConsoleScheduler implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ConsoleScheduler.class);

  /** A schedule: name, job, cron (six fields, seconds first), the run's parameters. */
  record Definition(String name, String job, String cron, Map<String, Object> params) {}

  /** Asks for a run of a schedule's tick; returns a one-line outcome. */
  interface TickHandler {
    String tick(Definition schedule, Instant tickTime);
  }

  private final ConsoleSettings settings;
  private final RunStore store;
  private final List<Definition> definitions;
  private final Scheduler scheduler;
  private volatile Instant heartbeat = Instant.now();

  ConsoleScheduler(
      ConsoleSettings settings,
      RunStore store,
      DataSource source,
      TickHandler onTick,
      Consumer<Instant> sensor) {
    this.settings = settings;
    this.store = store;
    this.definitions =
        List.of(
            new Definition("ingest-schedule", "ingest", settings.ingestCron(), Map.of()),
            new Definition(
                "mart-daily", "mart", settings.martCron(), Map.of("changed_since_last_run", true)),
            new Definition("maintain-nightly", "maintain", settings.maintainCron(), Map.of()));
    if (settings.schedulesPaused() && store.state(Console.SENSOR).lastEvaluated() == null) {
      store.setPaused(Console.SENSOR, true);
    }
    List<RecurringTask<?>> tasks = new ArrayList<>();
    for (Definition d : definitions) {
      if (settings.schedulesPaused() && store.state(d.name()).lastEvaluated() == null) {
        store.setPaused(d.name(), true);
      }
      tasks.add(
          Tasks.recurring(d.name(), schedule(d.cron()))
              .execute(
                  (instance, context) -> {
                    heartbeat = Instant.now();
                    Instant tickTime = context.getExecution().executionTime;
                    String outcome =
                        store.state(d.name()).paused()
                            ? "skipped: paused"
                            : onTick.tick(d, tickTime);
                    store.evaluated(d.name(), tickTime);
                    LOG.info("schedule {} tick {}: {}", d.name(), tickTime, outcome);
                  }));
    }
    tasks.add(
        Tasks.recurring("sensor-raw-changed", Schedules.fixedDelay(settings.sensorInterval()))
            .execute(
                (instance, context) -> {
                  heartbeat = Instant.now();
                  sensor.accept(Instant.now());
                }));
    tasks.add(
        Tasks.recurring("heartbeat", Schedules.fixedDelay(Duration.ofSeconds(5)))
            .execute((instance, context) -> heartbeat = Instant.now()));
    this.scheduler =
        Scheduler.create(source)
            .startTasks(tasks)
            .threads(4)
            .pollingInterval(Duration.ofSeconds(1))
            .heartbeatInterval(Duration.ofSeconds(10))
            .shutdownMaxWait(Duration.ofSeconds(5))
            .build();
  }

  void start() {
    scheduler.start();
  }

  /** The last time the scheduler ran anything (its liveness). */
  Instant heartbeat() {
    return heartbeat;
  }

  /** The schedules with their state and next ticks (API view). */
  List<Map<String, Object>> describe() {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Definition d : definitions) {
      RunStore.State state = store.state(d.name());
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", d.name());
      m.put("job", d.job());
      m.put("cron", d.cron());
      m.put("zone", settings.zone().getId());
      m.put("paused", state.paused());
      m.put(
          "next_ticks",
          nextTicks(d.cron(), Instant.now(), 3).stream().map(Instant::toString).toList());
      m.put("last_tick", Run.text(state.lastEvaluated()));
      m.put("params", d.params());
      out.add(m);
    }
    return out;
  }

  boolean knows(String name) {
    return definitions.stream().anyMatch(d -> d.name().equals(name));
  }

  /** The next {@code n} ticks of {@code cron} in the console's zone after {@code from}. */
  List<Instant> nextTicks(String cron, Instant from, int n) {
    return nextTicks(schedule(cron), from, n);
  }

  static List<Instant> nextTicks(Schedule schedule, Instant from, int n) {
    List<Instant> ticks = new ArrayList<>();
    Instant t = from;
    for (int i = 0; i < n; i++) {
      t = schedule.getNextExecutionTime(ExecutionComplete.simulatedSuccess(t));
      ticks.add(t);
    }
    return ticks;
  }

  private Schedule schedule(String cron) {
    return new WallClockCron(cron, settings.zone());
  }

  @Override
  public void close() {
    scheduler.stop();
  }
}
