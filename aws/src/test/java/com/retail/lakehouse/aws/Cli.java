package com.retail.lakehouse.aws;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.retail.lakehouse.locals3.S3ServerExtension;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Runs {@link AwsCommand} in this JVM and keeps what it printed; dummy credentials for tests. */
final class Cli {
  record Result(int code, String out, String err) {}

  private Cli() {}

  static Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      code = AwsCommand.run(args, o, e);
    }
    return new Result(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /**
   * Static dummy credentials and a region through the system properties the SDK's default chains
   * read first (this test JVM only); no AWS endpoint is ever reached: every client gets an endpoint
   * override.
   */
  static void dummyCredentials(String accessKey, String secretKey) {
    System.setProperty("aws.accessKeyId", accessKey);
    System.setProperty("aws.secretAccessKey", secretKey);
    System.setProperty("aws.region", "eu-west-1");
    // Never ask an instance metadata service (there is none here).
    System.setProperty("aws.disableEc2Metadata", "true");
  }

  static void clearCredentials() {
    System.clearProperty("aws.accessKeyId");
    System.clearProperty("aws.secretAccessKey");
  }

  /**
   * The deploy contract tests' set-up: credentials the S3 server checks (WireMock checks none),
   * runner-profiles/ of this checkout (the module runs in {@code <checkout>/aws}), and a started
   * WireMock standing in for the AWS service, on a free port.
   */
  static WireMockServer startDeployService(S3ServerExtension s3) {
    dummyCredentials(s3.accessKey(), s3.secretKey());
    System.setProperty("lakehouse.home", Path.of("").toAbsolutePath().getParent().toString());
    WireMockServer service = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    service.start();
    return service;
  }

  /** Bytes standing in for the Spark cluster jar a deploy uploads. */
  static Path fakeClusterJar(Path dir) throws IOException {
    Path jar = dir.resolve("lakehouse-spark-cluster.jar");
    Files.write(jar, "not really a jar, but bytes to upload".getBytes(StandardCharsets.UTF_8));
    return jar;
  }
}
