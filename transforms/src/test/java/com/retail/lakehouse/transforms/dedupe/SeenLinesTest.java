package com.retail.lakehouse.transforms.dedupe;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SeenLinesTest {
  @Test
  void agreesWithAHashSetOverManyKeysAcrossGrowth() {
    SeenLines seen = new SeenLines();
    Set<String> reference = new HashSet<>();
    Random random = new Random(7);
    for (int i = 0; i < 200_000; i++) {
      String transactionId = "T" + random.nextInt(60_000);
      int line = 1 + random.nextInt(4);
      assertThat(seen.add(transactionId, line))
          .as("key %s#%d", transactionId, line)
          .isEqualTo(reference.add(transactionId + "#" + line));
    }
    assertThat(seen.size()).isEqualTo(reference.size());
  }

  @Test
  void keysWhoseStringHashesCollideStayDistinct() {
    SeenLines seen = new SeenLines();
    // "Aa" and "BB" have the same String.hashCode.
    assertThat(seen.add("Aa", 1)).isTrue();
    assertThat(seen.add("BB", 1)).isTrue();
    assertThat(seen.add("Aa", 2)).isTrue();
    assertThat(seen.add("BB", 1)).isFalse();
    assertThat(seen.add("Aa", 1)).isFalse();
    assertThat(seen.size()).isEqualTo(3);
  }
}
