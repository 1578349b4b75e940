package com.retail.lakehouse.transforms.validate;

import com.retail.lakehouse.transforms.contract.EventContract;
import com.retail.lakehouse.transforms.contract.PosContract;
import com.retail.lakehouse.transforms.tables.TableRowCoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.values.Row;

/**
 * One parsed message on its way to its table: a raw-table row if it passed validation, otherwise a
 * dead-letter row. What {@link ParseAndValidate#inOneCollection} emits, so that valid and rejected
 * messages can travel one path (on Flink's batch mode a collection read by two steps is sent
 * between them over the network instead of handed on in memory).
 */
public record RoutedRow(boolean valid, Row row) {
  /** A raw-table row. */
  public static RoutedRow valid(Row rawRow) {
    return new RoutedRow(true, rawRow);
  }

  /** A dead-letter row. */
  public static RoutedRow deadLetter(Row deadLetterRow) {
    return new RoutedRow(false, deadLetterRow);
  }

  /** Encodes the destination as one byte, then the row with its table's {@link TableRowCoder}. */
  public static final class Coder extends CustomCoder<RoutedRow> {
    private static final Coder POS = new Coder(PosContract.INSTANCE);
    private final TableRowCoder raw;
    private final TableRowCoder deadLetter;

    private Coder(EventContract contract) {
      this.raw = TableRowCoder.of(contract.rawTable());
      this.deadLetter = TableRowCoder.of(contract.deadLetterTable());
    }

    /** The coder of the POS contract's rows. */
    public static Coder of() {
      return POS;
    }

    /** The coder of a contract's rows. */
    public static Coder of(EventContract contract) {
      return contract == PosContract.INSTANCE ? POS : new Coder(contract);
    }

    @Override
    public void encode(RoutedRow value, OutputStream out) throws IOException {
      out.write(value.valid() ? 1 : 0);
      (value.valid() ? raw : deadLetter).encode(value.row(), out);
    }

    @Override
    public RoutedRow decode(InputStream in) throws IOException {
      int destination = in.read();
      if (destination < 0) {
        throw new java.io.EOFException("end of stream before a routed row");
      }
      boolean valid = destination == 1;
      return new RoutedRow(valid, (valid ? raw : deadLetter).decode(in));
    }

    @Override
    public void verifyDeterministic() {}
  }
}
