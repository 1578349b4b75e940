package com.retail.lakehouse.transforms.mart;

import static org.assertj.core.api.Assertions.assertThat;

import com.retail.lakehouse.transforms.mart.ReplaceMartDays.DatesChangedSincePlanException;
import org.junit.jupiter.api.Test;

/**
 * The mart finds the "dates changed since this run planned" failure in whatever a runner throws:
 * the exception itself wrapped (Direct, Spark), or only its message on another class (Flink's
 * serialized copy), and yields its one line without the wrappers' class names.
 */
class DatesChangedSincePlanExceptionTest {
  private static final String LINE =
      "another mart run (1a2b3c4d) replaced sale date 2024-03-01 since this run planned; this run"
          + " committed nothing: re-run the mart (a new run plans from the newest raw data)";

  @Test
  void foundWrappedByClassOrByMessageAsOneLine() {
    DatesChangedSincePlanException cause = new DatesChangedSincePlanException(LINE);
    RuntimeException wrapped = new RuntimeException(new RuntimeException(cause.toString(), cause));
    assertThat(DatesChangedSincePlanException.messageIn(wrapped)).isEqualTo(LINE);

    RuntimeException serializedCopy =
        new RuntimeException(
            "Pipeline execution failed",
            new IllegalStateException(
                DatesChangedSincePlanException.class.getName() + ": " + LINE + "\n\tat x.y(Z)"));
    assertThat(DatesChangedSincePlanException.messageIn(serializedCopy)).isEqualTo(LINE);
  }

  @Test
  void otherFailuresAreNotMistakenForIt() {
    assertThat(DatesChangedSincePlanException.messageIn(new IllegalStateException("disk full")))
        .isNull();
    assertThat(
            DatesChangedSincePlanException.messageIn(
                new RuntimeException(new IllegalStateException((String) null))))
        .isNull();
  }
}
