package com.retail.lakehouse.pipelines.demo;

import com.retail.lakehouse.common.Durations;
import com.retail.lakehouse.common.UsageException;
import com.retail.lakehouse.generator.DailyExpectation;
import com.retail.lakehouse.generator.EventStream;
import com.retail.lakehouse.generator.GenerateRun;
import com.retail.lakehouse.generator.GeneratorConfig;
import com.retail.lakehouse.generator.Manifest;
import com.retail.lakehouse.generator.ProgressSink;
import com.retail.lakehouse.pipelines.ingest.CatchUpIngest;
import com.retail.lakehouse.pipelines.ingest.IngestOptions;
import com.retail.lakehouse.pipelines.ingest.IngestStream;
import com.retail.lakehouse.pipelines.ingest.KafkaPositions;
import com.retail.lakehouse.pipelines.mart.InventoryMartRun;
import com.retail.lakehouse.pipelines.mart.MartOptions;
import com.retail.lakehouse.pipelines.mart.MartRun;
import com.retail.lakehouse.pipelines.options.CatalogFromOptions;
import com.retail.lakehouse.pipelines.run.EmbeddedBroker;
import com.retail.lakehouse.pipelines.run.PipelineArgs;
import com.retail.lakehouse.pipelines.run.RunSummary;
import com.retail.lakehouse.transforms.contract.InventoryContract;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import com.retail.lakehouse.transforms.tables.DailyInventoryTable;
import com.retail.lakehouse.transforms.tables.DailySalesSummaryTable;
import com.retail.lakehouse.transforms.tables.DeadLetterTable;
import com.retail.lakehouse.transforms.tables.InventoryTables;
import com.retail.lakehouse.transforms.tables.RawTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;

/**
 * {@code ./lakehouse demo}: the whole product on embedded defaults, end to end, in a few minutes:
 * simulate several store days of sales and stock movements (with malformed, duplicate and late
 * events) into the local broker, ingest both streams until caught up, build the sales and the
 * inventory mart, run the README's sample queries, and reconcile what landed with what was
 * produced: every message accounted for, the sales mart equal to the generator's revenue per store
 * and day, and the inventory mart's closing stock equal to the generator's per store, SKU and day.
 */
public final class DemoCommand {
  /** Options of the demo: how much to simulate, plus every ingest option. */
  public interface DemoOptions extends IngestOptions {
    // No @Default: `bench` has a --days too (35), and Beam refuses one property with two defaults
    // in one JVM; unset means DEFAULT_DAYS.
    @Description("Simulated store days, default 3 (20 stores make ~30,000 sale lines a day).")
    Integer getDays();

    void setDays(Integer value);

    @Description("Seed of the simulation.")
    @Default.Long(42)
    long getSeed();

    void setSeed(long value);

    @Description(
        "Start over: delete the demo's topic and tables in --data-dir first (without it, a data"
            + " folder that already holds them is refused).")
    @Default.Boolean(false)
    boolean getFresh();

    void setFresh(boolean value);

    @Description(
        "Run the sample queries of sql/queries through ./lakehouse sql (step 4); false skips them.")
    @Default.Boolean(true)
    boolean getSampleQueries();

    void setSampleQueries(boolean value);
  }

  private static final int DEFAULT_DAYS = 3;

  private static final List<String> SALES_QUERIES =
      List.of("daily_revenue_by_store.sql", "recent_raw_events.sql");
  private static final List<String> STOCK_QUERIES =
      List.of("stockouts_by_store.sql", "low_cover_top_sellers.sql");

  private static final String SUMMARY =
      "Run the whole product on embedded defaults: generate --days of POS traffic and the stock"
          + " movements that follow it (1% malformed, 1% duplicates, 1% late) into the local"
          + " broker, ingest both streams until caught up, build marts.daily_sales_summary and"
          + " marts.daily_inventory, run the sample queries, and reconcile sales to the cent and"
          + " stock to the unit (--streams=pos: sales only). The topics and tables stay in"
          + " --data-dir, where sql, ingest, mart and serve find them; --fresh starts over.";

  private DemoCommand() {}

