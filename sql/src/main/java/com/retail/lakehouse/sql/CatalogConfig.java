package com.retail.lakehouse.sql;

import com.retail.lakehouse.common.CatalogFlags;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Iceberg catalog the SQL engine reads, from the same flags as the pipelines ({@code --catalog
 * hadoop|jdbc|rest|glue}, {@code --warehouse}, {@code --catalog-uri}, {@code --catalog-properties})
 * with the same defaults and errors: both map them with {@link CatalogFlags}. This class adds only
 * the Spark settings that register the catalog; the module does not depend on transforms so that
 * Beam's jars stay off Spark's classpath.
 */
final class CatalogConfig {
  /** The name the catalog is registered under in Spark (and the session's default catalog). */
  static final String NAME = "lakehouse";

  private final CatalogFlags flags;

  private CatalogConfig(CatalogFlags flags) {
    this.flags = flags;
  }

  /**
   * The catalog of the command's flags.
   *
   * @throws com.retail.lakehouse.common.UsageException for flags that cannot describe a catalog
   */
  static CatalogConfig of(
      String catalog, String dataDir, String warehouse, String uri, List<String> extra) {
    return new CatalogConfig(CatalogFlags.of(catalog, dataDir, warehouse, uri, extra));
  }

  /** The Iceberg catalog properties. */
  Map<String, String> properties() {
    return flags.properties();
  }

  /** The Spark settings that register the catalog as {@value #NAME} and make it the default. */
  Map<String, String> sparkConf() {
    Map<String, String> conf = new LinkedHashMap<>();
    String prefix = "spark.sql.catalog." + NAME;
    conf.put(prefix, "org.apache.iceberg.spark.SparkCatalog");
    flags.properties().forEach((k, v) -> conf.put(prefix + "." + k, v));
    conf.put("spark.sql.defaultCatalog", NAME);
    return conf;
  }

  /** One line for messages: kind and warehouse (or URI), never secrets. */
  String describe() {
    return flags.describe();
  }
}
