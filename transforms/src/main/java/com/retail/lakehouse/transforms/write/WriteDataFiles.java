package com.retail.lakehouse.transforms.write;

import com.retail.lakehouse.transforms.commit.CommitToTable;
import com.retail.lakehouse.transforms.commit.CommitWindowsInOrder;
import com.retail.lakehouse.transforms.commit.WrittenFiles;
import com.retail.lakehouse.transforms.contract.EventContract;
import com.retail.lakehouse.transforms.dedupe.FirstCopies;
import com.retail.lakehouse.transforms.dedupe.RecentLineKeys;
import com.retail.lakehouse.transforms.metrics.MetricNames;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import com.retail.lakehouse.transforms.tables.EncodedRows;
import com.retail.lakehouse.transforms.tables.RawTable;
import com.retail.lakehouse.transforms.tables.TableDefinition;
import com.retail.lakehouse.transforms.tables.TableRowCoder;
import com.retail.lakehouse.transforms.validate.RoutedRow;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.IterableCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.SimpleFunction;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.iceberg.Table;
import org.joda.time.Instant;

/**
 * Writes rows into Parquet data files of a table without committing them (and, for the catch-up
 * ingest, routes each row to its table's files and drops duplicate lines on the way, see {@link
 * #eachBundleOfRoutedRows}): rows are spread over a few writer shards (or come in batches already,
 * see {@link #eachBatchTo}, or are written where they are, see {@link #eachBundleOfRoutedRows}),
 * each writer writes one file per table partition (rolling at the table's target file size), and
 * the files' metadata goes on to {@link CommitToTable}, {@link CommitWindowsInOrder} or the mart's
 * ReplaceMartDays. Written through Iceberg's Parquet writer ({@link PartitionedFileWriter}) rather
 * than IcebergIO because IcebergIO commits by itself, and the exactly-once design needs the commit
 * to also record Kafka offsets.
 */
public final class WriteDataFiles extends PTransform<PCollection<Row>, PCollection<WrittenFiles>> {
  private final CatalogSettings catalog;
  private final TableDefinition table;
  private final int shards;

  private WriteDataFiles(CatalogSettings catalog, TableDefinition table, int shards) {
    this.catalog = catalog;
    this.table = table;
    this.shards = shards;
  }

  /** Writes rows of {@code table} with {@code shards} parallel writers, after a shuffle. */
  public static WriteDataFiles to(CatalogSettings catalog, TableDefinition table, int shards) {
    if (shards < 1) {
      throw new IllegalArgumentException("writers per table must be at least 1, got " + shards);
    }
    return new WriteDataFiles(catalog, table, shards);
  }

  /**
   * Writes the rows of each bundle into files of their own, where they are (no shuffle): raw rows
   * into raw-table files, dead-letter rows into dead-letter files. For a bounded input in the
   * global window whose bundles are large (on Flink and Spark a bundle is a whole task's share of
   * the data), as the catch-up ingest's rows are.
   */
  public static WriteBundles eachBundleOfRoutedRows(
      CatalogSettings catalog, EventContract contract) {
    if (contract == null) {
      throw new IllegalArgumentException("eachBundleOfRoutedRows needs the rows' event contract");
    }
    return new WriteBundles(catalog, contract, null);
  }

  /** See {@link #eachBundleOfRoutedRows}. */
  public static final class WriteBundles
      extends PTransform<PCollection<RoutedRow>, PCollection<WrittenFiles>> {
    private final CatalogSettings catalog;
    private final EventContract contract;
    private final RecentLineKeys dedupe;

    private WriteBundles(CatalogSettings catalog, EventContract contract, RecentLineKeys dedupe) {
      this.catalog = catalog;
      this.contract = contract;
      this.dedupe = dedupe;
    }

    /**
     * Also drops duplicate lines (by the contract's line key) while writing, within each bundle,
     * and lines committed within the horizon: correct only if every copy of a line is in one
     * bundle. The catch-up ingest guarantees it: a reader reads whole Kafka partitions, messages
     * are keyed by store, and the rows stay on the reader's task from read to write. This removes
     * the rows' only shuffle (bench/results/profile-notes.md).
     */
    public WriteBundles droppingDuplicateLines(RecentLineKeys committedWithinHorizon) {
      if (!committedWithinHorizon.key().equals(contract.lineKey())) {
        throw new IllegalArgumentException(
            "the committed keys are of "
                + committedWithinHorizon.key()
                + ", not of "
                + contract.name());
      }
      return new WriteBundles(catalog, contract, committedWithinHorizon);
    }

    @Override
    public PCollection<WrittenFiles> expand(PCollection<RoutedRow> rows) {
      if (!(rows.getWindowingStrategy().getWindowFn() instanceof GlobalWindows)) {
        throw new IllegalArgumentException(
            "eachBundleOfRoutedRows writes rows of the global window only; use WriteDataFiles.to");
      }
      return rows.apply(
              "WriteParquetFilesPerBundle",
              ParDo.of(new WriteBundleFilesFn(catalog, contract, dedupe)))
          .setCoder(SerializableCoder.of(WrittenFiles.class));
    }
  }

