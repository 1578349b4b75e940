package com.retail.lakehouse.pipelines.ingest;

import com.retail.lakehouse.pipelines.options.CatalogOptions;
import com.retail.lakehouse.pipelines.options.KafkaSourceOptions;
import com.retail.lakehouse.pipelines.options.LakehouseOptions;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;

/** Options of the ingest job: Kafka source, catalog, run bounds, validation and de-duplication. */
public interface IngestOptions extends LakehouseOptions, KafkaSourceOptions, CatalogOptions {
  @Description(
      "catch-up: bounded runs, each reading up to the end offsets seen at its start (any runner);"
          + " streaming: one continuous KafkaIO job committing every --commit-interval (direct and"
          + " flink).")
  @Default.String("catch-up")
  String getMode();

  void setMode(String value);

  @Description(
      "The event streams to ingest, comma-separated: pos (topic --topic into raw.pos_transactions)"
          + " and inventory (topic --inventory-topic into raw.inventory_movements). Catch-up runs"
          + " take them one after the other, each exactly once into its own tables; the streaming"
          + " job takes one stream (run one job per stream). With --summary-json, the first"
          + " stream's summary goes to that file and another's to <file>.<stream>.json. Default:"
          + " pos,inventory, skipping inventory while its topic does not exist; pos alone with"
          + " --mode=streaming or --start-from.")
  String getStreams();

  void setStreams(String value);

  @Description("Kafka topic of inventory movements (the inventory stream).")
  @Default.String("inventory_movements")
  String getInventoryTopic();

  void setInventoryTopic(String value);

  @Description(
      "In --mode=streaming: how often each table commits (the commit window), e.g. 10s, 1m.")
  @Default.String("10s")
  String getCommitInterval();

  void setCommitInterval(String value);

  @Description(
      "Stop once the end offsets seen at start are committed (catch-up: a single run; streaming:"
          + " the job is stopped once its commits reach them).")
  @Default.Boolean(false)
  boolean getUntilCaughtUp();

  void setUntilCaughtUp(boolean value);

  @Description("Read at most this many messages in a run (0: no limit).")
  @Default.Long(0)
  long getMaxRecords();

  void setMaxRecords(long value);

  @Description("Stop reading after this long in a run, e.g. 30s, 5m (empty: no limit).")
  String getMaxReadTime();

  void setMaxReadTime(String value);

  @Description(
      "In catch-up mode without --until-caught-up, ingest runs continuously as repeated catch-up"
          + " runs, one commit per run, starting one at most this often, e.g. 10s, 1m.")
  @Default.String("10s")
  String getEvery();

  void setEvery(String value);

  @Description(
      "Stop a repeating ingest (--every) after this many runs, failed ones included (0: until"
          + " interrupted).")
  @Default.Integer(0)
  int getRuns();

  void setRuns(int value);

  @Description(
      "A repeating ingest (--every) whose run fails because Kafka did not answer (see"
          + " --kafka-timeout) says so in one line and tries again at the next run; it stops,"
          + " exit code 1, after this many such runs in a row (0: never). Other failures stop it"
          + " at once.")
  @Default.Integer(10)
  int getMaxFailedRuns();

  void setMaxFailedRuns(int value);

  @Description(
      "Also drop copies of sale lines that earlier runs committed within this horizon of ingest"
          + " time (0s: only within a run). Memory: 13 to 20 bytes per line of one horizon, in"
          + " catch-up runs and in the streaming job.")
  @Default.String("1h")
  String getDedupeHorizon();

  void setDedupeHorizon(String value);

  @Description(
      "Largest message accepted as an event; larger ones go to the dead-letter table, truncated,"
          + " with their size. Recorded with each commit: messages re-read after a crash between"
          + " the two tables' commits are routed with the value recorded for them.")
  @Default.Integer(1048576)
  int getMaxPayloadBytes();

  void setMaxPayloadBytes(int value);

  @Description(
      "Accept event_time at most this far ahead of the message's Kafka timestamp (not the wall"
          + " clock, so a re-read message is judged the same). Recorded with each commit, like"
          + " --max-payload-bytes.")
  @Default.String("1d")
  String getFutureTolerance();

  void setFutureTolerance(String value);

  @Description(
      "Catch-up runs: parallel Kafka readers (whole partitions are dealt into this many groups; each"
          + " group's task also de-duplicates and writes its rows' files). Set it to the runner's"
          + " parallelism on a cluster.")
  @Default.Integer(2)
  int getReaders();

  void setReaders(int value);

  @Description("Streaming job: Parquet file writers per table and commit window.")
  @Default.Integer(2)
  int getWriters();

  void setWriters(int value);

  @Description(
      "Recover a Kafka position that table maintenance expired: set both tables' position to one"
          + " past the highest kafka_offset their rows hold per partition, then ingest.")
  @Default.Boolean(false)
  boolean getRecoverPosition();

  void setRecoverPosition(boolean value);

  @Description(
      "Set both tables' Kafka position explicitly before ingesting, as partition:offset pairs"
          + " (e.g. 0:1200,1:1188); the next offset to read per partition.")
  String getStartFrom();

  void setStartFrom(String value);
}
