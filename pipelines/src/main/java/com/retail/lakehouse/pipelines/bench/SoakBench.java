package com.retail.lakehouse.pipelines.bench;

import com.retail.lakehouse.common.Durations;
import com.retail.lakehouse.generator.GenerateRun;
import com.retail.lakehouse.generator.GeneratorConfig;
import com.retail.lakehouse.generator.Manifest;
import com.retail.lakehouse.generator.ProgressSink;
import com.retail.lakehouse.pipelines.ingest.KafkaPositions;
import com.retail.lakehouse.pipelines.options.CatalogFromOptions;
import com.retail.lakehouse.pipelines.run.EmbeddedBroker;
import com.retail.lakehouse.pipelines.run.PipelineArgs;
import com.retail.lakehouse.transforms.commit.CommittedOffsets;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import com.retail.lakehouse.transforms.tables.DeadLetterTable;
import com.retail.lakehouse.transforms.tables.RawTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.beam.vendor.guava.v32_1_2_jre.com.google.common.hash.Hashing;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Conversions;
import org.apache.iceberg.types.Types;

/**
 * {@code ./lakehouse bench soak}: live traffic at a fixed rate for a long time into the continuous
 * catch-up ingest ({@code --every}) or one streaming job ({@code --mode=streaming}), sampling every
 * 10 s the JVM's heap (peak and floor within the interval), its resident memory, the lag (messages
 * in Kafka not yet in the raw table's position) and freshness (now minus the newest event_time
 * committed), then reconciling the tables exactly against what was sent: every valid line once in
 * raw, every malformed message in the dead-letter table, nothing lost, nothing twice.
 *
 * <p>Pass criteria (printed, and the exit code is 1 when one fails): the heap peak of the last
 * window within 10% of the first window's after warm-up; the lag of the last window not above 1.5x
 * the first window's (or three intervals' worth of traffic); 0 lost and 0 duplicated. Warm-up is
 * one de-duplication horizon (the key index and the streaming de-dup state grow for one horizon,
 * then stay flat), at least a minute; the soak's default horizon is 5m so that a 30-minute soak
 * shows the flat part.
 */
final class SoakBench {
  private static final long SAMPLE_MS = 10_000;
  private static final Duration WINDOW = Duration.ofMinutes(10);

  private SoakBench() {}

  /** The soak's own defaults for flags the user did not give. */
  static String[] withDefaults(String[] args) {
    List<String> all = new ArrayList<>(Arrays.asList(args));
    defaultFlag(all, "rate", "10000");
    defaultFlag(all, "duration", "30m");
    defaultFlag(all, "every", "10s");
    defaultFlag(all, "dedupe-horizon", "5m");
    return all.toArray(String[]::new);
  }

  private static void defaultFlag(List<String> args, String name, String value) {
    for (String a : args) {
      if (a.equals("--" + name) || a.startsWith("--" + name + "=")) {
        return;
      }
    }
    args.add("--" + name + "=" + value);
  }

  /** One 10-second sample. */
  record Sample(
      long second,
      long heapPeakMib,
      long heapFloorMib,
      long rssMib,
      long lag,
      double freshnessSeconds,
      long rawRows) {}

