package com.retail.lakehouse.transforms.event;

import static org.assertj.core.api.Assertions.assertThat;

import com.retail.lakehouse.transforms.IcebergTestTables;
import com.retail.lakehouse.transforms.TestEvents;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import com.retail.lakehouse.transforms.tables.DeadLetterTable;
import com.retail.lakehouse.transforms.tables.RawTable;
import com.retail.lakehouse.transforms.tables.TableDefinition;
import com.retail.lakehouse.transforms.validate.ParseAndValidate;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;
import org.apache.iceberg.BaseTable;
import org.apache.iceberg.PartitionField;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PosEventContractTest {

  static Stream<TableDefinition> tables() {
    return Stream.of(RawTable.DEFINITION, DeadLetterTable.DEFINITION);
  }

  @Test
  void jsonToEventToBeamRowAndBackIsLossless() {
    PosEvent parsed =
        PosEventJson.parse(
                PosEventJson.toJson(TestEvents.sale()), ParseAndValidate.DEFAULT_MAX_PAYLOAD_BYTES)
            .event();

    Row row = parsed.toRow();

    assertThat(row.getSchema()).isEqualTo(PosEventSchema.BEAM_SCHEMA);
    assertThat(row.getDecimal(PosEventSchema.UNIT_PRICE)).isEqualTo(new BigDecimal("9.99"));
    assertThat(row.getString(PosEventSchema.EVENT_TYPE)).isEqualTo("SALE");
    assertThat(row.getDateTime(PosEventSchema.EVENT_TIME).getMillis())
        .isEqualTo(TestEvents.EVENT_TIME.toEpochMilli());
    assertThat(PosEvent.fromRow(row)).isEqualTo(TestEvents.sale());
  }

  @Test
  void eventRoundTripsThroughAnIcebergTableWithExactMoneyAndUtcEventTime(@TempDir Path warehouse) {
    CatalogSettings catalog = IcebergTestTables.hadoopCatalog(warehouse);
    Table table = RawTable.DEFINITION.createOrLoad(catalog.catalog());
    Map<String, Object> anonymous = TestEvents.saleJsonMap();
    anonymous.put("event_id", "E-2");
    anonymous.put("line_number", 2);
    anonymous.put("customer_id", null);
    anonymous.put("unit_price", 3.5); // JSON number, one decimal
    anonymous.put("discount", "0");
    anonymous.put("total_amount", "7.0");
    anonymous.put("event_time", "2024-03-02T01:30:00.001+05:00"); // 2024-03-01T20:30:00.001Z
    PosEvent first = parseValid(TestEvents.json(TestEvents.saleJsonMap()));
    PosEvent second = parseValid(TestEvents.json(anonymous));

    IcebergTestTables.writeAndCommit(
        catalog,
        RawTable.DEFINITION,
        "run-1",
        List.of(TestEvents.rawRow(first, 0, 10), TestEvents.rawRow(second, 1, 20)),
        Map.of(0, 10L, 1, 20L),
        r -> null);

    List<Record> records = IcebergTestTables.readAll(table);
    records.sort(Comparator.comparing(r -> (Integer) r.getField("line_number")));
    assertThat(records).hasSize(2);
    Record a = records.get(0);
    assertThat(a.getField("event_id")).isEqualTo("E-1");
    assertThat(a.getField("transaction_id")).isEqualTo("T-1");
    assertThat(a.getField("event_type")).isEqualTo("SALE");
    assertThat(a.getField("store_id")).isEqualTo("S007");
    assertThat(a.getField("quantity")).isEqualTo(2);
    assertThat(a.getField("unit_price")).isEqualTo(new BigDecimal("9.99"));
    assertThat(a.getField("discount")).isEqualTo(new BigDecimal("1.00"));
    assertThat(a.getField("total_amount")).isEqualTo(new BigDecimal("18.98"));
    assertThat(a.getField("customer_id")).isEqualTo("CUST-9");
    assertThat(a.getField("event_time")).isEqualTo(LocalDateTime.parse("2024-03-01T12:34:56.789"));
    assertThat(a.getField("ingest_time")).isEqualTo(LocalDateTime.parse("2024-03-01T13:00:00"));
    assertThat(a.getField("kafka_topic")).isEqualTo(TestEvents.TOPIC);
    assertThat(a.getField("kafka_partition")).isEqualTo(0);
    assertThat(a.getField("kafka_offset")).isEqualTo(10L);

    Record b = records.get(1);
    assertThat(b.getField("customer_id")).isNull();
    // money is stored at the column's scale of 2, whatever scale the wire carried
    assertThat(b.getField("unit_price")).isEqualTo(new BigDecimal("3.50"));
    assertThat(b.getField("discount")).isEqualTo(new BigDecimal("0.00"));
    assertThat(b.getField("total_amount")).isEqualTo(new BigDecimal("7.00"));
    assertThat(b.getField("event_time")).isEqualTo(LocalDateTime.parse("2024-03-01T20:30:00.001"));
    assertThat(b.getField("kafka_offset")).isEqualTo(20L);
  }

  private static PosEvent parseValid(byte[] json) {
    PosEventJson.Parsed parsed =
        PosEventJson.parse(json, ParseAndValidate.DEFAULT_MAX_PAYLOAD_BYTES);
    assertThat(parsed.rejection()).isNull();
    return parsed.event();
  }

  @ParameterizedTest
  @MethodSource("tables")
  void beamAndIcebergSchemasHaveTheSameColumnsInTheSameOrder(TableDefinition definition) {
    Schema beam = definition.beamSchema();
    List<Types.NestedField> iceberg = definition.icebergSchema().columns();

    assertThat(beam.getFieldNames())
        .containsExactlyElementsOf(iceberg.stream().map(Types.NestedField::name).toList());
    for (Types.NestedField column : iceberg) {
      assertThat(beam.getField(column.name()).getType().getNullable())
          .as("nullability of %s", column.name())
          .isEqualTo(column.isOptional());
    }
    assertThat(iceberg.stream().map(Types.NestedField::fieldId).toList())
        .isEqualTo(java.util.stream.IntStream.rangeClosed(1, iceberg.size()).boxed().toList());
  }

  @Test
  void rawTableStartsWithTheEventContractColumns() {
    List<String> raw = RawTable.DEFINITION.beamSchema().getFieldNames();

    assertThat(raw.subList(0, PosEventSchema.BEAM_SCHEMA.getFieldCount()))
        .containsExactlyElementsOf(PosEventSchema.BEAM_SCHEMA.getFieldNames());
    assertThat(raw.subList(PosEventSchema.BEAM_SCHEMA.getFieldCount(), raw.size()))
        .containsExactly("ingest_time", "kafka_topic", "kafka_partition", "kafka_offset");
  }

  private static final Set<Type.TypeID> ATHENA_READABLE =
      Set.of(
          Type.TypeID.STRING,
          Type.TypeID.INTEGER,
          Type.TypeID.LONG,
          Type.TypeID.BOOLEAN,
          Type.TypeID.DECIMAL,
          Type.TypeID.DATE,
          Type.TypeID.TIMESTAMP);

  @ParameterizedTest
  @MethodSource("tables")
  void icebergTypesAreAthenaReadable(TableDefinition definition) {
    for (Types.NestedField column : definition.icebergSchema().columns()) {
      Type type = column.type();
      assertThat(type.typeId()).as(column.name()).isIn(ATHENA_READABLE);
      assertThat(type.typeId())
          .as(column.name())
          .isNotIn(
              Type.TypeID.UUID,
              Type.TypeID.FIXED,
              Type.TypeID.TIME,
              Type.TypeID.FLOAT,
              Type.TypeID.DOUBLE);
      if (type instanceof Types.TimestampType ts) {
        assertThat(ts.shouldAdjustToUTC())
            .as("%s must be timestamp, not timestamptz", column.name())
            .isFalse();
      }
    }
  }

  @Test
  void moneyColumnsAreDecimal12Comma2() {
    org.apache.iceberg.Schema schema = RawTable.DEFINITION.icebergSchema();
    for (String money : List.of("unit_price", "discount", "total_amount")) {
      assertThat(schema.findField(money).type()).as(money).isEqualTo(Types.DecimalType.of(12, 2));
    }
    assertThat(schema.findField("event_time").type()).isEqualTo(Types.TimestampType.withoutZone());
  }

  @Test
  void createdRawTableIsPartitionedByDayOfEventTimeWithFormatV2AndZstd(@TempDir Path warehouse) {
    Table table =
        RawTable.DEFINITION.createOrLoad(IcebergTestTables.hadoopCatalog(warehouse).catalog());

    List<PartitionField> fields = table.spec().fields();
    assertThat(fields).hasSize(1);
    assertThat(fields.get(0).transform().toString()).isEqualTo("day");
    assertThat(table.schema().findColumnName(fields.get(0).sourceId())).isEqualTo("event_time");
    assertThat(((BaseTable) table).operations().current().formatVersion()).isEqualTo(2);
    assertThat(table.properties())
        .containsEntry("write.parquet.compression-codec", "zstd")
        .containsEntry("write.format.default", "parquet");
    for (Types.NestedField column : table.schema().columns()) {
      if (column.type() instanceof Types.TimestampType ts) {
        assertThat(ts.shouldAdjustToUTC()).as(column.name()).isFalse();
      }
    }
  }

  @Test
  void deadLetterTableIsPartitionedByDayOfFailedAt() {
    List<PartitionField> fields = DeadLetterTable.DEFINITION.partitionSpec().fields();

    assertThat(fields).hasSize(1);
    assertThat(fields.get(0).transform().toString()).isEqualTo("day");
    assertThat(DeadLetterTable.DEFINITION.icebergSchema().findColumnName(fields.get(0).sourceId()))
        .isEqualTo("failed_at");
  }
}
