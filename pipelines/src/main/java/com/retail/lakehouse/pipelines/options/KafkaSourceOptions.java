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

  @Description(
      "How long a run waits for Kafka when the broker does not answer (down, restarting,"
          + " unreachable) before it fails with one line, e.g. 30s, 2m: each call that plans a"
          + " run, and a catch-up reader that gets no message while offsets remain (it waits on as"
          + " long as the broker answers). A repeating ingest (--every) tries again at its next"
          + " run; the streaming job's KafkaIO reader waits for the broker without limit.")
  @Default.String("1m")
  String getKafkaTimeout();

  void setKafkaTimeout(String value);
}