  /**
   * Writes each input element, a batch of rows that already belong together (a mart day), into its
   * own files as it comes: no shuffle moves rows that were grouped upstream.
   */
  public static PTransform<PCollection<List<Row>>, PCollection<WrittenFiles>> eachBatchTo(
      CatalogSettings catalog, TableDefinition table) {
    return new WriteBatches(catalog, table);
  }

  /** See {@link #eachBatchTo}. */
  private static final class WriteBatches
      extends PTransform<PCollection<List<Row>>, PCollection<WrittenFiles>> {
    private final CatalogSettings catalog;
    private final TableDefinition table;

    WriteBatches(CatalogSettings catalog, TableDefinition table) {
      this.catalog = catalog;
      this.table = table;
    }

    @Override
    public PCollection<WrittenFiles> expand(PCollection<List<Row>> batches) {
      return batches
          // the key only numbers the files (OutputFileFactory's partition id); names stay unique
          .apply("AsWriterInput", MapElements.via(new AsShardFn()))
          .setCoder(
              KvCoder.of(VarIntCoder.of(), IterableCoder.of(ListCoder.of(TableRowCoder.of(table)))))
          .apply("WriteParquetFiles", ParDo.of(new WriteBatchesOfShardFn(catalog, table)))
          .setCoder(SerializableCoder.of(WrittenFiles.class));
    }
  }

  /** A batch as the input of one file writer. */
  static final class AsShardFn extends SimpleFunction<List<Row>, KV<Integer, Iterable<List<Row>>>> {
    @Override
    public KV<Integer, Iterable<List<Row>>> apply(List<Row> batch) {
      return KV.of(ThreadLocalRandom.current().nextInt(1 << 16), List.of(batch));
    }
  }

  /**
   * Rows travel to the writers in batches, one per bundle and window (at most about {@value
   * BatchRowsFn#MAX_BYTES} bytes), each to a random writer shard: the grouping then handles a batch
   * where it handled a row. On Flink's streaming mode the grouping's work per element (window
   * state, watermark hold, timers) cost more CPU than writing the Parquet files
   * (bench/results/profile-notes.md).
   */
  @Override
  public PCollection<WrittenFiles> expand(PCollection<Row> rows) {
    return writeShards(
        rows.apply("BatchRowsOfEachBundle", ParDo.of(new BatchEachRowFn(shards, table))),
        catalog,
        table);
  }

  /**
   * Writes batches of rows of {@code table} with {@code shards} parallel writers, for rows that
   * arrive in batches already (the streaming de-duplication's first copies, a small batch per
   * de-duplication shard, each row encoded by {@code TableRowCoder.of(table)}, see {@link
   * EncodedRows}): a bundle's batches are merged per window by appending them, as {@link #to}
   * batches rows, and go to the same writers, which decode each row where they write it.
   */
  public static PTransform<PCollection<byte[]>, PCollection<WrittenFiles>> batchesTo(
      CatalogSettings catalog, TableDefinition table, int shards) {
    return new WriteBatchesToShards(to(catalog, table, shards));
  }

  /** See {@link #batchesTo}. */
  private static final class WriteBatchesToShards
      extends PTransform<PCollection<byte[]>, PCollection<WrittenFiles>> {
    private final WriteDataFiles writers;

    WriteBatchesToShards(WriteDataFiles writers) {
      this.writers = writers;
    }

    @Override
    public PCollection<WrittenFiles> expand(PCollection<byte[]> batches) {
      return writeShards(
          batches.apply(
              "MergeBatchesOfEachBundle",
              ParDo.of(new MergeBatchesFn(writers.shards, writers.table))),
          writers.catalog,
          writers.table);
    }
  }

  private static PCollection<WrittenFiles> writeShards(
      PCollection<KV<Integer, byte[]>> batches, CatalogSettings catalog, TableDefinition table) {
    return batches
        .setCoder(KvCoder.of(VarIntCoder.of(), ByteArrayCoder.of()))
        .apply("GroupByWriterShard", GroupByKey.create())
        .apply("WriteParquetFiles", ParDo.of(new WriteEncodedBatchesOfShardFn(catalog, table)))
        .setCoder(SerializableCoder.of(WrittenFiles.class));
  }

