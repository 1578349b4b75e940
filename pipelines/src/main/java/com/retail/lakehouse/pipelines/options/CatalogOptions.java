package com.retail.lakehouse.pipelines.options;

import java.util.List;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Which Iceberg catalog and warehouse hold the tables. */
public interface CatalogOptions extends PipelineOptions {
  @Description(
      "Iceberg catalog: hadoop (a folder; the local default), jdbc (SQLite file or PostgreSQL),"
          + " rest, or glue (production, with S3FileIO).")
  @Default.String("hadoop")
  String getCatalog();

  void setCatalog(String value);

  @Description(
      "Warehouse location: a folder, or s3://bucket/prefix. Default: <data-dir>/warehouse.")
  String getWarehouse();

  void setWarehouse(String value);

  @Description(
      "Catalog URI: the JDBC URL (jdbc:sqlite:/path/catalog.db, jdbc:postgresql://...) or the REST"
          + " endpoint.")
  String getCatalogUri();

  void setCatalogUri(String value);

  @Description(
      "Extra catalog properties as key=value, comma separated (e.g."
          + " s3.endpoint=http://127.0.0.1:9000,s3.path-style-access=true,glue.id=123456789012)."
          + " Credentials come from the AWS default provider chain, never from here.")
  @Default.InstanceFactory(EmptyList.class)
  List<String> getCatalogProperties();

  void setCatalogProperties(List<String> value);

  /** An empty list default. */
  class EmptyList implements org.apache.beam.sdk.options.DefaultValueFactory<List<String>> {
    @Override
    public List<String> create(PipelineOptions options) {
      return List.of();
    }
  }
}
