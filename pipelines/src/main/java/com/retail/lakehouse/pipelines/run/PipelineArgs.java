package com.retail.lakehouse.pipelines.run;

import com.retail.lakehouse.common.UsageException;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * Turns a command line into typed Beam {@link PipelineOptions}: applies the runner profile from
 * {@code runner-profiles/} first (so users never retype runner flags), accepts kebab-case flags
 * ({@code --data-dir}) as well as Beam's camelCase ({@code --dataDir}), maps {@code
 * --runner=direct|flink|spark} to Beam runner names, and prints --help from the options interfaces'
 * {@code @Description}s. Hand-written because Beam's own help lists every registered option of
 * every runner, and its parser knows no kebab-case.
 */
public final class PipelineArgs {
  /** The runner profile applied when none is named: local-&lt;runner&gt;. */
  public static final String PROFILE_FLAG = "profile";

  private PipelineArgs() {}

  /** The runner whose jars are on this JVM's classpath (set by the launcher script). */
  public static String classpathRunner() {
    return System.getProperty("lakehouse.runner", "direct");
  }

  /** The repository root, where runner-profiles/ lives. */
  public static Path home() {
    return Path.of(System.getProperty("lakehouse.home", ".")).toAbsolutePath().normalize();
  }

  /** Parses {@code args} into options of {@code type}, profile first, user flags winning. */
  public static <T extends PipelineOptions> T parse(String command, String[] args, Class<T> type) {
    List<String> user = normalize(args);
    String runner = classpathRunner();
    String profile = profileNamed(user, runner);
    List<String> rest = new ArrayList<>();
    for (String arg : user) {
      String name = flagName(arg);
      String value = flagValue(arg);
      if (name.equals("runner") && value != null && shortRunner(value) != null) {
        String wanted = shortRunner(value);
        if (!wanted.equals(runner)) {
          throw new UsageException(
              "this JVM was launched with the "
                  + runner
                  + " runner's jars; run ./lakehouse "
                  + command
                  + " --runner="
                  + wanted
                  + " (or mvn -P"
                  + wanted
                  + ")");
        }
      } else if (!name.equals(PROFILE_FLAG)) {
        rest.add(arg);
      }
    }
    // The user's flags win over the profile's: drop profile flags the command line sets again.
    java.util.Set<String> userNames = new java.util.HashSet<>();
    rest.forEach(a -> userNames.add(flagName(a)));
    List<String> all = new ArrayList<>();
    for (String arg : profileArgs(profile)) {
      if (!userNames.contains(flagName(arg))) {
        all.add(arg);
      }
    }
    all.addAll(rest);
    PipelineOptionsFactory.register(type);
    try {
      return PipelineOptionsFactory.fromArgs(all.toArray(String[]::new)).withValidation().as(type);
    } catch (IllegalArgumentException e) {
      throw new UsageException(firstLine(e.getMessage()));
    }
  }

  /**
   * The runner profile a normalized command line names (its last {@code --profile}), else
   * local-&lt;runner&gt;.
   */
  public static String profileNamed(List<String> normalized, String runner) {
    String profile = "local-" + runner;
    for (String arg : normalized) {
      if (flagName(arg).equals(PROFILE_FLAG)) {
        profile = flagValue(arg);
      }
    }
    return profile;
  }

  /** Reads a runner profile: one Beam flag per line, '#' comments. */
  public static List<String> profileArgs(String profile) {
    Path file = home().resolve("runner-profiles").resolve(profile + ".args");
    if (!Files.isRegularFile(file)) {
      throw new UsageException(
          "no runner profile '"
              + profile
              + "' (expected "
              + file
              + "); see runner-profiles/README.md");
    }
    try {
      List<String> args = new ArrayList<>();
      for (String line : Files.readAllLines(file)) {
        String trimmed = line.strip();
        if (!trimmed.isEmpty() && !trimmed.startsWith("#")) {
          args.add(trimmed);
        }
      }
      return normalize(args.toArray(String[]::new));
    } catch (IOException e) {
      throw new UsageException("cannot read runner profile " + file + ": " + e.getMessage());
    }
  }

  /** Whether the command line asks for help. */
  public static boolean wantsHelp(String[] args) {
    for (String arg : args) {
      if (arg.equals("--help") || arg.equals("-h")) {
        return true;
      }
    }
    return false;
  }

