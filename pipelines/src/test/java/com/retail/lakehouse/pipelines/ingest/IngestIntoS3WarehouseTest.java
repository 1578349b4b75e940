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
import com.retail.lakehouse.pipelines.cli.LakehouseCommand;
import com.retail.lakehouse.pipelines.conformance.LakehouseTables;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import com.retail.lakehouse.transforms.tables.RawTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The production S3 path against a real S3-compatible server: generator -> Kafka -> ingest with a
 * JDBC catalog (SQLite file) and Iceberg's S3FileIO on S3Proxy -> tables read back through the same
 * catalog, and the Parquet files found in the object store itself.
 *
 * <p>As in production, credentials are not catalog properties: they come from the AWS default
 * provider chain, here its system-property source ({@code aws.accessKeyId}, ...).
 */
class IngestIntoS3WarehouseTest {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();
  @RegisterExtension static final S3ServerExtension S3 = new S3ServerExtension();

  private static final String[] AWS_PROPERTIES = {
    "aws.accessKeyId", "aws.secretAccessKey", "aws.region"
  };
  private static final Map<String, String> SAVED = new HashMap<>();

  @TempDir static Path dataDir;

  static Manifest manifest;

  @BeforeAll
  static void generateAndSetCredentials() throws Exception {
    for (String key : AWS_PROPERTIES) {
      SAVED.put(key, System.getProperty(key));
    }
    System.setProperty("aws.accessKeyId", S3.accessKey());
    System.setProperty("aws.secretAccessKey", S3.secretKey());
    System.setProperty("aws.region", "us-east-1");
    manifest =
        GenerateRun.run(
            GeneratorConfig.builder()
                .seed(3)
                .count(5000)
                .malformedRate(0.02)
                .duplicateRate(0.02)
                .build(),
            KAFKA.bootstrapServers(),
            ProgressSink.none());
    assertThat(manifest.counts().malformed()).isPositive();
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

  @Test
  void ingestWritesTheTablesIntoTheBucket() throws Exception {
    String warehouse = "s3://" + S3.bucket() + "/warehouse";
    String catalogUri = "jdbc:sqlite:" + dataDir.resolve("catalog.db").toAbsolutePath();
    Map<String, String> s3Properties = new LinkedHashMap<>();
    s3Properties.put("io-impl", "org.apache.iceberg.aws.s3.S3FileIO");
    s3Properties.put("s3.endpoint", S3.endpoint());
    s3Properties.put("s3.path-style-access", "true");
    StringBuilder catalogProperties = new StringBuilder();
    s3Properties.forEach(
        (k, v) ->
            catalogProperties
                .append(catalogProperties.length() == 0 ? "" : ",")
                .append(k)
                .append('=')
                .append(v));
    Path summaryFile = dataDir.resolve("summary.json");

    int code =
        LakehouseCommand.run(
            new String[] {
              "ingest",
              "--until-caught-up",
              "--bootstrap-servers=" + KAFKA.bootstrapServers(),
              "--data-dir=" + dataDir,
              "--catalog=jdbc",
              "--catalog-uri=" + catalogUri,
              "--warehouse=" + warehouse,
              "--catalog-properties=" + catalogProperties,
              "--summary-json=" + summaryFile
            });

    assertThat(code).isZero();
    JsonNode summary = new ObjectMapper().readTree(Files.readString(summaryFile));
    assertThat(summary.get("raw_written").asLong()).isEqualTo(manifest.counts().valid());
    assertThat(summary.get("dead_letters").asLong()).isEqualTo(manifest.counts().malformed());
    assertThat(summary.get("unaccounted").asLong()).isZero();

    // Read back through the same catalog (SQLite) and S3FileIO.
    CatalogSettings catalog =
        CatalogSettings.of(CatalogSettings.Kind.JDBC, warehouse, catalogUri, s3Properties);
    LakehouseTables tables = new LakehouseTables(catalog);
    assertThat(tables.raw()).hasSize((int) manifest.counts().valid());
    assertThat(tables.deadLetters()).hasSize((int) manifest.counts().malformed());

    // The table and every data file it references live in the bucket...
    Table raw = catalog.catalog().loadTable(RawTable.DEFINITION.identifier());
    assertThat(raw.location()).startsWith(warehouse + "/raw/pos_transactions");
    assertThat(raw.io().getClass().getName()).isEqualTo("org.apache.iceberg.aws.s3.S3FileIO");
    try (CloseableIterable<FileScanTask> tasks = raw.newScan().planFiles()) {
      for (FileScanTask task : tasks) {
        String path = task.file().path().toString();
        assertThat(path).startsWith(warehouse + "/raw/pos_transactions/data/");
        String key = path.substring(("s3://" + S3.bucket() + "/").length());
        assertThat(S3.keys(key)).as("object %s in the bucket", key).containsExactly(key);
      }
    }
    // ...as the object store itself shows: Parquet data files and Iceberg metadata under the
    // prefix.
    List<String> dataKeys = S3.keys("warehouse/raw/pos_transactions/data/");
    assertThat(dataKeys).isNotEmpty().allMatch(k -> k.endsWith(".parquet"));
    assertThat(S3.keys("warehouse/raw/pos_transactions/metadata/"))
        .anyMatch(k -> k.endsWith(".metadata.json"));
    assertThat(S3.keys("warehouse/raw/pos_transactions_dlq/data/")).isNotEmpty();

    // ...and nothing of the tables went to a local folder.
    try (Stream<Path> local = Files.walk(dataDir)) {
      assertThat(local.filter(p -> p.toString().endsWith(".parquet")).toList()).isEmpty();
    }
  }
}
