package com.retail.lakehouse.transforms.metrics;

import com.retail.lakehouse.transforms.event.DeadLetterReason;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;

/**
 * The one list of metric names: every Beam counter of the pipelines lives in the {@link #NAMESPACE}
 * namespace under one of these names, and the launcher's progress lines read {@link LiveCounters}
 * under the same names. Commands and benchmarks read the figures by these constants, never by a
 * string of their own.
 */
public final class MetricNames {
  /** The Beam metric namespace of every counter the pipelines keep. */
  public static final String NAMESPACE = "lakehouse";

  /** Kafka messages read (ingest). */
  public static final String READ = "read";

  /** Messages that became raw rows (ingest, before de-duplication). */
  public static final String VALID = "valid";

  /** Payload bytes read (ingest). */
  public static final String BYTES_READ = "bytes_read";

  /** Messages routed to the dead-letter table (live counter; Beam counts them by reason). */
  public static final String INVALID = "invalid";

  /** Valid lines that reached the de-duplication step. */
  public static final String LINES_IN = "dedupe_lines_in";

  /** Lines that left the de-duplication step (first copies). */
  public static final String LINES_OUT = "dedupe_lines_out";

  /** Copies of a line dropped by the streaming job's de-duplication (live counter). */
  public static final String DUPLICATES_DROPPED = "duplicates_dropped";

  /** Rows a re-read range held that a table had already committed. */
  public static final String SKIPPED_ALREADY_COMMITTED = "skipped_already_committed";

  /** Parquet data files written. */
  public static final String DATA_FILES_WRITTEN = "data_files_written";

  /** Rows written into data files (live counter). */
  public static final String ROWS_WRITTEN = "rows_written";

  /** Table commits made by the streaming job (live counter). */
  public static final String COMMITS = "commits";

  /** Raw rows the mart read. */
  public static final String MART_RAW_ROWS_READ = "mart_raw_rows_read";

  /** Duplicate raw lines the mart dropped. */
  public static final String MART_DUPLICATES = "mart_duplicate_lines_dropped";

  /**
   * Messages Kafka deleted (retention) before ingest read them: counted, never silently skipped.
   */
  public static final String LOST_TO_RETENTION = "lost_to_retention";

  private static final String DEAD_LETTERS_PREFIX = "dead_letters_";

  private MetricNames() {}

  /** The counter name of dead letters with one reason. */
  public static String deadLetters(DeadLetterReason reason) {
    return DEAD_LETTERS_PREFIX + reason.name();
  }

  /** The counter name of messages of one partition lost to retention. */
  public static String lostToRetention(int partition) {
    return LOST_TO_RETENTION + "_p" + partition;
  }

  /** A Beam counter of the lakehouse namespace. */
  public static Counter counter(String name) {
    return Metrics.counter(NAMESPACE, name);
  }
}