  /** Runs the demo; exit code 0 only when nothing was lost and the marts match the generator. */
  public static int run(String[] args) throws Exception {
    if (PipelineArgs.wantsHelp(args)) {
      PipelineArgs.printHelp(System.out, "demo", SUMMARY, DemoOptions.class);
      return 0;
    }
    DemoOptions options = PipelineArgs.parse("demo", args, DemoOptions.class);
    if (options.getDays() == null) {
      options.setDays(DEFAULT_DAYS);
    }
    if (options.getDays() < 1) {
      throw new UsageException("--days must be at least 1, got " + options.getDays());
    }
    String runner = PipelineArgs.classpathRunner();
    Path dataDir = Path.of(options.getDataDir()).toAbsolutePath().normalize();
    Path demoDir = dataDir.resolve("demo"); // the demo's own outputs: manifest, summaries
    options.setUntilCaughtUp(true);
    List<IngestStream> streams = IngestStream.of(options);
    boolean stock = streams.stream().anyMatch(s -> s.contract() == InventoryContract.INSTANCE);
    if (streams.stream().noneMatch(s -> s.name().equals("pos"))) {
      throw new UsageException(
          "--streams=" + options.getStreams() + ": the demo needs pos (stock follows the sales)");
    }
    CatalogSettings catalog = CatalogFromOptions.settings(options);
    long t0 = System.nanoTime();
    try (EmbeddedBroker kafka =
        EmbeddedBroker.resolve(options.getBootstrapServers(), dataDir.toString())) {
      startFrom(options, streams, kafka.bootstrapServers(), catalog, dataDir);
      Files.createDirectories(demoDir);
      step(
          1,
          "generate "
              + options.getDays()
              + " days of POS traffic of 20 stores"
              + (stock ? " and the stock movements that follow it" : "")
              + " into Kafka");
      GenerateRun.Result generated =
          GenerateRun.execute(
              GeneratorConfig.builder()
                  .seed(options.getSeed())
                  // The simulated days end yesterday, so "recent events" queries find some.
                  .start(
                      LocalDate.now(ZoneOffset.UTC)
                          .minusDays(options.getDays())
                          .atStartOfDay(ZoneOffset.UTC)
                          .toInstant())
                  .topic(options.getTopic())
                  .inventoryTopic(options.getInventoryTopic())
                  .streams(
                      stock
                          ? EnumSet.of(EventStream.POS, EventStream.INVENTORY)
                          : EnumSet.of(EventStream.POS))
                  .count(30_000L * options.getDays())
                  .malformedRate(0.01)
                  .duplicateRate(0.01)
                  .lateRate(0.01)
                  .build(),
              kafka.bootstrapServers(),
              ProgressSink.printingTo(System.err),
              Clock.systemUTC());
      Manifest manifest = generated.manifest();
      manifest.write(demoDir.resolve("manifest.json"));
      printSent("POS", manifest.counts());
      if (stock) {
        printSent("stock movement", manifest.inventory().counts());
      }

      step(2, "ingest until caught up on the " + runner + " runner");
      Map<String, RunSummary> ingested = new LinkedHashMap<>();
      String posTopic = options.getTopic();
      try {
        for (IngestStream stream : streams) {
          options.setTopic(stream.topic()); // the run reads its topic from the options
          RunSummary ingest =
              CatchUpIngest.run(options, kafka.bootstrapServers(), catalog, stream.contract());
          ingest.print(System.out);
          ingested.put(stream.name(), ingest);
        }
      } finally {
        options.setTopic(posTopic);
      }

      step(3, "build marts.daily_sales_summary" + (stock ? " and marts.daily_inventory" : ""));
      // The same options seen as the mart's: runner, profile and catalog flags carry over.
      MartOptions martOptions = options.as(MartOptions.class);
      RunSummary mart = MartRun.run(martOptions, catalog);
      mart.print(System.out);
      mart.writeJson(demoDir.resolve("mart-summary.json").toString());
      if (stock) {
        martOptions.setMart("inventory");
        RunSummary inventoryMart = InventoryMartRun.run(martOptions, catalog);
        inventoryMart.print(System.out);
        inventoryMart.writeJson(demoDir.resolve("inventory-mart-summary.json").toString());
      }

      step(4, "the sample queries (./lakehouse sql -f sql/queries/...)");
      if (options.getSampleQueries()) {
        List<String> queries = new ArrayList<>(SALES_QUERIES);
        if (stock) {
          queries.addAll(STOCK_QUERIES);
        }
        for (String query : queries) {
          runSampleQuery(query, dataDir);
        }
      } else {
        System.out.println("  skipped (--sample-queries=false)");
      }

      step(5, "reconcile with the generator's manifest");
      RunSummary summary = reconcile(manifest, ingested.get("pos"), catalog);
      if (stock) {
        reconcileStock(generated, ingested.get("inventory"), catalog, summary);
      }
      summary.put("runner", runner);
      summary.put("seconds", Math.round((System.nanoTime() - t0) / 1e8) / 10.0);
      summary.print(System.out);
      summary.writeJson(options.getSummaryJson());
      printNextSteps(dataDir);
      boolean reconciled =
          zero(summary, "lost")
              && zero(summary, "mart_mismatches")
              && (!stock
                  || (zero(summary, "inventory_lost") && zero(summary, "inventory_mismatches")));
      return reconciled ? 0 : 1;
    }
  }

