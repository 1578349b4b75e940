package com.retail.lakehouse.pipelines.cli;

import com.retail.lakehouse.generator.cli.GenerateCommand;
import com.retail.lakehouse.generator.cli.ShortUsageErrors;
import com.retail.lakehouse.pipelines.bench.BenchCommand;
import com.retail.lakehouse.pipelines.demo.DemoCommand;
import com.retail.lakehouse.pipelines.ingest.IngestCommand;
import com.retail.lakehouse.pipelines.mart.MartCommand;
import com.retail.lakehouse.pipelines.smoke.SmokeCommand;
import com.retail.lakehouse.transforms.tables.TableDefinition.IncompatibleTableException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import picocli.CommandLine;

/**
 * The entry point behind {@code ./lakehouse <command>}: dispatches to the command, and turns every
 * failure into one line on stderr (the cause, and what to do) with a non-zero exit code; set
 * LAKEHOUSE_DEBUG=1 for stack traces.
 */
public final class LakehouseCommand {
  private static final String USAGE =
      String.join(
          "\n",
          "Usage: ./lakehouse <command> [--runner=direct|flink|spark] [options]",
          "",
          "Commands:",
          "  demo       the whole product on embedded defaults: generate, ingest, mart, queries, reconcile",
          "  broker     run the local Kafka broker in the foreground",
          "  generate   simulate POS traffic of many stores into Kafka, with a manifest",
          "  ingest     Kafka -> validated, de-duplicated raw.pos_transactions (+ dead letters)",
          "  mart       raw.pos_transactions -> marts.daily_sales_summary (--date, --from/--to,",
          "             --changed-since-last-run; default all dates), one atomic commit per run",
          "  smoke      run the ingest chain on in-memory events on the chosen runner",
          "  bench      measure ingest throughput, freshness and mart speed (bench/results/)",
          "",
          "Every command takes --help. Data defaults to ./lakehouse-data (--data-dir DIR).",
          "Maven form: ./mvnw -q -P<runner> -pl pipelines exec:exec -Dlakehouse.args=\"<command> ...\"");

  private LakehouseCommand() {}

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs a command line; returns the exit code. */
  public static int run(String[] args) {
    if (args.length == 0
        || args[0].equals("--help")
        || args[0].equals("-h")
        || args[0].equals("help")) {
      System.out.println(USAGE);
      return args.length == 0 ? 2 : 0;
    }
    String command = args[0];
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    try {
      return switch (command) {
        case "broker" -> picocli(new BrokerCommand()).execute(rest);
        case "generate" -> picocli(new GenerateCommand()).execute(withoutRunner(rest));
        case "ingest" -> IngestCommand.run(rest);
        case "mart" -> MartCommand.run(rest);
        case "smoke" -> SmokeCommand.run(rest);
        case "bench" -> BenchCommand.run(rest);
        case "demo" -> DemoCommand.run(rest);
        default -> {
          System.err.println(
              "lakehouse: unknown command '" + command + "'. Run ./lakehouse --help for the list.");
          yield 2;
        }
      };
    } catch (PipelineArgs.UsageException e) {
      System.err.println(
          "lakehouse "
              + command
              + ": "
              + e.getMessage()
              + " (see ./lakehouse "
              + command
              + " --help)");
      return 2;
    } catch (IncompatibleTableException e) {
      System.err.println("lakehouse " + command + ": " + e.getMessage());
      return 3;
    } catch (Exception | Error e) {
      if (System.getenv("LAKEHOUSE_DEBUG") != null) {
        e.printStackTrace();
      }
      System.err.println(
          "lakehouse "
              + command
              + ": failed: "
              + rootMessage(e)
              + " (LAKEHOUSE_DEBUG=1 shows the stack trace)");
      return 1;
    }
  }

  private static CommandLine picocli(Object command) {
    return new CommandLine(command).setParameterExceptionHandler(new ShortUsageErrors());
  }

  /** generate is not a pipeline: it ignores the runner flag the launcher script may pass. */
  private static String[] withoutRunner(String[] args) {
    return Arrays.stream(args).filter(a -> !a.startsWith("--runner")).toArray(String[]::new);
  }

  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      if (t instanceof UncheckedIOException || t.getMessage() == null) {
        t = t.getCause();
        continue;
      }
      t = t.getCause();
    }
    String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    int nl = message.indexOf('\n');
    return t.getClass().getSimpleName() + ": " + (nl < 0 ? message : message.substring(0, nl));
  }
}
