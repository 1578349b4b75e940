package com.retail.lakehouse.transforms.write;

import java.io.Serializable;
import java.util.List;
import org.apache.iceberg.DataFile;

/** Data files written for one table but not yet committed, with how many rows they hold. */
public record WrittenFiles(String table, List<DataFile> files, long rows) implements Serializable {}
