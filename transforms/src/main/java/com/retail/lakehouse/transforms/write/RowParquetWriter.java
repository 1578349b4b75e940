package com.retail.lakehouse.transforms.write;

import com.retail.lakehouse.transforms.event.PosEventSchema;
import com.retail.lakehouse.transforms.event.PosEventSchema.Field;
import com.retail.lakehouse.transforms.event.PosEventSchema.FieldKind;
import com.retail.lakehouse.transforms.tables.TableDefinition;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.values.Row;
import org.apache.iceberg.Schema;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.parquet.ParquetValueWriter;
import org.apache.iceberg.parquet.ParquetValueWriters;
import org.apache.iceberg.types.Types;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;

/**
 * Writes Beam rows of one of our tables straight into Iceberg's Parquet column writers: no Iceberg
 * {@code Record} per row, no {@code LocalDateTime} per timestamp, strings handed to Parquet as the
 * UTF-8 byte arrays it stores. Iceberg's generic writer needs a {@code Record}; converting every
 * raw row into one was a measurable share of the ingest (bench/results/profile-notes.md), plus the
 * garbage. Values reach the file exactly as the generic writer writes them (timestamps as
 * microseconds without zone, money as unscaled longs at the column's scale, dates as days).
 */
final class RowParquetWriter extends ParquetValueWriters.StructWriter<Row> {
  private final int[] rowFields; // table column -> field of the row
  private final FieldKind[] kinds; // by table column

  private RowParquetWriter(
      List<ParquetValueWriter<?>> writers, int[] rowFields, FieldKind[] kinds) {
    super(writers);
    this.rowFields = rowFields;
    this.kinds = kinds;
  }

  /** The writer of {@code definition}'s rows into files of {@code schema} (as {@code type}). */
  static ParquetValueWriter<Row> create(
      TableDefinition definition, Schema schema, MessageType type) {
    Columns columns = Columns.of(definition, schema);
    List<ParquetValueWriter<?>> writers = new ArrayList<>();
    for (int c = 0; c < columns.kinds.length; c++) {
      Types.NestedField column = schema.columns().get(c);
      String[] path = {column.name()};
      ColumnDescriptor descriptor = type.getColumnDescription(path);
      Type fieldType = type.getType(column.name());
      ParquetValueWriter<?> writer =
          switch (columns.kinds[c]) {
            case STRING -> new StringBytesWriter(descriptor);
            case INT, DATE -> ParquetValueWriters.ints(descriptor);
            case LONG, UTC_TIMESTAMP -> ParquetValueWriters.longs(descriptor);
            case BOOLEAN -> ParquetValueWriters.booleans(descriptor);
            case MONEY -> decimalWriter(descriptor, (Types.DecimalType) column.type());
          };
      writers.add(ParquetValueWriters.option(fieldType, type.getMaxDefinitionLevel(path), writer));
    }
    return new RowParquetWriter(writers, columns.rowFields, columns.kinds);
  }

  private static ParquetValueWriter<BigDecimal> decimalWriter(
      ColumnDescriptor descriptor, Types.DecimalType decimal) {
    PrimitiveTypeName physical = descriptor.getPrimitiveType().getPrimitiveTypeName();
    return switch (physical) {
      case INT32 ->
          ParquetValueWriters.decimalAsInteger(descriptor, decimal.precision(), decimal.scale());
      case INT64 ->
          ParquetValueWriters.decimalAsLong(descriptor, decimal.precision(), decimal.scale());
      default ->
          ParquetValueWriters.decimalAsFixed(descriptor, decimal.precision(), decimal.scale());
    };
  }

  @Override
  protected Object get(Row row, int column) {
    int field = rowFields[column];
    return field < 0 ? null : Columns.value(kinds[column], row.getValue(field));
  }

