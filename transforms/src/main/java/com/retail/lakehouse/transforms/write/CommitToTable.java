package com.retail.lakehouse.transforms.write;

import com.retail.lakehouse.transforms.tables.CatalogSettings;
import com.retail.lakehouse.transforms.tables.CommittedOffsets;
import com.retail.lakehouse.transforms.tables.TableDefinition;
import java.util.HashMap;
import java.util.Map;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Table;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single committer of one table: gathers every data file a run wrote and appends them in one
 * Iceberg commit whose snapshot summary also records the Kafka position the run read up to. Data
 * and position are therefore atomic; a retried commit whose position is already in the table is
 * skipped, so a re-executed bundle cannot append the same rows twice.
 */
public final class CommitToTable
    extends PTransform<PCollection<WrittenFiles>, PCollection<CommitResult>> {
  private static final Logger LOG = LoggerFactory.getLogger(CommitToTable.class);

  private final CatalogSettings catalog;
  private final TableDefinition table;
  private final String topic;
  private final String runId;
  private final PCollectionView<Map<Integer, Long>> lastOffsetRead;

  private CommitToTable(
      CatalogSettings catalog,
      TableDefinition table,
      String topic,
      String runId,
      PCollectionView<Map<Integer, Long>> lastOffsetRead) {
    this.catalog = catalog;
    this.table = table;
    this.topic = topic;
    this.runId = runId;
    this.lastOffsetRead = lastOffsetRead;
  }

  /**
   * Commits files of {@code table}, recording as its new position one past the highest offset read
   * per partition ({@code lastOffsetRead}: partition -> highest offset the run read). Kafka readers
   * consume each partition in order, so everything below that position was processed by this run.
   */
  public static CommitToTable of(
      CatalogSettings catalog,
      TableDefinition table,
      String topic,
      String runId,
      PCollectionView<Map<Integer, Long>> lastOffsetRead) {
    return new CommitToTable(catalog, table, topic, runId, lastOffsetRead);
  }

  @Override
  public PCollection<CommitResult> expand(PCollection<WrittenFiles> written) {
    return written
        .apply("GatherFiles", Combine.globally(new GatherWrittenFiles(table.toString())))
        .setCoder(SerializableCoder.of(WrittenFiles.class))
        .apply(
            "CommitOnce",
            ParDo.of(new CommitFn(catalog, table, topic, runId, lastOffsetRead))
                .withSideInputs(lastOffsetRead))
        .setCoder(SerializableCoder.of(CommitResult.class));
  }

  /** Appends the gathered files with the run's Kafka position, unless already committed. */
  static final class CommitFn extends DoFn<WrittenFiles, CommitResult> {
    private final CatalogSettings catalog;
    private final TableDefinition definition;
    private final String topic;
    private final String runId;
    private final PCollectionView<Map<Integer, Long>> lastOffsetRead;

    CommitFn(
        CatalogSettings catalog,
        TableDefinition definition,
        String topic,
        String runId,
        PCollectionView<Map<Integer, Long>> lastOffsetRead) {
      this.catalog = catalog;
      this.definition = definition;
      this.topic = topic;
      this.runId = runId;
      this.lastOffsetRead = lastOffsetRead;
    }

    @ProcessElement
    public void process(ProcessContext context) {
      WrittenFiles written = context.element();
      Map<Integer, Long> next = new HashMap<>();
      context.sideInput(lastOffsetRead).forEach((p, last) -> next.put(p, last + 1));
      Table table = catalog.catalog().loadTable(definition.identifier());
      CommittedOffsets current = CommittedOffsets.of(table, topic);
      long bytes = written.files().stream().mapToLong(DataFile::fileSizeInBytes).sum();
      if (next.isEmpty() || current.covers(next)) {
        // Nothing was read, or a retry of a commit that already landed: never append twice.
        LOG.info("{}: nothing new to commit (position {})", definition, current);
        context.output(
            new CommitResult(
                definition.toString(), -1, 0, 0, 0, current.nextOffsets(), !next.isEmpty()));
        return;
      }
      CrashPoint.BEFORE_COMMIT.maybeCrash();
      CommittedOffsets advanced = current.advancedTo(next);
      AppendFiles append = table.newAppend();
      written.files().forEach(append::appendFile);
      append.set(CommittedOffsets.SUMMARY_KEY, advanced.toSummaryJson());
      append.set(CommittedOffsets.RUN_ID_KEY, runId);
      append.commit();
      long snapshotId = table.currentSnapshot().snapshotId();
      LOG.info(
          "{}: committed {} rows in {} data files as snapshot {}, Kafka position now {}",
          definition,
          written.rows(),
          written.files().size(),
          snapshotId,
          advanced);
      CrashPoint.AFTER_COMMIT.maybeCrash();
      context.output(
          new CommitResult(
              definition.toString(),
              snapshotId,
              written.files().size(),
              written.rows(),
              bytes,
              advanced.nextOffsets(),
              false));
    }
  }
}
