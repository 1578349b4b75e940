package com.retail.lakehouse.pipelines.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Options every lakehouse command shares: where local data lives and where the summary goes. */
public interface LakehouseOptions extends PipelineOptions {
  @Description("Folder for local data: broker log, warehouse, manifests, run records.")
  @Default.String("lakehouse-data")
  String getDataDir();

  void setDataDir(String value);

  @Description("Also write the end-of-run summary as JSON to this file.")
  String getSummaryJson();

  void setSummaryJson(String value);
}
