package com.retail.lakehouse.pipelines.maintain;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.iceberg.ContentFile;
import org.apache.iceberg.ManifestContent;
import org.apache.iceberg.ManifestFile;
import org.apache.iceberg.ManifestFiles;
import org.apache.iceberg.ReachableFileUtil;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.FileInfo;
import org.apache.iceberg.io.SupportsPrefixOperations;

/**
 * Files under a table's location that no snapshot of the table references (data and delete files,
 * manifests, manifest lists, metadata files, statistics, the version hint) and that are older than
 * a minimum age: what crashed or failed writers leave behind (a killed ingest or compaction writes
 * files it never commits). Iceberg's own orphan action lives in its Spark module; this is the same
 * rule on {@code FileIO}'s prefix listing, which the local (Hadoop) and S3 file IOs implement. The
 * minimum age keeps files that a running writer has written and not yet committed.
 */
final class OrphanFiles {
  /** An orphan file: where it is, its size and when it was written. */
  record Orphan(String location, long size, long createdAtMillis) {}

  private OrphanFiles() {}

  /**
   * The orphans of {@code table} older than {@code minAge} at {@code now}, or null if its file IO
   * cannot list.
   */
  static List<Orphan> find(Table table, Duration minAge, Instant now) {
    table.refresh();
    if (!(table.io() instanceof SupportsPrefixOperations listing)) {
      return null;
    }
    Set<String> referenced = referenced(table);
    long olderThan = now.minus(minAge).toEpochMilli();
    List<Orphan> orphans = new ArrayList<>();
    String prefix = table.location().endsWith("/") ? table.location() : table.location() + "/";
    for (FileInfo file : listing.listPrefix(prefix)) {
      if (file.createdAtMillis() < olderThan && !referenced.contains(normalized(file.location()))) {
        orphans.add(new Orphan(file.location(), file.size(), file.createdAtMillis()));
      }
    }
    return orphans;
  }

  /** Deletes the given orphans; returns how many it deleted. */
  static int delete(Table table, List<Orphan> orphans) {
    int deleted = 0;
    for (Orphan orphan : orphans) {
      table.io().deleteFile(orphan.location());
      deleted++;
    }
    return deleted;
  }

  /** Every file any snapshot (or the metadata) of {@code table} references, normalized. */
  private static Set<String> referenced(Table table) {
    Set<String> paths = new HashSet<>();
    ReachableFileUtil.metadataFileLocations(table, false).forEach(p -> paths.add(normalized(p)));
    paths.add(normalized(ReachableFileUtil.versionHintLocation(table)));
    ReachableFileUtil.manifestListLocations(table).forEach(p -> paths.add(normalized(p)));
    ReachableFileUtil.statisticsFilesLocations(table).forEach(p -> paths.add(normalized(p)));
    Set<String> manifestsRead = new HashSet<>();
    for (Snapshot snapshot : table.snapshots()) {
      for (ManifestFile manifest : snapshot.allManifests(table.io())) {
        if (!manifestsRead.add(manifest.path())) {
          continue;
        }
        paths.add(normalized(manifest.path()));
        try (CloseableIterable<? extends ContentFile<?>> files =
            manifest.content() == ManifestContent.DATA
                ? ManifestFiles.read(manifest, table.io(), table.specs())
                : ManifestFiles.readDeleteManifest(manifest, table.io(), table.specs())) {
          for (ContentFile<?> file : files) {
            paths.add(normalized(file.path().toString()));
          }
        } catch (IOException e) {
          throw new UncheckedIOException("reading manifest " + manifest.path(), e);
        }
      }
    }
    return paths;
  }

  /** One spelling per local file ({@code file:/x}, {@code file:///x} and {@code /x} are one). */
  static String normalized(String location) {
    String s = location;
    if (s.startsWith("file:")) {
      s = s.substring("file:".length());
    }
    if (s.startsWith("/")) {
      s = "/" + s.replaceFirst("^/+", "");
    }
    return s;
  }
}
