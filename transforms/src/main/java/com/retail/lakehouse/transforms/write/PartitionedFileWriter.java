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
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
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

  /*
   * Iceberg's day transform builds date-time objects for every value (a tenth of a streaming
   * writer's CPU samples, bench/results/profile-notes.md). For a spec that is day() of one timestamp
   * column, a row whose timestamp falls in the same day (1970 on) as the row that last asked the
   * transform goes to that row's file without asking again. Iceberg has no cheaper per-row partition
   * call to use instead.
   */
  private static final long MICROS_PER_DAY = 86_400_000_000L;
  private final int daySource; // the day-partitioned column's position, or -1
  private long dayStart = Long.MAX_VALUE; // [dayStart, dayEnd): micros of the remembered day
  private long dayEnd = Long.MIN_VALUE;
  private DataWriter<Row> dayWriter;

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
    this.daySource = daySource(spec, schema);
  }

  /** The position of the column a day()-only spec partitions by, or -1 for any other spec. */
  static int daySource(PartitionSpec spec, Schema schema) {
    if (spec.fields().size() != 1 || !"day".equals(spec.fields().get(0).transform().toString())) {
      return -1;
    }
    Types.NestedField source = schema.findField(spec.fields().get(0).sourceId());
    int position = schema.columns().indexOf(source);
    return position >= 0 && source.type().typeId() == Type.TypeID.TIMESTAMP ? position : -1;
  }

  /** Appends one row to the open file of its partition (opening one if needed). */
  void write(Row row) throws IOException {
    struct.wrap(row);
    Long micros = daySource < 0 ? null : struct.get(daySource, Long.class);
    DataWriter<Row> writer =
        micros != null && micros >= dayStart && micros < dayEnd
            ? dayWriter
            : writerOfPartition(micros);
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
      if (writer == dayWriter) {
        forgetDay();
      }
      CrashPoint.WHILE_WRITING_FILES.maybeCrash();
    }
  }

  /**
   * The open file of the wrapped row's partition (a new one if none), as the transform says; {@code
   * micros}: the row's day-partitioned timestamp, if the spec is day() of one.
   */
  private DataWriter<Row> writerOfPartition(Long micros) throws IOException {
    key.partition(struct);
    DataWriter<Row> writer = open.get(key);
    if (writer == null) {
      PartitionKey copy = key.copy();
      writer = newDataWriter(spec.isUnpartitioned() ? null : copy);
      open.put(copy, writer);
    }
    forgetDay();
    if (micros != null && micros >= 0) {
      long day = Math.floorDiv(micros, MICROS_PER_DAY);
      // remembered only where the transform agrees: days since 1970-01-01
      if (Integer.valueOf((int) day).equals(key.get(0, Integer.class))) {
        dayStart = day * MICROS_PER_DAY;
        dayEnd = dayStart + MICROS_PER_DAY;
        dayWriter = writer;
      }
    }
    return writer;
  }

  private void forgetDay() {
    dayStart = Long.MAX_VALUE;
    dayEnd = Long.MIN_VALUE;
    dayWriter = null;
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
    forgetDay();
    LiveCounters.add(MetricNames.ROWS_WRITTEN, rows & 1023);
    return new WrittenFiles(definition.identifier().toString(), List.copyOf(done), rows);
  }
}
