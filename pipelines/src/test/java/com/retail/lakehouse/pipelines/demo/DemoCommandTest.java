package com.retail.lakehouse.pipelines.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.retail.lakehouse.generator.ClosingStock;
import com.retail.lakehouse.generator.EventStream;
import com.retail.lakehouse.generator.GenerateRun;
import com.retail.lakehouse.generator.GeneratorConfig;
import com.retail.lakehouse.generator.ProgressSink;
import com.retail.lakehouse.localkafka.KafkaBrokerExtension;
import com.retail.lakehouse.pipelines.cli.LakehouseCommand;
import com.retail.lakehouse.transforms.tables.DailyInventoryTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./lakehouse demo} end to end on a real broker: both streams generated, ingested and
 * summarised, every message accounted for and both marts reconciled with the generator; and the
 * stock check itself, which must catch a wrong closing stock and a row the generator never tracked.
 */
class DemoCommandTest {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dataDir;

  @Test
  void theDemoReconcilesSalesAndStock() throws Exception {
    Path summary = dataDir.resolve("demo.json");
    int code =
        LakehouseCommand.run(
            new String[] {
              "demo",
              "--days=1",
              "--sample-queries=false",
              "--bootstrap-servers=" + KAFKA.bootstrapServers(),
              "--data-dir=" + dataDir,
              "--summary-json=" + summary
            });
    assertThat(code).isZero();
    JsonNode s = JSON.readTree(Files.readString(summary));
    assertThat(s.get("lost").asLong()).isZero();
    assertThat(s.get("mart_mismatches").asLong()).isZero();
    assertThat(s.get("inventory_lost").asLong()).isZero();
    assertThat(s.get("inventory_mismatches").asLong()).isZero();
    assertThat(s.get("produced").asLong())
        .isEqualTo(
            s.get("raw_rows").asLong()
                + s.get("dead_letters").asLong()
                + s.get("duplicates_dropped").asLong());
    assertThat(s.get("inventory_produced").asLong())
        .isEqualTo(
            s.get("inventory_raw_rows").asLong()
                + s.get("inventory_dead_letters").asLong()
                + s.get("inventory_duplicates_dropped").asLong());
    assertThat(s.get("inventory_dead_letters").asLong()).isPositive();
    assertThat(s.get("inventory_duplicates_dropped").asLong()).isPositive();
    // 20 stores x 500 SKUs for each simulated day (plus today's partial day, if any)
    assertThat(s.get("inventory_store_sku_days").asLong() % 10_000).isZero();
    assertThat(s.get("inventory_store_sku_days").asLong()).isGreaterThanOrEqualTo(10_000);

    // a second demo on the same folder is refused, --fresh starts over
    assertThat(
            LakehouseCommand.run(
                new String[] {
                  "demo",
                  "--days=1",
                  "--sample-queries=false",
                  "--bootstrap-servers=" + KAFKA.bootstrapServers(),
                  "--data-dir=" + dataDir
                }))
        .isEqualTo(2);
  }

  @Test
  void theDemoNeedsThePosStream() {
    assertThat(
            LakehouseCommand.run(
                new String[] {
                  "demo",
                  "--streams=inventory",
                  "--bootstrap-servers=" + KAFKA.bootstrapServers(),
                  "--data-dir=" + dataDir
                }))
        .isEqualTo(2);
  }

  @Test
  void theStockCheckCountsWrongAndUntrackedRows() throws Exception {
    ClosingStock expected =
        GenerateRun.execute(
                GeneratorConfig.builder()
                    .seed(3)
                    .stores(2)
                    .skus(3)
                    .start(Instant.parse("2026-11-01T00:00:00Z"))
                    .count(600)
                    .topic("pos_stock_check")
                    .inventoryTopic("inventory_stock_check")
                    .streams(EnumSet.of(EventStream.POS, EventStream.INVENTORY))
                    .build(),
                KAFKA.bootstrapServers(),
                ProgressSink.none(),
                Clock.systemUTC())
            .closingStock();
    List<Record> mart = new ArrayList<>();
    expected.forEachRow((date, store, sku, closing) -> mart.add(row(date, store, sku, closing)));
    assertThat(mart).hasSize((int) expected.rows()).hasSizeGreaterThanOrEqualTo(6);
    assertThat(StockCheck.of(expected, mart).mismatches()).isZero();

    // a row before the generator's first day (a late event's own day) is left out
    mart.add(row(expected.firstDate().minusDays(1), "S001", "SKU-00001", 5));
    assertThat(StockCheck.of(expected, mart).mismatches()).isZero();

    Record first = mart.get(0);
    first.setField(
        DailyInventoryTable.CLOSING_UNITS,
        (Long) first.getField(DailyInventoryTable.CLOSING_UNITS) + 1);
    mart.add(row(expected.lastDate(), "S003", "SKU-00001", 0)); // a store it never simulated
    StockCheck check = StockCheck.of(expected, mart);
    assertThat(check.mismatches()).isEqualTo(2);
    assertThat(check.examples()).hasSize(2);
    assertThat(check.compared()).isEqualTo(expected.rows());

    // a second row for a key, even an equal one, and a carried row gone missing are caught too
    List<Record> right = new ArrayList<>();
    expected.forEachRow((date, store, sku, closing) -> right.add(row(date, store, sku, closing)));
    right.add(right.get(right.size() - 1).copy());
    assertThat(StockCheck.of(expected, right).mismatches()).isEqualTo(1);
    right.remove(right.size() - 1);
    // a row whose closing stock is 0 missing after its key's earlier rows: a zero is no excuse
    Record zero =
        right.stream()
            .filter(r -> (Long) r.getField(DailyInventoryTable.CLOSING_UNITS) == 0L)
            .filter(r -> expected.firstDate().isBefore((LocalDate) r.getField("stock_date")))
            .findFirst()
            .orElse(null);
    if (zero != null) { // the simulation has sold some SKU out on a later day
      right.remove(zero);
      assertThat(StockCheck.of(expected, right).mismatches()).isEqualTo(1);
    }
  }

  private static Record row(LocalDate date, String store, String sku, long closing) {
    GenericRecord r = GenericRecord.create(DailyInventoryTable.DEFINITION.icebergSchema());
    r.setField(DailyInventoryTable.STOCK_DATE, date);
    r.setField(DailyInventoryTable.STORE_ID, store);
    r.setField(DailyInventoryTable.SKU, sku);
    r.setField(DailyInventoryTable.CLOSING_UNITS, closing);
    return r;
  }
}
