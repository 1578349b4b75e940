package com.retail.lakehouse.common;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The one mapping from the catalog flags every command takes ({@code --catalog
 * hadoop|jdbc|rest|glue}, {@code --warehouse}, {@code --catalog-uri}, {@code --catalog-properties
 * key=value,...}, and {@code --data-dir} for the default warehouse) to the catalog kind and the
 * Iceberg catalog properties, with the same defaults and usage errors everywhere.
 *
 * <p>The properties are the ones Iceberg's {@code CatalogUtil.buildIcebergCatalog} reads; the keys
 * are spelled out here so that this module needs no Iceberg jar. Credentials never travel here: S3
 * and Glue use the AWS default provider chain.
 */
public final class CatalogFlags {
  /** The catalog kinds the product supports, named on the command line in lower case. */
  public enum Kind {
    /** Iceberg's Hadoop catalog on a folder (or any Hadoop file system): the local default. */
    HADOOP,
    /** Iceberg's JDBC catalog (a SQLite file or PostgreSQL), reached at {@code --catalog-uri}. */
    JDBC,
    /** An Iceberg REST catalog, reached at {@code --catalog-uri}. */
    REST,
    /** AWS Glue with S3FileIO on an {@code s3://} warehouse, for production. */
    GLUE;

    /** The kind as written in {@code --catalog}, e.g. {@code "jdbc"}. */
    public String flagValue() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The kind when {@code --catalog} is not given. */
  public static final Kind DEFAULT_KIND = Kind.HADOOP;

  /** Iceberg's {@code CatalogUtil.ICEBERG_CATALOG_TYPE}: a built-in catalog by short name. */
  public static final String TYPE = "type";

  /** Iceberg's {@code CatalogProperties.CATALOG_IMPL}: a catalog by class name. */
  public static final String CATALOG_IMPL = "catalog-impl";

  /** Iceberg's {@code CatalogProperties.FILE_IO_IMPL}: the FileIO by class name. */
  public static final String IO_IMPL = "io-impl";

  /** Iceberg's {@code CatalogProperties.WAREHOUSE_LOCATION}. */
  public static final String WAREHOUSE = "warehouse";

  /** Iceberg's {@code CatalogProperties.URI}: the JDBC URL or the REST endpoint. */
  public static final String URI = "uri";

  /** Iceberg's {@code JdbcCatalog} schema version; {@code V1} adds views. */
  public static final String JDBC_SCHEMA_VERSION = "jdbc.schema-version";

  /** A location with a URI scheme ({@code s3://}, {@code hdfs://}, {@code file:/}), not a path. */
  private static final Pattern HAS_SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]+:.*");

  private final Kind kind;
  private final Map<String, String> properties;

  private CatalogFlags(Kind kind, Map<String, String> properties) {
    this.kind = kind;
    this.properties = Collections.unmodifiableMap(new LinkedHashMap<>(properties));
  }

