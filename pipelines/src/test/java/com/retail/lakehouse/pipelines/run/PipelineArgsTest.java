package com.retail.lakehouse.pipelines.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Command-line parsing: flag spellings, runner profiles from a temporary {@code lakehouse.home},
 * the classpath-runner check, one-line errors, and --help.
 */
class PipelineArgsTest {
  /** Options shared by several commands (inherited options must show in --help as well). */
  public interface BaseTestOptions extends PipelineOptions {
    @Description("Folder the greetings are written to.")
    @Default.String("greetings")
    String getOutputFolder();

    void setOutputFolder(String value);

    @Description("Largest greeting file, in bytes.")
    @Default.Long(4_000_000)
    long getMaxBytes();

    void setMaxBytes(long value);
  }

  /** The options of a made-up command, registered with Beam by PipelineArgs.parse. */
  public interface GreetTestOptions extends BaseTestOptions {
    @Description("Text to greet with.")
    @Default.String("hello")
    String getGreetingText();

    void setGreetingText(String value);

    @Description("How many times to greet.")
    @Default.Integer(1)
    int getRepeatCount();

    void setRepeatCount(int value);

    @Description("Shout the greeting.")
    @Default.Boolean(false)
    boolean isLoud();

    void setLoud(boolean value);

    @Description("Who to greet.")
    String getTargetName();

    void setTargetName(String value);
  }

  private static final String HOME = "lakehouse.home";
  private static final String RUNNER = "lakehouse.runner";

  @TempDir Path home;
  private String savedHome;
  private String savedRunner;

  @BeforeEach
  void useTemporaryHome() throws IOException {
    savedHome = System.getProperty(HOME);
    savedRunner = System.getProperty(RUNNER);
    System.setProperty(HOME, home.toString());
    System.setProperty(RUNNER, "direct");
    Path profiles = Files.createDirectories(home.resolve("runner-profiles"));
    Files.writeString(
        profiles.resolve("local-direct.args"),
        String.join(
            "\n",
            "# The classpath runner's profile: kebab-case and camelCase, comments, blank lines.",
            "",
            "--greeting-text=from-profile",
            "   # an indented comment",
            "  --repeatCount=2  ",
            ""));
    Files.writeString(
        profiles.resolve("other.args"), "# another profile\n--greetingText=from-other\n");
    Files.writeString(profiles.resolve("local-flink.args"), "--greeting-text=from-local-flink\n");
  }

  @AfterEach
  void restoreProperties() {
    restore(HOME, savedHome);
    restore(RUNNER, savedRunner);
  }

  private static void restore(String key, String value) {
    if (value == null) {
      System.clearProperty(key);
    } else {
      System.setProperty(key, value);
    }
  }

  private static GreetTestOptions parse(String... args) {
    return PipelineArgs.parse("greet", args, GreetTestOptions.class);
  }

