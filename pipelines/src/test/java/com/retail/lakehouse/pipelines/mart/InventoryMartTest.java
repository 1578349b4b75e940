package com.retail.lakehouse.pipelines.mart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.retail.lakehouse.generator.Manifest;
import com.retail.lakehouse.localkafka.KafkaBrokerExtension;
import com.retail.lakehouse.pipelines.cli.LakehouseCommand;
import com.retail.lakehouse.pipelines.conformance.InventoryMartChecks;
import com.retail.lakehouse.transforms.event.EventType;
import com.retail.lakehouse.transforms.event.PosEvent;
import com.retail.lakehouse.transforms.event.PosEventJson;
import com.retail.lakehouse.transforms.tables.DailyInventoryTable;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SortedMap;
import org.apache.iceberg.Snapshot;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * marts.daily_inventory on the DirectRunner against the simulator: after {@code generate
 * --streams=pos,inventory --inventory-manifest=full} and a two-stream ingest, {@code mart
 * --mart=inventory} holds exactly the manifest's closing stock of every (store, sku, day) and its
 * per store/day totals; a re-run changes nothing; a late movement for a middle day D makes {@code
 * --changed-since-last-run} rewrite exactly the days D..newest (the others keep their files) with
 * the result of a full rebuild.
 */
class InventoryMartTest {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String POS_TOPIC = "pos_inv_mart";
  private static final String INVENTORY_TOPIC = "inventory_inv_mart";

  @TempDir Path dataDir;

