package com.retail.lakehouse.pipelines.conformance;

import com.retail.lakehouse.transforms.commit.CommittedOffsets;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import com.retail.lakehouse.transforms.tables.DeadLetterTable;
import com.retail.lakehouse.transforms.tables.RawTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;

/** Reads the lakehouse tables back through Iceberg for assertions. */
public final class LakehouseTables {
  private final CatalogSettings catalog;

  public LakehouseTables(Path dataDir) {
    this.catalog =
        CatalogSettings.of(
            CatalogSettings.Kind.HADOOP,
            dataDir.resolve("warehouse").toAbsolutePath().toString(),
            null,
            Map.of());
  }

  public LakehouseTables(CatalogSettings catalog) {
    this.catalog = catalog;
  }

  public List<Record> raw() {
    return read(rawTable());
  }

  public List<Record> deadLetters() {
    return read(deadLetterTable());
  }

  /** Every row of a table (e.g. another contract's raw or dead-letter table). */
  public List<Record> rows(com.retail.lakehouse.transforms.tables.TableDefinition table) {
    return read(catalog.catalog().loadTable(table.identifier()));
  }

  public Table rawTable() {
    return catalog.catalog().loadTable(RawTable.DEFINITION.identifier());
  }

  public Table deadLetterTable() {
    return catalog.catalog().loadTable(DeadLetterTable.DEFINITION.identifier());
  }

  /**
   * How many messages of {@code topic} both tables have consumed: the sum over partitions of the
   * lower of their recorded positions (0 before the tables exist).
   */
  public long consumed(String topic) {
    if (!catalog.catalog().tableExists(RawTable.DEFINITION.identifier())
        || !catalog.catalog().tableExists(DeadLetterTable.DEFINITION.identifier())) {
      return 0;
    }
    CommittedOffsets raw = CommittedOffsets.of(rawTable(), topic);
    CommittedOffsets dead = CommittedOffsets.of(deadLetterTable(), topic);
    long consumed = 0;
    for (int p : raw.nextOffsets().keySet()) {
      consumed += Math.min(raw.next(p), dead.next(p));
    }
    return consumed;
  }

  /** "store_id|yyyy-MM-dd" -> net revenue of the raw rows. */
  public static Map<String, BigDecimal> revenueByStoreDay(List<Record> raw) {
    Map<String, BigDecimal> sums = new TreeMap<>();
    for (Record r : raw) {
      String key =
          r.getField("store_id") + "|" + ((LocalDateTime) r.getField("event_time")).toLocalDate();
      sums.merge(key, (BigDecimal) r.getField("total_amount"), BigDecimal::add);
    }
    return sums;
  }

  private static List<Record> read(Table table) {
    table.refresh();
    List<Record> rows = new ArrayList<>();
    try (CloseableIterable<Record> it = IcebergGenerics.read(table).build()) {
      it.forEach(rows::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return rows;
  }
}
