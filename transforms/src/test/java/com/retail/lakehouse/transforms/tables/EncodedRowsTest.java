package com.retail.lakehouse.transforms.tables;

import static com.retail.lakehouse.transforms.TestEvents.rawRow;
import static com.retail.lakehouse.transforms.TestEvents.sale;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.values.Row;
import org.junit.jupiter.api.Test;

/**
 * The streaming ingest's rows travel and wait for their window's end as encoded batches: every row
 * comes back, in order, batches merge by appending, a row moves between batches undecoded, and a
 * damaged batch is refused rather than written short.
 */
class EncodedRowsTest {
  private final TableRowCoder coder = TableRowCoder.of(RawTable.DEFINITION);

  private static List<Row> rows(int n) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      rows.add(rawRow(sale("T-" + i, 1 + i % 3), i % 4, 1_000L + i));
    }
    return rows;
  }

  private byte[] encoded(List<Row> rows) {
    EncodedRows batch = new EncodedRows(16);
    rows.forEach(row -> batch.add(row, coder));
    return batch.toByteArray();
  }

  @Test
  void everyRowOfABatchComesBackInOrder() throws IOException {
    for (int n : new int[] {0, 1, 2_000}) {
      List<Row> rows = rows(n);
      byte[] batch = encoded(rows);
      assertThat(EncodedRows.decode(batch, coder)).isEqualTo(rows);
      assertThat(EncodedRows.count(batch)).isEqualTo(n);
    }
  }

  @Test
  void batchesMergeByAppendingAndRowsMoveUndecoded() throws IOException {
    List<Row> rows = rows(5);
    EncodedRows merged = new EncodedRows(16);
    merged.addAll(encoded(rows.subList(0, 2)));
    merged.addAll(encoded(rows.subList(2, 5)));
    assertThat(EncodedRows.decode(merged.toByteArray(), coder)).isEqualTo(rows);

    // every other row of a batch, copied by its extent, with a long in front of each
    byte[] batch = encoded(rows);
    EncodedRows picked = new EncodedRows(16);
    List<Long> longs = new ArrayList<>();
    int i = 0;
    for (int pos = 0; pos < batch.length; i++) {
      int length = EncodedRows.rowLength(batch, pos);
      if (i % 2 == 0) {
        picked.writeLong(-7L * i);
        picked.addEncoded(batch, pos, length);
      }
      pos += length;
    }
    byte[] out = picked.toByteArray();
    List<Row> back = new ArrayList<>();
    for (int pos = 0; pos < out.length; ) {
      longs.add(EncodedRows.readLong(out, pos));
      pos += 8;
      int length = EncodedRows.rowLength(out, pos);
      back.add(coder.decode(out, pos, length));
      pos += length;
    }
    assertThat(back).containsExactly(rows.get(0), rows.get(2), rows.get(4));
    assertThat(longs).containsExactly(0L, -14L, -28L);
  }

  @Test
  void aTruncatedOrPaddedBatchIsRefused() {
    byte[] batch = encoded(rows(3));
    assertThatThrownBy(() -> EncodedRows.decode(Arrays.copyOf(batch, batch.length - 1), coder))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("cut short");
    assertThatThrownBy(() -> EncodedRows.decode(Arrays.copyOf(batch, batch.length + 1), coder))
        .isInstanceOf(IOException.class);
    assertThatThrownBy(() -> EncodedRows.readLong(new byte[7], 0))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("cut short");
  }

  @Test
  void aRowLongerThanItsFieldsIsRefused() {
    byte[] one = encoded(rows(1));
    // the row's length prefix (one byte here) says one byte more, and that byte is there
    assertThat(one[0]).isPositive();
    byte[] padded = Arrays.copyOf(one, one.length + 1);
    padded[0]++;
    assertThatThrownBy(() -> EncodedRows.decode(padded, coder))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("left over");
  }
}
