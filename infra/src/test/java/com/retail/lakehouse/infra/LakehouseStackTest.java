package com.retail.lakehouse.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;

/** The synthesized template: every resource with its key properties, and least privilege. */
class LakehouseStackTest {
  private static Template template;
  private static Map<String, Object> json;
  private static Template mskTemplate;

  @BeforeAll
  static void synthesizeOnce() {
    // One node process serves every synthesis in this JVM; two stacks: default and MSK Serverless.
    template = Template.fromStack(InfraApp.stack(new App(), new InfraOptions("lakehouse", false)));
    json = template.toJSON();
    mskTemplate =
        Template.fromStack(InfraApp.stack(new App(), new InfraOptions("lakehouse-msk", true)));
  }

  @Test
  void lakeBucketIsVersionedEncryptedAndPrivate() {
    template.resourceCountIs("AWS::S3::Bucket", 1);
    template.hasResourceProperties(
        "AWS::S3::Bucket",
        Map.of(
            "VersioningConfiguration", Map.of("Status", "Enabled"),
            "BucketEncryption",
                Map.of(
                    "ServerSideEncryptionConfiguration",
                    List.of(
                        Map.of("ServerSideEncryptionByDefault", Map.of("SSEAlgorithm", "AES256")))),
            "PublicAccessBlockConfiguration",
                Map.of(
                    "BlockPublicAcls", true,
                    "BlockPublicPolicy", true,
                    "IgnorePublicAcls", true,
                    "RestrictPublicBuckets", true),
            "OwnershipControls",
                Map.of("Rules", List.of(Map.of("ObjectOwnership", "BucketOwnerEnforced")))));
    template.hasResource(
        "AWS::S3::Bucket", Map.of("DeletionPolicy", "Retain", "UpdateReplacePolicy", "Retain"));
  }

  @Test
  void bucketPolicyDeniesRequestsWithoutTls() {
    template.hasResourceProperties(
        "AWS::S3::BucketPolicy",
        Map.of(
            "PolicyDocument",
            Map.of(
                "Statement",
                Match.arrayWith(
                    List.of(
                        Match.objectLike(
                            Map.of(
                                "Effect", "Deny",
                                "Action", "s3:*",
                                "Condition",
                                    Map.of("Bool", Map.of("aws:SecureTransport", "false")))))))));
  }

