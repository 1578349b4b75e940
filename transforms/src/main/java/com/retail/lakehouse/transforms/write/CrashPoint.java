package com.retail.lakehouse.transforms.write;

/**
 * Named points in the write and commit path where the crash test kills the JVM (as {@code kill -9}
 * would: no shutdown hooks, no cleanup). Inactive unless the system property {@code
 * lakehouse.crash-at} names the point; production runs never set it.
 */
public enum CrashPoint {
  /** After the first data file of a run is written, before the others. */
  WHILE_WRITING_FILES,
  /** After all data files are written, before the commit. */
  BEFORE_COMMIT,
  /** Right after the raw table's commit succeeded. */
  AFTER_COMMIT;

  /** Halts the JVM immediately when this point is the one selected. */
  public void maybeCrash() {
    if (name().equalsIgnoreCase(System.getProperty("lakehouse.crash-at", ""))) {
      System.err.println("lakehouse: crash test: halting at " + name());
      Runtime.getRuntime().halt(137);
    }
  }
}
