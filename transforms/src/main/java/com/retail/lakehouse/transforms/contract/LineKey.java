package com.retail.lakehouse.transforms.contract;

import java.io.Serializable;
import org.apache.beam.sdk.values.Row;

/**
 * The de-duplication key of a contract: a string id column plus an int line column (e.g. {@code
 * transaction_id} and {@code line_number}); a contract whose events have no lines names no line
 * column and every key's line is 0.
 */
public record LineKey(String idField, String lineField) implements Serializable {
  public LineKey {
    if (idField == null || idField.isBlank()) {
      throw new IllegalArgumentException("a line key needs an id column");
    }
  }

  /** The id part of a row's key. */
  public String id(Row row) {
    return row.getString(idField);
  }

  /** The line part of a row's key (0 when the contract has no line column). */
  public int line(Row row) {
    return lineField == null ? 0 : row.getInt32(lineField);
  }

  /** The key as one string, for keyed state and shards. */
  public String asString(Row row) {
    return id(row) + "#" + line(row);
  }
}