  private static String help() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    PipelineArgs.printHelp(out, "greet", "Greets someone, repeatedly.", GreetTestOptions.class);
    return bytes.toString(StandardCharsets.UTF_8);
  }

  /** The one help line that starts with {@code flag}. */
  private static String helpLine(String help, String flag) {
    List<String> lines = help.lines().filter(l -> l.strip().startsWith(flag)).toList();
    assertThat(lines).as("help lines for %s", flag).hasSize(1);
    return lines.get(0);
  }

  @Test
  void kebabCaseAndCamelCaseFlagsSetTheSameOption() {
    assertThat(parse("--target-name=ann").getTargetName()).isEqualTo("ann");
    assertThat(parse("--targetName=ann").getTargetName()).isEqualTo("ann");
    assertThat(parse("--output-folder=out").getOutputFolder()).isEqualTo("out");
  }

  @Test
  void spaceSeparatedAndEqualsSignValuesBothWork() {
    assertThat(parse("--target-name", "ann").getTargetName()).isEqualTo("ann");
    assertThat(parse("--target-name=ann").getTargetName()).isEqualTo("ann");

    GreetTestOptions options = parse("--loud", "--max-bytes", "10", "--target-name", "bob");
    assertThat(options.isLoud()).isTrue();
    assertThat(options.getMaxBytes()).isEqualTo(10L);
    assertThat(options.getTargetName()).isEqualTo("bob");
  }

  @Test
  void bareArgumentIsRefusedWithItsName() {
    assertThatThrownBy(() -> parse("ann"))
        .isInstanceOf(RuntimeException.class)
        .hasMessageContaining("'ann'");
    // "bob" is not the value of --target-name (that is "ann"): it is a stray argument.
    assertThatThrownBy(() -> parse("--target-name", "ann", "bob"))
        .isInstanceOf(RuntimeException.class)
        .hasMessageContaining("'bob'");
  }

  @Test
  void profileFlagsApplyWhenTheUserDoesNotSetThem() {
    GreetTestOptions options = parse();

    assertThat(options.getGreetingText()).isEqualTo("from-profile");
    assertThat(options.getRepeatCount()).isEqualTo(2);
    assertThat(options.getOutputFolder()).isEqualTo("greetings");
    assertThat(options.isLoud()).isFalse();
  }

  @Test
  void userFlagOverridesTheSameFlagFromTheProfile() {
    // Beam refuses a flag given twice, so the profile's must be dropped, whatever its spelling.
    GreetTestOptions options = parse("--greetingText=mine", "--repeat-count", "5");

    assertThat(options.getGreetingText()).isEqualTo("mine");
    assertThat(options.getRepeatCount()).isEqualTo(5);
  }

  @Test
  void profileFlagSelectsAnotherProfileInsteadOfTheRunnersOne() {
    GreetTestOptions options = parse("--profile=other");

    assertThat(options.getGreetingText()).isEqualTo("from-other");
    assertThat(options.getRepeatCount()).as("local-direct is not applied").isEqualTo(1);
    assertThat(parse("--profile", "other").getGreetingText()).isEqualTo("from-other");
  }

  @Test
  void defaultProfileIsTheClasspathRunnersLocalProfile() {
    System.setProperty(RUNNER, "flink");

    assertThat(parse().getGreetingText()).isEqualTo("from-local-flink");
    assertThat(parse("--profile=local-direct").getGreetingText()).isEqualTo("from-profile");
  }

  @Test
  void missingProfileIsReportedWithTheExpectedFile() {
    Path expected = home.resolve("runner-profiles").resolve("nowhere.args");

    assertThatThrownBy(() -> parse("--profile=nowhere"))
        .isInstanceOf(RuntimeException.class)
        .hasMessageContaining("'nowhere'")
        .hasMessageContaining(expected.toString());
  }

  @Test
  void profileFilesIgnoreCommentsAndBlankLinesAndAreNormalized() {
    assertThat(PipelineArgs.profileArgs("local-direct"))
        .containsExactly("--greetingText=from-profile", "--repeatCount=2");
    assertThat(PipelineArgs.profileArgs("other")).containsExactly("--greetingText=from-other");
  }

  @Test
  void runnerOtherThanTheClasspathRunnerIsRefusedWithTheCommandToRun() {
    assertThatThrownBy(() -> parse("--runner=flink"))
        .isInstanceOf(RuntimeException.class)
        .hasMessageContaining("direct")
        .hasMessageContaining("--runner=flink");
    // Beam's runner names and the "--name value" form mean the same.
    assertThatThrownBy(() -> parse("--runner=FlinkRunner"))
        .isInstanceOf(RuntimeException.class)
        .hasMessageContaining("--runner=flink");
    assertThatThrownBy(() -> parse("--runner", "spark"))
        .isInstanceOf(RuntimeException.class)
        .hasMessageContaining("--runner=spark");
  }

  @Test
  void classpathRunnerIsAccepted() {
    assertThat(parse("--runner=direct").getGreetingText()).isEqualTo("from-profile");
    assertThat(parse("--runner=DirectRunner", "--target-name=ann").getTargetName())
        .isEqualTo("ann");

    System.setProperty(RUNNER, "flink");
    assertThat(parse("--runner=flink").getGreetingText()).isEqualTo("from-local-flink");
    assertThatThrownBy(() -> parse("--runner=direct"))
        .isInstanceOf(RuntimeException.class)
        .hasMessageContaining("--runner=direct");
  }

  @Test
  void unknownFlagIsReportedInOneLine() {
    assertThatThrownBy(() -> parse("--no-such-flag=1"))
        .isInstanceOf(RuntimeException.class)
        .hasMessageContaining("noSuchFlag")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  @Test
  void badValueIsReportedAsTheFirstLineOfBeamsMessage() {
    // Beam's (Jackson's) message for this has a second line: "at [Source: UNKNOWN; ...".
    assertThatThrownBy(() -> parse("--repeat-count=abc"))
        .isInstanceOf(RuntimeException.class)
        .hasMessageContaining("abc")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("Source"));
  }

  @Test
  void printHelpListsOurOptionsInKebabCaseWithDescriptionsAndDefaults() {
    String help = help();

    assertThat(help).contains("./lakehouse greet").contains("Greets someone, repeatedly.");
    assertThat(helpLine(help, "--greeting-text"))
        .contains("--greeting-text=<String>")
        .contains("Text to greet with. (default: hello)");
    assertThat(helpLine(help, "--repeat-count"))
        .contains("--repeat-count=<int>")
        .contains("How many times to greet. (default: 1)");
    assertThat(helpLine(help, "--loud"))
        .as("a boolean flag takes no value")
        .doesNotContain("--loud=")
        .contains("Shout the greeting. (default: false)");
    assertThat(helpLine(help, "--target-name"))
        .contains("--target-name=<String>")
        .contains("Who to greet.")
        .doesNotContain("(default");
    // Inherited from another of our interfaces.
    assertThat(helpLine(help, "--output-folder"))
        .contains("--output-folder=<String>")
        .contains("Folder the greetings are written to. (default: greetings)");
    assertThat(helpLine(help, "--max-bytes"))
        .contains("--max-bytes=<long>")
        .contains("(default: 4000000)");
    // Sorted by option name, then the launcher's own flags.
    assertThat(help)
        .containsSubsequence(
            "--greeting-text",
            "--loud",
            "--max-bytes",
            "--output-folder",
            "--repeat-count",
            "--target-name",
            "--runner=<direct|flink|spark>",
            "--profile=<name>",
            "--help");
    assertThat(helpLine(help, "--help")).contains("Show this help.");
  }

  @Test
  void printHelpLeavesOutBeamsOwnOptions() {
    String help = help();

    assertThat(help)
        .doesNotContain("--job-name")
        .doesNotContain("--jobName")
        .doesNotContain("--temp-location")
        .doesNotContain("--options-id")
        .doesNotContain("--user-agent")
        .doesNotContain("--stable-unique-names")
        .doesNotContain("<Class>");
    assertThat(help.lines().filter(l -> l.strip().startsWith("--runner")))
        .as("only our --runner line, not PipelineOptions.getRunner")
        .hasSize(1);
  }

  @Test
  void wantsHelpSpotsHelpFlagsAnywhere() {
    assertThat(PipelineArgs.wantsHelp(new String[] {"--help"})).isTrue();
    assertThat(PipelineArgs.wantsHelp(new String[] {"-h"})).isTrue();
    assertThat(PipelineArgs.wantsHelp(new String[] {"--target-name", "ann", "--help"})).isTrue();
    assertThat(PipelineArgs.wantsHelp(new String[] {})).isFalse();
    assertThat(PipelineArgs.wantsHelp(new String[] {"--target-name=help"})).isFalse();
    assertThat(PipelineArgs.wantsHelp(new String[] {"--helpful"})).isFalse();
  }

  @Test
  void normalizeRewritesKebabNamesAndLeavesValuesAlone() {
    assertThat(
            PipelineArgs.normalize(
                new String[] {
                  "--catalog-properties=s3.path-style-access=true",
                  "--data-dir",
                  "/tmp/my-data-dir",
                  "--loud",
                  "--x-y-z",
                  "--dataDir=already-camel",
                  "--empty="
                }))
        .containsExactly(
            "--catalogProperties=s3.path-style-access=true",
            "--dataDir=/tmp/my-data-dir",
            "--loud",
            "--xYZ",
            "--dataDir=already-camel",
            "--empty=");
  }

  @Test
  void normalizeRefusesAnArgumentThatIsNotAFlag() {
    assertThatThrownBy(() -> PipelineArgs.normalize(new String[] {"--loud=true", "-v"}))
        .isInstanceOf(RuntimeException.class)
        .hasMessageContaining("'-v'");
  }
}
