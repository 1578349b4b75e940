package com.retail.lakehouse.transforms.commit;

import com.retail.lakehouse.transforms.metrics.LiveCounters;
import com.retail.lakehouse.transforms.metrics.MetricNames;
import com.retail.lakehouse.transforms.tables.DeadLetterTable;
import com.retail.lakehouse.transforms.tables.RawTable;
import com.retail.lakehouse.transforms.validate.RoutedRow;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;

/**
 * Drops rows whose Kafka message the target table already holds, by the position recorded in the
 * table. A run resumes from the lower of the raw and dead-letter positions, so each table skips
 * what it committed before; this is what makes a restart after a crash neither lose nor repeat.
 */
public final class SkipRowsAlreadyCommitted extends PTransform<PCollection<Row>, PCollection<Row>> {
  private final CommittedOffsets position;
  private final String partitionField;
  private final String offsetField;

  private SkipRowsAlreadyCommitted(
      CommittedOffsets position, String partitionField, String offsetField) {
    this.position = position;
    this.partitionField = partitionField;
    this.offsetField = offsetField;
  }

  /** Skips rows below {@code position}, reading coordinates from the named columns. */
  public static SkipRowsAlreadyCommitted of(
      CommittedOffsets position, String partitionField, String offsetField) {
    return new SkipRowsAlreadyCommitted(position, partitionField, offsetField);
  }

  /** Skips raw-table rows below the raw table's {@code position}. */
  public static SkipRowsAlreadyCommitted inRaw(CommittedOffsets position) {
    return of(position, RawTable.KAFKA_PARTITION, RawTable.KAFKA_OFFSET);
  }

  /** Skips dead-letter rows below the dead-letter table's {@code position}. */
  public static SkipRowsAlreadyCommitted inDeadLetters(CommittedOffsets position) {
    return of(position, DeadLetterTable.KAFKA_PARTITION, DeadLetterTable.KAFKA_OFFSET);
  }

  /**
   * The same for rows of both ingest tables in one collection: raw rows below the raw table's
   * position and dead-letter rows below the dead-letter table's are dropped.
   */
  public static PTransform<PCollection<RoutedRow>, PCollection<RoutedRow>> ofRouted(
      CommittedOffsets rawPosition, CommittedOffsets deadLetterPosition) {
    SkipFn raw = inRaw(rawPosition).skipFn();
    SkipFn deadLetters = inDeadLetters(deadLetterPosition).skipFn();
    return new PTransform<>() {
      @Override
      public PCollection<RoutedRow> expand(PCollection<RoutedRow> rows) {
        return rows.apply(ParDo.of(new SkipRoutedFn(raw, deadLetters))).setCoder(rows.getCoder());
      }
    };
  }

  private SkipFn skipFn() {
    return new SkipFn(position, partitionField, offsetField);
  }

  /** Passes rows their own table does not hold yet. */
  static final class SkipRoutedFn extends DoFn<RoutedRow, RoutedRow> {
    private final SkipFn raw;
    private final SkipFn deadLetters;

    SkipRoutedFn(SkipFn raw, SkipFn deadLetters) {
      this.raw = raw;
      this.deadLetters = deadLetters;
    }

    @ProcessElement
    public void process(@Element RoutedRow row, OutputReceiver<RoutedRow> out) {
      if (!(row.valid() ? raw : deadLetters).alreadyHeld(row.row())) {
        out.output(row);
      }
    }
  }

  @Override
  public PCollection<Row> expand(PCollection<Row> rows) {
    return rows.apply(ParDo.of(skipFn())).setCoder(rows.getCoder());
  }

  /** Passes rows the table does not hold yet. */
  static final class SkipFn extends DoFn<Row, Row> {
    private final CommittedOffsets position;
    private final String partitionField;
    private final String offsetField;
    private final Counter skipped = MetricNames.counter(MetricNames.SKIPPED_ALREADY_COMMITTED);

    SkipFn(CommittedOffsets position, String partitionField, String offsetField) {
      this.position = position;
      this.partitionField = partitionField;
      this.offsetField = offsetField;
    }

    @ProcessElement
    public void process(@Element Row row, OutputReceiver<Row> out) {
      if (!alreadyHeld(row)) {
        out.output(row);
      }
    }

    /** Whether the table holds the row's message already (counted as skipped). */
    boolean alreadyHeld(Row row) {
      if (position.holds(row.getInt32(partitionField), row.getInt64(offsetField))) {
        skipped.inc();
        LiveCounters.add(MetricNames.SKIPPED_ALREADY_COMMITTED, 1);
        return true;
      }
      return false;
    }
  }
}
