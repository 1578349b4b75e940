package com.retail.lakehouse.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.retail.lakehouse.common.ResultPrinter;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The requests {@code ./lakehouse athena} sends and how it reads Athena's answers, against a local
 * WireMock standing in for Athena's JSON API (the SDK's endpoint override): nothing reaches AWS.
 */
class AthenaContractTest {
  private static final String TARGET = "X-Amz-Target";
  private static final String JSON = "application/x-amz-json-1.1";
  private static WireMockServer athena;

  @BeforeAll
  static void start() {
    Cli.dummyCredentials("AKIDTEST", "dummy-secret");
    athena = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    athena.start();
  }

  @AfterAll
  static void stop() {
    athena.stop();
  }

  @BeforeEach
  void reset() {
    athena.resetAll();
  }

  private static MappingBuilder call(String operation) {
    return post(urlEqualTo("/")).withHeader(TARGET, equalTo("AmazonAthena." + operation));
  }

  private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder ok(String body) {
    return aResponse().withStatus(200).withHeader("Content-Type", JSON).withBody(body);
  }

  private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder error(
      int status, String type, String message) {
    return aResponse()
        .withStatus(status)
        .withHeader("Content-Type", JSON)
        .withHeader("x-amzn-ErrorType", type)
        .withBody("{\"__type\":\"" + type + "\",\"Message\":\"" + message + "\"}");
  }

  private static String execution(String state, String reason, long scanned) {
    return "{\"QueryExecution\":{\"QueryExecutionId\":\"q-1\",\"Query\":\"SELECT\",\"StatementType\":\"DML\","
        + "\"Status\":{\"State\":\""
        + state
        + "\""
        + (reason == null ? "" : ",\"StateChangeReason\":\"" + reason + "\"")
        + "},\"Statistics\":{\"DataScannedInBytes\":"
        + scanned
        + ",\"EngineExecutionTimeInMillis\":1200}}}";
  }

  /** StartQueryExecution answers q-1; GetQueryExecution RUNNING, then {@code state}. */
  private static void stubQuery(String state, String reason) {
    athena.stubFor(call("StartQueryExecution").willReturn(ok("{\"QueryExecutionId\":\"q-1\"}")));
    athena.stubFor(
        call("GetQueryExecution")
            .inScenario("query")
            .whenScenarioStateIs(Scenario.STARTED)
            .willReturn(ok(execution("QUEUED", null, 0)))
            .willSetStateTo("running"));
    athena.stubFor(
        call("GetQueryExecution")
            .inScenario("query")
            .whenScenarioStateIs("running")
            .willReturn(ok(execution("RUNNING", null, 5 * 1024 * 1024)))
            .willSetStateTo("done"));
    athena.stubFor(
        call("GetQueryExecution")
            .inScenario("query")
            .whenScenarioStateIs("done")
            .willReturn(ok(execution(state, reason, 12 * 1024 * 1024))));
  }

  private static final String COLUMNS =
      "\"ResultSetMetadata\":{\"ColumnInfo\":["
          + "{\"Name\":\"store_id\",\"Type\":\"varchar\"},"
          + "{\"Name\":\"day\",\"Type\":\"date\"},"
          + "{\"Name\":\"revenue\",\"Type\":\"decimal\",\"Precision\":12,\"Scale\":2},"
          + "{\"Name\":\"transactions\",\"Type\":\"bigint\"},"
          + "{\"Name\":\"last_sale\",\"Type\":\"timestamp\"}]}";