  @Test
  void martMatchesTheManifestAndALateMovementRebuildsFromItsDayOn() throws Exception {
    assertThat(
            LakehouseCommand.run(
                new String[] {
                  "generate",
                  "--streams=pos,inventory",
                  "--inventory-manifest=full",
                  "--topic=" + POS_TOPIC,
                  "--inventory-topic=" + INVENTORY_TOPIC,
                  "--bootstrap-servers=" + KAFKA.bootstrapServers(),
                  "--data-dir=" + dataDir,
                  "--count=20000",
                  "--stores=3",
                  "--skus=40",
                  "--start=" + LocalDate.now(ZoneOffset.UTC).minusDays(8),
                  "--malformed-rate=0.03",
                  "--duplicate-rate=0.03",
                  "--seed=7"
                }))
        .isZero();
    Path manifestFile;
    try (var files = Files.list(dataDir.resolve("manifests"))) {
      manifestFile = files.filter(f -> f.toString().endsWith(".json")).findFirst().get();
    }
    Manifest manifest = Manifest.read(manifestFile);
    String csvName = manifest.inventory().closingStock().csv();
    assertThat(csvName).as("--inventory-manifest=full names the CSV").isNotNull();
    List<String> csv = Files.readAllLines(manifestFile.resolveSibling(csvName));
    ingest("ingest-1.json");

    JsonNode first = InventoryMartChecks.mart(dataDir);
    assertThat(first.get("committed").asBoolean()).isTrue();
    SortedMap<String, Map<String, Object>> rows = InventoryMartChecks.rows(dataDir, false);
    assertThat(InventoryMartChecks.assertClosingStockEquals(rows, csv))
        .isEqualTo(manifest.inventory().closingStock().rows());
    InventoryMartChecks.assertDailyTotalsEqual(rows, manifest.inventory().expectedDaily());
    InventoryMartChecks.assertOpeningsCarry(rows);
    assertThat(rows.values())
        .as("some keys hold a unit cost and a closing value")
        .anySatisfy(r -> assertThat(r.get(DailyInventoryTable.CLOSING_VALUE)).isNotNull());

    // idempotent: a second full run replaces every row with the same values
    JsonNode again = InventoryMartChecks.mart(dataDir);
    assertThat(InventoryMartChecks.rows(dataDir, false)).isEqualTo(rows);
    Snapshot rerun = InventoryMartChecks.martTable(dataDir).currentSnapshot();
    assertThat(rerun.snapshotId()).isEqualTo(again.get("snapshot_id").asLong());
    assertThat(rerun.summary().get("deleted-records"))
        .isEqualTo(rerun.summary().get("added-records"));
    // nothing changed in raw: nothing to do
    JsonNode idle = InventoryMartChecks.mart(dataDir, "--changed-since-last-run");
    assertThat(idle.get("committed").asBoolean()).isFalse();

    // a late RECEIPT for a middle day D
    List<String> dates = rows.keySet().stream().map(k -> k.substring(0, 10)).distinct().toList();
    LocalDate lateDay = LocalDate.parse(dates.get(dates.size() / 2));
    LocalDate newest = LocalDate.parse(dates.get(dates.size() - 1));
    sendMovement("LATE-1", "S002", "SKU-00007", "RECEIPT", 7, lateDay.atTime(23, 59, 59));
    assertThat(ingest("ingest-2.json").get("raw_written").asLong()).isZero(); // POS side
    SortedMap<LocalDate, List<String>> filesBefore = InventoryMartChecks.filesPerDate(dataDir);

    JsonNode late = InventoryMartChecks.mart(dataDir, "--changed-since-last-run");
    assertThat(late.get("committed").asBoolean()).isTrue();
    assertThat(late.get("opening_from").asText()).isEqualTo(lateDay.minusDays(1).toString());
    List<String> rebuilt =
        JSON.convertValue(
            late.get("dates"),
            JSON.getTypeFactory().constructCollectionType(List.class, String.class));
    assertThat(rebuilt.get(0)).isEqualTo(lateDay.toString());
    assertThat(rebuilt.get(rebuilt.size() - 1)).isEqualTo(newest.toString());
    assertThat(rebuilt).hasSize((int) (newest.toEpochDay() - lateDay.toEpochDay() + 1));
    SortedMap<LocalDate, List<String>> filesAfter = InventoryMartChecks.filesPerDate(dataDir);
    assertThat(filesAfter.keySet()).isEqualTo(filesBefore.keySet());
    filesBefore.forEach(
        (day, files) -> {
          if (day.isBefore(lateDay)) {
            assertThat(filesAfter.get(day)).as("untouched day " + day).isEqualTo(files);
          } else {
            assertThat(filesAfter.get(day))
                .as("rewritten day " + day)
                .doesNotContainAnyElementsOf(files);
          }
        });
    SortedMap<String, Map<String, Object>> incremental = InventoryMartChecks.rows(dataDir, false);
    String key = lateDay + "|S002|SKU-00007";
    long receivedBefore =
        rows.containsKey(key) ? (Long) rows.get(key).get(DailyInventoryTable.RECEIVED_UNITS) : 0;
    assertThat(incremental.get(key).get(DailyInventoryTable.RECEIVED_UNITS))
        .isEqualTo(receivedBefore + 7);
    long was =
        rows.containsKey(key) ? (Long) rows.get(key).get(DailyInventoryTable.CLOSING_UNITS) : 0;
    assertThat(incremental.get(key).get(DailyInventoryTable.CLOSING_UNITS))
        .as("the late receipt is the day's last event")
        .isEqualTo(was + 7);
    // the same as a full rebuild from the first date
    InventoryMartChecks.mart(dataDir);
    assertThat(InventoryMartChecks.rows(dataDir, false)).isEqualTo(incremental);
    InventoryMartChecks.assertOpeningsCarry(incremental);

    // a late POS sale for the second day: only raw.pos_transactions changed, and the rebuild
    // starts there
    LocalDate saleDay = LocalDate.parse(dates.get(1));
    sendSale("LATE-T1", "S001", "SKU-00003", 2, saleDay.atTime(23, 59, 59));
    assertThat(ingest("ingest-3.json").get("raw_written").asLong()).isEqualTo(1);
    SortedMap<String, Map<String, Object>> beforeSale = InventoryMartChecks.rows(dataDir, false);
    JsonNode afterSale = InventoryMartChecks.mart(dataDir, "--changed-since-last-run");
    assertThat(afterSale.get("dates").get(0).asText()).isEqualTo(saleDay.toString());
    assertThat(afterSale.get("dates").size())
        .isEqualTo((int) (newest.toEpochDay() - saleDay.toEpochDay() + 1));
    SortedMap<String, Map<String, Object>> withSale = InventoryMartChecks.rows(dataDir, false);
    String saleKey = saleDay + "|S001|SKU-00003";
    assertThat(withSale.get(saleKey).get(DailyInventoryTable.SOLD_UNITS))
        .isEqualTo((Long) beforeSale.get(saleKey).get(DailyInventoryTable.SOLD_UNITS) + 2);
    assertThat(withSale.get(saleKey).get(DailyInventoryTable.CLOSING_UNITS))
        .isEqualTo((Long) beforeSale.get(saleKey).get(DailyInventoryTable.CLOSING_UNITS) - 2);
    InventoryMartChecks.mart(dataDir);
    assertThat(InventoryMartChecks.rows(dataDir, false)).isEqualTo(withSale);
  }

