package com.retail.lakehouse.generator.cli;

import com.retail.lakehouse.common.Durations;
import com.retail.lakehouse.generator.DailyExpectation;
import com.retail.lakehouse.generator.EventStream;
import com.retail.lakehouse.generator.GenerateRun;
import com.retail.lakehouse.generator.GeneratorConfig;
import com.retail.lakehouse.generator.InventoryManifest;
import com.retail.lakehouse.generator.Manifest;
import com.retail.lakehouse.localkafka.LocalKafkaBroker;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code generate} command: simulates the POS traffic of the store chain into Kafka and writes
 * a manifest of what it sent, for demos, tests and benchmarks.
 */
@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "Simulates the POS traffic of a store chain and sends it to Kafka, one JSON sale line per"
          + " message keyed by store id, then writes a manifest of what was sent (counts, dead"
          + " letters by reason, expected daily sales per store) to DIR/manifests.",
      "",
      "Stores open 08:00-21:00 UTC; baskets arrive with morning, lunch and evening peaks; an"
          + " average store makes about 1,500 lines a day, the default 20 stores about 30,000.",
      "Output is deterministic for a given seed and flags (except --duration without --start,"
          + " which stamps events with the wall clock: live mode).",
      "",
      "With --streams pos,inventory it also sends the stores' stock movements (opening and"
          + " weekly cycle COUNTs, RECEIPTs after reorders, shrink ADJUSTMENTs, TRANSFER_OUT/IN"
          + " pairs) to --inventory-topic, interleaved in event-time order with the POS traffic"
          + " they follow; the same fault rates apply, and the manifest's \"inventory\" object holds"
          + " their counts and the expected closing stock per store, SKU and day.",
      ""
    },
    footer = {
      "",
      "Exit status: 0 = every message acknowledged, 1 = some sends failed or Kafka unreachable,"
          + " 2 = invalid options."
    })
