package com.retail.lakehouse.console;

import com.github.kagkarlsson.scheduler.task.ExecutionComplete;
import com.github.kagkarlsson.scheduler.task.schedule.CronSchedule;
import com.github.kagkarlsson.scheduler.task.schedule.Schedule;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

/**
 * A cron schedule on the wall clock of a time zone, with an explicit policy for daylight-saving
 * changes: a time that the spring change skips (02:30 on the night clocks jump from 02:00 to 03:00)
 * runs right after the gap, by the gap's length (03:30); a time that the autumn change repeats runs
 * once for a daily schedule (at its first occurrence) and at both occurrences for hourly or faster
 * ones (an every-minute ingest does not pause for an hour).
 *
 * <p>Why not db-scheduler's own {@link CronSchedule} in the zone: it silently skips the day whose
 * time falls into the gap (measured: {@code 0 30 2 * * *} in Europe/Berlin has no tick on
 * 2026-03-29), so a daily mart run would be missing a day. This class also asks db-scheduler's cron
 * for the next wall-clock time in UTC (which has no gaps or repeats), places it in the zone itself,
 * and takes the earlier of the two.
 */
final class WallClockCron implements Schedule {
  private final CronSchedule wallClock;
  private final CronSchedule inZone;
  private final ZoneId zone;
  private final String pattern;

  WallClockCron(String pattern, ZoneId zone) {
    this.pattern = pattern;
    this.zone = zone;
    try {
      this.wallClock = new CronSchedule(pattern, ZoneOffset.UTC);
      this.inZone = new CronSchedule(pattern, zone);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "bad cron '"
              + pattern
              + "': six fields, seconds first, e.g. '0 0 2 * * *' for 02:00 daily ("
              + e.getMessage()
              + ")");
    }
  }

  @Override
  public Instant getNextExecutionTime(ExecutionComplete done) {
    return next(done.getTimeDone());
  }

  /**
   * The first tick strictly after {@code after}: the earlier of db-scheduler's cron in the zone
   * (right everywhere but in the spring gap, and it runs an hourly or faster schedule at both
   * occurrences of the repeated autumn hour) and the wall-clock placement (which covers the gap).
   */
  Instant next(Instant after) {
    Instant zoned = inZone.getNextExecutionTime(ExecutionComplete.simulatedSuccess(after));
    Instant placed = placed(after);
    return zoned.isBefore(placed) && zoned.isAfter(after) ? zoned : placed;
  }

  private Instant placed(Instant after) {
    LocalDateTime wall = LocalDateTime.ofInstant(after, zone);
    for (int guard = 0; guard < 10_000; guard++) {
      Instant nextWallAsUtc =
          wallClock.getNextExecutionTime(
              ExecutionComplete.simulatedSuccess(wall.toInstant(ZoneOffset.UTC)));
      if (nextWallAsUtc.equals(NEVER)) {
        return NEVER;
      }
      LocalDateTime nextWall = LocalDateTime.ofInstant(nextWallAsUtc, ZoneOffset.UTC);
      // ZonedDateTime.of moves a time in a gap forward by the gap and takes the earlier offset of
      // a repeated time.
      ZonedDateTime placed = ZonedDateTime.of(nextWall, zone);
      if (placed.toInstant().isAfter(after)) {
        return placed.toInstant();
      }
      wall = nextWall; // its first occurrence has passed: that time already ran
    }
    throw new IllegalStateException("cron '" + pattern + "' has no next time after " + after);
  }

  @Override
  public boolean isDeterministic() {
    return true;
  }

  @Override
  public String toString() {
    return "WallClockCron(" + pattern + " in " + zone + ")";
  }
}
