package com.retail.lakehouse.pipelines.maintain;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.retail.lakehouse.localkafka.KafkaBrokerExtension;
import com.retail.lakehouse.pipelines.cli.LakehouseCommand;
import com.retail.lakehouse.pipelines.conformance.InventoryMartChecks;
import com.retail.lakehouse.pipelines.conformance.LakehouseTables;
import com.retail.lakehouse.pipelines.mart.InventoryMartRun;
import com.retail.lakehouse.transforms.event.PosEventJson;
import com.retail.lakehouse.transforms.mart.ReplaceMartDays;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import com.retail.lakehouse.transforms.tables.DailyInventoryTable;
import com.retail.lakehouse.transforms.tables.InventoryTables;
import com.retail.lakehouse.transforms.tables.RawTable;
import com.retail.lakehouse.transforms.tables.TableDefinition;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SortedMap;
import java.util.UUID;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.RewriteFiles;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.GenericAppenderFactory;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFileFactory;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./lakehouse maintain} on the inventory stream's tables (raw.inventory_movements, its dead
 * letters, marts.daily_inventory), maintained by default: compaction merges their small files
 * without changing a row (the mart's files sorted by store_id, sku), and expiry keeps the raw
 * snapshots the inventory mart's last caught-up run recorded (movements and POS), so a later {@code
 * mart --mart=inventory --changed-since-last-run} still rebuilds only from the changed date on
 * rather than every date.
 */
class MaintainInventoryTablesTest {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String POS_TOPIC = "pos_maintain_inv";
  private static final String INVENTORY_TOPIC = "inventory_maintain_inv";

  @TempDir Path dataDir;

  @Test
  void compactionKeepsEveryRowAndExpiryKeepsTheInventoryMartsMarks() throws Exception {
    LocalDate start = LocalDate.now(ZoneOffset.UTC).minusDays(6);
    // two batches over the same days: every day partition gets a file from each ingest
    generate(start, 7);
    ingest();
    generate(start, 8);
    ingest();
    JsonNode built = InventoryMartChecks.mart(dataDir);
    assertThat(built.get("committed").asBoolean()).isTrue();
    Table movements = table(InventoryTables.RAW);
    Table mart = table(DailyInventoryTable.DEFINITION);
    splitEveryFileInTwo(mart); // a mart day in several files, as a rolling writer leaves them
    List<String> movementsBefore = rowsOf(movements);
    List<String> deadBefore = rowsOf(table(InventoryTables.DEAD_LETTERS));
    List<String> martBefore = rowsOf(mart);
    long movementFiles = files(movements);
    long martFiles = files(mart);

    JsonNode compacted = maintain("--compact", "--min-age=0s");

    JsonNode perTable = compacted.get("tables");
    assertThat(perTable.has("raw.inventory_movements_dlq")).isTrue();
    assertThat(perTable.get("raw.inventory_movements").get("files_rewritten").asLong())
        .isPositive();
    assertThat(perTable.get("marts.daily_inventory").get("files_rewritten").asLong()).isPositive();
    assertThat(files(movements)).isLessThan(movementFiles).isEqualTo(partitions(movements));
    assertThat(files(mart)).isLessThan(martFiles).isEqualTo(partitions(mart));
    assertThat(rowsOf(movements)).isEqualTo(movementsBefore);
    assertThat(rowsOf(table(InventoryTables.DEAD_LETTERS))).isEqualTo(deadBefore);
    assertThat(rowsOf(mart)).isEqualTo(martBefore);
    assertMartDaysSortedByStoreAndSku(mart);

    // catch up after the compaction (it changed raw's files), then raw moves on: a late receipt
    // for a middle day and a late sale for a later one, both after the mark
    InventoryMartChecks.mart(dataDir, "--changed-since-last-run");
    SortedMap<LocalDate, List<String>> days = InventoryMartChecks.filesPerDate(dataDir);
    List<LocalDate> dates = new ArrayList<>(days.keySet());
    LocalDate lateDay = dates.get(2);
    LocalDate saleDay = dates.get(3);
    LocalDate newest = dates.get(dates.size() - 1);
    sendMovement(lateDay.atTime(23, 59, 59));
    sendSale(saleDay.atTime(23, 59, 59));
    ingest();
    mart.refresh();
    var lastRun = ReplaceMartDays.lastCaughtUpRun(mart);
    long movementMark = Long.parseLong(lastRun.summary().get(ReplaceMartDays.CAUGHT_UP_KEY));
    long posMark = Long.parseLong(lastRun.summary().get(InventoryMartRun.CAUGHT_UP_POS_KEY));
    Table pos = table(RawTable.DEFINITION);
    movements.refresh();
    assertThat(movements.currentSnapshot().snapshotId()).isNotEqualTo(movementMark);
    assertThat(pos.currentSnapshot().snapshotId()).isNotEqualTo(posMark);

    JsonNode expiry = maintain("--expire", "--retain-last=1", "--older-than=0s");

    assertThat(expiry.get("snapshots_expired").asLong()).isPositive();
    movements.refresh();
    pos.refresh();
    assertThat(movements.snapshot(movementMark)).as("the movements mark").isNotNull();
    assertThat(pos.snapshot(posMark)).as("the POS mark").isNotNull();
    assertThat(expiry.get("tables").get("raw.inventory_movements").get("kept_for").toString())
        .contains("the last inventory mart run caught up with");
    assertThat(expiry.get("tables").get("raw.pos_transactions").get("kept_for").toString())
        .contains("the last inventory mart run caught up with");

    JsonNode incremental = InventoryMartChecks.mart(dataDir, "--changed-since-last-run");
    assertThat(incremental.get("mode").asText()).doesNotContain("all").doesNotContain("widened");
    List<String> rebuilt = new ArrayList<>();
    incremental.get("dates").forEach(d -> rebuilt.add(d.asText()));
    assertThat(rebuilt.get(0)).isEqualTo(lateDay.toString());
    assertThat(rebuilt.get(rebuilt.size() - 1)).isEqualTo(newest.toString());
    assertThat(rebuilt).hasSize((int) (newest.toEpochDay() - lateDay.toEpochDay() + 1));
    assertThat(rebuilt.size()).isLessThan(dates.size());
    SortedMap<String, Map<String, Object>> rows = InventoryMartChecks.rows(dataDir, false);
    InventoryMartChecks.mart(dataDir);
    assertThat(InventoryMartChecks.rows(dataDir, false)).as("same as a full build").isEqualTo(rows);
  }

