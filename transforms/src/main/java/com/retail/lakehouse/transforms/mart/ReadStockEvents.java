package com.retail.lakehouse.transforms.mart;

import com.retail.lakehouse.transforms.event.EventType;
import com.retail.lakehouse.transforms.event.InventoryMovementSchema;
import com.retail.lakehouse.transforms.event.MovementType;
import com.retail.lakehouse.transforms.event.PosEventSchema;
import com.retail.lakehouse.transforms.metrics.LiveCounters;
import com.retail.lakehouse.transforms.metrics.MetricNames;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import com.retail.lakehouse.transforms.tables.DailyInventoryTable;
import com.retail.lakehouse.transforms.tables.InventoryTables;
import com.retail.lakehouse.transforms.tables.RawTable;
import com.retail.lakehouse.transforms.tables.StoredColumns;
import com.retail.lakehouse.transforms.tables.TableDefinition;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.CloseableIterator;

/**
 * Reads the data files an inventory mart run planned, one file per element, into {@link
 * StockEvent}s keyed by (store_id, sku): movements of raw.inventory_movements, POS lines of
 * raw.pos_transactions and, before the run's first date, rows of marts.daily_inventory (the opening
 * balance). Files are read with {@link StoredColumns#read}, the product's one reader of data files,
 * projected to the columns an event needs (matched by name through the table's field ids); the
 * files were planned in the launcher from pinned snapshots, like the sales mart's. The events cross
 * the run's one shuffle with {@link StockEventCoder} (a few dozen bytes each, not Java
 * serialization's ~570).
 */
public final class ReadStockEvents extends PTransform<PBegin, PCollection<KV<String, StockEvent>>> {

  /** One data file to read and what it holds. */
  public record FileToRead(StockEvent.Source source, String path) implements Serializable {}

  static final List<String> MOVEMENT_COLUMNS =
      List.of(
          InventoryMovementSchema.MOVEMENT_ID,
          InventoryMovementSchema.STORE_ID,
          InventoryMovementSchema.SKU,
          InventoryMovementSchema.MOVEMENT_TYPE,
          InventoryMovementSchema.QUANTITY,
          InventoryMovementSchema.UNIT_COST,
          InventoryMovementSchema.EVENT_TIME,
          RawTable.INGEST_TIME,
          RawTable.KAFKA_PARTITION,
          RawTable.KAFKA_OFFSET);

  static final List<String> POS_COLUMNS =
      List.of(
          PosEventSchema.TRANSACTION_ID,
          PosEventSchema.LINE_NUMBER,
          PosEventSchema.EVENT_TYPE,
          PosEventSchema.STORE_ID,
          PosEventSchema.SKU,
          PosEventSchema.QUANTITY,
          PosEventSchema.EVENT_TIME,
          RawTable.INGEST_TIME,
          RawTable.KAFKA_PARTITION,
          RawTable.KAFKA_OFFSET);

  static final List<String> MART_COLUMNS =
      List.of(
          DailyInventoryTable.STOCK_DATE,
          DailyInventoryTable.STORE_ID,
          DailyInventoryTable.SKU,
          DailyInventoryTable.CLOSING_UNITS,
          DailyInventoryTable.UNIT_COST,
          DailyInventoryTable.SOLD_UNITS,
          DailyInventoryTable.RETURNED_UNITS);

  private final CatalogSettings catalog;
  private final List<FileToRead> files;

  private ReadStockEvents(CatalogSettings catalog, List<FileToRead> files) {
    this.catalog = catalog;
    this.files = List.copyOf(files);
  }

  /** Reads {@code files} (their tables must exist in {@code catalog}). */
  public static ReadStockEvents of(CatalogSettings catalog, List<FileToRead> files) {
    return new ReadStockEvents(catalog, files);
  }

