package com.retail.lakehouse.pipelines.maintain;

import java.util.List;
import org.apache.iceberg.ManifestContent;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.util.PropertyUtil;

/**
 * Merges a table's small data manifests with Iceberg's {@code RewriteManifests}: every streaming
 * commit writes one manifest, and query planning opens every manifest of the snapshot. Manifests
 * below the table's {@code commit.manifest.target-size-bytes} are rewritten, clustered by partition
 * spec; the rows are untouched.
 */
final class ManifestRewrite {
  /** Data manifests of the current snapshot before and after. */
  record Result(int before, int after) {}

  private ManifestRewrite() {}

  static Result rewrite(Table table) {
    table.refresh();
    if (table.currentSnapshot() == null) {
      return new Result(0, 0);
    }
    long target =
        PropertyUtil.propertyAsLong(
            table.properties(),
            TableProperties.MANIFEST_TARGET_SIZE_BYTES,
            TableProperties.MANIFEST_TARGET_SIZE_BYTES_DEFAULT);
    List<ManifestFile> before = table.currentSnapshot().dataManifests(table.io());
    long small = before.stream().filter(m -> m.length() < target).count();
    if (small < 2) {
      return new Result(before.size(), before.size());
    }
    table
        .rewriteManifests()
        .rewriteIf(m -> m.content() == ManifestContent.DATA && m.length() < target)
        .clusterBy(file -> file.specId())
        .commit();
    table.refresh();
    return new Result(before.size(), table.currentSnapshot().dataManifests(table.io()).size());
  }
}
