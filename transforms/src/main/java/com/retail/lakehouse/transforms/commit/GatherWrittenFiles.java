package com.retail.lakehouse.transforms.commit;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.iceberg.DataFile;

/**
 * Merges every writer's file list of one table into one (an empty one when nothing was written), so
 * a single committer sees all files of a run: used by the ingest and the mart committers.
 */
public final class GatherWrittenFiles
    extends Combine.CombineFn<WrittenFiles, ArrayList<WrittenFiles>, WrittenFiles> {
  private final String table;

  public GatherWrittenFiles(String table) {
    this.table = table;
  }

  @Override
  public ArrayList<WrittenFiles> createAccumulator() {
    return new ArrayList<>();
  }

  @Override
  public ArrayList<WrittenFiles> addInput(ArrayList<WrittenFiles> acc, WrittenFiles input) {
    acc.add(input);
    return acc;
  }

  @Override
  public ArrayList<WrittenFiles> mergeAccumulators(Iterable<ArrayList<WrittenFiles>> accs) {
    ArrayList<WrittenFiles> merged = new ArrayList<>();
    accs.forEach(merged::addAll);
    return merged;
  }

  /**
   * The merged list. Fails when two de-duplicating writer bundles held the same Kafka partition:
   * copies of a line in both would not have met, so the run must not commit (a runner that splits a
   * task's data into several bundles cannot run the catch-up ingest's writer).
   */
  @Override
  public WrittenFiles extractOutput(ArrayList<WrittenFiles> acc) {
    List<DataFile> files = new ArrayList<>();
    long rows = 0;
    Set<Integer> deduped = new HashSet<>();
    for (WrittenFiles w : acc) {
      files.addAll(w.files());
      rows += w.rows();
      for (int partition : w.dedupedPartitions()) {
        if (!deduped.add(partition)) {
          throw new IllegalStateException(
              table
                  + ": Kafka partition "
                  + partition
                  + " reached two de-duplicating writer bundles, so copies of a line in both"
                  + " would be kept; nothing is committed. The catch-up ingest needs a runner that"
                  + " hands a task's data to one bundle (the local-direct, local-flink and"
                  + " local-spark profiles do); see README, ingest.");
        }
      }
    }
    return new WrittenFiles(table, files, rows);
  }

  @Override
  public Coder<ArrayList<WrittenFiles>> getAccumulatorCoder(
      CoderRegistry registry, Coder<WrittenFiles> inputCoder) {
    @SuppressWarnings("unchecked")
    Class<ArrayList<WrittenFiles>> type =
        (Class<ArrayList<WrittenFiles>>) (Class<?>) ArrayList.class;
    return SerializableCoder.of(type);
  }
}
