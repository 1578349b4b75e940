package com.retail.lakehouse.transforms.tables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Set;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.parquet.ParquetSchemaUtil;
import org.apache.iceberg.types.TypeUtil;
import org.junit.jupiter.api.Test;

/** The stored forms of values, on the fast path's checks and the generic path's conversion. */
class StoredColumnsTest {
  @Test
  void aFileWrittenBeforeAColumnExistedIsLeftToTheGenericReader() {
    Schema table = RawTable.DEFINITION.icebergSchema();
    List<String> columns = List.of(RawTable.INGEST_TIME, "store_id");
    Schema projection = table.select(columns);
    // a file of a table that did not have ingest_time yet
    org.apache.parquet.schema.MessageType oldFile =
        ParquetSchemaUtil.convert(
            TypeUtil.selectNot(table, Set.of(table.findField(RawTable.INGEST_TIME).fieldId())),
            "table");
    assertThatThrownBy(() -> StoredColumns.Reader.create(projection, columns, oldFile))
        .isInstanceOf(StoredColumns.UnexpectedFile.class)
        .hasMessageContaining(RawTable.INGEST_TIME);
  }

  @Test
  void theGenericPathGivesTheSameFormsAsTheFastPath() {
    Schema mart = DailySalesSummaryTable.DEFINITION.icebergSchema();
    List<String> columns =
        List.of(
            DailySalesSummaryTable.SALE_DATE,
            DailySalesSummaryTable.TOTAL_SALES,
            DailySalesSummaryTable.UNITS_SOLD,
            DailySalesSummaryTable.FIRST_SALE_TIME,
            DailySalesSummaryTable.AVG_UNIT_PRICE);
    Schema projection = mart.select(columns);
    GenericRecord r = GenericRecord.create(projection);
    r.setField(DailySalesSummaryTable.SALE_DATE, LocalDate.of(1970, 1, 3));
    r.setField(DailySalesSummaryTable.TOTAL_SALES, new BigDecimal("12.34"));
    r.setField(DailySalesSummaryTable.UNITS_SOLD, 7L);
    r.setField(DailySalesSummaryTable.FIRST_SALE_TIME, LocalDateTime.of(1970, 1, 1, 0, 0, 1, 5000));
    r.setField(DailySalesSummaryTable.AVG_UNIT_PRICE, null);
    assertThat(StoredColumns.fromRecord(r, projection, columns))
        .containsExactly(2, 1234L, 7L, 1_000_005L, null);
  }
}
