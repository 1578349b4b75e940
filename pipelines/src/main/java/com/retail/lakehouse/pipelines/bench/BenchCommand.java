package com.retail.lakehouse.pipelines.bench;

import com.retail.lakehouse.common.Durations;
import com.retail.lakehouse.common.UsageException;
import com.retail.lakehouse.generator.GenerateRun;
import com.retail.lakehouse.generator.GeneratorConfig;
import com.retail.lakehouse.generator.Manifest;
import com.retail.lakehouse.generator.PreparedTraffic;
import com.retail.lakehouse.generator.ProgressSink;
import com.retail.lakehouse.pipelines.ingest.CatchUpIngest;
import com.retail.lakehouse.pipelines.ingest.IngestOptions;
import com.retail.lakehouse.pipelines.ingest.StreamingIngest;
import com.retail.lakehouse.pipelines.mart.InventoryMartRun;
import com.retail.lakehouse.pipelines.mart.MartOptions;
import com.retail.lakehouse.pipelines.mart.MartRun;
import com.retail.lakehouse.pipelines.options.CatalogFromOptions;
import com.retail.lakehouse.pipelines.run.EmbeddedBroker;
import com.retail.lakehouse.pipelines.run.PipelineArgs;
import com.retail.lakehouse.pipelines.run.RunSummary;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import com.retail.lakehouse.transforms.tables.RawTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;

/**
 * {@code ./lakehouse bench <ingest|freshness|mart>}: measures the product on this machine and
 * records the figures (JSON per run, a Markdown row per run under bench/results/), with the machine
 * they were measured on. Never asserted in tests: numbers are reported, not guessed.
 */
public final class BenchCommand {
  /** Events pre-loaded for `bench ingest` when --events is not given. */
  static final long DEFAULT_EVENTS = 2_000_000;

  /** Options of the benchmarks (the ingest options apply to the measured ingest). */
  public interface BenchOptions extends IngestOptions {
    // No @Default: `smoke` has an --events too (2,000), and Beam refuses one property with two
    // defaults in one JVM; unset means DEFAULT_EVENTS.
    @Description(
        "ingest: events pre-loaded into Kafka and ingested in one catch-up run (default"
            + " 2,000,000).")
    Long getEvents();

    void setEvents(Long value);

    @Description(
        "ingest/mart: simulated stores (default 200; 20 with mart --mart=inventory); 200 stores"
            + " make ~300k lines per day, so 2M events span ~7 days (a realistic partition count"
            + " and file size).")
    Integer getStores();

    void setStores(Integer value);

    @Description(
        "mart: which mart to measure: sales (load --raw-rows into raw.pos_transactions) or"
            + " inventory (load --days of --stores x --skus movements and the POS lines that drive"
            + " them into raw.inventory_movements and raw.pos_transactions).")
    @Default.String("sales")
    String getMart();

    void setMart(String value);

    // No @Default: `demo` has a --days too (3), and Beam refuses one property with two defaults in
    // one JVM; unset means 35 (InventoryMartBench).
    @Description("mart --mart=inventory: whole UTC days of simulated traffic loaded (default 35).")
    Integer getDays();

    void setDays(Integer value);

    @Description("mart --mart=inventory: SKUs of the simulated catalogue.")
    @Default.Integer(500)
    int getSkus();

    void setSkus(int value);

    @Description(
        "freshness and soak: events per second sent while ingest runs (soak: 10000 unless set).")
    @Default.Integer(20_000)
    int getRate();

    void setRate(int value);

    @Description("freshness: how long to produce, e.g. 2m.")
    @Default.String("2m")
    String getDuration();

    void setDuration(String value);

    @Description(
        "mart: raw rows loaded (straight into Iceberg) before the mart is built for all days.")
    @Default.Long(10_000_000)
    long getRawRows();

    void setRawRows(long value);

    @Description(
        "maintain: commits of the raw table built before maintenance, one per 10 s of simulated"
            + " traffic (720: two hours of a streaming ingest committing every 10 s).")
    @Default.Integer(720)
    int getCommits();

    void setCommits(int value);

    @Description("maintain: raw rows per commit (20,000: 2,000 events/s for 10 s).")
    @Default.Integer(20_000)
    int getRowsPerCommit();

    void setRowsPerCommit(int value);

    @Description(
        "maintain: extra flags for ./lakehouse maintain, comma separated (e.g."
            + " --max-group-bytes=33554432).")
    @Default.InstanceFactory(com.retail.lakehouse.pipelines.options.CatalogOptions.EmptyList.class)
    List<String> getMaintainArgs();

