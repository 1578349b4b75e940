package com.retail.lakehouse.transforms.write;

import static com.retail.lakehouse.transforms.TestEvents.rawRow;
import static com.retail.lakehouse.transforms.TestEvents.sale;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.retail.lakehouse.transforms.tables.RawTable;
import com.retail.lakehouse.transforms.tables.TableRowCoder;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.values.Row;
import org.junit.jupiter.api.Test;

/**
 * The streaming writers' batches travel and wait for their window's end as encoded arrays: every
 * row comes back, in order, and a damaged batch is refused rather than written short.
 */
class EncodedBatchesTest {
  private final TableRowCoder coder = TableRowCoder.of(RawTable.DEFINITION);

  private static List<Row> rows(int n) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      rows.add(rawRow(sale("T-" + i, 1 + i % 3), i % 4, 1_000L + i));
    }
    return rows;
  }

  private List<Row> decoded(byte[] batch) throws IOException {
    List<Row> back = new ArrayList<>();
    WriteDataFiles.decodeEach(batch, coder, back::add);
    return back;
  }

  @Test
  void everyRowOfABatchComesBackInOrder() throws IOException {
    for (int n : new int[] {0, 1, WriteDataFiles.BatchRowsFn.MAX_ROWS}) {
      List<Row> rows = rows(n);
      assertThat(decoded(WriteDataFiles.encode(rows, coder))).isEqualTo(rows);
    }
  }

  @Test
  void aTruncatedOrPaddedBatchIsRefused() {
    byte[] batch = WriteDataFiles.encode(rows(3), coder);
    assertThatThrownBy(() -> decoded(Arrays.copyOf(batch, batch.length - 1)))
        .isInstanceOf(IOException.class);
    assertThatThrownBy(() -> decoded(Arrays.copyOf(batch, batch.length + 1)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("left over");
  }
}
