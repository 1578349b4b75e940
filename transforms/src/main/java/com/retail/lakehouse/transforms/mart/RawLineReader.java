package com.retail.lakehouse.transforms.mart;

import com.retail.lakehouse.transforms.event.PosEventSchema;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.Schema;
import org.apache.iceberg.parquet.ParquetValueReader;
import org.apache.iceberg.parquet.ParquetValueReaders;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;

/**
 * Reads the raw columns a sale line needs from a Parquet data file into an {@code Object[]} (in the
 * order of the projection's column names), each value as it is stored: strings, ints, longs,
 * timestamps as microseconds and money as unscaled cents (both {@code Long}).
 *
 * <p>Iceberg's generic reader turns every timestamp into a {@code LocalDateTime} through {@code
 * OffsetDateTime.plus} and every decimal into a {@code BigDecimal}, which the mart turned straight
 * back into numbers (a measurable share of the mart: bench/results/profile-notes.md).
 */
final class RawLineReader extends ParquetValueReaders.StructReader<Object[], Object[]> {
  private final int size;

  private RawLineReader(
      List<org.apache.parquet.schema.Type> types, List<ParquetValueReader<?>> readers) {
    super(types, readers);
    this.size = readers.size();
  }

  /** A file whose columns are not stored the way this reader reads them (an evolved table). */
  static final class UnexpectedFile extends RuntimeException {
    UnexpectedFile(String message) {
      super(message);
    }
  }

  /**
   * The reader of {@code columns} (names in {@code projection}) from a file of {@code file}; throws
   * {@link UnexpectedFile} for a file written before a column existed or with another physical type
   * (the caller then reads it with Iceberg's generic reader).
   */
  static RawLineReader create(Schema projection, List<String> columns, MessageType file) {
    List<org.apache.parquet.schema.Type> types = new ArrayList<>();
    List<ParquetValueReader<?>> readers = new ArrayList<>();
    for (String name : columns) {
      Types.NestedField field = projection.findField(name);
      org.apache.parquet.schema.Type fileType = fieldWithId(file, field.fieldId(), name);
      String[] path = {fileType.getName()};
      ColumnDescriptor descriptor = file.getColumnDescription(path);
      types.add(fileType);
      readers.add(
          ParquetValueReaders.option(
              fileType, file.getMaxDefinitionLevel(path), reader(field, descriptor)));
    }
    return new RawLineReader(types, readers);
  }

  private static ParquetValueReader<?> reader(Types.NestedField field, ColumnDescriptor column) {
    Type type = field.type();
    PrimitiveTypeName physical = column.getPrimitiveType().getPrimitiveTypeName();
    return switch (type.typeId()) {
      case STRING -> new ParquetValueReaders.StringReader(column);
      case INTEGER, LONG -> new ParquetValueReaders.UnboxedReader<>(column);
      case TIMESTAMP -> {
        if (physical != PrimitiveTypeName.INT64
            || !(column.getPrimitiveType().getLogicalTypeAnnotation()
                instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation ts)
            || ts.getUnit() != LogicalTypeAnnotation.TimeUnit.MICROS) {
          throw new IllegalStateException(field.name() + " is not stored as microseconds");
        }
        yield new ParquetValueReaders.UnboxedReader<Long>(column);
      }
      case DECIMAL -> {
        if (((Types.DecimalType) type).scale() != PosEventSchema.MONEY_SCALE
            || physical != PrimitiveTypeName.INT64) {
          throw new IllegalStateException(
              field.name() + " is not a decimal of scale 2 stored as a long");
        }
        yield new ParquetValueReaders.UnboxedReader<Long>(column); // unscaled: cents
      }
      default -> throw new IllegalStateException(field.name() + " has an unexpected type " + type);
    };
  }

  private static org.apache.parquet.schema.Type fieldWithId(MessageType file, int id, String name) {
    for (org.apache.parquet.schema.Type t : file.getFields()) {
      if (t.getId() != null && t.getId().intValue() == id) {
        return t;
      }
    }
    throw new UnexpectedFile("no column " + name + " (field id " + id + ")");
  }

  @Override
  protected Object[] newStructData(Object[] reuse) {
    return reuse != null ? reuse : new Object[size];
  }

  @Override
  protected Object getField(Object[] line, int pos) {
    return null; // values are immutable: nothing to reuse
  }

  @Override
  protected Object[] buildStruct(Object[] line) {
    return line;
  }

  @Override
  protected void set(Object[] line, int pos, Object value) {
    line[pos] = value;
  }
}
