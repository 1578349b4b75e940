package com.retail.lakehouse.transforms.tables;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static com.retail.lakehouse.transforms.TestEvents.rawRow;
import static com.retail.lakehouse.transforms.TestEvents.sale;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.retail.lakehouse.locals3.S3ServerExtension;
import com.retail.lakehouse.transforms.IcebergTestTables;
import com.retail.lakehouse.transforms.commit.AppendWithPosition;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.iceberg.Table;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Contract test of the {@code --catalog=glue} path: our {@link CatalogSettings} (Iceberg's
 * GlueCatalog with S3FileIO) and {@link TableDefinition#createOrLoad} against a local WireMock
 * standing in for AWS Glue's JSON 1.1 API (the SDK's {@code glue.endpoint} override) and a local
 * S3-compatible server (S3Proxy) for the files. Nothing here reaches AWS: it checks the requests
 * the AWS SDK sends (operation, database, table, table type, parameters, columns,
 * optimistic-locking version) and how our code reports Glue's refusals, not how the real service
 * answers them.
 *
 * <p>Glue is stateful here through WireMock scenarios, one per table: GetTable answers
 * EntityNotFoundException until CreateTable was called, then the table as the last CreateTable or
 * UpdateTable stored it ({@link FakeGlueTables}), and UpdateTable with a stale VersionId answers
 * ConcurrentModificationException as Glue does.
 */
class GlueCatalogContractTest {
  @RegisterExtension static final S3ServerExtension S3 = new S3ServerExtension("lakehouse-test");

  private static final String TARGET = "X-Amz-Target";
  private static final String JSON = "application/x-amz-json-1.1";
  private static final String ACCOUNT = "123456789012";
  private static final String WAREHOUSE = "s3://lakehouse-test/warehouse";
  private static final String[] AWS_PROPERTIES = {
    "aws.accessKeyId", "aws.secretAccessKey", "aws.region"
  };
  private static final Map<String, String> SAVED = new HashMap<>();
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final FakeGlueTables TABLES = new FakeGlueTables();

  private static WireMockServer glue;

  @BeforeAll
  static void start() {
    for (String key : AWS_PROPERTIES) {
      SAVED.put(key, System.getProperty(key));
    }
    // As in production, credentials come from the SDK's default chain, not catalog properties.
    System.setProperty("aws.accessKeyId", S3.accessKey());
    System.setProperty("aws.secretAccessKey", S3.secretKey());
    System.setProperty("aws.region", "us-east-1");
    glue = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1").extensions(TABLES));
    glue.start();
  }

