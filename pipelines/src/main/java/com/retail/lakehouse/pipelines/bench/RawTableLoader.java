package com.retail.lakehouse.pipelines.bench;

import com.retail.lakehouse.generator.GeneratedMessage;
import com.retail.lakehouse.generator.GeneratorConfig;
import com.retail.lakehouse.generator.MessageKind;
import com.retail.lakehouse.generator.PosTrafficSimulator;
import com.retail.lakehouse.transforms.event.PosEvent;
import java.io.IOException;
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
 * Fills {@code raw.pos_transactions} with simulated valid events straight through Iceberg's
 * writers, for the mart benchmark: ten million rows through Kafka and ingest would measure ingest,
 * not the mart.
 */
final class RawTableLoader {
  private RawTableLoader() {}

  /**
   * Appends {@code rows} valid simulated sale lines in one commit; returns how many were written.
   */
  static long load(Table raw, GeneratorConfig config, long rows) throws IOException {
    PosTrafficSimulator simulator = new PosTrafficSimulator(config);
    GenericAppenderFactory appenders = new GenericAppenderFactory(raw.schema(), raw.spec());
    appenders.setAll(raw.properties());
    OutputFileFactory files =
        OutputFileFactory.builderFor(raw, 0, System.nanoTime())
            .format(FileFormat.PARQUET)
            .operationId(UUID.randomUUID().toString())
            .build();
    InternalRecordWrapper wrapper = new InternalRecordWrapper(raw.schema().asStruct());
    PartitionKey key = new PartitionKey(raw.spec(), raw.schema());
    Map<PartitionKey, DataWriter<Record>> open = new HashMap<>();
    GenericRecord template = GenericRecord.create(raw.schema());
    LocalDateTime ingestTime = LocalDateTime.now(ZoneOffset.UTC);
    long written = 0;
    long offset = 0;
    AppendFiles append = raw.newAppend();
    while (written < rows && simulator.hasNext()) {
      GeneratedMessage m = simulator.next();
      offset++;
      if (m.kind() == MessageKind.MALFORMED || m.kind() == MessageKind.DUPLICATE) {
        continue;
      }
      PosEvent e = m.event();
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
      r.setField("ingest_time", ingestTime);
      r.setField("kafka_topic", "bench");
      r.setField("kafka_partition", 0);
      r.setField("kafka_offset", offset);
      key.partition(wrapper.wrap(r));
      DataWriter<Record> writer = open.get(key);
      if (writer == null) {
        PartitionKey copy = key.copy();
        writer =
            appenders.newDataWriter(
                files.newOutputFile(raw.spec(), copy), FileFormat.PARQUET, copy);
        open.put(copy, writer);
      }
      writer.write(r);
      written++;
      if (written % 1_000_000 == 0) {
        System.err.printf("bench: loaded %,d/%,d raw rows%n", written, rows);
      }
    }
    for (DataWriter<Record> writer : open.values()) {
      writer.close();
      append.appendFile(writer.toDataFile());
    }
    append.commit();
    return written;
  }
}
