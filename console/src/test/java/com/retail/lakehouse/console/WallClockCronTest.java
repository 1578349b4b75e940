package com.retail.lakehouse.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Cron in a zone over both daylight-saving changes of 2026 in Europe/Berlin. */
class WallClockCronTest {
  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

  @Test
  void aDailyTimeInTheSpringGapRunsOnceThatDayRightAfterTheGap() {
    List<ZonedDateTime> ticks = ticks("0 30 2 * * *", "2026-03-27T12:00:00Z", 4);
    assertThat(ticks)
        .extracting(t -> t.toLocalDate())
        .containsExactly(
            LocalDate.parse("2026-03-28"),
            LocalDate.parse("2026-03-29"),
            LocalDate.parse("2026-03-30"),
            LocalDate.parse("2026-03-31"));
    assertThat(ticks.get(1).toLocalTime()).hasToString("03:30"); // 02:30 does not exist that day
    assertThat(ticks.get(0).toLocalTime()).hasToString("02:30");
    assertThat(ticks.get(2).toLocalTime()).hasToString("02:30");
  }

  @Test
  void aDailyTimeRepeatedByTheAutumnChangeRunsOnceAtItsFirstOccurrence() {
    List<ZonedDateTime> ticks = ticks("0 30 2 * * *", "2026-10-24T12:00:00Z", 3);
    assertThat(ticks)
        .extracting(t -> t.toLocalDate().toString())
        .containsExactly("2026-10-25", "2026-10-26", "2026-10-27");
    assertThat(ticks.get(0).getOffset().getTotalSeconds()).isEqualTo(2 * 3600); // first: CEST
  }

  @Test
  void anHourlyScheduleRunsEveryWallClockHourOnceOverBothChanges() {
    // Spring: wall time 02:00 does not exist; it moves forward to 03:00, itself a wall time of the
    // schedule, so one run at 03:00 covers both.
    List<ZonedDateTime> spring = ticks("0 0 * * * *", "2026-03-28T23:00:00Z", 4);
    assertThat(spring)
        .extracting(t -> t.toLocalTime().toString())
        .containsExactly("01:00", "03:00", "04:00", "05:00");
    // Autumn: the repeated hour's 02:00 runs at both occurrences, an hour apart.
    List<ZonedDateTime> autumn = ticks("0 0 * * * *", "2026-10-24T22:30:00Z", 4);
    assertThat(autumn)
        .extracting(t -> t.toLocalTime().toString())
        .containsExactly("01:00", "02:00", "02:00", "03:00");
    assertThat(autumn.get(2).toInstant()).isEqualTo(autumn.get(1).toInstant().plusSeconds(3600));
  }

  @Test
  void anEveryMinuteScheduleNeverPausesAcrossEitherChange() {
    for (String from : List.of("2026-03-29T00:30:00Z", "2026-10-25T00:00:00Z")) {
      WallClockCron cron = new WallClockCron("0 * * * * *", BERLIN);
      Instant t = Instant.parse(from);
      for (int i = 0; i < 180; i++) {
        Instant next = cron.next(t);
        assertThat(java.time.Duration.between(t, next).toSeconds()).as("after %s", t).isEqualTo(60);
        t = next;
      }
    }
  }

  @Test
  void everyTickIsStrictlyLaterThanTheOneBefore() {
    WallClockCron cron = new WallClockCron("0 */15 * * * *", BERLIN);
    Instant t = Instant.parse("2026-10-24T22:00:00Z");
    for (int i = 0; i < 400; i++) {
      Instant next = cron.next(t);
      assertThat(next).isAfter(t);
      t = next;
    }
  }

  @Test
  void aBadExpressionIsRefusedWithTheFormat() {
    assertThatThrownBy(() -> new WallClockCron("0 2 * * *", BERLIN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("six fields, seconds first");
  }

  private static List<ZonedDateTime> ticks(String cron, String from, int n) {
    WallClockCron schedule = new WallClockCron(cron, BERLIN);
    List<ZonedDateTime> out = new ArrayList<>();
    Instant t = Instant.parse(from);
    for (int i = 0; i < n; i++) {
      t = schedule.next(t);
      out.add(t.atZone(BERLIN));
    }
    return out;
  }
}
