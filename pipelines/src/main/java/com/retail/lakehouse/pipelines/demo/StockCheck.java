package com.retail.lakehouse.pipelines.demo;

import com.retail.lakehouse.generator.ClosingStock;
import com.retail.lakehouse.transforms.tables.DailyInventoryTable;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.data.Record;

/**
 * marts.daily_inventory against the generator's expected closing stock, store-SKU-day by
 * store-SKU-day: every (date, store, SKU) the generator tracked must have the mart's {@code
 * closing_units} (a key with no row yet, before its first movement, counts as 0), and the mart must
 * hold no row the generator did not track from the generator's first day on. Mart rows before that
 * day are left out: late events dated before the simulated clock's start are days of their own in
 * the mart, while the generator folds them into its first day's level.
 *
 * @param compared store-SKU-days the generator expects
 * @param mismatches store-SKU-days whose closing stock differs, plus mart rows the generator never
 *     tracked
 * @param examples up to five mismatches, as {@code date store sku: expected X, mart Y}
 */
record StockCheck(long compared, long mismatches, List<String> examples) {
  private static final int EXAMPLES = 5;

  static StockCheck of(ClosingStock expected, Iterable<Record> mart) {
    Map<String, Long> closing = new HashMap<>();
    LocalDate first = expected.firstDate();
    for (Record r : mart) {
      LocalDate date = (LocalDate) r.getField(DailyInventoryTable.STOCK_DATE);
      if (first != null && !date.isBefore(first)) {
        closing.put(
            key(
                date,
                (String) r.getField(DailyInventoryTable.STORE_ID),
                (String) r.getField(DailyInventoryTable.SKU)),
            (Long) r.getField(DailyInventoryTable.CLOSING_UNITS));
      }
    }
    long[] mismatches = {0};
    List<String> examples = new ArrayList<>();
    expected.forEachRow(
        (date, store, sku, want) -> {
          Long got = closing.remove(key(date, store, sku));
          if ((got == null ? 0L : got) != want) {
            mismatches[0]++;
            if (examples.size() < EXAMPLES) {
              examples.add(date + " " + store + " " + sku + ": expected " + want + ", mart " + got);
            }
          }
        });
    for (String untracked : closing.keySet()) { // rows the generator never tracked
      mismatches[0]++;
      if (examples.size() < EXAMPLES) {
        examples.add(untracked + ": not in the generator's closing stock");
      }
    }
    return new StockCheck(expected.rows(), mismatches[0], List.copyOf(examples));
  }

  private static String key(LocalDate date, String store, String sku) {
    return date + " " + store + " " + sku;
  }
}
