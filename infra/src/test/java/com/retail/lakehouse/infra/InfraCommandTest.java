package com.retail.lakehouse.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line: synth writes the assembly where --out says; help and usage errors. */
class InfraCommandTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return InfraCommand.run(
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void synthWritesTheTemplateAndManifestToOut(@TempDir Path dir) throws Exception {
    Path outDir = dir.resolve("nested/cdk.out");

    int code = run("synth", "--out", outDir.toString(), "--stack-name", "lakehouse-test");

    assertThat(code).as(err()).isZero();
    Path template = outDir.resolve("lakehouse-test.template.json");
    assertThat(template).isRegularFile();
    String json = Files.readString(template);
    assertThat(json)
        .contains(
            "AWS::S3::Bucket",
            "AWS::Glue::Database",
            "AWS::Athena::WorkGroup",
            "AWS::EMRServerless::Application",
            "AWS::IAM::Role",
            "\"CatalogFlags\"");
    assertThat(outDir.resolve("manifest.json")).isRegularFile();
    assertThat(out())
        .contains("wrote " + template.toAbsolutePath() + " (" + Files.size(template) + " bytes)")
        .contains("npx aws-cdk deploy --app " + outDir.toAbsolutePath());
  }

  @Test
  void helpPrintsUsage() {
    assertThat(run("--help")).isZero();
    assertThat(out()).contains("Usage: lakehouse infra", "synth", "Exit codes");

    out.reset();
    assertThat(run("synth", "--help")).isZero();
    assertThat(out()).contains("--out=DIR", "--stack-name=NAME", "--msk-serverless", "--data-dir");
    assertThat(err()).isEmpty();
  }

  @Test
  void badFlagIsOneLineAndExit2() {
    assertThat(run("synth", "--bogus")).isEqualTo(2);
    assertThat(err().lines())
        .singleElement()
        .asString()
        .startsWith("lakehouse infra: Unknown option: '--bogus'");
    assertThat(out()).isEmpty();
  }

  @Test
  void noSubcommandOrBadStackNameIsExit2() {
    assertThat(run()).isEqualTo(2);
    assertThat(err().lines()).singleElement().asString().contains("say synth");

    err.reset();
    assertThat(run("synth", "--stack-name", "9 bad")).isEqualTo(2);
    assertThat(err().lines())
        .singleElement()
        .asString()
        .contains("--stack-name must start with a letter");
  }

  @Test
  void outThatIsAFileIsExit2(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("f"), "x");
    assertThat(run("synth", "--out", file.toString())).isEqualTo(2);
    assertThat(err().lines()).singleElement().asString().contains("is a file");
  }
}
