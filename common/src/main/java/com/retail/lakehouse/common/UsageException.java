package com.retail.lakehouse.common;

import java.util.Objects;

/**
 * A command-line error (a bad or missing flag, an unreadable argument file) that the command
 * reports as one line, with a hint to run {@code --help}, and exit code 2.
 *
 * <p>It is an {@link IllegalArgumentException}, so picocli commands that turn argument errors into
 * {@code ParameterException}s report it like any other bad option.
 */
public class UsageException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  /**
   * A usage error with the given one-line message, which names the flag and says what would be
   * right (e.g. {@code "--catalog=jdbc needs --catalog-uri"}).
   *
   * @throws NullPointerException if {@code message} is null
   */
  public UsageException(String message) {
    super(Objects.requireNonNull(message, "a usage error needs a message"));
  }

  /**
   * A usage error with the given one-line message, caused by {@code cause} (e.g. the parse error
   * behind it).
   *
   * @throws NullPointerException if {@code message} is null
   */
  public UsageException(String message, Throwable cause) {
    super(Objects.requireNonNull(message, "a usage error needs a message"), cause);
  }
}
