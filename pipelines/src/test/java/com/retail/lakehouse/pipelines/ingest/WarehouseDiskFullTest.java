package com.retail.lakehouse.pipelines.ingest;

import static com.retail.lakehouse.pipelines.conformance.RunnerConformance.assertSummaryMatches;
import static com.retail.lakehouse.pipelines.conformance.RunnerConformance.assertTablesHoldExactly;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.retail.lakehouse.generator.GenerateRun;
import com.retail.lakehouse.generator.GeneratorConfig;
import com.retail.lakehouse.generator.Manifest;
import com.retail.lakehouse.generator.ProgressSink;
import com.retail.lakehouse.localkafka.KafkaBrokerExtension;
import com.retail.lakehouse.pipelines.conformance.CommandRun;
import com.retail.lakehouse.pipelines.conformance.LakehouseTables;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.CloseableIterable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ingest into a warehouse on a size-limited tmpfs (the {@code --data-dir}, so the hadoop catalog's
 * tables live there) that fills up while a run writes its data files: the run fails with one line
 * that names the full disk and says what to do, both tables keep exactly their snapshots (none
 * refers to a missing or partial file), and once space is freed the next run lands exactly what was
 * sent. Needs root to mount the tmpfs, and is skipped, saying why, without it.
 */
class WarehouseDiskFullTest {
  @RegisterExtension static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

  @TempDir static Path work;

  /** Room for the first run's tables (about 0.3 MB) and the filler that leaves too little. */
  private static final String TMPFS_SIZE = "8m";

  /** What the filler leaves free: the claims' metadata fit, the second run's data files do not. */
  private static final long LEFT_FREE = 256 * 1024;

  private static Path warehouseDisk;
  private static boolean mounted;

  @BeforeAll
  static void mountASmallTmpfs() throws Exception {
    warehouseDisk = Files.createDirectories(work.resolve("tmpfs"));
    String failure =
        run("mount", "-t", "tmpfs", "-o", "size=" + TMPFS_SIZE, "tmpfs", warehouseDisk.toString());
    mounted = failure == null;
    Assumptions.assumeTrue(
        mounted, "cannot mount a " + TMPFS_SIZE + " tmpfs (needs root): " + failure);
  }

  @AfterAll
  static void unmount() throws Exception {
    if (mounted && run("umount", warehouseDisk.toString()) != null) {
      run("umount", "-l", warehouseDisk.toString()); // busy: detach now, free when unused
    }
  }

  @Test
  void aRunThatFillsTheDiskFailsInOneLineLeavesTheTablesAsTheyWereAndTheNextRunIsExact()
      throws Exception {
    Manifest first = send(51, 5_000, 9);
    CommandRun fits = ingest("first.json");
    assertThat(fits.code()).as(fits.stderr()).isZero();
    LakehouseTables tables = new LakehouseTables(warehouseDisk);
    List<Long> rawSnapshots = snapshotIds(tables.rawTable());
    List<Long> deadLetterSnapshots = snapshotIds(tables.deadLetterTable());

    Manifest second = send(52, 20_000, 3); // about 0.8 MB of Parquet
    Path filler = warehouseDisk.resolve("filler");
    fill(filler, Files.getFileStore(warehouseDisk).getUsableSpace() - LEFT_FREE);
    CommandRun full = ingest("failed.json");

    assertThat(full.code()).isEqualTo(1);
    List<String> lines = full.stderr().lines().filter(l -> l.startsWith("lakehouse")).toList();
    System.err.println("disk-full test: the failed run said: " + lines);
    assertThat(lines)
        .last()
        .asString()
        .startsWith(
            "lakehouse ingest: failed: IOException: no space left on device for hadoop catalog at "
                + warehouseDisk.resolve("warehouse"))
        .contains("free space there and run ingest again");
    assertThat(lines).filteredOn(l -> l.contains("failed")).hasSize(1);
    assertThat(full.stderr().lines())
        .noneMatch(line -> line.startsWith("\tat ") || line.startsWith("Caused by: "));
    assertThat(work.resolve("failed.json")).doesNotExist();
    assertThat(snapshotIds(tables.rawTable())).isEqualTo(rawSnapshots);
    assertThat(snapshotIds(tables.deadLetterTable())).isEqualTo(deadLetterSnapshots);
    assertEveryReferencedFileIsWhole(tables.rawTable());
    assertEveryReferencedFileIsWhole(tables.deadLetterTable());
    assertTablesHoldExactly(tables, first);
    System.err.println(
        "disk-full test: files of the failed run left behind, referenced by no snapshot: "
            + orphans(tables));

    Files.delete(filler);
    CommandRun afterwards = ingest("after.json");
    assertThat(afterwards.code()).as(afterwards.stderr()).isZero();
    assertSummaryMatches(
        new ObjectMapper().readTree(Files.readString(work.resolve("after.json"))), second);
    assertTablesHoldExactly(tables, first, second);
  }

