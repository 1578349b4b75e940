package com.retail.lakehouse.transforms.mart;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** A sale date split into slices hands each store to exactly one slice. */
class RawFilePlanTest {
  @Test
  void everyStoreOfASplitDateIsSummarizedByExactlyOneSlice() {
    List<RawFilePlan.DaySlice> slices =
        IntStream.range(0, 3)
            .mapToObj(
                s ->
                    new RawFilePlan.DaySlice(
                        LocalDate.parse("2024-03-01"), List.of("f.parquet"), 900, s, 3))
            .toList();
    for (int store = 0; store < 500; store++) {
      String storeId = String.format("S%03d", store);
      assertThat(slices.stream().filter(s -> s.holdsStore(storeId)).count())
          .as(storeId)
          .isEqualTo(1);
    }
  }
}
