package com.retail.lakehouse.transforms.write;

import com.retail.lakehouse.transforms.dedupe.DropDuplicateLines;
import com.retail.lakehouse.transforms.dedupe.FirstCopies;
import com.retail.lakehouse.transforms.dedupe.RecentLineKeys;
import com.retail.lakehouse.transforms.metrics.LiveCounters;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import com.retail.lakehouse.transforms.tables.TableDefinition;
import com.retail.lakehouse.transforms.tables.TableRowCoder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.beam.sdk.coders.IterableCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SimpleFunction;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.data.GenericAppenderFactory;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.util.PropertyUtil;

/**
 * Writes rows into Parquet data files of a table without committing them: rows are spread over a
 * few writer shards (or come in batches already, see {@link #eachBatchTo}), each shard writes one
 * file per table partition (rolling at the table's target file size), and the files' metadata goes
 * on to {@link CommitToTable} or the mart's ReplaceMartDays. Written with Iceberg's own generic
 * writers rather than IcebergIO because IcebergIO commits by itself, and the exactly-once design
 * needs the commit to also record Kafka offsets.
 */
public final class WriteDataFiles extends PTransform<PCollection<Row>, PCollection<WrittenFiles>> {
  private final CatalogSettings catalog;
  private final TableDefinition table;
  private final int shards;
  private final RecentLineKeys dedupe;

  private WriteDataFiles(
      CatalogSettings catalog, TableDefinition table, int shards, RecentLineKeys dedupe) {
    this.catalog = catalog;
    this.table = table;
    this.shards = shards;
    this.dedupe = dedupe;
  }

  /** Writes rows of {@code table} with {@code shards} parallel writers. */
  public static WriteDataFiles to(CatalogSettings catalog, TableDefinition table, int shards) {
    return new WriteDataFiles(catalog, table, Math.max(1, shards), null);
  }

  /**
   * Also drops duplicate sale lines while writing (what {@link
   * com.retail.lakehouse.transforms.dedupe.DropDuplicateLines} does), inside the writer's own
   * shuffle: rows are sharded by line key instead of at random, so every copy of a line reaches one
   * writer. Measured on the ingest benchmark, one shuffle instead of two; counts the same metrics.
   */
  public WriteDataFiles droppingDuplicateLines(RecentLineKeys committedWithinHorizon) {
    return new WriteDataFiles(catalog, table, shards, committedWithinHorizon);
  }

  /**
   * Writes each input element, a batch of rows that already belong together (a mart day), into its
   * own files as it comes: no shuffle moves rows that were grouped upstream.
   */
  public static PTransform<PCollection<List<Row>>, PCollection<WrittenFiles>> eachBatchTo(
      CatalogSettings catalog, TableDefinition table) {
    return new WriteBatches(catalog, table);
  }

  /** See {@link #eachBatchTo}. */
  private static final class WriteBatches
      extends PTransform<PCollection<List<Row>>, PCollection<WrittenFiles>> {
    private final CatalogSettings catalog;
    private final TableDefinition table;

    WriteBatches(CatalogSettings catalog, TableDefinition table) {
      this.catalog = catalog;
      this.table = table;
    }

    @Override
    public PCollection<WrittenFiles> expand(PCollection<List<Row>> batches) {
      return batches
          // the key only numbers the files (OutputFileFactory's partition id); names stay unique
          .apply("AsWriterInput", MapElements.via(new AsShardFn()))
          .setCoder(KvCoder.of(VarIntCoder.of(), IterableCoder.of(TableRowCoder.of(table))))
          .apply("WriteParquetFiles", ParDo.of(new WriteFilesFn(catalog, table, null)))
          .setCoder(SerializableCoder.of(WrittenFiles.class));
    }
  }

  /** A batch as the input of one file writer. */
  static final class AsShardFn extends SimpleFunction<List<Row>, KV<Integer, Iterable<Row>>> {
    @Override
    public KV<Integer, Iterable<Row>> apply(List<Row> batch) {
      return KV.of(ThreadLocalRandom.current().nextInt(1 << 16), batch);
    }
  }

  @Override
  public PCollection<WrittenFiles> expand(PCollection<Row> rows) {
    return rows.apply("AssignWriterShard", ParDo.of(new AssignShardFn(shards, dedupe != null)))
        .setCoder(KvCoder.of(VarIntCoder.of(), TableRowCoder.of(table)))
        .apply("GroupByWriterShard", GroupByKey.create())
        .apply("WriteParquetFiles", ParDo.of(new WriteFilesFn(catalog, table, dedupe)))
        .setCoder(SerializableCoder.of(WrittenFiles.class));
  }