  @Override
  public PCollection<KV<String, StockEvent>> expand(PBegin begin) {
    return begin
        .apply("ListFiles", Create.of(files).withCoder(SerializableCoder.of(FileToRead.class)))
        .apply("SpreadFiles", Reshuffle.viaRandomKey())
        .apply("ReadParquet", ParDo.of(new ReadFileFn(catalog)))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), StockEventCoder.of()));
  }

  /** Reads one file into its events. */
  static final class ReadFileFn extends DoFn<FileToRead, KV<String, StockEvent>> {
    private final CatalogSettings catalog;
    private final Counter read = MetricNames.counter(MetricNames.MART_RAW_ROWS_READ);
    private transient Map<StockEvent.Source, Table> tables;

    ReadFileFn(CatalogSettings catalog) {
      this.catalog = catalog;
    }

    @Setup
    public void setup() {
      tables = new EnumMap<>(StockEvent.Source.class);
    }

    private Table table(StockEvent.Source source) {
      return tables.computeIfAbsent(
          source, s -> catalog.catalog().loadTable(definition(s).identifier()));
    }

    static TableDefinition definition(StockEvent.Source source) {
      return switch (source) {
        case MOVEMENT -> InventoryTables.RAW;
        case POS_LINE -> RawTable.DEFINITION;
        case MART_ROW -> DailyInventoryTable.DEFINITION;
      };
    }

    static List<String> columns(StockEvent.Source source) {
      return switch (source) {
        case MOVEMENT -> MOVEMENT_COLUMNS;
        case POS_LINE -> POS_COLUMNS;
        case MART_ROW -> MART_COLUMNS;
      };
    }

    @ProcessElement
    public void process(@Element FileToRead file, OutputReceiver<KV<String, StockEvent>> out) {
      Table table = table(file.source());
      List<String> columns = columns(file.source());
      Schema projection = table.schema().select(columns);
      long rows = 0;
      try (CloseableIterator<Object[]> records =
          StoredColumns.read(table.io(), file.path(), projection, columns)) {
        while (records.hasNext()) {
          StockEvent e = event(file.source(), records.next());
          rows++;
          out.output(KV.of(e.key(), e));
        }
      } catch (IOException e) {
        throw new UncheckedIOException("Reading data file " + file.path() + " failed", e);
      }
      if (file.source() != StockEvent.Source.MART_ROW) {
        read.inc(rows);
        LiveCounters.add(MetricNames.MART_RAW_ROWS_READ, rows);
      }
    }

    /** A row read in the order of its source's columns (timestamps in micros, money in cents). */
    static StockEvent event(StockEvent.Source source, Object[] r) {
      return switch (source) {
        case MOVEMENT -> {
          long millis = Math.floorDiv((Long) r[6], 1000L);
          yield new StockEvent(
              source,
              (String) r[1],
              (String) r[2],
              Math.floorDiv(millis, 86_400_000L),
              millis,
              (String) r[0],
              0,
              MovementType.valueOf((String) r[3]).ordinal(),
              (Integer) r[4],
              (Long) r[5],
              0,
              0,
              Math.floorDiv((Long) r[7], 1000L),
              (Integer) r[8],
              (Long) r[9]);
        }
        case POS_LINE -> {
          long millis = Math.floorDiv((Long) r[6], 1000L);
          yield new StockEvent(
              source,
              (String) r[3],
              (String) r[4],
              Math.floorDiv(millis, 86_400_000L),
              millis,
              (String) r[0],
              (Integer) r[1],
              EventType.RETURN.name().equals(r[2]) ? 1 : 0,
              (Integer) r[5],
              -1,
              0,
              0,
              Math.floorDiv((Long) r[7], 1000L),
              (Integer) r[8],
              (Long) r[9]);
        }
        case MART_ROW ->
            new StockEvent(
                source,
                (String) r[1],
                (String) r[2],
                (Integer) r[0],
                0,
                null,
                0,
                0,
                (Long) r[3],
                r[4] == null ? -1 : (Long) r[4],
                (Long) r[5],
                (Long) r[6],
                0,
                0,
                0);
      };
    }
  }
}