  static int run(BenchCommand.BenchOptions options) throws Exception {
    String runner = PipelineArgs.classpathRunner();
    boolean streaming = options.getMode().equals("streaming");
    Path home = Path.of(options.getDataDir()).resolve("bench").toAbsolutePath();
    Duration duration = Durations.parse("duration", options.getDuration());
    Duration every = Durations.parse("every", options.getEvery());
    Duration horizon = Durations.parse("dedupe-horizon", options.getDedupeHorizon());
    long stamp = System.currentTimeMillis();
    try (EmbeddedBroker kafka =
        EmbeddedBroker.resolve(options.getBootstrapServers(), home.toString())) {
      String topic = "bench_soak_" + stamp;
      options.setTopic(topic);
      options.setWarehouse(home.resolve("warehouse-soak-" + runner + "-" + stamp).toString());
      options.setUntilCaughtUp(true);
      CatalogSettings catalog = CatalogFromOptions.settings(options);
      GeneratorConfig config = BenchCommand.pacedTraffic(options, topic, duration);
      AtomicBoolean producerDone = new AtomicBoolean();
      BenchCommand.Streaming job =
          streaming
              ? BenchCommand.startStreaming(
                  options, kafka.bootstrapServers(), catalog, config, producerDone)
              : null;
      System.err.printf(
          "bench: soak: producing %,d events/s for %s while ingest %s on %s (de-dup horizon %s);"
              + " a sample every 10 s%n",
          options.getRate(),
          duration,
          streaming
              ? "runs as one streaming job committing every " + options.getCommitInterval()
              : "runs every " + every,
          runner,
          horizon);
      long measuredFrom = System.currentTimeMillis();
      CompletableFuture<Manifest> producing =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return GenerateRun.run(config, kafka.bootstrapServers(), ProgressSink.none());
                } catch (InterruptedException e) {
                  throw new IllegalStateException(e);
                } finally {
                  producerDone.set(true);
                }
              });
      Thread.sleep(2_000); // let the generator create the topic
      Table raw = RawTable.DEFINITION.createOrLoad(catalog.catalog());
      int runs = 0;
      try (Sampler sampler = new Sampler(kafka.bootstrapServers(), topic, raw)) {
        if (streaming) {
          job.job().join();
          runs = 1;
        } else {
          runs =
              BenchCommand.catchUpUntilSent(
                  options, kafka.bootstrapServers(), catalog, producing, every);
        }
        sampler.close();
        Manifest sent = producing.get();
        Manifest warmUp = streaming ? job.warmUp() : null;
        return report(
            options,
            runner,
            streaming,
            duration,
            horizon,
            catalog,
            raw,
            sent,
            warmUp,
            sampler.samples(),
            runs,
            measuredFrom,
            stamp);
      }
    }
  }

  private static int report(
      BenchCommand.BenchOptions options,
      String runner,
      boolean streaming,
      Duration duration,
      Duration horizon,
      CatalogSettings catalog,
      Table raw,
      Manifest sent,
      Manifest warmUp,
      List<Sample> samples,
      int runs,
      long measuredFrom,
      long stamp)
      throws IOException {
    System.err.println("bench: soak: reconciling the tables with what was sent");
    long expectedSent = sent.counts().sent() + (warmUp == null ? 0 : warmUp.counts().sent());
    long expectedValid = sent.counts().valid() + (warmUp == null ? 0 : warmUp.counts().valid());
    long expectedMalformed =
        sent.counts().malformed() + (warmUp == null ? 0 : warmUp.counts().malformed());
    raw.refresh();
    Table dlq = catalog.catalog().loadTable(DeadLetterTable.DEFINITION.identifier());
    long rawRows = totalRecords(raw);
    long deadLetters = totalRecords(dlq);
    long distinctLines = distinctLines(raw);
    long duplicated = rawRows - distinctLines;
    long lost = Math.max(0, expectedValid - distinctLines);
    long extra = Math.max(0, distinctLines - expectedValid);

    long warmUpSeconds =
        Math.min(Math.max(horizon.toSeconds(), 60), Math.max(duration.toSeconds() / 3, 1));
    long window =
        Math.min(WINDOW.toSeconds(), Math.max((duration.toSeconds() - warmUpSeconds) / 2, 10));
    List<Sample> first = between(samples, warmUpSeconds, warmUpSeconds + window);
    List<Sample> last = between(samples, duration.toSeconds() - window, duration.toSeconds());
    long firstHeap = max(first, Sample::heapPeakMib);
    long lastHeap = max(last, Sample::heapPeakMib);
    long firstFloor = max(first, Sample::heapFloorMib);
    long lastFloor = max(last, Sample::heapFloorMib);
    long firstLag = max(first, Sample::lag);
    long lastLag = max(last, Sample::lag);
    long intervalSeconds =
        streaming
            ? Durations.parse("commit-interval", options.getCommitInterval()).toSeconds()
            : Durations.parse("every", options.getEvery()).toSeconds();
    boolean heapFlat = lastHeap <= firstHeap * 1.10;
    boolean lagBounded =
        lastLag <= Math.max(firstLag * 1.5, 3.0 * options.getRate() * intervalSeconds);
    boolean exact =
        lost == 0
            && duplicated == 0
            && extra == 0
            && deadLetters == expectedMalformed
            && rawRows + deadLetters <= expectedSent;
    long[] delays = BenchCommand.delaysMillis(raw, measuredFrom);

    Map<String, Object> r = new LinkedHashMap<>();
    r.put("benchmark", "soak");
    r.put("runner", runner);
    r.put("mode", options.getMode());
    r.put("rate", options.getRate());
    r.put("rate_achieved", Math.round((double) sent.counts().sent() / duration.toSeconds()));
    r.put("minutes", duration.toSeconds() / 60.0);
    r.put("interval_seconds", intervalSeconds);
    r.put("dedupe_horizon", horizon.toString().substring(2).toLowerCase());
    r.put("ingest_runs", runs);
    r.put("events_sent", expectedSent);
    r.put("raw_rows", rawRows);
    r.put("dead_letters", deadLetters);
    r.put("duplicates_dropped", expectedSent - rawRows - deadLetters);
    r.put("lost", lost);
    r.put("duplicated", duplicated);
    r.put("unexpected_lines", extra);
    r.put("dead_letters_expected", expectedMalformed);
    r.put("warm_up_seconds", warmUpSeconds);
    r.put("heap_peak_first_mib", firstHeap);
    r.put("heap_peak_last_mib", lastHeap);
    r.put("heap_floor_first_mib", firstFloor);
    r.put("heap_floor_last_mib", lastFloor);
    r.put("rss_max_mib", max(samples, Sample::rssMib));
    r.put("lag_max", max(samples, Sample::lag));
    r.put("lag_max_first", firstLag);
    r.put("lag_max_last", lastLag);
    r.put(
        "freshness_max_seconds",
        samples.stream().mapToDouble(Sample::freshnessSeconds).max().orElse(0));
    r.put("p50_seconds", BenchCommand.percentile(delays, 0.50));
    r.put("p99_seconds", BenchCommand.percentile(delays, 0.99));
    r.put("heap_flat", heapFlat);
    r.put("lag_bounded", lagBounded);
    r.put("exact", exact);
    Path csv =
        writeSamples(Path.of(options.getResultsDir()), runner, options.getMode(), stamp, samples);
    r.put("samples", csv.toString());
    r.put("machine", BenchResults.machine());
    BenchCommand.finish(
        "soak",
        runner,
        r,
        options,
        List.of(
            "mode",
            "rate_achieved",
            "minutes",
            "interval_seconds",
            "dedupe_horizon",
            "events_sent",
            "lost",
            "duplicated",
            "heap_peak_first_mib",
            "heap_peak_last_mib",
            "heap_floor_first_mib",
            "heap_floor_last_mib",
            "rss_max_mib",
            "lag_max",
            "p99_seconds",
            "heap_flat",
            "lag_bounded",
            "exact"));
    if (!(heapFlat && lagBounded && exact)) {
      System.err.printf(
          "bench: soak FAILED:%s%s%s (see %s)%n",
          heapFlat ? "" : " heap grew (" + firstHeap + " -> " + lastHeap + " MiB)",
          lagBounded ? "" : " lag grew (" + firstLag + " -> " + lastLag + ")",
          exact
              ? ""
              : " not exact (lost "
                  + lost
                  + ", duplicated "
                  + duplicated
                  + ", unexpected "
                  + extra
                  + ", dead letters "
                  + deadLetters
                  + " of "
                  + expectedMalformed
                  + ")",
          csv);
      return 1;
    }
    return 0;
  }

  private static List<Sample> between(List<Sample> samples, long fromSecond, long toSecond) {
    return samples.stream().filter(s -> s.second() > fromSecond && s.second() <= toSecond).toList();
  }

  private static long max(List<Sample> samples, java.util.function.ToLongFunction<Sample> f) {
    return samples.stream().mapToLong(f).max().orElse(0);
  }

  private static long totalRecords(Table table) {
    table.refresh();
    Snapshot s = table.currentSnapshot();
    return s == null ? 0 : Long.parseLong(s.summary().getOrDefault("total-records", "0"));
  }

  /** Distinct (transaction_id, line_number) in raw, by 64-bit hash (sorted, counted). */
  private static long distinctLines(Table raw) throws IOException {
    long[] hashes = new long[1 << 20];
    int n = 0;
    try (CloseableIterable<Record> rows =
        IcebergGenerics.read(raw).select("transaction_id", "line_number").build()) {
      for (Record r : rows) {
        if (n == hashes.length) {
          hashes = Arrays.copyOf(hashes, n * 2);
        }
        hashes[n++] =
            Hashing.murmur3_128()
                .newHasher()
                .putString((String) r.getField("transaction_id"), StandardCharsets.UTF_8)
                .putInt((Integer) r.getField("line_number"))
                .hash()
                .asLong();
      }
    }
    Arrays.sort(hashes, 0, n);
    long distinct = 0;
    for (int i = 0; i < n; i++) {
      if (i == 0 || hashes[i] != hashes[i - 1]) {
        distinct++;
      }
    }
    return distinct;
  }

  private static Path writeSamples(
      Path dir, String runner, String mode, long stamp, List<Sample> samples) throws IOException {
    Files.createDirectories(dir);
    Path csv = dir.resolve("soak-" + runner + "-" + mode + "-" + stamp + "-samples.csv");
    StringBuilder b =
        new StringBuilder(
            "second,heap_peak_mib,heap_floor_mib,rss_mib,lag,freshness_seconds,raw_rows\n");
    for (Sample s : samples) {
      b.append(s.second())
          .append(',')
          .append(s.heapPeakMib())
          .append(',')
          .append(s.heapFloorMib())
          .append(',')
          .append(s.rssMib())
          .append(',')
          .append(s.lag())
          .append(',')
          .append(s.freshnessSeconds())
          .append(',')
          .append(s.rawRows())
          .append('\n');
    }
    Files.writeString(csv, b);
    return csv;
  }

  /**
   * Samples heap every 200 ms and, every 10 s, emits the interval's heap peak and floor, the
   * process's RSS, the lag and freshness (printed to stderr as it goes).
   */
  static final class Sampler implements AutoCloseable {
    private final List<Sample> samples = new ArrayList<>();
    private final Thread thread;
    private final KafkaPositions kafka;
    private final String topic;
    private final Table raw;
    private final long started = System.currentTimeMillis();
    private final Types.NestedField eventTime;
    private volatile boolean running = true;
    private Long lastSnapshot;
    private long newestEventMicros = Long.MIN_VALUE;

    Sampler(String bootstrap, String topic, Table raw) {
      this.kafka = new KafkaPositions(bootstrap, topic, Duration.ofMinutes(1));
      this.topic = topic;
      this.raw = raw;
      this.eventTime = raw.schema().findField("event_time");
      thread = new Thread(this::loop, "bench-soak-sampler");
      thread.setDaemon(true);
      thread.start();
    }

    synchronized List<Sample> samples() {
      return new ArrayList<>(samples);
    }

    private void loop() {
      long peak = 0;
      long floor = Long.MAX_VALUE;
      long next = started + SAMPLE_MS;
      while (running) {
        Runtime rt = Runtime.getRuntime();
        long used = rt.totalMemory() - rt.freeMemory();
        peak = Math.max(peak, used);
        floor = Math.min(floor, used);
        long now = System.currentTimeMillis();
        if (now >= next) {
          try {
            Sample s = sample(now, peak, floor);
            synchronized (this) {
              samples.add(s);
            }
            System.err.printf(
                "bench: soak %4ds heap %,d-%,d MiB rss %,d MiB lag %,d freshness %.1f s raw %,d%n",
                s.second(),
                s.heapFloorMib(),
                s.heapPeakMib(),
                s.rssMib(),
                s.lag(),
                s.freshnessSeconds(),
                s.rawRows());
          } catch (RuntimeException e) {
            System.err.println("bench: soak sample failed: " + e);
          }
          peak = 0;
          floor = Long.MAX_VALUE;
          next += SAMPLE_MS;
        }
        try {
          Thread.sleep(200);
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    private Sample sample(long now, long peak, long floor) {
      long end = kafka.latestOffsets().values().stream().mapToLong(Long::longValue).sum();
      raw.refresh();
      long committed =
          CommittedOffsets.of(raw, topic).nextOffsets().values().stream()
              .mapToLong(Long::longValue)
              .sum();
      // newest event_time committed: the upper bounds of the files added since the last sample
      List<Snapshot> added = new ArrayList<>();
      for (Snapshot s = raw.currentSnapshot();
          s != null && !Long.valueOf(s.snapshotId()).equals(lastSnapshot);
          s = s.parentId() == null ? null : raw.snapshot(s.parentId())) {
        added.add(s);
      }
      for (Snapshot s : added) {
        for (DataFile f : s.addedDataFiles(raw.io())) {
          ByteBuffer b = f.upperBounds() == null ? null : f.upperBounds().get(eventTime.fieldId());
          if (b != null) {
            long micros = Conversions.fromByteBuffer(eventTime.type(), b);
            newestEventMicros = Math.max(newestEventMicros, micros);
          }
        }
      }
      if (raw.currentSnapshot() != null) {
        lastSnapshot = raw.currentSnapshot().snapshotId();
      }
      double freshness =
          newestEventMicros == Long.MIN_VALUE ? 0 : (now * 1000 - newestEventMicros) / 1e6;
      long rawRows = totalRecords(raw);
      return new Sample(
          (now - started) / 1000,
          peak >> 20,
          floor == Long.MAX_VALUE ? 0 : floor >> 20,
          MemoryWatch.statusKb("VmRSS:") >> 10,
          Math.max(0, end - committed),
          Math.round(freshness * 10) / 10.0,
          rawRows);
    }

    @Override
    public void close() {
      if (!running) {
        return;
      }
      running = false;
      thread.interrupt();
      try {
        thread.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      try {
        kafka.close();
      } catch (RuntimeException e) {
        throw new UncheckedIOException(new IOException("closing the soak's Kafka client", e));
      }
    }
  }
}
