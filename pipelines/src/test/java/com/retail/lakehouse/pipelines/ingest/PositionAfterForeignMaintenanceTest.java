package com.retail.lakehouse.pipelines.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.retail.lakehouse.generator.GenerateRun;
import com.retail.lakehouse.generator.GeneratorConfig;
import com.retail.lakehouse.generator.Manifest;
import com.retail.lakehouse.generator.ProgressSink;
import com.retail.lakehouse.localkafka.KafkaBrokerExtension;
import com.retail.lakehouse.pipelines.cli.LakehouseCommand;
import com.retail.lakehouse.pipelines.conformance.CommandRun;
import com.retail.lakehouse.pipelines.conformance.LakehouseTables;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import com.retail.lakehouse.transforms.tables.DeadLetterTable;
import com.retail.lakehouse.transforms.tables.RawTable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.PartitionKey;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.GenericAppenderFactory;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.InternalRecordWrapper;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.DataWriter;
import org.apache.iceberg.io.OutputFileFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Table maintenance by another engine (a compaction through Iceberg's own rewrite API, then
 * snapshot expiry) removes the snapshots that recorded ingest's Kafka position. Ingest must not
 * start over silently: it stops with a one-line error naming the way out, and {@code
 * --recover-position} takes the position from the rows; the counts then match the generator's
 * manifests exactly.
 */
class PositionAfterForeignMaintenanceTest {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

  private static final String TOPIC = "maintained";

  @TempDir Path dataDir;

  private int ingest(String... extra) {
    List<String> args = new ArrayList<>();
    args.add("ingest");
    args.add("--until-caught-up");
    args.add("--topic=" + TOPIC);
    args.add("--bootstrap-servers=" + KAFKA.bootstrapServers());
    args.add("--data-dir=" + dataDir);
    args.addAll(List.of(extra));
    return LakehouseCommand.run(args.toArray(String[]::new));
  }

  private static Manifest generate(long count, long seed) throws Exception {
    return GenerateRun.run(
        GeneratorConfig.builder()
            .seed(seed)
            .count(count)
            .topic(TOPIC)
            .malformedRate(0.02)
            .duplicateRate(0.02)
            .build(),
        KAFKA.bootstrapServers(),
        ProgressSink.none());
  }

  @Test
  void positionLostToForeignCompactionAndExpiryStopsIngestUntilRecovered() throws Exception {
    Manifest first = generate(1500, 5);
    assertThat(ingest()).isZero();
    CatalogSettings catalog =
        CatalogSettings.of(
            CatalogSettings.Kind.HADOOP, dataDir.resolve("warehouse").toString(), null, Map.of());
    for (Table table :
        List.of(
            catalog.catalog().loadTable(RawTable.DEFINITION.identifier()),
            catalog.catalog().loadTable(DeadLetterTable.DEFINITION.identifier()))) {
      compactEveryPartition(table);
      table.expireSnapshots().retainLast(1).expireOlderThan(System.currentTimeMillis()).commit();
      table.refresh();
      assertThat(table.snapshots()).hasSize(1);
    }
    Manifest second = generate(1000, 6);

    CommandRun refused =
        CommandRun.of(
            "ingest",
            "--until-caught-up",
            "--topic=" + TOPIC,
            "--bootstrap-servers=" + KAFKA.bootstrapServers(),
            "--data-dir=" + dataDir);
    assertThat(refused.code()).isEqualTo(1);
    assertThat(refused.stderr())
        .contains("Kafka position of this table was in a snapshot that has been expired");

    assertThat(ingest("--recover-position")).isZero();

    LakehouseTables tables = new LakehouseTables(catalog);
    List<Record> raw = tables.raw();
    Set<String> lines = new HashSet<>();
    raw.forEach(r -> lines.add(r.getField("transaction_id") + "#" + r.getField("line_number")));
    assertThat(lines).hasSize(raw.size()); // nothing landed twice
    assertThat(raw).hasSize((int) (first.counts().valid() + second.counts().valid()));
    assertThat(tables.deadLetters())
        .hasSize((int) (first.counts().malformed() + second.counts().malformed()));
  }

  /**
   * What a foreign engine's compaction does, through Iceberg's own API: every partition's rows
   * rewritten into one new file, committed with {@code newRewrite()} (no ingest summary keys).
   */
  private static void compactEveryPartition(Table table) throws IOException {
    table.refresh();
    Set<DataFile> old = new HashSet<>();
    try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
      tasks.forEach(t -> old.add(t.file()));
    }
    InternalRecordWrapper wrapper = new InternalRecordWrapper(table.schema().asStruct());
    Map<PartitionKey, List<Record>> byPartition = new HashMap<>();
    try (CloseableIterable<Record> rows = IcebergGenerics.read(table).build()) {
      for (Record r : rows) {
        PartitionKey key = new PartitionKey(table.spec(), table.schema());
        key.partition(wrapper.wrap(r));
        byPartition.computeIfAbsent(key, k -> new ArrayList<>()).add(r.copy());
      }
    }
    OutputFileFactory files =
        OutputFileFactory.builderFor(table, 1, 1).format(FileFormat.PARQUET).build();
    GenericAppenderFactory appenders = new GenericAppenderFactory(table.schema(), table.spec());
    Set<DataFile> rewritten = new HashSet<>();
    for (Map.Entry<PartitionKey, List<Record>> e : byPartition.entrySet()) {
      DataWriter<Record> writer =
          appenders.newDataWriter(
              files.newOutputFile(table.spec(), e.getKey()), FileFormat.PARQUET, e.getKey());
      try (writer) {
        e.getValue().forEach(writer::write);
      }
      rewritten.add(writer.toDataFile());
    }
    table.newRewrite().rewriteFiles(old, rewritten).commit();
  }
}
