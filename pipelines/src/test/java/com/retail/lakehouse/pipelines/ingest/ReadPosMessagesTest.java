package com.retail.lakehouse.pipelines.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.retail.lakehouse.pipelines.ingest.ReadPosMessages.PartitionRange;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReadPosMessagesTest {
  private static PartitionRange range(int partition, long size) {
    return new PartitionRange("t", partition, 100, 100 + size);
  }

  private static long size(List<PartitionRange> group) {
    return group.stream().mapToLong(r -> r.end() - r.start()).sum();
  }

  @Test
  void partitionsAreDealtIntoBalancedGroupsWithoutSplittingOne() {
    // The benchmark topic's four partitions.
    List<PartitionRange> ranges =
        List.of(range(0, 687_846), range(1, 328_294), range(2, 537_687), range(3, 446_173));

    List<List<PartitionRange>> groups = ReadPosMessages.groups(ranges, 2);

    assertThat(groups).hasSize(2);
    List<PartitionRange> all = new ArrayList<>();
    groups.forEach(all::addAll);
    assertThat(all).containsExactlyInAnyOrderElementsOf(ranges);
    assertThat(groups).allSatisfy(g -> assertThat(size(g)).isBetween(980_000L, 1_020_000L));
  }

  @Test
  void neverMoreGroupsThanPartitionsOrReaders() {
    assertThat(ReadPosMessages.groups(List.of(range(0, 5), range(1, 7)), 8)).hasSize(2);
    assertThat(ReadPosMessages.groups(List.of(range(0, 5), range(1, 7), range(2, 1)), 1))
        .hasSize(1);
    assertThat(ReadPosMessages.groups(List.of(), 2)).isEmpty();
  }
}
