package com.retail.lakehouse.transforms.write;

import static com.retail.lakehouse.transforms.TestEvents.rawRow;
import static com.retail.lakehouse.transforms.TestEvents.sale;
import static org.assertj.core.api.Assertions.assertThat;

import com.retail.lakehouse.transforms.IcebergTestTables;
import com.retail.lakehouse.transforms.commit.WrittenFiles;
import com.retail.lakehouse.transforms.event.PosEvent;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import com.retail.lakehouse.transforms.tables.DailySalesSummaryTable;
import com.retail.lakehouse.transforms.tables.RawTable;
import com.retail.lakehouse.transforms.tables.TableDefinition;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.List;
import org.apache.beam.sdk.values.Row;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rows written by our Parquet writer read back, through Iceberg's own reader, as the same values.
 */
class RowParquetWriterTest {
  @TempDir Path warehouse;

  private static List<Record> writeAndReadBack(
      CatalogSettings catalog, TableDefinition definition, List<Row> rows) throws Exception {
    Table table = definition.createOrLoad(catalog.catalog());
    PartitionedFileWriter writer = new PartitionedFileWriter(table, definition, 1);
    for (Row row : rows) {
      writer.write(row);
    }
    WrittenFiles written = writer.finish();
    assertThat(written.rows()).isEqualTo(rows.size());
    AppendFiles append = table.newAppend();
    for (DataFile file : written.files()) {
      append.appendFile(file);
    }
    append.commit();
    return IcebergTestTables.readAll(table);
  }

  @Test
  void rawRowsKeepEveryValueAndLandInTheirEventDay() throws Exception {
    CatalogSettings catalog = IcebergTestTables.hadoopCatalog(warehouse);
    PosEvent event = sale("T-9", 3);
    Row row = rawRow(event, 2, 41);

    List<Record> back = writeAndReadBack(catalog, RawTable.DEFINITION, List.of(row));

    assertThat(back).hasSize(1);
    Record r = back.get(0);
    for (int i = 0; i < RawTable.DEFINITION.fields().size(); i++) {
      String name = RawTable.DEFINITION.fields().get(i).name();
      Object expected = row.getValue(i);
      Object actual = r.getField(name);
      if (expected instanceof org.joda.time.ReadableInstant instant) {
        assertThat(actual)
            .as(name)
            .isEqualTo(
                LocalDateTime.ofEpochSecond(
                    instant.getMillis() / 1000,
                    (int) (instant.getMillis() % 1000) * 1_000_000,
                    java.time.ZoneOffset.UTC));
      } else if (expected instanceof BigDecimal money) {
        assertThat((BigDecimal) actual).as(name).isEqualByComparingTo(money);
        assertThat(((BigDecimal) actual).scale()).isEqualTo(2);
      } else {
        assertThat(actual).as(name).isEqualTo(expected);
      }
    }
    Table table = RawTable.DEFINITION.createOrLoad(catalog.catalog());
    DataFile file = table.currentSnapshot().addedDataFiles(table.io()).iterator().next();
    assertThat(file.partition().get(0, Integer.class))
        .isEqualTo(
            (int) event.eventTime().atZone(java.time.ZoneOffset.UTC).toLocalDate().toEpochDay());
    assertThat(file.recordCount()).isEqualTo(1);
    assertThat(file.lowerBounds()).isNotEmpty(); // column statistics come from the footer
  }

  @Test
  void martRowsKeepDatesNullsAndMoneyAtTheColumnsScale() throws Exception {
    CatalogSettings catalog = IcebergTestTables.hadoopCatalog(warehouse);
    org.joda.time.Instant first = new org.joda.time.Instant(1_709_294_096_789L);
    Row row =
        Row.withSchema(DailySalesSummaryTable.DEFINITION.beamSchema())
            .addValues(
                LocalDate.of(2024, 3, 1),
                "S001",
                "Coffee",
                "Hot drinks",
                new BigDecimal("12.5"),
                new BigDecimal("13.50"),
                new BigDecimal("1"),
                4L,
                2L,
                5L,
                null,
                first,
                first.plus(60_000),
                first.plus(3_600_000))
            .build();

    List<Record> back = writeAndReadBack(catalog, DailySalesSummaryTable.DEFINITION, List.of(row));

    Record r = back.get(0);
    assertThat(r.getField("sale_date")).isEqualTo(LocalDate.of(2024, 3, 1));
    assertThat(r.getField("category")).isEqualTo("Hot drinks");
    assertThat(r.getField("total_sales")).isEqualTo(new BigDecimal("12.50"));
    assertThat(r.getField("returns_amount")).isEqualTo(new BigDecimal("1.00"));
    assertThat(r.getField("avg_unit_price")).isNull();
    assertThat(r.getField("units_sold")).isEqualTo(4L);
    assertThat(r.getField("last_sale_time"))
        .isEqualTo(LocalDateTime.of(2024, 3, 1, 11, 55, 56, 789_000_000));
  }

  @Test
  void aColumnAddedToTheTableLaterIsWrittenAsNull() throws Exception {
    CatalogSettings catalog = IcebergTestTables.hadoopCatalog(warehouse);
    Table table = RawTable.DEFINITION.createOrLoad(catalog.catalog());
    table
        .updateSchema()
        .addColumn("loyalty_tier", org.apache.iceberg.types.Types.StringType.get())
        .commit();

    List<Record> back =
        writeAndReadBack(catalog, RawTable.DEFINITION, List.of(rawRow(sale("T-3", 1), 0, 5)));

    assertThat(back.get(0).getField("loyalty_tier")).isNull();
    assertThat(back.get(0).getField("transaction_id")).isEqualTo("T-3");
    assertThat(back.get(0).getField("kafka_offset")).isEqualTo(5L);
  }
}
