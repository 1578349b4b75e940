package com.retail.lakehouse.transforms.tables;

import com.retail.lakehouse.transforms.event.PosEventSchema;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.Schema;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.CloseableIterator;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.parquet.ParquetValueReader;
import org.apache.iceberg.parquet.ParquetValueReaders;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;

/**
 * Reads columns of a table's Parquet data file into an {@code Object[]} per row (in the order of
 * the column names given) with each value as it is stored: strings; ints and dates as {@code
 * Integer} (a date as its epoch day); longs, timestamps (microseconds since the epoch, UTC) and
 * money of scale 2 (unscaled cents) as {@code Long}; null for a missing optional value.
 *
 * <p>Why: Iceberg's generic reader builds a record and a {@code LocalDateTime} (through {@code
 * OffsetDateTime.plus}), {@code LocalDate} or {@code BigDecimal} per value, which the mart and the
 * dashboard turned straight back into numbers: a measurable share of a mart run and most of a cold
 * dashboard call (bench/results/profile-notes.md, bench/results/dashboard.md). A file stored
 * otherwise (written before a column existed, another physical type) is read with the generic
 * reader and converted to the same forms, so callers see one shape either way. The one place the
 * product reads data files this way.
 */
public final class StoredColumns {
  private static final LocalDateTime EPOCH = LocalDateTime.of(1970, 1, 1, 0, 0);

  private StoredColumns() {}

  /**
   * The rows of the data file at {@code path}: {@code columns} (names in {@code projection}) as
   * stored. The fast path hands back the same array for every row: copy what you keep.
   */
  public static CloseableIterator<Object[]> read(
      FileIO io, String path, Schema projection, List<String> columns) {
    try {
      CloseableIterable<Object[]> asStored =
          Parquet.read(io.newInputFile(path))
              .project(projection)
              .reuseContainers()
              .<Object[]>createReaderFunc(
                  fileSchema -> Reader.create(projection, columns, fileSchema))
              .build();
      return asStored.iterator(); // opens the file and builds the reader: fails if it does not fit
    } catch (UnexpectedFile e) {
      CloseableIterable<Record> records =
          Parquet.read(io.newInputFile(path))
              .project(projection)
              .createReaderFunc(
                  fileSchema -> GenericParquetReaders.buildReader(projection, fileSchema))
              .build();
      return CloseableIterable.transform(records, r -> fromRecord(r, projection, columns))
          .iterator();
    }
  }

  /** A generic record's values in the stored forms {@link #read} gives. */
  static Object[] fromRecord(Record r, Schema projection, List<String> columns) {
    Object[] row = new Object[columns.size()];
    for (int i = 0; i < row.length; i++) {
      String name = columns.get(i);
      Object v = r.getField(name);
      if (v != null) {
        v =
            switch (projection.findType(name).typeId()) {
              case TIMESTAMP ->
                  v instanceof OffsetDateTime t
                      ? ChronoUnit.MICROS.between(
                          EPOCH, t.withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime())
                      : ChronoUnit.MICROS.between(EPOCH, (LocalDateTime) v);
              case DATE -> (int) ((LocalDate) v).toEpochDay();
              case DECIMAL ->
                  ((BigDecimal) v)
                      .setScale(PosEventSchema.MONEY_SCALE)
                      .unscaledValue()
                      .longValueExact();
              case LONG -> ((Number) v).longValue();
              default -> v;
            };
      }
      row[i] = v;
    }
    return row;
  }

  /** A file whose columns are not stored the way the fast reader reads them. */
  static final class UnexpectedFile extends RuntimeException {
    UnexpectedFile(String message) {
      super(message);
    }
  }

  /** The fast path: Parquet values straight into the row, no per-value objects but boxes. */
  static final class Reader extends ParquetValueReaders.StructReader<Object[], Object[]> {
    private final int size;

    private Reader(
        List<org.apache.parquet.schema.Type> types, List<ParquetValueReader<?>> readers) {
      super(types, readers);
      this.size = readers.size();
    }

    static Reader create(Schema projection, List<String> columns, MessageType file) {
      List<org.apache.parquet.schema.Type> types = new ArrayList<>();
      List<ParquetValueReader<?>> readers = new ArrayList<>();
      for (String name : columns) {
        Types.NestedField field = projection.findField(name);
        org.apache.parquet.schema.Type fileType = fieldWithId(file, field.fieldId(), name);
        String[] path = {fileType.getName()};
        ColumnDescriptor descriptor = file.getColumnDescription(path);
        types.add(fileType);
        // An optional column's value is present above its parent's definition level (the
        // column's max level - 1), as Iceberg's own readers pass it; at the max level every
        // optional value would read as null.
        readers.add(
            ParquetValueReaders.option(
                fileType, file.getMaxDefinitionLevel(path) - 1, reader(field, descriptor)));
      }
      return new Reader(types, readers);
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
          if (((Types.DecimalType) type).scale() != PosEventSchema.MONEY_SCALE
              || physical != PrimitiveTypeName.INT64) {
            throw new UnexpectedFile(
                field.name() + " is not a decimal of scale 2 stored as a long");
          }
          yield new ParquetValueReaders.UnboxedReader<Long>(column); // unscaled: cents
        }
        default -> throw new UnexpectedFile(field.name() + " has an unexpected type " + type);
      };
    }

    private static org.apache.parquet.schema.Type fieldWithId(
        MessageType file, int id, String name) {
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
}