  /**
   * A row seen as an Iceberg {@code StructLike} in the table's column order, with values in
   * Iceberg's internal representation: what {@code PartitionKey} reads the partition source from.
   */
  static final class AsStruct implements StructLike {
    private final int[] rowFields;
    private final FieldKind[] kinds;
    private Row row;

    AsStruct(TableDefinition definition, Schema schema) {
      Columns columns = Columns.of(definition, schema);
      this.rowFields = columns.rowFields;
      this.kinds = columns.kinds;
    }

    AsStruct wrap(Row newRow) {
      this.row = newRow;
      return this;
    }

    @Override
    public int size() {
      return kinds.length;
    }

    @Override
    public <T> T get(int pos, Class<T> javaClass) {
      int field = rowFields[pos];
      return field < 0 ? null : javaClass.cast(Columns.value(kinds[pos], row.getValue(field)));
    }

    @Override
    public <T> void set(int pos, T value) {
      throw new UnsupportedOperationException("a row is read-only here");
    }
  }

  /**
   * Which row field and kind each table column has (an existing table may order them otherwise).
   */
  private record Columns(int[] rowFields, FieldKind[] kinds) {
    static Columns of(TableDefinition definition, Schema schema) {
      List<Field> fields = definition.fields();
      List<Types.NestedField> columns = schema.columns();
      for (Field field : fields) {
        if (schema.findField(field.name()) == null) {
          throw new IllegalArgumentException(
              "table " + definition + " has no column " + field.name());
        }
      }
      int[] rowFields = new int[columns.size()];
      FieldKind[] kinds = new FieldKind[columns.size()];
      for (int c = 0; c < columns.size(); c++) {
        Types.NestedField column = columns.get(c);
        rowFields[c] = -1; // a column added to the table later: written as null
        kinds[c] = kindOf(column.type());
        for (int f = 0; f < fields.size(); f++) {
          if (fields.get(f).name().equals(column.name())) {
            rowFields[c] = f;
            kinds[c] = fields.get(f).kind();
          }
        }
        if (rowFields[c] < 0 && column.isRequired()) {
          throw new IllegalArgumentException(
              "column " + column.name() + " of " + definition + " is required but not written");
        }
      }
      return new Columns(rowFields, kinds);
    }

    /** The kind whose Parquet writer fits a column no row field fills (it only writes nulls). */
    private static FieldKind kindOf(org.apache.iceberg.types.Type type) {
      return switch (type.typeId()) {
        case INTEGER -> FieldKind.INT;
        case LONG -> FieldKind.LONG;
        case BOOLEAN -> FieldKind.BOOLEAN;
        case DECIMAL -> FieldKind.MONEY;
        case DATE -> FieldKind.DATE;
        case TIMESTAMP -> FieldKind.UTC_TIMESTAMP;
        case STRING -> FieldKind.STRING;
        default ->
            throw new IllegalArgumentException(
                "a column of type " + type + " cannot be written by this writer");
      };
    }

    /** A row value in Iceberg's internal representation of its column. */
    static Object value(FieldKind kind, Object value) {
      if (value == null) {
        return null;
      }
      return switch (kind) {
        case UTC_TIMESTAMP -> ((org.joda.time.ReadableInstant) value).getMillis() * 1000L;
        case DATE -> (int) ((LocalDate) value).toEpochDay();
        case MONEY ->
            ((BigDecimal) value).setScale(PosEventSchema.MONEY_SCALE, RoundingMode.UNNECESSARY);
        default -> value;
      };
    }
  }

  /** Writes a String as its UTF-8 bytes, in one array Parquet may keep as it is. */
  private static final class StringBytesWriter extends ParquetValueWriters.PrimitiveWriter<String> {
    StringBytesWriter(ColumnDescriptor descriptor) {
      super(descriptor);
    }

    @Override
    public void write(int repetitionLevel, String value) {
      column.writeBinary(
          repetitionLevel, Binary.fromConstantByteArray(value.getBytes(StandardCharsets.UTF_8)));
    }
  }
}
