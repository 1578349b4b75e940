package com.retail.lakehouse.transforms.write;

import com.retail.lakehouse.transforms.event.PosEventSchema;
import com.retail.lakehouse.transforms.event.PosEventSchema.Field;
import com.retail.lakehouse.transforms.event.PosEventSchema.FieldKind;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.avro.util.Utf8;
import org.apache.beam.sdk.values.Row;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;

/**
 * Converts Beam rows of a table definition into Iceberg generic records for writing, by position:
 * UTC instants become Iceberg {@code timestamp} (without zone) values, money gets the column's
 * scale, strings become Avro {@code Utf8} (what Iceberg's Parquet writer writes fastest).
 */
final class RowToRecord {
  private final FieldKind[] kinds;
  private final int[] positions;
  private final GenericRecord template;

  /** Maps row fields to the table's columns by name: an existing table may order them otherwise. */
  RowToRecord(List<Field> fields, Schema schema) {
    this.kinds = fields.stream().map(Field::kind).toArray(FieldKind[]::new);
    this.positions = new int[fields.size()];
    List<org.apache.iceberg.types.Types.NestedField> columns = schema.columns();
    for (int i = 0; i < fields.size(); i++) {
      positions[i] = -1;
      for (int c = 0; c < columns.size(); c++) {
        if (columns.get(c).name().equals(fields.get(i).name())) {
          positions[i] = c;
        }
      }
      if (positions[i] < 0) {
        throw new IllegalArgumentException("table has no column " + fields.get(i).name());
      }
    }
    this.template = GenericRecord.create(schema);
  }

  Record convert(Row row) {
    GenericRecord record = template.copy();
    for (int i = 0; i < kinds.length; i++) {
      Object value = row.getValue(i);
      if (value != null) {
        record.set(positions[i], convertValue(kinds[i], value));
      }
    }
    return record;
  }

  private static Object convertValue(FieldKind kind, Object value) {
    return switch (kind) {
      case UTC_TIMESTAMP ->
          LocalDateTime.ofEpochSecond(
              Math.floorDiv(((org.joda.time.ReadableInstant) value).getMillis(), 1000L),
              (int) Math.floorMod(((org.joda.time.ReadableInstant) value).getMillis(), 1000L)
                  * 1_000_000,
              ZoneOffset.UTC);
      case MONEY ->
          ((BigDecimal) value).setScale(PosEventSchema.MONEY_SCALE, RoundingMode.UNNECESSARY);
      // Iceberg's Parquet writer takes Avro's Utf8 as a byte array; a String it wraps in a
      // ByteBuffer, whose dictionary lookups and min/max comparisons cost ~10% of an ingest.
      case STRING -> new Utf8((String) value);
      default -> value;
    };
  }
}
