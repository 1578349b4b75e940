package com.retail.lakehouse.generator;

import static org.assertj.core.api.Assertions.assertThat;

import com.retail.lakehouse.transforms.event.AdjustmentReason;
import com.retail.lakehouse.transforms.event.EventType;
import com.retail.lakehouse.transforms.event.InventoryMovement;
import com.retail.lakehouse.transforms.event.InventoryMovementJson;
import com.retail.lakehouse.transforms.event.MovementType;
import com.retail.lakehouse.transforms.event.PosEvent;
import com.retail.lakehouse.transforms.event.PosEventJson;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The closing-stock rule on a hand-made history whose closing levels are worked out by hand: a
 * COUNT sets the level at its instant, lines at the same instant apply on top, earlier lines of the
 * day are forgotten, the greater movement_id wins a tie of COUNTs, arrival order does not matter,
 * re-sends count once, and levels are not clamped.
 */
class InventoryTallyTest {
  private static final Instant START = Instant.parse("2026-11-24T00:00:00Z");
  private static final GeneratorConfig CONFIG =
      GeneratorConfig.builder()
          .start(START)
          .stores(1)
          .skus(2)
          .streams(EnumSet.allOf(EventStream.class))
          .build();
  private static final byte[] KEY = "S001".getBytes(StandardCharsets.UTF_8);
  private static int ids;

  private static GeneratedMessage move(
      String id, int sku, MovementType type, int quantity, String at, MessageKind kind) {
    InventoryMovement m =
        new InventoryMovement(
            id,
            "S001",
            String.format("SKU-%05d", sku),
            type,
            quantity,
            new BigDecimal("1.00"),
            "REF-" + id,
            type == MovementType.ADJUSTMENT ? AdjustmentReason.DAMAGE : null,
            Instant.parse(at));
    return new GeneratedMessage(KEY, InventoryMovementJson.toJson(m), kind, null, null, m);
  }

  private static GeneratedMessage line(int sku, int quantity, String at) {
    BigDecimal price = new BigDecimal("2.00");
    PosEvent e =
        new PosEvent(
            "E-" + ++ids,
            "T-" + ids,
            1,
            quantity > 0 ? EventType.SALE : EventType.RETURN,
            "S001",
            "S001-R1",
            "S001-C01",
            "Thing",
            String.format("SKU-%05d", sku),
            "Dairy",
            quantity,
            price,
            BigDecimal.ZERO.setScale(2),
            price.multiply(BigDecimal.valueOf(quantity)),
            "USD",
            "CARD",
            null,
            Instant.parse(at));
    return new GeneratedMessage(KEY, PosEventJson.toJson(e), MessageKind.VALID, e, null);
  }

  @Test
  void closingStockFollowsTheRuleWhateverTheArrivalOrder() throws Exception {
    MessageKind valid = MessageKind.VALID;
    GeneratedMessage receipt =
        move("r1", 1, MovementType.RECEIPT, 5, "2026-11-24T10:00:00Z", valid);
    List<GeneratedMessage> messages =
        List.of(
            // before the first day: folds into the level SKU 2 starts from
            line(2, 1, "2026-11-23T20:00:00Z"),
            // day 1: SKU 1 opens at 10, sells 2, receives 5 -> 13; SKU 2 sells 2 -> -3
            move("a", 1, MovementType.COUNT, 10, "2026-11-24T00:00:00Z", valid),
            line(1, 2, "2026-11-24T09:00:00Z"),
            receipt,
            line(2, 2, "2026-11-24T11:00:00Z"),
            // day 2, SKU 1: two counts at 07:00 (m beats b), a sale at 07:00 applies on top,
            // a sale at 06:00 arriving after the counts is forgotten, then a return and a
            // transfer out: 7 - 3 + 1 - 2 = 3
            move("m", 1, MovementType.COUNT, 7, "2026-11-25T07:00:00Z", valid),
            line(1, 3, "2026-11-25T07:00:00Z"),
            move("b", 1, MovementType.COUNT, 4, "2026-11-25T07:00:00Z", valid),
            line(1, 1, "2026-11-25T06:00:00Z"),
            line(1, -1, "2026-11-25T12:00:00Z"),
            move("o", 1, MovementType.TRANSFER_OUT, 2, "2026-11-25T13:00:00Z", valid),
            // day 3: SKU 1 shrinks by 1 (a late entry) -> 2; SKU 2 gets 5 -> 2; a re-sent
            // receipt changes nothing
            move("i", 2, MovementType.TRANSFER_IN, 5, "2026-11-26T09:00:00Z", valid),
            new GeneratedMessage(
                receipt.key(),
                receipt.value(),
                MessageKind.DUPLICATE,
                null,
                null,
                receipt.movement()),
            move("l", 1, MovementType.ADJUSTMENT, -1, "2026-11-26T10:00:00Z", MessageKind.LATE));
    ManifestTally tally = new ManifestTally(CONFIG, START);
    messages.forEach(tally::record);

    ByteArrayOutputStream csv = new ByteArrayOutputStream();
    tally.closingStock().writeCsv(csv);
    assertThat(csv.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            """
            date,store_id,sku,closing_stock
            2026-11-24,S001,SKU-00001,13
            2026-11-24,S001,SKU-00002,-3
            2026-11-25,S001,SKU-00001,3
            2026-11-25,S001,SKU-00002,-3
            2026-11-26,S001,SKU-00001,2
            2026-11-26,S001,SKU-00002,2
            """);

    Manifest manifest = tally.toManifest(null);
    InventoryManifest inventory = manifest.inventory();
    assertThat(inventory.counts()).isEqualTo(new Manifest.Counts(8, 7, 0, 1, 1));
    assertThat(inventory.closingStock().negativeRows()).isEqualTo(2);
    assertThat(inventory.closingStock().sha256()).isEqualTo(StockBooks.sha256(csv.toByteArray()));
    assertThat(inventory.expectedDaily())
        .containsExactly(
            new InventoryManifest.Daily("S001", "2026-11-24", 5, 0, 0, 0, 4, 0, 1, 0, 10, 1),
            // the winning count (7) against the level just before it (13 - 1): -5
            new InventoryManifest.Daily("S001", "2026-11-25", 0, 0, 2, 0, 4, 1, 2, -5, 0, 1),
            new InventoryManifest.Daily("S001", "2026-11-26", 0, 5, 0, -1, 0, 0, 0, 0, 4, 0));
    // the POS part is untouched by the inventory stream
    assertThat(manifest.counts()).isEqualTo(new Manifest.Counts(6, 6, 0, 0, 0));
  }
}
