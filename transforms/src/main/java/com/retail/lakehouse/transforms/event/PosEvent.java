package com.retail.lakehouse.transforms.event;

import static com.retail.lakehouse.transforms.event.PosEventSchema.*;

import java.math.BigDecimal;
import java.time.Instant;
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
    return Row.withSchema(BEAM_SCHEMA)
        .withFieldValue(EVENT_ID, eventId)
        .withFieldValue(TRANSACTION_ID, transactionId)
        .withFieldValue(LINE_NUMBER, lineNumber)
        .withFieldValue(EVENT_TYPE, eventType.name())
        .withFieldValue(STORE_ID, storeId)
        .withFieldValue(REGISTER_ID, registerId)
        .withFieldValue(CASHIER_ID, cashierId)
        .withFieldValue(PRODUCT, product)
        .withFieldValue(SKU, sku)
        .withFieldValue(CATEGORY, category)
        .withFieldValue(QUANTITY, quantity)
        .withFieldValue(UNIT_PRICE, unitPrice)
        .withFieldValue(DISCOUNT, discount)
        .withFieldValue(TOTAL_AMOUNT, totalAmount)
        .withFieldValue(CURRENCY, currency)
        .withFieldValue(PAYMENT_METHOD, paymentMethod)
        .withFieldValue(CUSTOMER_ID, customerId)
        .withFieldValue(EVENT_TIME, new org.joda.time.Instant(eventTime.toEpochMilli()))
        .build();
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
