package com.retail.lakehouse.generator;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * The part of a manifest that varies between identical runs (where, when, how fast), kept apart so
 * the rest of the manifest can be compared byte for byte.
 *
 * @param bootstrapServers the Kafka cluster sent to
 * @param startedAt wall-clock start of sending, ISO-8601 UTC
 * @param seconds wall-clock seconds from the first send to the producer's close
 * @param eventsPerSecond messages sent per second over that time
 * @param sendErrors messages the producer reported as failed
 * @param firstSendError the first send failure, null if none
 */
@JsonPropertyOrder({
  "bootstrap_servers",
  "started_at",
  "seconds",
  "events_per_second",
  "send_errors",
  "first_send_error"
})
public record RunInfo(
    @JsonProperty("bootstrap_servers") String bootstrapServers,
    @JsonProperty("started_at") String startedAt,
    @JsonProperty("seconds") double seconds,
    @JsonProperty("events_per_second") double eventsPerSecond,
    @JsonProperty("send_errors") long sendErrors,
    @JsonProperty("first_send_error") String firstSendError) {}
