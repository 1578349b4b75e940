package com.retail.lakehouse.pipelines.mart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.retail.lakehouse.pipelines.cli.LakehouseCommand;
import com.retail.lakehouse.pipelines.run.PipelineArgs;
import com.retail.lakehouse.transforms.commit.CommitToTable;
import com.retail.lakehouse.transforms.event.EventType;
import com.retail.lakehouse.transforms.event.PosEvent;
import com.retail.lakehouse.transforms.event.PosEventSchema;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import com.retail.lakehouse.transforms.tables.DailySalesSummaryTable;
import com.retail.lakehouse.transforms.tables.RawTable;
import com.retail.lakehouse.transforms.write.WriteDataFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.Row;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetWriter;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A warehouse whose marts.daily_sales_summary was created before the category column existed (made
 * here through Iceberg directly with the old columns, holding a day built then): a mart run adds
 * the column (optional, after product) before it writes, succeeds, and the days it rebuilt carry
 * each product's category as raw has it, while the day it did not rebuild keeps null until a later
 * run rebuilds it. The next runs add nothing.
 */
class MartAddsCategoryColumnTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final LocalDate D0 = LocalDate.parse("2024-02-29");
  private static final LocalDate D1 = LocalDate.parse("2024-03-01");
  private static final String TOPIC = "pos-events";

  @TempDir Path dataDir;
  private long nextOffset;
  private int summaries;

  @Test
  void aMartRunAddsTheColumnAndTheDaysItRebuildsCarryCategories() throws Exception {
    appendRaw(D0, "Organic Milk 1L", "DAIRY", 1);
    appendRaw(D1, "Organic Milk 1L", "DAIRY", 2);
    appendRaw(D1, "Rye Bread", "BAKERY", 1);
    Table old = createOldMart();
    writeOldRow(old, D0, "Organic Milk 1L");
    assertThat(old.schema().findField(DailySalesSummaryTable.CATEGORY)).isNull();

    JsonNode first = mart("--date=" + D1);

    assertThat(first.get("committed").asBoolean()).isTrue();
    assertThat(first.get("mart_columns_added").toString()).isEqualTo("[\"category\"]");
    Table mart = martTable();
    Types.NestedField category = mart.schema().findField(DailySalesSummaryTable.CATEGORY);
    assertThat(category).isNotNull();
    assertThat(category.isOptional()).isTrue();
    assertThat(mart.schema().columns().stream().map(Types.NestedField::name).toList())
        .isEqualTo(DailySalesSummaryTable.FIELDS.stream().map(f -> f.name()).toList());
    Map<String, String> rebuilt = categories(D1);
    assertThat(rebuilt).isEqualTo(rawCategories(D1)).hasSize(2);
    assertThat(rebuilt)
        .containsEntry("Organic Milk 1L", "DAIRY")
        .containsEntry("Rye Bread", "BAKERY");
    // D0 was not rebuilt: its old row is still there, without a category
    assertThat(categories(D0))
        .containsOnlyKeys("Organic Milk 1L")
        .containsEntry("Organic Milk 1L", null);
    assertThat(lines(D0)).isEqualTo(7L); // the old row's value, not raw's 1

    JsonNode all = mart();
    assertThat(all.get("committed").asBoolean()).isTrue();
    assertThat(all.get("mart_columns_added").size()).isZero();
    assertThat(categories(D0))
        .isEqualTo(rawCategories(D0))
        .containsEntry("Organic Milk 1L", "DAIRY");
    assertThat(lines(D0)).isEqualTo(1L);
    assertThat(categories(D1)).isEqualTo(rawCategories(D1));
    assertThat(martTable().schemas()).hasSize(2); // the old schema and the one with category
  }

  /** marts.daily_sales_summary as the first release created it: every column but category. */
  private Table createOldMart() {
    List<PosEventSchema.Field> fields = new ArrayList<>(DailySalesSummaryTable.FIELDS);
    fields.removeIf(f -> f.name().equals(DailySalesSummaryTable.CATEGORY));
    Schema schema = new Schema(PosEventSchema.icebergColumns(fields, 1));
    var catalog = catalog().catalog();
    ((SupportsNamespaces) catalog).createNamespace(Namespace.of("marts"));
    return catalog.createTable(
        DailySalesSummaryTable.DEFINITION.identifier(),
        schema,
        PartitionSpec.builderFor(schema).identity(DailySalesSummaryTable.SALE_DATE).build(),
        Map.of("format-version", "2"));
  }

  /** One mart row of the old schema, committed as an earlier mart run would have. */
  private static void writeOldRow(Table table, LocalDate date, String product) throws IOException {
    LocalDateTime noon = date.atTime(12, 0);
    Record row = GenericRecord.create(table.schema());
    row.setField(DailySalesSummaryTable.SALE_DATE, date);
    row.setField(DailySalesSummaryTable.STORE_ID, "S007");
    row.setField(DailySalesSummaryTable.PRODUCT, product);
    row.setField(DailySalesSummaryTable.TOTAL_SALES, new BigDecimal("69.93"));
    row.setField(DailySalesSummaryTable.GROSS_SALES, new BigDecimal("69.93"));
    row.setField(DailySalesSummaryTable.RETURNS_AMOUNT, new BigDecimal("0.00"));
    row.setField(DailySalesSummaryTable.UNITS_SOLD, 7L);
    row.setField(DailySalesSummaryTable.TRANSACTION_COUNT, 7L);
    row.setField(DailySalesSummaryTable.LINE_COUNT, 7L);
    row.setField(DailySalesSummaryTable.AVG_UNIT_PRICE, new BigDecimal("9.99"));
    row.setField(DailySalesSummaryTable.FIRST_SALE_TIME, noon);
    row.setField(DailySalesSummaryTable.LAST_SALE_TIME, noon);
    row.setField(DailySalesSummaryTable.COMPUTED_AT, noon);
    PartitionKey partition = new PartitionKey(table.spec(), table.schema());
    partition.partition(new InternalRecordWrapper(table.schema().asStruct()).wrap(row));
    DataWriter<Record> writer =
        Parquet.writeData(
                table.io().newOutputFile(table.locationProvider().newDataLocation("old.parquet")))
            .schema(table.schema())
            .createWriterFunc(GenericParquetWriter::buildWriter)
            .withSpec(table.spec())
            .withPartition(partition)
            .overwrite()
            .build();
    try (writer) {
      writer.write(row);
    }
    DataFile file = writer.toDataFile();
    table.newAppend().appendFile(file).commit();
  }

  /** product -> category of the mart's rows of a date (one store here). */
  private Map<String, String> categories(LocalDate date) {
    Map<String, String> out = new TreeMap<>();
    for (Record r : read(martTable())) {
      if (date.equals(r.getField(DailySalesSummaryTable.SALE_DATE))) {
        assertThat(out.containsKey((String) r.getField(DailySalesSummaryTable.PRODUCT)))
            .as("one row per product")
            .isFalse();
        out.put(
            (String) r.getField(DailySalesSummaryTable.PRODUCT),
            (String) r.getField(DailySalesSummaryTable.CATEGORY));
      }
    }
    return out;
  }

  private long lines(LocalDate date) {
    long lines = 0;
    for (Record r : read(martTable())) {
      if (date.equals(r.getField(DailySalesSummaryTable.SALE_DATE))) {
        lines += (Long) r.getField(DailySalesSummaryTable.LINE_COUNT);
      }
    }
    return lines;
  }

  /** product -> category of raw's lines of a date. */
  private Map<String, String> rawCategories(LocalDate date) {
    Map<String, String> out = new TreeMap<>();
    Table raw = catalog().catalog().loadTable(RawTable.DEFINITION.identifier());
    for (Record r : read(raw)) {
      if (((LocalDateTime) r.getField(PosEventSchema.EVENT_TIME)).toLocalDate().equals(date)) {
        out.put(
            (String) r.getField(PosEventSchema.PRODUCT),
            (String) r.getField(PosEventSchema.CATEGORY));
      }
    }
    return out;
  }

  private static List<Record> read(Table table) {
    table.refresh();
    List<Record> rows = new ArrayList<>();
    try (CloseableIterable<Record> it = IcebergGenerics.read(table).build()) {
      it.forEach(rows::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return rows;
  }

  private Table martTable() {
    Table table = catalog().catalog().loadTable(DailySalesSummaryTable.DEFINITION.identifier());
    table.refresh();
    return table;
  }

  /** Runs the mart command, which must succeed; returns its summary. */
  private JsonNode mart(String... flags) throws IOException {
    Path summary = dataDir.resolve("mart-" + (++summaries) + ".json");
    List<String> args =
        new ArrayList<>(List.of("mart", "--data-dir=" + dataDir, "--summary-json=" + summary));
    args.addAll(List.of(flags));
    assertThat(LakehouseCommand.run(args.toArray(String[]::new))).as("mart exit code").isZero();
    return JSON.readTree(Files.readString(summary));
  }

  private CatalogSettings catalog() {
    return CatalogSettings.of(
        CatalogSettings.Kind.HADOOP,
        dataDir.resolve("warehouse").toAbsolutePath().toString(),
        null,
        Map.of());
  }

  /** Appends {@code count} sale lines of a product on {@code date} to raw, as ingest would. */
  private void appendRaw(LocalDate date, String product, String category, int count) {
    CatalogSettings catalog = catalog();
    RawTable.DEFINITION.createOrLoad(catalog.catalog());
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      long offset = nextOffset++;
      PosEvent e =
          new PosEvent(
              "E-" + offset,
              "T-" + offset,
              1,
              EventType.SALE,
              "S007",
              "R02",
              "C42",
              product,
              "SKU-" + product.length(),
              category,
              2,
              new BigDecimal("9.99"),
              new BigDecimal("1.00"),
              new BigDecimal("18.98"),
              "USD",
              "CARD",
              "CUST-9",
              date.atTime(12, 0).plusMinutes(offset).toInstant(ZoneOffset.UTC));
      rows.add(
          Row.withSchema(RawTable.DEFINITION.beamSchema())
              .addValues(e.toRow().getValues())
              .addValues(new org.joda.time.Instant(), TOPIC, 0, offset)
              .build());
    }
    Pipeline p =
        Pipeline.create(
            PipelineArgs.parse("mart", new String[] {"--data-dir=" + dataDir}, MartOptions.class));
    PCollectionView<Map<Integer, Long>> lastOffsetRead =
        p.apply(
                "LastOffsetRead",
                Create.of(KV.of(0, nextOffset - 1))
                    .withCoder(KvCoder.of(VarIntCoder.of(), VarLongCoder.of())))
            .apply(View.asMap());
    p.apply("Rows", Create.of(rows).withRowSchema(RawTable.DEFINITION.beamSchema()))
        .apply(WriteDataFiles.to(catalog, RawTable.DEFINITION, 1))
        .apply(
            CommitToTable.of(
                catalog,
                RawTable.DEFINITION,
                TOPIC,
                "test-ingest-" + UUID.randomUUID(),
                lastOffsetRead));
    p.run().waitUntilFinish();
  }
}
