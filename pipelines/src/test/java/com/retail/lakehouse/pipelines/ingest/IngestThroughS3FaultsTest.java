package com.retail.lakehouse.pipelines.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.retail.lakehouse.generator.GenerateRun;
import com.retail.lakehouse.generator.GeneratorConfig;
import com.retail.lakehouse.generator.Manifest;
import com.retail.lakehouse.generator.ProgressSink;
import com.retail.lakehouse.localkafka.KafkaBrokerExtension;
import com.retail.lakehouse.locals3.S3ServerExtension;
import com.retail.lakehouse.pipelines.conformance.CommandRun;
import com.retail.lakehouse.pipelines.conformance.LakehouseTables;
import com.retail.lakehouse.pipelines.s3.FaultyS3Endpoint;
import com.retail.lakehouse.pipelines.s3.FaultyS3Endpoint.Fault;
import com.retail.lakehouse.pipelines.s3.FaultyS3Endpoint.Request;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import com.retail.lakehouse.transforms.tables.DeadLetterTable;
import com.retail.lakehouse.transforms.tables.RawTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.ManifestFiles;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ingest into S3 while the object store fails: a real broker, a real S3 server (S3Proxy), and
 * {@link FaultyS3Endpoint} in between as S3FileIO's {@code s3.endpoint}. Transient resets and
 * {@code 503 SlowDown} on data-file, manifest and table-metadata PUTs are retried away and the
 * tables equal the generator's manifest; a fault that stays fails the run with a one-line error
 * (and no new snapshot when it strikes before the commits), and the run after it is lifted is
 * exact; no committed snapshot ever references an object missing from the bucket.
 *
 * <p>Retries are the AWS SDK's own, with no settings (Iceberg 1.6's S3FileIO has no retry
 * properties): its default legacy mode makes 4 attempts per request, the standard mode that a user
 * may choose ({@code AWS_RETRY_MODE}, or {@code retry_mode} in an AWS profile) 3; so a transient
 * fault here is at most two failures in a row for one request.
 */
class IngestThroughS3FaultsTest {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();
  @RegisterExtension static final S3ServerExtension S3 = new S3ServerExtension();

  private static final String[] AWS_PROPERTIES = {
    "aws.accessKeyId", "aws.secretAccessKey", "aws.region"
  };
  private static final Map<String, String> SAVED = new HashMap<>();
  private static final List<TableIdentifier> TABLES =
      List.of(RawTable.DEFINITION.identifier(), DeadLetterTable.DEFINITION.identifier());

  @TempDir Path dataDir;

  /** A new endpoint per test, so that its counts are the test's own. */
  private FaultyS3Endpoint s3;

  @BeforeAll
  static void setCredentials() {
    for (String key : AWS_PROPERTIES) {
      SAVED.put(key, System.getProperty(key));
    }
    System.setProperty("aws.accessKeyId", S3.accessKey());
    System.setProperty("aws.secretAccessKey", S3.secretKey());
    System.setProperty("aws.region", "us-east-1");
  }

  @AfterAll
  static void restoreCredentials() {
    SAVED.forEach(
        (key, value) -> {
          if (value == null) {
            System.clearProperty(key);
          } else {
            System.setProperty(key, value);
          }
        });
  }

  @BeforeEach
  void startFaultyEndpoint() throws IOException {
    s3 = FaultyS3Endpoint.inFrontOf(S3.endpoint());
  }

  @AfterEach
  void stopFaultyEndpoint() throws IOException {
    s3.close();
  }

  @Test
  void transientResetsAndSlowDownsOnEveryKindOfWriteAreRetriedAndTheTablesEqualTheManifest()
      throws Exception {
    String topic = "s3-faults-transient";
    Manifest sent = generate(topic, 13, null);
    // Two faults in a row per kind of write, each fault on two kinds.
    Map<Request, List<Fault>> plan =
        Map.of(
            Request.DATA_FILE_PUT,
            List.of(Fault.RESET_BEFORE_FORWARDING, Fault.SLOW_DOWN),
            Request.MANIFEST_PUT,
            List.of(Fault.RESET_AFTER_SERVER_ANSWERED, Fault.SLOW_DOWN),
            Request.TABLE_METADATA_PUT,
            List.of(Fault.RESET_BEFORE_FORWARDING, Fault.RESET_AFTER_SERVER_ANSWERED));
    plan.forEach((write, faults) -> faults.forEach(fault -> s3.inject(fault, write, 1)));

    CommandRun run = ingest(topic, "transient", "summary.json");

    assertThat(run.code()).as(run.stderr()).isZero();
    JsonNode summary =
        new ObjectMapper().readTree(Files.readString(dataDir.resolve("summary.json")));
    assertThat(summary.get("read").asLong()).isEqualTo(sent.counts().sent());
    assertThat(summary.get("raw_written").asLong()).isEqualTo(sent.counts().valid());
    assertThat(summary.get("dead_letters").asLong()).isEqualTo(sent.counts().malformed());
    assertThat(summary.get("duplicates_dropped").asLong()).isEqualTo(sent.counts().duplicates());
    assertThat(summary.get("unaccounted").asLong()).isZero();
    plan.forEach(
        (write, faults) ->
            faults.forEach(
                fault ->
                    assertThat(s3.injected(fault, write))
                        .as("%s on %s happened", fault, write)
                        .isEqualTo(1)));
    CatalogSettings catalog = catalog("transient");
    assertTablesHoldExactly(catalog, List.of(sent));
    assertNoSnapshotReferencesAMissingObject(catalog);
  }