  private static boolean zero(RunSummary summary, String key) {
    return ((Number) summary.get(key)).longValue() == 0;
  }

  private static void printSent(String what, Manifest.Counts counts) {
    System.out.printf(
        "  sent %,d %s messages: %,d valid (%,d late), %,d malformed, %,d duplicates%n",
        counts.sent(),
        what,
        counts.valid(),
        counts.late(),
        counts.malformed(),
        counts.duplicates());
  }

  /** Compares raw, DLQ and mart with the manifest; the reconciliation line is printed here. */
  static RunSummary reconcile(Manifest manifest, RunSummary ingest, CatalogSettings catalog) {
    long rawRows = read(catalog, RawTable.DEFINITION.identifier()).size();
    long deadLetters = read(catalog, DeadLetterTable.DEFINITION.identifier()).size();
    long duplicates = ((Number) ingest.get("duplicates_dropped")).longValue();
    Map<String, BigDecimal> martRevenue = new TreeMap<>();
    for (Record r : read(catalog, DailySalesSummaryTable.DEFINITION.identifier())) {
      String key =
          r.getField(DailySalesSummaryTable.STORE_ID)
              + "|"
              + r.getField(DailySalesSummaryTable.SALE_DATE);
      martRevenue.merge(
          key, (BigDecimal) r.getField(DailySalesSummaryTable.TOTAL_SALES), BigDecimal::add);
    }
    int mismatches = 0;
    for (DailyExpectation day : manifest.expectedDaily()) {
      BigDecimal got = martRevenue.remove(day.storeId() + "|" + day.saleDate());
      if (got == null || got.compareTo(day.netRevenue()) != 0) {
        mismatches++;
      }
    }
    mismatches += martRevenue.size(); // store-days in the mart the generator never produced
    long produced = manifest.counts().sent();
    long lost = manifest.counts().valid() - rawRows;
    System.out.printf(
        "%nreconciliation: produced %,d = raw %,d + dead letters %,d + duplicates dropped %,d%s"
            + " | lost %,d | mart store-days matching the generator's revenue to the cent: %,d of %,d,"
            + " mismatches %,d%n",
        produced,
        rawRows,
        deadLetters,
        duplicates,
        produced == rawRows + deadLetters + duplicates ? "" : " (DOES NOT ADD UP)",
        lost,
        manifest.expectedDaily().size() - Math.min(mismatches, manifest.expectedDaily().size()),
        manifest.expectedDaily().size(),
        mismatches);
    RunSummary summary = new RunSummary("demo summary");
    summary.put("produced", produced);
    summary.put("raw_rows", rawRows);
    summary.put("dead_letters", deadLetters);
    summary.put("duplicates_dropped", duplicates);
    summary.put("lost", lost);
    summary.put("mart_store_days", manifest.expectedDaily().size());
    summary.put("mart_mismatches", mismatches);
    summary.put("expected_net_revenue", manifest.totalNetRevenue().toPlainString());
    return summary;
  }

  /**
   * The stock side: movements produced = raw + dead letters + duplicates dropped, and the inventory
   * mart's closing stock per store, SKU and day equal to the generator's ({@link StockCheck}); the
   * stock line is printed here and the figures added to {@code summary}.
   */
  static void reconcileStock(
      GenerateRun.Result generated,
      RunSummary ingest,
      CatalogSettings catalog,
      RunSummary summary) {
    Manifest.Counts counts = generated.manifest().inventory().counts();
    long rawRows = read(catalog, InventoryTables.RAW.identifier()).size();
    long deadLetters = read(catalog, InventoryTables.DEAD_LETTERS.identifier()).size();
    long duplicates = ((Number) ingest.get("duplicates_dropped")).longValue();
    StockCheck check =
        StockCheck.of(
            generated.closingStock(), read(catalog, DailyInventoryTable.DEFINITION.identifier()));
    long lost = counts.valid() - rawRows;
    System.out.printf(
        "stock: produced %,d = raw %,d + dead letters %,d + duplicates dropped %,d%s | lost %,d"
            + " | store-SKU-days whose closing stock equals the generator's: %,d of %,d,"
            + " mismatches %,d%n",
        counts.sent(),
        rawRows,
        deadLetters,
        duplicates,
        counts.sent() == rawRows + deadLetters + duplicates ? "" : " (DOES NOT ADD UP)",
        lost,
        check.compared() - Math.min(check.mismatches(), check.compared()),
        check.compared(),
        check.mismatches());
    check.examples().forEach(e -> System.out.println("  stock mismatch: " + e));
    summary.put("inventory_produced", counts.sent());
    summary.put("inventory_raw_rows", rawRows);
    summary.put("inventory_dead_letters", deadLetters);
    summary.put("inventory_duplicates_dropped", duplicates);
    summary.put("inventory_lost", lost);
    summary.put("inventory_store_sku_days", check.compared());
    summary.put("inventory_mismatches", check.mismatches());
  }