  @Test
  @SuppressWarnings("unchecked")
  void lifecycleRulesExpireTempPrefixesAndAbortMultipartUploads() {
    Map<String, Object> bucket = onlyResource(json, "AWS::S3::Bucket");
    Map<String, Object> props = (Map<String, Object>) bucket.get("Properties");
    List<Map<String, Object>> rules =
        (List<Map<String, Object>>)
            ((Map<String, Object>) props.get("LifecycleConfiguration")).get("Rules");
    assertThat(rules).allSatisfy(r -> assertThat(r).containsEntry("Status", "Enabled"));
    assertThat(rules)
        .filteredOn(r -> "tmp/".equals(r.get("Prefix")))
        .singleElement()
        .satisfies(r -> assertThat(r).containsKey("ExpirationInDays"));
    assertThat(rules)
        .filteredOn(r -> "athena-results/".equals(r.get("Prefix")))
        .singleElement()
        .satisfies(r -> assertThat(r).containsKey("ExpirationInDays"));
    assertThat(rules)
        .filteredOn(r -> r.containsKey("AbortIncompleteMultipartUpload"))
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r).doesNotContainKey("Prefix"); // the whole bucket
              assertThat(r.get("AbortIncompleteMultipartUpload"))
                  .isEqualTo(Map.of("DaysAfterInitiation", 2));
            });
    assertThat(rules).anySatisfy(r -> assertThat(r).containsKey("NoncurrentVersionExpiration"));
  }

  @Test
  void glueDatabasesRawAndMartsUnderTheWarehouse() {
    template.resourceCountIs("AWS::Glue::Database", 2);
    for (String name : List.of("raw", "marts")) {
      template.hasResourceProperties(
          "AWS::Glue::Database",
          Map.of(
              "CatalogId",
              Map.of("Ref", "AWS::AccountId"),
              "DatabaseInput",
              Match.objectLike(
                  Map.of(
                      "Name",
                      name,
                      "LocationUri",
                      Map.of(
                          "Fn::Join",
                          List.of(
                              "",
                              List.of(
                                  "s3://",
                                  Map.of("Ref", bucketLogicalId()),
                                  "/warehouse/" + name + ".db")))))));
    }
  }

  @Test
  void athenaWorkgroupEnforcesEncryptedResultsInTheBucketAndABytesCutoff() {
    template.resourceCountIs("AWS::Athena::WorkGroup", 1);
    template.hasResourceProperties(
        "AWS::Athena::WorkGroup",
        Map.of(
            "Name",
            "lakehouse",
            "WorkGroupConfiguration",
            Match.objectLike(
                Map.of(
                    "EnforceWorkGroupConfiguration", true,
                    "BytesScannedCutoffPerQuery", Map.of("Ref", "AthenaBytesScannedCutoffPerQuery"),
                    "EngineVersion", Map.of("SelectedEngineVersion", "Athena engine version 3"),
                    "ResultConfiguration",
                        Map.of(
                            "EncryptionConfiguration", Map.of("EncryptionOption", "SSE_S3"),
                            "OutputLocation",
                                Map.of(
                                    "Fn::Join",
                                    List.of(
                                        "",
                                        List.of(
                                            "s3://",
                                            Map.of("Ref", bucketLogicalId()),
                                            "/athena-results/"))))))));
    template.hasParameter(
        "AthenaBytesScannedCutoffPerQuery",
        Map.of("Type", "Number", "Default", 10L * 1024 * 1024 * 1024));
  }

  @Test
  void emrServerlessSparkApplicationOnEmr7StopsWhenIdle() {
    template.resourceCountIs("AWS::EMRServerless::Application", 1);
    template.hasResourceProperties(
        "AWS::EMRServerless::Application",
        Match.objectLike(
            Map.of(
                "Type", "SPARK",
                "Name", "lakehouse-spark",
                "ReleaseLabel", Map.of("Ref", "EmrReleaseLabel"),
                "AutoStopConfiguration",
                    Map.of(
                        "Enabled",
                        true,
                        "IdleTimeoutMinutes",
                        Map.of("Ref", "EmrIdleTimeoutMinutes")),
                "AutoStartConfiguration", Map.of("Enabled", true))));
    template.hasParameter(
        "EmrReleaseLabel", Map.of("Default", Match.stringLikeRegexp("emr-7\\.[0-9]+\\.[0-9]+")));
  }

  @Test
  void jobRoleIsAssumableOnlyByEmrServerlessOfThisAccount() {
    template.resourceCountIs("AWS::IAM::Role", 1);
    template.hasResourceProperties(
        "AWS::IAM::Role",
        Map.of(
            "AssumeRolePolicyDocument",
            Map.of(
                "Version",
                "2012-10-17",
                "Statement",
                List.of(
                    Map.of(
                        "Action",
                        "sts:AssumeRole",
                        "Effect",
                        "Allow",
                        "Principal",
                        Map.of("Service", "emr-serverless.amazonaws.com"),
                        "Condition",
                        Match.objectLike(
                            Map.of(
                                "StringEquals",
                                Map.of("aws:SourceAccount", Map.of("Ref", "AWS::AccountId")),
                                "ArnLike",
                                Map.of("aws:SourceArn", Match.anyValue()))))))));
  }

  @Test
  @SuppressWarnings("unchecked")
  void jobRolePolicyIsScopedToTheBucketTheTwoDatabasesAndItsLogGroup() {
    List<Map<String, Object>> statements = new ArrayList<>();
    collectStatements(onlyResource(json, "AWS::IAM::Policy"), statements);
    String bucket = bucketLogicalId();
    assertThat(statement(statements, "LakeBucket").get("Resource"))
        .isEqualTo(Map.of("Fn::GetAtt", List.of(bucket, "Arn")));
    assertThat(statement(statements, "LakeObjects").get("Resource"))
        .isEqualTo(
            Map.of(
                "Fn::Join",
                List.of("", List.of(Map.of("Fn::GetAtt", List.of(bucket, "Arn")), "/*"))));
    List<Object> glue = (List<Object>) statement(statements, "GlueCatalog").get("Resource");
    String prefix = "arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}:";
    assertThat(glue)
        .containsExactly(
            Map.of("Fn::Sub", prefix + "catalog"),
            Map.of("Fn::Sub", prefix + "database/raw"),
            Map.of("Fn::Sub", prefix + "table/raw/*"),
            Map.of("Fn::Sub", prefix + "database/marts"),
            Map.of("Fn::Sub", prefix + "table/marts/*"));
    assertThat((List<String>) statement(statements, "GlueCatalog").get("Action"))
        .allMatch(a -> a.startsWith("glue:"))
        .doesNotContain("glue:*", "glue:CreateDatabase", "glue:DeleteDatabase");
    assertThat(statement(statements, "Logs").get("Resource"))
        .isEqualTo(Map.of("Fn::GetAtt", List.of(logicalId("AWS::Logs::LogGroup"), "Arn")));
    assertThat(statements).allSatisfy(s -> assertThat(s.get("Effect")).isEqualTo("Allow"));
  }

  @Test
  void noPolicyStatementAllowsEveryActionOrEveryResource() {
    for (Map<String, Object> t : List.of(json, mskTemplate.toJSON())) {
      List<Map<String, Object>> statements = new ArrayList<>();
      collectStatements(t, statements);
      // The role's trust policy, its permission policy, the bucket policy (and MSK's statements).
      assertThat(statements).hasSizeGreaterThanOrEqualTo(8);
      for (Map<String, Object> s : statements) {
        List<Object> actions = asList(s.get("Action"));
        List<Object> resources = asList(s.get("Resource"));
        assertThat(actions).as("actions of %s", s).doesNotContain("*");
        if ("Allow".equals(s.get("Effect"))) {
          assertThat(resources).as("resources of %s", s).doesNotContain("*");
          assertThat(actions)
              .as("actions of %s", s)
              .noneMatch(a -> a instanceof String str && str.endsWith(":*"));
        }
      }
    }
  }

  @Test
  void outputsNameTheLaunchersGlueCatalogFlags() {
    for (String name :
        List.of(
            "Warehouse",
            "Region",
            "GlueCatalogId",
            "GlueDatabases",
            "CatalogFlags",
            "LakeBucketName",
            "AthenaWorkGroup",
            "AthenaResultsLocation",
            "EmrServerlessApplicationId",
            "EmrServerlessJobRoleArn",
            "EmrServerlessLogGroup",
            "BootstrapServers")) {
      template.hasOutput(name, Match.anyValue());
    }
    String bucket = bucketLogicalId();
    template.hasOutput(
        "Warehouse",
        Match.objectLike(
            Map.of(
                "Value",
                Map.of(
                    "Fn::Join",
                    List.of("", List.of("s3://", Map.of("Ref", bucket), "/warehouse"))))));
    template.hasOutput("Region", Match.objectLike(Map.of("Value", Map.of("Ref", "AWS::Region"))));
    template.hasOutput("GlueDatabases", Match.objectLike(Map.of("Value", "raw,marts")));
    template.hasOutput(
        "CatalogFlags",
        Match.objectLike(
            Map.of(
                "Value",
                Map.of(
                    "Fn::Join",
                    List.of(
                        "",
                        List.of(
                            "--catalog=glue --warehouse=s3://",
                            Map.of("Ref", bucket),
                            "/warehouse --catalog-properties=glue.id=",
                            Map.of("Ref", "AWS::AccountId"),
                            ",client.region=",
                            Map.of("Ref", "AWS::Region")))))));
    template.hasOutput(
        "EmrServerlessApplicationId",
        Match.objectLike(
            Map.of("Value", Map.of("Fn::GetAtt", List.of("SparkApplication", "ApplicationId")))));
    template.hasOutput(
        "BootstrapServers",
        Match.objectLike(
            Map.of(
                "Value",
                Map.of("Ref", "KafkaBootstrapServers"),
                "Condition",
                "HasKafkaBootstrapServers")));
    template.resourceCountIs("AWS::MSK::ServerlessCluster", 0);
  }

  @Test
  @SuppressWarnings("unchecked")
  void mskServerlessBehindTheFlagWithIamAuthAndScopedKafkaPermissions() {
    mskTemplate.resourceCountIs("AWS::MSK::ServerlessCluster", 1);
    mskTemplate.hasResourceProperties(
        "AWS::MSK::ServerlessCluster",
        Map.of(
            "ClusterName",
            "lakehouse-msk-kafka",
            "ClientAuthentication",
            Map.of("Sasl", Map.of("Iam", Map.of("Enabled", true))),
            "VpcConfigs",
            List.of(
                Map.of(
                    "SubnetIds", Map.of("Ref", "MskSubnetIds"),
                    "SecurityGroups", Map.of("Ref", "MskSecurityGroupIds")))));
    mskTemplate.hasResourceProperties(
        "AWS::EMRServerless::Application",
        Match.objectLike(
            Map.of(
                "NetworkConfiguration",
                Map.of(
                    "SubnetIds", Map.of("Ref", "MskSubnetIds"),
                    "SecurityGroupIds", Map.of("Ref", "MskSecurityGroupIds")))));
    mskTemplate.hasOutput("MskClusterArn", Match.anyValue());
    assertThat((Map<String, Object>) mskTemplate.toJSON().get("Parameters"))
        .doesNotContainKey("KafkaBootstrapServers");
    List<Map<String, Object>> statements = new ArrayList<>();
    collectStatements(onlyResource(mskTemplate.toJSON(), "AWS::IAM::Policy"), statements);
    assertThat(statement(statements, "KafkaCluster").get("Resource"))
        .isEqualTo(Map.of("Fn::GetAtt", List.of("MskServerless", "Arn")));
    assertThat(asList(statement(statements, "KafkaTopicsAndGroups").get("Resource")))
        .hasSize(2)
        .allSatisfy(r -> assertThat(r.toString()).contains("${Name}/${Uuid}/*"));
  }

  // ---- helpers ----

  private static String bucketLogicalId() {
    return logicalId("AWS::S3::Bucket");
  }

  @SuppressWarnings("unchecked")
  private static String logicalId(String type) {
    Map<String, Object> resources = (Map<String, Object>) json.get("Resources");
    return resources.entrySet().stream()
        .filter(e -> type.equals(((Map<String, Object>) e.getValue()).get("Type")))
        .map(Map.Entry::getKey)
        .reduce(
            (a, b) -> {
              throw new AssertionError("more than one " + type);
            })
        .orElseThrow();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> onlyResource(Map<String, Object> t, String type) {
    List<Map<String, Object>> found =
        ((Map<String, Object>) t.get("Resources"))
            .values().stream()
                .map(v -> (Map<String, Object>) v)
                .filter(r -> type.equals(r.get("Type")))
                .toList();
    assertThat(found).as(type).hasSize(1);
    return found.get(0);
  }

  /** Every policy statement anywhere below {@code node} (any resource, inline or not). */
  @SuppressWarnings("unchecked")
  private static void collectStatements(Object node, List<Map<String, Object>> into) {
    if (node instanceof Map<?, ?> map) {
      Object statement = map.get("Statement");
      if (statement != null) {
        for (Object s : asList(statement)) {
          into.add((Map<String, Object>) s);
        }
      }
      map.values().forEach(v -> collectStatements(v, into));
    } else if (node instanceof Collection<?> list) {
      list.forEach(v -> collectStatements(v, into));
    }
  }

  private static Map<String, Object> statement(List<Map<String, Object>> statements, String sid) {
    return statements.stream()
        .filter(s -> sid.equals(s.get("Sid")))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no statement " + sid + " in " + statements));
  }

  private static List<Object> asList(Object value) {
    if (value == null) {
      return List.of();
    }
    return value instanceof List<?> list ? new ArrayList<>(list) : List.of(value);
  }
}
