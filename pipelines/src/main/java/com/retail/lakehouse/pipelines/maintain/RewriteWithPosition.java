package com.retail.lakehouse.pipelines.maintain;

import com.retail.lakehouse.transforms.commit.CommittedOffsets;
import java.util.Map;
import org.apache.iceberg.BaseOverwriteFiles;
import org.apache.iceberg.DataOperations;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;

/**
 * A compaction commit: Iceberg's file rewrite (a {@code replace} snapshot: files out, files with
 * the same rows in) that also carries the table's ingest Kafka position (and the ingest run's
 * totals recorded with it) forward into its own snapshot summary, so that both stay readable after
 * the older snapshots are expired.
 *
 * <p>Iceberg's {@code table.newRewrite()} cannot do the carrying safely: its summary is fixed
 * before the commit, and when an ingest append lands between our read of the position and the
 * commit, Iceberg retries the rewrite on top of that append, so the rewrite snapshot (now the
 * newest) would record the older position and ingest would read its messages again. Here the
 * position is read in {@link #validate}, which Iceberg calls on every attempt with the very
 * metadata that attempt replaces (as the ingest commit's own fence does, {@code
 * AppendWithPosition}). The rest is what {@code newRewrite()} does: a file that is no longer in the
 * table fails the commit ({@code failMissingDeletePaths}: a concurrent compaction won), and with
 * {@code validateFromSnapshot} + {@code validateNoConflictingDeletes} a row-level delete added to a
 * replaced file since the plan fails it too. Appends made since the plan are kept: Iceberg applies
 * the rewrite on top of them.
 */
final class RewriteWithPosition extends BaseOverwriteFiles {
  RewriteWithPosition(Table table) {
    super(table.name(), ((HasTableOperations) table).operations());
    failMissingDeletePaths();
  }

  @Override
  protected String operation() {
    return DataOperations.REPLACE;
  }

  @Override
  protected void validate(TableMetadata base, Snapshot parent) {
    super.validate(base, parent);
    Map<String, String> carried;
    try {
      carried = CommittedOffsets.toCarryForward(base);
    } catch (CommittedOffsets.PositionUnknownException e) {
      carried = Map.of(); // lost already (foreign maintenance): nothing to carry, ingest says so
    }
    carried.forEach(this::set);
  }
}
