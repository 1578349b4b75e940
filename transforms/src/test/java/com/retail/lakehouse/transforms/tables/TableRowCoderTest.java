package com.retail.lakehouse.transforms.tables;

import static com.retail.lakehouse.transforms.TestEvents.rawRow;
import static com.retail.lakehouse.transforms.TestEvents.sale;
import static org.assertj.core.api.Assertions.assertThat;

import com.retail.lakehouse.transforms.event.PosEvent;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.SchemaCoder;
import org.apache.beam.sdk.testing.CoderProperties;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.values.Row;
import org.junit.jupiter.api.Test;

/** The compact row coder returns every column kind as Beam's own schema coder would. */
class TableRowCoderTest {
  private static Row withValue(Row row, String field, Object value) {
    List<Object> values = new ArrayList<>(row.getValues());
    values.set(row.getSchema().indexOf(field), value);
    return Row.withSchema(row.getSchema()).addValues(values).build();
  }

  @Test
  void rawRowsRoundTripIncludingNullsNegativesAndHugeDecimals() throws Exception {
    TableRowCoder coder = TableRowCoder.of(RawTable.DEFINITION);
    Row plain = rawRow(sale("T-1", 1), 3, 123_456_789L);
    PosEvent refund = sale("T-2", 2);
    Row odd = withValue(rawRow(refund, 0, 0), "customer_id", null);
    odd = withValue(odd, "discount", new BigDecimal("-0.05"));
    odd = withValue(odd, "total_amount", new BigDecimal("123456789012345678901234567890.12"));
    odd = withValue(odd, "store_id", "Zürich-Ω");
    for (Row row : List.of(plain, odd)) {
      CoderProperties.coderDecodeEncodeEqual(coder, row);
      Row back = CoderUtils.clone(coder, row);
      assertThat(back.getValues()).isEqualTo(row.getValues());
      // same values as Beam's generated coder gives back
      SchemaCoder<Row> beam = SchemaCoder.of(RawTable.DEFINITION.beamSchema());
      assertThat(back).isEqualTo(CoderUtils.clone(beam, row));
    }
    CoderProperties.coderDeterministic(coder, plain, CoderUtils.clone(coder, plain));
  }

  @Test
  void deadLetterAndMartRowsRoundTrip() throws Exception {
    Row dead =
        Row.withSchema(DeadLetterTable.DEFINITION.beamSchema())
            .addValues(
                "pos",
                1,
                7L,
                new org.joda.time.Instant(1_700_000_000_000L),
                null,
                "eyJ4IjoxfQ==",
                7,
                false,
                "NOT_JSON",
                "expected '{'",
                new org.joda.time.Instant(1_700_000_001_000L))
            .build();
    assertThat(CoderUtils.clone(TableRowCoder.of(DeadLetterTable.DEFINITION), dead))
        .isEqualTo(dead);

    Schema martSchema = DailySalesSummaryTable.DEFINITION.beamSchema();
    List<Object> values = new ArrayList<>();
    for (Schema.Field f : martSchema.getFields()) {
      values.add(
          switch (f.getType().getTypeName()) {
            case STRING -> "S001";
            case INT32 -> 3;
            case INT64 -> 42L;
            case DECIMAL -> new BigDecimal("10.50");
            case DATETIME -> new org.joda.time.Instant(1_700_000_000_000L);
            case LOGICAL_TYPE -> LocalDate.of(2026, 11, 24);
            default -> throw new IllegalStateException(f.toString());
          });
    }
    Row mart = Row.withSchema(martSchema).addValues(values).build();
    assertThat(CoderUtils.clone(TableRowCoder.of(DailySalesSummaryTable.DEFINITION), mart))
        .isEqualTo(mart);
  }
}
