package com.retail.lakehouse.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import org.junit.jupiter.api.Test;

class UsageExceptionTest {

  @Test
  void isAnIllegalArgumentWithItsMessageAndCause() {
    NumberFormatException cause = new NumberFormatException("x");
    UsageException e = new UsageException("--every=x is not a duration", cause);
    assertThat(e).isInstanceOf(IllegalArgumentException.class);
    assertThat(e).hasMessage("--every=x is not a duration").hasCause(cause);
    assertThat(new UsageException("bad flag")).hasMessage("bad flag").hasNoCause();
  }

  @Test
  void needsAMessage() {
    assertThatNullPointerException()
        .isThrownBy(() -> new UsageException(null))
        .withMessage("a usage error needs a message");
    assertThatNullPointerException()
        .isThrownBy(() -> new UsageException(null, new RuntimeException()))
        .withMessage("a usage error needs a message");
  }
}
