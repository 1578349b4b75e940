package com.retail.lakehouse.transforms.mart;

import com.retail.lakehouse.transforms.event.PosEventSchema;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.Coder;

/**
 * The raw sale lines of one day slice, held column by column: the columns the daily summary needs
 * and the order in which copies of a line were ingested. Money is held as long cents at the table's
 * scale ({@link PosEventSchema#MONEY_SCALE}), so sums stay exact without a BigDecimal per value;
 * store, product and category names are kept once each and referred to by number.
 *
 * <p>Why columns and not an object per line: a day slice stays in memory while it is summarized,
 * and hundreds of thousands of small objects that outlive a young collection made garbage
 * collection the largest cost of the mart (bench/results/profile-notes.md). Primitive arrays are a
 * handful of objects the collector does not need to trace.
 */
public final class SaleLines {
  /** A compact binary coder: a batch crosses no shuffle, but the DirectRunner encodes it. */
  public static final Coder<SaleLines> CODER = new SaleLinesCoder();

  private final List<String> stores;
  private final List<String> products;
  private final List<String> categories;
  private final int size;
  private final String[] transactionIds;
  private final int[] lineNumbers;
  private final int[] storeNumbers;
  private final int[] productNumbers;
  private final int[] categoryNumbers;
  private final boolean[] returns;
  private final int[] quantities;
  private final long[] unitPriceCents;
  private final long[] totalAmountCents;
  private final long[] eventMillis;
  private final long[] ingestMillis;
  private final int[] kafkaPartitions;
  private final long[] kafkaOffsets;

  private SaleLines(Builder b) {
    this.stores = List.copyOf(b.stores);
    this.products = List.copyOf(b.products);
    this.categories = List.copyOf(b.categories);
    this.size = b.size;
    this.transactionIds = b.transactionIds;
    this.lineNumbers = b.lineNumbers;
    this.storeNumbers = b.storeNumbers;
    this.productNumbers = b.productNumbers;
    this.categoryNumbers = b.categoryNumbers;
    this.returns = b.returns;
    this.quantities = b.quantities;
    this.unitPriceCents = b.unitPriceCents;
    this.totalAmountCents = b.totalAmountCents;
    this.eventMillis = b.eventMillis;
    this.ingestMillis = b.ingestMillis;
    this.kafkaPartitions = b.kafkaPartitions;
    this.kafkaOffsets = b.kafkaOffsets;
  }

  /** Collects lines; {@code expected} sizes the columns (they grow beyond it). */
  public static Builder builder(int expected) {
    return new Builder(Math.max(16, expected));
  }

  public int size() {
    return size;
  }

  public String transactionId(int line) {
    return transactionIds[line];
  }

  public int lineNumber(int line) {
    return lineNumbers[line];
  }

  /** The line's store as a number into {@link #storeName}. */
  public int storeNumber(int line) {
    return storeNumbers[line];
  }

  public String storeName(int storeNumber) {
    return stores.get(storeNumber);
  }

  /** The line's product as a number into {@link #productName}. */
  public int productNumber(int line) {
    return productNumbers[line];
  }

  public String productName(int productNumber) {
    return products.get(productNumber);
  }

  /** The line's category as a number into {@link #categoryName}. */
  public int categoryNumber(int line) {
    return categoryNumbers[line];
  }

  public String categoryName(int categoryNumber) {
    return categories.get(categoryNumber);
  }

  public int categoryCount() {
    return categories.size();
  }

  public int storeCount() {
    return stores.size();
  }

  public int productCount() {
    return products.size();
  }

  public boolean isReturn(int line) {
    return returns[line];
  }

  public int quantity(int line) {
    return quantities[line];
  }

  public long unitPriceCents(int line) {
    return unitPriceCents[line];
  }

  public long totalAmountCents(int line) {
    return totalAmountCents[line];
  }

  public long eventMillis(int line) {
    return eventMillis[line];
  }

  /** The UTC calendar date of the line's event_time (the mart's sale_date), as an epoch day. */
  public long saleEpochDay(int line) {
    return Math.floorDiv(eventMillis[line], 86_400_000L);
  }

  /** Whether line {@code a} was ingested before line {@code b}: ingest time, Kafka position. */
  public boolean ingestedBefore(int a, int b) {
    return ingestedBefore(
        ingestMillis[a],
        kafkaPartitions[a],
        kafkaOffsets[a],
        ingestMillis[b],
        kafkaPartitions[b],
        kafkaOffsets[b]);
  }

  /**
   * The marts' one de-duplication order: of two copies of one event, the first ingested wins
   * (earlier ingest_time, then lower Kafka partition, then lower offset).
   */
  public static boolean ingestedBefore(
      long ingestA, int partitionA, long offsetA, long ingestB, int partitionB, long offsetB) {
    if (ingestA != ingestB) {
      return ingestA < ingestB;
    }
    if (partitionA != partitionB) {
      return partitionA < partitionB;
    }
    return offsetA < offsetB;
  }

  /** Money at the table's scale as cents; fails on a value that is not at that scale. */
  public static long cents(BigDecimal amount) {
    // scaleByPowerOfTen keeps the compact long of a small decimal: no BigInteger per value
    return amount
        .setScale(PosEventSchema.MONEY_SCALE)
        .scaleByPowerOfTen(PosEventSchema.MONEY_SCALE)
        .longValueExact();
  }

  /** Cents as a decimal of the table's scale. */
  static BigDecimal money(long cents) {
    return BigDecimal.valueOf(cents, PosEventSchema.MONEY_SCALE);
  }

