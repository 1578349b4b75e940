package com.retail.lakehouse.pipelines.demo;

import com.retail.lakehouse.generator.ClosingStock;
import com.retail.lakehouse.transforms.tables.DailyInventoryTable;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.iceberg.data.Record;

/**
 * marts.daily_inventory against the generator's expected closing stock, store-SKU-day by
 * store-SKU-day: every (date, store, SKU) the generator tracked must have the mart's {@code
 * closing_units} (a key with no row yet, before its first movement, counts as 0; once it had a row,
 * a missing later row is a mismatch), and the mart must hold exactly one row per key and no row the
 * generator did not track from the generator's first day on. Mart rows before that day are left
 * out: late events dated before the simulated clock's start are days of their own in the mart,
 * while the generator folds them into its first day's level.
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
    Set<String> seen = new HashSet<>(); // store|sku with a mart row on an earlier date
    LocalDate first = expected.firstDate();
    long[] mismatches = {0};
    List<String> examples = new ArrayList<>();
    for (Record r : mart) {
      LocalDate date = (LocalDate) r.getField(DailyInventoryTable.STOCK_DATE);
      String store = (String) r.getField(DailyInventoryTable.STORE_ID);
      String sku = (String) r.getField(DailyInventoryTable.SKU);
      if (first != null && date.isBefore(first)) {
        seen.add(store + "|" + sku); // a late event's own day: the key has a level from then on
      } else if (closing.put(
              key(date, store, sku), (Long) r.getField(DailyInventoryTable.CLOSING_UNITS))
          != null) {
        mismatch(mismatches, examples, key(date, store, sku) + ": more than one mart row");
      }
    }
    expected.forEachRow(
        (date, store, sku, want) -> {
          Long got = closing.remove(key(date, store, sku));
          boolean wrong;
          if (got == null) {
            // no row: 0 before the key's first movement; once it had a row, every later date has
            // one
            wrong = want != 0 || seen.contains(store + "|" + sku);
          } else {
            seen.add(store + "|" + sku);
            wrong = got != want;
          }
          if (wrong) {
            mismatch(
                mismatches,
                examples,
                date + " " + store + " " + sku + ": expected " + want + ", mart " + got);
          }
        });
    for (String untracked : closing.keySet()) { // rows the generator never tracked
      mismatch(mismatches, examples, untracked + ": not in the generator's closing stock");
    }
    return new StockCheck(expected.rows(), mismatches[0], List.copyOf(examples));
  }

  private static void mismatch(long[] mismatches, List<String> examples, String example) {
    mismatches[0]++;
    if (examples.size() < EXAMPLES) {
      examples.add(example);
    }
  }

  private static String key(LocalDate date, String store, String sku) {
    return date + " " + store + " " + sku;
  }
}
