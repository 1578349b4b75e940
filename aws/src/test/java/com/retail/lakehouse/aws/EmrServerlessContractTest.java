package com.retail.lakehouse.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.common.Json;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.retail.lakehouse.locals3.S3ServerExtension;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;

/**
 * What {@code ./lakehouse deploy emr --serverless-app} sends to EMR Serverless and how it reads the
 * answers: the jar and the runner profiles go to a real S3-compatible server (S3Proxy), EMR
 * Serverless' REST API is a local WireMock (the same {@code --endpoint-url} override as the EMR
 * test). Nothing reaches AWS. A command that never stops polling fails on the timeout.
 */
@Timeout(60)
class EmrServerlessContractTest {
  @RegisterExtension static final S3ServerExtension S3 = new S3ServerExtension("lakehouse-test");

  private static final String APP = "00fabc123def4567";
  private static final String RUN = "00fjobrun9876543";
  private static final String ROLE = "arn:aws:iam::123456789012:role/lakehouse-job";
  private static final String JOB_RUNS = "/applications/" + APP + "/jobruns";
  private static final String JOB_RUN = JOB_RUNS + "/" + RUN;
  private static WireMockServer service;

  @TempDir static Path dir;
  private static Path jar;

  @BeforeAll
  static void start() throws Exception {
    service = Cli.startDeployService(S3);
    jar = Cli.fakeClusterJar(dir);
  }

  @AfterAll
  static void stop() {
    service.stop();
  }

  @BeforeEach
  void reset() {
    service.resetAll();
    service.stubFor(
        post(urlEqualTo(JOB_RUNS))
            .willReturn(
                ok(
                    startedRun(
                        "arn:aws:emr-serverless:eu-west-1:123456789012:/applications/"
                            + APP
                            + "/jobruns/"
                            + RUN))));
  }

  /** StartJobRun's answer: the run's ids and {@code arn}. */
  private static String startedRun(String arn) {
    return "{\"applicationId\":\""
        + APP
        + "\",\"jobRunId\":\""
        + RUN
        + "\",\"arn\":\""
        + arn
        + "\"}";
  }

  private static ResponseDefinitionBuilder ok(String body) {
    return aResponse()
        .withStatus(200)
        .withHeader("Content-Type", "application/json")
        .withBody(body);
  }

  private static ResponseDefinitionBuilder error(int status, String type, String message) {
    return aResponse()
        .withStatus(status)
        .withHeader("Content-Type", "application/json")
        .withHeader("x-amzn-ErrorType", type + ":http://internal.amazon.com/coral/com.amazon.emr/")
        .withHeader("x-amzn-RequestId", "req-1")
        .withBody("{\"message\":\"" + message + "\"}");
  }

  private static String jobRun(String state, String details) {
    return "{\"jobRun\":{\"applicationId\":\""
        + APP
        + "\",\"jobRunId\":\""
        + RUN
        + "\",\"name\":\"lakehouse ingest\",\"state\":\""
        + state
        + "\""
        + (details == null ? "" : ",\"stateDetails\":" + Json.write(details))
        + ",\"releaseLabel\":\"emr-7.5.0\"}}";
  }

  /** GetJobRun: SUBMITTED, RUNNING, then {@code last}. */
  private static void stubJobRun(String last) {
    service.stubFor(
        get(urlEqualTo(JOB_RUN))
            .inScenario("run")
            .whenScenarioStateIs(Scenario.STARTED)
            .willReturn(ok(jobRun("SUBMITTED", null)))
            .willSetStateTo("running"));
    service.stubFor(
        get(urlEqualTo(JOB_RUN))
            .inScenario("run")
            .whenScenarioStateIs("running")
            .willReturn(ok(jobRun("RUNNING", null)))
            .willSetStateTo("done"));
    service.stubFor(
        get(urlEqualTo(JOB_RUN))
            .inScenario("run")
            .whenScenarioStateIs("done")
            .willReturn(ok(last)));
  }