    void setMaintainArgs(List<String> value);

    @Description("Folder for results: a JSON file per run, a Markdown table per benchmark.")
    @Default.String("bench/results")
    String getResultsDir();

    void setResultsDir(String value);
  }

  /** Stores simulated when --stores is not given, except by the inventory mart benchmark. */
  static final int DEFAULT_STORES = 200;

  /** Stores the inventory mart benchmark simulates when --stores is not given. */
  static final int INVENTORY_STORES = 20;

  private static final String SUMMARY =
      "Benchmarks: 'bench ingest' (pre-load --events, one catch-up ingest: events/s, MB/s, files,"
          + " peak heap/RSS), 'bench freshness' (generate --rate for --duration ahead, then send it on"
          + " schedule while ingest runs every --every or as one streaming job: p50/p95/p99 delay"
          + " from send to the first snapshot holding the event, achieved rate, raw snapshots and"
          + " files per minute),"
          + " 'bench mart' (load --raw-rows straight into raw, then build the mart for all days:"
          + " wall time, rows/s, peak heap; with --mart=inventory, --days (35) of --stores (20) x"
          + " --skus (500) movements and POS lines, then the inventory mart for all days: mart"
          + " rows/s, input events/s, wall time, peak heap), 'bench soak' (produce --rate for --duration, default"
          + " 10,000/s for 30m, into ingest every --every or one streaming job; heap, RSS, lag and"
          + " freshness every 10 s; exact reconciliation of the tables against what was sent),"
          + " 'bench maintain' (--commits small commits of --rows-per-commit rows into raw, as a"
          + " streaming ingest makes them, then ./lakehouse maintain: files and metadata size,"
          + " compaction rows/s, raw read times before and after), 'bench console' (the"
          + " console's page and API latency with 10,000 runs in history, and its heap; see"
          + " ./lakehouse bench console --help), 'bench dashboard' (the sales dashboard's API"
          + " latency on 10M raw rows while a streaming ingest runs, and commit -> live view"
          + " freshness; see ./lakehouse bench dashboard --help).";

  private BenchCommand() {}

  /** Runs a benchmark; returns the exit code. */
  public static int run(String[] args) throws Exception {
    if (args.length == 0 || PipelineArgs.wantsHelp(args)) {
      PipelineArgs.printHelp(
          System.out, "bench <ingest|freshness|mart|soak|maintain>", SUMMARY, BenchOptions.class);
      return args.length == 0 ? 2 : 0;
    }
    String kind = args[0];
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    if (kind.equals("soak")) {
      rest = SoakBench.withDefaults(rest);
    }
    BenchOptions options = PipelineArgs.parse("bench", rest, BenchOptions.class);
    if (options.getMode().equals("streaming")) {
      options =
          PipelineArgs.parse("bench", StreamingIngest.withRunnerFlags(rest), BenchOptions.class);
    }
    if (options.getEvents() == null) {
      options.setEvents(DEFAULT_EVENTS);
    }
    return switch (kind) {
      case "ingest" -> ingest(options);
      case "freshness" -> freshness(options);
      case "mart" -> mart(options);
      case "soak" -> SoakBench.run(options);
      case "maintain" -> MaintainBench.run(options);
      default ->
          throw new UsageException(
              "unknown benchmark '"
                  + kind
                  + "': use ingest, freshness, mart, soak or maintain (or console, dashboard)");
    };
  }

