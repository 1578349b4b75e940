package com.retail.lakehouse.console.dashboard;

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
 * Reads columns of a Parquet data file into an {@code Object[]} (in the order of the column names
 * given) as stored: strings, ints, a date as its epoch day ({@code Integer}), a timestamp as
 * microseconds and money of scale 2 as unscaled cents (both {@code Long}), longs as {@code Long}.
 * Iceberg's generic reader builds a record, a {@code LocalDate}, {@code LocalDateTime} or {@code
 * BigDecimal} per value, which the dashboard's sums turned straight back into numbers (most of a
 * cold call's time). A file whose columns are stored otherwise makes {@link #create} throw {@link
 * UnexpectedFile}; the caller then uses the generic reader.
 */
final class StoredColumnsReader extends ParquetValueReaders.StructReader<Object[], Object[]> {
  private final int size;

  private StoredColumnsReader(
      List<org.apache.parquet.schema.Type> types, List<ParquetValueReader<?>> readers) {
    super(types, readers);
    this.size = readers.size();
  }

  /** A file whose columns are not stored the way this reader reads them. */
  static final class UnexpectedFile extends RuntimeException {
    UnexpectedFile(String message) {
      super(message);
    }
  }

  static StoredColumnsReader create(Schema projection, List<String> columns, MessageType file) {
    List<org.apache.parquet.schema.Type> types = new ArrayList<>();
    List<ParquetValueReader<?>> readers = new ArrayList<>();
    for (String name : columns) {
      Types.NestedField field = projection.findField(name);
      org.apache.parquet.schema.Type fileType = fieldWithId(file, field.fieldId(), name);
      String[] path = {fileType.getName()};
      ColumnDescriptor descriptor = file.getColumnDescription(path);
      types.add(fileType);
      // an optional column's value is present above the definition level of its parent (the
      // column's max level - 1), as Iceberg's own readers pass it: at the max level every value
      // read
      // as null (the mart's optional category column did)
      readers.add(
          ParquetValueReaders.option(
              fileType, file.getMaxDefinitionLevel(path) - 1, reader(field, descriptor)));
    }
    return new StoredColumnsReader(types, readers);
  }

  private static ParquetValueReader<?> reader(Types.NestedField field, ColumnDescriptor column) {
    Type type = field.type();
    PrimitiveTypeName physical = column.getPrimitiveType().getPrimitiveTypeName();
    return switch (type.typeId()) {
      case STRING -> new ParquetValueReaders.StringReader(column);
      case TIMESTAMP -> {
        if (physical != PrimitiveTypeName.INT64
            || !(column.getPrimitiveType().getLogicalTypeAnnotation()
                instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation ts)
            || ts.getUnit() != LogicalTypeAnnotation.TimeUnit.MICROS) {
          throw new UnexpectedFile(field.name() + " is not stored as microseconds");
        }
        yield new ParquetValueReaders.UnboxedReader<Long>(column);
      }
      case INTEGER, DATE -> {
        if (physical != PrimitiveTypeName.INT32) {
          throw new UnexpectedFile(field.name() + " is not stored as an int");
        }
        yield new ParquetValueReaders.UnboxedReader<Integer>(column);
      }
      case LONG -> {
        if (physical == PrimitiveTypeName.INT32) {
          yield new ParquetValueReaders.IntAsLongReader(column);
        }
        yield new ParquetValueReaders.UnboxedReader<Long>(column);
      }
      case DECIMAL -> {
        if (((Types.DecimalType) type).scale() != 2 || physical != PrimitiveTypeName.INT64) {
          throw new UnexpectedFile(field.name() + " is not a decimal of scale 2 stored as a long");
        }
        yield new ParquetValueReaders.UnboxedReader<Long>(column); // unscaled: cents
      }
      default -> throw new UnexpectedFile(field.name() + " has an unexpected type " + type);
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
  protected Object getField(Object[] row, int pos) {
    return null; // values are immutable: nothing to reuse
  }

  @Override
  protected Object[] buildStruct(Object[] row) {
    return row;
  }

  @Override
  protected void set(Object[] row, int pos, Object value) {
    row[pos] = value;
  }
}