  /** Two pages: the header row and one row, then (NextToken t2) one row with a NULL. */
  private static void stubResults() {
    athena.stubFor(
        call("GetQueryResults")
            .withRequestBody(equalToJson("{\"QueryExecutionId\":\"q-1\"}", true, false))
            .withRequestBody(matchingJsonPath("$[?(!@.NextToken)]"))
            .willReturn(
                ok(
                    "{\"UpdateCount\":0,\"NextToken\":\"t2\",\"ResultSet\":{\"Rows\":["
                        + "{\"Data\":[{\"VarCharValue\":\"store_id\"},{\"VarCharValue\":\"day\"},"
                        + "{\"VarCharValue\":\"revenue\"},{\"VarCharValue\":\"transactions\"},"
                        + "{\"VarCharValue\":\"last_sale\"}]},"
                        + "{\"Data\":[{\"VarCharValue\":\"S001\"},{\"VarCharValue\":\"2024-05-01\"},"
                        + "{\"VarCharValue\":\"1234.50\"},{\"VarCharValue\":\"42\"},"
                        + "{\"VarCharValue\":\"2024-05-01 18:30:00.000\"}]}],"
                        + COLUMNS
                        + "}}")));
    athena.stubFor(
        call("GetQueryResults")
            .withRequestBody(matchingJsonPath("$.NextToken", equalTo("t2")))
            .willReturn(
                ok(
                    "{\"UpdateCount\":0,\"ResultSet\":{\"Rows\":["
                        + "{\"Data\":[{\"VarCharValue\":\"S002, east\"},{\"VarCharValue\":\"2024-05-01\"},"
                        + "{\"VarCharValue\":\"7.00\"},{\"VarCharValue\":\"3\"},{}]}],"
                        + COLUMNS
                        + "}}")));
  }

  private static String[] args(String... extra) {
    String[] base = {"athena", "--endpoint-url", athena.baseUrl(), "--poll-millis", "5"};
    String[] all = Arrays.copyOf(base, base.length + extra.length);
    System.arraycopy(extra, 0, all, base.length, extra.length);
    return all;
  }

  @Test
  void succeededQuerySendsQueryWorkgroupOutputAndDatabaseAndPrintsEveryPage() {
    stubQuery("SUCCEEDED", null);
    stubResults();

    Cli.Result r =
        Cli.run(
            args(
                "SELECT * FROM marts.daily_sales_summary;",
                "--workgroup",
                "analysts",
                "--output",
                "s3://results-bucket/athena/",
                "--database",
                "lakehouse",
                "--data-catalog",
                "AwsDataCatalog"));

    assertThat(r.code()).as(r.err()).isZero();
    athena.verify(
        1,
        postRequestedFor(urlEqualTo("/"))
            .withHeader(TARGET, equalTo("AmazonAthena.StartQueryExecution"))
            .withHeader(
                "Authorization",
                com.github.tomakehurst.wiremock.client.WireMock.containing("AKIDTEST/"))
            .withRequestBody(
                matchingJsonPath(
                    "$.QueryString", equalTo("SELECT * FROM marts.daily_sales_summary")))
            .withRequestBody(matchingJsonPath("$.WorkGroup", equalTo("analysts")))
            .withRequestBody(
                matchingJsonPath(
                    "$.ResultConfiguration.OutputLocation", equalTo("s3://results-bucket/athena/")))
            .withRequestBody(
                matchingJsonPath("$.QueryExecutionContext.Database", equalTo("lakehouse")))
            .withRequestBody(
                matchingJsonPath("$.QueryExecutionContext.Catalog", equalTo("AwsDataCatalog"))));
    athena.verify(
        3,
        postRequestedFor(urlEqualTo("/"))
            .withHeader(TARGET, equalTo("AmazonAthena.GetQueryExecution"))
            .withRequestBody(matchingJsonPath("$.QueryExecutionId", equalTo("q-1"))));
    athena.verify(
        2,
        postRequestedFor(urlEqualTo("/"))
            .withHeader(TARGET, equalTo("AmazonAthena.GetQueryResults")));

    assertThat(r.out())
        .isEqualTo(
            String.join(
                "\n",
                "  store_id  |    day     | revenue | transactions |      last_sale",
                "------------+------------+---------+--------------+---------------------",
                " S001       | 2024-05-01 | 1234.50 |           42 | 2024-05-01 18:30:00",
                " S002, east | 2024-05-01 |    7.00 |            3 | NULL",
                "(2 rows)",
                ""));
    // Progress on stderr: the states, the data scanned, the time.
    assertThat(r.err())
        .contains("query q-1 started in eu-west-1")
        .contains("QUEUED")
        .contains("RUNNING, 5.0 MB scanned")
        .contains("SUCCEEDED, 12.0 MB scanned")
        .containsPattern("\\(\\d+\\.\\d s\\)");
  }