  private static void sendSale(
      String transactionId, String store, String sku, int quantity, java.time.LocalDateTime when)
      throws Exception {
    PosEvent sale =
        new PosEvent(
            "E-" + transactionId,
            transactionId,
            1,
            EventType.SALE,
            store,
            store + "-R1",
            store + "-C01",
            "Late Product",
            sku,
            "Dairy",
            quantity,
            new BigDecimal("1.99"),
            new BigDecimal("0.00"),
            new BigDecimal("1.99").multiply(BigDecimal.valueOf(quantity)),
            "USD",
            "CARD",
            null,
            when.toInstant(ZoneOffset.UTC));
    send(POS_TOPIC, store, PosEventJson.toJson(sale));
  }

  private static void send(String topic, String key, byte[] value) throws Exception {
    Properties props = new Properties();
    props.put("bootstrap.servers", KAFKA.bootstrapServers());
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value)).get();
    }
  }

  @Test
  void withoutTheMovementsTableItSaysRunTheTwoStreamIngestFirst() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream original = System.err;
    int code;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      code = InventoryMartChecks.martExitCode(dataDir, dataDir.resolve("none.json"));
    } finally {
      System.setErr(original);
    }
    assertThat(code).isEqualTo(MartCommand.NO_RAW_TABLE);
    // the command's own lines: not what other threads log meanwhile (e.g. a Kafka client of an
    // earlier test's job, still retrying a broker that test stopped)
    String said =
        err.toString(StandardCharsets.UTF_8)
            .lines()
            .filter(line -> !line.startsWith("["))
            .collect(java.util.stream.Collectors.joining("\n"))
            .strip();
    assertThat(said)
        .hasLineCount(1)
        .contains("raw.inventory_movements does not exist")
        .endsWith("run ./lakehouse ingest --streams pos,inventory first");
  }

  @Test
  void anUnknownMartIsAUsageError() {
    assertThat(LakehouseCommand.run(new String[] {"mart", "--mart=stock", "--data-dir=" + dataDir}))
        .isEqualTo(2);
  }

  private JsonNode ingest(String summaryName) throws Exception {
    Path summary = dataDir.resolve(summaryName);
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
        .isZero();
    return JSON.readTree(summary.toFile());
  }

  private static void sendMovement(
      String id, String store, String sku, String type, int quantity, java.time.LocalDateTime when)
      throws Exception {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("movement_id", id);
    m.put("store_id", store);
    m.put("sku", sku);
    m.put("movement_type", type);
    m.put("quantity", quantity);
    m.put("unit_cost", "2.50");
    m.put("reason", null);
    m.put("reference", "PO-LATE");
    m.put("event_time", PosEventJson.formatEventTime(when.toInstant(ZoneOffset.UTC)));
    send(INVENTORY_TOPIC, store, JSON.writeValueAsBytes(m));
  }
}
