package com.retail.lakehouse.pipelines.smoke;

import com.retail.lakehouse.common.Folders;
import com.retail.lakehouse.generator.GeneratedMessage;
import com.retail.lakehouse.generator.GeneratorConfig;
import com.retail.lakehouse.generator.Manifest;
import com.retail.lakehouse.generator.ManifestTally;
import com.retail.lakehouse.generator.PosTrafficSimulator;
import com.retail.lakehouse.pipelines.ingest.IngestOptions;
import com.retail.lakehouse.pipelines.ingest.IngestPipeline;
import com.retail.lakehouse.pipelines.run.PipelineArgs;
import com.retail.lakehouse.pipelines.run.PipelineCounters;
import com.retail.lakehouse.pipelines.run.RunSnapshots;
import com.retail.lakehouse.pipelines.run.RunSummary;
import com.retail.lakehouse.transforms.commit.CommittedOffsets;
import com.retail.lakehouse.transforms.contract.PosContract;
import com.retail.lakehouse.transforms.dedupe.RecentLineKeys;
import com.retail.lakehouse.transforms.metrics.MetricNames;
import com.retail.lakehouse.transforms.source.SourceMessage;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import com.retail.lakehouse.transforms.tables.DeadLetterTable;
import com.retail.lakehouse.transforms.tables.RawTable;
import com.retail.lakehouse.transforms.validate.GapRouting;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.iceberg.Table;

/**
 * {@code ./lakehouse smoke}: proves the chosen runner runs the real ingest chain (parse, validate,
 * de-duplicate, write Parquet files, commit with offsets) by feeding it simulated messages from
 * memory into a fresh warehouse, then reconciling the tables with the simulator's manifest.
 */
public final class SmokeCommand {
  /** Options of the smoke run. */
  public interface SmokeOptions extends IngestOptions {
    // No @Default: `bench` has an --events too (2,000,000), and Beam refuses one property with two
    // defaults in one JVM; unset means 2,000.
    @Description("How many simulated messages to push through the pipeline (default 2,000).")
    Long getEvents();

    void setEvents(Long value);
  }

  private SmokeCommand() {}

  /** Runs the smoke pipeline; exit code 0 when the tables reconcile with the manifest. */
  public static int run(String[] args) throws IOException {
    String summaryText =
        "Run the ingest chain on simulated in-memory messages on the chosen runner, into a fresh"
            + " warehouse under <data-dir>/smoke-<runner>, and reconcile with the simulator.";
    if (PipelineArgs.wantsHelp(args)) {
      PipelineArgs.printHelp(System.out, "smoke", summaryText, SmokeOptions.class);
      return 0;
    }
    SmokeOptions options = PipelineArgs.parse("smoke", args, SmokeOptions.class);
    if (options.getEvents() == null) {
      options.setEvents(2_000L);
    }
    String runner = PipelineArgs.classpathRunner();
    Path warehouse = Path.of(options.getDataDir()).resolve("smoke-" + runner).toAbsolutePath();
    Folders.deleteRecursively(warehouse);
    CatalogSettings catalog =
        CatalogSettings.of(CatalogSettings.Kind.HADOOP, warehouse.toString(), null, Map.of());

    GeneratorConfig config =
        GeneratorConfig.builder()
            .seed(11)
            .count(options.getEvents())
            .malformedRate(0.02)
            .duplicateRate(0.02)
            .lateRate(0.02)
            .build();
    PosTrafficSimulator simulator = new PosTrafficSimulator(config);
    ManifestTally tally = new ManifestTally(config, simulator.start());
    List<SourceMessage> messages = new ArrayList<>();
    long offset = 0;
    while (simulator.hasNext()) {
      GeneratedMessage m = simulator.next();
      tally.record(m);
      messages.add(
          new SourceMessage(
              options.getTopic(), 0, offset++, System.currentTimeMillis(), m.key(), m.value()));
    }
    Manifest manifest = tally.toManifest(null);

    Table raw = RawTable.DEFINITION.createOrLoad(catalog.catalog());
    Table deadLetters = DeadLetterTable.DEFINITION.createOrLoad(catalog.catalog());
    String runId = UUID.randomUUID().toString();
    Pipeline pipeline =
        IngestPipeline.buildCatchUp(
            options,
            new IngestPipeline.CatchUpPlan(
                List.of(),
                null,
                catalog,
                PosContract.INSTANCE,
                CommittedOffsets.none(options.getTopic()),
                CommittedOffsets.none(options.getTopic()),
                GapRouting.none(),
                RecentLineKeys.none(),
                runId,
                Map.of()),
            new InMemoryPartition(messages));
    long t0 = System.nanoTime();
    PipelineResult result = pipeline.run();
    result.waitUntilFinish();
    double seconds = (System.nanoTime() - t0) / 1e9;

    long rawRows = RunSnapshots.count(RunSnapshots.onlyOf(raw, runId), "added-records");
    long deadRows = RunSnapshots.count(RunSnapshots.onlyOf(deadLetters, runId), "added-records");
    PipelineCounters counters = PipelineCounters.of(result);
    boolean ok =
        result.getState() == PipelineResult.State.DONE
            && rawRows == manifest.counts().valid()
            && deadRows == manifest.counts().malformed();

    RunSummary summary = new RunSummary("smoke summary (" + runner + ")");
    summary.put("runner", runner);
    summary.put("state", result.getState().toString());
    summary.put("messages", messages.size());
    summary.put("expected_raw_rows", manifest.counts().valid());
    summary.put("raw_rows", rawRows);
    summary.put("expected_dead_letters", manifest.counts().malformed());
    summary.put("dead_letters", deadRows);
    summary.put("duplicates_expected", manifest.counts().duplicates());
    summary.put("read_metric", counters.get(MetricNames.READ));
    summary.put("seconds", Math.round(seconds * 10) / 10.0);
    summary.put("warehouse", warehouse.toString());
    summary.put("result", ok ? "OK" : "MISMATCH");
    summary.print(System.out);
    summary.writeJson(options.getSummaryJson());
    return ok ? 0 : 1;
  }

  /**
   * The generated messages as one Kafka partition: emitted from one element, the way the Kafka
   * reader emits a whole partition, so that one bundle holds every copy of a line (the writer drops
   * duplicates within bundles).
   */
  static final class InMemoryPartition extends PTransform<PBegin, PCollection<SourceMessage>> {
    private final List<SourceMessage> messages;

    InMemoryPartition(List<SourceMessage> messages) {
      this.messages = messages;
    }

    @Override
    public PCollection<SourceMessage> expand(PBegin begin) {
      return begin
          .apply(
              "OnePartition",
              Create.<List<SourceMessage>>of(messages)
                  .withCoder(ListCoder.of(SourceMessage.Coder.of())))
          .apply("Messages", Flatten.iterables())
          .setCoder(SourceMessage.Coder.of());
    }
  }
}
