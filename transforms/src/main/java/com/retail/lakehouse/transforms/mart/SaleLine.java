package com.retail.lakehouse.transforms.mart;

import com.retail.lakehouse.transforms.event.PosEventSchema;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.time.ZoneOffset;
import java.util.Comparator;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.Coder;

/**
 * The columns of one raw sale line that the daily summary needs, and the order in which copies of
 * it were ingested. Money is held as long cents at the table's scale ({@link
 * PosEventSchema#MONEY_SCALE}), so sums stay exact without a BigDecimal per value.
 */
public record SaleLine(
    String transactionId,
    int lineNumber,
    String storeId,
    String product,
    boolean isReturn,
    int quantity,
    long unitPriceCents,
    long totalAmountCents,
    long eventMillis,
    long ingestMillis,
    int kafkaPartition,
    long kafkaOffset) {

  /** Which copy of a line was ingested first: by ingest time, then Kafka partition and offset. */
  static final Comparator<SaleLine> INGEST_ORDER =
      Comparator.comparingLong(SaleLine::ingestMillis)
          .thenComparingInt(SaleLine::kafkaPartition)
          .thenComparingLong(SaleLine::kafkaOffset);

  /** A compact binary coder: a line crosses no shuffle, but the DirectRunner encodes it. */
  public static final Coder<SaleLine> CODER = new SaleLineCoder();

  /** The UTC calendar date of the line's event_time (the mart's sale_date), as an epoch day. */
  public long saleEpochDay() {
    return Math.floorDiv(eventMillis, 86_400_000L);
  }

  /** Money at the table's scale as cents; fails on a value that is not at that scale. */
  public static long cents(BigDecimal amount) {
    return amount.setScale(PosEventSchema.MONEY_SCALE).unscaledValue().longValueExact();
  }

  /** Cents as a decimal of the table's scale. */
  static BigDecimal money(long cents) {
    return BigDecimal.valueOf(cents, PosEventSchema.MONEY_SCALE);
  }

  /** Epoch milliseconds of a UTC timestamp column as Iceberg's generic reader returns it. */
  static long utcMillis(java.time.LocalDateTime utc) {
    return utc.toInstant(ZoneOffset.UTC).toEpochMilli();
  }

  private static final class SaleLineCoder extends AtomicCoder<SaleLine> {
    @Override
    public void encode(SaleLine line, OutputStream outStream) throws IOException {
      DataOutputStream out = new DataOutputStream(outStream);
      out.writeUTF(line.transactionId);
      out.writeInt(line.lineNumber);
      out.writeUTF(line.storeId);
      out.writeUTF(line.product);
      out.writeBoolean(line.isReturn);
      out.writeInt(line.quantity);
      out.writeLong(line.unitPriceCents);
      out.writeLong(line.totalAmountCents);
      out.writeLong(line.eventMillis);
      out.writeLong(line.ingestMillis);
      out.writeInt(line.kafkaPartition);
      out.writeLong(line.kafkaOffset);
      out.flush();
    }

    @Override
    public SaleLine decode(InputStream inStream) throws IOException {
      DataInputStream in = new DataInputStream(inStream);
      return new SaleLine(
          in.readUTF(),
          in.readInt(),
          in.readUTF(),
          in.readUTF(),
          in.readBoolean(),
          in.readInt(),
          in.readLong(),
          in.readLong(),
          in.readLong(),
          in.readLong(),
          in.readInt(),
          in.readLong());
    }

    @Override
    public void verifyDeterministic() {}
  }
}