  @Test
  void theInventoryTablesAreFlagsOfTheirOwnAndInTheDefaultSet() {
    assertThat(MaintainedTable.parse("inventory,inventory_mart,inventory_dlq"))
        .containsExactly(
            MaintainedTable.INVENTORY,
            MaintainedTable.INVENTORY_DLQ,
            MaintainedTable.INVENTORY_MART);
    assertThat(MaintainedTable.parse(MaintainedTable.allFlags()))
        .containsExactly(MaintainedTable.values());
    assertThat(MaintainedTable.INVENTORY.sortColumns()).containsExactly("store_id", "event_time");
    assertThat(MaintainedTable.INVENTORY_DLQ.sortColumns()).containsExactly("failed_at");
    assertThat(MaintainedTable.INVENTORY_MART.sortColumns()).containsExactly("store_id", "sku");
    assertThat(
            com.retail.lakehouse.pipelines.run.PipelineArgs.parse(
                    "maintain", new String[0], MaintainOptions.class)
                .getTables())
        .isEqualTo(MaintainedTable.allFlags());
  }

  // ---- helpers

  private void generate(LocalDate start, long seed) {
    assertThat(
            LakehouseCommand.run(
                new String[] {
                  "generate",
                  "--streams=pos,inventory",
                  "--topic=" + POS_TOPIC,
                  "--inventory-topic=" + INVENTORY_TOPIC,
                  "--bootstrap-servers=" + KAFKA.bootstrapServers(),
                  "--data-dir=" + dataDir,
                  "--count=9000",
                  "--stores=2",
                  "--skus=15",
                  "--start=" + start,
                  "--malformed-rate=0.03",
                  "--seed=" + seed
                }))
        .as("generate")
        .isZero();
  }

  private void ingest() throws Exception {
    Path summary = Files.createTempFile(dataDir, "ingest", ".json");
    assertThat(
            LakehouseCommand.run(
                new String[] {
                  "ingest",
                  "--streams=pos,inventory",
                  "--topic=" + POS_TOPIC,
                  "--inventory-topic=" + INVENTORY_TOPIC,
                  "--bootstrap-servers=" + KAFKA.bootstrapServers(),
                  "--data-dir=" + dataDir,
                  "--until-caught-up",
                  "--summary-json=" + summary
                }))
        .as("ingest")
        .isZero();
  }

  private JsonNode maintain(String... flags) throws Exception {
    Path summary = Files.createTempFile(dataDir, "maintain", ".json");
    List<String> args = new ArrayList<>(List.of("maintain", "--data-dir=" + dataDir));
    args.addAll(List.of(flags));
    args.add("--summary-json=" + summary);
    assertThat(LakehouseCommand.run(args.toArray(String[]::new))).as("maintain").isZero();
    return JSON.readTree(Files.readString(summary));
  }

  private Table table(TableDefinition definition) {
    Table table =
        CatalogSettings.of(
                CatalogSettings.Kind.HADOOP,
                dataDir.resolve("warehouse").toAbsolutePath().toString(),
                null,
                Map.of())
            .catalog()
            .loadTable(definition.identifier());
    table.refresh();
    return table;
  }

  /** Every row as text, sorted: equal lists mean the same rows, each as often. */
  private List<String> rowsOf(Table table) {
    return new LakehouseTables(dataDir)
        .rows(definitionOf(table)).stream().map(Record::toString).sorted().toList();
  }

