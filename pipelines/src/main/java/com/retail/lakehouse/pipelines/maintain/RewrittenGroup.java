package com.retail.lakehouse.pipelines.maintain;

import java.io.Serializable;
import java.util.List;
import org.apache.iceberg.DataFile;

/**
 * A rewritten file group, not yet committed: the files it replaces and the file that holds them.
 */
record RewrittenGroup(String table, List<DataFile> replaced, DataFile written)
    implements Serializable {}
