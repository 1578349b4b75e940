package com.retail.lakehouse.pipelines.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every benchmark result names the machine, the JVM flags in effect and the commit measured. */
class BenchResultsTest {
  @Test
  void resultsCarryTheCommitAndTheJvmFlags(@TempDir Path dir) throws Exception {
    Map<String, Object> machine = BenchResults.machine();
    // This test runs inside the project's git checkout (lakehouse.home): a real commit id.
    assertThat(machine.get("git_commit").toString()).matches("[0-9a-f]{7,40}(\\+changes)?");
    assertThat(machine.get("gc").toString()).isNotBlank();
    assertThat(machine).containsKeys("jvm_args", "max_heap_mib", "cores", "memory_gib", "jdk");

    Path json =
        BenchResults.write(
            dir, "kind", "direct", Map.of("events", 5, "machine", machine), List.of("events"));
    assertThat(Files.readString(json)).contains("\"git_commit\"");
    String table = Files.readString(dir.resolve("kind.md"));
    assertThat(table).contains("| direct | 5 |").contains("commit " + machine.get("git_commit"));
  }

  @Test
  void theCommitIsMarkedChangedByCodeNotByTheResultsABenchWritesInto(@TempDir Path repo)
      throws Exception {
    Path code = repo.resolve("pipelines/Job.java");
    Path results = repo.resolve("bench/results/ingest.md");
    Files.createDirectories(code.getParent());
    Files.createDirectories(results.getParent());
    Files.writeString(code, "class Job {}\n");
    Files.writeString(results, "| run |\n");
    git(repo, "init", "-q");
    git(repo, "add", ".");
    git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "one");
    String home = System.getProperty("lakehouse.home");
    System.setProperty("lakehouse.home", repo.toString());
    try {
      String head = BenchResults.gitCommit();
      assertThat(head).matches("[0-9a-f]{7,40}");
      Files.writeString(results, "| run |\n| another run |\n");
      assertThat(BenchResults.gitCommit())
          .as("a result appended: the code is the commit")
          .isEqualTo(head);
      Files.writeString(code, "class Job { int changed; }\n");
      assertThat(BenchResults.gitCommit()).isEqualTo(head + "+changes");
    } finally {
      if (home == null) {
        System.clearProperty("lakehouse.home");
      } else {
        System.setProperty("lakehouse.home", home);
      }
    }
  }

  private static void git(Path repo, String... args) throws Exception {
    List<String> cmd = new java.util.ArrayList<>(List.of("git", "-C", repo.toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).inheritIO().start();
    assertThat(p.waitFor()).as(String.join(" ", cmd)).isZero();
  }

  @Test
  void aRowGoesIntoTheResultsTableNotIntoATableOfNotesBelowIt(@TempDir Path dir) throws Exception {
    Map<String, Object> machine = Map.of("cores", 2, "memory_gib", 1, "jdk", "17");
    BenchResults.write(
        dir, "kind", "direct", Map.of("events", 5, "machine", machine), List.of("events"));
    Path md = dir.resolve("kind.md");
    Files.writeString(
        md,
        Files.readString(md)
            + "\nNotes.\n\n| call | before | after |\n|---|---|---|\n| x | 1 | 2 |\n");
    BenchResults.write(
        dir, "kind", "flink", Map.of("events", 7, "machine", machine), List.of("events"));
    List<String> lines = Files.readAllLines(md);
    assertThat(lines.get(4)).startsWith("| ").contains("| direct | 5 |");
    assertThat(lines.get(5)).contains("| flink | 7 |");
    assertThat(lines.get(lines.size() - 1)).isEqualTo("| x | 1 | 2 |");
  }

  @Test
  void changedColumnsStartANewTableUnderTheOldOne(@TempDir Path dir) throws Exception {
    Map<String, Object> machine = Map.of("cores", 2, "memory_gib", 1, "jdk", "17");
    BenchResults.write(
        dir, "kind", "direct", Map.of("events", 5, "machine", machine), List.of("events"));
    Path md = dir.resolve("kind.md");
    Files.writeString(md, Files.readString(md) + "\nNotes.\n");
    BenchResults.write(
        dir,
        "kind",
        "flink",
        Map.of("events", 7, "lag", 3, "machine", machine),
        List.of("events", "lag"));
    BenchResults.write(
        dir,
        "kind",
        "spark",
        Map.of("events", 9, "lag", 4, "machine", machine),
        List.of("events", "lag"));
    BenchResults.write(
        dir, "kind", "direct", Map.of("events", 6, "machine", machine), List.of("events"));
    List<String> lines = Files.readAllLines(md);
    assertThat(lines.subList(2, 6))
        .satisfiesExactly(
            h -> assertThat(h).isEqualTo("| when (UTC) | runner | events | machine |"),
            r -> assertThat(r).isEqualTo("|---|---|---|---|"),
            a -> assertThat(a).contains("| direct | 5 |"),
            b -> assertThat(b).contains("| direct | 6 |"));
    assertThat(lines.subList(6, 11))
        .satisfiesExactly(
            e -> assertThat(e).isEmpty(),
            h -> assertThat(h).isEqualTo("| when (UTC) | runner | events | lag | machine |"),
            r -> assertThat(r).isEqualTo("|---|---|---|---|---|"),
            a -> assertThat(a).contains("| flink | 7 | 3 |"),
            b -> assertThat(b).contains("| spark | 9 | 4 |"));
    assertThat(lines.get(lines.size() - 1)).isEqualTo("Notes.");
  }

  @Test
  void aRowTellsTheLaunchersDefaultHeapFromTheUsersOwnFlags() {
    assertThat(BenchResults.flags(Map.of("launcher_jvm_args", "-Xmx2048m", "user_jvm_args", "")))
        .isEqualTo(", launcher defaults -Xmx2048m");
    assertThat(
            BenchResults.flags(Map.of("launcher_jvm_args", "", "user_jvm_args", "-Xmx4g -Xlog:gc")))
        .isEqualTo(", flags -Xmx4g -Xlog:gc");
    assertThat(BenchResults.flags(Map.of())).isEmpty();
  }

  @Test
  void theMachineRecordSplitsTheFlagsInEffect() {
    Map<String, Object> machine = BenchResults.machine();
    String all = machine.get("jvm_args").toString();
    String launcher = machine.get("launcher_jvm_args").toString();
    String user = machine.get("user_jvm_args").toString();
    // this JVM was not started by the launcher: every flag in effect is the user's
    assertThat(launcher).isEmpty();
    assertThat(user).isEqualTo(all);
  }
}