  @AfterAll
  static void stop() {
    glue.stop();
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
  void reset() {
    glue.resetAll();
    TABLES.clear();
  }

  /** The catalog as {@code --catalog=glue --warehouse=... --catalog-properties=...} builds it. */
  private static CatalogSettings glueCatalog() {
    return CatalogSettings.of(
        CatalogSettings.Kind.GLUE,
        WAREHOUSE,
        null,
        Map.of(
            "glue.id",
            ACCOUNT,
            "client.region",
            "us-east-1",
            "glue.endpoint",
            glue.baseUrl(),
            "s3.endpoint",
            S3.endpoint(),
            "s3.path-style-access",
            "true"));
  }

  @Test
  void firstIngestCreatesTheRawTableInGlueAndCommitsWithVersionedUpdates() throws Exception {
    stubDatabase("raw", WAREHOUSE + "/raw.db");
    stubTable("raw", "pos_transactions");
    CatalogSettings catalog = glueCatalog();
    assertThat(catalog.catalog().getClass().getName())
        .isEqualTo("org.apache.iceberg.aws.glue.GlueCatalog");

    Table created = RawTable.DEFINITION.createOrLoad(catalog.catalog());
    // Iceberg 1.6.1's calls, in order: GetDatabase (our namespace check), GetTable (absent), then
    // createTable: GetTable, GetDatabase (the database's LocationUri), GetTable, CreateTable.
    assertThat(operations())
        .containsExactly(
            "GetDatabase", "GetTable", "GetTable", "GetDatabase", "GetTable", "CreateTable");

    // Our code checks the database (it never creates one that exists), then the table.
    glue.verify(
        postRequestedFor(urlEqualTo("/"))
            .withHeader(TARGET, equalTo("AWSGlue.GetDatabase"))
            .withHeader("Authorization", containing("/us-east-1/glue/aws4_request"))
            .withRequestBody(matchingJsonPath("$.Name", equalTo("raw")))
            .withRequestBody(matchingJsonPath("$.CatalogId", equalTo(ACCOUNT))));
    glue.verify(
        0, postRequestedFor(urlEqualTo("/")).withHeader(TARGET, equalTo("AWSGlue.CreateDatabase")));
    JsonNode create = onlyBody("CreateTable");
    assertThat(create.path("CatalogId").asText()).isEqualTo(ACCOUNT);
    assertThat(create.path("DatabaseName").asText()).isEqualTo("raw");
    JsonNode input = create.path("TableInput");
    assertThat(input.path("Name").asText()).isEqualTo("pos_transactions");
    assertThat(input.path("TableType").asText()).isEqualTo("EXTERNAL_TABLE");
    assertThat(input.path("Parameters").path("table_type").asText()).isEqualTo("ICEBERG");
    assertThat(fieldNames(input.path("Parameters")))
        .containsExactlyInAnyOrder("table_type", "metadata_location");
    String location = WAREHOUSE + "/raw.db/pos_transactions";
    assertThat(input.path("StorageDescriptor").path("Location").asText()).isEqualTo(location);
    assertThat(columns(input, "Name")).isEqualTo(names(RawTable.DEFINITION));
    assertThat(columnType(input, "event_time")).isEqualTo("timestamp");
    assertThat(columnType(input, "unit_price")).isEqualTo("decimal(12,2)");
    assertThat(columnType(input, "kafka_offset")).isEqualTo("bigint");
    assertThat(columnType(input, "line_number")).isEqualTo("int");
    JsonNode eventTime = input.path("StorageDescriptor").path("Columns").get(17);
    assertThat(eventTime.path("Comment").asText()).isEqualTo("When the line was scanned, UTC, ms");
    assertThat(eventTime.path("Parameters").path("iceberg.field.id").asText()).isEqualTo("18");
    assertThat(eventTime.path("Parameters").path("iceberg.field.optional").asText())
        .isEqualTo("false");

    // metadata_location points at a metadata file that really is in the bucket.
    String metadata0 = input.path("Parameters").path("metadata_location").asText();
    assertThat(metadata0).startsWith(location + "/metadata/00000-").endsWith(".metadata.json");
    JsonNode stored = MAPPER.readTree(Files.readString(S3.blob(key(metadata0))));
    assertThat(stored.path("format-version").asInt()).isEqualTo(2);
    assertThat(stored.path("location").asText()).isEqualTo(location);
    JsonNode partitionField = stored.path("partition-specs").get(0).path("fields").get(0);
    assertThat(partitionField.path("transform").asText()).isEqualTo("day");
    assertThat(partitionField.path("source-id").asInt())
        .isEqualTo(RawTable.DEFINITION.icebergSchema().findField("event_time").fieldId());
    assertThat(stored.path("properties").path("write.parquet.compression-codec").asText())
        .isEqualTo("zstd");
    assertThat(created.location()).isEqualTo(location);

    // The first write of an ingest: the claim, one UpdateTable on the version Glue returned.
    AppendWithPosition.claim(created, "run-1");
    List<String> claimCalls = operations().subList(6, operations().size());
    assertThat(claimCalls).containsOnly("GetTable", "UpdateTable").endsWith("UpdateTable");
    JsonNode claim = onlyBody("UpdateTable");
    assertThat(claim.path("DatabaseName").asText()).isEqualTo("raw");
    assertThat(claim.path("VersionId").asText()).isEqualTo("1");
    assertThat(claim.path("SkipArchive").asBoolean()).isTrue();
    JsonNode claimInput = claim.path("TableInput");
    assertThat(claimInput.path("Name").asText()).isEqualTo("pos_transactions");
    assertThat(claimInput.path("TableType").asText()).isEqualTo("EXTERNAL_TABLE");
    assertThat(claimInput.path("Parameters").path("table_type").asText()).isEqualTo("ICEBERG");
    assertThat(fieldNames(claimInput.path("Parameters")))
        .containsExactlyInAnyOrder("table_type", "metadata_location", "previous_metadata_location");
    assertThat(claimInput.path("Parameters").path("previous_metadata_location").asText())
        .isEqualTo(metadata0);
    String metadata1 = claimInput.path("Parameters").path("metadata_location").asText();
    assertThat(metadata1).startsWith(location + "/metadata/00001-");
    assertThat(Files.exists(S3.blob(key(metadata1)))).isTrue();

    // Rows through our own writer and commit (WriteDataFiles + CommitToTable) on S3 and Glue.
    IcebergTestTables.writeAndCommit(
        catalog,
        RawTable.DEFINITION,
        "run-1",
        List.of(rawRow(sale("T-1", 1), 0, 7), rawRow(sale("T-1", 2), 0, 8)),
        Map.of(0, 8L),
        r -> null);
    List<JsonNode> updates = bodies("UpdateTable");
    assertThat(updates).hasSize(2);
    JsonNode append = updates.get(1);
    assertThat(append.path("VersionId").asText()).isEqualTo("2");
    assertThat(
            append
                .path("TableInput")
                .path("Parameters")
                .path("previous_metadata_location")
                .asText())
        .isEqualTo(metadata1);
    assertThat(S3.keys("warehouse/raw.db/pos_transactions/data/"))
        .isNotEmpty()
        .allMatch(k -> k.endsWith(".parquet"));

    // A fresh load (GetTable -> the last metadata_location) sees the claim and both rows.
    Table loaded = glueCatalog().catalog().loadTable(RawTable.DEFINITION.identifier());
    assertThat(loaded.properties()).containsEntry(AppendWithPosition.OWNER_PROPERTY, "run-1");
    assertThat(IcebergTestTables.readAll(loaded)).hasSize(2);
  }

  @Test
  void firstMartCreatesTheMartTableInTheMartsDatabase() {
    stubDatabase("marts", WAREHOUSE + "/marts.db");
    stubTable("marts", "daily_sales_summary");

    Table mart = DailySalesSummaryTable.DEFINITION.createOrLoad(glueCatalog().catalog());

    JsonNode create = onlyBody("CreateTable");
    assertThat(create.path("DatabaseName").asText()).isEqualTo("marts");
    JsonNode input = create.path("TableInput");
    assertThat(input.path("Name").asText()).isEqualTo("daily_sales_summary");
    assertThat(input.path("TableType").asText()).isEqualTo("EXTERNAL_TABLE");
    assertThat(input.path("Parameters").path("table_type").asText()).isEqualTo("ICEBERG");
    assertThat(input.path("StorageDescriptor").path("Location").asText())
        .isEqualTo(WAREHOUSE + "/marts.db/daily_sales_summary");
    assertThat(columns(input, "Name")).isEqualTo(names(DailySalesSummaryTable.DEFINITION));
    assertThat(columnType(input, "sale_date")).isEqualTo("date");
    assertThat(columnType(input, "total_sales")).isEqualTo("decimal(12,2)");
    assertThat(mart.spec().fields()).hasSize(1);
    assertThat(mart.spec().fields().get(0).transform().toString()).isEqualTo("identity");
  }

  @Test
  void concurrentModificationOnUpdateTableIsRetriedOnTheRefreshedTable() {
    stubDatabase("raw", WAREHOUSE + "/raw.db");
    stubTable("raw", "pos_transactions_dlq");
    Table created = DeadLetterTable.DEFINITION.createOrLoad(glueCatalog().catalog());
    // Another writer's commit lands between our GetTable and UpdateTable: Glue refuses the
    // VersionId we send once (ConcurrentModificationException), then serves the table again.
    glue.stubFor(
        call("UpdateTable")
            .inScenario("raw.pos_transactions_dlq")
            .whenScenarioStateIs("exists")
            .willReturn(
                error(
                    "ConcurrentModificationException",
                    "Update table failed due to concurrent modifications."))
            .willSetStateTo("after-conflict"));
    for (String operation : List.of("GetTable", "UpdateTable")) {
      glue.stubFor(
          call(operation)
              .inScenario("raw.pos_transactions_dlq")
              .whenScenarioStateIs("after-conflict")
              .willReturn(ok("{}").withTransformers(FakeGlueTables.NAME)));
    }

    AppendWithPosition.claim(created, "run-2");

    List<JsonNode> updates = bodies("UpdateTable");
    assertThat(updates).hasSize(2);
    assertThat(updates).allSatisfy(u -> assertThat(u.path("VersionId").asText()).isEqualTo("1"));
    Table loaded = glueCatalog().catalog().loadTable(DeadLetterTable.DEFINITION.identifier());
    assertThat(loaded.properties()).containsEntry(AppendWithPosition.OWNER_PROPERTY, "run-2");
  }

  @Test
  void accessDeniedOnCreateTableIsOneLineNamingTheTableAndTheCause() throws IOException {
    stubDatabase("raw", "s3://lakehouse-test/denied/raw.db");
    glue.stubFor(call("GetTable").willReturn(entityNotFound("Table pos_transactions not found.")));
    glue.stubFor(
        call("CreateTable")
            .willReturn(
                error(
                    "AccessDeniedException",
                    "User: arn:aws:sts::123456789012:assumed-role/job/s is not authorized to"
                        + " perform: glue:CreateTable on resource:"
                        + " arn:aws:glue:us-east-1:123456789012:table/raw/pos_transactions")));

    assertThatThrownBy(() -> RawTable.DEFINITION.createOrLoad(glueCatalog().catalog()))
        .isInstanceOf(TableDefinition.CatalogAccessException.class)
        .hasMessageStartingWith("Cannot create table raw.pos_transactions: AccessDeniedException:")
        .hasMessageContaining("not authorized to perform: glue:CreateTable")
        .hasMessageContaining("Service: Glue, Status Code: 400")
        .satisfies(e -> assertThat(e.getMessage().lines()).hasSize(1));
    // Iceberg deletes the metadata file it wrote before Glue refused.
    assertThat(S3.keys("denied/raw.db/pos_transactions/metadata/")).isEmpty();
  }

  @Test
  void missingDatabaseIsNotCreatedByTheJobRoleAndTheMessageSaysWhereDatabasesComeFrom() {
    glue.stubFor(call("GetDatabase").willReturn(entityNotFound("Database raw not found.")));
    // The infra stack's job role has no glue:CreateDatabase.
    glue.stubFor(
        call("CreateDatabase")
            .willReturn(
                error(
                    "AccessDeniedException",
                    "User: arn:aws:sts::123456789012:assumed-role/job/s is not authorized to"
                        + " perform: glue:CreateDatabase")));

    assertThatThrownBy(() -> RawTable.DEFINITION.createOrLoad(glueCatalog().catalog()))
        .isInstanceOf(TableDefinition.CatalogAccessException.class)
        .hasMessageStartingWith(
            "Cannot create table raw.pos_transactions: namespace raw does not exist and creating"
                + " it failed (on AWS Glue the infra stack creates the databases raw and marts):"
                + " AccessDeniedException:")
        .satisfies(e -> assertThat(e.getMessage().lines()).hasSize(1));
    assertThat(onlyBody("CreateDatabase").path("DatabaseInput").path("Name").asText())
        .isEqualTo("raw");
    glue.verify(
        0, postRequestedFor(urlEqualTo("/")).withHeader(TARGET, equalTo("AWSGlue.CreateTable")));
  }

  // ---- the Glue stand-in ----

  private static MappingBuilder call(String operation) {
    return post(urlEqualTo("/")).withHeader(TARGET, equalTo("AWSGlue." + operation));
  }

  private static ResponseDefinitionBuilder ok(String body) {
    return aResponse().withStatus(200).withHeader("Content-Type", JSON).withBody(body);
  }

  /** A Glue error as the JSON 1.1 protocol sends it: HTTP 400 with {@code __type}. */
  private static ResponseDefinitionBuilder error(String type, String message) {
    return aResponse()
        .withStatus(400)
        .withHeader("Content-Type", JSON)
        .withHeader("x-amzn-ErrorType", type)
        .withBody("{\"__type\":\"" + type + "\",\"Message\":\"" + message + "\"}");
  }

  private static ResponseDefinitionBuilder entityNotFound(String message) {
    return error("EntityNotFoundException", message);
  }

  /**
   * GetDatabase of {@code name} answers it with {@code locationUri}, as the infra stack makes it.
   */
  private static void stubDatabase(String name, String locationUri) {
    glue.stubFor(
        call("GetDatabase")
            .withRequestBody(matchingJsonPath("$.Name", equalTo(name)))
            .willReturn(
                ok(
                    "{\"Database\":{\"Name\":\""
                        + name
                        + "\",\"CatalogId\":\""
                        + ACCOUNT
                        + "\",\"LocationUri\":\""
                        + locationUri
                        + "\"}}")));
  }

  /**
   * One table's life in Glue: absent (GetTable: EntityNotFoundException) until CreateTable, then
   * served by {@link FakeGlueTables}.
   */
  private static void stubTable(String database, String table) {
    String scenario = database + "." + table;
    glue.stubFor(
        call("GetTable")
            .withRequestBody(matchingJsonPath("$.Name", equalTo(table)))
            .inScenario(scenario)
            .whenScenarioStateIs(Scenario.STARTED)
            .willReturn(entityNotFound("Table " + table + " not found.")));
    glue.stubFor(
        call("CreateTable")
            .withRequestBody(matchingJsonPath("$.TableInput.Name", equalTo(table)))
            .inScenario(scenario)
            .whenScenarioStateIs(Scenario.STARTED)
            .willReturn(ok("{}").withTransformers(FakeGlueTables.NAME))
            .willSetStateTo("exists"));
    glue.stubFor(
        call("GetTable")
            .withRequestBody(matchingJsonPath("$.Name", equalTo(table)))
            .inScenario(scenario)
            .whenScenarioStateIs("exists")
            .willReturn(ok("{}").withTransformers(FakeGlueTables.NAME)));
    glue.stubFor(
        call("UpdateTable")
            .withRequestBody(matchingJsonPath("$.TableInput.Name", equalTo(table)))
            .inScenario(scenario)
            .whenScenarioStateIs("exists")
            .willReturn(ok("{}").withTransformers(FakeGlueTables.NAME)));
  }

  /** The Glue operations received so far, in the order they arrived. */
  private static List<String> operations() {
    List<String> operations = new ArrayList<>();
    for (ServeEvent e : glue.getAllServeEvents()) {
      operations.add(0, e.getRequest().getHeader(TARGET).substring("AWSGlue.".length()));
    }
    return operations;
  }

  private static List<JsonNode> bodies(String operation) {
    List<JsonNode> bodies = new ArrayList<>();
    for (LoggedRequest r :
        glue.findAll(
            postRequestedFor(urlEqualTo("/"))
                .withHeader(TARGET, equalTo("AWSGlue." + operation)))) {
      bodies.add(parse(r.getBodyAsString()));
    }
    return bodies;
  }

  private static JsonNode onlyBody(String operation) {
    List<JsonNode> bodies = bodies(operation);
    assertThat(bodies).as(operation + " requests").hasSize(1);
    return bodies.get(0);
  }

  private static List<String> columns(JsonNode tableInput, String attribute) {
    List<String> values = new ArrayList<>();
    tableInput
        .path("StorageDescriptor")
        .path("Columns")
        .forEach(c -> values.add(c.path(attribute).asText()));
    return values;
  }

  private static String columnType(JsonNode tableInput, String column) {
    for (JsonNode c : tableInput.path("StorageDescriptor").path("Columns")) {
      if (c.path("Name").asText().equals(column)) {
        return c.path("Type").asText();
      }
    }
    throw new AssertionError("no column " + column + " in " + tableInput);
  }

  private static List<String> fieldNames(JsonNode object) {
    List<String> names = new ArrayList<>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static List<String> names(TableDefinition definition) {
    return definition.icebergSchema().columns().stream().map(Types.NestedField::name).toList();
  }

  /** The object key of an {@code s3://lakehouse-test/...} location. */
  private static String key(String location) {
    String prefix = "s3://" + S3.bucket() + "/";
    assertThat(location).startsWith(prefix);
    return location.substring(prefix.length());
  }

  private static JsonNode parse(String body) {
    try {
      return MAPPER.readTree(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The tables Glue holds, for the stubs that name this transformer: CreateTable stores the
   * TableInput as version 1; GetTable returns it with its DatabaseName and VersionId; UpdateTable
   * replaces it when its VersionId is the current one (Glue's optimistic locking) and otherwise
   * answers ConcurrentModificationException.
   */
  static final class FakeGlueTables implements ResponseDefinitionTransformerV2 {
    static final String NAME = "fake-glue-tables";
    private final Map<String, ObjectNode> tables = new ConcurrentHashMap<>();

    void clear() {
      tables.clear();
    }

    @Override
    public String getName() {
      return NAME;
    }

    @Override
    public boolean applyGlobally() {
      return false;
    }

    @Override
    public ResponseDefinition transform(ServeEvent event) {
      String target = event.getRequest().getHeader(TARGET);
      JsonNode body = parse(event.getRequest().getBodyAsString());
      String database = body.path("DatabaseName").asText();
      switch (target) {
        case "AWSGlue.CreateTable" -> {
          ObjectNode table = body.path("TableInput").deepCopy();
          table.put("DatabaseName", database);
          table.put("CatalogId", ACCOUNT);
          table.put("VersionId", "1");
          tables.put(database + "." + table.path("Name").asText(), table);
          return ok("{}").build();
        }
        case "AWSGlue.GetTable" -> {
          ObjectNode table = tables.get(database + "." + body.path("Name").asText());
          if (table == null) {
            return entityNotFound("Table not found.").build();
          }
          ObjectNode response = MAPPER.createObjectNode();
          response.set("Table", table);
          return ok(response.toString()).build();
        }
        case "AWSGlue.UpdateTable" -> {
          String name = database + "." + body.path("TableInput").path("Name").asText();
          ObjectNode current = tables.get(name);
          if (current == null) {
            return entityNotFound("Table not found.").build();
          }
          String version = current.path("VersionId").asText();
          if (body.has("VersionId") && !body.path("VersionId").asText().equals(version)) {
            return error(
                    "ConcurrentModificationException",
                    "Update table failed due to concurrent modifications.")
                .build();
          }
          ObjectNode table = body.path("TableInput").deepCopy();
          table.put("DatabaseName", database);
          table.put("CatalogId", ACCOUNT);
          table.put("VersionId", String.valueOf(Integer.parseInt(version) + 1));
          tables.put(name, table);
          return ok("{}").build();
        }
        default -> throw new IllegalArgumentException("no fake for " + target);
      }
    }
  }
}