  private static List<Record> read(
      CatalogSettings catalog, org.apache.iceberg.catalog.TableIdentifier id) {
    Table table = catalog.catalog().loadTable(id);
    table.refresh();
    List<Record> rows = new ArrayList<>();
    try (CloseableIterable<Record> it = IcebergGenerics.read(table).build()) {
      it.forEach(rows::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return rows;
  }

  /** Runs one sample query file through the sql launcher (embedded Spark SQL), output inline. */
  private static void runSampleQuery(String file, Path dataDir) throws Exception {
    Path home = PipelineArgs.home();
    Path query = home.resolve("sql").resolve("queries").resolve(file);
    System.out.println("-- " + home.relativize(query) + ":");
    System.out.println(Files.readString(query).strip());
    Process sql =
        new ProcessBuilder(
                home.resolve("lakehouse").toString(),
                "sql",
                "-f",
                query.toString(),
                "--data-dir=" + dataDir)
            .inheritIO()
            .start();
    int code = sql.waitFor();
    if (code != 0) {
      System.out.println("  (the sql command exited with " + code + "; see its message above)");
    }
  }

  /**
   * Where the demo starts: an empty data folder, or (with --fresh) one whose demo topic and tables
   * were just deleted. A folder that already holds them is refused rather than mixed into: the
   * reconciliation compares the tables with this run's manifest.
   */
  private static void startFrom(
      DemoOptions options,
      List<IngestStream> streams,
      String bootstrap,
      CatalogSettings catalog,
      Path dataDir) {
    List<TableIdentifier> tables =
        new ArrayList<>(
            List.of(
                RawTable.DEFINITION.identifier(),
                DeadLetterTable.DEFINITION.identifier(),
                DailySalesSummaryTable.DEFINITION.identifier()));
    List<String> topics = new ArrayList<>();
    for (IngestStream stream : streams) {
      topics.add(stream.topic());
      if (stream.contract() == InventoryContract.INSTANCE) {
        tables.addAll(
            List.of(
                InventoryTables.RAW.identifier(),
                InventoryTables.DEAD_LETTERS.identifier(),
                DailyInventoryTable.DEFINITION.identifier()));
      }
    }
    Duration timeout = Durations.parse("kafka-timeout", options.getKafkaTimeout());
    if (options.getFresh()) {
      System.err.println(
          "lakehouse demo: --fresh: deleting topics "
              + String.join(", ", topics)
              + " and the demo tables in "
              + catalog.describe());
      for (String name : topics) {
        try (KafkaPositions topic = new KafkaPositions(bootstrap, name, timeout)) {
          topic.deleteTopic();
        }
      }
      for (TableIdentifier id : tables) {
        catalog.catalog().dropTable(id, true);
      }
      return;
    }
    boolean used = tables.stream().anyMatch(id -> catalog.catalog().tableExists(id));
    for (String name : topics) {
      try (KafkaPositions topic = new KafkaPositions(bootstrap, name, timeout)) {
        used |= topic.holdsMessages();
      }
    }
    if (used) {
      throw new UsageException(
          dataDir
              + " already holds the topic "
              + String.join(" or ", topics)
              + " or the demo tables (an earlier demo?): add --fresh to start over there, or"
              + " pass another --data-dir");
    }
  }

  /** What a newcomer can try next on the same data folder. */
  private static void printNextSteps(Path dataDir) {
    Path home = PipelineArgs.home();
    String dir = dataDir.equals(home.resolve("lakehouse-data")) ? "" : " --data-dir " + dataDir;
    System.out.printf(
        "%nThe topic and tables stay in %s. Try next:%n"
            + "  ./lakehouse sql%s \"SELECT store_id, sale_date, SUM(total_sales) AS revenue"
            + " FROM marts.daily_sales_summary GROUP BY store_id, sale_date ORDER BY 2, 1 LIMIT 10\"%n"
            + "  ./lakehouse generate%s --count 20000 --late-rate 0.05   # more traffic%n"
            + "  ./lakehouse ingest%s --until-caught-up                  # land it exactly once%n"
            + "  ./lakehouse sql%s -f sql/queries/stockouts_by_store.sql   # today's stockouts%n"
            + "  ./lakehouse mart%s --changed-since-last-run             # rebuild changed days%n"
            + "  ./lakehouse mart%s --mart inventory --changed-since-last-run   # and the stock%n"
            + "  ./lakehouse demo%s --fresh                              # start over%n",
        dataDir, dir, dir, dir, dir, dir, dir, dir);
  }

  private static void step(int n, String what) {
    System.out.printf("%n== demo step %d/5: %s ==%n", n, what);
  }
}
