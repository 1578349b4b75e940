package com.retail.lakehouse.transforms.mart;

import static com.retail.lakehouse.transforms.TestEvents.rawRow;
import static com.retail.lakehouse.transforms.TestEvents.sale;
import static org.assertj.core.api.Assertions.assertThat;

import com.retail.lakehouse.transforms.IcebergTestTables;
import com.retail.lakehouse.transforms.event.PosEvent;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import com.retail.lakehouse.transforms.tables.RawTable;
import com.retail.lakehouse.transforms.tables.StoredColumns;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.values.Row;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The mart reads raw lines with each stored value as a number of the right unit. */
class RawLinesAsStoredTest {
  @TempDir Path warehouse;

  @Test
  void readsTheProjectedColumnsWithTimestampsInMicrosAndMoneyInCents() throws Exception {
    CatalogSettings catalog = IcebergTestTables.hadoopCatalog(warehouse);
    Table table = RawTable.DEFINITION.createOrLoad(catalog.catalog());
    PosEvent event = sale("T-7", 2);
    Row row = rawRow(event, 3, 99);
    IcebergTestTables.writeAndCommit(
        catalog, RawTable.DEFINITION, "run-1", List.of(row), Map.of(3, 99L), r -> null);
    table.refresh();
    DataFile file = table.currentSnapshot().addedDataFiles(table.io()).iterator().next();
    Schema projection = table.schema().select(ReadRawFiles.COLUMNS);

    List<Object[]> lines = new ArrayList<>();
    try (CloseableIterator<Object[]> read =
        StoredColumns.read(table.io(), file.path().toString(), projection, ReadRawFiles.COLUMNS)) {
      read.forEachRemaining(l -> lines.add(l.clone()));
    }

    assertThat(lines).hasSize(1);
    Object[] l = lines.get(0);
    assertThat(l[0]).isEqualTo("T-7");
    assertThat(l[1]).isEqualTo(2);
    assertThat(l[2]).isEqualTo(event.eventType().name());
    assertThat(l[3]).isEqualTo(event.storeId());
    assertThat(l[4]).isEqualTo(event.product());
    assertThat(l[5]).isEqualTo(event.quantity());
    assertThat(l[6]).isEqualTo(SaleLines.cents(event.unitPrice()));
    assertThat(l[7]).isEqualTo(SaleLines.cents(event.totalAmount()));
    assertThat(l[8]).isEqualTo(event.eventTime().toEpochMilli() * 1000L);
    assertThat(l[9])
        .isEqualTo(
            ((org.joda.time.ReadableInstant) row.getValue(RawTable.INGEST_TIME)).getMillis()
                * 1000L);
    assertThat(l[10]).isEqualTo(3);
    assertThat(l[11]).isEqualTo(99L);
  }
}