  /**
   * Gathers a bundle's rows into a batch per window, each batch for a random one of {@code shards}
   * writers. A batch that reaches {@value #MAX_BYTES} bytes (or more, when whole batches are
   * merged) leaves at once; the rest leave when the bundle finishes, stamped with the time of their
   * newest row. A runner does not advance the output watermark past a bundle in progress (Flink's
   * operator holds it until the bundle finishes), so no batch is late for its window.
   *
   * <p>A batch leaves encoded ({@link EncodedRows}): the grouping holds a window's batches until
   * the window ends, and on Flink's heap state a row held as a Row is ~35 objects that every young
   * collection copies, where a batch of encoded rows is one array (the rows are encoded for the
   * shuffle anyway, and decoded by the writer as before).
   */
  abstract static class BatchRowsFn<InputT> extends DoFn<InputT, KV<Integer, byte[]>> {
    /** A batch this large leaves at once: about 2,000 rows of the raw table. */
    static final int MAX_BYTES = 512 * 1024;

    private final int shards;
    final TableRowCoder coder;
    private transient Map<BoundedWindow, Batch> batches;

    BatchRowsFn(int shards, TableDefinition table) {
      this.shards = shards;
      this.coder = TableRowCoder.of(table);
    }

    /** Adds the rows of one input element to {@code batch}. */
    abstract void addTo(EncodedRows batch, InputT element);

    @StartBundle
    public void startBundle() {
      batches = new HashMap<>();
    }

    @ProcessElement
    public void process(
        @Element InputT element,
        @Timestamp Instant timestamp,
        BoundedWindow window,
        OutputReceiver<KV<Integer, byte[]>> out) {
      Batch batch = batches.computeIfAbsent(window, w -> new Batch());
      addTo(batch.rows, element);
      if (batch.newest == null || timestamp.isAfter(batch.newest)) {
        batch.newest = timestamp;
      }
      if (batch.rows.size() >= MAX_BYTES) {
        out.output(KV.of(ThreadLocalRandom.current().nextInt(shards), batch.rows.toByteArray()));
        batches.remove(window);
      }
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext context) {
      for (Map.Entry<BoundedWindow, Batch> e : batches.entrySet()) {
        context.output(
            KV.of(ThreadLocalRandom.current().nextInt(shards), e.getValue().rows.toByteArray()),
            e.getValue().newest,
            e.getKey());
      }
      batches = null;
    }

    private static final class Batch {
      final EncodedRows rows = new EncodedRows(64 * 1024);
      Instant newest;
    }
  }

  /** Rows into batches of a bundle. */
  static final class BatchEachRowFn extends BatchRowsFn<Row> {
    BatchEachRowFn(int shards, TableDefinition table) {
      super(shards, table);
    }

    @Override
    void addTo(EncodedRows batch, Row row) {
      batch.add(row, coder);
    }
  }

  /** Small batches into larger ones, a bundle's at a time, by appending their bytes. */
  static final class MergeBatchesFn extends BatchRowsFn<byte[]> {
    MergeBatchesFn(int shards, TableDefinition table) {
      super(shards, table);
    }

    @Override
    void addTo(EncodedRows batch, byte[] rows) {
      batch.addAll(rows);
    }
  }

  /** Writes one shard's encoded batches ({@link EncodedRows}) into files, one per partition. */
  static final class WriteEncodedBatchesOfShardFn extends WriteShardFn<byte[]> {
    private final TableRowCoder coder;

    WriteEncodedBatchesOfShardFn(CatalogSettings catalog, TableDefinition definition) {
      super(catalog, definition);
      this.coder = TableRowCoder.of(definition);
    }

    @Override
    void writeBatch(byte[] batch, PartitionedFileWriter writer) throws IOException {
      EncodedRows.forEach(batch, coder, writer::write);
    }
  }

  /** Writes one shard's batches of rows into files, one open file per table partition. */
  static final class WriteBatchesOfShardFn extends WriteShardFn<List<Row>> {
    WriteBatchesOfShardFn(CatalogSettings catalog, TableDefinition definition) {
      super(catalog, definition);
    }

    @Override
    void writeBatch(List<Row> batch, PartitionedFileWriter writer) throws IOException {
      for (Row row : batch) {
        writer.write(row);
      }
    }
  }