  /**
   * Prints help for a pipeline command from the @Description and @Default annotations of its
   * options interfaces (our own interfaces only; runner flags are documented in the profiles).
   */
  public static void printHelp(
      PrintStream out, String command, String summary, Class<? extends PipelineOptions> type) {
    out.println("Usage: ./lakehouse " + command + " [--runner=direct|flink|spark] [options]");
    out.println();
    out.println(summary);
    out.println();
    out.println("Options (kebab-case or Beam camelCase, e.g. --data-dir=DIR or --dataDir=DIR):");
    Map<String, String> lines = new LinkedHashMap<>();
    List<Method> getters = new ArrayList<>();
    for (Method m : type.getMethods()) {
      if (m.getDeclaringClass().getPackageName().startsWith("com.retail.lakehouse")
          && m.isAnnotationPresent(Description.class)) {
        getters.add(m);
      }
    }
    getters.sort(Comparator.comparing(PipelineArgs::optionName));
    for (Method m : getters) {
      String flag = "--" + kebab(optionName(m));
      String kind = m.getReturnType().getSimpleName();
      String left =
          (kind.equals("boolean") || kind.equals("Boolean")) ? flag : flag + "=<" + kind + ">";
      String text = m.getAnnotation(Description.class).value() + defaultOf(m);
      lines.put(left, text);
    }
    lines.put(
        "--runner=<direct|flink|spark>", "Runner; selects the jars and profile local-<runner>.");
    lines.put(
        "--profile=<name>",
        "Runner profile from runner-profiles/ (local-direct, local-flink, local-spark, emr-spark,"
            + " flink-cluster, spark-standalone).");
    lines.put("--help", "Show this help.");
    lines.forEach(
        (left, text) -> {
          out.printf("  %-34s %s%n", left, text);
        });
    out.println();
    out.println("Any other Beam or runner flag (e.g. --parallelism=4) is passed to the runner.");
  }

  private static String defaultOf(Method m) {
    if (m.isAnnotationPresent(Default.String.class)) {
      return " (default: " + m.getAnnotation(Default.String.class).value() + ")";
    }
    if (m.isAnnotationPresent(Default.Integer.class)) {
      return " (default: " + m.getAnnotation(Default.Integer.class).value() + ")";
    }
    if (m.isAnnotationPresent(Default.Long.class)) {
      return " (default: " + m.getAnnotation(Default.Long.class).value() + ")";
    }
    if (m.isAnnotationPresent(Default.Boolean.class)) {
      return " (default: " + m.getAnnotation(Default.Boolean.class).value() + ")";
    }
    return "";
  }

  private static String optionName(Method getter) {
    String n = getter.getName().replaceFirst("^(get|is)", "");
    return Character.toLowerCase(n.charAt(0)) + n.substring(1);
  }

  /** Rewrites --kebab-case flags to Beam's --camelCase; leaves values alone. */
  public static List<String> normalize(String[] args) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--")) {
        throw new UsageException(
            "unexpected argument '" + arg + "' (options look like --name=value)");
      }
      String body = arg.substring(2);
      int eq = body.indexOf('=');
      String name = eq < 0 ? body : body.substring(0, eq);
      String value = eq < 0 ? null : body.substring(eq + 1);
      if (value == null && i + 1 < args.length && !args[i + 1].startsWith("--")) {
        value = args[++i]; // "--name value" as well as "--name=value"
      }
      String camel = camel(name);
      out.add(value == null ? "--" + camel : "--" + camel + "=" + value);
    }
    return out;
  }

  static String camel(String kebab) {
    StringBuilder sb = new StringBuilder();
    boolean upper = false;
    for (char c : kebab.toCharArray()) {
      if (c == '-') {
        upper = true;
      } else {
        sb.append(upper ? Character.toUpperCase(c) : c);
        upper = false;
      }
    }
    return sb.toString();
  }

  static String kebab(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
  }

  public static String flagName(String arg) {
    String body = arg.substring(2);
    int eq = body.indexOf('=');
    return eq < 0 ? body : body.substring(0, eq);
  }

  /** The value of {@code --name=value}, or null when the flag has no {@code =}. */
  public static String flagValue(String arg) {
    int eq = arg.indexOf('=');
    return eq < 0 ? null : arg.substring(eq + 1);
  }

  /** direct|flink|spark for a short or Beam runner name, else null. */
  static String shortRunner(String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "direct", "directrunner" -> "direct";
      case "flink", "flinkrunner" -> "flink";
      case "spark", "sparkrunner" -> "spark";
      default -> null;
    };
  }

  static String firstLine(String message) {
    if (message == null) {
      return "invalid options";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
