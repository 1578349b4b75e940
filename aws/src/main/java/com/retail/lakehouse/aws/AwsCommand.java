package com.retail.lakehouse.aws;

import com.retail.lakehouse.common.Failures;
import com.retail.lakehouse.common.UsageException;
import java.io.PrintStream;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * The front door of {@code ./lakehouse athena} and {@code ./lakehouse deploy emr}: AWS from the
 * launcher with the AWS SDK for Java v2. The launcher passes the subcommand's name first ({@code
 * athena ...}, {@code deploy emr ...}). Errors print one line; exit codes: 0 ok, 1 failed (query,
 * step or job run failed or was cancelled, an AWS error, no credentials), 2 usage error.
 */
@Command(
    name = "lakehouse",
    mixinStandardHelpOptions = true,
    version = "lakehouse aws (AWS SDK for Java v2)",
    subcommands = {AthenaCommand.class, DeployCommand.class},
    description = "AWS from the launcher: ./lakehouse athena, ./lakehouse deploy emr.")
public final class AwsCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "name a command: athena or deploy");
  }

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs a command line ({@code athena ...} or {@code deploy emr ...}); returns the exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    CommandLine cli =
        new CommandLine(new AwsCommand(), new Factory(out, err))
            .setCaseInsensitiveEnumValuesAllowed(true);
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    cli.setParameterExceptionHandler(
        (ex, a) -> {
          String command = qualifiedName(ex.getCommandLine());
          err.println(command + ": " + ex.getMessage() + " (see ./" + command + " --help)");
          return 2;
        });
    cli.setExecutionExceptionHandler(
        (ex, c, p) -> {
          String command = qualifiedName(c);
          if (ex instanceof UsageException) {
            err.println(command + ": " + ex.getMessage() + " (see ./" + command + " --help)");
            return 2;
          }
          if (System.getenv("LAKEHOUSE_DEBUG") != null) {
            ex.printStackTrace(err);
          }
          err.println(command + ": " + oneLine(ex));
          return 1;
        });
    return cli.execute(args);
  }

  /** {@code lakehouse athena}, {@code lakehouse deploy emr}. */
  private static String qualifiedName(CommandLine c) {
    return c.getCommandSpec().qualifiedName(" ");
  }

  /** An AWS error as its code and message; other failures as their root cause. */
  static String oneLine(Exception e) {
    if (e instanceof AwsClients.SetupException) {
      return e.getMessage();
    }
    if (e instanceof AwsServiceException a && a.awsErrorDetails() != null) {
      String code = a.awsErrorDetails().errorCode();
      String message = a.awsErrorDetails().errorMessage();
      return (code == null ? a.getClass().getSimpleName() : code)
          + ": "
          + (message == null ? "" : message.lines().findFirst().orElse(""))
          + " (HTTP "
          + a.statusCode()
          + ")";
    }
    if (e instanceof SdkException s && s.getMessage() != null) {
      return s.getMessage().lines().findFirst().orElse("");
    }
    return Failures.oneLine(e);
  }

  /** Gives the commands the streams to print to. */
  private record Factory(PrintStream out, PrintStream err) implements CommandLine.IFactory {
    @Override
    public <K> K create(Class<K> cls) throws Exception {
      if (cls == AthenaCommand.class) {
        return cls.cast(new AthenaCommand(out, err));
      }
      if (cls == EmrDeployCommand.class) {
        return cls.cast(new EmrDeployCommand(out, err));
      }
      return CommandLine.defaultFactory().create(cls);
    }
  }
}