  /** Writes one shard's batches into files, one open file per table partition. */
  abstract static class WriteShardFn<BatchT>
      extends DoFn<KV<Integer, Iterable<BatchT>>, WrittenFiles> {
    private final CatalogSettings catalog;
    private final TableDefinition definition;
    private final Counter filesWritten = MetricNames.counter(MetricNames.DATA_FILES_WRITTEN);
    private transient Table table;

    WriteShardFn(CatalogSettings catalog, TableDefinition definition) {
      this.catalog = catalog;
      this.definition = definition;
    }

    /** Writes the rows of one batch. */
    abstract void writeBatch(BatchT batch, PartitionedFileWriter writer) throws IOException;

    @Setup
    public void setup() {
      table = catalog.catalog().loadTable(definition.identifier());
    }

    @ProcessElement
    public void process(
        @Element KV<Integer, Iterable<BatchT>> shard, OutputReceiver<WrittenFiles> out) {
      table.refresh();
      PartitionedFileWriter writer = new PartitionedFileWriter(table, definition, shard.getKey());
      try {
        for (BatchT batch : shard.getValue()) {
          writeBatch(batch, writer);
        }
        WrittenFiles written = writer.finish();
        filesWritten.inc(written.files().size());
        out.output(written);
      } catch (IOException e) {
        throw new UncheckedIOException("Writing data files of " + definition + " failed", e);
      }
    }
  }

  /**
   * Writes the rows of each bundle into files of their own (one set per table), closed when the
   * bundle finishes, and optionally drops duplicate raw lines within the bundle.
   */
  static final class WriteBundleFilesFn extends DoFn<RoutedRow, WrittenFiles> {
    private final CatalogSettings catalog;
    private final EventContract contract;
    private final RecentLineKeys dedupe;
    private final Counter filesWritten = MetricNames.counter(MetricNames.DATA_FILES_WRITTEN);
    private final Counter linesIn = MetricNames.counter(MetricNames.LINES_IN);
    private final Counter linesOut = MetricNames.counter(MetricNames.LINES_OUT);
    private transient Table rawTable;
    private transient Table deadLetterTable;
    private transient PartitionedFileWriter rawWriter;
    private transient PartitionedFileWriter deadLetterWriter;
    private transient FirstCopies firstCopies;
    private transient Set<Integer> partitions;
    private transient int lastPartition;
    private transient long in;
    private transient long kept;

    WriteBundleFilesFn(CatalogSettings catalog, EventContract contract, RecentLineKeys dedupe) {
      this.catalog = catalog;
      this.contract = contract;
      this.dedupe = dedupe;
    }

    @Setup
    public void setup() {
      rawTable = catalog.catalog().loadTable(contract.rawTable().identifier());
      deadLetterTable = catalog.catalog().loadTable(contract.deadLetterTable().identifier());
    }

    @StartBundle
    public void startBundle() {
      rawWriter = null;
      deadLetterWriter = null;
      firstCopies = dedupe == null ? null : new FirstCopies(dedupe);
      partitions = new HashSet<>();
      lastPartition = -1;
      in = 0;
      kept = 0;
    }

    @ProcessElement
    public void process(@Element RoutedRow routed) throws IOException {
      if (!routed.valid()) {
        if (deadLetterWriter == null) {
          deadLetterWriter = newWriter(deadLetterTable, contract.deadLetterTable());
        }
        deadLetterWriter.write(routed.row());
        return;
      }
      if (firstCopies != null) {
        in++;
        int partition = routed.row().getInt32(RawTable.KAFKA_PARTITION);
        if (partition != lastPartition) { // rows come in runs of one partition
          partitions.add(partition);
          lastPartition = partition;
        }
        if (!firstCopies.isFirst(routed.row())) {
          return;
        }
        kept++;
      }
      if (rawWriter == null) {
        rawWriter = newWriter(rawTable, contract.rawTable());
      }
      rawWriter.write(routed.row());
    }

    private static PartitionedFileWriter newWriter(Table table, TableDefinition definition) {
      table.refresh();
      return new PartitionedFileWriter(
          table, definition, ThreadLocalRandom.current().nextInt(1 << 16));
    }

    @FinishBundle
    public void finishBundle(FinishBundleContext context) throws IOException {
      // Counted once per bundle: a metric update per row is a measurable share of the ingest.
      linesIn.inc(in);
      linesOut.inc(kept);
      firstCopies = null;
      if (rawWriter != null) {
        WrittenFiles written = rawWriter.finish();
        emit(context, dedupe == null ? written : written.dedupedOver(partitions));
      }
      if (deadLetterWriter != null) {
        emit(context, deadLetterWriter.finish());
      }
      rawWriter = null;
      deadLetterWriter = null;
    }

    private void emit(FinishBundleContext context, WrittenFiles written) {
      filesWritten.inc(written.files().size());
      context.output(written, GlobalWindow.INSTANCE.maxTimestamp(), GlobalWindow.INSTANCE);
    }
  }
}