  private static int ingest(BenchOptions options) throws Exception {
    String runner = PipelineArgs.classpathRunner();
    Path home = Path.of(options.getDataDir()).resolve("bench").toAbsolutePath();
    try (EmbeddedBroker kafka =
        EmbeddedBroker.resolve(options.getBootstrapServers(), home.toString())) {
      String topic = "bench_ingest_" + options.getEvents() + "_" + stores(options, DEFAULT_STORES);
      Manifest manifest = preload(kafka.bootstrapServers(), topic, options, home);
      options.setTopic(topic);
      options.setWarehouse(
          home.resolve("warehouse-" + runner + "-" + System.currentTimeMillis()).toString());
      options.setUntilCaughtUp(true);
      CatalogSettings catalog = CatalogFromOptions.settings(options);
      System.err.printf("bench: ingesting %,d events on %s%n", options.getEvents(), runner);
      RunSummary run;
      Map<String, Object> result = new LinkedHashMap<>();
      try (MemoryWatch memory = new MemoryWatch()) {
        run = CatchUpIngest.run(options, kafka.bootstrapServers(), catalog);
        result.put("peak_heap_mib", memory.peakHeapBytes() / (1024 * 1024));
        result.put("peak_rss_mib", memory.peakRssBytes() / (1024 * 1024));
      }
      double seconds = ((Number) run.get("seconds")).doubleValue();
      long payload = ((Number) run.get("payload_bytes_read")).longValue();
      long rawFiles = ((Number) run.get("raw_data_files")).longValue();
      long rawBytes = ((Number) run.get("raw_data_bytes")).longValue();
      Map<String, Object> ordered = new LinkedHashMap<>();
      ordered.put("benchmark", "ingest");
      ordered.put("runner", runner);
      ordered.put("events", run.get("read"));
      ordered.put("events_per_second", run.get("events_per_second"));
      ordered.put("mb_per_second", Math.round(payload / 1e6 / seconds * 10) / 10.0);
      ordered.put("seconds", seconds);
      ordered.put("raw_written", run.get("raw_written"));
      ordered.put("dead_letters", run.get("dead_letters"));
      ordered.put("commits", run.get("commits"));
      ordered.put("raw_data_files", rawFiles);
      ordered.put(
          "mean_file_mib",
          rawFiles == 0 ? 0 : Math.round(rawBytes / (double) rawFiles / (1 << 20) * 10) / 10.0);
      ordered.putAll(result);
      ordered.put("expected_valid", manifest.counts().valid());
      ordered.put("machine", BenchResults.machine());
      return finish(
          "ingest",
          runner,
          ordered,
          options,
          List.of(
              "events",
              "events_per_second",
              "mb_per_second",
              "seconds",
              "commits",
              "raw_data_files",
              "mean_file_mib",
              "peak_heap_mib",
              "peak_rss_mib"));
    }
  }

  /**
   * Live traffic at {@code --rate} over {@code --stores} for a duration, the same seed each time.
   */
  static GeneratorConfig pacedTraffic(BenchOptions options, String topic, Duration duration) {
    return GeneratorConfig.builder()
        .seed(42)
        .stores(stores(options, DEFAULT_STORES))
        .topic(topic)
        .rate(options.getRate())
        .duration(duration)
        .build();
  }

