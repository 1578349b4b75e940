package com.retail.lakehouse.console.tables;

import com.retail.lakehouse.transforms.tables.CatalogSettings;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** STUB until the tables branch lands. */
public final class LakehouseTables {
  public LakehouseTables(CatalogSettings catalog, String bootstrapServersOrNull, String topic) {}

  public List<TableHealth> health() {
    return List.of();
  }

  public Map<String, Long> deadLettersByReason(Instant since) {
    return Map.of();
  }

  public List<PartitionLag> kafkaLag() {
    return List.of();
  }

  public String lagError() {
    return null;
  }

  public RawChanges rawChangesSince(Long afterSnapshotId) {
    return new RawChanges(null, new TreeSet<>());
  }

  public List<DateState> partitionStrip(Map<LocalDate, RunOutcome> runs) {
    return List.of();
  }

  public List<MartCheck> checkMart(Collection<LocalDate> dates) {
    return List.of();
  }

  public Instant lastRawCommit() {
    return null;
  }
}
