package com.retail.lakehouse.aws;

import com.retail.lakehouse.common.UsageException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.services.emr.EmrClient;
import software.amazon.awssdk.services.emr.model.ActionOnFailure;
import software.amazon.awssdk.services.emr.model.FailureDetails;
import software.amazon.awssdk.services.emr.model.Step;
import software.amazon.awssdk.services.emr.model.StepState;
import software.amazon.awssdk.services.emr.model.StepStatus;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * {@code ./lakehouse deploy emr}: uploads the Spark cluster jar and the runner profiles to S3
 * (skipped when the same SHA-256 is there), then either adds a spark-submit step to a running EMR
 * cluster (AddJobFlowSteps with command-runner.jar; {@code --cluster-id}) or starts a job run on an
 * EMR Serverless application (StartJobRun; {@code --serverless-app}) with the same spark-submit
 * options and job arguments, and, with {@code --wait}, follows it to its end.
 */
@Command(
    name = "emr",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "Run a pipeline job on a running Amazon EMR (7.x, Spark 3.5) cluster or an EMR Serverless"
          + " application: upload runners/spark/target/lakehouse-spark-cluster.jar and"
          + " runner-profiles/ to --artifacts (skipped when an object with the same SHA-256 is"
          + " there), then add a spark-submit step (--cluster-id: command-runner.jar, deploy mode"
          + " cluster) or start a job run (--serverless-app: StartJobRun) running JOB with the"
          + " runner profile.",
      "Arguments after -- go to the job (e.g. -- --warehouse=s3://bucket/lakehouse"
          + " --bootstrap-servers=b-1.msk:9092).",
      "Credentials and region come from the AWS SDK's default chain (AWS_PROFILE, AWS_REGION,"
          + " ~/.aws/config, environment, SSO, instance and container roles).",
      ""
    },
    footer = {
      "",
      "Examples:",
      "  ./lakehouse deploy emr --cluster-id j-2AXXXXXXGAPLF --artifacts s3://my-bucket/lakehouse/"
          + " --job ingest --wait -- --warehouse=s3://my-bucket/warehouse --bootstrap-servers=b-1:9092",
      "  ./lakehouse deploy emr --serverless-app 00fabc123def4567 --execution-role-arn"
          + " arn:aws:iam::123456789012:role/lakehouse-job --artifacts s3://my-bucket/lakehouse/"
          + " --log-uri s3://my-bucket/emr-logs/ --wait -- --warehouse=s3://my-bucket/warehouse",
      "Exit codes: 0 ok (with --wait: the step COMPLETED, the job run ended SUCCESS), 1 the step"
          + " FAILED, was CANCELLED or INTERRUPTED, the job run FAILED or was CANCELLED (the reason on"
          + " one line) or an AWS error, 2 usage error."
    })
final class EmrDeployCommand implements Callable<Integer> {
  /** The pipelines' command-line entry point inside the cluster jar. */
  static final String MAIN_CLASS = "com.retail.lakehouse.pipelines.cli.LakehouseCommand";

  static final String JAR_NAME = "lakehouse-spark-cluster.jar";
  static final String PROFILES_NAME = "runner-profiles.zip";
  static final String BUILD_COMMAND = "./mvnw -B -pl runners/spark -am -DskipTests package";

  /** The jobs a step can run (the pipelines' commands). */
  enum Job {
    ingest,
    mart
  }

