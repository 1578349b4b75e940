package com.retail.lakehouse.transforms.commit;

/**
 * Named points in the write and commit path where the crash test kills the ingest JVM with {@code
 * kill -9}. When the system property {@code lakehouse.crash-at} names a point, the JVM announces on
 * stderr that it reached it and then waits to be killed from outside; production runs never set the
 * property, and then a crash point costs one property lookup.
 */
public enum CrashPoint {
  /** After the first data file of a run is written, before the others. */
  WHILE_WRITING_FILES,
  /** After all data files are written, before the commit. */
  BEFORE_COMMIT,
  /** Right after a table's commit succeeded. */
  AFTER_COMMIT;

  /** The line printed on stderr when a selected point is reached. */
  public String marker() {
    return "lakehouse: crash point reached: " + name();
  }

  /** Stops here, waiting for kill -9, when this point is the one selected. */
  public void maybeCrash() {
    if (name().equalsIgnoreCase(System.getProperty("lakehouse.crash-at", ""))) {
      System.err.println(marker());
      System.err.flush();
      try {
        Thread.sleep(Long.MAX_VALUE);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      Runtime.getRuntime().halt(137); // never continue past a crash point
    }
  }
}
