package com.retail.lakehouse.generator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.retail.lakehouse.generator.EventStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** Tests the generate command's help and option checking (no Kafka needed). */
class GenerateCommandTest {

  private record Result(int exit, String out, String err) {}

  private static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit =
        new CommandLine(new GenerateCommand())
            .setOut(new PrintWriter(out))
            .setErr(new PrintWriter(err))
            .setParameterExceptionHandler(new ShortUsageErrors())
            .execute(args);
    return new Result(exit, out.toString(), err.toString());
  }

  @Test
  void helpExplainsEveryKnob() {
    Result help = run("--help");
    assertThat(help.exit()).isZero();
    assertThat(help.out())
        .contains(
            "--bootstrap-servers",
            "embedded local broker",
            "--topic",
            "Default: pos_transactions",
            "--partitions",
            "Default: 4",
            "--stores",
            "Default: 20",
            "--skus",
            "Default: 500",
            "--rate",
            "as fast as possible",
            "--count",
            "10000",
            "--duration",
            "live mode",
            "--start",
            "2026-11-25T08:00:00Z",
            "--seed",
            "Default: 42",
            "--malformed-rate",
            "TRUNCATED_JSON",
            "--duplicate-rate",
            "last 1000",
            "--late-rate",
            "1-48 h",
            "--data-dir",
            "Default: ./lakehouse-data",
            "--summary-json",
            "--streams",
            "Default: pos",
            "--inventory-topic",
            "Default: inventory_movements",
            "--inventory-manifest",
            "Default: summary",
            "closing stock",
            "Exit status");
    assertThat(help.out()).doesNotContain("${DEFAULT-VALUE}");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = ';',
      value = {
        "--rate -5; --rate must be >= 0",
        "--malformed-rate 1.5; --malformed-rate must be between 0 and 1",
        "--count 10 --duration 5s; --count and --duration are exclusive",
        "--start yesterday; --start must be an ISO instant",
        "--duration soon; --duration=soon is not a duration (use e.g. 500ms, 10s, 5m, 2h, 1d or PT1M)",
        "--duration=-5s; --duration must be positive",
        "--duplicate-rate 0.6 --late-rate 0.6; must not exceed 1",
        "--stores 0; --stores must be between 1 and 999",
        "--streams inventory; --streams must include pos",
        "--streams pos,stock; --streams takes a comma-separated list of pos and inventory",
        "--streams pos,inventory --duration 5s; --streams inventory needs a simulated clock",
        "--streams pos,inventory --stores 999 --skus 500; tracks at most 200000 stock positions",
        "--inventory-manifest all; --inventory-manifest must be summary or full"
      })
  void badFlagsAreRejectedWithExitCode2(String args, String message) {
    Result result = run(args.split(" "));
    assertThat(result.exit()).isEqualTo(2);
    assertThat(result.err()).contains(message);
    assertThat(result.err().lines().toList())
        .hasSize(2)
        .satisfies(lines -> assertThat(lines.get(0)).contains(message))
        .satisfies(
            lines ->
                assertThat(lines.get(1)).isEqualTo("Try 'generate --help' for more information."));
  }

  @Test
  void defaultHandlerAlsoExitsWith2() {
    StringWriter err = new StringWriter();
    int exit =
        new CommandLine(new GenerateCommand())
            .setErr(new PrintWriter(err))
            .execute("--late-rate", "2");
    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).startsWith("--late-rate must be between 0 and 1, got 2.0");
  }

  @Test
  void worksAsASubcommand() {
    @CommandLine.Command(name = "lakehouse")
    class Root {}
    CommandLine root = new CommandLine(new Root()).addSubcommand(new GenerateCommand());
    StringWriter out = new StringWriter();
    root.setOut(new PrintWriter(out));
    assertThat(root.execute("generate", "--help")).isZero();
    assertThat(out.toString()).startsWith("Usage: lakehouse generate");
  }

  @Test
  void unknownFlagIsAUsageError() {
    assertThat(run("--colour", "blue").exit()).isEqualTo(2);
  }

  @ParameterizedTest
  @CsvSource({
    "90s, PT1M30S",
    "5m, PT5M",
    "1h, PT1H",
    "1d, PT24H",
    "PT2M, PT2M",
    "pt2m, PT2M",
    "250ms, PT0.25S",
    "' 10S ', PT10S"
  })
  void durationsParseShortAndIsoForms(String text, String expected) {
    GenerateCommand command = new GenerateCommand();
    new CommandLine(command).parseArgs("--duration", text);
    assertThat(command.config().duration()).isEqualTo(Duration.parse(expected));
  }

  @Test
  void streamsDefaultToPosAndTakeInventory() {
    GenerateCommand posOnly = new GenerateCommand();
    new CommandLine(posOnly).parseArgs();
    assertThat(posOnly.config().streams()).containsExactly(EventStream.POS);
    assertThat(posOnly.config().inventory()).isFalse();

    GenerateCommand both = new GenerateCommand();
    new CommandLine(both)
        .parseArgs("--streams", "pos,inventory", "--inventory-topic", "stock", "--count", "5");
    assertThat(both.config().streams()).containsExactly(EventStream.POS, EventStream.INVENTORY);
    assertThat(both.config().inventoryTopic()).isEqualTo("stock");
    assertThat(both.fullClosingStock()).isFalse();
  }
}
