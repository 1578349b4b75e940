package com.retail.lakehouse.sql;

import com.retail.lakehouse.common.ResultPrinter;
import com.retail.lakehouse.common.TrinoEndpoint;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * {@code ./lakehouse sql --engine trino}: the statements go to the data folder's local Trino
 * ({@code ./lakehouse trino start}) through Trino's own JDBC driver, the way a BI tool sends them,
 * with the session pinned to UTC like the Spark engine's. Values are read as the types they are
 * (timestamps as local or zoned date-times, never through the JVM's zone), so both engines print
 * the same text for the same rows.
 */
final class TrinoEngine implements AutoCloseable {
  private final Connection connection;

  private TrinoEngine(Connection connection) {
    this.connection = connection;
  }

  /**
   * Connects to {@code url}, or to the running Trino of {@code dataDir} when {@code url} is null.
   *
   * @throws IllegalStateException when no Trino runs for the data folder (the message says how to
   *     start one)
   */
  static TrinoEngine connect(String url, String user, Path dataDir) throws SQLException {
    String jdbcUrl = url;
    if (jdbcUrl == null) {
      jdbcUrl =
          TrinoEndpoint.running(dataDir)
              .map(TrinoEndpoint::jdbcUrl)
              .orElseThrow(
                  () ->
                      new IllegalStateException(
                          "no Trino runs for "
                              + dataDir
                              + ": start it with ./lakehouse trino start --data-dir "
                              + dataDir
                              + " (or pass --trino-url)"));
    }
    Properties p = new Properties();
    p.setProperty("user", user);
    p.setProperty("timezone", "UTC");
    return new TrinoEngine(DriverManager.getConnection(jdbcUrl, p));
  }

  /** Runs one statement and returns its result (no columns for a statement without rows). */
  ResultPrinter.Result run(String sql) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      if (!statement.execute(sql)) {
        return new ResultPrinter.Result(List.of(), List.of(), List.of());
      }
      try (ResultSet rs = statement.getResultSet()) {
        ResultSetMetaData meta = rs.getMetaData();
        int cols = meta.getColumnCount();
        List<String> names = new ArrayList<>(cols);
        List<Boolean> numeric = new ArrayList<>(cols);
        for (int c = 1; c <= cols; c++) {
          names.add(meta.getColumnLabel(c));
          numeric.add(isNumber(meta.getColumnType(c)));
        }
        List<Object[]> rows = new ArrayList<>();
        while (rs.next()) {
          Object[] row = new Object[cols];
          for (int c = 1; c <= cols; c++) {
            row[c - 1] = value(rs, c, meta.getColumnType(c));
          }
          rows.add(row);
        }
        return new ResultPrinter.Result(names, numeric, rows);
      }
    }
  }

  private static Object value(ResultSet rs, int c, int type) throws SQLException {
    Object v =
        switch (type) {
          case Types.TIMESTAMP -> rs.getObject(c, LocalDateTime.class);
          case Types.TIMESTAMP_WITH_TIMEZONE -> rs.getObject(c, ZonedDateTime.class);
          case Types.DATE -> rs.getObject(c, LocalDate.class);
          case Types.TIME, Types.TIME_WITH_TIMEZONE -> rs.getString(c);
          default -> rs.getObject(c);
        };
    return rs.wasNull() ? null : v;
  }

  private static boolean isNumber(int type) {
    return switch (type) {
      case Types.TINYINT,
          Types.SMALLINT,
          Types.INTEGER,
          Types.BIGINT,
          Types.REAL,
          Types.FLOAT,
          Types.DOUBLE,
          Types.DECIMAL,
          Types.NUMERIC ->
          true;
      default -> false;
    };
  }

  @Override
  public void close() throws SQLException {
    connection.close();
  }
}