  /**
   * The catalog the flags describe.
   *
   * <ul>
   *   <li>{@code catalog}: hadoop, jdbc, rest or glue, any case; null or blank means hadoop.
   *   <li>{@code warehouse}: a folder (made absolute and normalized) or a URI such as {@code
   *       s3://bucket/prefix} (kept as it is); null or blank means {@code <dataDir>/warehouse},
   *       except for glue, which needs an {@code s3://} warehouse.
   *   <li>{@code uri}: the JDBC URL or the REST endpoint, which jdbc and rest need.
   *   <li>{@code properties}: {@code key=value} entries passed to the catalog as they are (e.g.
   *       {@code s3.endpoint}, {@code s3.path-style-access}, {@code glue.id}); they may override
   *       the properties above. Blank entries are skipped; null means none.
   * </ul>
   *
   * @param dataDir the data folder of the default warehouse; may be null only when a warehouse is
   *     given
   * @throws UsageException for an unknown kind, glue without an {@code s3://}-style warehouse, jdbc
   *     or rest without a URI, or a property entry that is not {@code key=value}
   * @throws NullPointerException if {@code dataDir} is null but needed for the default warehouse
   */
  public static CatalogFlags of(
      String catalog, String dataDir, String warehouse, String uri, List<String> properties) {
    Kind kind = kind(catalog);
    Map<String, String> props = new LinkedHashMap<>();
    switch (kind) {
      case HADOOP -> props.put(TYPE, "hadoop");
      case REST -> props.put(TYPE, "rest");
      case JDBC -> {
        props.put(CATALOG_IMPL, "org.apache.iceberg.jdbc.JdbcCatalog");
        // Creates Iceberg's own tables in the JDBC database on first use; v1 schema adds views.
        props.put(JDBC_SCHEMA_VERSION, "V1");
      }
      case GLUE -> {
        props.put(CATALOG_IMPL, "org.apache.iceberg.aws.glue.GlueCatalog");
        props.put(IO_IMPL, "org.apache.iceberg.aws.s3.S3FileIO");
        // No lock-impl: Glue's optimistic locking is the only safe lock with Glue (AWS docs).
      }
    }
    props.put(WAREHOUSE, warehouse(kind, dataDir, warehouse));
    boolean hasUri = uri != null && !uri.isBlank();
    if ((kind == Kind.JDBC || kind == Kind.REST) && !hasUri) {
      throw new UsageException("--catalog=" + kind.flagValue() + " needs --catalog-uri");
    }
    if (hasUri) {
      props.put(URI, uri.strip());
    }
    for (String entry : properties == null ? List.<String>of() : properties) {
      if (entry == null || entry.isBlank()) {
        continue;
      }
      int eq = entry.indexOf('=');
      String key = eq < 0 ? "" : entry.substring(0, eq).strip();
      if (key.isEmpty()) {
        throw new UsageException(
            "--catalog-properties entries look like key=value, got '" + entry + "'");
      }
      props.put(key, entry.substring(eq + 1).strip());
    }
    return new CatalogFlags(kind, props);
  }

  private static Kind kind(String catalog) {
    if (catalog == null || catalog.isBlank()) {
      return DEFAULT_KIND;
    }
    try {
      return Kind.valueOf(catalog.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new UsageException(
          "unknown --catalog '" + catalog + "': use hadoop, jdbc, rest or glue", e);
    }
  }

  private static String warehouse(Kind kind, String dataDir, String warehouse) {
    boolean given = warehouse != null && !warehouse.isBlank();
    if (kind == Kind.GLUE && (!given || !HAS_SCHEME.matcher(warehouse.strip()).matches())) {
      throw new UsageException(
          "--catalog=glue needs --warehouse=s3://bucket/prefix"
              + (given ? ", got '" + warehouse + "'" : ""));
    }
    if (!given) {
      Objects.requireNonNull(dataDir, "dataDir (for the default warehouse <data-dir>/warehouse)");
      return Path.of(dataDir).resolve("warehouse").toAbsolutePath().normalize().toString();
    }
    String w = warehouse.strip();
    return HAS_SCHEME.matcher(w).matches() ? w : Path.of(w).toAbsolutePath().normalize().toString();
  }

  /** The catalog kind. */
  public Kind kind() {
    return kind;
  }

  /** The Iceberg catalog properties, in a fixed order; unmodifiable. */
  public Map<String, String> properties() {
    return properties;
  }

  /** The warehouse location: an absolute folder or a URI. Never null. */
  public String warehouse() {
    return properties.get(WAREHOUSE);
  }

  /**
   * One line for logs and messages, {@code "<kind> catalog at <warehouse or uri>"}; never the extra
   * properties, which may hold secrets.
   */
  public String describe() {
    String where = warehouse() != null ? warehouse() : properties.get(URI);
    return kind.flagValue() + " catalog at " + where;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CatalogFlags c && kind == c.kind && properties.equals(c.properties);
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, properties);
  }

  /** The same as {@link #describe()}: the properties may hold secrets. */
  @Override
  public String toString() {
    return describe();
  }
}