  @Test
  void aFaultThatStaysFailsTheRunInOneLineAndTheRunAfterItIsExact() throws Exception {
    String topic = "s3-faults-persistent";
    // Two batches on different days, so that no receipt number of the second is one of the first.
    Manifest first =
        generate(
            topic, 21, LocalDate.now(ZoneOffset.UTC).minusDays(2).atStartOfDay(ZoneOffset.UTC));
    assertThat(ingest(topic, "persistent", "first.json").code()).isZero();
    Manifest second = generate(topic, 22, null);
    CatalogSettings catalog = catalog("persistent");
    Map<TableIdentifier, List<Long>> snapshotsOfFirst = snapshotIds(catalog);

    // Faults that fail a run before any commit starts, then one that fails a commit itself.
    record Persistent(Fault fault, Request write, boolean beforeAnyCommit) {}
    for (Persistent p :
        List.of(
            new Persistent(Fault.RESET_BEFORE_FORWARDING, Request.DATA_FILE_PUT, true),
            new Persistent(Fault.SLOW_DOWN, Request.TABLE_METADATA_PUT, true),
            new Persistent(Fault.RESET_AFTER_SERVER_ANSWERED, Request.MANIFEST_PUT, false))) {
      s3.inject(p.fault(), p.write(), FaultyS3Endpoint.FOREVER);

      CommandRun run = ingest(topic, "persistent", "failed.json");

      s3.liftFaults();
      assertThat(run.code()).as("%s on every %s: %s", p.fault(), p.write(), run.stderr()).isOne();
      assertOneLineError(run.stderr());
      assertThat(s3.injected(p.fault(), p.write())).as("%s happened", p).isPositive();
      if (p.beforeAnyCommit()) {
        assertThat(snapshotIds(catalog)).as("no new snapshot").isEqualTo(snapshotsOfFirst);
      }
      // A failed commit of one table does not stop the other's, which the DirectRunner lets run
      // on after the command returned: it may land (the next run then starts from it, as after a
      // crash between the two commits) or be fenced by the next run's claim. Either way, nothing
      // committed may reference an object that is not there.
      assertNoSnapshotReferencesAMissingObject(catalog);
    }

    CommandRun after = ingest(topic, "persistent", "after.json");

    assertThat(after.code()).as(after.stderr()).isZero();
    JsonNode summary = new ObjectMapper().readTree(Files.readString(dataDir.resolve("after.json")));
    assertThat(summary.get("read").asLong()).isEqualTo(second.counts().sent());
    assertThat(summary.get("unaccounted").asLong()).isZero();
    assertTablesHoldExactly(catalog, List.of(first, second));
    assertNoSnapshotReferencesAMissingObject(catalog);
  }

  private Manifest generate(String topic, long seed, ZonedDateTime start) throws Exception {
    GeneratorConfig.Builder config =
        GeneratorConfig.builder()
            .seed(seed)
            .topic(topic)
            .count(2000)
            .malformedRate(0.02)
            .duplicateRate(0.02)
            .lateRate(0.02);
    if (start != null) {
      config.start(start.toInstant());
    }
    Manifest manifest =
        GenerateRun.run(config.build(), KAFKA.bootstrapServers(), ProgressSink.none());
    assertThat(manifest.counts().malformed()).isPositive();
    assertThat(manifest.counts().duplicates()).isPositive();
    return manifest;
  }

