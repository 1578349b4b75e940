package com.retail.lakehouse.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResultPrinterTest {
  private static final ResultPrinter.Result RESULT =
      new ResultPrinter.Result(
          List.of("store_id", "day", "revenue", "note"),
          List.of(false, false, true, false),
          List.of(
              new Object[] {"S001", LocalDate.of(2024, 5, 1), new BigDecimal("1234.50"), "a,b"},
              new Object[] {"S002", LocalDate.of(2024, 5, 2), new BigDecimal("7.00"), null}));

  private static String print(ResultPrinter.Format format, ResultPrinter.Result result) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    new ResultPrinter(format, out).print(result, true);
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void tableAlignsNumbersRightAndCountsRows() {
    assertThat(print(ResultPrinter.Format.table, RESULT))
        .isEqualTo(
            String.join(
                "\n",
                " store_id |    day     | revenue | note",
                "----------+------------+---------+------",
                " S001     | 2024-05-01 | 1234.50 | a,b",
                " S002     | 2024-05-02 |    7.00 | NULL",
                "(2 rows)",
                ""));
  }

  @Test
  void csvQuotesWhatNeedsIt() {
    assertThat(print(ResultPrinter.Format.csv, RESULT))
        .isEqualTo(
            "store_id,day,revenue,note\nS001,2024-05-01,1234.50,\"a,b\"\nS002,2024-05-02,7.00,\n");
  }

  @Test
  void jsonWritesOneObjectALineLikeJackson() {
    assertThat(print(ResultPrinter.Format.json, RESULT))
        .isEqualTo(
            "{\"store_id\":\"S001\",\"day\":\"2024-05-01\",\"revenue\":1234.50,\"note\":\"a,b\"}\n"
                + "{\"store_id\":\"S002\",\"day\":\"2024-05-02\",\"revenue\":7.00,\"note\":null}\n");
  }

  @Test
  void jsonNestedValuesEscapesAndSpecialNumbers() {
    Map<String, Object> nested = new LinkedHashMap<>();
    nested.put("k\"1", List.of(1, 2.5, true));
    nested.put("t", LocalDateTime.of(2024, 5, 1, 10, 15, 0, 123_000_000));
    ResultPrinter.Result r =
        new ResultPrinter.Result(
            List.of("m", "s", "nan", "bytes"),
            List.of(false, false, true, false),
            List.<Object[]>of(
                new Object[] {nested, "tab\tnl\n\u0001é/", Double.NaN, new byte[] {1, 2, 3}}));
    assertThat(print(ResultPrinter.Format.json, r))
        .isEqualTo(
            "{\"m\":{\"k\\\"1\":[1,2.5,true],\"t\":\"2024-05-01 10:15:00.123\"},"
                + "\"s\":\"tab\\tnl\\n\\u0001é/\",\"nan\":\"NaN\",\"bytes\":\"AQID\"}\n");
    assertThat(ResultPrinter.text(nested))
        .isEqualTo("{\"k\\\"1\":[1,2.5,true],\"t\":\"2024-05-01 10:15:00.123\"}");
  }

  @Test
  void statementWithoutColumnsPrintsOkInTableFormatOnly() {
    ResultPrinter.Result none = new ResultPrinter.Result(List.of(), List.of(), List.of());
    assertThat(print(ResultPrinter.Format.table, none)).isEqualTo("OK\n");
    assertThat(print(ResultPrinter.Format.csv, none)).isEmpty();
  }
}
