package com.retail.lakehouse.pipelines.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's class data sharing, run as the real {@code lakehouse} script in a home of its own
 * whose JDK is a stand-in: a script that records its arguments, writes the archive it is asked to
 * write at exit, and exits with the code it is told. A command's first run writes its archive under
 * a temporary name and keeps it only if it succeeded or was stopped; later runs map it; a killed
 * run leaves no archive (the JVM crashes on a partly written one); {@code --help} and {@code
 * LAKEHOUSE_CDS=off} run without one.
 */
class LauncherClassDataSharingTest {
  @TempDir Path home;
  private Path target;
  private Path argsLog;

  @BeforeEach
  void aHomeWithABuiltLauncherAndAStandInJava() throws IOException {
    Files.copy(Path.of("..", "lakehouse"), home.resolve("lakehouse"));
    target = Files.createDirectories(home.resolve("pipelines/target"));
    Files.createDirectories(target.resolve("classes"));
    Files.writeString(target.resolve("lakehouse-pipelines-0.1.0-SNAPSHOT.jar"), "jar");
    Files.writeString(target.resolve("classpath-direct.txt"), "/nowhere/dependency.jar");
    // the archive must be newer than the build, whose files were just written
    Files.setLastModifiedTime(
        target.resolve("lakehouse-pipelines-0.1.0-SNAPSHOT.jar"),
        java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 60_000));
    Files.setLastModifiedTime(
        target.resolve("classpath-direct.txt"),
        java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 60_000));
    argsLog = home.resolve("java-args.log");
    Path java = Files.createDirectories(home.resolve("jdk/bin")).resolve("java");
    Files.writeString(
        java,
        String.join(
            "\n",
            "#!/usr/bin/env bash",
            "printf '%s\\n' \"$*\" >> \"" + argsLog + "\"",
            "for a in \"$@\"; do",
            "  case \"$a\" in -XX:ArchiveClassesAtExit=*) echo archive > \"${a#*=}\" ;; esac",
            "done",
            "exit \"${FAKE_JAVA_EXIT:-0}\"",
            ""));
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    // the JDK's base archive, which a dynamic one builds on
    Files.writeString(
        Files.createDirectories(home.resolve("jdk/lib/server")).resolve("classes.jsa"), "base");
  }

  @Test
  void theFirstRunWritesTheCommandsArchiveAndLaterRunsMapIt() throws Exception {
    assertThat(launch(Map.of(), "ingest", "--until-caught-up")).isZero();
    Path archive = target.resolve("launcher-direct-ingest.jsa");
    assertThat(archive).exists();
    assertThat(lastJavaArgs())
        .contains("-XX:ArchiveClassesAtExit=" + archive + ".")
        .contains("-cp " + target.resolve("lakehouse-pipelines-0.1.0-SNAPSHOT.jar") + ":");
    assertThat(leftovers()).isEmpty();

    assertThat(launch(Map.of(), "ingest", "--until-caught-up")).isZero();
    assertThat(lastJavaArgs())
        .contains("-XX:SharedArchiveFile=" + archive)
        .doesNotContain("ArchiveClassesAtExit")
        .contains("-Dlakehouse.launcher-jvm-args=-XX:SharedArchiveFile=" + archive);

    // another command trains an archive of its own
    assertThat(launch(Map.of(), "generate", "--count=10")).isZero();
    assertThat(lastJavaArgs()).contains("-XX:ArchiveClassesAtExit=");
    assertThat(target.resolve("launcher-direct-generate.jsa")).exists();
  }

  @Test
  void onlyARunThatSucceededOrWasStoppedKeepsItsArchiveAndTheExitCodeGoesThrough()
      throws Exception {
    Path archive = target.resolve("launcher-direct-ingest.jsa");
    // killed -9: the archive may be partly written
    assertThat(launch(Map.of("FAKE_JAVA_EXIT", "137"), "ingest")).isEqualTo(137);
    assertThat(archive).doesNotExist();
    // a failed command may have loaded few of its classes
    assertThat(launch(Map.of("FAKE_JAVA_EXIT", "2"), "ingest", "--bogus")).isEqualTo(2);
    assertThat(archive).doesNotExist();
    assertThat(leftovers()).isEmpty();

    // stopped with TERM (a streaming job's usual end): the JVM wrote the archive as it exited
    assertThat(launch(Map.of("FAKE_JAVA_EXIT", "143"), "ingest", "--mode=streaming"))
        .isEqualTo(143);
    assertThat(archive).exists();
  }

  @Test
  void itIsOffWhenAskedForHelpOrWhenTheUserSetsTheirOwnArchiveFlags() throws Exception {
    assertThat(launch(Map.of(), "ingest", "--help")).isZero();
    assertThat(lastJavaArgs()).doesNotContain("Archive");

    assertThat(launch(Map.of("LAKEHOUSE_CDS", "off"), "ingest", "--help")).isZero();
    assertThat(lastJavaArgs())
        .doesNotContain("Archive")
        .contains("-cp " + target.resolve("classes") + ":");

    assertThat(launch(Map.of("LAKEHOUSE_JAVA_OPTS", "-Xshare:off"), "ingest")).isZero();
    assertThat(lastJavaArgs()).doesNotContain("Archive").contains("-Xshare:off");
    // an agent (here from the JDK's own variable) makes the JVM refuse to write an archive at all
    assertThat(launch(Map.of("JAVA_TOOL_OPTIONS", "-javaagent:/x/agent.jar"), "ingest")).isZero();
    assertThat(lastJavaArgs()).doesNotContain("Archive");
    assertThat(leftovers()).isEmpty();
    assertThat(target.resolve("launcher-direct-ingest.jsa")).doesNotExist();
  }

  @Test
  void itIsOffWithoutTheJdksBaseArchiveAndForCommandsThatRunNoPipeline() throws Exception {
    assertThat(launch(Map.of(), "broker")).isZero();
    assertThat(lastJavaArgs()).doesNotContain("Archive");

    Files.delete(home.resolve("jdk/lib/server/classes.jsa"));
    assertThat(launch(Map.of(), "ingest")).isZero();
    assertThat(lastJavaArgs())
        .doesNotContain("Archive")
        .contains("-cp " + target.resolve("classes") + ":");
    assertThat(target.resolve("launcher-direct-ingest.jsa")).doesNotExist();
  }

  @Test
  void anArchiveOlderThanAJarOfTheProjectIsWrittenAgain() throws Exception {
    Path ownJar = Files.writeString(home.resolve("transforms.jar"), "jar");
    Files.setLastModifiedTime(
        ownJar, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 60_000));
    Files.writeString(target.resolve("classpath-direct.txt"), ownJar + ":/nowhere/dependency.jar");
    Files.setLastModifiedTime(
        target.resolve("classpath-direct.txt"),
        java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 60_000));
    assertThat(launch(Map.of(), "mart")).isZero();
    assertThat(lastJavaArgs()).contains("-XX:ArchiveClassesAtExit=");
    assertThat(launch(Map.of(), "mart")).isZero();
    assertThat(lastJavaArgs()).contains("-XX:SharedArchiveFile=");

    Files.setLastModifiedTime(
        ownJar, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5_000));
    assertThat(launch(Map.of(), "mart")).isZero();
    assertThat(lastJavaArgs()).contains("-XX:ArchiveClassesAtExit=");
  }

  private int launch(Map<String, String> env, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("bash", home.resolve("lakehouse").toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("JAVA_HOME", home.resolve("jdk").toString());
    builder.environment().remove("LAKEHOUSE_JAVA_OPTS");
    builder.environment().remove("LAKEHOUSE_CDS");
    builder.environment().remove("JAVA_TOOL_OPTIONS");
    builder.environment().remove("JDK_JAVA_OPTIONS");
    builder.environment().putAll(env);
    builder.redirectOutput(home.resolve("launcher.out").toFile());
    Process process = builder.start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the launcher returned").isTrue();
    return process.exitValue();
  }

  private String lastJavaArgs() throws IOException {
    List<String> lines = Files.readAllLines(argsLog, StandardCharsets.UTF_8);
    return lines.get(lines.size() - 1);
  }

  private List<Path> leftovers() throws IOException {
    try (var files = Files.list(target)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".tmp")).toList();
    }
  }
}