public class GenerateCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin CommonOptions common = new CommonOptions();

  @Option(
      names = "--bootstrap-servers",
      paramLabel = "HOST:PORT",
      description =
          "Kafka bootstrap servers. Default: start (or attach to) the embedded local broker in"
              + " DIR/kafka and stop it when done.")
  String bootstrapServers;

  @Option(
      names = "--topic",
      defaultValue = GeneratorConfig.DEFAULT_TOPIC,
      description = {"Topic POS sale lines go to.", "Default: ${DEFAULT-VALUE}."})
  String topic;

  @Option(
      names = "--streams",
      paramLabel = "LIST",
      defaultValue = "pos",
      description = {
        "Streams to send, comma-separated: pos (sale lines to --topic) and inventory (stock"
            + " movements to --inventory-topic, keyed by store_id, following the POS sales; needs a"
            + " simulated clock, not live mode). --count counts POS messages only.",
        "Default: ${DEFAULT-VALUE}."
      })
  String streams;

  @Option(
      names = "--inventory-topic",
      defaultValue = GeneratorConfig.DEFAULT_INVENTORY_TOPIC,
      description = {
        "Topic inventory movements go to (created like --topic).",
        "Default: ${DEFAULT-VALUE}."
      })
  String inventoryTopic;

  @Option(
      names = "--inventory-manifest",
      paramLabel = "summary|full",
      defaultValue = "summary",
      description = {
        "How the manifest gives the expected closing stock per store, SKU and day: summary = a"
            + " SHA-256 digest of its CSV form plus totals per store and day; full = also the CSV"
            + " itself (date,store_id,sku,closing_stock) in a file next to the manifest.",
        "Default: ${DEFAULT-VALUE}."
      })
  String inventoryManifest;

  @Option(
      names = "--partitions",
      defaultValue = "4",
      description = {
        "Partitions of the topic if it has to be created.",
        "Default: ${DEFAULT-VALUE}."
      })
  int partitions;

  @Option(
      names = "--stores",
      defaultValue = "20",
      description = {"Number of stores, S001 onwards (1-999).", "Default: ${DEFAULT-VALUE}."})
  int stores;

  @Option(
      names = "--skus",
      defaultValue = "500",
      description = {"Number of products in the catalogue.", "Default: ${DEFAULT-VALUE}."})
  int skus;

  @Option(
      names = "--rate",
      defaultValue = "0",
      paramLabel = "N",
      description = {
        "Messages per second (paced, no busy-spinning); 0 = as fast as possible.",
        "Default: ${DEFAULT-VALUE}."
      })
  double rate;

  @Option(
      names = "--count",
      paramLabel = "N",
      description =
          "Stop after N messages (faults included). Default: "
              + GeneratorConfig.DEFAULT_COUNT
              + " when --duration is not given. Exclusive with --duration.")
  Long count;

  @Option(
      names = "--duration",
      paramLabel = "TIME",
      description =
          "Stop after this much wall-clock time: 500ms, 90s, 5m, 1h, 1d or ISO-8601 (PT2M)."
              + " Without --start this is live mode: event_time = wall clock at send."
              + " Default: none. Exclusive with --count.")
  String duration;

  @Option(
      names = "--start",
      paramLabel = "WHEN",
      description =
          "Start of the simulated clock: an ISO instant (2026-11-25T08:00:00Z) or a date"
              + " (2026-11-25 = 00:00 UTC). Default: with a count, 00:00 UTC enough days before"
              + " today that the events end before now; with --duration, live mode.")
  String start;

  @Option(
      names = "--seed",
      defaultValue = "42",
      description = {
        "Seed of every random choice (catalogue, stores, traffic, faults).",
        "Default: ${DEFAULT-VALUE}."
      })
  long seed;

  @Option(
      names = "--malformed-rate",
      defaultValue = "0",
      paramLabel = "FRACTION",
      description = {
        "Fraction (0-1) of messages that are malformed, cycling through NOT_JSON,"
            + " TRUNCATED_JSON, WRONG_TYPE, MISSING_FIELD, UNKNOWN_EVENT_TYPE, BAD_QUANTITY,"
            + " TOTAL_MISMATCH, EVENT_TIME_TOO_OLD (each a distinct dead-letter reason).",
        "Default: ${DEFAULT-VALUE}."
      })
  double malformedRate;

  @Option(
      names = "--duplicate-rate",
      defaultValue = "0",
      paramLabel = "FRACTION",
      description = {
        "Fraction (0-1) of messages that re-send (same key and bytes) a valid line among the"
            + " last 1000 sent.",
        "Default: ${DEFAULT-VALUE}."
      })
  double duplicateRate;

  @Option(
      names = "--late-rate",
      defaultValue = "0",
      paramLabel = "FRACTION",
      description = {
        "Fraction (0-1) of messages that are valid lines with an event_time 1-48 h before the"
            + " simulated clock (late uploads; they count as valid on their own sale date).",
        "Default: ${DEFAULT-VALUE}."
      })
  double lateRate;

  @Override
  public Integer call() throws Exception {
    GeneratorConfig config = config();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    boolean fullClosingStock = fullClosingStock();
    LocalKafkaBroker broker = null;
    GenerateRun.Result result;
    try {
      String servers = bootstrapServers;
      if (servers == null) {
        err.println("generate: starting the embedded Kafka broker in " + common.getDataDir());
        err.flush();
        broker = LocalKafkaBroker.start(common.getDataDir());
        servers = broker.bootstrapServers();
      }
      result =
          GenerateRun.execute(
              config,
              servers,
              p -> {
                err.println(p.line());
                err.flush();
              },
              Clock.systemUTC());
    } catch (IllegalStateException e) {
      err.println("generate: " + e.getMessage());
      err.flush();
      return 1;
    } finally {
      if (broker != null) {
        broker.close();
      }
    }
    Manifest manifest = result.manifest();
    Path manifestPath =
        Manifest.defaultPath(
            common.getDataDir(), config.seed(), Instant.parse(manifest.run().startedAt()));
    if (fullClosingStock && manifest.inventory() != null) {
      String name = manifestPath.getFileName().toString().replaceFirst("\\.json$", "");
      Path csv = manifestPath.resolveSibling(name + "-closing-stock.csv");
      result.closingStock().writeCsv(csv);
      manifest =
          manifest.withInventory(
              manifest.inventory().withClosingStockCsv(csv.getFileName().toString()));
    }
    manifest.write(manifestPath);
    if (common.getSummaryJson() != null) {
      manifest.write(common.getSummaryJson());
    }
    printSummary(out, manifest, manifestPath);
    return manifest.run().sendErrors() == 0 ? 0 : 1;
  }

  /** The run's configuration, or a {@link ParameterException} naming the bad option. */
  GeneratorConfig config() {
    try {
      return GeneratorConfig.builder()
          .seed(seed)
          .stores(stores)
          .skus(skus)
          .start(start == null ? null : parseStart(start))
          .count(count)
          .duration(duration == null ? null : Durations.parse("duration", duration))
          .rate(rate)
          .malformedRate(malformedRate)
          .duplicateRate(duplicateRate)
          .lateRate(lateRate)
          .topic(topic)
          .partitions(partitions)
          .streams(EventStream.parseList(streams))
          .inventoryTopic(inventoryTopic)
          .build();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
  }

  /** Whether {@code --inventory-manifest full} was asked for. */
  boolean fullClosingStock() {
    return switch (inventoryManifest) {
      case "full" -> true;
      case "summary" -> false;
      default ->
          throw new ParameterException(
              spec.commandLine(),
              "--inventory-manifest must be summary or full, got '" + inventoryManifest + "'");
    };
  }

  /** Parses an ISO instant, offset date-time or date (midnight UTC). */
  static Instant parseStart(String text) {
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException notInstant) {
      try {
        return OffsetDateTime.parse(text).toInstant();
      } catch (DateTimeParseException notOffset) {
        try {
          return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
        } catch (DateTimeParseException notDate) {
          throw new IllegalArgumentException(
              "--start must be an ISO instant (2026-11-25T08:00:00Z) or a date (2026-11-25), got '"
                  + text
                  + "'");
        }
      }
    }
  }

  private static void printSummary(PrintWriter out, Manifest m, Path manifestPath) {
    Manifest.Counts c = m.counts();
    long days = m.expectedDaily().stream().map(DailyExpectation::saleDate).distinct().count();
    String firstDay = m.expectedDaily().isEmpty() ? "-" : m.expectedDaily().get(0).saleDate();
    String lastDay =
        m.expectedDaily().isEmpty()
            ? "-"
            : m.expectedDaily().get(m.expectedDaily().size() - 1).saleDate();
    long storesSeen = m.expectedDaily().stream().map(DailyExpectation::storeId).distinct().count();
    out.printf(
        Locale.US,
        "Sent %,d messages to %s (%s) in %.1f s, %,.0f events/s, %,d send errors.%n",
        c.sent(),
        m.topic(),
        m.run().bootstrapServers(),
        m.run().seconds(),
        m.run().eventsPerSecond(),
        m.run().sendErrors());
    out.printf(
        Locale.US,
        "  valid lines %,d (late %,d), malformed %,d, duplicates %,d%n",
        c.valid(),
        c.late(),
        c.malformed(),
        c.duplicates());
    if (!m.malformedByReason().isEmpty()) {
      out.println(
          "  malformed by reason: "
              + m.malformedByReason().entrySet().stream()
                  .map(e -> e.getKey() + "=" + e.getValue())
                  .collect(Collectors.joining(", ")));
    }
    out.printf(
        Locale.US,
        "  %d stores, %d days covered (%s .. %s), event times %s .. %s%n",
        storesSeen,
        days,
        firstDay,
        lastDay,
        m.firstEventTime(),
        m.lastEventTime());
    out.printf(Locale.US, "  expected net revenue %,.2f %s%n", m.totalNetRevenue(), "USD");
    InventoryManifest inv = m.inventory();
    if (inv != null) {
      Manifest.Counts ic = inv.counts();
      out.printf(
          Locale.US,
          "  inventory: %,d messages to %s: valid movements %,d (late %,d), malformed %,d,"
              + " duplicates %,d%n",
          ic.sent(),
          inv.topic(),
          ic.valid(),
          ic.late(),
          ic.malformed(),
          ic.duplicates());
      InventoryManifest.ClosingStockDigest cs = inv.closingStock();
      out.printf(
          Locale.US,
          "  expected closing stock: %,d rows (%s .. %s), %,d negative, sha256 %s%s%n",
          cs.rows(),
          cs.firstDate(),
          cs.lastDate(),
          cs.negativeRows(),
          cs.sha256(),
          cs.csv() == null ? "" : ", in " + cs.csv());
    }
    if (m.run().firstSendError() != null) {
      out.println("  first send error: " + m.run().firstSendError());
    }
    out.println("  manifest: " + manifestPath);
    out.flush();
  }
}
