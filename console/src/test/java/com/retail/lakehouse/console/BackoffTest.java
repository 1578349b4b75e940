package com.retail.lakehouse.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {
  private final Backoff backoff = new Backoff(Duration.ofSeconds(10), Duration.ofSeconds(60));

  @Test
  void delaysDoubleWithinHalfJitterUpToTheCap() {
    Random random = new Random(7);
    long[] full = {10_000, 20_000, 40_000, 60_000, 60_000};
    for (int retry = 1; retry <= full.length; retry++) {
      long ms = backoff.delay(retry, random).toMillis();
      assertThat(ms).as("retry %d", retry).isBetween(full[retry - 1] / 2, full[retry - 1]);
    }
  }

  @Test
  void aSeededRandomGivesTheSameDelays() {
    for (int retry = 1; retry <= 4; retry++) {
      assertThat(backoff.delay(retry, new Random(3)))
          .isEqualTo(backoff.delay(retry, new Random(3)));
    }
    assertThat(backoff.delay(1, new Random(3))).isNotEqualTo(backoff.delay(1, new Random(4)));
  }

  @Test
  void badSettingsAreRefused() {
    assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)))
        .hasMessageContaining("positive");
    assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(5), Duration.ofSeconds(1)))
        .hasMessageContaining("below");
    assertThatThrownBy(() -> backoff.delay(0, new Random())).hasMessageContaining("from 1");
  }
}
