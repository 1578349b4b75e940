package com.retail.lakehouse.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import com.retail.lakehouse.common.CatalogFlags.Kind;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class CatalogFlagsTest {
  private static final String DATA_DIR = "/data/lakehouse";

  private static String absolute(String path) {
    return Path.of(path).toAbsolutePath().normalize().toString();
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"  ", "hadoop", "HADOOP", " Hadoop "})
  void hadoopOnTheDataDirIsTheDefault(String catalog) {
    CatalogFlags flags = CatalogFlags.of(catalog, DATA_DIR, null, null, null);
    assertThat(flags.kind()).isEqualTo(Kind.HADOOP);
    assertThat(flags.properties())
        .containsExactly(
            entry("type", "hadoop"), entry("warehouse", absolute("/data/lakehouse/warehouse")));
    assertThat(flags.warehouse()).isEqualTo(absolute("/data/lakehouse/warehouse"));
    assertThat(flags.describe())
        .isEqualTo("hadoop catalog at " + absolute("/data/lakehouse/warehouse"));
  }

  @Test
  void aRelativeDataDirOrWarehouseIsMadeAbsoluteAndNormalized() {
    assertThat(
            CatalogFlags.of("hadoop", "./data/../lakehouse-data", "", null, List.of()).warehouse())
        .isEqualTo(absolute("lakehouse-data/warehouse"));
    assertThat(CatalogFlags.of("hadoop", DATA_DIR, "wh/./x/../tables", null, List.of()).warehouse())
        .isEqualTo(absolute("wh/tables"))
        .startsWith("/");
  }

  @Test
  void aUriWarehouseIsKeptAsItIs() {
    for (String uri :
        List.of("s3://bucket/prefix", "s3a://bucket/a/../b", "hdfs://nn:8020/wh", "file:/tmp/wh")) {
      assertThat(CatalogFlags.of("hadoop", DATA_DIR, uri, null, null).warehouse()).isEqualTo(uri);
    }
  }

  @Test
  void jdbcNeedsAUriAndUsesSchemaV1() {
    CatalogFlags flags =
        CatalogFlags.of("jdbc", DATA_DIR, null, "jdbc:sqlite:/data/catalog.db", List.of());
    assertThat(flags.kind()).isEqualTo(Kind.JDBC);
    assertThat(flags.properties())
        .containsExactly(
            entry("catalog-impl", "org.apache.iceberg.jdbc.JdbcCatalog"),
            entry("jdbc.schema-version", "V1"),
            entry("warehouse", absolute("/data/lakehouse/warehouse")),
            entry("uri", "jdbc:sqlite:/data/catalog.db"));
    assertThat(flags.describe())
        .isEqualTo("jdbc catalog at " + absolute("/data/lakehouse/warehouse"));
  }

  @Test
  void restNeedsAUri() {
    CatalogFlags flags =
        CatalogFlags.of("REST", DATA_DIR, "s3://bucket/wh", "http://127.0.0.1:8181", null);
    assertThat(flags.kind()).isEqualTo(Kind.REST);
    assertThat(flags.properties())
        .containsExactly(
            entry("type", "rest"),
            entry("warehouse", "s3://bucket/wh"),
            entry("uri", "http://127.0.0.1:8181"));
    assertThat(flags.describe()).isEqualTo("rest catalog at s3://bucket/wh");
  }

  @Test
  void glueUsesS3FileIoOnAnS3Warehouse() {
    CatalogFlags flags =
        CatalogFlags.of("glue", null, "s3://bucket/prefix", null, List.of("glue.id=123456789012"));
    assertThat(flags.kind()).isEqualTo(Kind.GLUE);
    assertThat(flags.properties())
        .containsExactly(
            entry("catalog-impl", "org.apache.iceberg.aws.glue.GlueCatalog"),
            entry("io-impl", "org.apache.iceberg.aws.s3.S3FileIO"),
            entry("warehouse", "s3://bucket/prefix"),
            entry("glue.id", "123456789012"));
    assertThat(flags.describe()).isEqualTo("glue catalog at s3://bucket/prefix");
  }

  @Test
  void aUriIsPassedForEveryKind() {
    assertThat(CatalogFlags.of("hadoop", DATA_DIR, null, "thrift://x", null).properties())
        .containsEntry("uri", "thrift://x");
    assertThat(CatalogFlags.of("hadoop", DATA_DIR, null, "  ", null).properties())
        .doesNotContainKey("uri");
  }

  @Test
  void extraPropertiesArePassedAsTheyAreAndMayOverride() {
    CatalogFlags flags =
        CatalogFlags.of(
            "hadoop",
            DATA_DIR,
            null,
            null,
            Arrays.asList(
                " s3.endpoint = http://127.0.0.1:9000 ",
                "",
                null,
                "s3.path-style-access=true",
                "empty=",
                "a=b=c",
                "type=custom"));
    assertThat(flags.properties())
        .containsExactly(
            entry("type", "custom"),
            entry("warehouse", absolute("/data/lakehouse/warehouse")),
            entry("s3.endpoint", "http://127.0.0.1:9000"),
            entry("s3.path-style-access", "true"),
            entry("empty", ""),
            entry("a", "b=c"));
  }

  @Test
  void propertiesAreUnmodifiable() {
    Map<String, String> props = CatalogFlags.of(null, DATA_DIR, null, null, null).properties();
    assertThatThrownBy(() -> props.put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void equalFlagsAreEqualAndPrintNoSecrets() {
    CatalogFlags a = CatalogFlags.of("jdbc", DATA_DIR, null, "jdbc:x", List.of("jdbc.password=s"));
    CatalogFlags b = CatalogFlags.of("JDBC", DATA_DIR, null, "jdbc:x", List.of("jdbc.password=s"));
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a).isNotEqualTo(CatalogFlags.of("jdbc", DATA_DIR, null, "jdbc:y", null));
    assertThat(a.toString()).isEqualTo(a.describe()).doesNotContain("password");
  }

  @Test
  void kindsAreNamedInLowerCaseOnTheCommandLine() {
    assertThat(Arrays.stream(Kind.values()).map(Kind::flagValue))
        .containsExactly("hadoop", "jdbc", "rest", "glue");
    assertThat(CatalogFlags.DEFAULT_KIND).isEqualTo(Kind.HADOOP);
  }

  @ParameterizedTest
  @ValueSource(strings = {"hive", "nessie", "hadoop2", "glue,jdbc"})
  void unknownKindIsAUsageError(String catalog) {
    assertThatThrownBy(() -> CatalogFlags.of(catalog, DATA_DIR, null, null, null))
        .isInstanceOf(UsageException.class)
        .hasMessage("unknown --catalog '" + catalog + "': use hadoop, jdbc, rest or glue");
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {" "})
  void glueWithoutWarehouseIsAUsageError(String warehouse) {
    assertThatThrownBy(() -> CatalogFlags.of("glue", DATA_DIR, warehouse, null, null))
        .isInstanceOf(UsageException.class)
        .hasMessage("--catalog=glue needs --warehouse=s3://bucket/prefix");
  }

  @Test
  void glueOnALocalFolderIsAUsageError() {
    assertThatThrownBy(() -> CatalogFlags.of("glue", DATA_DIR, "/data/wh", null, null))
        .isInstanceOf(UsageException.class)
        .hasMessage("--catalog=glue needs --warehouse=s3://bucket/prefix, got '/data/wh'");
  }

  @ParameterizedTest
  @ValueSource(strings = {"jdbc", "rest"})
  void jdbcAndRestWithoutUriAreUsageErrors(String catalog) {
    for (String uri : Arrays.asList(null, "", "  ")) {
      assertThatThrownBy(() -> CatalogFlags.of(catalog, DATA_DIR, null, uri, null))
          .isInstanceOf(UsageException.class)
          .hasMessage("--catalog=" + catalog + " needs --catalog-uri");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"novalue", "=value", " =value", "  x  "})
  void aPropertyThatIsNotKeyValueIsAUsageError(String entry) {
    assertThatThrownBy(() -> CatalogFlags.of("hadoop", DATA_DIR, null, null, List.of(entry)))
        .isInstanceOf(UsageException.class)
        .hasMessage("--catalog-properties entries look like key=value, got '" + entry + "'");
  }

  @Test
  void theDataDirIsNeededOnlyForTheDefaultWarehouse() {
    assertThat(CatalogFlags.of("hadoop", null, "/wh", null, null).warehouse())
        .isEqualTo(absolute("/wh"));
    assertThatNullPointerException()
        .isThrownBy(() -> CatalogFlags.of("hadoop", null, null, null, null))
        .withMessageContaining("dataDir");
  }
}
