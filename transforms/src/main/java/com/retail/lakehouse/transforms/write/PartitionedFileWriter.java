package com.retail.lakehouse.transforms.write;

import com.retail.lakehouse.transforms.metrics.LiveCounters;
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
 * Writes rows of one table into Parquet data files, one open file per table partition, rolling a
 * file over once it reaches the table's target file size. The files are not committed: {@link
 * #finish} closes them and hands back their metadata. One writer serves one thread.
 */
final class PartitionedFileWriter {
  private final TableDefinition definition;
  private final PartitionSpec spec;
  private final long targetBytes;
  private final GenericAppenderFactory appenders;
  private final OutputFileFactory files;
  private final RowToRecord toRecord;
  private final InternalRecordWrapper wrapper;
  private final PartitionKey key;
  private final Map<PartitionKey, DataWriter<Record>> open = new HashMap<>();
  private final List<DataFile> done = new ArrayList<>();
  private long rows;

  /** A writer for the table's current schema and spec; {@code fileGroup} numbers its files. */
  PartitionedFileWriter(Table table, TableDefinition definition, int fileGroup) {
    this.definition = definition;
    Schema schema = table.schema();
    this.spec = table.spec();
    this.targetBytes =
        PropertyUtil.propertyAsLong(
            table.properties(),
            TableProperties.WRITE_TARGET_FILE_SIZE_BYTES,
            TableProperties.WRITE_TARGET_FILE_SIZE_BYTES_DEFAULT);
    this.appenders = new GenericAppenderFactory(schema, spec);
    appenders.setAll(table.properties());
    this.files =
        OutputFileFactory.builderFor(table, fileGroup, System.nanoTime())
            .format(FileFormat.PARQUET)
            .operationId(UUID.randomUUID().toString())
            .build();
    this.toRecord = new RowToRecord(definition.fields(), schema);
    this.wrapper = new InternalRecordWrapper(schema.asStruct());
    this.key = new PartitionKey(spec, schema);
  }

  /** Appends one row to the open file of its partition (opening one if needed). */
  void write(Row row) throws IOException {
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
    // Parquet's length() walks its buffers: ask every 10,000 rows, not every row.
    if (rows % 10_000 == 0 && writer.length() >= targetBytes) {
      writer.close();
      done.add(writer.toDataFile());
      open.values().remove(writer);
      CrashPoint.WHILE_WRITING_FILES.maybeCrash();
    }
  }

  /** Closes every open file; returns all files written, with how many rows they hold. */
  WrittenFiles finish() throws IOException {
    for (DataWriter<Record> writer : open.values()) {
      writer.close();
      done.add(writer.toDataFile());
      CrashPoint.WHILE_WRITING_FILES.maybeCrash();
    }
    open.clear();
    LiveCounters.add("rows_written", rows & 1023);
    return new WrittenFiles(definition.identifier().toString(), List.copyOf(done), rows);
  }
}
