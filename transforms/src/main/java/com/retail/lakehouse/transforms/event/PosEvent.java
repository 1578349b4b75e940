package com.retail.lakehouse.transforms.event;

import static com.retail.lakehouse.transforms.event.PosEventSchema.*;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.values.Row;

/**
 * One POS sale line, typed: what the simulator sends and what a valid Kafka message parses into.
 * (transaction_id, line_number) identifies a line; the same pair twice is a duplicate.
 */
public record PosEvent(
    String eventId,
    String transactionId,
    int lineNumber,
    EventType eventType,
    String storeId,
    String registerId,
    String cashierId,
    String product,
    String sku,
    String category,
    int quantity,
    BigDecimal unitPrice,
    BigDecimal discount,
    BigDecimal totalAmount,
    String currency,
    String paymentMethod,
    String customerId,
    Instant eventTime) {

  /** The de-duplication key of a sale line. */
  public String lineKey() {
    return transactionId + "#" + lineNumber;
  }

  /** This event as a Beam row of {@link PosEventSchema#BEAM_SCHEMA}. */
  public Row toRow() {
    return Row.withSchema(BEAM_SCHEMA).addValues(rowValues()).build();
  }

  /**
   * The field values in {@link PosEventSchema#FIELDS} order, as Beam row values (event_type as its
   * name, event_time as a Joda instant): the one mapping of this event onto a row, which the raw
   * table's rows extend with their lineage columns.
   */
  public List<Object> rowValues() {
    return Arrays.asList(
        eventId,
        transactionId,
        lineNumber,
        eventType.name(),
        storeId,
        registerId,
        cashierId,
        product,
        sku,
        category,
        quantity,
        unitPrice,
        discount,
        totalAmount,
        currency,
        paymentMethod,
        customerId,
        new org.joda.time.Instant(eventTime.toEpochMilli()));
  }

  /** The same sale line with another event time (a late or re-stamped copy). */
  public PosEvent withEventTime(Instant newEventTime) {
    return new PosEvent(
        eventId,
        transactionId,
        lineNumber,
        eventType,
        storeId,
        registerId,
        cashierId,
        product,
        sku,
        category,
        quantity,
        unitPrice,
        discount,
        totalAmount,
        currency,
        paymentMethod,
        customerId,
        newEventTime);
  }

  /** The same sale line under another event id (a re-sent copy of the line). */
  public PosEvent withEventId(String newEventId) {
    return new PosEvent(
        newEventId,
        transactionId,
        lineNumber,
        eventType,
        storeId,
        registerId,
        cashierId,
        product,
        sku,
        category,
        quantity,
        unitPrice,
        discount,
        totalAmount,
        currency,
        paymentMethod,
        customerId,
        eventTime);
  }

  /** Reads an event back from a row that has at least the contract's fields. */
  public static PosEvent fromRow(Row row) {
    return new PosEvent(
        row.getString(EVENT_ID),
        row.getString(TRANSACTION_ID),
        row.getInt32(LINE_NUMBER),
        EventType.valueOf(row.getString(EVENT_TYPE)),
        row.getString(STORE_ID),
        row.getString(REGISTER_ID),
        row.getString(CASHIER_ID),
        row.getString(PRODUCT),
        row.getString(SKU),
        row.getString(CATEGORY),
        row.getInt32(QUANTITY),
        row.getDecimal(UNIT_PRICE),
        row.getDecimal(DISCOUNT),
        row.getDecimal(TOTAL_AMOUNT),
        row.getString(CURRENCY),
        row.getString(PAYMENT_METHOD),
        row.getString(CUSTOMER_ID),
        Instant.ofEpochMilli(row.getDateTime(EVENT_TIME).getMillis()));
  }
}
