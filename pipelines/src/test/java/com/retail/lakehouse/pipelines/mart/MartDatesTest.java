package com.retail.lakehouse.pipelines.mart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.LocalDate;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.jupiter.api.Test;

/** --date takes one date or a comma-separated list (the console's mart runs pass several). */
class MartDatesTest {
  @Test
  void oneDateOrACommaSeparatedList() {
    MartOptions options = PipelineOptionsFactory.as(MartOptions.class);
    options.setDate("2026-11-26, 2026-11-24,2026-11-26");
    assertThat(MartRun.requestedDates(options))
        .containsExactly(LocalDate.parse("2026-11-24"), LocalDate.parse("2026-11-26"));
    options.setDate("2026-11-24");
    assertThat(MartRun.requestedDates(options)).containsExactly(LocalDate.parse("2026-11-24"));
  }

  @Test
  void aBadDateInTheListIsNamed() {
    MartOptions options = PipelineOptionsFactory.as(MartOptions.class);
    options.setDate("2026-11-24,someday");
    assertThatThrownBy(() -> MartRun.requestedDates(options)).hasMessageContaining("'someday'");
    options.setDate("2026-11-24,");
    assertThatThrownBy(() -> MartRun.requestedDates(options)).hasMessageContaining("--date");
  }
}
