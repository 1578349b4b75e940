package com.retail.lakehouse.transforms.commit;

import com.retail.lakehouse.transforms.tables.CatalogSettings;
import com.retail.lakehouse.transforms.tables.TableDefinition;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
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
  private final CatalogSettings catalog;
  private final TableDefinition table;
  private final String topic;
  private final String runId;
  private final PCollectionView<Map<Integer, Long>> lastOffsetRead;
  private final CommittedOffsets startedFrom;
  private final TreeMap<String, String> snapshotProperties;

  private CommitToTable(
      CatalogSettings catalog,
      TableDefinition table,
      String topic,
      String runId,
      PCollectionView<Map<Integer, Long>> lastOffsetRead,
      CommittedOffsets startedFrom,
      Map<String, String> snapshotProperties) {
    this.catalog = catalog;
    this.table = table;
    this.topic = topic;
    this.runId = runId;
    this.lastOffsetRead = lastOffsetRead;
    this.startedFrom = startedFrom;
    this.snapshotProperties = new TreeMap<>(snapshotProperties);
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
    return new CommitToTable(catalog, table, topic, runId, lastOffsetRead, null, Map.of());
  }

  /**
   * The same committer, also recording {@code properties} in the snapshot summary (the ingest: the
   * routing settings the run used).
   */
  public CommitToTable withSnapshotProperties(Map<String, String> properties) {
    return new CommitToTable(catalog, table, topic, runId, lastOffsetRead, startedFrom, properties);
  }

  /**
   * The same commit, refused (atomically, inside Iceberg's commit) unless the table's position is
   * still {@code position}: the one the run planned its reads from. Without it, the position the
   * table has when the commit starts is taken.
   */
  public CommitToTable startingFrom(CommittedOffsets position) {
    if (position == null || !position.topic().equals(topic)) {
      throw new IllegalArgumentException(
          "the starting position must be one of topic " + topic + ", got " + position);
    }
    return new CommitToTable(
        catalog, table, topic, runId, lastOffsetRead, position, snapshotProperties);
  }

  @Override
  public PCollection<CommitResult> expand(PCollection<WrittenFiles> written) {
    String tableName = table.identifier().toString();
    return written
        // The writer may hand on files of several tables (the catch-up ingest writes both).
        .apply(
            "FilesOfThisTable", Filter.by((WrittenFiles files) -> files.table().equals(tableName)))
        .apply("GatherFiles", Combine.globally(new GatherWrittenFiles(table.toString())))
        .setCoder(SerializableCoder.of(WrittenFiles.class))
        .apply(
            "CommitOnce",
            ParDo.of(
                    new CommitFn(
                        catalog,
                        table,
                        topic,
                        runId,
                        lastOffsetRead,
                        startedFrom,
                        snapshotProperties))
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
    private final CommittedOffsets startedFrom;
    private final TreeMap<String, String> snapshotProperties;

    CommitFn(
        CatalogSettings catalog,
        TableDefinition definition,
        String topic,
        String runId,
        PCollectionView<Map<Integer, Long>> lastOffsetRead,
        CommittedOffsets startedFrom,
        TreeMap<String, String> snapshotProperties) {
      this.catalog = catalog;
      this.definition = definition;
      this.topic = topic;
      this.runId = runId;
      this.lastOffsetRead = lastOffsetRead;
      this.startedFrom = startedFrom;
      this.snapshotProperties = snapshotProperties;
    }

    @ProcessElement
    public void process(ProcessContext context) {
      WrittenFiles written = context.element();
      Map<Integer, Long> next = new HashMap<>();
      context.sideInput(lastOffsetRead).forEach((p, last) -> next.put(p, last + 1));
      Table table = catalog.catalog().loadTable(definition.identifier());
      context.output(
          AppendWithPosition.commit(
              table,
              definition.toString(),
              topic,
              runId,
              startedFrom,
              written.files(),
              written.rows(),
              next,
              snapshotProperties));
    }
  }
}
