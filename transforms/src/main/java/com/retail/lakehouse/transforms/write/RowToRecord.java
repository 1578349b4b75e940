package com.retail.lakehouse.transforms.write;

import com.retail.lakehouse.transforms.event.PosEventSchema;
import com.retail.lakehouse.transforms.event.PosEventSchema.Field;
import com.retail.lakehouse.transforms.event.PosEventSchema.FieldKind;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.beam.sdk.values.Row;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;

/**
 * Converts Beam rows of a table definition into Iceberg generic records, by position: UTC instants
 * become Iceberg {@code timestamp} (without zone) values, money gets the column's scale.
 */
final class RowToRecord {
  private final FieldKind[] kinds;
  private final GenericRecord template;

  RowToRecord(List<Field> fields, Schema schema) {
    this.kinds = fields.stream().map(Field::kind).toArray(FieldKind[]::new);
    this.template = GenericRecord.create(schema);
  }

  Record convert(Row row) {
    GenericRecord record = template.copy();
    for (int i = 0; i < kinds.length; i++) {
      Object value = row.getValue(i);
      if (value != null) {
        record.set(i, convertValue(kinds[i], value));
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
      case MONEY -> ((BigDecimal) value).setScale(PosEventSchema.MONEY_SCALE, RoundingMode.UNNECESSARY);
      default -> value;
    };
  }
}
