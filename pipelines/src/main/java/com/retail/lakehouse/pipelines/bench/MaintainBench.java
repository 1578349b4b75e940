package com.retail.lakehouse.pipelines.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.retail.lakehouse.common.Folders;
import com.retail.lakehouse.common.UsageException;
import com.retail.lakehouse.generator.GeneratorConfig;
import com.retail.lakehouse.pipelines.maintain.MaintainCommand;
import com.retail.lakehouse.pipelines.options.CatalogFromOptions;
import com.retail.lakehouse.pipelines.run.PipelineArgs;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import com.retail.lakehouse.transforms.tables.RawTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.FileInfo;
import org.apache.iceberg.io.SupportsPrefixOperations;

/**
 * {@code ./lakehouse bench maintain}: a raw table shaped like a streaming ingest's (one small
 * commit per 10 s of simulated traffic, {@code --commits} of them with {@code --rows-per-commit}
 * rows each), then {@code ./lakehouse maintain} on it (compaction, manifests, expiry down to the
 * newest snapshot). Reports data files and metadata size before and after, compaction rows/s, and
 * the time of the two dashboard reads on raw (the recent-rows read and the daily revenue per store,
 * both through Iceberg's generic reader: planning plus scan) before and after.
 */
final class MaintainBench {
  private static final ObjectMapper JSON = new ObjectMapper();

  private MaintainBench() {}

  static int run(BenchCommand.BenchOptions options) throws Exception {
    if (options.getCommits() < 2 || options.getRowsPerCommit() < 1) {
      throw new UsageException("--commits must be at least 2 and --rows-per-commit at least 1");
    }
    String runner = PipelineArgs.classpathRunner();
    Path home = Path.of(options.getDataDir()).resolve("bench").toAbsolutePath();
    Path warehouse =
        home.resolve(
            "warehouse-maintain-" + options.getCommits() + "x" + options.getRowsPerCommit());
    Folders.deleteRecursively(warehouse); // maintenance changes the table: always start afresh
    options.setWarehouse(warehouse.toString());
    CatalogSettings catalog = CatalogFromOptions.settings(options);
    Table raw = RawTable.DEFINITION.createOrLoad(catalog.catalog());

    Instant day =
        LocalDate.now(ZoneOffset.UTC).minusDays(2).atStartOfDay(ZoneOffset.UTC).toInstant();
    Instant opens = day.plusSeconds(10 * 3600);
    System.err.printf(
        "bench: %,d commits of %,d raw rows (one per 10 s of traffic) into %s%n",
        options.getCommits(), options.getRowsPerCommit(), warehouse);
    long t = System.nanoTime();
    long rows = 0;
    for (int c = 0; c < options.getCommits(); c++) {
      rows +=
          RawTableLoader.load(
              raw,
              GeneratorConfig.builder()
                  .seed(1000 + c)
                  .stores(BenchCommand.stores(options, BenchCommand.DEFAULT_STORES))
                  .start(opens.plusSeconds(10L * c))
                  .count(options.getRowsPerCommit() * 2)
                  .build(),
              options.getRowsPerCommit());
      if ((c + 1) % 100 == 0) {
        System.err.printf("bench: %d of %d commits%n", c + 1, options.getCommits());
      }
    }
    System.err.printf("bench: loaded %,d rows in %.1f s%n", rows, (System.nanoTime() - t) / 1e9);

    Map<String, Object> result = new LinkedHashMap<>();
    result.put("benchmark", "maintain");
    result.put("runner", runner);
    result.put("commits", options.getCommits());
    result.put("rows", rows);
    raw.refresh();
    result.put("data_files_before", dataFiles(raw));
    long[] metadata = metadataFiles(raw);
    result.put("metadata_files_before", metadata[0]);
    result.put("metadata_mib_before", mib(metadata[1]));
    result.put("metadata_json_kib_before", currentMetadataKib(raw));
    Instant lastHour = opens.plusSeconds(10L * options.getCommits()).minusSeconds(3600);
    result.put("recent_raw_ms_before", millis(() -> recentRows(raw, lastHour)));
    result.put("daily_revenue_ms_before", millis(() -> dailyRevenue(raw)));

    Path summaryFile = home.resolve("maintain-summary.json");
    List<String> args =
        new ArrayList<>(
            List.of(
                "--compact",
                "--rewrite-manifests",
                "--expire",
                "--min-age=0s",
                "--retain-last=1",
                "--older-than=0s",
                "--data-dir=" + home,
                "--warehouse=" + warehouse,
                "--summary-json=" + summaryFile));
    args.addAll(options.getMaintainArgs());
    int code = MaintainCommand.run(args.toArray(String[]::new));
    if (code != 0) {
      return code;
    }
    JsonNode summary = JSON.readTree(Files.readString(summaryFile));
    raw.refresh();
    result.put("data_files_after", dataFiles(raw));
    metadata = metadataFiles(raw);
    result.put("metadata_files_after", metadata[0]);
    result.put("metadata_mib_after", mib(metadata[1]));
    result.put("metadata_json_kib_after", currentMetadataKib(raw));
    result.put("recent_raw_ms_after", millis(() -> recentRows(raw, lastHour)));
    result.put("daily_revenue_ms_after", millis(() -> dailyRevenue(raw)));
    result.put("compaction_rows", summary.get("compaction_rows").asLong());
    result.put("compaction_seconds", summary.get("compaction_seconds").asDouble());
    result.put("compaction_rows_per_second", summary.get("compaction_rows_per_second").asLong());
    result.put("snapshots_expired", summary.get("snapshots_expired").asLong());
    result.put("maintain_seconds", summary.get("seconds").asDouble());
    result.put("machine", BenchResults.machine());
    return BenchCommand.finish(
        "maintain",
        runner,
        result,
        options,
        List.of(
            "commits",
            "rows",
            "data_files_before",
            "data_files_after",
            "metadata_mib_before",
            "metadata_mib_after",
            "metadata_json_kib_before",
            "metadata_json_kib_after",
            "compaction_rows_per_second",
            "recent_raw_ms_before",
            "recent_raw_ms_after",
            "daily_revenue_ms_before",
            "daily_revenue_ms_after"));
  }

