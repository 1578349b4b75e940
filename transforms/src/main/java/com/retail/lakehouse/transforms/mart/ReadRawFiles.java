package com.retail.lakehouse.transforms.mart;

import com.retail.lakehouse.transforms.event.EventType;
import com.retail.lakehouse.transforms.event.PosEventSchema;
import com.retail.lakehouse.transforms.metrics.LiveCounters;
import com.retail.lakehouse.transforms.metrics.MetricNames;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import com.retail.lakehouse.transforms.tables.RawTable;
import com.retail.lakehouse.transforms.tables.StoredColumns;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.CloseableIterator;

/**
 * Reads the raw files of each {@link RawFilePlan.DaySlice} into one element: the slice's {@link
 * SaleLines}, whole, so {@link SummarizeDailySales} can finish each (sale_date, store) without
 * shuffling raw lines.
 *
 * <p>Why not {@code IcebergIO.readRows}: the scan is planned once in the launcher from a pinned raw
 * snapshot, so the snapshot id the mart records is exactly the one it read, and the slices are
 * plain data that every runner distributes the same way (Create, Reshuffle, one slice per element)
 * in batch mode. Each file is read with Iceberg's own generic Parquet reader, projected to the
 * columns a sale line needs (matched by field id, not position).
 */
public final class ReadRawFiles extends PTransform<PBegin, PCollection<SaleLines>> {
  /** The raw columns {@link SaleLines} are made of. */
  static final List<String> COLUMNS =
      List.of(
          PosEventSchema.TRANSACTION_ID,
          PosEventSchema.LINE_NUMBER,
          PosEventSchema.EVENT_TYPE,
          PosEventSchema.STORE_ID,
          PosEventSchema.PRODUCT,
          PosEventSchema.QUANTITY,
          PosEventSchema.UNIT_PRICE,
          PosEventSchema.TOTAL_AMOUNT,
          PosEventSchema.EVENT_TIME,
          RawTable.INGEST_TIME,
          RawTable.KAFKA_PARTITION,
          RawTable.KAFKA_OFFSET,
          PosEventSchema.CATEGORY);

  private final CatalogSettings catalog;
  private final List<RawFilePlan.DaySlice> slices;

  private ReadRawFiles(CatalogSettings catalog, List<RawFilePlan.DaySlice> slices) {
    this.catalog = catalog;
    this.slices = List.copyOf(slices);
  }

  /** Reads the given day slices of raw. */
  public static ReadRawFiles of(CatalogSettings catalog, List<RawFilePlan.DaySlice> slices) {
    return new ReadRawFiles(catalog, slices);
  }

  @Override
  public PCollection<SaleLines> expand(PBegin begin) {
    return begin
        .apply(
            "ListDaySlices",
            Create.of(slices).withCoder(SerializableCoder.of(RawFilePlan.DaySlice.class)))
        // one element per day slice: spread slices over workers before the (slow) read
        .apply("SpreadSlices", Reshuffle.viaRandomKey())
        .apply("ReadParquet", ParDo.of(new ReadSliceFn(catalog)))
        .setCoder(SaleLines.CODER);
  }

  /** Reads the files of one day slice into its sale lines. */
  static final class ReadSliceFn extends DoFn<RawFilePlan.DaySlice, SaleLines> {
    private final CatalogSettings catalog;
    private final Counter read = MetricNames.counter(MetricNames.MART_RAW_ROWS_READ);
    private transient Table table;

    ReadSliceFn(CatalogSettings catalog) {
      this.catalog = catalog;
    }

    @Setup
    public void setup() {
      table = catalog.catalog().loadTable(RawTable.DEFINITION.identifier());
    }

    @ProcessElement
    public void process(@Element RawFilePlan.DaySlice slice, OutputReceiver<SaleLines> out) {
      Schema projection = table.schema().select(COLUMNS);
      SaleLines.Builder lines =
          SaleLines.builder((int) Math.min(1 << 28, slice.rawRows() / slice.sliceCount()));
      long rows = 0;
      for (String path : slice.files()) {
        try (CloseableIterator<Object[]> records = readLines(path, projection)) {
          while (records.hasNext()) {
            Object[] r = records.next();
            rows++;
            if (slice.holdsStore((String) r[3])) {
              add(lines, r);
            }
          }
        } catch (IOException e) {
          throw new UncheckedIOException("Reading raw data file " + path + " failed", e);
        }
      }
      if (slice.slice() == 0) {
        // every slice of a date reads all its files: count each raw row once
        read.inc(rows);
        LiveCounters.add(MetricNames.MART_RAW_ROWS_READ, rows);
      }
      out.output(lines.build());
    }

    /**
     * The lines of one file in the order of COLUMNS, timestamps in micros and money in cents: read
     * as stored, or, for a file an evolved table wrote differently, with Iceberg's generic reader.
     */
    private CloseableIterator<Object[]> readLines(String path, Schema projection) {
      return StoredColumns.read(table.io(), path, projection, COLUMNS);
    }

    /** Adds a raw line read in the order of COLUMNS (timestamps in micros, money in cents). */
    private static void add(SaleLines.Builder lines, Object[] r) {
      lines.add(
          (String) r[0],
          (Integer) r[1],
          (String) r[3],
          (String) r[4],
          (String) r[12],
          EventType.RETURN.name().equals(r[2]),
          (Integer) r[5],
          (Long) r[6],
          (Long) r[7],
          Math.floorDiv((Long) r[8], 1000L),
          Math.floorDiv((Long) r[9], 1000L),
          (Integer) r[10],
          (Long) r[11]);
    }
  }
}
