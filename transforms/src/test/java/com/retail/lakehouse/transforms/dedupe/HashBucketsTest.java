package com.retail.lakehouse.transforms.dedupe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The primitive hash set keeps every key it was given through growth, sheds exactly the buckets
 * before the one asked for (across the wrap of its ring of buckets), moves a key only to a later
 * bucket, and refuses the hash that marks an empty slot.
 */
class HashBucketsTest {
  private static long[] randomHashes(int n) {
    SplittableRandom random = new SplittableRandom(42);
    long[] hashes = new long[n];
    for (int i = 0; i < n; i++) {
      long h = random.nextLong();
      hashes[i] = h == 0 ? 1 : h;
    }
    return hashes;
  }

  @Test
  void keepsEveryKeyThroughGrowthAndFindsNoOther() {
    long[] hashes = randomHashes(50_000);
    HashBuckets set = new HashBuckets(16);
    for (int i = 0; i < 40_000; i++) {
      set = set.with(hashes[i], (short) 0);
    }
    assertThat(set.size()).isEqualTo(40_000);
    assertThat(set.capacity()).isGreaterThanOrEqualTo((int) (40_000 / 0.75));
    for (int i = 0; i < 40_000; i++) {
      assertThat(set.contains(hashes[i])).as("key %d", i).isTrue();
    }
    for (int i = 40_000; i < 50_000; i++) {
      assertThat(set.contains(hashes[i])).as("key %d", i).isFalse();
    }
  }

  @Test
  void shedsTheBucketsBeforeTheOneAskedForAcrossTheWrapOfTheRing() {
    long[] hashes = randomHashes(3_000);
    HashBuckets set = HashBuckets.forKeys(0);
    // buckets 65,530 to 65,539 as longs: as shorts they wrap from 65,530 through 65,535 to 0-3
    for (int i = 0; i < hashes.length; i++) {
      set = set.with(hashes[i], (short) (65_530 + i % 10));
    }
    HashBuckets shed = set.withoutBucketsBefore(65_534);
    for (int i = 0; i < hashes.length; i++) {
      assertThat(shed.contains(hashes[i]))
          .as("key of bucket %d", 65_530 + i % 10)
          .isEqualTo(i % 10 >= 4);
    }
    assertThat(shed.size()).isEqualTo(1_800);
    assertThat(shed.withoutBucketsBefore(65_534)).isSameAs(shed);
    // the set it was shed from is untouched: readers holding it still see every key
    assertThat(set.size()).isEqualTo(3_000);
    assertThat(set.contains(hashes[0])).isTrue();
  }

  @Test
  void aKeyHeldMovesOnlyToALaterBucket() {
    HashBuckets set = HashBuckets.forKeys(1);
    set.add(7, (short) 5);
    set.add(7, (short) 3); // an earlier bucket: stays in 5
    assertThat(set.withoutBucketsBefore(5).contains(7)).isTrue();
    set.add(7, (short) 9);
    assertThat(set.withoutBucketsBefore(9).contains(7)).isTrue();
    assertThat(set.withoutBucketsBefore(10).contains(7)).isFalse();
    assertThat(set.size()).isEqualTo(1);
  }

  @Test
  void theHashOfAnEmptySlotIsRefused() {
    HashBuckets set = HashBuckets.forKeys(1);
    assertThatThrownBy(() -> set.add(0, (short) 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("hash 0");
    assertThat(set.size()).isZero();
  }

  @Test
  void aSetWithoutSlotsIsRefused() {
    assertThatThrownBy(() -> new HashBuckets(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least one slot");
  }
}
