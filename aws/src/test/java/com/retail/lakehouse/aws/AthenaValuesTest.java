package com.retail.lakehouse.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;

/** Athena's text values typed as Trino's JDBC driver gives them to ./lakehouse sql. */
class AthenaValuesTest {
  @Test
  void numbersBooleansDatesAndTimes() {
    assertThat(AthenaCommand.value("42", "integer")).isEqualTo(42);
    assertThat(AthenaCommand.value("9000000000", "bigint")).isEqualTo(9_000_000_000L);
    assertThat(AthenaCommand.value("1.5", "double")).isEqualTo(1.5d);
    assertThat(AthenaCommand.value("1.5", "real")).isEqualTo(1.5f);
    assertThat(AthenaCommand.value("0.10", "decimal(12,2)")).isEqualTo(new BigDecimal("0.10"));
    assertThat(AthenaCommand.value("true", "boolean")).isEqualTo(true);
    assertThat(AthenaCommand.value("2024-05-01", "date")).isEqualTo(LocalDate.of(2024, 5, 1));
    assertThat(AthenaCommand.value("2024-05-01 10:15:00.123", "timestamp"))
        .isEqualTo(LocalDateTime.of(2024, 5, 1, 10, 15, 0, 123_000_000));
    assertThat(AthenaCommand.value("2024-05-01 10:15:00.000 UTC", "timestamp with time zone"))
        .isEqualTo(ZonedDateTime.of(2024, 5, 1, 10, 15, 0, 0, ZoneId.of("UTC")));
    assertThat(AthenaCommand.value("2024-05-01 10:15:00.000 UTC", "timestamp(3) with time zone"))
        .isEqualTo(ZonedDateTime.of(2024, 5, 1, 10, 15, 0, 0, ZoneId.of("UTC")));
  }

  @Test
  void nullStaysNullAndWhatDoesNotParseStaysText() {
    assertThat(AthenaCommand.value(null, "bigint")).isNull();
    assertThat(AthenaCommand.value("NaN", "double")).isEqualTo(Double.NaN);
    assertThat(AthenaCommand.value("not a number", "bigint")).isEqualTo("not a number");
    assertThat(AthenaCommand.value("2024-05-01 10:15 Mars/Base", "timestamp with time zone"))
        .isEqualTo("2024-05-01 10:15 Mars/Base");
    assertThat(AthenaCommand.value("[1, 2]", "array(integer)")).isEqualTo("[1, 2]");
    assertThat(AthenaCommand.value("S001", "varchar(10)")).isEqualTo("S001");
  }

  @Test
  void baseTypes() {
    assertThat(AthenaCommand.baseType("decimal(38,2)")).isEqualTo("decimal");
    assertThat(AthenaCommand.baseType("timestamp(6) with time zone"))
        .isEqualTo("timestamp with time zone");
    assertThat(AthenaCommand.baseType("bigint")).isEqualTo("bigint");
  }
}
