package com.retail.lakehouse.console.tables;

/**
 * How far the tables are behind one Kafka partition.
 *
 * @param partition the Kafka partition
 * @param endOffset the next offset Kafka will write
 * @param committedOffset where ingest resumes from the tables (the lower of raw's and the DLQ's)
 * @param lag {@code endOffset - committedOffset}: messages not yet in the tables (negative only
 *     when the topic was re-created under the tables' position)
 */
public record PartitionLag(int partition, long endOffset, long committedOffset, long lag) {}
