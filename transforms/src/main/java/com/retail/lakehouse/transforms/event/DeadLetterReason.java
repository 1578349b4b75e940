package com.retail.lakehouse.transforms.event;

/**
 * Why a Kafka message was not accepted as an event of its contract. A reason is a stable code that
 * tests and dashboards count by; the accompanying message says what exactly was wrong.
 */
public enum DeadLetterReason {
  EMPTY_PAYLOAD("the message has no bytes"),
  PAYLOAD_TOO_LARGE("the message exceeds the maximum payload size"),
  INVALID_UTF8("the message is not valid UTF-8"),
  NOT_JSON("the message is not JSON"),
  TRUNCATED_JSON("the JSON ends before the event is complete"),
  NOT_AN_OBJECT("the JSON is not an object"),
  LIMIT_EXCEEDED(
      "the JSON exceeds a size limit of the contract: nesting depth, fields in the event object,"
          + " or length of a string field"),
  DUPLICATE_FIELD("a field of the contract appears more than once in the event object"),
  MISSING_KEY("the Kafka message has no key (the store id)"),
  MISSING_FIELD("a required field is absent or null"),
  WRONG_TYPE("a field has the wrong JSON type or format"),
  UNKNOWN_EVENT_TYPE("event_type is neither SALE nor RETURN"),
  BAD_LINE_NUMBER("line_number is below 1"),
  BAD_QUANTITY("quantity is zero, or its sign does not match the event or movement type"),
  AMOUNT_OUT_OF_RANGE("a money value does not fit decimal(12,2)"),
  BAD_PRICE("unit_price is negative or has more than two decimals"),
  BAD_DISCOUNT("discount has the wrong sign, exceeds the line or has more than two decimals"),
  TOTAL_MISMATCH("total_amount differs from quantity x unit_price - discount by more than a cent"),
  BAD_CURRENCY("currency is not a three-letter ISO 4217 code"),
  EVENT_TIME_IN_FUTURE("event_time is too far in the future"),
  EVENT_TIME_TOO_OLD("event_time is before 2000-01-01"),
  UNKNOWN_MOVEMENT_TYPE(
      "movement_type is none of RECEIPT, ADJUSTMENT, COUNT, TRANSFER_IN, TRANSFER_OUT"),
  BAD_UNIT_COST("unit_cost is negative or has more than two decimals"),
  BAD_REASON(
      "an ADJUSTMENT's reason is not DAMAGE, THEFT or EXPIRED, or another movement has a reason"),
  /**
   * The validator failed on this message with an unexpected exception: a bug in the contract's
   * code, kept as a dead letter (with the exception in the detail) instead of stopping the ingest.
   */
  VALIDATOR_ERROR("the validator failed unexpectedly on this message (a bug; see the detail)");

  private final String description;

  DeadLetterReason(String description) {
    this.description = description;
  }

  /** A human sentence for the reason, used in docs and summaries. */
  public String description() {
    return description;
  }
}
