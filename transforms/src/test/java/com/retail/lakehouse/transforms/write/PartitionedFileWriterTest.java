package com.retail.lakehouse.transforms.write;

import static com.retail.lakehouse.transforms.TestEvents.rawRow;
import static com.retail.lakehouse.transforms.TestEvents.sale;
import static org.assertj.core.api.Assertions.assertThat;

import com.retail.lakehouse.transforms.IcebergTestTables;
import com.retail.lakehouse.transforms.commit.WrittenFiles;
import com.retail.lakehouse.transforms.event.PosEventSchema;
import com.retail.lakehouse.transforms.tables.DailySalesSummaryTable;
import com.retail.lakehouse.transforms.tables.RawTable;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.parquet.Parquet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every row lands in the file of its own day, as Iceberg's day transform says, also when the writer
 * skips the transform for rows of the day it last saw: around midnight, back and forth between
 * days, before 1970, and after a file rolls over.
 */
class PartitionedFileWriterTest {
  @TempDir Path warehouse;

  @Test
  void rowsAroundMidnightAndBefore1970LandInTheirOwnDay() throws Exception {
    Table table =
        RawTable.DEFINITION.createOrLoad(IcebergTestTables.hadoopCatalog(warehouse).catalog());
    Instant midnight = Instant.parse("2026-12-04T00:00:00Z");
    List<Instant> times =
        List.of(
            midnight.minusMillis(1),
            midnight,
            midnight.minusMillis(2),
            midnight.plusMillis(1),
            // the same day again, up to its last millisecond: the transform is not asked
            midnight.plusSeconds(3_600),
            midnight.plusSeconds(86_400).minusMillis(1),
            midnight.minusSeconds(86_400),
            midnight.minusSeconds(86_400).minusMillis(1),
            midnight.plusSeconds(86_399),
            midnight.plusSeconds(86_400),
            Instant.parse("1970-01-01T00:00:00Z"),
            Instant.parse("1969-12-31T23:59:59.999Z"),
            Instant.parse("1969-12-31T00:00:00Z"),
            Instant.parse("1969-12-30T23:59:59.999Z"),
            Instant.parse("1970-01-01T00:00:00.001Z"),
            midnight);
    PartitionedFileWriter writer = new PartitionedFileWriter(table, RawTable.DEFINITION, 1);
    int offset = 0;
    for (Instant time : times) {
      writer.write(rawRow(sale("T-" + offset, 1).withEventTime(time), 0, offset++));
    }
    assertEveryRowInItsDay(table, writer.finish(), times.size());
  }

  @Test
  void aRolledOverFileIsNotWrittenAgain() throws Exception {
    Table table =
        RawTable.DEFINITION.createOrLoad(IcebergTestTables.hadoopCatalog(warehouse).catalog());
    table.updateProperties().set("write.target-file-size-bytes", "1").commit();
    Instant noon = Instant.parse("2026-12-04T12:00:00Z");
    PartitionedFileWriter writer = new PartitionedFileWriter(table, RawTable.DEFINITION, 1);
    int rows = 25_000; // files roll every 10,000 rows here: two roll over while their day is kept
    for (int i = 0; i < rows; i++) {
      Instant time = i % 1_000 == 500 ? noon.minusSeconds(86_400) : noon.plusMillis(i);
      writer.write(rawRow(sale("T-" + i, 1).withEventTime(time), 0, i));
    }
    WrittenFiles written = writer.finish();
    assertThat(written.files()).hasSizeGreaterThanOrEqualTo(4);
    assertEveryRowInItsDay(table, written, rows);
  }

  private static void assertEveryRowInItsDay(Table table, WrittenFiles written, int rows)
      throws Exception {
    long seen = 0;
    for (DataFile file : written.files()) {
      int day = file.partition().get(0, Integer.class);
      List<Record> records = read(table, file);
      assertThat(records).hasSize((int) file.recordCount());
      for (Record record : records) {
        LocalDateTime eventTime = (LocalDateTime) record.getField(PosEventSchema.EVENT_TIME);
        assertThat(eventTime.toLocalDate().toEpochDay())
            .as("row at %s in the file of day %d", eventTime, day)
            .isEqualTo(day);
      }
      seen += records.size();
    }
    assertThat(seen).isEqualTo(rows);
  }

  @Test
  void theShortcutIsTakenOnlyForADayOfATimestamp() {
    Table raw =
        RawTable.DEFINITION.createOrLoad(IcebergTestTables.hadoopCatalog(warehouse).catalog());
    Table summary =
        DailySalesSummaryTable.DEFINITION.createOrLoad(
            IcebergTestTables.hadoopCatalog(warehouse).catalog());
    assertThat(PartitionedFileWriter.daySource(raw.spec(), raw.schema()))
        .isEqualTo(
            raw.schema().columns().indexOf(raw.schema().findField(PosEventSchema.EVENT_TIME)));
    assertThat(PartitionedFileWriter.daySource(summary.spec(), summary.schema())).isEqualTo(-1);
  }

  private static List<Record> read(Table table, DataFile file) throws Exception {
    List<Record> records = new ArrayList<>();
    try (CloseableIterable<Record> rows =
        Parquet.read(table.io().newInputFile(file.path().toString()))
            .project(table.schema())
            .createReaderFunc(type -> GenericParquetReaders.buildReader(table.schema(), type))
            .build()) {
      rows.forEach(records::add);
    }
    return records;
  }
}
