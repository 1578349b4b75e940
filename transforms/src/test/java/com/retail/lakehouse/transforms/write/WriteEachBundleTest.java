package com.retail.lakehouse.transforms.write;

import static com.retail.lakehouse.transforms.TestEvents.sale;
import static com.retail.lakehouse.transforms.TestEvents.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import com.retail.lakehouse.transforms.IcebergTestTables;
import com.retail.lakehouse.transforms.TestEvents;
import com.retail.lakehouse.transforms.commit.CommitToTable;
import com.retail.lakehouse.transforms.commit.WrittenFiles;
import com.retail.lakehouse.transforms.contract.PosContract;
import com.retail.lakehouse.transforms.dedupe.RecentLineKeys;
import com.retail.lakehouse.transforms.event.PosEventJson;
import com.retail.lakehouse.transforms.metrics.MetricNames;
import com.retail.lakehouse.transforms.source.SourceMessage;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import com.retail.lakehouse.transforms.tables.DeadLetterTable;
import com.retail.lakehouse.transforms.tables.RawTable;
import com.retail.lakehouse.transforms.validate.ParseAndValidate;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The catch-up ingest's path without a shuffle: parse into one collection, write per bundle. */
class WriteEachBundleTest {
  @TempDir Path warehouse;

  private static SourceMessage message(long offset, byte[] value) {
    // sent an hour after the test events' time: event_time is judged against this timestamp
    return new SourceMessage(
        TestEvents.TOPIC,
        0,
        offset,
        TestEvents.EVENT_TIME.plusSeconds(3600).toEpochMilli(),
        utf8("S001"),
        value);
  }

  @Test
  void rowsLandInTheirOwnTablesAndARepeatedLineOnlyOnce() {
    CatalogSettings catalog = IcebergTestTables.hadoopCatalog(warehouse);
    Table raw = RawTable.DEFINITION.createOrLoad(catalog.catalog());
    Table deadLetters = DeadLetterTable.DEFINITION.createOrLoad(catalog.catalog());
    List<SourceMessage> partition =
        List.of(
            message(0, PosEventJson.toJson(sale("T-1", 1))),
            message(1, PosEventJson.toJson(sale("T-1", 2))),
            message(2, PosEventJson.toJson(sale("T-1", 1))), // re-sent
            message(3, utf8("{\"event_id\": ")),
            message(4, PosEventJson.toJson(sale("T-2", 1))));

    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    PCollectionView<Map<Integer, Long>> lastOffsetRead =
        p.apply(
                "LastOffsetRead",
                Create.of(KV.of(0, 4L)).withCoder(KvCoder.of(VarIntCoder.of(), VarLongCoder.of())))
            .apply(View.asMap());
    // One element holds the whole partition, as the Kafka reader emits it: one bundle downstream.
    PCollection<SourceMessage> messages =
        p.apply(
                "OnePartition",
                Create.<List<SourceMessage>>of(partition)
                    .withCoder(ListCoder.of(SourceMessage.Coder.of())))
            .apply(Flatten.iterables())
            .setCoder(SourceMessage.Coder.of());
    PCollection<WrittenFiles> written =
        messages
            .apply(ParseAndValidate.withDefaults().inOneCollection())
            .apply(
                WriteDataFiles.eachBundleOfRoutedRows(catalog, PosContract.INSTANCE)
                    .droppingDuplicateLines(RecentLineKeys.none()));
    written.apply(
        "CommitRaw",
        CommitToTable.of(catalog, RawTable.DEFINITION, TestEvents.TOPIC, "run-1", lastOffsetRead));
    written.apply(
        "CommitDeadLetters",
        CommitToTable.of(
            catalog, DeadLetterTable.DEFINITION, TestEvents.TOPIC, "run-1", lastOffsetRead));
    PipelineResult result = p.run();
    result.waitUntilFinish();

    List<Record> rawRows = IcebergTestTables.readAll(raw);
    assertThat(rawRows)
        .extracting(r -> r.getField("transaction_id") + "#" + r.getField("line_number"))
        .containsExactlyInAnyOrder("T-1#1", "T-1#2", "T-2#1");
    assertThat(rawRows)
        .filteredOn(r -> "T-1".equals(r.getField("transaction_id")))
        .extracting(r -> r.getField("kafka_offset"))
        .containsExactlyInAnyOrder(0L, 1L); // the first copy is the one kept
    List<Record> deadLetterRows = IcebergTestTables.readAll(deadLetters);
    assertThat(deadLetterRows).extracting(r -> r.getField("kafka_offset")).containsExactly(3L);
    assertThat(counter(result, MetricNames.LINES_IN)).isEqualTo(4);
    assertThat(counter(result, MetricNames.LINES_OUT)).isEqualTo(3);
    raw.refresh();
    deadLetters.refresh();
    assertThat(raw.currentSnapshot().summary().get("added-records")).isEqualTo("3");
    assertThat(deadLetters.currentSnapshot().summary().get("added-records")).isEqualTo("1");
  }

  private static long counter(PipelineResult result, String name) {
    long sum = 0;
    for (MetricResult<Long> c :
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.named(MetricNames.NAMESPACE, name))
                    .build())
            .getCounters()) {
      sum += c.getAttempted();
    }
    return sum;
  }
}
