package com.retail.lakehouse.generator;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDate;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The expected closing stock of every (store, SKU) at the end of every UTC day of a run, as the
 * books compute it (see {@link com.retail.lakehouse.transforms.event.InventoryMovementSchema}), in
 * one dense table: stores S001.., SKUs SKU-00001.., days from {@link #firstDate()}.
 */
public final class ClosingStock {
  /** The CSV header of {@link #writeCsv}. */
  public static final String CSV_HEADER = "date,store_id,sku,closing_stock";

  private final LocalDate firstDate;
  private final int days;
  private final int stores;
  private final int skus;
  private final long[] closing;

  /** A table over {@code days} days; {@code closing} is indexed by (day, store, sku). */
  ClosingStock(LocalDate firstDate, int days, int stores, int skus, long[] closing) {
    if (closing.length != (long) days * stores * skus) {
      throw new IllegalArgumentException(
          "closing stock needs days x stores x skus = "
              + (long) days * stores * skus
              + " values, got "
              + closing.length);
    }
    this.firstDate = firstDate;
    this.days = days;
    this.stores = stores;
    this.skus = skus;
    this.closing = closing;
  }

  /** The first day; null when the table is empty. */
  public LocalDate firstDate() {
    return days == 0 ? null : firstDate;
  }

  /** The last day; null when the table is empty. */
  public LocalDate lastDate() {
    return days == 0 ? null : firstDate.plusDays(days - 1L);
  }

  /** Days covered. */
  public int days() {
    return days;
  }

  /** Rows: days x stores x SKUs. */
  public long rows() {
    return closing.length;
  }

  /** Rows whose closing stock is below zero. */
  public long negativeRows() {
    long n = 0;
    for (long c : closing) {
      if (c < 0) {
        n++;
      }
    }
    return n;
  }

  /** The closing stock of a store (0-based) and SKU (0-based) on the {@code day}-th day. */
  public long closing(int day, int store, int sku) {
    return closing[index(day, store, sku)];
  }

  /**
   * The closing stock of {@code storeId} and {@code sku} on {@code date}.
   *
   * @throws IllegalArgumentException outside the table
   */
  public long closing(String storeId, String sku, LocalDate date) {
    int day = (int) (date.toEpochDay() - firstDate.toEpochDay());
    int store = InventorySimulator.storeIndex(storeId);
    int k = InventorySimulator.skuIndex(sku);
    if (day < 0 || day >= days || store < 0 || store >= stores || k < 0 || k >= skus) {
      throw new IllegalArgumentException(
          "no closing stock for " + storeId + " " + sku + " on " + date);
    }
    return closing[index(day, store, k)];
  }

  /** One row of the table, as {@link #forEachRow} hands it over. */
  @FunctionalInterface
  public interface RowVisitor {
    /** The closing stock of {@code storeId} ({@code S001}..) and {@code sku} on {@code date}. */
    void visit(LocalDate date, String storeId, String sku, long closingStock);
  }

  /** Visits every row in CSV order: by date, store, SKU. */
  public void forEachRow(RowVisitor visitor) {
    String[] storeIds = new String[stores];
    for (int s = 0; s < stores; s++) {
      storeIds[s] = String.format(Locale.ROOT, "S%03d", s + 1);
    }
    String[] skuIds = new String[skus];
    for (int k = 0; k < skus; k++) {
      skuIds[k] = String.format(Locale.ROOT, "SKU-%05d", k + 1);
    }
    for (int d = 0; d < days; d++) {
      LocalDate date = firstDate.plusDays(d);
      for (int s = 0; s < stores; s++) {
        for (int k = 0; k < skus; k++) {
          visitor.visit(date, storeIds[s], skuIds[k], closing[index(d, s, k)]);
        }
      }
    }
  }

  private int index(int day, int store, int sku) {
    return (day * stores + store) * skus + sku;
  }

  /**
   * Writes the table as CSV: {@link #CSV_HEADER}, then one row per (date, store, SKU) in that
   * order, {@code \n} line ends, e.g. {@code 2026-11-24,S007,SKU-00042,17}.
   */
  public void writeCsv(OutputStream out) throws IOException {
    OutputStream buffered = new BufferedOutputStream(out, 1 << 16);
    buffered.write((CSV_HEADER + "\n").getBytes(StandardCharsets.UTF_8));
    StringBuilder line = new StringBuilder(48);
    try {
      forEachRow(
          (date, store, sku, closingStock) -> {
            line.setLength(0);
            line.append(date).append(',').append(store).append(',').append(sku);
            line.append(',').append(closingStock).append('\n');
            try {
              buffered.write(line.toString().getBytes(StandardCharsets.US_ASCII));
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    buffered.flush();
  }

  /** Writes the CSV to {@code file}, creating parent directories. */
  public void writeCsv(Path file) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      try (OutputStream out = Files.newOutputStream(file)) {
        writeCsv(out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write closing stock " + file, e);
    }
  }

  /** The hex SHA-256 of the CSV form. */
  public String sha256() {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      try (DigestOutputStream out =
          new DigestOutputStream(OutputStream.nullOutputStream(), digest)) {
        writeCsv(out);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("no SHA-256 in this JVM", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
