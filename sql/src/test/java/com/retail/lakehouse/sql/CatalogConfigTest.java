package com.retail.lakehouse.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import com.retail.lakehouse.common.CatalogFlags;
import com.retail.lakehouse.common.UsageException;
import java.nio.file.Path;
import java.util.List;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.CatalogUtil;
import org.junit.jupiter.api.Test;

/**
 * The Spark side of the catalog flags, and a check that the Iceberg property keys and class names
 * common's {@link CatalogFlags} spells out (it has no Iceberg jar) are the ones Iceberg reads.
 */
class CatalogConfigTest {

  @Test
  void sparkConfRegistersTheCatalogAsTheDefault() {
    CatalogConfig config =
        CatalogConfig.of(
            "jdbc",
            "/data",
            null,
            "jdbc:sqlite:/data/catalog.db",
            List.of("s3.path-style-access=true"));
    String warehouse = Path.of("/data/warehouse").toAbsolutePath().normalize().toString();
    assertThat(config.sparkConf())
        .containsExactly(
            entry("spark.sql.catalog.lakehouse", "org.apache.iceberg.spark.SparkCatalog"),
            entry(
                "spark.sql.catalog.lakehouse.catalog-impl", "org.apache.iceberg.jdbc.JdbcCatalog"),
            entry("spark.sql.catalog.lakehouse.jdbc.schema-version", "V1"),
            entry("spark.sql.catalog.lakehouse.warehouse", warehouse),
            entry("spark.sql.catalog.lakehouse.uri", "jdbc:sqlite:/data/catalog.db"),
            entry("spark.sql.catalog.lakehouse.s3.path-style-access", "true"),
            entry("spark.sql.defaultCatalog", "lakehouse"));
    assertThat(config.describe()).isEqualTo("jdbc catalog at " + warehouse);
  }

  @Test
  void badFlagsAreCommonUsageErrors() {
    assertThatThrownBy(() -> CatalogConfig.of("hive", "/data", null, null, List.of()))
        .isInstanceOf(UsageException.class)
        .hasMessage("unknown --catalog 'hive': use hadoop, jdbc, rest or glue");
  }

  @Test
  void propertyKeysAreIcebergs() {
    assertThat(CatalogFlags.TYPE).isEqualTo(CatalogUtil.ICEBERG_CATALOG_TYPE);
    assertThat(CatalogFlags.CATALOG_IMPL).isEqualTo(CatalogProperties.CATALOG_IMPL);
    assertThat(CatalogFlags.IO_IMPL).isEqualTo(CatalogProperties.FILE_IO_IMPL);
    assertThat(CatalogFlags.WAREHOUSE).isEqualTo(CatalogProperties.WAREHOUSE_LOCATION);
    assertThat(CatalogFlags.URI).isEqualTo(CatalogProperties.URI);
    assertThat(CatalogFlags.of("hadoop", "/data", null, null, null).properties())
        .containsEntry(CatalogUtil.ICEBERG_CATALOG_TYPE, CatalogUtil.ICEBERG_CATALOG_TYPE_HADOOP);
    assertThat(CatalogFlags.of("rest", "/data", null, "http://x", null).properties())
        .containsEntry(CatalogUtil.ICEBERG_CATALOG_TYPE, CatalogUtil.ICEBERG_CATALOG_TYPE_REST);
  }

  @Test
  void implementationClassesExist() throws ClassNotFoundException {
    for (CatalogFlags flags :
        List.of(
            CatalogFlags.of("jdbc", "/data", null, "jdbc:x", null),
            CatalogFlags.of("glue", null, "s3://bucket/wh", null, null))) {
      for (String key : List.of(CatalogFlags.CATALOG_IMPL, CatalogFlags.IO_IMPL)) {
        String className = flags.properties().get(key);
        if (className != null) {
          assertThat(Class.forName(className, false, getClass().getClassLoader())).isNotNull();
        }
      }
    }
  }
}
