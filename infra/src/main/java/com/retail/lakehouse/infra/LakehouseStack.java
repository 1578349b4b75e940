package com.retail.lakehouse.infra;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.Aws;
import software.amazon.awscdk.CfnCondition;
import software.amazon.awscdk.CfnOutput;
import software.amazon.awscdk.CfnParameter;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Fn;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.athena.CfnWorkGroup;
import software.amazon.awscdk.services.emrserverless.CfnApplication;
import software.amazon.awscdk.services.glue.CfnDatabase;
import software.amazon.awscdk.services.iam.Effect;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.PrincipalWithConditions;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.msk.CfnServerlessCluster;
import software.amazon.awscdk.services.s3.BlockPublicAccess;
import software.amazon.awscdk.services.s3.Bucket;
import software.amazon.awscdk.services.s3.BucketEncryption;
import software.amazon.awscdk.services.s3.LifecycleRule;
import software.amazon.awscdk.services.s3.ObjectOwnership;
import software.constructs.Construct;

/**
 * The lakehouse's AWS resources in one CloudFormation stack, region- and account-agnostic (every
 * ARN is built from {@code AWS::Partition}, {@code AWS::Region} and {@code AWS::AccountId}).
 *
 * <p>What it guarantees about the synthesized template:
 *
 * <ul>
 *   <li>one S3 lake bucket: versioned, SSE-S3 encrypted, all public access blocked, bucket owner
 *       enforced, a bucket policy that denies any request without TLS (1.2 or newer), lifecycle
 *       rules that expire {@code tmp/}, {@code athena-results/} and {@code emr-logs/}, expire
 *       noncurrent versions (what Iceberg's snapshot expiry and orphan clean-up leave behind), and
 *       abort incomplete multipart uploads; the bucket is retained when the stack is deleted;
 *   <li>Glue databases {@code raw} and {@code marts} (the pipelines' Iceberg namespaces), located
 *       under the warehouse prefix;
 *   <li>an Athena (engine v3) workgroup whose configuration is enforced: results in the bucket's
 *       {@code athena-results/}, SSE-S3 encrypted, a bytes-scanned cutoff per query;
 *   <li>an EMR Serverless Spark application (release label {@code emr-7.x}, auto start, auto stop
 *       after an idle timeout, capped capacity, logs to CloudWatch and the bucket);
 *   <li>the job execution role for it, assumable only by EMR Serverless for this account and this
 *       application, with least privilege: S3 on the lake bucket and its objects, Glue on the
 *       catalog, the two databases and their tables, CloudWatch Logs on its own log group, and
 *       (with MSK Serverless) Kafka on that cluster's topics and groups only. No statement grants
 *       every action on every resource;
 *   <li>Kafka as a parameter (the bootstrap servers of an existing cluster), or with {@code
 *       mskServerless} an Amazon MSK Serverless cluster (IAM authentication) in the given subnets;
 *   <li>outputs named after the launcher's {@code --catalog=glue} flags.
 * </ul>
 */
final class LakehouseStack extends Stack {
  /**
   * The Glue databases: the Iceberg namespaces the pipelines write ({@code raw.*}, {@code
   * marts.*}).
   */
  static final List<String> DATABASES = List.of("raw", "marts");

  static final String WAREHOUSE_PREFIX = "warehouse";
  static final String TMP_PREFIX = "tmp/";
  static final String ATHENA_RESULTS_PREFIX = "athena-results/";
  static final String EMR_LOGS_PREFIX = "emr-logs/";

  // Output names (the README's table maps each to a launcher flag).
  static final String OUT_WAREHOUSE = "Warehouse";
  static final String OUT_REGION = "Region";
  static final String OUT_GLUE_ID = "GlueCatalogId";
  static final String OUT_GLUE_DATABASES = "GlueDatabases";
  static final String OUT_CATALOG_FLAGS = "CatalogFlags";
  static final String OUT_BUCKET = "LakeBucketName";
  static final String OUT_WORKGROUP = "AthenaWorkGroup";
  static final String OUT_ATHENA_RESULTS = "AthenaResultsLocation";
  static final String OUT_APPLICATION_ID = "EmrServerlessApplicationId";
  static final String OUT_JOB_ROLE_ARN = "EmrServerlessJobRoleArn";
  static final String OUT_LOG_GROUP = "EmrServerlessLogGroup";
  static final String OUT_BOOTSTRAP_SERVERS = "BootstrapServers";
  static final String OUT_MSK_CLUSTER_ARN = "MskClusterArn";

