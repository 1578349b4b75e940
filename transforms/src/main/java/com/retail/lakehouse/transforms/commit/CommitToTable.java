package com.retail.lakehouse.transforms.commit;

import com.retail.lakehouse.transforms.tables.CatalogSettings;
import com.retail.lakehouse.transforms.tables.TableDefinition;
import java.util.HashMap;
import java.util.Map;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.iceberg.Table;

/**
 * The single committer of one table: gathers every data file a run wrote and appends them in one
 * Iceberg commit whose snapshot summary also records the Kafka position the run read up to. Data
 * and position are therefore atomic; a retried commit whose position is already in the table is
 * skipped, so a re-executed bundle cannot append the same rows twice.
 */
public final class CommitToTable
    extends PTransform<PCollection<WrittenFiles>, PCollection<CommitResult>> {
  private final CommitTarget target;
  private final PCollectionView<Map<Integer, Long>> lastOffsetRead;

  private CommitToTable(CommitTarget target, PCollectionView<Map<Integer, Long>> lastOffsetRead) {
    this.target = target;
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
    return new CommitToTable(CommitTarget.of(catalog, table, topic, runId), lastOffsetRead);
  }

  /**
   * The same committer, also recording {@code properties} in the snapshot summary (the ingest: the
   * routing settings the run used).
   */
  public CommitToTable withSnapshotProperties(Map<String, String> properties) {
    return new CommitToTable(target.withSnapshotProperties(properties), lastOffsetRead);
  }

  /**
   * The same commit, refused (atomically, inside Iceberg's commit) unless the table's position is
   * still {@code position}: the one the run planned its reads from. Without it, the position the
   * table has when the commit starts is taken.
   */
  public CommitToTable startingFrom(CommittedOffsets position) {
    return new CommitToTable(target.startingFrom(position), lastOffsetRead);
  }

  @Override
  public PCollection<CommitResult> expand(PCollection<WrittenFiles> written) {
    TableDefinition table = target.table();
    String tableName = table.identifier().toString();
    return written
        // The writer may hand on files of several tables (the catch-up ingest writes both).
        .apply(
            "FilesOfThisTable", Filter.by((WrittenFiles files) -> files.table().equals(tableName)))
        .apply("GatherFiles", Combine.globally(new GatherWrittenFiles(table.toString())))
        .setCoder(SerializableCoder.of(WrittenFiles.class))
        .apply(
            "CommitOnce",
            ParDo.of(new CommitFn(target, lastOffsetRead)).withSideInputs(lastOffsetRead))
        .setCoder(SerializableCoder.of(CommitResult.class));
  }

  /** Appends the gathered files with the run's Kafka position, unless already committed. */
  static final class CommitFn extends DoFn<WrittenFiles, CommitResult> {
    private final CommitTarget target;
    private final PCollectionView<Map<Integer, Long>> lastOffsetRead;

    CommitFn(CommitTarget target, PCollectionView<Map<Integer, Long>> lastOffsetRead) {
      this.target = target;
      this.lastOffsetRead = lastOffsetRead;
    }

    @ProcessElement
    public void process(ProcessContext context) {
      WrittenFiles written = context.element();
      Map<Integer, Long> next = new HashMap<>();
      context.sideInput(lastOffsetRead).forEach((p, last) -> next.put(p, last + 1));
      Table table = target.catalog().catalog().loadTable(target.table().identifier());
      context.output(
          target.commit(table, target.startedFrom(), written.files(), written.rows(), next));
    }
  }
}
