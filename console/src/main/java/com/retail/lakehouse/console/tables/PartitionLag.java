package com.retail.lakehouse.console.tables;

public record PartitionLag(int partition, long endOffset, long committedOffset, long lag) {}