  /** Spreads rows evenly over writer shards. */
  static final class AssignShardFn extends DoFn<Row, KV<Integer, Row>> {
    private final int shards;
    private final boolean byLineKey;
    private final Counter linesIn = Metrics.counter("lakehouse", DropDuplicateLines.LINES_IN);

    AssignShardFn(int shards, boolean byLineKey) {
      this.shards = shards;
      this.byLineKey = byLineKey;
    }

    @ProcessElement
    public void process(@Element Row row, OutputReceiver<KV<Integer, Row>> out) {
      if (byLineKey) {
        linesIn.inc();
        out.output(KV.of(FirstCopies.shardOf(row, shards), row));
      } else {
        out.output(KV.of(ThreadLocalRandom.current().nextInt(shards), row));
      }
    }
  }

  /** Writes one shard's rows into files, one open file per table partition. */
  static final class WriteFilesFn extends DoFn<KV<Integer, Iterable<Row>>, WrittenFiles> {
    private final CatalogSettings catalog;
    private final TableDefinition definition;
    private final RecentLineKeys dedupe;
    private final Counter filesWritten = Metrics.counter("lakehouse", "data_files_written");
    private final Counter linesOut = Metrics.counter("lakehouse", DropDuplicateLines.LINES_OUT);
    private transient Table table;

    WriteFilesFn(CatalogSettings catalog, TableDefinition definition, RecentLineKeys dedupe) {
      this.catalog = catalog;
      this.definition = definition;
      this.dedupe = dedupe;
    }

    @Setup
    public void setup() {
      table = catalog.catalog().loadTable(definition.identifier());
    }

    @ProcessElement
    public void process(
        @Element KV<Integer, Iterable<Row>> shard, OutputReceiver<WrittenFiles> out) {
      table.refresh();
      Schema schema = table.schema();
      PartitionSpec spec = table.spec();
      long targetBytes =
          PropertyUtil.propertyAsLong(
              table.properties(),
              TableProperties.WRITE_TARGET_FILE_SIZE_BYTES,
              TableProperties.WRITE_TARGET_FILE_SIZE_BYTES_DEFAULT);
      GenericAppenderFactory appenders = new GenericAppenderFactory(schema, spec);
      appenders.setAll(table.properties());
      OutputFileFactory files =
          OutputFileFactory.builderFor(table, shard.getKey(), System.nanoTime())
              .format(FileFormat.PARQUET)
              .operationId(UUID.randomUUID().toString())
              .build();
      RowToRecord toRecord = new RowToRecord(definition.fields(), schema);
      InternalRecordWrapper wrapper = new InternalRecordWrapper(schema.asStruct());
      PartitionKey key = new PartitionKey(spec, schema);
      Map<PartitionKey, DataWriter<Record>> open = new HashMap<>();
      List<DataFile> done = new ArrayList<>();
      long rows = 0;
      FirstCopies firstCopies = dedupe == null ? null : new FirstCopies(dedupe);
      try {
        for (Row row : shard.getValue()) {
          if (firstCopies != null) {
            if (!firstCopies.isFirst(row)) {
              continue;
            }
            linesOut.inc();
          }
          Record record = toRecord.convert(row);
          key.partition(wrapper.wrap(record));
          DataWriter<Record> writer = open.get(key);
          if (writer == null) {
            PartitionKey copy = key.copy();
            writer =
                appenders.newDataWriter(
                    files.newOutputFile(spec, copy),
                    FileFormat.PARQUET,
                    spec.isUnpartitioned() ? null : copy);
            open.put(copy, writer);
          }
          writer.write(record);
          rows++;
          if ((rows & 1023) == 0) {
            LiveCounters.add("rows_written", 1024);
          }
          if (rows % 10_000 == 0 && writer.length() >= targetBytes) {
            writer.close();
            done.add(writer.toDataFile());
            open.values().remove(writer);
            CrashPoint.WHILE_WRITING_FILES.maybeCrash();
          }
        }
        for (DataWriter<Record> writer : open.values()) {
          writer.close();
          done.add(writer.toDataFile());
          CrashPoint.WHILE_WRITING_FILES.maybeCrash();
        }
      } catch (IOException e) {
        throw new UncheckedIOException("Writing data files of " + definition + " failed", e);
      }
      filesWritten.inc(done.size());
      LiveCounters.add("rows_written", rows & 1023);
      out.output(new WrittenFiles(definition.identifier().toString(), done, rows));
    }
  }
}