  private static int freshness(BenchOptions options) throws Exception {
    String runner = PipelineArgs.classpathRunner();
    Path home = Path.of(options.getDataDir()).resolve("bench").toAbsolutePath();
    Duration duration = Durations.parse("duration", options.getDuration());
    Duration every = Durations.parse("every", options.getEvery());
    try (EmbeddedBroker kafka =
        EmbeddedBroker.resolve(options.getBootstrapServers(), home.toString())) {
      String topic = "bench_fresh_" + System.currentTimeMillis();
      options.setTopic(topic);
      options.setWarehouse(
          home.resolve("warehouse-fresh-" + runner + "-" + System.currentTimeMillis()).toString());
      options.setUntilCaughtUp(true);
      CatalogSettings catalog = CatalogFromOptions.settings(options);
      GeneratorConfig config = pacedTraffic(options, topic, duration);
      // Generated ahead, so the simulation does not share the cores the job is measured on. Its
      // event times start a day back: the job's own warm-up traffic (stamped now) stays apart.
      Instant generatedFrom = Instant.now().minus(Duration.ofDays(1));
      Files.createDirectories(home);
      System.err.printf(
          "bench: generating %,d events ahead (%,d/s for %s)%n",
          Math.round(options.getRate() * (double) duration.toMillis() / 1000),
          options.getRate(),
          duration);
      PreparedTraffic traffic =
          PreparedTraffic.prepare(config, generatedFrom, home.resolve("fresh-traffic.bin"));
      boolean streaming = options.getMode().equals("streaming");
      CompletableFuture<RunSummary> job = null;
      java.util.concurrent.atomic.AtomicBoolean producerDone =
          new java.util.concurrent.atomic.AtomicBoolean();
      if (streaming) {
        job =
            startStreaming(options, kafka.bootstrapServers(), catalog, config, producerDone).job();
      }
      System.err.printf(
          "bench: sending %,d events/s for %s while ingest %s on %s%n",
          options.getRate(),
          duration,
          streaming
              ? "runs as one streaming job committing every " + options.getCommitInterval()
              : "runs every " + every,
          runner);
      CompletableFuture<PreparedTraffic.Sent> sending =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return traffic.send(
                      kafka.bootstrapServers(), ProgressSink.printingTo(System.err));
                } catch (InterruptedException e) {
                  throw new IllegalStateException(e);
                } finally {
                  producerDone.set(true);
                }
              });
      CompletableFuture<Manifest> producing = sending.thenApply(PreparedTraffic.Sent::manifest);
      Thread.sleep(2_000); // let the sender create the topic
      int runs = 0;
      try (MemoryWatch memory = new MemoryWatch()) {
        if (streaming) {
          job.join().print(System.out);
          runs = 1;
        }
        if (!streaming) {
          runs = catchUpUntilSent(options, kafka.bootstrapServers(), catalog, producing, every);
        }
        PreparedTraffic.Sent sent = sending.get();
        Table raw = catalog.catalog().loadTable(RawTable.DEFINITION.identifier());
        Freshness measured = delaysMillis(raw, traffic, duration);
        double seconds = sent.manifest().run().seconds();
        long[] delays = measured.delays();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("benchmark", "freshness");
        r.put("runner", runner);
        r.put("rate", options.getRate());
        r.put("seconds_produced", duration.toSeconds());
        // generated ahead and sent on schedule: the achieved rate falls short of --rate only if
        // the sender (sharing the cores with the job) could not keep up; see sender_behind_max
        r.put("rate_achieved", Math.round(sent.manifest().counts().sent() / seconds));
        r.put("sender_behind_max_seconds", sent.mostBehind().toMillis() / 1000.0);
        r.put("mode", options.getMode());
        r.put(
            "commit_interval_seconds",
            streaming
                ? Durations.parse("commit-interval", options.getCommitInterval()).toSeconds()
                : every.toSeconds());
        r.put("events", sent.manifest().counts().sent());
        r.put("events_measured", delays.length);
        r.put("ingest_runs", runs);
        r.put("p50_seconds", percentile(delays, 0.50));
        r.put("p95_seconds", percentile(delays, 0.95));
        r.put("p99_seconds", percentile(delays, 0.99));
        r.put("max_seconds", delays.length == 0 ? 0 : delays[delays.length - 1] / 1000.0);
        // what the interval costs the table (the maintenance command compacts it)
        r.put("raw_snapshots_per_minute", perMinute(measured.snapshots(), duration));
        r.put("raw_data_files_per_minute", perMinute(measured.dataFiles(), duration));
        r.put("peak_heap_mib", memory.peakHeapBytes() / (1024 * 1024));
        r.put("machine", BenchResults.machine());
        return finish(
            "freshness",
            runner,
            r,
            options,
            List.of(
                "mode",
                "rate",
                "rate_achieved",
                "sender_behind_max_seconds",
                "seconds_produced",
                "commit_interval_seconds",
                "events_measured",
                "ingest_runs",
                "p50_seconds",
                "p95_seconds",
                "p99_seconds",
                "raw_snapshots_per_minute",
                "raw_data_files_per_minute",
                "peak_heap_mib"));
      }
    }
  }

  private static double perMinute(long count, Duration over) {
    return Math.round(count * 600_000.0 / Math.max(1, over.toMillis())) / 10.0;
  }

  /**
   * Runs the catch-up ingest every {@code every} until a run that started after the producer
   * finished has caught up (a run planned before the last messages were sent cannot have read
   * them); returns the number of runs.
   */
  static int catchUpUntilSent(
      BenchOptions options,
      String bootstrap,
      CatalogSettings catalog,
      CompletableFuture<Manifest> producing,
      Duration every)
      throws Exception {
    int runs = 0;
    while (true) {
      boolean sentAll = producing.isDone();
      long started = System.nanoTime();
      RunSummary run = CatchUpIngest.run(options, bootstrap, catalog);
      runs++;
      if (sentAll && ((Number) run.get("lag")).longValue() == 0) {
        return runs;
      }
      long sleep = every.toMillis() - (System.nanoTime() - started) / 1_000_000;
      if (sleep > 0 && !producing.isDone()) {
        Thread.sleep(sleep);
      }
    }
  }

  /**
   * Starts the streaming job on a few seconds of warm-up traffic (which also creates the topic) and
   * returns once it has committed them: a long-running job is measured in its steady state. The job
   * stops when {@code producerDone} is set and it has caught up.
   */
  static Streaming startStreaming(
      BenchOptions options,
      String bootstrap,
      CatalogSettings catalog,
      GeneratorConfig config,
      java.util.concurrent.atomic.AtomicBoolean producerDone)
      throws Exception {
    Manifest warmUp =
        GenerateRun.run(
            config.toBuilder().seed(43).duration(Duration.ofSeconds(3)).build(),
            bootstrap,
            ProgressSink.none());
    options.setUntilCaughtUp(false);
    CompletableFuture<RunSummary> job =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return StreamingIngest.run(options, bootstrap, catalog, producerDone::get, true);
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    Table raw = RawTable.DEFINITION.createOrLoad(catalog.catalog());
    while (sumOfCommittedOffsets(raw, options.getTopic()) < warmUp.counts().sent()) {
      if (job.isDone()) {
        job.join(); // the job failed: show why
      }
      Thread.sleep(500);
    }
    System.err.println("bench: the streaming job is up and has committed the warm-up");
    return new Streaming(job, warmUp);
  }

  /** A streaming job started by {@link #startStreaming}, and the warm-up traffic it committed. */
  record Streaming(CompletableFuture<RunSummary> job, Manifest warmUp) {}

  /** {@code --stores}, or {@code whenUnset} when it was not given; must be positive. */
  static int stores(BenchOptions options, int whenUnset) {
    Integer stores = options.getStores();
    if (stores != null && stores < 1) {
      throw new UsageException("--stores must be at least 1, got " + stores);
    }
    return stores == null ? whenUnset : stores;
  }

  /**
   * Whether {@code --mart} names the inventory mart (the mart command's own check: sales or
   * inventory, anything else a one-line usage error).
   */
  static boolean inventoryMart(BenchOptions options) {
    return InventoryMartRun.isInventory(options.as(MartOptions.class));
  }

  private static int mart(BenchOptions options) throws Exception {
    if (inventoryMart(options)) {
      return InventoryMartBench.run(options);
    }
    String runner = PipelineArgs.classpathRunner();
    Path home = Path.of(options.getDataDir()).resolve("bench").toAbsolutePath();
    int stores = stores(options, DEFAULT_STORES);
    Path warehouse = home.resolve("warehouse-mart-" + options.getRawRows() + "-" + stores);
    options.setWarehouse(warehouse.toString());
    CatalogSettings catalog = CatalogFromOptions.settings(options);
    Table raw = RawTable.DEFINITION.createOrLoad(catalog.catalog());
    raw.refresh();
    long rawRows =
        raw.currentSnapshot() == null
            ? 0
            : Long.parseLong(raw.currentSnapshot().summary().getOrDefault("total-records", "0"));
    if (rawRows < options.getRawRows()) {
      System.err.printf("bench: loading %,d raw rows into %s%n", options.getRawRows(), warehouse);
      long t = System.nanoTime();
      rawRows +=
          RawTableLoader.load(
              raw,
              GeneratorConfig.builder()
                  .seed(42)
                  .stores(stores)
                  .count(options.getRawRows() * 2)
                  .build(),
              options.getRawRows() - rawRows);
      System.err.printf("bench: loaded in %.1f s%n", (System.nanoTime() - t) / 1e9);
    } else {
      System.err.printf("bench: reusing %,d raw rows in %s%n", rawRows, warehouse);
    }
    // The same options seen as the mart's: runner, profile and catalog flags carry over.
    MartOptions martOptions = options.as(MartOptions.class);
    martOptions.setDataDir(home.toString());
    Map<String, Object> r = new LinkedHashMap<>();
    long t0 = System.nanoTime();
    RunSummary martRun;
    try (MemoryWatch memory = new MemoryWatch()) {
      martRun = MartRun.run(martOptions, catalog);
      r.put("peak_heap_mib", memory.peakHeapBytes() / (1024 * 1024));
      r.put("peak_rss_mib", memory.peakRssBytes() / (1024 * 1024));
    }
    double wall = (System.nanoTime() - t0) / 1e9;
    long rawRowsRead = ((Number) martRun.get("raw_rows_read")).longValue();
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("benchmark", "mart");
    result.put("runner", runner);
    result.put("raw_rows", rawRows);
    result.put("raw_rows_read", rawRowsRead);
    result.put("mart_rows_written", martRun.get("mart_rows_written"));
    result.put("dates", ((List<?>) martRun.get("dates")).size());
    result.put("wall_seconds", Math.round(wall * 10) / 10.0);
    result.put("rows_per_second", Math.round(rawRowsRead / wall));
    result.putAll(r);
    result.put("machine", BenchResults.machine());
    return finish(
        "mart",
        runner,
        result,
        options,
        List.of(
            "raw_rows",
            "dates",
            "mart_rows_written",
            "wall_seconds",
            "rows_per_second",
            "peak_heap_mib",
            "peak_rss_mib"));
  }

  /**
   * The delays from send to commit of the prepared traffic's lines, sorted, and the snapshots and
   * data files that committed them.
   */
  record Freshness(long[] delays, long snapshots, long dataFiles) {}

  /**
   * Each raw line of {@code traffic} (event time within its {@code duration}), from its scheduled
   * send time to the commit of the snapshot that added it; warm-up and late lines are left out.
   */
  static Freshness delaysMillis(Table raw, PreparedTraffic traffic, Duration duration)
      throws IOException {
    long from = traffic.generatedFrom().toEpochMilli();
    long to = from + duration.toMillis();
    return delays(raw, e -> e >= from && e < to, traffic::sendTimeOf);
  }

  /**
   * Each raw line of live traffic sent from {@code sentFromMillis} on (its event time is its send
   * time), from its send to the commit of the snapshot that added it, sorted.
   */
  static long[] delaysMillis(Table raw, long sentFromMillis) throws IOException {
    return delays(raw, e -> e >= sentFromMillis, e -> e).delays();
  }

  private static Freshness delays(
      Table raw,
      java.util.function.LongPredicate measured,
      java.util.function.LongUnaryOperator sent)
      throws IOException {
    raw.refresh();
    List<Snapshot> snapshots = new ArrayList<>();
    raw.snapshots().forEach(snapshots::add);
    long[] delays = new long[1 << 16];
    int n = 0;
    long committing = 0;
    long files = 0;
    Long previous = null;
    for (Snapshot s : snapshots) {
      IcebergGenerics.ScanBuilder scan = IcebergGenerics.read(raw).select("event_time");
      scan =
          previous == null
              ? scan.useSnapshot(s.snapshotId())
              : scan.appendsBetween(previous, s.snapshotId());
      int before = n;
      try (CloseableIterable<Record> rows = scan.build()) {
        for (Record r : rows) {
          long eventMillis =
              ((LocalDateTime) r.getField("event_time")).toInstant(ZoneOffset.UTC).toEpochMilli();
          if (!measured.test(eventMillis)) {
            continue; // warm-up traffic, or a late line
          }
          if (n == delays.length) {
            delays = Arrays.copyOf(delays, n * 2);
          }
          delays[n++] = s.timestampMillis() - sent.applyAsLong(eventMillis);
        }
      }
      if (n > before) {
        committing++;
        files += Long.parseLong(s.summary().getOrDefault("added-data-files", "0"));
      }
      previous = s.snapshotId();
    }
    long[] sorted = Arrays.copyOf(delays, n);
    Arrays.sort(sorted);
    return new Freshness(sorted, committing, files);
  }

  static long sumOfCommittedOffsets(Table raw, String topic) {
    return com.retail.lakehouse.transforms.commit.CommittedOffsets.of(raw, topic)
        .nextOffsets()
        .values()
        .stream()
        .mapToLong(Long::longValue)
        .sum();
  }

  static double percentile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return 0;
    }
    int i = (int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1);
    return Math.round(sorted[Math.max(0, i)] / 100.0) / 10.0;
  }

  /** Loads the benchmark topic once per size; later runs (other runners) reuse it. */
  private static Manifest preload(String bootstrap, String topic, BenchOptions options, Path home)
      throws Exception {
    Path manifestFile = home.resolve("manifest-" + topic + ".json");
    if (Files.exists(manifestFile)) {
      System.err.println("bench: reusing pre-loaded topic " + topic);
      return Manifest.read(manifestFile);
    }
    System.err.printf("bench: pre-loading %,d events into %s%n", options.getEvents(), topic);
    Manifest m =
        GenerateRun.run(
            GeneratorConfig.builder()
                .seed(42)
                .stores(stores(options, DEFAULT_STORES))
                .count(options.getEvents())
                .topic(topic)
                .build(),
            bootstrap,
            ProgressSink.printingTo(System.err));
    Files.createDirectories(home);
    m.write(manifestFile);
    return m;
  }

  static int finish(
      String kind,
      String runner,
      Map<String, Object> result,
      BenchOptions options,
      List<String> columns)
      throws IOException {
    RunSummary summary = new RunSummary(kind + " benchmark (" + runner + ")");
    result.forEach(summary::put);
    summary.print(System.out);
    summary.writeJson(options.getSummaryJson());
    Path json = BenchResults.write(Path.of(options.getResultsDir()), kind, runner, result, columns);
    System.out.println("  results: " + json + " and " + json.getParent().resolve(kind + ".md"));
    return 0;
  }
}