  private static TableDefinition definitionOf(Table table) {
    for (TableDefinition d :
        List.of(
            InventoryTables.RAW,
            InventoryTables.DEAD_LETTERS,
            DailyInventoryTable.DEFINITION,
            RawTable.DEFINITION)) {
      if (table.name().endsWith(d.identifier().toString())) {
        return d;
      }
    }
    throw new IllegalArgumentException("not an inventory table: " + table.name());
  }

  private static long files(Table table) {
    table.refresh();
    return Long.parseLong(table.currentSnapshot().summary().get("total-data-files"));
  }

  private static long partitions(Table table) throws Exception {
    try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
      java.util.Set<String> partitions = new java.util.HashSet<>();
      tasks.forEach(t -> partitions.add(table.spec().partitionToPath(t.file().partition())));
      return partitions.size();
    }
  }

  /** Rewrites every data file of {@code table} as two files with its rows split, in one commit. */
  private static void splitEveryFileInTwo(Table table) throws Exception {
    GenericAppenderFactory appenders = new GenericAppenderFactory(table.schema(), table.spec());
    OutputFileFactory outputs =
        OutputFileFactory.builderFor(table, 0, 1)
            .format(FileFormat.PARQUET)
            .operationId(UUID.randomUUID().toString())
            .build();
    RewriteFiles rewrite = table.newRewrite();
    try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
      for (FileScanTask task : tasks) {
        DataFile file = task.file();
        List<Record> rows = new ArrayList<>();
        try (CloseableIterable<Record> read =
            IcebergGenerics.read(table)
                .where(
                    Expressions.equal(
                        DailyInventoryTable.STOCK_DATE,
                        LocalDate.ofEpochDay((Integer) file.partition().get(0, Integer.class))
                            .toString()))
                .build()) {
          read.forEach(r -> rows.add(r.copy()));
        }
        rewrite.deleteFile(file);
        int half = rows.size() / 2;
        for (List<Record> part : List.of(rows.subList(0, half), rows.subList(half, rows.size()))) {
          DataWriter<Record> writer =
              appenders.newDataWriter(
                  outputs.newOutputFile(table.spec(), file.partition()),
                  FileFormat.PARQUET,
                  file.partition());
          try (writer) {
            part.forEach(writer::write);
          }
          rewrite.addFile(writer.toDataFile());
        }
      }
    }
    rewrite.commit();
  }

  /** Each compacted mart day (one file each) holds its rows in store_id, sku order. */
  private static void assertMartDaysSortedByStoreAndSku(Table mart) throws Exception {
    try (CloseableIterable<FileScanTask> tasks = mart.newScan().planFiles()) {
      for (FileScanTask task : tasks) {
        String day =
            LocalDate.ofEpochDay((Integer) task.file().partition().get(0, Integer.class))
                .toString();
        List<String> keys = new ArrayList<>();
        try (CloseableIterable<Record> rows =
            IcebergGenerics.read(mart)
                .where(Expressions.equal(DailyInventoryTable.STOCK_DATE, day))
                .build()) {
          rows.forEach(r -> keys.add(r.getField("store_id") + "|" + r.getField("sku")));
        }
        assertThat(keys).as("mart day " + day).isNotEmpty().isSorted();
      }
    }
  }

  private static void sendMovement(LocalDateTime when) throws Exception {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("movement_id", "LATE-RECEIPT-1");
    m.put("store_id", "S001");
    m.put("sku", "SKU-00003");
    m.put("movement_type", "RECEIPT");
    m.put("quantity", 5);
    m.put("unit_cost", "2.50");
    m.put("reason", null);
    m.put("reference", "PO-LATE");
    m.put("event_time", PosEventJson.formatEventTime(when.toInstant(ZoneOffset.UTC)));
    send(INVENTORY_TOPIC, "S001", JSON.writeValueAsBytes(m));
  }

  private static void sendSale(LocalDateTime when) throws Exception {
    com.retail.lakehouse.transforms.event.PosEvent sale =
        new com.retail.lakehouse.transforms.event.PosEvent(
            "E-LATE-T1",
            "LATE-T1",
            1,
            com.retail.lakehouse.transforms.event.EventType.SALE,
            "S002",
            "S002-R1",
            "S002-C01",
            "Late Product",
            "SKU-00004",
            "Dairy",
            2,
            new java.math.BigDecimal("1.99"),
            new java.math.BigDecimal("0.00"),
            new java.math.BigDecimal("3.98"),
            "USD",
            "CARD",
            null,
            when.toInstant(ZoneOffset.UTC));
    send(POS_TOPIC, "S002", PosEventJson.toJson(sale));
  }

  private static void send(String topic, String key, byte[] value) throws Exception {
    Properties props = new Properties();
    props.put("bootstrap.servers", KAFKA.bootstrapServers());
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value)).get();
    }
  }
}
