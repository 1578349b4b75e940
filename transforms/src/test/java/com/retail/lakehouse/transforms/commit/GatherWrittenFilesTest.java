package com.retail.lakehouse.transforms.commit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GatherWrittenFilesTest {
  private final GatherWrittenFiles gather = new GatherWrittenFiles("raw.pos_transactions");

  private WrittenFiles gathered(WrittenFiles... inputs) {
    ArrayList<WrittenFiles> acc = gather.createAccumulator();
    for (WrittenFiles w : inputs) {
      acc = gather.addInput(acc, w);
    }
    return gather.extractOutput(gather.mergeAccumulators(List.of(acc)));
  }

  private static WrittenFiles bundle(long rows, Integer... partitions) {
    return new WrittenFiles("raw.pos_transactions", List.of(), rows)
        .dedupedOver(Set.of(partitions));
  }

  @Test
  void bundlesOfDisjointPartitionsAreMerged() {
    WrittenFiles all = gathered(bundle(3, 0, 2), bundle(4, 1, 3));

    assertThat(all.rows()).isEqualTo(7);
  }

  @Test
  void aPartitionInTwoDeduplicatingBundlesRefusesTheCommit() {
    assertThatThrownBy(() -> gathered(bundle(3, 0, 2), bundle(4, 2)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("Kafka partition 2 reached two de-duplicating writer bundles");
  }

  @Test
  void filesFromWritersThatDoNotDeduplicateCarryNoPartitions() {
    WrittenFiles a = new WrittenFiles("raw.pos_transactions", List.of(), 1);
    WrittenFiles b = new WrittenFiles("raw.pos_transactions", List.of(), 2);

    assertThat(gathered(a, b).rows()).isEqualTo(3);
  }
}
