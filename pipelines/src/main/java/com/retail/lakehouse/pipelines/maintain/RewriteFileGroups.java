package com.retail.lakehouse.pipelines.maintain;

import com.retail.lakehouse.transforms.commit.CrashPoint;
import com.retail.lakehouse.transforms.metrics.LiveCounters;
import com.retail.lakehouse.transforms.metrics.MetricNames;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.GenericAppenderFactory;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.parquet.Parquet;

/**
 * Rewrites each {@link FileGroup} where it is processed: reads the group's files with Iceberg's
 * Parquet reader, sorts the rows by the table's compaction order, writes them into one new data
 * file of the same partition with Iceberg's generic writer (the table's write properties: Parquet,
 * zstd), and passes on which files it replaces. Nothing is committed here; a group whose rows do
 * not add up to its files' record counts fails the job rather than lose a row.
 */
final class RewriteFileGroups
    extends PTransform<PCollection<FileGroup>, PCollection<RewrittenGroup>> {
  /** Rows written by compaction (live counter and Beam counter). */
  static final String ROWS_REWRITTEN = "maintain_rows_rewritten";

  /** File groups rewritten by compaction (live counter and Beam counter). */
  static final String GROUPS_REWRITTEN = "maintain_groups_rewritten";

  private final CatalogSettings catalog;
  private final String runId;

  RewriteFileGroups(CatalogSettings catalog, String runId) {
    this.catalog = catalog;
    this.runId = runId;
  }

  @Override
  public PCollection<RewrittenGroup> expand(PCollection<FileGroup> groups) {
    return groups
        .apply("SortAndWriteEachGroup", ParDo.of(new RewriteGroupFn(catalog, runId)))
        .setCoder(SerializableCoder.of(RewrittenGroup.class));
  }

  /** Rewrites one group per element. */
  static final class RewriteGroupFn extends DoFn<FileGroup, RewrittenGroup> {
    private final CatalogSettings catalog;
    private final String runId;
    private final Counter rowsCounter = Metrics.counter(MetricNames.NAMESPACE, ROWS_REWRITTEN);
    private final Counter groupsCounter = Metrics.counter(MetricNames.NAMESPACE, GROUPS_REWRITTEN);
    private transient Map<String, Table> tables;

    RewriteGroupFn(CatalogSettings catalog, String runId) {
      this.catalog = catalog;
      this.runId = runId;
    }

    @Setup
    public void setup() {
      tables = new HashMap<>();
    }

    @ProcessElement
    public void process(@Element FileGroup group, OutputReceiver<RewrittenGroup> out) {
      MaintainedTable which = MaintainedTable.of(group.table());
      Table table =
          tables.computeIfAbsent(
              group.table(), t -> catalog.catalog().loadTable(which.definition().identifier()));
      Schema schema = table.schema();
      List<Record> rows = new ArrayList<>();
      for (DataFile file : group.files()) {
        try (CloseableIterable<Record> records =
            Parquet.read(table.io().newInputFile(file.path().toString()))
                .project(schema)
                .createReaderFunc(type -> GenericParquetReaders.buildReader(schema, type))
                .build()) {
          records.forEach(rows::add);
        } catch (IOException e) {
          throw new UncheckedIOException("reading " + file.path(), e);
        }
      }
      if (rows.size() != group.rows()) {
        throw new IllegalStateException(
            "compaction read "
                + rows.size()
                + " rows from the files of "
                + table.name()
                + " partition "
                + group.partition()
                + " whose metadata counts "
                + group.rows()
                + ": nothing was committed");
      }
      rows.sort(order(which.sortColumns()));

      DataFile first = group.files().get(0);
      PartitionSpec spec = table.specs().get(first.specId());
      StructLike partition = first.partition();
      // a retried task (another attempt of this group) writes under a new name, never over a file
      OutputFileFactory files =
          OutputFileFactory.builderFor(table, group.index(), System.nanoTime())
              .format(FileFormat.PARQUET)
              .operationId("compact-" + runId)
              .build();
      GenericAppenderFactory appenders = new GenericAppenderFactory(schema, spec);
      appenders.setAll(table.properties());
      DataWriter<Record> writer =
          appenders.newDataWriter(
              files.newOutputFile(spec, partition), FileFormat.PARQUET, partition);
      try (writer) {
        rows.forEach(writer::write);
      } catch (IOException e) {
        throw new UncheckedIOException("writing the compacted file of " + table.name(), e);
      }
      DataFile written = writer.toDataFile();
      rowsCounter.inc(rows.size());
      groupsCounter.inc();
      LiveCounters.add(ROWS_REWRITTEN, rows.size());
      LiveCounters.add(GROUPS_REWRITTEN, 1);
      CrashPoint.WHILE_WRITING_FILES.maybeCrash();
      out.output(new RewrittenGroup(group.table(), group.files(), written));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Comparator<Record> order(List<String> columns) {
      Comparator<Record> order = null;
      for (String column : columns) {
        Comparator<Record> next =
            Comparator.comparing(
                r -> (Comparable) r.getField(column),
                Comparator.nullsFirst(Comparator.naturalOrder()));
        order = order == null ? next : order.thenComparing(next);
      }
      return order;
    }
  }
}
