package com.retail.lakehouse.sql;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.collection.JavaConverters;

/** Prints a result as an aligned table (psql/trino style), CSV (RFC 4180) or JSON lines. */
final class ResultPrinter {
  /** The output formats of {@code --format}. */
  enum Format {
    table,
    csv,
    json
  }

  /** Timestamps print like Spark and Trino do: {@code 2024-05-01 10:15:00[.123456]}. */
  static final DateTimeFormatter TIMESTAMP =
      new DateTimeFormatterBuilder()
          .appendPattern("uuuu-MM-dd HH:mm:ss")
          .appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true)
          .toFormatter();

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonFactory JSON_FACTORY =
      JsonFactory.builder()
          .enable(com.fasterxml.jackson.core.StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
          .build();

  private final Format format;
  private final PrintStream out;

  ResultPrinter(Format format, PrintStream out) {
    this.format = format;
    this.out = out;
  }

  /**
   * One statement's result, whatever the engine: column names, which columns are numbers (aligned
   * right), and the rows' values as the engine gave them ({@link #jsonValue} knows their types).
   */
  record Result(List<String> columns, List<Boolean> numeric, List<Object[]> rows) {
    Result {
      if (columns.size() != numeric.size()) {
        throw new IllegalArgumentException(
            columns.size() + " columns but " + numeric.size() + " numeric flags");
      }
    }

    /** A Spark result. */
    static Result of(StructType schema, List<Row> rows) {
      List<String> columns = new ArrayList<>();
      List<Boolean> numeric = new ArrayList<>();
      for (StructField f : schema.fields()) {
        columns.add(f.name());
        numeric.add(f.dataType() instanceof NumericType);
      }
      List<Object[]> values = new ArrayList<>(rows.size());
      for (Row row : rows) {
        Object[] line = new Object[columns.size()];
        for (int c = 0; c < line.length; c++) {
          line[c] = row.get(c);
        }
        values.add(line);
      }
      return new Result(columns, numeric, values);
    }
  }

  /** Prints one statement's result; {@code first} tells whether a separator is needed before it. */
  void print(Result result, boolean first) {
    if (result.columns().isEmpty()) {
      if (format == Format.table) {
        if (!first) {
          out.println();
        }
        out.println("OK");
      }
      return;
    }
    switch (format) {
      case table -> {
        if (!first) {
          out.println();
        }
        printTable(result);
      }
      case csv -> {
        if (!first) {
          out.println();
        }
        printCsv(result);
      }
      case json -> printJson(result);
    }
    out.flush();
  }

  private void printTable(Result result) {
    List<String> names = result.columns();
    int cols = names.size();
    int[] width = new int[cols];
    for (int c = 0; c < cols; c++) {
      width[c] = names.get(c).length();
    }
    List<String[]> cells = new ArrayList<>(result.rows().size());
    for (Object[] row : result.rows()) {
      String[] line = new String[cols];
      for (int c = 0; c < cols; c++) {
        Object v = row[c];
        line[c] = v == null ? "NULL" : oneLine(text(v));
        width[c] = Math.max(width[c], line[c].length());
      }
      cells.add(line);
    }
    StringBuilder header = new StringBuilder();
    StringBuilder rule = new StringBuilder();
    for (int c = 0; c < cols; c++) {
      if (c > 0) {
        header.append('|');
        rule.append('+');
      }
      String name = names.get(c);
      int pad = width[c] - name.length();
      header
          .append(' ')
          .append(" ".repeat(pad / 2))
          .append(name)
          .append(" ".repeat(pad - pad / 2))
          .append(' ');
      rule.append("-".repeat(width[c] + 2));
    }
    out.println(stripEnd(header));
    out.println(rule);
    for (String[] line : cells) {
      StringBuilder b = new StringBuilder();
      for (int c = 0; c < cols; c++) {
        if (c > 0) {
          b.append('|');
        }
        String pad = " ".repeat(width[c] - line[c].length());
        b.append(' ').append(result.numeric().get(c) ? pad + line[c] : line[c] + pad).append(' ');
      }
      out.println(stripEnd(b));
    }
    int n = result.rows().size();
    out.println(n == 1 ? "(1 row)" : "(" + n + " rows)");
  }

  private void printCsv(Result result) {
    StringBuilder b = new StringBuilder();
    List<String> names = result.columns();
    for (int c = 0; c < names.size(); c++) {
      b.append(c > 0 ? "," : "").append(csv(names.get(c)));
    }
    out.println(b);
    for (Object[] row : result.rows()) {
      b.setLength(0);
      for (int c = 0; c < names.size(); c++) {
        Object v = row[c];
        b.append(c > 0 ? "," : "").append(v == null ? "" : csv(text(v)));
      }
      out.println(b);
    }
  }

  private void printJson(Result result) {
    List<String> names = result.columns();
    for (Object[] row : result.rows()) {
      java.io.StringWriter w = new java.io.StringWriter();
      try (JsonGenerator g = JSON_FACTORY.createGenerator(w)) {
        g.setCodec(JSON);
        g.writeStartObject();
        for (int c = 0; c < names.size(); c++) {
          g.writeFieldName(names.get(c));
          g.writeObject(jsonValue(row[c]));
        }
        g.writeEndObject();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      out.println(w);
    }
  }

  /** A value as text (table and CSV): dates and times as ISO-like text, decimals plain. */
  static String text(Object v) {
    Object j = jsonValue(v);
    if (j instanceof Map || j instanceof List) {
      try {
        return JSON.writeValueAsString(j);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    if (j instanceof BigDecimal d) {
      return d.toPlainString();
    }
    return String.valueOf(j);
  }

  /**
   * A value as Jackson writes it: numbers and booleans as they are, nested values as maps/lists.
   */
  static Object jsonValue(Object v) {
    if (v == null || v instanceof Number || v instanceof Boolean || v instanceof String) {
      return v;
    }
    if (v instanceof LocalDateTime t) {
      return TIMESTAMP.format(t);
    }
    if (v instanceof Instant t) {
      return TIMESTAMP.format(LocalDateTime.ofInstant(t, ZoneOffset.UTC));
    }
    if (v instanceof java.time.ZonedDateTime t) {
      return TIMESTAMP.format(LocalDateTime.ofInstant(t.toInstant(), ZoneOffset.UTC));
    }
    if (v instanceof java.sql.Timestamp t) {
      return TIMESTAMP.format(LocalDateTime.ofInstant(t.toInstant(), ZoneOffset.UTC));
    }
    if (v instanceof LocalDate || v instanceof java.sql.Date) {
      return v.toString();
    }
    if (v instanceof byte[] bytes) {
      return Base64.getEncoder().encodeToString(bytes);
    }
    if (v instanceof Row r) {
      Map<String, Object> m = new LinkedHashMap<>();
      String[] names = r.schema() != null ? r.schema().fieldNames() : null;
      for (int i = 0; i < r.length(); i++) {
        m.put(names != null ? names[i] : "_" + (i + 1), jsonValue(r.get(i)));
      }
      return m;
    }
    if (v instanceof Map<?, ?> jm) {
      Map<String, Object> m = new LinkedHashMap<>();
      jm.forEach((k, x) -> m.put(String.valueOf(jsonValue(k)), jsonValue(x)));
      return m;
    }
    if (v instanceof List<?> jl) {
      List<Object> l = new ArrayList<>();
      jl.forEach(x -> l.add(jsonValue(x)));
      return l;
    }
    if (v instanceof scala.collection.Map<?, ?> sm) {
      Map<String, Object> m = new LinkedHashMap<>();
      JavaConverters.mapAsJavaMap(sm)
          .forEach((k, x) -> m.put(String.valueOf(jsonValue(k)), jsonValue(x)));
      return m;
    }
    if (v instanceof scala.collection.Seq<?> seq) {
      List<Object> l = new ArrayList<>();
      JavaConverters.seqAsJavaList(seq).forEach(x -> l.add(jsonValue(x)));
      return l;
    }
    return v.toString();
  }

  private static String csv(String s) {
    if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
      return s;
    }
    return '"' + s.replace("\"", "\"\"") + '"';
  }

  private static String oneLine(String s) {
    return s.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t");
  }

  private static String stripEnd(StringBuilder b) {
    return b.toString().stripTrailing();
  }
}
