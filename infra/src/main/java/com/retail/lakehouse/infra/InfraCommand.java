package com.retail.lakehouse.infra;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import software.amazon.awscdk.cxapi.CloudAssembly;
import software.amazon.awscdk.cxapi.CloudFormationStackArtifact;

/**
 * {@code ./lakehouse infra synth}: writes the product's AWS infrastructure (an AWS CDK v2 app, see
 * {@link LakehouseStack}) as CloudFormation templates in a cloud assembly folder, offline (the CDK
 * runs in the machine's node; nothing is deployed and no AWS credentials are read). It prints each
 * file written with its size and the deploy command. Usage errors exit 2 with one line, failures 1.
 */
@Command(
    name = "lakehouse infra",
    mixinStandardHelpOptions = true,
    version = "lakehouse infra (AWS CDK v2 for Java)",
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "The lakehouse's AWS infrastructure as code (AWS CDK v2): S3 lake bucket, Glue databases raw"
          + " and marts, Athena workgroup, EMR Serverless Spark application and its job role,"
          + " Kafka (an existing cluster, or MSK Serverless)."
    },
    subcommands = {InfraCommand.Synth.class},
    footer = {
      "",
      "Examples:",
      "  ./lakehouse infra synth",
      "  ./lakehouse infra synth --out /tmp/cdk.out --stack-name lakehouse-prod --msk-serverless",
      "  npx aws-cdk deploy --app ./lakehouse-data/infra/cdk.out",
      "Exit codes: 0 ok, 1 failed, 2 usage error."
    })
public final class InfraCommand implements Callable<Integer> {
  private final PrintStream out;
  private final PrintStream err;

  InfraCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs a command line and returns its exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    CommandLine cli = new CommandLine(new InfraCommand(out, err));
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    cli.setParameterExceptionHandler(
        (ex, a) -> {
          err.println("lakehouse infra: " + ex.getMessage() + " (see ./lakehouse infra --help)");
          return 2;
        });
    cli.setExecutionExceptionHandler(
        (ex, c, p) -> {
          if (ex instanceof Usage) {
            err.println("lakehouse infra: " + ex.getMessage());
            return 2;
          }
          if (System.getenv("LAKEHOUSE_DEBUG") != null) {
            ex.printStackTrace(err);
          }
          err.println("lakehouse infra: " + firstLine(ex));
          return 1;
        });
    return cli.execute(args);
  }

  @Override
  public Integer call() {
    err.println("lakehouse infra: say synth (see ./lakehouse infra --help)");
    return 2;
  }

  /** A wrong flag value: one line, exit 2. */
  private static final class Usage extends RuntimeException {
    Usage(String message) {
      super(message);
    }
  }

  private static String firstLine(Throwable ex) {
    String message = ex.getMessage() == null ? ex.getClass().getName() : ex.getMessage();
    return message.lines().findFirst().orElse(message);
  }

  @Command(
      name = "synth",
      mixinStandardHelpOptions = true,
      sortOptions = false,
      usageHelpAutoWidth = true,
      description = {
        "Synthesize the CloudFormation template(s) into a cloud assembly folder (offline; deploys"
            + " nothing). Deploy it with: npx aws-cdk deploy --app DIR (or cdk deploy --app DIR)."
      })
  static final class Synth implements Callable<Integer> {
    @CommandLine.ParentCommand InfraCommand root;

    @Option(
        names = "--data-dir",
        paramLabel = "DIR",
        defaultValue = "./lakehouse-data",
        description =
            "Lakehouse data folder; the default --out is DIR/infra/cdk.out. Default: ${DEFAULT-VALUE}.")
    Path dataDir;

    @Option(
        names = "--out",
        paramLabel = "DIR",
        description =
            "Cloud assembly folder to write into (created if missing). Default: <data-dir>/infra/cdk.out.")
    Path out;

    @Option(
        names = "--stack-name",
        paramLabel = "NAME",
        defaultValue = InfraOptions.DEFAULT_STACK_NAME,
        description =
            "CloudFormation stack name; also names the Athena workgroup, the Spark application"
                + " (NAME-spark) and the log group. Default: ${DEFAULT-VALUE}.")
    String stackName;

    @Option(
        names = "--msk-serverless",
        description =
            "Add an Amazon MSK Serverless cluster (IAM auth; parameters MskSubnetIds,"
                + " MskSecurityGroupIds) instead of the KafkaBootstrapServers parameter.")
    boolean mskServerless;

    @Override
    public Integer call() throws IOException {
      InfraOptions options;
      try {
        options = new InfraOptions(stackName, mskServerless);
      } catch (IllegalArgumentException e) {
        throw new Usage(e.getMessage());
      }
      Path dir =
          (out != null ? out : dataDir.resolve("infra").resolve("cdk.out"))
              .toAbsolutePath()
              .normalize();
      if (Files.exists(dir) && !Files.isDirectory(dir)) {
        throw new Usage("--out " + dir + " is a file, not a folder");
      }
      Files.createDirectories(dir);
      CloudAssembly assembly = InfraApp.synth(dir, options);
      List<Path> written;
      try (Stream<Path> files = Files.list(dir)) {
        written = files.filter(Files::isRegularFile).sorted().toList();
      }
      for (Path file : written) {
        root.out.println("lakehouse infra: wrote " + file + " (" + Files.size(file) + " bytes)");
      }
      for (CloudFormationStackArtifact stack : assembly.getStacks()) {
        root.out.println(
            "lakehouse infra: stack "
                + stack.getStackName()
                + " -> "
                + dir.resolve(stack.getTemplateFile()));
      }
      root.out.println("lakehouse infra: deploy with: npx aws-cdk deploy --app " + dir);
      return 0;
    }
  }
}
