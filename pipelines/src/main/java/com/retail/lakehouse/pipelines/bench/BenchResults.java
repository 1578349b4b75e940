package com.retail.lakehouse.pipelines.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where benchmark figures go: one JSON file per run and one row appended to a Markdown table per
 * benchmark kind under {@code bench/results/}, each with the machine it ran on, the JVM flags in
 * effect and the git commit measured (bench/results/README.md says how to read and compare them).
 */
public final class BenchResults {
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

  private BenchResults() {}

  /** Cores, memory and JDK of this machine. */
  public static Map<String, Object> machine() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cores", Runtime.getRuntime().availableProcessors());
    long memKb = 0;
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          memKb = Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | NumberFormatException ignored) {
      // not Linux: leave 0
    }
    m.put("memory_gib", Math.round(memKb / 1024.0 / 1024.0 * 10) / 10.0);
    m.put("jdk", System.getProperty("java.vendor") + " " + System.getProperty("java.version"));
    m.put("max_heap_mib", Runtime.getRuntime().maxMemory() / (1024 * 1024));
    // Every JVM flag in effect (not the launcher's --add-opens and -D properties): heap, GC, ...
    List<String> inEffect =
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
            .filter(a -> a.startsWith("-X") || a.startsWith("-agent"))
            .toList();
    m.put("jvm_args", String.join(" ", inEffect));
    // ... and which of them are the launcher's defaults (its heap), not the user's own
    List<String> launcher =
        List.of(System.getProperty("lakehouse.launcher-jvm-args", "").split(" ")).stream()
            .filter(inEffect::contains)
            .toList();
    m.put("launcher_jvm_args", String.join(" ", launcher));
    m.put(
        "user_jvm_args",
        String.join(" ", inEffect.stream().filter(a -> !launcher.contains(a)).toList()));
    m.put(
        "gc",
        String.join(
            ", ",
            ManagementFactory.getGarbageCollectorMXBeans().stream()
                .map(java.lang.management.GarbageCollectorMXBean::getName)
                .toList()));
    m.put("git_commit", gitCommit());
    return m;
  }

  /**
   * A result row's JVM flags: the launcher's defaults named as such, then any flag of the user's
   * own ({@code LAKEHOUSE_JAVA_OPTS}: an experiment); "" when neither.
   */
  static String flags(Map<String, Object> machine) {
    String launcher = String.valueOf(machine.getOrDefault("launcher_jvm_args", ""));
    String user = String.valueOf(machine.getOrDefault("user_jvm_args", ""));
    return (launcher.isEmpty() ? "" : ", launcher defaults " + launcher)
        + (user.isEmpty() ? "" : ", flags " + user);
  }

  /**
   * The checkout's commit ({@code git rev-parse --short HEAD} in {@code -Dlakehouse.home}), with
   * {@code +changes} when the work tree differs from it outside {@code bench/results/} (the results
   * a sitting appends to); "unknown" outside a git checkout.
   */
  static String gitCommit() {
    Path home = Path.of(System.getProperty("lakehouse.home", "."));
    try {
      String head = git(home, "rev-parse", "--short", "HEAD");
      if (head.isEmpty()) {
        return "unknown";
      }
      // the result files a sitting appends to are not the code it measures
      return git(
                  home,
                  "status",
                  "--porcelain",
                  "--untracked-files=no",
                  "--",
                  ".",
                  ":(exclude)bench/results")
              .isEmpty()
          ? head
          : head + "+changes";
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static String git(Path home, String... args) throws IOException {
    List<String> cmd = new java.util.ArrayList<>(List.of("git", "-C", home.toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
    p.getErrorStream().close();
    String out =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    try {
      return p.waitFor() == 0 ? out.strip() : "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  /** Writes the JSON and appends the Markdown row; returns the JSON file. */
  public static Path write(
      Path resultsDir, String kind, String runner, Map<String, Object> result, List<String> columns)
      throws IOException {
    Files.createDirectories(resultsDir);
    String stamp = STAMP.format(Instant.now());
    Path json = resultsDir.resolve(kind + "-" + runner + "-" + stamp + ".json");
    Files.writeString(
        json,
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(result)
            + "\n");
    Path table = resultsDir.resolve(kind + ".md");
    StringBuilder header = new StringBuilder("| when (UTC) | runner |");
    StringBuilder rule = new StringBuilder("|---|---|");
    for (String c : columns) {
      header.append(' ').append(c).append(" |");
      rule.append("---|");
    }
    header.append(" machine |\n");
    rule.append("---|\n");
    if (!Files.exists(table)) {
      Files.writeString(table, "# " + kind + " benchmark\n\n" + header + rule);
    }
    StringBuilder row = new StringBuilder("| " + stamp + " | " + runner + " |");
    for (String c : columns) {
      row.append(' ').append(result.getOrDefault(c, "")).append(" |");
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> m = (Map<String, Object>) result.get("machine");
    row.append(' ')
        .append(m.get("cores"))
        .append(" cores, ")
        .append(m.get("memory_gib"))
        .append(" GiB, ")
        .append(m.get("jdk"))
        .append(flags(m))
        .append(m.get("git_commit") == null ? "" : ", commit " + m.get("git_commit"))
        .append(" |\n");
    // Insert after the last row of the results table with these columns (headed "| when (UTC)");
    // a benchmark whose columns changed starts a new table under the last one. Notes and tables of
    // notes written under the results stay below them.
    List<String> lines = new java.util.ArrayList<>(Files.readAllLines(table));
    String columnsLine = header.toString().strip();
    int headerAt = lines.lastIndexOf(columnsLine);
    if (headerAt < 0) {
      int at = lastResultsTableEnd(lines);
      lines.addAll(at, List.of("", columnsLine, rule.toString().strip()));
      headerAt = at + 1;
    }
    int at = headerAt;
    while (at < lines.size() && lines.get(at).startsWith("|")) {
      at++;
    }
    lines.add(at, row.toString().stripTrailing());
    Files.write(table, lines);
    return json;
  }

  /** The line after the last row of the last results table, or the end of the file. */
  private static int lastResultsTableEnd(List<String> lines) {
    int at = -1;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith("| when (UTC)")) {
        at = i;
      }
    }
    if (at < 0) {
      return lines.size();
    }
    while (at < lines.size() && lines.get(at).startsWith("|")) {
      at++;
    }
    return at;
  }
}
