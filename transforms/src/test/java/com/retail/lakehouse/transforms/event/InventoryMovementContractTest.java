package com.retail.lakehouse.transforms.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Keeps the inventory JSON Schema, the field definitions and the wire format in step. */
class InventoryMovementContractTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static JsonNode schema;

  @BeforeAll
  static void readSchema() throws IOException {
    try (InputStream in =
        InventoryMovementContractTest.class.getResourceAsStream(
            "/inventory-movement.schema.json")) {
      assertThat(in).as("inventory-movement.schema.json on the classpath").isNotNull();
      schema = MAPPER.readTree(in);
    }
  }

  private static InventoryMovement shrink() {
    return new InventoryMovement(
        "6f1c0d3a-0000-4000-8000-000000000001",
        "S007",
        "SKU-00042",
        MovementType.ADJUSTMENT,
        -2,
        new BigDecimal("1.25"),
        "ADJ-S007-20261124-0001",
        AdjustmentReason.DAMAGE,
        Instant.parse("2026-11-24T10:15:30.123Z"));
  }

  private static List<String> names(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  @Test
  void schemaPropertiesAreTheContractFieldsInOrderWithDescriptions() {
    assertThat(names(schema.get("properties")))
        .containsExactlyElementsOf(
            InventoryMovementSchema.FIELDS.stream().map(PosEventSchema.Field::name).toList());
    List<String> required = new ArrayList<>();
    schema.get("required").forEach(n -> required.add(n.asText()));
    assertThat(required)
        .containsExactlyElementsOf(
            InventoryMovementSchema.FIELDS.stream()
                .filter(PosEventSchema.Field::required)
                .map(PosEventSchema.Field::name)
                .toList());
    schema
        .get("properties")
        .fields()
        .forEachRemaining(
            f -> assertThat(f.getValue().path("description").asText()).as(f.getKey()).isNotBlank());
    assertThat(schema.get("description").asText()).contains("COUNT sets the level", "closing(D)");
  }

  @Test
  void enumsInTheSchemaMatchTheJavaEnums() {
    List<String> types = new ArrayList<>();
    schema.at("/properties/movement_type/enum").forEach(n -> types.add(n.asText()));
    assertThat(types)
        .containsExactlyElementsOf(Arrays.stream(MovementType.values()).map(Enum::name).toList());
    List<String> reasons = new ArrayList<>();
    schema.at("/properties/reason/enum").forEach(n -> reasons.add(n.isNull() ? null : n.asText()));
    List<String> expected =
        new ArrayList<>(Arrays.stream(AdjustmentReason.values()).map(Enum::name).toList());
    expected.add(null);
    assertThat(reasons).containsExactlyElementsOf(expected);
  }

  @Test
  void wireFormatHasExactlyTheSchemaFieldsWithTheirFormats() throws IOException {
    JsonNode json = MAPPER.readTree(InventoryMovementJson.toJson(shrink()));

    assertThat(names(json)).containsExactlyElementsOf(names(schema.get("properties")));
    assertThat(json.get("quantity").isInt()).isTrue();
    assertThat(json.get("quantity").asInt()).isEqualTo(-2);
    String costPattern = schema.at("/properties/unit_cost/oneOf/0/pattern").asText();
    assertThat(json.get("unit_cost").isTextual()).isTrue();
    assertThat(Pattern.matches(costPattern, json.get("unit_cost").asText())).isTrue();
    // the same timestamp format as the POS contract
    assertThat(json.get("event_time").asText())
        .isEqualTo(PosEventJson.formatEventTime(shrink().eventTime()))
        .isEqualTo("2026-11-24T10:15:30.123Z");
    assertThat(json.get("reason").asText()).isEqualTo("DAMAGE");

    InventoryMovement count =
        new InventoryMovement(
            "id-2",
            "S007",
            "SKU-00042",
            MovementType.COUNT,
            0,
            new BigDecimal("1.25"),
            "CC-S007-20261124",
            null,
            Instant.parse("2026-11-24T07:00:00Z"));
    JsonNode countJson = MAPPER.readTree(InventoryMovementJson.toJson(count));
    assertThat(countJson.get("reason").isNull()).isTrue();
    assertThat(countJson.get("event_time").asText()).isEqualTo("2026-11-24T07:00:00.000Z");
  }

  @Test
  void beamSchemaFollowsTheFields() {
    assertThat(InventoryMovementSchema.BEAM_SCHEMA.getFieldNames())
        .containsExactlyElementsOf(names(schema.get("properties")));
    assertThat(InventoryMovementSchema.BEAM_SCHEMA.getField("reason").getType().getNullable())
        .isTrue();
    assertThat(InventoryMovementSchema.BEAM_SCHEMA.getField("quantity").getType().getNullable())
        .isFalse();
  }

  @Test
  void signRulesAreEnforcedPerType() {
    assertThatThrownBy(
            () ->
                new InventoryMovement(
                    "x",
                    "S001",
                    "SKU-00001",
                    MovementType.RECEIPT,
                    0,
                    BigDecimal.ONE,
                    "PO-1",
                    null,
                    Instant.EPOCH))
        .hasMessageContaining("quantity 0 is not allowed on a RECEIPT");
    assertThatThrownBy(
            () ->
                new InventoryMovement(
                    "x",
                    "S001",
                    "SKU-00001",
                    MovementType.ADJUSTMENT,
                    -1,
                    BigDecimal.ONE,
                    "ADJ-1",
                    null,
                    Instant.EPOCH))
        .hasMessageContaining("needs a reason");
    assertThat(MovementType.TRANSFER_OUT.stockDelta(3)).isEqualTo(-3);
    assertThat(MovementType.ADJUSTMENT.stockDelta(-2)).isEqualTo(-2);
    assertThatThrownBy(() -> MovementType.COUNT.stockDelta(5))
        .isInstanceOf(IllegalStateException.class);
  }
}
