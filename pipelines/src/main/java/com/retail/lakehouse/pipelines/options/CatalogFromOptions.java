package com.retail.lakehouse.pipelines.options;

import com.retail.lakehouse.pipelines.cli.PipelineArgs.UsageException;
import com.retail.lakehouse.transforms.tables.CatalogSettings;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Builds the catalog settings a command's options describe, with the local defaults filled in. */
public final class CatalogFromOptions {
  private CatalogFromOptions() {}

  /**
   * The catalog of {@code options}; the hadoop catalog under {@code <data-dir>/warehouse} by
   * default.
   */
  public static <T extends CatalogOptions & LakehouseOptions> CatalogSettings settings(T options) {
    CatalogSettings.Kind kind;
    try {
      kind = CatalogSettings.Kind.valueOf(options.getCatalog().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new UsageException(
          "unknown --catalog '" + options.getCatalog() + "': use hadoop, jdbc, rest or glue");
    }
    String warehouse = options.getWarehouse();
    if (warehouse == null || warehouse.isBlank()) {
      if (kind == CatalogSettings.Kind.GLUE) {
        throw new UsageException("--catalog=glue needs --warehouse=s3://bucket/prefix");
      }
      warehouse = Path.of(options.getDataDir()).resolve("warehouse").toAbsolutePath().toString();
    }
    if ((kind == CatalogSettings.Kind.JDBC || kind == CatalogSettings.Kind.REST)
        && (options.getCatalogUri() == null || options.getCatalogUri().isBlank())) {
      throw new UsageException(
          "--catalog=" + kind.name().toLowerCase(Locale.ROOT) + " needs --catalog-uri");
    }
    Map<String, String> extra = new LinkedHashMap<>();
    for (String pair : options.getCatalogProperties()) {
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new UsageException(
            "--catalog-properties entries look like key=value, got '" + pair + "'");
      }
      extra.put(pair.substring(0, eq).strip(), pair.substring(eq + 1).strip());
    }
    return CatalogSettings.of(kind, warehouse, options.getCatalogUri(), extra);
  }
}