  /** The same values as ./lakehouse sql --engine trino gets them print the same, in each format. */
  @Test
  void formatsAreExactlyThoseOfLakehouseSql() {
    ResultPrinter.Result asTrinoGivesIt =
        new ResultPrinter.Result(
            List.of("store_id", "day", "revenue", "transactions", "last_sale"),
            List.of(false, false, true, true, false),
            List.of(
                new Object[] {
                  "S001",
                  LocalDate.of(2024, 5, 1),
                  new BigDecimal("1234.50"),
                  42L,
                  LocalDateTime.of(2024, 5, 1, 18, 30)
                },
                new Object[] {
                  "S002, east", LocalDate.of(2024, 5, 1), new BigDecimal("7.00"), 3L, null
                }));
    for (ResultPrinter.Format format : ResultPrinter.Format.values()) {
      athena.resetAll();
      stubQuery("SUCCEEDED", null);
      stubResults();
      Cli.Result r = Cli.run(args("SELECT 1", "--format", format.name()));
      assertThat(r.code()).as(r.err()).isZero();
      ByteArrayOutputStream expected = new ByteArrayOutputStream();
      new ResultPrinter(format, new PrintStream(expected, true, StandardCharsets.UTF_8))
          .print(asTrinoGivesIt, true);
      assertThat(r.out()).as(format.name()).isEqualTo(expected.toString(StandardCharsets.UTF_8));
    }
    // and the JSON really is typed: numbers as numbers, NULL as null
    athena.resetAll();
    stubQuery("SUCCEEDED", null);
    stubResults();
    assertThat(Cli.run(args("SELECT 1", "--format", "json")).out())
        .startsWith(
            "{\"store_id\":\"S001\",\"day\":\"2024-05-01\",\"revenue\":1234.50,\"transactions\":42,"
                + "\"last_sale\":\"2024-05-01 18:30:00\"}\n")
        .endsWith("\"last_sale\":null}\n");
  }