  /** One catch-up ingest with S3FileIO pointed at the faulty endpoint. */
  private CommandRun ingest(String topic, String warehouse, String summaryName) {
    return CommandRun.of(
        "ingest",
        "--until-caught-up",
        "--topic=" + topic,
        "--bootstrap-servers=" + KAFKA.bootstrapServers(),
        "--data-dir=" + dataDir,
        "--catalog=jdbc",
        "--catalog-uri=" + catalogUri(warehouse),
        "--warehouse=" + warehouseUri(warehouse),
        "--catalog-properties="
            + s3Properties(s3.endpoint()).entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(",")),
        "--summary-json=" + dataDir.resolve(summaryName));
  }

  /**
   * The catalog the ingest runs use, for the checks (with the faults lifted). The very instance:
   * {@link CatalogSettings#catalog()} keeps one per settings and JVM, and a second JDBC catalog
   * opened on the existing SQLite file would hold a read lock for its lifetime (Iceberg 1.6.1's
   * JdbcCatalog leaves its start-up metadata queries open), failing the next run's commit with
   * SQLITE_BUSY.
   */
  private CatalogSettings catalog(String warehouse) {
    return CatalogSettings.of(
        CatalogSettings.Kind.JDBC,
        warehouseUri(warehouse),
        catalogUri(warehouse),
        s3Properties(s3.endpoint()));
  }

  private String catalogUri(String warehouse) {
    return "jdbc:sqlite:" + dataDir.resolve(warehouse + ".db").toAbsolutePath();
  }

  private static String warehouseUri(String warehouse) {
    return "s3://" + S3.bucket() + "/" + warehouse;
  }

  private static Map<String, String> s3Properties(String endpoint) {
    Map<String, String> properties = new LinkedHashMap<>();
    properties.put("io-impl", "org.apache.iceberg.aws.s3.S3FileIO");
    properties.put("s3.endpoint", endpoint);
    properties.put("s3.path-style-access", "true");
    return properties;
  }

  /** The command's failure is its last stderr line, and nothing it printed is a stack trace. */
  private static void assertOneLineError(String stderr) {
    List<String> lines = stderr.lines().toList();
    assertThat(lines).isNotEmpty();
    assertThat(lines.get(lines.size() - 1)).startsWith("lakehouse ingest: failed: ");
    assertThat(lines).noneMatch(l -> l.startsWith("\tat ") || l.startsWith("Caused by: "));
  }

  /**
   * Raw holds each valid line of the batches once (no sale line, no Kafka message twice), the DLQ
   * each malformed message once, by reason.
   */
  private static void assertTablesHoldExactly(CatalogSettings catalog, List<Manifest> batches) {
    LakehouseTables tables = new LakehouseTables(catalog);
    List<Record> raw = tables.raw();
    Set<String> lines = new HashSet<>();
    Set<String> offsets = new HashSet<>();
    for (Record r : raw) {
      assertThat(lines.add(r.getField("transaction_id") + "#" + r.getField("line_number")))
          .as("no sale line twice in raw")
          .isTrue();
      assertThat(offsets.add(r.getField("kafka_partition") + "@" + r.getField("kafka_offset")))
          .as("no Kafka message twice in raw")
          .isTrue();
    }
    assertThat(raw).hasSize((int) batches.stream().mapToLong(m -> m.counts().valid()).sum());

    Map<String, Long> expectedByReason = new TreeMap<>();
    batches.forEach(
        m -> m.malformedByReason().forEach((k, v) -> expectedByReason.merge(k, v, Long::sum)));
    Map<String, Long> byReason = new TreeMap<>();
    Set<String> deadOffsets = new HashSet<>();
    for (Record r : tables.deadLetters()) {
      byReason.merge((String) r.getField(DeadLetterTable.REASON), 1L, Long::sum);
      assertThat(deadOffsets.add(r.getField("kafka_partition") + "@" + r.getField("kafka_offset")))
          .as("no Kafka message twice in the DLQ")
          .isTrue();
    }
    assertThat(byReason).isEqualTo(expectedByReason);
  }

  private static Map<TableIdentifier, List<Long>> snapshotIds(CatalogSettings catalog) {
    Map<TableIdentifier, List<Long>> ids = new LinkedHashMap<>();
    for (TableIdentifier id : TABLES) {
      Table table = catalog.catalog().loadTable(id);
      table.refresh();
      List<Long> snapshots = new ArrayList<>();
      table.snapshots().forEach(s -> snapshots.add(s.snapshotId()));
      ids.put(id, snapshots);
    }
    return ids;
  }

  /**
   * For both tables: the current metadata file and, for every snapshot, its manifest list, its
   * manifests and each data file they list are objects in the bucket, as the server's own storage
   * shows.
   */
  private static void assertNoSnapshotReferencesAMissingObject(CatalogSettings catalog)
      throws IOException {
    Set<String> objects = new HashSet<>(S3.keys(""));
    for (TableIdentifier id : TABLES) {
      Table table = catalog.catalog().loadTable(id);
      table.refresh();
      assertThat(table.snapshots()).isNotEmpty();
      assertThat(objects)
          .contains(
              key(((HasTableOperations) table).operations().current().metadataFileLocation()));
      for (Snapshot snapshot : table.snapshots()) {
        String where = id + " snapshot " + snapshot.snapshotId();
        assertThat(objects).as(where).contains(key(snapshot.manifestListLocation()));
        for (ManifestFile manifest : snapshot.allManifests(table.io())) {
          assertThat(objects).as(where).contains(key(manifest.path()));
          try (CloseableIterable<DataFile> files = ManifestFiles.read(manifest, table.io())) {
            for (DataFile file : files) {
              assertThat(objects).as(where).contains(key(file.path().toString()));
            }
          }
        }
      }
    }
  }

  /** The object key of an {@code s3://bucket/key} location. */
  private static String key(String location) {
    String prefix = "s3://" + S3.bucket() + "/";
    assertThat(location).startsWith(prefix);
    return location.substring(prefix.length());
  }
}
