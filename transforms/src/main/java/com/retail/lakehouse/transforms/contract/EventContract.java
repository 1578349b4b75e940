package com.retail.lakehouse.transforms.contract;

import com.retail.lakehouse.transforms.event.Rejection;
import com.retail.lakehouse.transforms.tables.TableDefinition;
import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * One event stream's contract, the unit an ingest plugs in: how a Kafka payload becomes the values
 * of the contract's fields (or a {@link Rejection} with its reason), which raw and dead-letter
 * tables it lands in, and which key makes two messages copies of one line. The reader, the writer
 * and the exactly-once commit are the same for every contract; only this unit differs. {@link
 * PosContract} is the POS sales contract.
 */
public interface EventContract extends Serializable {
  /** A short name for logs and summaries (e.g. {@code pos}). */
  String name();

  /**
   * The raw table: the contract's fields followed by the lineage columns {@code ingest_time,
   * kafka_topic, kafka_partition, kafka_offset}, in that order.
   */
  TableDefinition rawTable();

  /** The dead-letter table of rejected messages (original bytes, reason, Kafka coordinates). */
  TableDefinition deadLetterTable();

  /** The de-duplication key: two valid messages with the same key are copies of one line. */
  LineKey lineKey();

  /**
   * A validator for one worker: parses a payload and checks the contract's rules. Called once per
   * DoFn instance and set of routing settings; the validator need not be thread-safe.
   */
  Validator newValidator(int maxPayloadBytes, Duration futureTolerance);

  /**
   * Parses and checks one payload. Its outcome must depend only on the payload, the reference time
   * and the settings the validator was made with, never on the wall clock or other state: a message
   * read again after a crash must go to the same table (see {@code ParseAndValidate}).
   */
  interface Validator {
    /**
     * The values of the contract's fields in {@link #rawTable()} column order (without the lineage
     * columns), or a rejection. Never throws for any payload.
     *
     * @param reference what time rules are judged against ("in the future" means more than the
     *     future tolerance after it): the message's Kafka timestamp
     */
    Outcome validate(byte[] payload, Instant reference);
  }

  /** Either the field values of a valid event or the reason it was rejected. */
  record Outcome(List<Object> values, Rejection rejection) {
    public static Outcome valid(List<Object> values) {
      return new Outcome(values, null);
    }

    public static Outcome rejected(Rejection rejection) {
      return new Outcome(null, rejection);
    }

    public boolean isValid() {
      return rejection == null;
    }
  }
}