  private static CommandRun ingest(String summary) {
    return CommandRun.of(
        "ingest",
        "--until-caught-up",
        "--bootstrap-servers=" + KAFKA.bootstrapServers(),
        "--data-dir=" + warehouseDisk,
        "--summary-json=" + work.resolve(summary));
  }

  /** Sends {@code count} messages of one simulated day {@code daysAgo} days back. */
  private static Manifest send(long seed, long count, int daysAgo) throws InterruptedException {
    return GenerateRun.run(
        GeneratorConfig.builder()
            .seed(seed)
            .count(count)
            .start(
                LocalDate.now(ZoneOffset.UTC)
                    .minusDays(daysAgo)
                    .atStartOfDay(ZoneOffset.UTC)
                    .toInstant())
            .malformedRate(0.02)
            .duplicateRate(0.02)
            .build(),
        KAFKA.bootstrapServers(),
        ProgressSink.none());
  }

  private static List<Long> snapshotIds(Table table) {
    table.refresh();
    List<Long> ids = new ArrayList<>();
    table.snapshots().forEach(s -> ids.add(s.snapshotId()));
    Snapshot current = table.currentSnapshot();
    ids.add(current == null ? null : current.snapshotId());
    return ids;
  }

  /** Every data file the current snapshot refers to is there, with the size it recorded. */
  private static void assertEveryReferencedFileIsWhole(Table table) throws IOException {
    table.refresh();
    try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
      for (FileScanTask task : tasks) {
        Path file = Path.of(java.net.URI.create(task.file().path().toString()).getPath());
        assertThat(file).exists();
        assertThat(Files.size(file)).as(file.toString()).isEqualTo(task.file().fileSizeInBytes());
      }
    }
  }

  /** Parquet files under the warehouse that no snapshot of either table refers to. */
  private static List<Path> orphans(LakehouseTables tables) throws IOException {
    Set<String> referenced = new HashSet<>();
    for (Table table : List.of(tables.rawTable(), tables.deadLetterTable())) {
      try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
        tasks.forEach(
            t -> referenced.add(java.net.URI.create(t.file().path().toString()).getPath()));
      }
    }
    try (Stream<Path> files = Files.walk(warehouseDisk.resolve("warehouse"))) {
      return files
          .filter(f -> f.getFileName().toString().endsWith(".parquet"))
          .filter(f -> !referenced.contains(f.toString()))
          .toList();
    }
  }

  /** Writes {@code bytes} real bytes (a sparse file would take no room on tmpfs). */
  private static void fill(Path file, long bytes) throws IOException {
    ByteBuffer chunk = ByteBuffer.allocate(1 << 20);
    try (FileChannel out =
        FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      long left = bytes;
      while (left > 0) {
        chunk.clear().limit((int) Math.min(chunk.capacity(), left));
        left -= out.write(chunk);
      }
    }
  }

  /** Runs a command; null when it succeeded, else what it printed and its exit code. */
  private static String run(String... command) throws InterruptedException {
    Process process;
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      return e.getMessage();
    }
    String output;
    try {
      output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      output = e.getMessage();
    }
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      return "timed out";
    }
    return process.exitValue() == 0
        ? null
        : output.strip() + " (exit code " + process.exitValue() + ")";
  }
}
