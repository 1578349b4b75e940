package com.retail.lakehouse.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

  @ParameterizedTest
  @CsvSource({
    "500ms, PT0.5S",
    "0ms, PT0S",
    "10s, PT10S",
    "90s, PT1M30S",
    "5m, PT5M",
    "2h, PT2H",
    "1d, PT24H",
    "PT1M, PT1M",
    "pt2m, PT2M",
    "P1D, PT24H",
    "p1dt2h, PT26H",
    "PT0.25S, PT0.25S",
    "250MS, PT0.25S",
    "10S, PT10S",
    "5M, PT5M",
    "2H, PT2H",
    "1D, PT24H",
    "-5s, PT-5S"
  })
  void parsesShortAndIsoForms(String text, String expected) {
    assertThat(Durations.parse("every", text)).isEqualTo(Duration.parse(expected));
  }

  @Test
  void ignoresSurroundingBlanks() {
    assertThat(Durations.parse("every", "  10s\t")).isEqualTo(Duration.ofSeconds(10));
    assertThat(Durations.parse("every", " PT1M ")).isEqualTo(Duration.ofMinutes(1));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        " ",
        "s",
        "ms",
        "10",
        "10x",
        "1.5s",
        "5 m",
        "ten seconds",
        "soon",
        "P",
        "PT",
        "PTxM",
        "1w",
        "99999999999999999d"
      })
  void rejectsAnythingElseWithOneLineNamingTheFlag(String text) {
    assertThatThrownBy(() -> Durations.parse("commit-interval", text))
        .isInstanceOf(UsageException.class)
        .hasMessage(
            "--commit-interval="
                + text
                + " is not a duration (use e.g. 500ms, 10s, 5m, 2h, 1d or PT1M)");
  }

  @Test
  void badInputIsAnIllegalArgumentForPicocli() {
    assertThatThrownBy(() -> Durations.parse("duration", "soon"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("--duration=soon is not a duration");
  }

  @Test
  void nullArgumentsAreProgrammingErrors() {
    assertThatNullPointerException()
        .isThrownBy(() -> Durations.parse(null, "5s"))
        .withMessage("flag");
    assertThatNullPointerException()
        .isThrownBy(() -> Durations.parse("every", null))
        .withMessage("the value of --every");
  }
}
