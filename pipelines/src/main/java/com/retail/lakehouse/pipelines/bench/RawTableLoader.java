package com.retail.lakehouse.pipelines.bench;

import com.retail.lakehouse.generator.ChainSimulator;
import com.retail.lakehouse.generator.EventStream;
import com.retail.lakehouse.generator.GeneratedMessage;
import com.retail.lakehouse.generator.GeneratorConfig;
import com.retail.lakehouse.generator.MessageKind;
import com.retail.lakehouse.generator.PosTrafficSimulator;
import com.retail.lakehouse.transforms.event.InventoryMovement;
import com.retail.lakehouse.transforms.event.InventoryMovementSchema;
import com.retail.lakehouse.transforms.event.PosEvent;
import java.io.IOException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.GenericAppenderFactory;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFileFactory;

/**
 * Fills raw tables with simulated valid events straight through Iceberg's writers, for the mart
 * benchmarks: ten million rows through Kafka and ingest would measure ingest, not the mart. {@link
 * #load} fills {@code raw.pos_transactions} from the POS simulator; {@link #loadInventory} fills
 * {@code raw.inventory_movements} and {@code raw.pos_transactions} from the {@link ChainSimulator},
 * so the movements follow the very sale lines written. Each table gets one append commit; rows
 * carry the lineage columns ingest writes (one ingest time, partition 0, offsets counting up per
 * table).
 */
final class RawTableLoader {
  private static final long DAY_MILLIS = 86_400_000L;

  private RawTableLoader() {}

  /** What {@link #loadInventory} wrote. */
  record InventoryLoad(long movements, long posLines) {}

  /**
   * Appends {@code rows} valid simulated sale lines in one commit; returns how many were written.
   */
  static long load(Table raw, GeneratorConfig config, long rows) throws IOException {
    PosTrafficSimulator simulator = new PosTrafficSimulator(config);
    LocalDateTime ingestTime = LocalDateTime.now(ZoneOffset.UTC);
    PartitionedAppend pos = new PartitionedAppend(raw);
    long written = 0;
    long offset = 0;
    while (written < rows && simulator.hasNext()) {
      GeneratedMessage m = simulator.next();
      offset++;
      if (m.kind() == MessageKind.MALFORMED || m.kind() == MessageKind.DUPLICATE) {
        continue;
      }
      pos.write(posRecord(pos.template, m.event(), ingestTime, offset));
      written++;
      if (written % 1_000_000 == 0) {
        System.err.printf("bench: loaded %,d/%,d raw rows%n", written, rows);
      }
    }
    pos.commit();
    return written;
  }

  /**
   * The chain's traffic of {@code days} whole UTC days from {@code start} (00:00 UTC): {@code
   * stores} stores and {@code skus} SKUs, seed 42, movements and POS lines, no faults.
   */
  static GeneratorConfig inventoryConfig(int stores, int skus, Instant start) {
    return GeneratorConfig.builder()
        .seed(42)
        .stores(stores)
        .skus(skus)
        .start(start)
        .count(Long.MAX_VALUE)
        .streams(java.util.EnumSet.of(EventStream.POS, EventStream.INVENTORY))
        .build();
  }

  /**
   * Appends the valid movements and POS lines {@code config}'s chain produces from its start until
   * {@code days} UTC days later (one commit per table); returns how many of each were written.
   *
   * @throws IllegalArgumentException if the configuration sends no inventory, has no simulated
   *     start at 00:00 UTC, or {@code days} is not positive
   */
  static InventoryLoad loadInventory(
      Table movements, Table posRaw, GeneratorConfig config, int days) throws IOException {
    if (!config.inventory()) {
      throw new IllegalArgumentException("the configuration sends no inventory movements");
    }
    if (config.start() == null || config.start().toEpochMilli() % DAY_MILLIS != 0) {
      throw new IllegalArgumentException(
          "the inventory load starts at 00:00 UTC of a day, got start " + config.start());
    }
    if (days < 1) {
      throw new IllegalArgumentException("days must be at least 1, got " + days);
    }
    long end = config.start().toEpochMilli() + days * DAY_MILLIS;
    ChainSimulator chain = new ChainSimulator(config);
    LocalDateTime ingestTime = LocalDateTime.now(ZoneOffset.UTC);
    PartitionedAppend moves = new PartitionedAppend(movements);
    PartitionedAppend pos = new PartitionedAppend(posRaw);
    long moveOffset = 0;
    long posOffset = 0;
    while (chain.hasNext()) {
      GeneratedMessage m = chain.next();
      if (m.eventMillis() >= end) {
        break; // the chain's traffic is in event-time order (no late messages without faults)
      }
      boolean movement = m.stream() == EventStream.INVENTORY;
      long offset = movement ? ++moveOffset : ++posOffset;
      if (m.kind() == MessageKind.MALFORMED || m.kind() == MessageKind.DUPLICATE) {
        continue;
      }
      if (movement) {
        moves.write(movementRecord(moves.template, m.movement(), ingestTime, offset));
      } else {
        pos.write(posRecord(pos.template, m.event(), ingestTime, offset));
      }
      long total = moves.written + pos.written;
      if (total % 1_000_000 == 0) {
        System.err.printf(
            "bench: loaded %,d movements and %,d POS lines%n", moves.written, pos.written);
      }
    }
    moves.commit();
    pos.commit();
    return new InventoryLoad(moves.written, pos.written);
  }

