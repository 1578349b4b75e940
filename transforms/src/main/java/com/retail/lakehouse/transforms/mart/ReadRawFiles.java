package com.retail.lakehouse.transforms.mart;

import com.retail.lakehouse.transforms.event.PosEventSchema.Field;
import com.retail.lakehouse.transforms.metrics.LiveCounters;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import com.retail.lakehouse.transforms.tables.RawTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.schemas.SchemaCoder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.parquet.Parquet;

/**
 * Reads the raw data files a {@link RawFilePlan} lists as rows of {@link RawTable}'s Beam schema.
 *
 * <p>Why not {@code IcebergIO.readRows}: the scan is planned once in the launcher from a pinned raw
 * snapshot, so the snapshot id the mart records is exactly the one it read, and the list of files
 * is plain data that every runner distributes the same way (Create, Reshuffle, one file per
 * element) in batch mode. Each file is read with Iceberg's own generic Parquet reader, and values
 * are converted the way the writers convert them back ({@code timestamp} as UTC to a Joda instant,
 * decimals as BigDecimal), with no dependence on IcebergIO's own type mapping.
 */
public final class ReadRawFiles extends PTransform<PBegin, PCollection<Row>> {
  /** Metric: raw rows read. */
  public static final String ROWS_READ = "mart_raw_rows_read";

  private final CatalogSettings catalog;
  private final List<String> files;

  private ReadRawFiles(CatalogSettings catalog, List<String> files) {
    this.catalog = catalog;
    this.files = List.copyOf(files);
  }

  /** Reads the given raw data files. */
  public static ReadRawFiles of(CatalogSettings catalog, List<String> files) {
    return new ReadRawFiles(catalog, files);
  }

  @Override
  public PCollection<Row> expand(PBegin begin) {
    return begin
        .apply("ListRawFiles", Create.of(files).withCoder(StringUtf8Coder.of()))
        // one element per file: spread files over workers before the (slow) read
        .apply("SpreadFiles", Reshuffle.viaRandomKey())
        .apply("ReadParquet", ParDo.of(new ReadFileFn(catalog)))
        .setCoder(SchemaCoder.of(RawTable.DEFINITION.beamSchema()));
  }

  /** Reads one data file into raw rows. */
  static final class ReadFileFn extends DoFn<String, Row> {
    private final CatalogSettings catalog;
    private final Counter read = Metrics.counter("lakehouse", ROWS_READ);
    private transient Table table;

    ReadFileFn(CatalogSettings catalog) {
      this.catalog = catalog;
    }

    @Setup
    public void setup() {
      table = catalog.catalog().loadTable(RawTable.DEFINITION.identifier());
    }

    @ProcessElement
    public void process(@Element String path, OutputReceiver<Row> out) {
      org.apache.beam.sdk.schemas.Schema beamSchema = RawTable.DEFINITION.beamSchema();
      List<Field> fields = RawTable.DEFINITION.fields();
      // project by the table's current field ids: columns are matched by id, not position
      Schema projection = table.schema().select(fields.stream().map(Field::name).toList());
      long rows = 0;
      try (CloseableIterable<Record> records =
          Parquet.read(table.io().newInputFile(path))
              .project(projection)
              .createReaderFunc(
                  fileSchema -> GenericParquetReaders.buildReader(projection, fileSchema))
              .build()) {
        for (Record record : records) {
          Row.Builder row = Row.withSchema(beamSchema);
          for (Field field : fields) {
            row.addValue(toBeam(field, record.getField(field.name())));
          }
          out.output(row.build());
          rows++;
        }
      } catch (IOException e) {
        throw new UncheckedIOException("Reading raw data file " + path + " failed", e);
      }
      read.inc(rows);
      LiveCounters.add(ROWS_READ, rows);
    }

    private static Object toBeam(Field field, Object value) {
      if (value == null) {
        return null;
      }
      return switch (field.kind()) {
        case UTC_TIMESTAMP ->
            new org.joda.time.Instant(
                ((LocalDateTime) value).toInstant(ZoneOffset.UTC).toEpochMilli());
        default -> value;
      };
    }
  }
}
