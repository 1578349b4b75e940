package com.retail.lakehouse.common;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
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
   * Whether {@code e} or one of its causes says the file system ran out of space (Linux and macOS
   * {@code No space left on device} and {@code Disk quota exceeded}, Windows {@code There is not
   * enough space on the disk}): a failure a person fixes by freeing space, whatever library wrapped
   * it (Hadoop's local file system throws it as an {@code FSError}).
   *
   * @throws NullPointerException if {@code e} is null
   */
  public static boolean isOutOfSpace(Throwable e) {
    Objects.requireNonNull(e, "e");
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Throwable t = e; t != null && seen.add(t); t = t.getCause()) {
      String message = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
      for (String symptom : OUT_OF_SPACE) {
        if (message.contains(symptom)) {
          return true;
        }
      }
    }
    return false;
  }

  private static final List<String> OUT_OF_SPACE =
      List.of("no space left on device", "disk quota exceeded", "not enough space on the disk");

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