  /** Appends lines column by column. */
  public static final class Builder {
    private final List<String> stores = new ArrayList<>();
    private final List<String> products = new ArrayList<>();
    private final Map<String, Integer> storeNumberOf = new HashMap<>();
    private final Map<String, Integer> productNumberOf = new HashMap<>();
    private final List<String> categories = new ArrayList<>();
    private final Map<String, Integer> categoryNumberOf = new HashMap<>();
    private int size;
    private String[] transactionIds;
    private int[] lineNumbers;
    private int[] storeNumbers;
    private int[] productNumbers;
    private int[] categoryNumbers;
    private boolean[] returns;
    private int[] quantities;
    private long[] unitPriceCents;
    private long[] totalAmountCents;
    private long[] eventMillis;
    private long[] ingestMillis;
    private int[] kafkaPartitions;
    private long[] kafkaOffsets;

    private Builder(int capacity) {
      allocate(capacity);
    }

    /** Adds one line; names are stored once each. */
    public Builder add(
        String transactionId,
        int lineNumber,
        String store,
        String product,
        String category,
        boolean isReturn,
        int quantity,
        long unitPriceCents,
        long totalAmountCents,
        long eventMillis,
        long ingestMillis,
        int kafkaPartition,
        long kafkaOffset) {
      if (size == lineNumbers.length) {
        allocate(size * 2);
      }
      int i = size++;
      this.transactionIds[i] = transactionId;
      this.lineNumbers[i] = lineNumber;
      this.storeNumbers[i] = numberOf(store, stores, storeNumberOf);
      this.productNumbers[i] = numberOf(product, products, productNumberOf);
      this.categoryNumbers[i] = numberOf(category, categories, categoryNumberOf);
      this.returns[i] = isReturn;
      this.quantities[i] = quantity;
      this.unitPriceCents[i] = unitPriceCents;
      this.totalAmountCents[i] = totalAmountCents;
      this.eventMillis[i] = eventMillis;
      this.ingestMillis[i] = ingestMillis;
      this.kafkaPartitions[i] = kafkaPartition;
      this.kafkaOffsets[i] = kafkaOffset;
      return this;
    }

    public SaleLines build() {
      return new SaleLines(this);
    }

    private static int numberOf(String name, List<String> names, Map<String, Integer> numbers) {
      Integer number = numbers.get(name);
      if (number == null) {
        number = names.size();
        names.add(name);
        numbers.put(name, number);
      }
      return number;
    }

    private void allocate(int capacity) {
      transactionIds =
          transactionIds == null ? new String[capacity] : Arrays.copyOf(transactionIds, capacity);
      lineNumbers = lineNumbers == null ? new int[capacity] : Arrays.copyOf(lineNumbers, capacity);
      storeNumbers =
          storeNumbers == null ? new int[capacity] : Arrays.copyOf(storeNumbers, capacity);
      productNumbers =
          productNumbers == null ? new int[capacity] : Arrays.copyOf(productNumbers, capacity);
      categoryNumbers =
          categoryNumbers == null ? new int[capacity] : Arrays.copyOf(categoryNumbers, capacity);
      returns = returns == null ? new boolean[capacity] : Arrays.copyOf(returns, capacity);
      quantities = quantities == null ? new int[capacity] : Arrays.copyOf(quantities, capacity);
      unitPriceCents =
          unitPriceCents == null ? new long[capacity] : Arrays.copyOf(unitPriceCents, capacity);
      totalAmountCents =
          totalAmountCents == null ? new long[capacity] : Arrays.copyOf(totalAmountCents, capacity);
      eventMillis = eventMillis == null ? new long[capacity] : Arrays.copyOf(eventMillis, capacity);
      ingestMillis =
          ingestMillis == null ? new long[capacity] : Arrays.copyOf(ingestMillis, capacity);
      kafkaPartitions =
          kafkaPartitions == null ? new int[capacity] : Arrays.copyOf(kafkaPartitions, capacity);
      kafkaOffsets =
          kafkaOffsets == null ? new long[capacity] : Arrays.copyOf(kafkaOffsets, capacity);
    }
  }

  private static final class SaleLinesCoder extends AtomicCoder<SaleLines> {
    @Override
    public void encode(SaleLines lines, OutputStream outStream) throws IOException {
      DataOutputStream out = new DataOutputStream(outStream);
      out.writeInt(lines.size);
      for (int i = 0; i < lines.size; i++) {
        out.writeUTF(lines.transactionIds[i]);
        out.writeInt(lines.lineNumbers[i]);
        out.writeUTF(lines.stores.get(lines.storeNumbers[i]));
        out.writeUTF(lines.products.get(lines.productNumbers[i]));
        out.writeUTF(lines.categories.get(lines.categoryNumbers[i]));
        out.writeBoolean(lines.returns[i]);
        out.writeInt(lines.quantities[i]);
        out.writeLong(lines.unitPriceCents[i]);
        out.writeLong(lines.totalAmountCents[i]);
        out.writeLong(lines.eventMillis[i]);
        out.writeLong(lines.ingestMillis[i]);
        out.writeInt(lines.kafkaPartitions[i]);
        out.writeLong(lines.kafkaOffsets[i]);
      }
      out.flush();
    }

    @Override
    public SaleLines decode(InputStream inStream) throws IOException {
      DataInputStream in = new DataInputStream(inStream);
      int size = in.readInt();
      Builder lines = builder(size);
      for (int i = 0; i < size; i++) {
        lines.add(
            in.readUTF(),
            in.readInt(),
            in.readUTF(),
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
      return lines.build();
    }

    @Override
    public void verifyDeterministic() {}
  }
}
