package com.retail.lakehouse.generator;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The inventory part of a manifest: what was sent to the inventory topic and the stock the books
 * must show, by the closing-stock rule of {@link
 * com.retail.lakehouse.transforms.event.InventoryMovementSchema}, over the distinct valid movements
 * and POS lines. The full closing stock per (store, SKU, day) is summarised by its row count and
 * the SHA-256 of its CSV form ({@link ClosingStock#writeCsv}); {@code --inventory-manifest full}
 * also writes that CSV next to the manifest.
 *
 * @param topic the inventory topic
 * @param counts inventory message counts: {@code sent = valid + malformed + duplicates}; late
 *     movements are valid ones sent 1-48 h after their event_time
 * @param malformedByReason malformed inventory messages by dead-letter reason name
 * @param movementsByType distinct valid movements by movement_type
 * @param closingStock the digest of the expected closing stock
 * @param expectedDaily one entry per (day, store) of the closing-stock range, sorted by date then
 *     store
 */
@JsonPropertyOrder({
  "topic",
  "counts",
  "malformed_by_reason",
  "movements_by_type",
  "closing_stock",
  "expected_daily"
})
@JsonInclude(JsonInclude.Include.ALWAYS)
public record InventoryManifest(
    @JsonProperty("topic") String topic,
    @JsonProperty("counts") Manifest.Counts counts,
    @JsonProperty("malformed_by_reason") SortedMap<String, Long> malformedByReason,
    @JsonProperty("movements_by_type") SortedMap<String, Long> movementsByType,
    @JsonProperty("closing_stock") ClosingStockDigest closingStock,
    @JsonProperty("expected_daily") List<Daily> expectedDaily) {

  public InventoryManifest {
    malformedByReason =
        malformedByReason == null ? new TreeMap<>() : new TreeMap<>(malformedByReason);
    movementsByType = movementsByType == null ? new TreeMap<>() : new TreeMap<>(movementsByType);
    expectedDaily = expectedDaily == null ? List.of() : List.copyOf(expectedDaily);
  }

  /** This section naming {@code csv} as the file holding the full closing stock. */
  public InventoryManifest withClosingStockCsv(String csv) {
    ClosingStockDigest c = closingStock;
    return new InventoryManifest(
        topic,
        counts,
        malformedByReason,
        movementsByType,
        new ClosingStockDigest(
            c.firstDate(), c.lastDate(), c.rows(), c.negativeRows(), c.sha256(), csv),
        expectedDaily);
  }

  /**
   * The expected closing stock in short: one row per (date, store, SKU) for every store and SKU and
   * every UTC day from the simulated clock's start to the last valid event.
   *
   * @param firstDate first day, {@code yyyy-MM-dd}; null if nothing was sent
   * @param lastDate last day, {@code yyyy-MM-dd}; null if nothing was sent
   * @param rows number of rows: stores x SKUs x days
   * @param negativeRows rows whose closing stock is below 0 (phantom sales)
   * @param sha256 hex SHA-256 of the CSV form (header {@code date,store_id,sku,closing_stock}, rows
   *     sorted by date, store, SKU, {@code \n} line ends)
   * @param csv the file name (next to the manifest) holding the CSV; null when not written
   */
  @JsonPropertyOrder({"first_date", "last_date", "rows", "negative_rows", "sha256", "csv"})
  public record ClosingStockDigest(
      @JsonProperty("first_date") String firstDate,
      @JsonProperty("last_date") String lastDate,
      @JsonProperty("rows") long rows,
      @JsonProperty("negative_rows") long negativeRows,
      @JsonProperty("sha256") String sha256,
      @JsonProperty("csv") String csv) {}

  /**
   * One store's stock movements on one UTC day, over the distinct valid movements and POS lines,
   * and its closing stock summed over SKUs.
   *
   * @param storeId store code
   * @param date UTC day, {@code yyyy-MM-dd}
   * @param received units of RECEIPT movements
   * @param transferredIn units of TRANSFER_IN movements
   * @param transferredOut units of TRANSFER_OUT movements (positive)
   * @param adjusted sum of ADJUSTMENT quantities (negative for shrink)
   * @param sold units of POS SALE lines
   * @param returned units of POS RETURN lines (positive)
   * @param countedSkus COUNT movements
   * @param countVariance sum over the day's COUNTs of a SKU counted before of (counted level - book
   *     level just before the count); negative when goods went missing unrecorded (the opening
   *     counts, with no book level before them, are left out)
   * @param closingUnits closing stock summed over the store's SKUs
   * @param negativeSkus SKUs whose closing stock is below 0
   */
  @JsonPropertyOrder({
    "store_id",
    "date",
    "received",
    "transferred_in",
    "transferred_out",
    "adjusted",
    "sold",
    "returned",
    "counted_skus",
    "count_variance",
    "closing_units",
    "negative_skus"
  })
  public record Daily(
      @JsonProperty("store_id") String storeId,
      @JsonProperty("date") String date,
      @JsonProperty("received") long received,
      @JsonProperty("transferred_in") long transferredIn,
      @JsonProperty("transferred_out") long transferredOut,
      @JsonProperty("adjusted") long adjusted,
      @JsonProperty("sold") long sold,
      @JsonProperty("returned") long returned,
      @JsonProperty("counted_skus") long countedSkus,
      @JsonProperty("count_variance") long countVariance,
      @JsonProperty("closing_units") long closingUnits,
      @JsonProperty("negative_skus") long negativeSkus) {}
}
