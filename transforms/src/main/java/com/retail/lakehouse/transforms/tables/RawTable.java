package com.retail.lakehouse.transforms.tables;

import com.retail.lakehouse.transforms.event.PosEventSchema;
import com.retail.lakehouse.transforms.event.PosEventSchema.Field;
import com.retail.lakehouse.transforms.event.PosEventSchema.FieldKind;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.PartitionSpec;

/**
 * The table {@code raw.pos_transactions}: every valid, de-duplicated POS event with its lineage
 * (when it was ingested and from which Kafka partition and offset), partitioned by day(event_time).
 */
public final class RawTable {
  public static final String INGEST_TIME = "ingest_time";
  public static final String KAFKA_TOPIC = "kafka_topic";
  public static final String KAFKA_PARTITION = "kafka_partition";
  public static final String KAFKA_OFFSET = "kafka_offset";

  /** The event contract's columns followed by the lineage columns. */
  public static final List<Field> FIELDS = fields();

  /** The table definition. */
  public static final TableDefinition DEFINITION =
      new TableDefinition(
          "raw",
          "pos_transactions",
          FIELDS,
          schema -> PartitionSpec.builderFor(schema).day(PosEventSchema.EVENT_TIME).build());

  private RawTable() {}

  private static List<Field> fields() {
    return withLineage(PosEventSchema.FIELDS);
  }

  /** A contract's fields followed by the lineage columns every raw table ends with. */
  public static List<Field> withLineage(List<Field> contractFields) {
    List<Field> fields = new ArrayList<>(contractFields);
    fields.add(
        new Field(INGEST_TIME, FieldKind.UTC_TIMESTAMP, true, "When ingest parsed the event, UTC"));
    fields.add(new Field(KAFKA_TOPIC, FieldKind.STRING, true, "Kafka topic the event came from"));
    fields.add(new Field(KAFKA_PARTITION, FieldKind.INT, true, "Kafka partition"));
    fields.add(new Field(KAFKA_OFFSET, FieldKind.LONG, true, "Kafka offset within the partition"));
    return List.copyOf(fields);
  }
}
