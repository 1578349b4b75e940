package com.retail.lakehouse.transforms.source;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Objects;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.CoderException;
import org.apache.beam.sdk.coders.DefaultCoder;
import org.apache.beam.sdk.coders.NullableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;

/**
 * One message as read from Kafka: the original bytes plus the coordinates (topic, partition,
 * offset) that make every event traceable and that the exactly-once commit is keyed on. It is
 * independent of KafkaIO's own record type so transforms can be tested without Kafka.
 */
@DefaultCoder(SourceMessage.Coder.class)
public final class SourceMessage {
  private final String topic;
  private final int partition;
  private final long offset;
  private final long kafkaTimestampMillis;
  private final byte[] key;
  private final byte[] value;

  public SourceMessage(
      String topic,
      int partition,
      long offset,
      long kafkaTimestampMillis,
      byte[] key,
      byte[] value) {
    this.topic = topic;
    this.partition = partition;
    this.offset = offset;
    this.kafkaTimestampMillis = kafkaTimestampMillis;
    this.key = key;
    this.value = value;
  }

  public String topic() {
    return topic;
  }

  public int partition() {
    return partition;
  }

  public long offset() {
    return offset;
  }

  public long kafkaTimestampMillis() {
    return kafkaTimestampMillis;
  }

  /** The Kafka key, or null when the message had none. */
  public byte[] key() {
    return key;
  }

  /** The payload, or null for a tombstone. */
  public byte[] value() {
    return value;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SourceMessage m
        && partition == m.partition
        && offset == m.offset
        && kafkaTimestampMillis == m.kafkaTimestampMillis
        && topic.equals(m.topic)
        && Arrays.equals(key, m.key)
        && Arrays.equals(value, m.value);
  }

  @Override
  public int hashCode() {
    return Objects.hash(topic, partition, offset);
  }

  @Override
  public String toString() {
    return topic + "-" + partition + "@" + offset;
  }

  /** A compact hand-written coder: this type crosses every shuffle of the ingest hot path. */
  public static final class Coder extends AtomicCoder<SourceMessage> {
    private static final NullableCoder<byte[]> BYTES = NullableCoder.of(ByteArrayCoder.of());

    public static Coder of() {
      return new Coder();
    }

    /** Lets {@code @DefaultCoder} find this coder, so Create.of(messages) needs no withCoder. */
    public static org.apache.beam.sdk.coders.CoderProvider getCoderProvider() {
      return org.apache.beam.sdk.coders.CoderProviders.forCoder(
          org.apache.beam.sdk.values.TypeDescriptor.of(SourceMessage.class), new Coder());
    }

    @Override
    public void encode(SourceMessage m, OutputStream out) throws IOException {
      StringUtf8Coder.of().encode(m.topic, out);
      VarIntCoder.of().encode(m.partition, out);
      VarLongCoder.of().encode(m.offset, out);
      VarLongCoder.of().encode(m.kafkaTimestampMillis, out);
      BYTES.encode(m.key, out);
      BYTES.encode(m.value, out);
    }

    @Override
    public SourceMessage decode(InputStream in) throws CoderException, IOException {
      return new SourceMessage(
          StringUtf8Coder.of().decode(in),
          VarIntCoder.of().decode(in),
          VarLongCoder.of().decode(in),
          VarLongCoder.of().decode(in),
          BYTES.decode(in),
          BYTES.decode(in));
    }

    @Override
    public void verifyDeterministic() {}
  }
}
