package com.retail.lakehouse.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.common.Json;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.retail.lakehouse.locals3.S3ServerExtension;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * What {@code ./lakehouse deploy emr} uploads and the step it adds: the jar and the runner profiles
 * go to a real S3-compatible server (S3Proxy, from the local-s3 module), EMR's JSON API is a local
 * WireMock (the SDK's endpoint override). Nothing reaches AWS.
 */
class EmrDeployContractTest {
  @RegisterExtension static final S3ServerExtension S3 = new S3ServerExtension("lakehouse-test");

  private static final String TARGET = "X-Amz-Target";
  private static final String JSON = "application/x-amz-json-1.1";
  private static WireMockServer emr;

  @TempDir static Path dir;
  private static Path jar;

  @BeforeAll
  static void start() throws Exception {
    emr = Cli.startDeployService(S3);
    jar = Cli.fakeClusterJar(dir);
  }

  @AfterAll
  static void stop() {
    emr.stop();
  }

  @BeforeEach
  void reset() {
    emr.resetAll();
    emr.stubFor(call("AddJobFlowSteps").willReturn(ok("{\"StepIds\":[\"s-1STEP\"]}")));
    emr.stubFor(
        call("DescribeCluster")
            .willReturn(
                ok(
                    "{\"Cluster\":{\"Id\":\"j-1CLUSTER\",\"Name\":\"lakehouse\","
                        + "\"LogUri\":\"s3n://logs-bucket/emr/\",\"Status\":{\"State\":\"WAITING\"}}}")));
  }

  private static MappingBuilder call(String operation) {
    return post(urlEqualTo("/")).withHeader(TARGET, equalTo("ElasticMapReduce." + operation));
  }

  private static ResponseDefinitionBuilder ok(String body) {
    return aResponse().withStatus(200).withHeader("Content-Type", JSON).withBody(body);
  }

  private static String step(String state, String failure) {
    return "{\"Step\":{\"Id\":\"s-1STEP\",\"Name\":\"lakehouse ingest\",\"ActionOnFailure\":\"CONTINUE\","
        + "\"Status\":{\"State\":\""
        + state
        + "\""
        + (failure == null ? "" : "," + failure)
        + "}}}";
  }

  /** DescribeStep: PENDING, RUNNING, then {@code last}. */
  private static void stubStep(String last) {
    emr.stubFor(
        call("DescribeStep")
            .inScenario("step")
            .whenScenarioStateIs(Scenario.STARTED)
            .willReturn(ok(step("PENDING", null)))
            .willSetStateTo("running"));
    emr.stubFor(
        call("DescribeStep")
            .inScenario("step")
            .whenScenarioStateIs("running")
            .willReturn(ok(step("RUNNING", null)))
            .willSetStateTo("done"));
    emr.stubFor(
        call("DescribeStep").inScenario("step").whenScenarioStateIs("done").willReturn(ok(last)));
  }

  private static Cli.Result deploy(String prefix, String... extra) {
    return deploy(jar, prefix, extra);
  }

  private static Cli.Result deploy(Path jarFile, String prefix, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "deploy",
                "emr",
                "--endpoint-url",
                emr.baseUrl(),
                "--s3-endpoint-url",
                S3.endpoint(),
                "--poll-millis",
                "5",
                "--cluster-id",
                "j-1CLUSTER",
                "--artifacts",
                "s3://" + S3.bucket() + "/" + prefix,
                "--jar",
                jarFile.toString()));
    args.addAll(Arrays.asList(extra));
    return Cli.run(args.toArray(String[]::new));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> addJobFlowSteps() {
    var requests =
        emr.findAll(
            postRequestedFor(urlEqualTo("/"))
                .withHeader(TARGET, equalTo("ElasticMapReduce.AddJobFlowSteps")));
    assertThat(requests).hasSize(1);
    return Json.read(requests.get(0).getBodyAsString(), Map.class);
  }

  private static S3Client s3() {
    return S3Client.builder()
        .endpointOverride(URI.create(S3.endpoint()))
        .forcePathStyle(true)
        .region(Region.EU_WEST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(
                AwsBasicCredentials.create(S3.accessKey(), S3.secretKey())))
        .build();
  }

  @Test
  @SuppressWarnings("unchecked")
  void uploadsJarAndProfilesAddsTheSparkSubmitStepAndFollowsItToCompleted() throws Exception {
    stubStep(step("COMPLETED", null));

    Cli.Result r =
        deploy(
            "deploy/",
            "--job",
            "mart",
            "--wait",
            "--",
            "--warehouse=s3://warehouse-bucket/lakehouse",
            "--date=2024-05-01");

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(S3.keys("deploy/"))
        .containsExactly("deploy/lakehouse-spark-cluster.jar", "deploy/runner-profiles.zip");
    assertThat(Files.readAllBytes(S3.blob("deploy/lakehouse-spark-cluster.jar")))
        .isEqualTo(Files.readAllBytes(jar));
    try (S3Client s3 = s3()) {
      assertThat(
              s3.headObject(b -> b.bucket(S3.bucket()).key("deploy/lakehouse-spark-cluster.jar"))
                  .metadata())
          .containsEntry("sha256", S3Artifacts.sha256(jar));
    }

    Map<String, Object> request = addJobFlowSteps();
    assertThat(request).containsEntry("JobFlowId", "j-1CLUSTER");
    List<Map<String, Object>> steps = (List<Map<String, Object>>) request.get("Steps");
    assertThat(steps).hasSize(1);
    assertThat(steps.get(0))
        .containsEntry("Name", "lakehouse mart")
        .containsEntry("ActionOnFailure", "CONTINUE");
    Map<String, Object> hadoopJarStep = (Map<String, Object>) steps.get(0).get("HadoopJarStep");
    assertThat(hadoopJarStep).containsEntry("Jar", "command-runner.jar");
    assertThat((List<String>) hadoopJarStep.get("Args"))
        .containsExactly(
            "spark-submit",
            "--deploy-mode",
            "cluster",
            "--class",
            "com.retail.lakehouse.pipelines.cli.LakehouseCommand",
            "--archives",
            "s3://lakehouse-test/deploy/runner-profiles.zip#runner-profiles",
            "--conf",
            "spark.driver.extraJavaOptions=-Dlakehouse.home=.",
            "s3://lakehouse-test/deploy/lakehouse-spark-cluster.jar",
            "mart",
            "--profile=emr-spark",
            "--warehouse=s3://warehouse-bucket/lakehouse",
            "--date=2024-05-01");
    emr.verify(
        3,
        postRequestedFor(urlEqualTo("/"))
            .withHeader(TARGET, equalTo("ElasticMapReduce.DescribeStep"))
            .withRequestBody(matchingJsonPath("$.ClusterId", equalTo("j-1CLUSTER")))
            .withRequestBody(matchingJsonPath("$.StepId", equalTo("s-1STEP"))));

    assertThat(r.out())
        .isEqualTo(
            "step s-1STEP COMPLETED; logs: s3n://logs-bucket/emr/j-1CLUSTER/steps/s-1STEP/\n");
    assertThat(r.err())
        .contains("uploaded s3://lakehouse-test/deploy/lakehouse-spark-cluster.jar")
        .contains("uploaded s3://lakehouse-test/deploy/runner-profiles.zip")
        .contains("PENDING")
        .contains("RUNNING");
  }

  @Test
  void theSameJarIsNotUploadedTwiceAChangedOneIs() throws Exception {
    stubStep(step("COMPLETED", null));
    assertThat(deploy("again/").code()).isZero();
    Path blob = S3.blob("again/lakehouse-spark-cluster.jar");
    Path profiles = S3.blob("again/runner-profiles.zip");
    FileTime jarWritten = Files.getLastModifiedTime(blob);
    FileTime profilesWritten = Files.getLastModifiedTime(profiles);
    Thread.sleep(20);

    Cli.Result same = deploy("again/");

    assertThat(same.code()).as(same.err()).isZero();
    assertThat(same.err())
        .contains("unchanged, not uploaded: s3://lakehouse-test/again/lakehouse-spark-cluster.jar")
        .contains("unchanged, not uploaded: s3://lakehouse-test/again/runner-profiles.zip");
    assertThat(Files.getLastModifiedTime(blob)).isEqualTo(jarWritten);
    assertThat(Files.getLastModifiedTime(profiles)).isEqualTo(profilesWritten);

    Path changed = dir.resolve("changed/lakehouse-spark-cluster.jar");
    Files.createDirectories(changed.getParent());
    Files.write(changed, "a rebuilt jar".getBytes());
    Cli.Result rebuilt = deploy(changed, "again/");
    assertThat(rebuilt.code()).as(rebuilt.err()).isZero();
    assertThat(rebuilt.err())
        .contains("uploaded s3://lakehouse-test/again/lakehouse-spark-cluster.jar")
        .contains("unchanged, not uploaded: s3://lakehouse-test/again/runner-profiles.zip");
    assertThat(Files.readAllBytes(blob)).isEqualTo("a rebuilt jar".getBytes());
    try (S3Client s3 = s3()) {
      assertThat(
              s3.headObject(b -> b.bucket(S3.bucket()).key("again/lakehouse-spark-cluster.jar"))
                  .metadata())
          .containsEntry("sha256", S3Artifacts.sha256(changed));
    }
  }

  @Test
  void withoutWaitItPrintsTheStepAndWhereItsLogsGo() {
    Cli.Result r = deploy("nowait/");

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out())
        .startsWith(
            "step s-1STEP added to j-1CLUSTER (lakehouse ingest); logs:"
                + " s3n://logs-bucket/emr/j-1CLUSTER/steps/s-1STEP/;");
    emr.verify(
        0,
        postRequestedFor(urlEqualTo("/"))
            .withHeader(TARGET, equalTo("ElasticMapReduce.DescribeStep")));
  }

  @Test
  void failedStepPrintsTheReasonOnOneLineAndExitsOne() {
    stubStep(
        step(
            "FAILED",
            "\"FailureDetails\":{\"Reason\":\"Unknown error.\","
                + "\"Message\":\"Exception in thread main: no runner profile 'emr-spark'\\nat ...\","
                + "\"LogFile\":\"s3://logs-bucket/emr/j-1CLUSTER/steps/s-1STEP/stderr.gz\"}"));

    Cli.Result r = deploy("failed/", "--wait");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err().lines().toList())
        .last()
        .isEqualTo(
            "lakehouse deploy emr: step s-1STEP FAILED: Unknown error.: Exception in thread main: no"
                + " runner profile 'emr-spark' at ...: log"
                + " s3://logs-bucket/emr/j-1CLUSTER/steps/s-1STEP/stderr.gz; logs:"
                + " s3n://logs-bucket/emr/j-1CLUSTER/steps/s-1STEP/");
  }

  @Test
  void cancelledStepPrintsTheReasonAndExitsOne() {
    stubStep(
        step("CANCELLED", "\"StateChangeReason\":{\"Message\":\"Cancelled by user request\"}"));

    Cli.Result r = deploy("cancelled/", "--wait");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err().lines().toList())
        .last()
        .isEqualTo(
            "lakehouse deploy emr: step s-1STEP CANCELLED: Cancelled by user request; logs:"
                + " s3n://logs-bucket/emr/j-1CLUSTER/steps/s-1STEP/");
  }

  @Test
  void throttlingIsRetriedWithBackoff() {
    emr.stubFor(
        call("AddJobFlowSteps")
            .inScenario("throttle")
            .whenScenarioStateIs(Scenario.STARTED)
            .willReturn(
                aResponse()
                    .withStatus(400)
                    .withHeader("Content-Type", JSON)
                    .withBody("{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded\"}"))
            .willSetStateTo("ok"));
    emr.stubFor(
        call("AddJobFlowSteps")
            .inScenario("throttle")
            .whenScenarioStateIs("ok")
            .willReturn(ok("{\"StepIds\":[\"s-1STEP\"]}")));
    stubStep(step("COMPLETED", null));

    Cli.Result r = deploy("throttled/", "--wait");

    assertThat(r.code()).as(r.err()).isZero();
    emr.verify(
        2,
        postRequestedFor(urlEqualTo("/"))
            .withHeader(TARGET, equalTo("ElasticMapReduce.AddJobFlowSteps")));
  }

  @Test
  void aMissingJarSaysWhichBuildMakesIt() {
    Cli.Result r = deploy(dir.resolve("nope.jar"), "missing/");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err().lines()).hasSize(1);
    assertThat(r.err())
        .contains(
            "nope.jar is missing: build it with ./mvnw -B -pl runners/spark -am -DskipTests package");
    emr.verify(0, postRequestedFor(urlEqualTo("/")));
  }

  @Test
  void usageErrorsAreOneLineAndExitTwo() {
    Cli.Result wrongFlag =
        Cli.run("deploy", "emr", "--cluster-id", "j-1", "--artifacts", "s3://b/p", "--bogus");
    assertThat(wrongFlag.code()).isEqualTo(2);
    assertThat(wrongFlag.err().lines()).hasSize(1);
    assertThat(wrongFlag.err())
        .startsWith("lakehouse deploy emr: Unknown option: '--bogus'")
        .endsWith("(see ./lakehouse deploy emr --help)\n");

    Cli.Result noCluster = Cli.run("deploy", "emr", "--artifacts", "s3://b/p");
    assertThat(noCluster.code()).isEqualTo(2);
    assertThat(noCluster.err()).contains("--cluster-id");

    Cli.Result badJob = deploy("x/", "--job", "export");
    assertThat(badJob.code()).isEqualTo(2);
    assertThat(badJob.err().lines()).hasSize(1);

    Cli.Result badArtifacts =
        Cli.run("deploy", "emr", "--cluster-id", "j-1", "--artifacts", "bucket/prefix");
    assertThat(badArtifacts.code()).isEqualTo(2);
    assertThat(badArtifacts.err())
        .isEqualTo(
            "lakehouse deploy emr: --artifacts must be s3://bucket/prefix, not bucket/prefix"
                + " (see ./lakehouse deploy emr --help)\n");

    Cli.Result noTarget = Cli.run("deploy");
    assertThat(noTarget.code()).isEqualTo(2);

    Cli.Result help = Cli.run("deploy", "emr", "--help");
    assertThat(help.code()).isZero();
    assertThat(help.out()).contains("--cluster-id", "--artifacts", "--job", "--wait");
    assertThat(help.out()).doesNotContain("--endpoint-url");
  }
}
