package com.retail.lakehouse.transforms.tables;

import com.retail.lakehouse.transforms.event.PosEventSchema.Field;
import com.retail.lakehouse.transforms.event.PosEventSchema.FieldKind;
import java.util.List;
import org.apache.iceberg.PartitionSpec;

/**
 * The table {@code raw.pos_transactions_dlq} (and every contract's dead-letter table, of the same
 * columns): every Kafka message that was not a valid event, with its original bytes (base64,
 * truncated beyond a maximum size), the reason, and its coordinates.
 */
public final class DeadLetterTable {
  public static final String KAFKA_TOPIC = "kafka_topic";
  public static final String KAFKA_PARTITION = "kafka_partition";
  public static final String KAFKA_OFFSET = "kafka_offset";
  public static final String KAFKA_TIMESTAMP = "kafka_timestamp";
  public static final String KAFKA_KEY = "kafka_key";
  public static final String PAYLOAD_BASE64 = "payload_base64";
  public static final String PAYLOAD_SIZE = "payload_size";
  public static final String PAYLOAD_TRUNCATED = "payload_truncated";
  public static final String REASON = "reason";
  public static final String REASON_DETAIL = "reason_detail";
  public static final String FAILED_AT = "failed_at";

  /** The dead-letter columns. */
  public static final List<Field> FIELDS =
      List.of(
          new Field(KAFKA_TOPIC, FieldKind.STRING, true, "Kafka topic of the message"),
          new Field(KAFKA_PARTITION, FieldKind.INT, true, "Kafka partition"),
          new Field(KAFKA_OFFSET, FieldKind.LONG, true, "Kafka offset within the partition"),
          new Field(KAFKA_TIMESTAMP, FieldKind.UTC_TIMESTAMP, true, "Kafka record timestamp"),
          new Field(KAFKA_KEY, FieldKind.STRING, false, "Kafka key as base64, null if none"),
          new Field(
              PAYLOAD_BASE64, FieldKind.STRING, false, "Original bytes, base64, null if none"),
          new Field(PAYLOAD_SIZE, FieldKind.INT, true, "Size of the original payload in bytes"),
          new Field(
              PAYLOAD_TRUNCATED, FieldKind.BOOLEAN, true, "payload_base64 holds only a prefix"),
          new Field(REASON, FieldKind.STRING, true, "DeadLetterReason code"),
          new Field(REASON_DETAIL, FieldKind.STRING, true, "What exactly was wrong"),
          new Field(FAILED_AT, FieldKind.UTC_TIMESTAMP, true, "When ingest rejected it, UTC"));

  /** The table definition, partitioned by day(failed_at). */
  public static final TableDefinition DEFINITION = named("pos_transactions_dlq");

  /**
   * A dead-letter table of these columns in namespace {@code raw}, partitioned by day(failed_at).
   */
  public static TableDefinition named(String name) {
    return new TableDefinition(
        "raw", name, FIELDS, schema -> PartitionSpec.builderFor(schema).day(FAILED_AT).build());
  }

  private DeadLetterTable() {}
}
