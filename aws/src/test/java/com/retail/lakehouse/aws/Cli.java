package com.retail.lakehouse.aws;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

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
}
