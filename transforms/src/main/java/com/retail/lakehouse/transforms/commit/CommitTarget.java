package com.retail.lakehouse.transforms.commit;

import com.retail.lakehouse.transforms.tables.CatalogSettings;
import com.retail.lakehouse.transforms.tables.TableDefinition;
import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a committer commits to and as whom, shared by {@link CommitToTable} and {@link
 * CommitWindowsInOrder}: the catalog and table, the Kafka topic whose position the commits record,
 * the run that claimed the table, the position the run's rows were read from (null: the table's
 * when a commit starts) and extra snapshot summary properties.
 */
record CommitTarget(
    CatalogSettings catalog,
    TableDefinition table,
    String topic,
    String runId,
    CommittedOffsets startedFrom,
    TreeMap<String, String> snapshotProperties)
    implements Serializable {

  static CommitTarget of(
      CatalogSettings catalog, TableDefinition table, String topic, String runId) {
    if (catalog == null || table == null || topic == null || runId == null) {
      throw new IllegalArgumentException(
          "a committer needs a catalog, a table, a topic and a run id");
    }
    return new CommitTarget(catalog, table, topic, runId, null, new TreeMap<>());
  }

  CommitTarget startingFrom(CommittedOffsets position) {
    if (position == null || !position.topic().equals(topic)) {
      throw new IllegalArgumentException(
          "the starting position must be one of topic " + topic + ", got " + position);
    }
    return new CommitTarget(catalog, table, topic, runId, position, snapshotProperties);
  }

  CommitTarget withSnapshotProperties(Map<String, String> properties) {
    return new CommitTarget(catalog, table, topic, runId, startedFrom, new TreeMap<>(properties));
  }

  /** Appends files with the position {@code next}, starting from {@code from} (see commit). */
  CommitResult commit(
      org.apache.iceberg.Table loaded,
      CommittedOffsets from,
      java.util.List<org.apache.iceberg.DataFile> files,
      long rows,
      Map<Integer, Long> next) {
    return AppendWithPosition.commit(
        loaded, table.toString(), topic, runId, from, files, rows, next, snapshotProperties);
  }
}
