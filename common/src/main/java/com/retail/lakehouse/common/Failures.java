package com.retail.lakehouse.common;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Objects;
import java.util.Set;

/**
 * Turns a failure into what a person should read: the innermost cause (runners and libraries wrap
 * the real error several times), as one line.
 */
public final class Failures {
  private Failures() {}

  /**
   * The innermost cause of {@code e}, following {@link Throwable#getCause()}; {@code e} itself if
   * it has no cause. Stops at a throwable that is its own cause or that closes a cycle of causes.
   *
   * @throws NullPointerException if {@code e} is null
   */
  public static Throwable rootCause(Throwable e) {
    Objects.requireNonNull(e, "e");
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    Throwable t = e;
    seen.add(t);
    while (t.getCause() != null && seen.add(t.getCause())) {
      t = t.getCause();
    }
    return t;
  }

  /**
   * The root cause of {@code e} as {@code "SimpleName: first line of its message"}; when it has no
   * message, the simple name stands for the message too (e.g. {@code "NullPointerException:
   * NullPointerException"}).
   *
   * @throws NullPointerException if {@code e} is null
   */
  public static String oneLine(Throwable e) {
    Throwable root = rootCause(e);
    String name = root.getClass().getSimpleName();
    if (name.isEmpty()) {
      name = root.getClass().getName(); // anonymous classes have no simple name
    }
    String message = root.getMessage() == null ? name : root.getMessage();
    return name + ": " + message.lines().findFirst().orElse("");
  }
}
