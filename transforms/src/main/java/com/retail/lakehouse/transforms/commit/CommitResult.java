package com.retail.lakehouse.transforms.commit;

import java.io.Serializable;
import java.util.Map;

/**
 * What one commit did to one table: the snapshot it made (or -1 when it had nothing new or found
 * its work already committed), the files and rows it added, and the Kafka position it recorded.
 */
public record CommitResult(
    String table,
    long snapshotId,
    int dataFiles,
    long rows,
    long bytes,
    Map<Integer, Long> nextOffsets,
    boolean alreadyCommitted)
    implements Serializable {}
