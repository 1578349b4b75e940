package com.retail.lakehouse.pipelines.demo;

import com.retail.lakehouse.common.Durations;
import com.retail.lakehouse.common.UsageException;
import com.retail.lakehouse.generator.DailyExpectation;
import com.retail.lakehouse.generator.GenerateRun;
import com.retail.lakehouse.generator.GeneratorConfig;
import com.retail.lakehouse.generator.Manifest;
import com.retail.lakehouse.generator.ProgressSink;
import com.retail.lakehouse.pipelines.ingest.CatchUpIngest;
import com.retail.lakehouse.pipelines.ingest.IngestOptions;
import com.retail.lakehouse.pipelines.ingest.KafkaPositions;
import com.retail.lakehouse.pipelines.mart.MartOptions;
import com.retail.lakehouse.pipelines.mart.MartRun;
import com.retail.lakehouse.pipelines.options.CatalogFromOptions;
import com.retail.lakehouse.pipelines.run.EmbeddedBroker;
import com.retail.lakehouse.pipelines.run.PipelineArgs;
import com.retail.lakehouse.pipelines.run.RunSummary;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import com.retail.lakehouse.transforms.tables.DailySalesSummaryTable;
import com.retail.lakehouse.transforms.tables.DeadLetterTable;
import com.retail.lakehouse.transforms.tables.RawTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * simulate several store days (with malformed, duplicate and late events) into the local broker,
 * ingest until caught up, build the daily mart, run the README's two sample queries, and reconcile
 * what landed with what was produced.
 */
public final class DemoCommand {
  /** Options of the demo: how much to simulate, plus every ingest option. */
  public interface DemoOptions extends IngestOptions {
    @Description("Simulated store days (20 stores make ~30,000 sale lines a day).")
    @Default.Integer(3)
    int getDays();

    void setDays(int value);

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
  }

  private static final String SUMMARY =
      "Run the whole product on embedded defaults: generate --days of POS traffic (1% malformed,"
          + " 1% duplicates, 1% late) into the local broker, ingest until caught up, build"
          + " marts.daily_sales_summary, run the two sample queries, and reconcile. The topic and"
          + " tables stay in --data-dir, where sql, ingest, mart and serve find them; --fresh starts"
          + " over.";

  private DemoCommand() {}

  /** Runs the demo; exit code 0 only when nothing was lost and the mart matches to the cent. */
  public static int run(String[] args) throws Exception {
    if (PipelineArgs.wantsHelp(args)) {
      PipelineArgs.printHelp(System.out, "demo", SUMMARY, DemoOptions.class);
      return 0;
    }
    DemoOptions options = PipelineArgs.parse("demo", args, DemoOptions.class);
    String runner = PipelineArgs.classpathRunner();
    Path dataDir = Path.of(options.getDataDir()).toAbsolutePath().normalize();
    Path demoDir = dataDir.resolve("demo"); // the demo's own outputs: manifest, summaries
    options.setUntilCaughtUp(true);
    CatalogSettings catalog = CatalogFromOptions.settings(options);
    long t0 = System.nanoTime();
    try (EmbeddedBroker kafka =
        EmbeddedBroker.resolve(options.getBootstrapServers(), dataDir.toString())) {
      startFrom(options, kafka.bootstrapServers(), catalog, dataDir);
      Files.createDirectories(demoDir);
      step(1, "generate " + options.getDays() + " days of POS traffic of 20 stores into Kafka");
      Manifest manifest =
          GenerateRun.run(
              GeneratorConfig.builder()
                  .seed(options.getSeed())
                  // The simulated days end yesterday, so "recent events" queries find some.
                  .start(
                      java.time.LocalDate.now(java.time.ZoneOffset.UTC)
                          .minusDays(options.getDays())
                          .atStartOfDay(java.time.ZoneOffset.UTC)
                          .toInstant())
                  .topic(options.getTopic())
                  .count(30_000L * options.getDays())
                  .malformedRate(0.01)
                  .duplicateRate(0.01)
                  .lateRate(0.01)
                  .build(),
              kafka.bootstrapServers(),
              ProgressSink.printingTo(System.err));
      manifest.write(demoDir.resolve("manifest.json"));
      System.out.printf(
          "  sent %,d messages: %,d valid lines (%,d late), %,d malformed, %,d duplicates%n",
          manifest.counts().sent(),
          manifest.counts().valid(),
          manifest.counts().late(),
          manifest.counts().malformed(),
          manifest.counts().duplicates());

      step(2, "ingest until caught up on the " + runner + " runner");
      RunSummary ingest = CatchUpIngest.run(options, kafka.bootstrapServers(), catalog);
      ingest.print(System.out);

      step(3, "build marts.daily_sales_summary for every sale date");
      // The same options seen as the mart's: runner, profile and catalog flags carry over.
      RunSummary mart = MartRun.run(options.as(MartOptions.class), catalog);
      mart.print(System.out);
      mart.writeJson(demoDir.resolve("mart-summary.json").toString());

      step(4, "the sample queries (./lakehouse sql -f sql/queries/...)");
      for (String query : List.of("daily_revenue_by_store.sql", "recent_raw_events.sql")) {
        runSampleQuery(query, dataDir);
      }

      step(5, "reconcile with the generator's manifest");
      RunSummary summary = reconcile(manifest, ingest, catalog);
      summary.put("runner", runner);
      summary.put("seconds", Math.round((System.nanoTime() - t0) / 1e8) / 10.0);
      summary.print(System.out);
      summary.writeJson(options.getSummaryJson());
      long lost = ((Number) summary.get("lost")).longValue();
      long mismatches = ((Number) summary.get("mart_mismatches")).longValue();
      printNextSteps(dataDir);
      return lost == 0 && mismatches == 0 ? 0 : 1;
    }
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
      DemoOptions options, String bootstrap, CatalogSettings catalog, Path dataDir) {
    List<TableIdentifier> tables =
        List.of(
            RawTable.DEFINITION.identifier(),
            DeadLetterTable.DEFINITION.identifier(),
            DailySalesSummaryTable.DEFINITION.identifier());
    try (KafkaPositions topic =
        new KafkaPositions(
            bootstrap,
            options.getTopic(),
            Durations.parse("kafka-timeout", options.getKafkaTimeout()))) {
      if (options.getFresh()) {
        System.err.println(
            "lakehouse demo: --fresh: deleting topic "
                + options.getTopic()
                + " and the demo tables in "
                + catalog.describe());
        topic.deleteTopic();
        for (TableIdentifier id : tables) {
          catalog.catalog().dropTable(id, true);
        }
        return;
      }
      boolean used =
          topic.holdsMessages()
              || tables.stream().anyMatch(id -> catalog.catalog().tableExists(id));
      if (used) {
        throw new UsageException(
            dataDir
                + " already holds the topic "
                + options.getTopic()
                + " or the demo tables (an earlier demo?): add --fresh to start over there, or"
                + " pass another --data-dir");
      }
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
            + "  ./lakehouse mart%s --changed-since-last-run             # rebuild changed days%n"
            + "  ./lakehouse demo%s --fresh                              # start over%n",
        dataDir, dir, dir, dir, dir, dir);
  }

  private static void step(int n, String what) {
    System.out.printf("%n== demo step %d/5: %s ==%n", n, what);
  }
}
