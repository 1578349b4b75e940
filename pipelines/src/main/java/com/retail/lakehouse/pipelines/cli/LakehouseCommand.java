package com.retail.lakehouse.pipelines.cli;

import com.retail.lakehouse.common.Failures;
import com.retail.lakehouse.common.UsageException;
import com.retail.lakehouse.generator.cli.GenerateCommand;
import com.retail.lakehouse.generator.cli.ShortUsageErrors;
import com.retail.lakehouse.pipelines.bench.BenchCommand;
import com.retail.lakehouse.pipelines.demo.DemoCommand;
import com.retail.lakehouse.pipelines.ingest.IngestCommand;
import com.retail.lakehouse.pipelines.maintain.MaintainCommand;
import com.retail.lakehouse.pipelines.mart.MartCommand;
import com.retail.lakehouse.pipelines.smoke.SmokeCommand;
import com.retail.lakehouse.transforms.tables.TableDefinition.CatalogAccessException;
import com.retail.lakehouse.transforms.tables.TableDefinition.IncompatibleTableException;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import picocli.CommandLine;

/**
 * The entry point behind {@code ./lakehouse <command>}: dispatches to the command through {@link
 * #COMMANDS}, the one table a new command is added to (its help line comes from there too), and
 * turns every failure into one line on stderr (the cause, and what to do) with a non-zero exit
 * code; set LAKEHOUSE_DEBUG=1 for stack traces. Commands whose classpath differs from the runners'
 * ({@code sql}: Spark SQL; {@code serve}: the console; {@code trino}; {@code athena}, {@code
 * deploy}: the AWS SDK; {@code infra}: the AWS CDK) are started by the launcher script from their
 * own module instead.
 */
public final class LakehouseCommand {
  /** One command: its name, its line in --help, and what runs it (returns the exit code). */
  record Command(String name, String help, Entry entry) {}

  /** Runs a command's arguments; returns the exit code. */
  @FunctionalInterface
  interface Entry {
    int run(String[] args) throws Exception;
  }

  /** Every command of the runner launchers, in --help order. */
  static final List<Command> COMMANDS =
      List.of(
          new Command(
              "demo",
              "the whole product on embedded defaults: generate, ingest, mart, queries, reconcile",
              DemoCommand::run),
          new Command(
              "broker",
              "run the local Kafka broker in the foreground",
              args -> picocli(new BrokerCommand()).execute(args)),
          new Command(
              "generate",
              "simulate POS traffic of many stores into Kafka, with a manifest",
              args -> picocli(new GenerateCommand()).execute(withoutRunner(args))),
          new Command(
              "ingest",
              "Kafka -> validated, de-duplicated raw.pos_transactions (+ dead letters)",
              IngestCommand::run),
          new Command(
              "mart",
              "raw.pos_transactions -> marts.daily_sales_summary (--date, --from/--to,\n"
                  + "             --changed-since-last-run; default all dates), one atomic commit;\n"
                  + "             --mart inventory: raw.inventory_movements + POS -> marts.daily_inventory",
              MartCommand::run),
          new Command(
              "maintain",
              "compact small files, merge manifests, expire snapshots, find orphan files\n"
                  + "             (--compact, --rewrite-manifests, --expire, --remove-orphans;"
                  + " default all)",
              MaintainCommand::run),
          new Command(
              "smoke",
              "run the ingest chain on in-memory events on the chosen runner",
              SmokeCommand::run),
          new Command(
              "bench",
              "measure ingest throughput, freshness and mart speed (bench/results/)",
              BenchCommand::run));

  private LakehouseCommand() {}

  public static void main(String[] args) {
    System.exit(run(args));
  }

  static String usage() {
    return "Usage: ./lakehouse <command> [--runner=direct|flink|spark] [options]\n\nCommands:\n"
        + COMMANDS.stream()
            .map(c -> String.format("  %-10s %s", c.name(), c.help()))
            .collect(Collectors.joining("\n"))
        + String.format("%n  %-10s %s", "sql", "ad hoc SQL over the tables (embedded Spark SQL)")
        + String.format(
            "%n  %-10s %s",
            "serve", "the operations console: schedules, sensor, backfills, run history, web UI")
        + String.format(
            "%n  %-10s %s", "trino", "start|stop|status|run a local Trino 476 over the tables")
        + String.format("%n  %-10s %s", "athena", "one SQL statement on Amazon Athena (AWS SDK)")
        + String.format(
            "%n  %-10s %s", "deploy", "deploy emr: the Spark cluster jar to S3, a step on EMR")
        + String.format(
            "%n  %-10s %s", "infra", "infra synth: the AWS CloudFormation template (AWS CDK)")
        + "\n\nEvery command takes --help. Data defaults to ./lakehouse-data (--data-dir DIR).\n"
        + "Maven form: ./mvnw -q -P<runner> -pl pipelines exec:exec"
        + " -Dlakehouse.args=\"<command> ...\"";
  }

  /** Runs a command line; returns the exit code. */
  public static int run(String[] args) {
    if (args.length == 0
        || args[0].equals("--help")
        || args[0].equals("-h")
        || args[0].equals("help")) {
      System.out.println(usage());
      return args.length == 0 ? 2 : 0;
    }
    String name = args[0];
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    Command command = COMMANDS.stream().filter(c -> c.name().equals(name)).findFirst().orElse(null);
    if (command == null) {
      System.err.println(
          "lakehouse: unknown command '" + name + "'. Run ./lakehouse --help for the list.");
      return 2;
    }
    try {
      return command.entry().run(rest);
    } catch (UsageException e) {
      System.err.println(
          "lakehouse " + name + ": " + e.getMessage() + " (see ./lakehouse " + name + " --help)");
      return 2;
    } catch (IncompatibleTableException e) {
      System.err.println("lakehouse " + name + ": " + e.getMessage());
      return 3;
    } catch (Exception | Error e) {
      if (System.getenv("LAKEHOUSE_DEBUG") != null) {
        e.printStackTrace();
      }
      System.err.println(
          "lakehouse " + name + ": " + failure(e) + " (LAKEHOUSE_DEBUG=1 shows the stack trace)");
      return 1;
    }
  }

  /**
   * What a failed command prints after its name: the message of a {@link CatalogAccessException} in
   * the chain (it names the table and the catalog's answer), what to do when the heap ran out, else
   * {@code failed:} and the root cause's first line.
   */
  static String failure(Throwable e) {
    Throwable t = e;
    for (int depth = 0; t != null && depth < 100; depth++, t = t.getCause()) {
      if (t instanceof CatalogAccessException) {
        return t.getMessage();
      }
      if (t instanceof OutOfMemoryError) {
        return "failed: out of memory ("
            + (t.getMessage() == null ? "OutOfMemoryError" : t.getMessage())
            + ", max heap "
            + Runtime.getRuntime().maxMemory() / (1024 * 1024)
            + " MiB): run it again with more, e.g. LAKEHOUSE_JAVA_OPTS=-Xmx8g";
      }
    }
    return "failed: " + Failures.oneLine(e);
  }

  private static CommandLine picocli(Object command) {
    return new CommandLine(command).setParameterExceptionHandler(new ShortUsageErrors());
  }

  /** generate is not a pipeline: it ignores the runner flag the launcher script may pass. */
  private static String[] withoutRunner(String[] args) {
    return Arrays.stream(args).filter(a -> !a.startsWith("--runner")).toArray(String[]::new);
  }
}