  LakehouseStack(Construct scope, String id, StackProps props, InfraOptions options) {
    super(scope, id, props);
    String stackName = options.stackName();

    // ---- parameters (deploy-time, each with a default) ----
    CfnParameter bytesCutoff =
        CfnParameter.Builder.create(this, "AthenaBytesScannedCutoffPerQuery")
            .type("Number")
            .defaultValue(10L * 1024 * 1024 * 1024)
            .minValue(10_000_000)
            .description("Athena cancels a query that scans more than this many bytes (10 GiB).")
            .build();
    CfnParameter tmpDays =
        CfnParameter.Builder.create(this, "TmpExpirationDays")
            .type("Number")
            .defaultValue(7)
            .minValue(1)
            .description("Days after which objects under tmp/ and athena-results/ expire.")
            .build();
    CfnParameter noncurrentDays =
        CfnParameter.Builder.create(this, "NoncurrentVersionExpirationDays")
            .type("Number")
            .defaultValue(30)
            .minValue(1)
            .description(
                "Days a deleted or overwritten object version is kept (Iceberg snapshot expiry and"
                    + " orphan clean-up delete files; versioning keeps them this long).")
            .build();
    CfnParameter releaseLabel =
        CfnParameter.Builder.create(this, "EmrReleaseLabel")
            .type("String")
            .defaultValue("emr-7.5.0")
            .allowedPattern("emr-7\\.[0-9]+\\.[0-9]+")
            .description("EMR Serverless release (emr-7.x ships Spark 3.5, the product's Spark).")
            .build();
    CfnParameter idleMinutes =
        CfnParameter.Builder.create(this, "EmrIdleTimeoutMinutes")
            .type("Number")
            .defaultValue(15)
            .minValue(1)
            .maxValue(10080)
            .description("The Spark application stops after this many idle minutes.")
            .build();
    CfnParameter maxMemory =
        CfnParameter.Builder.create(this, "EmrMaximumMemoryGb")
            .type("Number")
            .defaultValue(128)
            .minValue(1)
            .description("Upper bound of the application's memory (GB) across all running jobs.")
            .build();
    CfnParameter maxVcpu =
        CfnParameter.Builder.create(this, "EmrMaximumVcpu")
            .type("Number")
            .defaultValue(32)
            .minValue(1)
            .description("Upper bound of the application's vCPUs across all running jobs.")
            .build();

    // ---- the lake bucket ----
    Bucket bucket =
        Bucket.Builder.create(this, "LakeBucket")
            .versioned(true)
            .encryption(BucketEncryption.S3_MANAGED)
            .blockPublicAccess(BlockPublicAccess.BLOCK_ALL)
            .objectOwnership(ObjectOwnership.BUCKET_OWNER_ENFORCED)
            .enforceSsl(true)
            .minimumTlsVersion(1.2)
            .removalPolicy(RemovalPolicy.RETAIN)
            .lifecycleRules(
                List.of(
                    LifecycleRule.builder()
                        .id("expire-tmp")
                        .prefix(TMP_PREFIX)
                        .expiration(Duration.days(tmpDays.getValueAsNumber()))
                        .build(),
                    LifecycleRule.builder()
                        .id("expire-athena-results")
                        .prefix(ATHENA_RESULTS_PREFIX)
                        .expiration(Duration.days(tmpDays.getValueAsNumber()))
                        .build(),
                    LifecycleRule.builder()
                        .id("expire-emr-logs")
                        .prefix(EMR_LOGS_PREFIX)
                        .expiration(Duration.days(30))
                        .build(),
                    LifecycleRule.builder()
                        .id("abort-incomplete-multipart-uploads")
                        .abortIncompleteMultipartUploadAfter(Duration.days(2))
                        .build(),
                    LifecycleRule.builder()
                        .id("expire-noncurrent-versions")
                        .noncurrentVersionExpiration(
                            Duration.days(noncurrentDays.getValueAsNumber()))
                        .expiredObjectDeleteMarker(true)
                        .build()))
            .build();
    String bucketUri = "s3://" + bucket.getBucketName() + "/";
    String warehouse = bucketUri + WAREHOUSE_PREFIX;

    // ---- Glue databases ----
    for (String name : DATABASES) {
      CfnDatabase.Builder.create(this, "GlueDatabase-" + name)
          .catalogId(Aws.ACCOUNT_ID)
          .databaseInput(
              CfnDatabase.DatabaseInputProperty.builder()
                  .name(name)
                  .description("Lakehouse Iceberg namespace " + name + " (stack " + stackName + ")")
                  .locationUri(warehouse + "/" + name + ".db")
                  .build())
          .build();
    }

    // ---- Athena workgroup ----
    CfnWorkGroup workGroup =
        CfnWorkGroup.Builder.create(this, "QueryWorkGroup")
            .name(stackName)
            .description("Lakehouse queries (Athena engine v3 over the Glue catalog)")
            .state("ENABLED")
            .recursiveDeleteOption(true)
            .workGroupConfiguration(
                CfnWorkGroup.WorkGroupConfigurationProperty.builder()
                    .enforceWorkGroupConfiguration(true)
                    .publishCloudWatchMetricsEnabled(true)
                    .bytesScannedCutoffPerQuery(bytesCutoff.getValueAsNumber())
                    .engineVersion(
                        CfnWorkGroup.EngineVersionProperty.builder()
                            .selectedEngineVersion("Athena engine version 3")
                            .build())
                    .resultConfiguration(
                        CfnWorkGroup.ResultConfigurationProperty.builder()
                            .outputLocation(bucketUri + ATHENA_RESULTS_PREFIX)
                            .encryptionConfiguration(
                                CfnWorkGroup.EncryptionConfigurationProperty.builder()
                                    .encryptionOption("SSE_S3")
                                    .build())
                            .build())
                    .build())
            .build();

    // ---- optional MSK Serverless ----
    CfnServerlessCluster msk = null;
    CfnApplication.NetworkConfigurationProperty network = null;
    CfnParameter bootstrapServers = null;
    if (!options.mskServerless()) {
      bootstrapServers =
          CfnParameter.Builder.create(this, "KafkaBootstrapServers")
              .type("String")
              .defaultValue("")
              .description(
                  "Bootstrap servers of the existing Kafka cluster (host:port,...): the launcher's"
                      + " --bootstrap-servers. May stay empty (then no BootstrapServers output).")
              .build();
    } else {
      CfnParameter subnets =
          CfnParameter.Builder.create(this, "MskSubnetIds")
              .type("List<AWS::EC2::Subnet::Id>")
              .description(
                  "Subnets (two or more AZs) of the MSK Serverless cluster and the Spark jobs.")
              .build();
      CfnParameter securityGroups =
          CfnParameter.Builder.create(this, "MskSecurityGroupIds")
              .type("List<AWS::EC2::SecurityGroup::Id>")
              .description("Security groups of the MSK Serverless cluster and the Spark jobs.")
              .build();
      msk =
          CfnServerlessCluster.Builder.create(this, "MskServerless")
              .clusterName(stackName + "-kafka")
              .clientAuthentication(
                  CfnServerlessCluster.ClientAuthenticationProperty.builder()
                      .sasl(
                          CfnServerlessCluster.SaslProperty.builder()
                              .iam(CfnServerlessCluster.IamProperty.builder().enabled(true).build())
                              .build())
                      .build())
              .vpcConfigs(
                  List.of(
                      CfnServerlessCluster.VpcConfigProperty.builder()
                          .subnetIds(subnets.getValueAsList())
                          .securityGroups(securityGroups.getValueAsList())
                          .build()))
              .build();
      network =
          CfnApplication.NetworkConfigurationProperty.builder()
              .subnetIds(subnets.getValueAsList())
              .securityGroupIds(securityGroups.getValueAsList())
              .build();
    }

    // ---- EMR Serverless ----
    LogGroup logGroup =
        LogGroup.Builder.create(this, "EmrServerlessLogs")
            .logGroupName("/aws/emr-serverless/" + stackName)
            .retention(RetentionDays.ONE_MONTH)
            .removalPolicy(RemovalPolicy.DESTROY)
            .build();
    CfnApplication.Builder app =
        CfnApplication.Builder.create(this, "SparkApplication")
            .name(stackName + "-spark")
            .type("SPARK")
            .releaseLabel(releaseLabel.getValueAsString())
            .autoStartConfiguration(
                CfnApplication.AutoStartConfigurationProperty.builder().enabled(true).build())
            .autoStopConfiguration(
                CfnApplication.AutoStopConfigurationProperty.builder()
                    .enabled(true)
                    .idleTimeoutMinutes(idleMinutes.getValueAsNumber())
                    .build())
            .maximumCapacity(
                CfnApplication.MaximumAllowedResourcesProperty.builder()
                    .cpu(Fn.join("", List.of(maxVcpu.getValueAsString(), " vCPU")))
                    .memory(Fn.join("", List.of(maxMemory.getValueAsString(), " GB")))
                    .build())
            .monitoringConfiguration(
                CfnApplication.MonitoringConfigurationProperty.builder()
                    .cloudWatchLoggingConfiguration(
                        CfnApplication.CloudWatchLoggingConfigurationProperty.builder()
                            .enabled(true)
                            .logGroupName(logGroup.getLogGroupName())
                            .build())
                    .s3MonitoringConfiguration(
                        CfnApplication.S3MonitoringConfigurationProperty.builder()
                            .logUri(bucketUri + EMR_LOGS_PREFIX)
                            .build())
                    .build());
    if (network != null) {
      app.networkConfiguration(network);
    }
    CfnApplication application = app.build();

    // ---- the job execution role ----
    String applicationArn =
        Fn.sub(
            "arn:${AWS::Partition}:emr-serverless:${AWS::Region}:${AWS::AccountId}:/applications/${App}",
            Map.of("App", application.getAttrApplicationId()));
    Role jobRole =
        Role.Builder.create(this, "EmrServerlessJobRole")
            .description("Runtime role of the lakehouse's EMR Serverless Spark jobs")
            .assumedBy(
                new PrincipalWithConditions(
                    new ServicePrincipal("emr-serverless.amazonaws.com"),
                    Map.of(
                        "StringEquals",
                        Map.of("aws:SourceAccount", Aws.ACCOUNT_ID),
                        "ArnLike",
                        Map.of("aws:SourceArn", applicationArn))))
            .build();
    jobRole.addToPolicy(
        allow(
            "LakeBucket",
            List.of("s3:ListBucket", "s3:GetBucketLocation", "s3:ListBucketMultipartUploads"),
            List.of(bucket.getBucketArn())));
    jobRole.addToPolicy(
        allow(
            "LakeObjects",
            List.of(
                "s3:GetObject",
                "s3:PutObject",
                "s3:DeleteObject",
                "s3:AbortMultipartUpload",
                "s3:ListMultipartUploadParts"),
            List.of(bucket.arnForObjects("*"))));
    List<String> glueResources = new ArrayList<>();
    glueResources.add(glueArn("catalog"));
    for (String name : DATABASES) {
      glueResources.add(glueArn("database/" + name));
      glueResources.add(glueArn("table/" + name + "/*"));
    }
    jobRole.addToPolicy(
        allow(
            "GlueCatalog",
            List.of(
                "glue:GetDatabase",
                "glue:GetDatabases",
                "glue:GetTable",
                "glue:GetTables",
                "glue:CreateTable",
                "glue:UpdateTable",
                "glue:DeleteTable",
                "glue:GetPartitions",
                "glue:BatchGetPartition"),
            glueResources));
    jobRole.addToPolicy(
        allow(
            "Logs",
            List.of("logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"),
            List.of(logGroup.getLogGroupArn())));
    jobRole.addToPolicy(
        allow(
            "LogGroupsOfThisAccount",
            List.of("logs:DescribeLogGroups"),
            List.of(
                Fn.sub(
                    "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*"))));
    if (msk != null) {
      String clusterArn = msk.getAttrArn();
      Map<String, String> parts =
          Map.of(
              "Name", Fn.select(1, Fn.split("/", clusterArn)),
              "Uuid", Fn.select(2, Fn.split("/", clusterArn)));
      jobRole.addToPolicy(
          allow(
              "KafkaCluster",
              List.of("kafka-cluster:Connect", "kafka-cluster:DescribeCluster"),
              List.of(clusterArn)));
      jobRole.addToPolicy(
          allow(
              "KafkaTopicsAndGroups",
              List.of(
                  "kafka-cluster:DescribeTopic",
                  "kafka-cluster:CreateTopic",
                  "kafka-cluster:ReadData",
                  "kafka-cluster:WriteData",
                  "kafka-cluster:DescribeGroup",
                  "kafka-cluster:AlterGroup"),
              List.of(
                  Fn.sub(
                      "arn:${AWS::Partition}:kafka:${AWS::Region}:${AWS::AccountId}:topic/${Name}/${Uuid}/*",
                      parts),
                  Fn.sub(
                      "arn:${AWS::Partition}:kafka:${AWS::Region}:${AWS::AccountId}:group/${Name}/${Uuid}/*",
                      parts))));
    }

    // ---- outputs: what the launcher's --catalog=glue flags need ----
    output(OUT_WAREHOUSE, warehouse, "--warehouse (the Iceberg warehouse)");
    output(OUT_REGION, Aws.REGION, "--catalog-properties=client.region=<this>");
    output(OUT_GLUE_ID, Aws.ACCOUNT_ID, "--catalog-properties=glue.id=<this>");
    output(
        OUT_GLUE_DATABASES,
        String.join(",", DATABASES),
        "Glue databases = the Iceberg namespaces of the tables (raw.*, marts.*)");
    output(
        OUT_CATALOG_FLAGS,
        Fn.join(
            "",
            List.of(
                "--catalog=glue --warehouse=",
                warehouse,
                " --catalog-properties=glue.id=",
                Aws.ACCOUNT_ID,
                ",client.region=",
                Aws.REGION)),
        "The launcher's catalog flags for this stack, ready to paste");
    output(OUT_BUCKET, bucket.getBucketName(), "The lake bucket");
    output(OUT_WORKGROUP, workGroup.getRef(), "Athena workgroup of the lakehouse's queries");
    output(
        OUT_ATHENA_RESULTS,
        bucketUri + ATHENA_RESULTS_PREFIX,
        "Athena query results (enforced by the workgroup)");
    output(
        OUT_APPLICATION_ID,
        application.getAttrApplicationId(),
        "EMR Serverless application (aws emr-serverless start-job-run --application-id)");
    output(
        OUT_JOB_ROLE_ARN,
        jobRole.getRoleArn(),
        "EMR Serverless job role (start-job-run --execution-role-arn)");
    output(OUT_LOG_GROUP, logGroup.getLogGroupName(), "CloudWatch log group of the Spark jobs");
    if (msk != null) {
      output(
          OUT_MSK_CLUSTER_ARN,
          msk.getAttrArn(),
          "MSK Serverless cluster (aws kafka get-bootstrap-brokers --cluster-arn <this>; IAM auth)");
    } else {
      CfnCondition given =
          CfnCondition.Builder.create(this, "HasKafkaBootstrapServers")
              .expression(
                  Fn.conditionNot(Fn.conditionEquals(bootstrapServers.getValueAsString(), "")))
              .build();
      CfnOutput.Builder.create(this, OUT_BOOTSTRAP_SERVERS)
          .value(bootstrapServers.getValueAsString())
          .description("--bootstrap-servers (the existing Kafka cluster)")
          .condition(given)
          .build();
    }
  }

  private String glueArn(String resource) {
    return Fn.sub("arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}:" + resource);
  }

  private static PolicyStatement allow(String sid, List<String> actions, List<String> resources) {
    return PolicyStatement.Builder.create()
        .sid(sid)
        .effect(Effect.ALLOW)
        .actions(actions)
        .resources(resources)
        .build();
  }

  private void output(String id, String value, String description) {
    CfnOutput.Builder.create(this, id).value(value).description(description).build();
  }
}
