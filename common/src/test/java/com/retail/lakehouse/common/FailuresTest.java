package com.retail.lakehouse.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class FailuresTest {

  @Test
  void rootCauseFollowsTheChain() {
    IOException root = new IOException("disk full");
    RuntimeException wrapped =
        new RuntimeException(
            "Pipeline execution failed",
            new UncheckedIOException(new IOException("write failed", root)));
    assertThat(Failures.rootCause(wrapped)).isSameAs(root);
  }

  @Test
  void aThrowableWithoutCauseIsItsOwnRoot() {
    IllegalStateException e = new IllegalStateException("alone");
    assertThat(Failures.rootCause(e)).isSameAs(e);
  }

  @Test
  void stopsOnASelfCause() {
    Throwable selfCaused =
        new RuntimeException("me") {
          @Override
          public synchronized Throwable getCause() {
            return this;
          }
        };
    assertThat(Failures.rootCause(selfCaused)).isSameAs(selfCaused);
    assertThat(Failures.rootCause(new RuntimeException("outer", selfCaused))).isSameAs(selfCaused);
  }

  @Test
  void stopsOnACycleOfCauses() {
    RuntimeException a = new RuntimeException("a");
    RuntimeException b = new RuntimeException("b", a);
    a.initCause(b);
    assertThat(Failures.rootCause(a)).isSameAs(b);
  }

  @Test
  void outOfSpaceIsFoundAnywhereInTheChain() {
    IOException enospc = new IOException("No space left on device");
    // Hadoop's local file system: FSError(message = cause.toString()) inside the runner's wrapper
    Throwable hadoop = new RuntimeException("Pipeline execution failed", new Error(enospc));
    assertThat(Failures.isOutOfSpace(hadoop)).isTrue();
    assertThat(Failures.isOutOfSpace(new IOException("Disk quota exceeded"))).isTrue();
    assertThat(Failures.isOutOfSpace(new IOException("There is not enough space on the disk")))
        .isTrue();
    assertThat(Failures.isOutOfSpace(new IOException("Permission denied"))).isFalse();
    assertThat(Failures.isOutOfSpace(new IllegalStateException())).isFalse();
  }

  @Test
  void oneLineIsSimpleNameAndFirstLineOfTheRootMessage() {
    Exception e =
        new ExecutionException(
            "wrapper", new IllegalStateException("Kafka unreachable\n  at somewhere\n  more"));
    assertThat(Failures.oneLine(e)).isEqualTo("IllegalStateException: Kafka unreachable");
  }

  @Test
  void oneLineHandlesCarriageReturns() {
    assertThat(Failures.oneLine(new IOException("first\r\nsecond")))
        .isEqualTo("IOException: first");
  }

  @Test
  void oneLineOfAMessagelessRootNamesTheClassTwice() {
    assertThat(Failures.oneLine(new RuntimeException("wrapper", new NullPointerException())))
        .isEqualTo("NullPointerException: NullPointerException");
  }

  @Test
  void oneLineSkipsMessagelessWrappers() {
    assertThat(Failures.oneLine(new RuntimeException(new IOException("no space left on device"))))
        .isEqualTo("IOException: no space left on device");
  }

  @Test
  void oneLineOfAnAnonymousClassUsesItsName() {
    Throwable anonymous = new RuntimeException("boom") {};
    assertThat(Failures.oneLine(anonymous)).isEqualTo(anonymous.getClass().getName() + ": boom");
  }

  @Test
  void nullIsAProgrammingError() {
    assertThatNullPointerException().isThrownBy(() -> Failures.rootCause(null)).withMessage("e");
    assertThatNullPointerException().isThrownBy(() -> Failures.oneLine(null)).withMessage("e");
  }
}
