package com.retail.lakehouse.transforms.tables;

import com.retail.lakehouse.common.CatalogFlags;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.catalog.Catalog;

/**
 * Which Iceberg catalog holds the tables and how to reach it: {@code hadoop} on a folder (the local
 * default), {@code jdbc} (SQLite file or PostgreSQL), {@code rest}, or {@code glue} with S3FileIO
 * for production. One code path for all: Iceberg's own {@link CatalogUtil} builds the catalog from
 * properties. Credentials never travel here: S3 and Glue use the AWS default provider chain.
 */
public final class CatalogSettings implements Serializable {
  /** The catalog kinds the product supports. */
  public enum Kind {
    HADOOP,
    JDBC,
    REST,
    GLUE
  }

  private static final Map<CatalogSettings, Catalog> OPEN_CATALOGS = new ConcurrentHashMap<>();

  private final Kind kind;
  private final String name;
  private final Map<String, String> properties;

  private CatalogSettings(Kind kind, String name, Map<String, String> properties) {
    this.kind = kind;
    this.name = name;
    this.properties = Map.copyOf(properties);
  }

  /** Settings from the catalog flags (the one mapping of flags to catalog properties). */
  public static CatalogSettings of(CatalogFlags flags) {
    return new CatalogSettings(Kind.valueOf(flags.kind().name()), "lakehouse", flags.properties());
  }

  /**
   * Settings from launcher-level values. {@code warehouse} is a folder or URI ({@code s3://...} for
   * glue); {@code uri} is the JDBC URL or REST endpoint; {@code extra} are passed to the catalog as
   * they are (e.g. {@code s3.endpoint}, {@code s3.path-style-access}, {@code glue.id}).
   */
  public static CatalogSettings of(
      Kind kind, String warehouse, String uri, Map<String, String> extra) {
    List<String> pairs = new ArrayList<>();
    if (extra != null) {
      extra.forEach((k, v) -> pairs.add(k + "=" + v));
    }
    return of(CatalogFlags.of(kind.name(), null, warehouse, uri, pairs));
  }

  public Kind kind() {
    return kind;
  }

  /** The catalog properties, as Iceberg reads them. */
  public Map<String, String> properties() {
    return properties;
  }

  public String warehouse() {
    return properties.get(CatalogProperties.WAREHOUSE_LOCATION);
  }

  /** The catalog, opened once per JVM and shared by every DoFn that needs it. */
  public Catalog catalog() {
    return OPEN_CATALOGS.computeIfAbsent(
        this, s -> CatalogUtil.buildIcebergCatalog(s.name, s.properties, new Configuration()));
  }

  /** A one-line description for logs: kind and warehouse, never secrets. */
  public String describe() {
    String where = warehouse() != null ? warehouse() : properties.get(CatalogProperties.URI);
    return kind.name().toLowerCase() + " catalog at " + where;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CatalogSettings c
        && kind == c.kind
        && name.equals(c.name)
        && properties.equals(c.properties);
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, name, properties);
  }
}
