package com.retail.lakehouse.common;

import java.io.PrintStream;
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

/**
 * Prints a result as an aligned table (psql/trino style), CSV (RFC 4180) or JSON lines: the output
 * of {@code ./lakehouse sql} and {@code ./lakehouse athena}. JDK only (JSON written here, as
 * Jackson would write it), so an engine's own value types (Spark rows, Scala collections) are
 * turned into Java maps and lists by the caller before printing.
 */
public final class ResultPrinter {
  /** The output formats of {@code --format}. */
  public enum Format {
    table,
    csv,
    json
  }

  /** Timestamps print like Spark and Trino do: {@code 2024-05-01 10:15:00[.123456]}. */
  public static final DateTimeFormatter TIMESTAMP =
      new DateTimeFormatterBuilder()
          .appendPattern("uuuu-MM-dd HH:mm:ss")
          .appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true)
          .toFormatter();

  private final Format format;
  private final PrintStream out;

  public ResultPrinter(Format format, PrintStream out) {
    this.format = format;
    this.out = out;
  }

  /**
   * One statement's result, whatever the engine: column names, which columns are numbers (aligned
   * right), and the rows' values as the engine gave them ({@link #jsonValue} knows their types: JDK
   * values, {@code java.sql} dates and times, byte arrays, Java maps and lists).
   */
  public record Result(List<String> columns, List<Boolean> numeric, List<Object[]> rows) {
    public Result {
      if (columns.size() != numeric.size()) {
        throw new IllegalArgumentException(
            columns.size() + " columns but " + numeric.size() + " numeric flags");
      }
    }
  }

  /** Prints one statement's result; {@code first} tells whether a separator is needed before it. */
  public void print(Result result, boolean first) {
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
    StringBuilder b = new StringBuilder();
    for (Object[] row : result.rows()) {
      b.setLength(0);
      b.append('{');
      for (int c = 0; c < names.size(); c++) {
        if (c > 0) {
          b.append(',');
        }
        writeJsonString(b, names.get(c));
        b.append(':');
        writeJson(b, jsonValue(row[c]));
      }
      out.println(b.append('}'));
    }
  }

  /** A value as text (table and CSV): dates and times as ISO-like text, decimals plain. */
  public static String text(Object v) {
    Object j = jsonValue(v);
    if (j instanceof Map || j instanceof List) {
      StringBuilder b = new StringBuilder();
      writeJson(b, j);
      return b.toString();
    }
    if (j instanceof BigDecimal d) {
      return d.toPlainString();
    }
    return String.valueOf(j);
  }

  /** A value as JSON writes it: numbers and booleans as they are, nested values as maps/lists. */
  public static Object jsonValue(Object v) {
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
    return v.toString();
  }

  /**
   * Appends a {@link #jsonValue} result as JSON, byte for byte as Jackson's default writer did
   * before this class left the sql module: decimals plain, NaN/Infinity quoted, control characters
   * escaped, other characters as they are.
   */
  private static void writeJson(StringBuilder b, Object v) {
    if (v == null) {
      b.append("null");
    } else if (v instanceof String s) {
      writeJsonString(b, s);
    } else if (v instanceof BigDecimal d) {
      b.append(d.toPlainString());
    } else if (v instanceof Double d && (d.isNaN() || d.isInfinite())) {
      writeJsonString(b, d.toString());
    } else if (v instanceof Float f && (f.isNaN() || f.isInfinite())) {
      writeJsonString(b, f.toString());
    } else if (v instanceof Number || v instanceof Boolean) {
      b.append(v);
    } else if (v instanceof Map<?, ?> m) {
      b.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!first) {
          b.append(',');
        }
        first = false;
        writeJsonString(b, String.valueOf(e.getKey()));
        b.append(':');
        writeJson(b, e.getValue());
      }
      b.append('}');
    } else if (v instanceof List<?> l) {
      b.append('[');
      for (int i = 0; i < l.size(); i++) {
        if (i > 0) {
          b.append(',');
        }
        writeJson(b, l.get(i));
      }
      b.append(']');
    } else {
      writeJsonString(b, v.toString());
    }
  }

  private static void writeJsonString(StringBuilder b, String s) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      switch (ch) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        case '\b' -> b.append("\\b");
        case '\f' -> b.append("\\f");
        default -> {
          if (ch < 0x20) {
            b.append(String.format("\\u%04X", (int) ch));
          } else {
            b.append(ch);
          }
        }
      }
    }
    b.append('"');
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