  private static Cli.Result deploy(String prefix, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "deploy",
                "emr",
                "--endpoint-url",
                service.baseUrl(),
                "--s3-endpoint-url",
                S3.endpoint(),
                "--poll-millis",
                "5",
                "--serverless-app",
                APP,
                "--execution-role-arn",
                ROLE,
                "--artifacts",
                "s3://" + S3.bucket() + "/" + prefix,
                "--jar",
                jar.toString()));
    args.addAll(Arrays.asList(extra));
    return Cli.run(args.toArray(String[]::new));
  }

  private static List<LoggedRequest> startJobRuns() {
    return service.findAll(postRequestedFor(urlEqualTo(JOB_RUNS)));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> body(LoggedRequest request) {
    return Json.read(request.getBodyAsString(), Map.class);
  }

  /**
   * The Authorization header the SDK's signer computes for what WireMock received (method, URL,
   * headers, body), with the test's key at the request's X-Amz-Date: equal to the one sent only if
   * the request arrived exactly as it was signed, with the chain's key, for emr-serverless.
   */
  private static String resigned(LoggedRequest request) {
    Instant at =
        DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC)
            .parse(request.getHeader("X-Amz-Date"), Instant::from);
    SdkHttpRequest.Builder unsigned =
        SdkHttpRequest.builder()
            .method(SdkHttpMethod.fromValue(request.getMethod().getName()))
            .uri(URI.create(service.baseUrl() + request.getUrl()));
    for (String header : List.of("Accept", "Content-Type", "Content-Length")) {
      unsigned.putHeader(header, request.getHeader(header));
    }
    return AwsV4HttpSigner.create()
        .sign(
            r ->
                r.identity(AwsBasicCredentials.create(S3.accessKey(), S3.secretKey()))
                    .request(unsigned.build())
                    .payload(ContentStreamProvider.fromByteArray(request.getBody()))
                    .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "emr-serverless")
                    .putProperty(AwsV4HttpSigner.REGION_NAME, "eu-west-1")
                    .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(at, ZoneOffset.UTC)))
        .request()
        .firstMatchingHeader("Authorization")
        .orElseThrow();
  }

  @Test
  @SuppressWarnings("unchecked")
  void startsASignedJobRunOfTheUploadedJarAndFollowsItToSuccess() throws Exception {
    stubJobRun(jobRun("SUCCESS", null));

    Cli.Result r =
        deploy(
            "sls/",
            "--job",
            "mart",
            "--log-uri",
            "s3://logs-bucket/serverless",
            "--wait",
            "--",
            "--warehouse=s3://warehouse-bucket/lakehouse",
            "--date=2024-05-01");

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(S3.keys("sls/"))
        .containsExactly("sls/lakehouse-spark-cluster.jar", "sls/runner-profiles.zip");
    assertThat(Files.readAllBytes(S3.blob("sls/lakehouse-spark-cluster.jar")))
        .isEqualTo(Files.readAllBytes(jar));

    List<LoggedRequest> starts = startJobRuns();
    assertThat(starts).hasSize(1);
    LoggedRequest start = starts.get(0);
    assertThat(start.getMethod().getName()).isEqualTo("POST");
    assertThat(start.getUrl()).isEqualTo("/applications/00fabc123def4567/jobruns");
    assertThat(start.getHeader("Authorization"))
        .startsWith("AWS4-HMAC-SHA256 Credential=" + S3.accessKey() + "/")
        .contains("/eu-west-1/emr-serverless/aws4_request")
        .contains("SignedHeaders=")
        .contains("Signature=")
        .isEqualTo(resigned(start));
    assertThat(start.getHeader("X-Amz-Date")).matches("\\d{8}T\\d{6}Z");
    assertThat(start.getHeader("Content-Type")).isEqualTo("application/json");

    Map<String, Object> body = body(start);
    assertThat(body)
        .containsEntry("executionRoleArn", ROLE)
        .containsEntry("name", "lakehouse mart");
    assertThat((String) body.get("clientToken")).isNotBlank();
    Map<String, Object> sparkSubmit =
        (Map<String, Object>) ((Map<String, Object>) body.get("jobDriver")).get("sparkSubmit");
    assertThat(sparkSubmit)
        .containsEntry("entryPoint", "s3://lakehouse-test/sls/lakehouse-spark-cluster.jar")
        .containsEntry(
            "entryPointArguments",
            List.of(
                "mart",
                "--profile=emr-spark",
                "--warehouse=s3://warehouse-bucket/lakehouse",
                "--date=2024-05-01"))
        .containsEntry(
            "sparkSubmitParameters",
            "--class com.retail.lakehouse.pipelines.cli.LakehouseCommand"
                + " --archives s3://lakehouse-test/sls/runner-profiles.zip#runner-profiles"
                + " --conf spark.driver.extraJavaOptions=-Dlakehouse.home=.");
    assertThat(body.get("configurationOverrides"))
        .isEqualTo(
            Map.of(
                "monitoringConfiguration",
                Map.of(
                    "s3MonitoringConfiguration", Map.of("logUri", "s3://logs-bucket/serverless"))));

    service.verify(
        3,
        getRequestedFor(urlEqualTo(JOB_RUN))
            .withHeader("Authorization", matching(".*/emr-serverless/aws4_request.*")));
    assertThat(r.out())
        .isEqualTo(
            "job run "
                + RUN
                + " SUCCESS; logs: s3://logs-bucket/serverless/applications/"
                + APP
                + "/jobs/"
                + RUN
                + "/\n");
    assertThat(r.err())
        .contains("uploaded s3://lakehouse-test/sls/lakehouse-spark-cluster.jar")
        .contains("job run " + RUN + " started on " + APP)
        .contains("job run " + RUN + ": SUBMITTED (")
        .contains("job run " + RUN + ": RUNNING (")
        .contains("job run " + RUN + ": SUCCESS (");
  }

  @Test
  void withoutWaitItPrintsTheJobRunAndWhereItsLogsAreKept() {
    Cli.Result r = deploy("nowait/");
    Cli.Result again = deploy("nowait/");

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .startsWith(
            "job run "
                + RUN
                + " started on "
                + APP
                + " (lakehouse ingest); logs: EMR Serverless managed storage")
        .contains("aws emr-serverless get-job-run --application-id " + APP);
    service.verify(0, getRequestedFor(urlEqualTo(JOB_RUN)));
    List<LoggedRequest> starts = startJobRuns();
    assertThat(starts).hasSize(2);
    assertThat(body(starts.get(0))).doesNotContainKey("configurationOverrides");
    // Two submissions are two job runs: their idempotency tokens differ.
    assertThat(body(starts.get(0)).get("clientToken"))
        .isNotEqualTo(body(starts.get(1)).get("clientToken"));
    assertThat(again.code()).isZero();
  }

  @Test
  void failedJobRunPrintsItsStateDetailsOnOneLineAndExitsOne() {
    stubJobRun(
        jobRun(
            "FAILED",
            "Job failed, please check complete logs in configured logging destination.\n"
                + "ExitCode: 1. Last few exceptions: no runner profile 'emr-spark'"));

    Cli.Result r = deploy("failed/", "--wait", "--log-uri", "s3://logs-bucket/serverless/");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err().lines().toList())
        .last()
        .isEqualTo(
            "lakehouse deploy emr: job run "
                + RUN
                + " FAILED: Job failed, please check complete logs in configured logging"
                + " destination. ExitCode: 1. Last few exceptions: no runner profile 'emr-spark';"
                + " logs: s3://logs-bucket/serverless/applications/"
                + APP
                + "/jobs/"
                + RUN
                + "/");
  }

  @Test
  void cancelledJobRunExitsOne() {
    stubJobRun(jobRun("CANCELLED", "Job run cancelled by user"));

    Cli.Result r = deploy("cancelled/", "--wait");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err().lines().toList())
        .last()
        .asString()
        .startsWith(
            "lakehouse deploy emr: job run "
                + RUN
                + " CANCELLED: Job run cancelled by user; logs: EMR Serverless managed storage");
  }

  @Test
  void throttlingIsRetriedWithTheSameClientToken() {
    service.stubFor(
        post(urlEqualTo(JOB_RUNS))
            .inScenario("throttle")
            .whenScenarioStateIs(Scenario.STARTED)
            .willReturn(error(429, "ThrottlingException", "Rate exceeded"))
            .willSetStateTo("ok"));
    service.stubFor(
        post(urlEqualTo(JOB_RUNS))
            .inScenario("throttle")
            .whenScenarioStateIs("ok")
            .willReturn(ok(startedRun("a"))));
    stubJobRun(jobRun("SUCCESS", null));

    Cli.Result r = deploy("throttled/", "--wait");

    assertThat(r.code()).as(r.err()).isZero();
    List<LoggedRequest> starts = startJobRuns();
    assertThat(starts).hasSize(2);
    assertThat(body(starts.get(1)).get("clientToken"))
        .isNotNull()
        .isEqualTo(body(starts.get(0)).get("clientToken"));
  }

  @Test
  void aValidationExceptionIsOneLineWithTheServiceMessageAndIsNotRetried() {
    service.stubFor(
        post(urlEqualTo(JOB_RUNS))
            .willReturn(
                error(400, "ValidationException", "Entry point s3://x/y.jar does not exist")));

    Cli.Result r = deploy("invalid/", "--wait");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err().lines().toList())
        .last()
        .isEqualTo(
            "lakehouse deploy emr: ValidationException: Entry point s3://x/y.jar does not exist"
                + " (HTTP 400)");
    assertThat(startJobRuns()).hasSize(1);
  }

  @Test
  void usageErrorsAreOneLineExitTwoAndSendNothing() {
    String[] common = {"deploy", "emr", "--artifacts", "s3://b/p", "--endpoint-url"};
    Cli.Result both =
        run(common, "--cluster-id", "j-1", "--serverless-app", APP, "--execution-role-arn", ROLE);
    assertThat(both.code()).isEqualTo(2);
    assertThat(both.err())
        .isEqualTo(
            "lakehouse deploy emr: give --cluster-id or --serverless-app, not both"
                + " (see ./lakehouse deploy emr --help)\n");

    Cli.Result neither = run(common);
    assertThat(neither.code()).isEqualTo(2);
    assertThat(neither.err().lines()).hasSize(1);
    assertThat(neither.err()).contains("--cluster-id", "--serverless-app");

    Cli.Result noRole = run(common, "--serverless-app", APP);
    assertThat(noRole.code()).isEqualTo(2);
    assertThat(noRole.err().lines()).hasSize(1);
    assertThat(noRole.err())
        .startsWith("lakehouse deploy emr: --serverless-app needs --execution-role-arn");

    Cli.Result roleWithCluster = run(common, "--cluster-id", "j-1", "--execution-role-arn", ROLE);
    assertThat(roleWithCluster.code()).isEqualTo(2);
    assertThat(roleWithCluster.err().lines()).hasSize(1);

    Cli.Result badApp = run(common, "--serverless-app", "My-App", "--execution-role-arn", ROLE);
    assertThat(badApp.code()).isEqualTo(2);
    assertThat(badApp.err().lines()).hasSize(1);

    Cli.Result stepOnly =
        run(
            common,
            "--serverless-app",
            APP,
            "--execution-role-arn",
            ROLE,
            "--action-on-failure",
            "CONTINUE");
    assertThat(stepOnly.code()).isEqualTo(2);
    assertThat(stepOnly.err()).contains("--action-on-failure is for EMR steps");

    service.verify(0, anyRequestedFor(anyUrl()));

    Cli.Result help = Cli.run("deploy", "emr", "--help");
    assertThat(help.out()).contains("--serverless-app", "--execution-role-arn", "--log-uri");
  }

  private static Cli.Result run(String[] common, String... extra) {
    List<String> args = new ArrayList<>(Arrays.asList(common));
    args.add(service.baseUrl());
    args.addAll(Arrays.asList(extra));
    return Cli.run(args.toArray(String[]::new));
  }
}