  /** The recent-raw read: the 20 newest lines of the last hour, five columns. */
  private static int recentRows(Table raw, Instant since) {
    List<Record> rows = new ArrayList<>();
    try (CloseableIterable<Record> it =
        IcebergGenerics.read(raw)
            .where(
                Expressions.greaterThan(
                    "event_time", LocalDateTime.ofInstant(since, ZoneOffset.UTC).toString()))
            .select("store_id", "product", "quantity", "total_amount", "event_time")
            .build()) {
      it.forEach(rows::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    rows.sort(
        Comparator.comparing((Record r) -> (LocalDateTime) r.getField("event_time")).reversed());
    return Math.min(20, rows.size());
  }

  /** The daily revenue per store read: net revenue summed per (day, store). */
  private static int dailyRevenue(Table raw) {
    Map<String, BigDecimal> sums = new HashMap<>();
    try (CloseableIterable<Record> it =
        IcebergGenerics.read(raw).select("store_id", "event_time", "total_amount").build()) {
      for (Record r : it) {
        sums.merge(
            ((LocalDateTime) r.getField("event_time")).toLocalDate() + "|" + r.getField("store_id"),
            (BigDecimal) r.getField("total_amount"),
            BigDecimal::add);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return sums.size();
  }

  /** The median of three timed runs after one warm-up run, in ms. */
  private static long millis(java.util.function.IntSupplier read) {
    read.getAsInt();
    long[] ms = new long[3];
    for (int i = 0; i < ms.length; i++) {
      long t = System.nanoTime();
      read.getAsInt();
      ms[i] = (System.nanoTime() - t) / 1_000_000;
    }
    Arrays.sort(ms);
    return ms[1];
  }

  private static long dataFiles(Table raw) {
    return Long.parseLong(raw.currentSnapshot().summary().getOrDefault("total-data-files", "0"));
  }

  /** Files and bytes under the table's metadata folder. */
  private static long[] metadataFiles(Table raw) {
    long[] n = new long[2];
    for (FileInfo f :
        ((SupportsPrefixOperations) raw.io()).listPrefix(raw.location() + "/metadata/")) {
      n[0]++;
      n[1] += f.size();
    }
    return n;
  }

  /**
   * The current metadata.json, which every reader opens first (the folder also keeps the previous
   * versions, write.metadata.previous-versions-max = 100 of them, each as large as it was then).
   */
  private static long currentMetadataKib(Table raw) {
    String location = ((HasTableOperations) raw).operations().current().metadataFileLocation();
    return raw.io().newInputFile(location).getLength() / 1024;
  }

  private static double mib(long bytes) {
    return Math.round(bytes / 1024.0 / 1024.0 * 100) / 100.0;
  }
}
