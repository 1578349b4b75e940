package com.retail.lakehouse.sql;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * The embedded engine: Spark SQL in local mode with the lakehouse catalog as the default catalog.
 */
final class SqlSession {
  private SqlSession() {}

  /** All settings of the session; the catalog's settings come last and may not be overridden. */
  static Map<String, String> conf(CatalogConfig catalog) {
    Map<String, String> conf = new LinkedHashMap<>();
    conf.put("spark.master", "local[2]");
    conf.put("spark.app.name", "lakehouse-sql");
    conf.put("spark.ui.enabled", "false");
    conf.put("spark.ui.showConsoleProgress", "false");
    conf.put("spark.driver.host", "127.0.0.1");
    conf.put("spark.driver.bindAddress", "127.0.0.1");
    conf.put("spark.sql.shuffle.partitions", "4");
    conf.put("spark.sql.session.timeZone", "UTC");
    // LocalDate / Instant rather than java.sql.Date / Timestamp (no JVM-zone shifts when printing).
    conf.put("spark.sql.datetime.java8API.enabled", "true");
    conf.put(
        "spark.sql.extensions",
        "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions");
    conf.putAll(catalog.sparkConf());
    return conf;
  }

  /** The session of this JVM (an existing one is reused, e.g. by tests). */
  static SparkSession open(CatalogConfig catalog) {
    SparkSession.Builder builder = SparkSession.builder();
    conf(catalog).forEach(builder::config);
    return builder.getOrCreate();
  }
}
