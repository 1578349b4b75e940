package com.retail.lakehouse.pipelines.options;

import com.retail.lakehouse.common.CatalogFlags;
import com.retail.lakehouse.transforms.tables.CatalogSettings;

/** Builds the catalog settings a command's options describe, with the local defaults filled in. */
public final class CatalogFromOptions {
  private CatalogFromOptions() {}

  /**
   * The catalog of {@code options}; the hadoop catalog under {@code <data-dir>/warehouse} by
   * default.
   */
  public static <T extends CatalogOptions & LakehouseOptions> CatalogSettings settings(T options) {
    return CatalogSettings.of(
        CatalogFlags.of(
            options.getCatalog(),
            options.getDataDir(),
            options.getWarehouse(),
            options.getCatalogUri(),
            options.getCatalogProperties()));
  }
}