  private static GenericRecord posRecord(
      GenericRecord template, PosEvent e, LocalDateTime ingestTime, long offset) {
    GenericRecord r = template.copy();
    r.setField("event_id", e.eventId());
    r.setField("transaction_id", e.transactionId());
    r.setField("line_number", e.lineNumber());
    r.setField("event_type", e.eventType().name());
    r.setField("store_id", e.storeId());
    r.setField("register_id", e.registerId());
    r.setField("cashier_id", e.cashierId());
    r.setField("product", e.product());
    r.setField("sku", e.sku());
    r.setField("category", e.category());
    r.setField("quantity", e.quantity());
    r.setField("unit_price", e.unitPrice().setScale(2));
    r.setField("discount", e.discount().setScale(2));
    r.setField("total_amount", e.totalAmount().setScale(2));
    r.setField("currency", e.currency());
    r.setField("payment_method", e.paymentMethod());
    r.setField("customer_id", e.customerId());
    r.setField("event_time", LocalDateTime.ofInstant(e.eventTime(), ZoneOffset.UTC));
    lineage(r, ingestTime, offset);
    return r;
  }

  private static GenericRecord movementRecord(
      GenericRecord template, InventoryMovement m, LocalDateTime ingestTime, long offset) {
    GenericRecord r = template.copy();
    r.setField(InventoryMovementSchema.MOVEMENT_ID, m.movementId());
    r.setField(InventoryMovementSchema.STORE_ID, m.storeId());
    r.setField(InventoryMovementSchema.SKU, m.sku());
    r.setField(InventoryMovementSchema.MOVEMENT_TYPE, m.movementType().name());
    r.setField(InventoryMovementSchema.QUANTITY, m.quantity());
    r.setField(InventoryMovementSchema.UNIT_COST, m.unitCost().setScale(2));
    r.setField(InventoryMovementSchema.REFERENCE, m.reference());
    r.setField(InventoryMovementSchema.REASON, m.reason() == null ? null : m.reason().name());
    r.setField(
        InventoryMovementSchema.EVENT_TIME, LocalDateTime.ofInstant(m.eventTime(), ZoneOffset.UTC));
    lineage(r, ingestTime, offset);
    return r;
  }

  private static void lineage(GenericRecord r, LocalDateTime ingestTime, long offset) {
    r.setField("ingest_time", ingestTime);
    r.setField("kafka_topic", "bench");
    r.setField("kafka_partition", 0);
    r.setField("kafka_offset", offset);
  }

  /** One data file per partition of a table, appended in one commit. */
  private static final class PartitionedAppend {
    private final Table table;
    private final GenericAppenderFactory appenders;
    private final OutputFileFactory files;
    private final InternalRecordWrapper wrapper;
    private final PartitionKey key;
    private final Map<PartitionKey, DataWriter<Record>> open = new HashMap<>();
    final GenericRecord template;
    long written;

    PartitionedAppend(Table table) {
      this.table = table;
      this.appenders = new GenericAppenderFactory(table.schema(), table.spec());
      appenders.setAll(table.properties());
      this.files =
          OutputFileFactory.builderFor(table, 0, System.nanoTime())
              .format(FileFormat.PARQUET)
              .operationId(UUID.randomUUID().toString())
              .build();
      this.wrapper = new InternalRecordWrapper(table.schema().asStruct());
      this.key = new PartitionKey(table.spec(), table.schema());
      this.template = GenericRecord.create(table.schema());
    }

    void write(Record r) {
      key.partition(wrapper.wrap(r));
      DataWriter<Record> writer = open.get(key);
      if (writer == null) {
        PartitionKey copy = key.copy();
        writer =
            appenders.newDataWriter(
                files.newOutputFile(table.spec(), copy), FileFormat.PARQUET, copy);
        open.put(copy, writer);
      }
      writer.write(r);
      written++;
    }

    void commit() throws IOException {
      if (open.isEmpty()) {
        return;
      }
      AppendFiles append = table.newAppend();
      for (DataWriter<Record> writer : open.values()) {
        writer.close();
        append.appendFile(writer.toDataFile());
      }
      append.commit();
    }
  }
}
