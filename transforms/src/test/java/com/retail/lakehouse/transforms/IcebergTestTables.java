package com.retail.lakehouse.transforms;

import com.retail.lakehouse.transforms.commit.CommitResult;
import com.retail.lakehouse.transforms.commit.CommitToTable;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import com.retail.lakehouse.transforms.tables.TableDefinition;
import com.retail.lakehouse.transforms.write.WriteDataFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.Row;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;

/** A Hadoop catalog in a temp dir, and a tiny pipeline that writes and commits rows to a table. */
public final class IcebergTestTables {
  private IcebergTestTables() {}

  public static CatalogSettings hadoopCatalog(Path dir) {
    return CatalogSettings.of(CatalogSettings.Kind.HADOOP, dir.toString(), null, Map.of());
  }

  /**
   * Writes {@code rows} with WriteDataFiles and commits them with CommitToTable, recording {@code
   * lastOffsetRead} (partition -> highest offset read); {@code checkResult} runs on the one result.
   */
  public static void writeAndCommit(
      CatalogSettings catalog,
      TableDefinition definition,
      String runId,
      List<Row> rows,
      Map<Integer, Long> lastOffsetRead,
      SerializableFunction<CommitResult, Void> checkResult) {
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    List<KV<Integer, Long>> offsets = new ArrayList<>();
    lastOffsetRead.forEach((k, v) -> offsets.add(KV.of(k, v)));
    PCollectionView<Map<Integer, Long>> view =
        p.apply(
                "LastOffsetRead",
                Create.of(offsets).withCoder(KvCoder.of(VarIntCoder.of(), VarLongCoder.of())))
            .apply(View.asMap());
    PCollection<Row> input =
        p.apply("Rows", Create.of(rows).withRowSchema(definition.beamSchema()));
    PCollection<CommitResult> results =
        input
            .apply(WriteDataFiles.to(catalog, definition, 2))
            .apply(CommitToTable.of(catalog, definition, TestEvents.TOPIC, runId, view));
    PAssert.thatSingleton(results).satisfies(checkResult);
    p.run().waitUntilFinish();
  }

  public static List<Record> readAll(Table table) {
    table.refresh();
    List<Record> records = new ArrayList<>();
    try (CloseableIterable<Record> it = IcebergGenerics.read(table).build()) {
      it.forEach(records::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return records;
  }
}
