package com.retail.lakehouse.transforms.write;

import com.retail.lakehouse.transforms.commit.CrashPoint;
import com.retail.lakehouse.transforms.commit.WrittenFiles;
import com.retail.lakehouse.transforms.metrics.LiveCounters;
import com.retail.lakehouse.transforms.metrics.MetricNames;
import com.retail.lakehouse.transforms.tables.TableDefinition;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.beam.sdk.values.Row;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.MetricsConfig;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.encryption.EncryptedOutputFile;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.util.PropertyUtil;

/**
 * Writes rows of one table into Parquet data files, one open file per table partition, rolling a
 * file over once it reaches the table's target file size. The files are not committed: {@link
 * #finish} closes them and hands back their metadata. One writer serves one thread.
 */
final class PartitionedFileWriter {
  private final TableDefinition definition;
  private final PartitionSpec spec;
  private final long targetBytes;
  private final Table table;
  private final Schema schema;
  private final MetricsConfig metrics;
  private final OutputFileFactory files;
  private final RowParquetWriter.AsStruct struct;
  private final PartitionKey key;
  private final Map<PartitionKey, DataWriter<Row>> open = new HashMap<>();
  private final List<DataFile> done = new ArrayList<>();
  private long rows;

  /** A writer for the table's current schema and spec; {@code fileGroup} numbers its files. */
  PartitionedFileWriter(Table table, TableDefinition definition, int fileGroup) {
    this.definition = definition;
    this.table = table;
    this.schema = table.schema();
    this.spec = table.spec();
    this.metrics = MetricsConfig.forTable(table);
    this.targetBytes =
        PropertyUtil.propertyAsLong(
            table.properties(),
            TableProperties.WRITE_TARGET_FILE_SIZE_BYTES,
            TableProperties.WRITE_TARGET_FILE_SIZE_BYTES_DEFAULT);
    this.files =
        OutputFileFactory.builderFor(table, fileGroup, System.nanoTime())
            .format(FileFormat.PARQUET)
            .operationId(UUID.randomUUID().toString())
            .build();
    this.struct = new RowParquetWriter.AsStruct(definition, schema);
    this.key = new PartitionKey(spec, schema);
  }

  /** Appends one row to the open file of its partition (opening one if needed). */
  void write(Row row) throws IOException {
    key.partition(struct.wrap(row));
    DataWriter<Row> writer = open.get(key);
    if (writer == null) {
      PartitionKey copy = key.copy();
      writer = newDataWriter(spec.isUnpartitioned() ? null : copy);
      open.put(copy, writer);
    }
    writer.write(row);
    rows++;
    if ((rows & 1023) == 0) {
      LiveCounters.add(MetricNames.ROWS_WRITTEN, 1024);
    }
    // Parquet's length() walks its buffers: ask every 10,000 rows, not every row.
    if (rows % 10_000 == 0 && writer.length() >= targetBytes) {
      writer.close();
      done.add(writer.toDataFile());
      open.values().remove(writer);
      CrashPoint.WHILE_WRITING_FILES.maybeCrash();
    }
  }

  private DataWriter<Row> newDataWriter(PartitionKey partition) throws IOException {
    EncryptedOutputFile file = files.newOutputFile(spec, partition);
    return Parquet.writeData(file.encryptingOutputFile())
        .createWriterFunc(type -> RowParquetWriter.create(definition, schema, type))
        .setAll(table.properties())
        .metricsConfig(metrics)
        .schema(schema)
        .withSpec(spec)
        .withPartition(partition)
        .withKeyMetadata(file.keyMetadata())
        .overwrite()
        .build();
  }

  /** Closes every open file; returns all files written, with how many rows they hold. */
  WrittenFiles finish() throws IOException {
    for (DataWriter<Row> writer : open.values()) {
      writer.close();
      done.add(writer.toDataFile());
      CrashPoint.WHILE_WRITING_FILES.maybeCrash();
    }
    open.clear();
    LiveCounters.add(MetricNames.ROWS_WRITTEN, rows & 1023);
    return new WrittenFiles(definition.identifier().toString(), List.copyOf(done), rows);
  }
}
