package com.retail.lakehouse.sql;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Iceberg catalog the SQL engine reads, from the same flags as the pipelines ({@code --catalog
 * hadoop|jdbc|rest|glue}, {@code --warehouse}, {@code --catalog-uri}, {@code --catalog-properties})
 * and with the same defaults (hadoop on {@code <data-dir>/warehouse}). The properties are the ones
 * {@code transforms}' CatalogSettings gives Iceberg; this module does not depend on transforms so
 * that Beam's jars stay off Spark's classpath.
 */
final class CatalogConfig {
  /** The name the catalog is registered under in Spark (and the session's default catalog). */
  static final String NAME = "lakehouse";

  private final String kind;
  private final Map<String, String> properties;

  private CatalogConfig(String kind, Map<String, String> properties) {
    this.kind = kind;
    this.properties = Map.copyOf(properties);
  }

  /** Thrown for flags that cannot describe a catalog; the command exits 2. */
  static final class UsageException extends RuntimeException {
    UsageException(String message) {
      super(message);
    }
  }

  static CatalogConfig of(
      String catalog, String dataDir, String warehouse, String uri, List<String> extra) {
    String kind = catalog == null ? "hadoop" : catalog.strip().toLowerCase(Locale.ROOT);
    Map<String, String> props = new LinkedHashMap<>();
    switch (kind) {
      case "hadoop" -> props.put("type", "hadoop");
      case "rest" -> props.put("type", "rest");
      case "jdbc" -> {
        props.put("catalog-impl", "org.apache.iceberg.jdbc.JdbcCatalog");
        props.put("jdbc.schema-version", "V1");
      }
      case "glue" -> {
        props.put("catalog-impl", "org.apache.iceberg.aws.glue.GlueCatalog");
        props.put("io-impl", "org.apache.iceberg.aws.s3.S3FileIO");
      }
      default ->
          throw new UsageException(
              "unknown --catalog '" + catalog + "': use hadoop, jdbc, rest or glue");
    }
    if (warehouse == null || warehouse.isBlank()) {
      if (kind.equals("glue")) {
        throw new UsageException("--catalog=glue needs --warehouse=s3://bucket/prefix");
      }
      warehouse = Path.of(dataDir).resolve("warehouse").toAbsolutePath().normalize().toString();
    } else if (!warehouse.contains("://")) {
      warehouse = Path.of(warehouse).toAbsolutePath().normalize().toString();
    }
    if ((kind.equals("jdbc") || kind.equals("rest")) && (uri == null || uri.isBlank())) {
      throw new UsageException("--catalog=" + kind + " needs --catalog-uri");
    }
    props.put("warehouse", warehouse);
    if (uri != null && !uri.isBlank()) {
      props.put("uri", uri);
    }
    for (String pair : extra == null ? List.<String>of() : extra) {
      if (pair.isBlank()) {
        continue;
      }
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new UsageException(
            "--catalog-properties entries look like key=value, got '" + pair + "'");
      }
      props.put(pair.substring(0, eq).strip(), pair.substring(eq + 1).strip());
    }
    return new CatalogConfig(kind, props);
  }

  /** The Iceberg catalog properties. */
  Map<String, String> properties() {
    return properties;
  }

  /** The Spark settings that register the catalog as {@value #NAME} and make it the default. */
  Map<String, String> sparkConf() {
    Map<String, String> conf = new LinkedHashMap<>();
    String prefix = "spark.sql.catalog." + NAME;
    conf.put(prefix, "org.apache.iceberg.spark.SparkCatalog");
    properties.forEach((k, v) -> conf.put(prefix + "." + k, v));
    conf.put("spark.sql.defaultCatalog", NAME);
    return conf;
  }

  /** One line for messages: kind and warehouse (or URI), never secrets. */
  String describe() {
    String where = properties.getOrDefault("warehouse", properties.get("uri"));
    return kind + " catalog at " + where;
  }
}
