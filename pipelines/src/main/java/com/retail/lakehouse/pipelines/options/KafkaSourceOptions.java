package com.retail.lakehouse.pipelines.options;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;

/** Where POS events are read from. */
public interface KafkaSourceOptions extends PipelineOptions {
  @Description(
      "Kafka bootstrap servers. Absent: start (or attach to) the local broker of --data-dir.")
  String getBootstrapServers();

  void setBootstrapServers(String value);

  @Description("Kafka topic of POS events.")
  @Default.String("pos_transactions")
  String getTopic();

  void setTopic(String value);

  @Description(
      "Kafka consumer group. Ingest resumes from the offsets recorded in the tables, not from this"
          + " group; the group is updated after each commit so lag tools show progress.")
  @Default.String("lakehouse-ingest")
  String getConsumerGroup();

  void setConsumerGroup(String value);
}