  /** EMR Serverless application ids: lower-case letters and digits (the API's pattern). */
  private static final Pattern SERVERLESS_APP = Pattern.compile("[0-9a-z]{1,64}");

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--cluster-id",
      paramLabel = "ID",
      description = "The running EMR cluster (j-...). Or --serverless-app.")
  String clusterId;

  @Option(
      names = "--serverless-app",
      paramLabel = "ID",
      description =
          "An EMR Serverless application (the infra stack's EmrServerlessApplicationId) instead of"
              + " --cluster-id: start a job run (StartJobRun). Needs --execution-role-arn.")
  String serverlessApp;

  @Option(
      names = "--execution-role-arn",
      paramLabel = "ARN",
      description =
          "With --serverless-app: the job run's IAM role (the stack's EmrServerlessJobRoleArn).")
  String executionRoleArn;

  @Option(
      names = "--log-uri",
      paramLabel = "S3_URI",
      description =
          "With --serverless-app: where the job run writes its logs (S3 monitoring). Default: the"
              + " application's own log settings and EMR Serverless' managed storage.")
  String logUri;

  @Option(
      names = "--artifacts",
      paramLabel = "S3_URI",
      required = true,
      description = "Where the jar and runner profiles go, e.g. s3://my-bucket/lakehouse/.")
  String artifacts;

  @Option(
      names = "--job",
      paramLabel = "JOB",
      defaultValue = "ingest",
      description = "ingest or mart. Default: ${DEFAULT-VALUE}.")
  Job job;

  @Option(
      names = "--profile",
      paramLabel = "NAME",
      defaultValue = "emr-spark",
      description = "Runner profile from runner-profiles/. Default: ${DEFAULT-VALUE}.")
  String profile;

  @Option(
      names = "--wait",
      description =
          "Follow the step (DescribeStep) or job run (GetJobRun) until it ends; print its final"
              + " state and log location.")
  boolean await;

  @Option(
      names = "--jar",
      paramLabel = "FILE",
      description =
          "The cluster jar. Default: runners/spark/target/"
              + JAR_NAME
              + " (built by "
              + BUILD_COMMAND
              + ").")
  Path jar;

  @Option(
      names = "--step-name",
      paramLabel = "NAME",
      description = "The step's (or job run's) name. Default: lakehouse JOB.")
  String stepName;

  @Option(
      names = "--action-on-failure",
      paramLabel = "ACTION",
      defaultValue = "CONTINUE",
      description =
          "What the cluster does when the step fails: CONTINUE, CANCEL_AND_WAIT or"
              + " TERMINATE_CLUSTER. Default: ${DEFAULT-VALUE}.")
  ActionOnFailure actionOnFailure;

  @Option(
      names = "--endpoint-url",
      paramLabel = "URL",
      hidden = true,
      description =
          "Advanced: send EMR's or EMR Serverless' (and S3's) requests to URL (a stand-in in"
              + " tests).")
  URI endpointUrl;

  @Option(
      names = "--s3-endpoint-url",
      paramLabel = "URL",
      hidden = true,
      description = "Advanced: send S3's requests to URL (path-style). Default: --endpoint-url.")
  URI s3EndpointUrl;

  @Option(
      names = "--poll-millis",
      paramLabel = "MS",
      hidden = true,
      defaultValue = "10000",
      description = "Advanced: how often to ask for the step's or job run's state.")
  long pollMillis;

  @Parameters(paramLabel = "JOB_ARGS", description = "Arguments for the job (after --).")
  List<String> jobArgs = new ArrayList<>();

  private final PrintStream out;
  private final PrintStream err;

  EmrDeployCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  private static Path home() {
    return Path.of(System.getProperty("lakehouse.home", ".")).toAbsolutePath().normalize();
  }

  @Override
  public Integer call() throws Exception {
    checkTarget();
    if (pollMillis < 1) {
      throw new UsageException("--poll-millis must be positive");
    }
    S3Artifacts.parse(artifacts); // a usage error before any work
    Path jarFile = jar != null ? jar : home().resolve("runners/spark/target").resolve(JAR_NAME);
    if (!Files.isRegularFile(jarFile)) {
      err.println(
          "lakehouse deploy emr: " + jarFile + " is missing: build it with " + BUILD_COMMAND);
      return 1;
    }
    Path profiles = home().resolve("runner-profiles");
    if (!Files.isRegularFile(profiles.resolve(profile + ".args"))) {
      throw new UsageException(
          "no runner profile '"
              + profile
              + "' (expected "
              + profiles.resolve(profile + ".args")
              + ")");
    }

    AwsClients aws = AwsClients.resolve(endpointUrl);
    URI s3Endpoint = s3EndpointUrl != null ? s3EndpointUrl : endpointUrl;
    String jarUri;
    String profilesUri;
    Path zip = Files.createTempFile("lakehouse-runner-profiles", ".zip");
    try (S3Client s3 = aws.build(s3Builder(s3Endpoint), s3Endpoint)) {
      S3Artifacts store = new S3Artifacts(s3, artifacts);
      S3Artifacts.Upload jarUpload = store.upload(jarFile, JAR_NAME);
      report(jarFile, jarUpload);
      zipProfiles(profiles, zip);
      S3Artifacts.Upload profilesUpload = store.upload(zip, PROFILES_NAME);
      report(profiles, profilesUpload);
      jarUri = jarUpload.uri();
      profilesUri = profilesUpload.uri();
    } finally {
      Files.deleteIfExists(zip);
    }
    return serverlessApp != null
        ? startJobRun(aws, jarUri, profilesUri)
        : addStep(aws, jarUri, profilesUri);
  }

  /** Exactly one target: --cluster-id, or --serverless-app with --execution-role-arn. */
  private void checkTarget() {
    if (clusterId != null && serverlessApp != null) {
      throw new UsageException("give --cluster-id or --serverless-app, not both");
    }
    if (clusterId == null && serverlessApp == null) {
      throw new UsageException(
          "give --cluster-id ID (an EMR cluster) or --serverless-app ID --execution-role-arn ARN"
              + " (EMR Serverless)");
    }
    if (clusterId != null) {
      if (executionRoleArn != null || logUri != null) {
        throw new UsageException(
            "--execution-role-arn and --log-uri go with --serverless-app, not --cluster-id");
      }
      if (!clusterId.startsWith("j-")) {
        throw new UsageException(
            "--cluster-id must be an EMR cluster id (j-...), not " + clusterId);
      }
      return;
    }
    if (executionRoleArn == null) {
      throw new UsageException(
          "--serverless-app needs --execution-role-arn (the job run's role, e.g. the stack's"
              + " EmrServerlessJobRoleArn)");
    }
    if (!SERVERLESS_APP.matcher(serverlessApp).matches()) {
      throw new UsageException(
          "--serverless-app must be an EMR Serverless application id (lower-case letters and"
              + " digits), not "
              + serverlessApp);
    }
    if (!executionRoleArn.startsWith("arn:")) {
      throw new UsageException(
          "--execution-role-arn must be an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME), not "
              + executionRoleArn);
    }
    if (logUri != null && !logUri.startsWith("s3://")) {
      throw new UsageException("--log-uri must be s3://bucket/prefix, not " + logUri);
    }
    if (spec.commandLine().getParseResult().hasMatchedOption("--action-on-failure")) {
      throw new UsageException("--action-on-failure is for EMR steps (--cluster-id)");
    }
    if (artifacts.chars().anyMatch(Character::isWhitespace)) {
      // sparkSubmitParameters is one string: spark-submit's options separated by spaces.
      throw new UsageException(
          "--artifacts must have no spaces with --serverless-app, not '" + artifacts + "'");
    }
  }

  private String runName() {
    return stepName != null ? stepName : "lakehouse " + job;
  }

  /** EMR on EC2: one spark-submit step; with --wait, DescribeStep until it ends. */
  private int addStep(AwsClients aws, String jarUri, String profilesUri)
      throws InterruptedException {
    try (EmrClient emr = aws.build(EmrClient.builder())) {
      List<String> args = stepArgs(jarUri, profilesUri);
      String name = runName();
      String stepId =
          emr.addJobFlowSteps(
                  r ->
                      r.jobFlowId(clusterId)
                          .steps(
                              s ->
                                  s.name(name)
                                      .actionOnFailure(actionOnFailure)
                                      .hadoopJarStep(h -> h.jar("command-runner.jar").args(args))))
              .stepIds()
              .get(0);
      String logs = logLocation(emr, stepId);
      if (!await) {
        out.println(
            "step "
                + stepId
                + " added to "
                + clusterId
                + " ("
                + name
                + "); logs: "
                + logs
                + "; follow it with --wait or: aws emr describe-step --cluster-id "
                + clusterId
                + " --step-id "
                + stepId);
        return 0;
      }
      err.println("lakehouse deploy emr: step " + stepId + " added to " + clusterId);
      Step step = follow(emr, stepId);
      StepState state = step.status().state();
      if (state == StepState.COMPLETED) {
        out.println("step " + stepId + " COMPLETED; logs: " + logs);
        return 0;
      }
      err.println(
          "lakehouse deploy emr: step "
              + stepId
              + " "
              + state
              + ": "
              + reason(step.status())
              + "; logs: "
              + logs);
      return 1;
    }
  }

  /**
   * EMR Serverless: one StartJobRun with the step's spark-submit options and job arguments (the
   * driver runs in a container, as in YARN's cluster mode, so the profiles archive works alike);
   * with --wait, GetJobRun until it ends. One client token per run of this command: every retry of
   * the submission sends the same one, so the service starts at most one job run for it.
   */
  private int startJobRun(AwsClients aws, String jarUri, String profilesUri)
      throws InterruptedException {
    String name = runName();
    EmrServerlessClient.StartJobRun request =
        new EmrServerlessClient.StartJobRun(
            serverlessApp,
            UUID.randomUUID().toString(),
            executionRoleArn,
            name,
            jarUri,
            jobArguments(),
            String.join(" ", sparkSubmitOptions(profilesUri)),
            logUri);
    try (EmrServerlessClient client = EmrServerlessClient.create(aws)) {
      String runId = client.startJobRun(request);
      String logs = jobRunLogs(runId);
      if (!await) {
        out.println(
            "job run "
                + runId
                + " started on "
                + serverlessApp
                + " ("
                + name
                + "); logs: "
                + logs
                + "; follow it with --wait or: aws emr-serverless get-job-run --application-id "
                + serverlessApp
                + " --job-run-id "
                + runId);
        return 0;
      }
      err.println("lakehouse deploy emr: job run " + runId + " started on " + serverlessApp);
      EmrServerlessClient.JobRun run = followJobRun(client, runId);
      if (run.state() == EmrServerlessClient.State.SUCCESS) {
        out.println("job run " + runId + " SUCCESS; logs: " + logs);
        return 0;
      }
      String details =
          run.stateDetails() == null || run.stateDetails().isBlank()
              ? "(EMR Serverless gave no details)"
              : oneLine(run.stateDetails());
      err.println(
          "lakehouse deploy emr: job run "
              + runId
              + " "
              + run.state()
              + ": "
              + details
              + "; logs: "
              + logs);
      return 1;
    }
  }

  /** Polls GetJobRun until the job run is SUCCESS, FAILED or CANCELLED. */
  private EmrServerlessClient.JobRun followJobRun(EmrServerlessClient client, String runId)
      throws InterruptedException {
    Progress progress = new Progress(err, "lakehouse deploy emr: job run " + runId);
    while (true) {
      EmrServerlessClient.JobRun run = client.getJobRun(serverlessApp, runId);
      progress.update(run.state().name());
      if (run.state().terminal()) {
        return run;
      }
      Thread.sleep(pollMillis);
    }
  }

  /** The run's logs: under --log-uri where EMR Serverless writes them; else where it keeps them. */
  private String jobRunLogs(String runId) {
    String run = "applications/" + serverlessApp + "/jobs/" + runId + "/";
    if (logUri != null) {
      return (logUri.endsWith("/") ? logUri : logUri + "/") + run;
    }
    return "EMR Serverless managed storage (the job run's Spark UI in the console) and the"
        + " application's own log settings, if any (the infra stack's: s3://<bucket>/emr-logs/"
        + run
        + " and CloudWatch)";
  }

  /**
   * S3's client. Behind an endpoint override (an S3-compatible store, the tests' S3Proxy):
   * path-style URLs, and checksums only where S3 requires them, since such stores often reject the
   * trailing CRC checksums (aws-chunked uploads) that the SDK sends to AWS by default since 2.30.
   */
  private static S3ClientBuilder s3Builder(URI endpoint) {
    S3ClientBuilder builder = S3Client.builder();
    if (endpoint != null) {
      builder
          .forcePathStyle(true)
          .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
          .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
    }
    return builder;
  }

  /** spark-submit through command-runner.jar, deploy mode cluster, with the profile shipped. */
  List<String> stepArgs(String jarUri, String profilesUri) {
    List<String> args = new ArrayList<>(List.of("spark-submit", "--deploy-mode", "cluster"));
    args.addAll(sparkSubmitOptions(profilesUri));
    args.add(jarUri);
    args.addAll(jobArguments());
    return args;
  }

  /**
   * The spark-submit options of both targets (the step's, and EMR Serverless'
   * sparkSubmitParameters): the main class, and the profiles shipped for the driver.
   */
  static List<String> sparkSubmitOptions(String profilesUri) {
    // The driver reads runner-profiles/<profile>.args under -Dlakehouse.home: YARN (and EMR
    // Serverless) unpack the archive as runner-profiles/ in the driver's working folder.
    return List.of(
        "--class",
        MAIN_CLASS,
        "--archives",
        profilesUri + "#runner-profiles",
        "--conf",
        "spark.driver.extraJavaOptions=-Dlakehouse.home=.");
  }

  /** What follows the jar: the job, its runner profile and the arguments after --. */
  List<String> jobArguments() {
    List<String> args = new ArrayList<>();
    args.add(job.name());
    args.add("--profile=" + profile);
    args.addAll(jobArgs);
    return args;
  }

  private void report(Path file, S3Artifacts.Upload upload) {
    err.println(
        "lakehouse deploy emr: "
            + (upload.skipped() ? "unchanged, not uploaded: " : "uploaded ")
            + upload.uri()
            + " (sha256 "
            + upload.sha256().substring(0, 12)
            + "..., from "
            + file.getFileName()
            + ")");
  }

  /** Polls DescribeStep until the step is COMPLETED, CANCELLED, FAILED or INTERRUPTED. */
  private Step follow(EmrClient emr, String stepId) throws InterruptedException {
    Progress progress = new Progress(err, "lakehouse deploy emr: step " + stepId);
    while (true) {
      Step step = emr.describeStep(r -> r.clusterId(clusterId).stepId(stepId)).step();
      StepState state = step.status().state();
      progress.update(String.valueOf(state));
      switch (state) {
        case COMPLETED, CANCELLED, FAILED, INTERRUPTED -> {
          return step;
        }
        case PENDING, CANCEL_PENDING, RUNNING -> Thread.sleep(pollMillis);
        default ->
            throw new IllegalStateException(
                "EMR answered an unknown step state: " + step.status().stateAsString());
      }
    }
  }

  /** The step's logs: the cluster's LogUri + cluster id + steps/ + step id. */
  private String logLocation(EmrClient emr, String stepId) {
    String logUri = emr.describeCluster(r -> r.clusterId(clusterId)).cluster().logUri();
    if (logUri == null || logUri.isBlank()) {
      return "none (the cluster has no LogUri; the step's logs stay on its nodes)";
    }
    return (logUri.endsWith("/") ? logUri : logUri + "/") + clusterId + "/steps/" + stepId + "/";
  }

  private static String reason(StepStatus status) {
    List<String> parts = new ArrayList<>();
    FailureDetails failure = status.failureDetails();
    if (failure != null) {
      if (failure.reason() != null) {
        parts.add(failure.reason());
      }
      if (failure.message() != null) {
        parts.add(failure.message());
      }
      if (failure.logFile() != null) {
        parts.add("log " + failure.logFile());
      }
    }
    if (parts.isEmpty()
        && status.stateChangeReason() != null
        && status.stateChangeReason().message() != null) {
      parts.add(status.stateChangeReason().message());
    }
    return oneLine(parts.isEmpty() ? "(EMR gave no reason)" : String.join(": ", parts));
  }

  /** A service's multi-line reason on one line. */
  static String oneLine(String reason) {
    return String.join(" ", reason.strip().lines().map(String::strip).toList());
  }

  /**
   * The runner profiles (*.args) as a zip with fixed timestamps and sorted entries: the same files
   * give the same bytes, hence the same SHA-256, and the upload is skipped.
   */
  static void zipProfiles(Path profiles, Path zip) throws IOException {
    List<Path> files;
    try (Stream<Path> list = Files.list(profiles)) {
      files = list.filter(p -> p.getFileName().toString().endsWith(".args")).sorted().toList();
    }
    try (OutputStream o = Files.newOutputStream(zip);
        ZipOutputStream z = new ZipOutputStream(o)) {
      for (Path f : files) {
        ZipEntry e = new ZipEntry(f.getFileName().toString());
        e.setLastModifiedTime(FileTime.fromMillis(0));
        z.putNextEntry(e);
        z.write(Files.readAllBytes(f));
        z.closeEntry();
      }
    }
  }
}