  @Test
  void failedQueryPrintsAthenasReasonOnOneLineAndExitsOne() {
    stubQuery("FAILED", "COLUMN_NOT_FOUND: line 1:8: Column 'x' cannot be resolved\\n at line 1");

    Cli.Result r = Cli.run(args("SELECT x FROM raw.pos_transactions"));

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err().lines().toList())
        .last()
        .isEqualTo(
            "lakehouse athena: query q-1 FAILED: COLUMN_NOT_FOUND: line 1:8: Column 'x' cannot be"
                + " resolved at line 1");
    athena.verify(
        0,
        postRequestedFor(urlEqualTo("/"))
            .withHeader(TARGET, equalTo("AmazonAthena.GetQueryResults")));
  }

  @Test
  void cancelledQueryPrintsTheReasonAndExitsOne() {
    stubQuery("CANCELLED", "Query cancelled by user");

    Cli.Result r = Cli.run(args("SELECT 1"));

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err().lines().toList())
        .last()
        .isEqualTo("lakehouse athena: query q-1 CANCELLED: Query cancelled by user");
  }

  @Test
  void throttlingIsRetriedWithBackoff() {
    stubQuery("SUCCEEDED", null);
    stubResults();
    // The first StartQueryExecution is throttled, then it succeeds.
    athena.stubFor(
        call("StartQueryExecution")
            .inScenario("throttle")
            .whenScenarioStateIs(Scenario.STARTED)
            .willReturn(error(400, "ThrottlingException", "Rate exceeded"))
            .willSetStateTo("ok"));
    athena.stubFor(
        call("StartQueryExecution")
            .inScenario("throttle")
            .whenScenarioStateIs("ok")
            .willReturn(ok("{\"QueryExecutionId\":\"q-1\"}")));
    // Athena's own throttling error on the first GetQueryResults.
    athena.stubFor(
        call("GetQueryResults")
            .inScenario("throttle-results")
            .whenScenarioStateIs(Scenario.STARTED)
            .willReturn(error(400, "TooManyRequestsException", "Too many requests"))
            .willSetStateTo("ok"));

    Cli.Result r = Cli.run(args("SELECT 1"));

    assertThat(r.code()).as(r.err()).isZero();
    athena.verify(
        2,
        postRequestedFor(urlEqualTo("/"))
            .withHeader(TARGET, equalTo("AmazonAthena.StartQueryExecution")));
    athena.verify(
        3,
        postRequestedFor(urlEqualTo("/"))
            .withHeader(TARGET, equalTo("AmazonAthena.GetQueryResults")));
    assertThat(r.out()).endsWith("(2 rows)\n");
  }

  @Test
  void anAwsErrorIsOneLine() {
    athena.stubFor(
        call("StartQueryExecution")
            .willReturn(error(400, "InvalidRequestException", "No output location provided.")));

    Cli.Result r = Cli.run(args("SELECT 1"));

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err())
        .isEqualTo(
            "lakehouse athena: InvalidRequestException: No output location provided. (HTTP 400)\n");
  }

  @Test
  void sqlFromAFile(@TempDir Path dir) throws Exception {
    stubQuery("SUCCEEDED", null);
    stubResults();
    Path file = dir.resolve("q.sql");
    Files.writeString(file, "-- revenue\nSELECT *\nFROM marts.daily_sales_summary\n");

    Cli.Result r = Cli.run(args("-f", file.toString(), "--format", "csv"));

    assertThat(r.code()).as(r.err()).isZero();
    athena.verify(
        postRequestedFor(urlEqualTo("/"))
            .withHeader(TARGET, equalTo("AmazonAthena.StartQueryExecution"))
            .withRequestBody(
                matchingJsonPath(
                    "$.QueryString",
                    equalTo("-- revenue\nSELECT *\nFROM marts.daily_sales_summary"))));
    assertThat(r.out()).startsWith("store_id,day,revenue,transactions,last_sale\n");
  }

  @Test
  void usageErrorsAreOneLineAndExitTwo() {
    Cli.Result wrongFlag = Cli.run("athena", "SELECT 1", "--bogus");
    assertThat(wrongFlag.code()).isEqualTo(2);
    assertThat(wrongFlag.err().lines()).hasSize(1);
    assertThat(wrongFlag.err())
        .startsWith("lakehouse athena: Unknown option: '--bogus'")
        .endsWith("(see ./lakehouse athena --help)\n");

    Cli.Result noSql = Cli.run("athena");
    assertThat(noSql.code()).isEqualTo(2);
    assertThat(noSql.err())
        .isEqualTo("lakehouse athena: no SQL statement given (see ./lakehouse athena --help)\n");

    Cli.Result badFormat = Cli.run("athena", "SELECT 1", "--format", "xml");
    assertThat(badFormat.code()).isEqualTo(2);
    assertThat(badFormat.err().lines()).hasSize(1);

    Cli.Result help = Cli.run("athena", "--help");
    assertThat(help.code()).isZero();
    assertThat(help.out()).contains("--workgroup", "--output", "--database", "--format");
    assertThat(help.out()).doesNotContain("--endpoint-url");
  }

  @Test
  void missingCredentialsSayHowToConfigureThem(@TempDir Path dir) {
    String[] props = {"aws.sharedCredentialsFile", "aws.configFile"};
    try {
      Cli.clearCredentials();
      System.setProperty("aws.sharedCredentialsFile", dir.resolve("none").toString());
      System.setProperty("aws.configFile", dir.resolve("none-config").toString());

      Cli.Result r = Cli.run(args("SELECT 1"));

      assertThat(r.code()).isEqualTo(1);
      assertThat(r.err())
          .isEqualTo("lakehouse athena: " + AwsClients.CREDENTIALS_HINT + "\n")
          .contains("aws configure");
      athena.verify(0, postRequestedFor(urlEqualTo("/")));
    } finally {
      for (String p : props) {
        System.clearProperty(p);
      }
      Cli.dummyCredentials("AKIDTEST", "dummy-secret");
    }
  }
}
