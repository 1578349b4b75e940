package com.retail.lakehouse.pipelines.maintain;

import com.retail.lakehouse.transforms.commit.CrashPoint;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.exceptions.ValidationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits the rewritten groups of each table in one Iceberg commit ({@link RewriteWithPosition}),
 * validated from the snapshot the compaction planned at: rows appended since are kept, and a table
 * whose planned files another compaction replaced first fails with {@link
 * ChangedSincePlanException}, committing nothing (the files this run wrote are deleted). The commit
 * is stamped with the run id, so a runner's retry of this step after the commit landed commits
 * nothing twice.
 */
final class CommitRewrites extends PTransform<PCollection<RewrittenGroup>, PCollection<String>> {
  private static final Logger LOG = LoggerFactory.getLogger(CommitRewrites.class);

  /** Snapshot summary key naming the maintain run that made a compaction commit. */
  static final String RUN_ID_KEY = "lakehouse.maintain-run-id";

  private final CatalogSettings catalog;
  private final String runId;
  private final Map<String, Long> plannedSnapshots;

  /**
   * @param plannedSnapshots per table flag name, the snapshot its compaction was planned from
   */
  CommitRewrites(CatalogSettings catalog, String runId, Map<String, Long> plannedSnapshots) {
    this.catalog = catalog;
    this.runId = runId;
    this.plannedSnapshots = Map.copyOf(plannedSnapshots);
  }

  @Override
  public PCollection<String> expand(PCollection<RewrittenGroup> groups) {
    return groups
        .apply("ByTable", WithKeys.of(RewrittenGroup::table).withKeyType(TypeDescriptors.strings()))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), SerializableCoder.of(RewrittenGroup.class)))
        .apply("GatherGroupsOfEachTable", GroupByKey.create())
        .apply("CommitOneRewritePerTable", ParDo.of(new CommitFn(catalog, runId, plannedSnapshots)))
        .setCoder(StringUtf8Coder.of());
  }

  /** The compaction of a table changed under this run (another compaction won). */
  static final class ChangedSincePlanException extends IllegalStateException {
    /** The start of every message of this failure, to find it in a runner's wrapped exception. */
    static final String MARKER = "changed under this compaction";

    ChangedSincePlanException(String message, Throwable cause) {
      super(message, cause);
    }

    /** This failure's message if {@code e} or one of its causes is one, else null. */
    static String messageIn(Throwable e) {
      String prefix = ChangedSincePlanException.class.getSimpleName() + ": ";
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof ChangedSincePlanException) {
          return t.getMessage();
        }
        String m = t.getMessage();
        if (m != null && m.contains(MARKER)) {
          int at = m.lastIndexOf(prefix); // a runner that re-wrapped it as text
          return at >= 0 ? m.substring(at + prefix.length()) : m;
        }
      }
      return null;
    }
  }

  /** One commit per table. */
  static final class CommitFn extends DoFn<KV<String, Iterable<RewrittenGroup>>, String> {
    private final CatalogSettings catalog;
    private final String runId;
    private final Map<String, Long> plannedSnapshots;

    CommitFn(CatalogSettings catalog, String runId, Map<String, Long> plannedSnapshots) {
      this.catalog = catalog;
      this.runId = runId;
      this.plannedSnapshots = plannedSnapshots;
    }

    @ProcessElement
    public void process(
        @Element KV<String, Iterable<RewrittenGroup>> element, OutputReceiver<String> out) {
      MaintainedTable which = MaintainedTable.of(element.getKey());
      Table table = catalog.catalog().loadTable(which.definition().identifier());
      table.refresh();
      if (committedBy(table, runId) != null) {
        LOG.info("{}: compaction of run {} already committed", table.name(), runId);
        return;
      }
      List<DataFile> written = new ArrayList<>();
      RewriteWithPosition rewrite = new RewriteWithPosition(table);
      int replaced = 0;
      for (RewrittenGroup group : element.getValue()) {
        group.replaced().forEach(rewrite::deleteFile);
        replaced += group.replaced().size();
        rewrite.addFile(group.written());
        written.add(group.written());
      }
      rewrite.validateFromSnapshot(plannedSnapshots.get(element.getKey()));
      rewrite.validateNoConflictingDeletes();
      rewrite.set(RUN_ID_KEY, runId);
      CrashPoint.BEFORE_COMMIT.maybeCrash();
      try {
        rewrite.commit();
      } catch (ValidationException e) {
        // certainly not committed: the files this run wrote are nobody's
        written.forEach(f -> table.io().deleteFile(f.path().toString()));
        LOG.warn("{}: compaction commit refused: {}", table.name(), e.getMessage());
        throw new ChangedSincePlanException(
            which.definition()
                + " "
                + ChangedSincePlanException.MARKER
                + " (planned at snapshot "
                + plannedSnapshots.get(element.getKey())
                + "): another compaction or a row-level delete replaced some of its files first;"
                + " this run committed nothing to it: run maintain again",
            e);
      }
      LOG.info(
          "{}: compaction committed: {} files rewritten into {}",
          table.name(),
          replaced,
          written.size());
      out.output(element.getKey());
    }
  }

  /** The compaction snapshot of {@code runId} in {@code table}'s history, or null. */
  static Snapshot committedBy(Table table, String runId) {
    for (Snapshot s = table.currentSnapshot();
        s != null;
        s = s.parentId() == null ? null : table.snapshot(s.parentId())) {
      if (runId.equals(s.summary().get(RUN_ID_KEY))) {
        return s;
      }
    }
    return null;
  }
}
