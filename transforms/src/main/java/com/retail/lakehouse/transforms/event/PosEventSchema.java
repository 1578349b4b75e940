package com.retail.lakehouse.transforms.event;

import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.logicaltypes.SqlTypes;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * The one definition of the POS event's fields, from which its Beam schema and its Iceberg schema
 * are derived, so the wire format, the pipeline rows and the tables never drift apart.
 *
 * <p>Types are chosen for Athena engine v3: strings, int, decimal(12,2) for money (never float),
 * and {@code timestamp} without zone holding UTC instants (Athena cannot CTAS over {@code
 * timestamptz}).
 */
public final class PosEventSchema {
  /** Precision of every money column: up to 9,999,999,999.99. */
  public static final int MONEY_PRECISION = 12;

  /** Scale of every money column: cents. */
  public static final int MONEY_SCALE = 2;

  /** The logical type of one contract field, mapped to both Beam and Iceberg. */
  public enum FieldKind {
    STRING,
    INT,
    LONG,
    BOOLEAN,
    MONEY,
    DATE,
    UTC_TIMESTAMP
  }

  /**
   * One field of the contract: its wire/column name, kind, whether it may be null, and its meaning.
   */
  public record Field(String name, FieldKind kind, boolean required, String doc)
      implements java.io.Serializable {}

  public static final String EVENT_ID = "event_id";
  public static final String TRANSACTION_ID = "transaction_id";
  public static final String LINE_NUMBER = "line_number";
  public static final String EVENT_TYPE = "event_type";
  public static final String STORE_ID = "store_id";
  public static final String REGISTER_ID = "register_id";
  public static final String CASHIER_ID = "cashier_id";
  public static final String PRODUCT = "product";
  public static final String SKU = "sku";
  public static final String CATEGORY = "category";
  public static final String QUANTITY = "quantity";
  public static final String UNIT_PRICE = "unit_price";
  public static final String DISCOUNT = "discount";
  public static final String TOTAL_AMOUNT = "total_amount";
  public static final String CURRENCY = "currency";
  public static final String PAYMENT_METHOD = "payment_method";
  public static final String CUSTOMER_ID = "customer_id";
  public static final String EVENT_TIME = "event_time";

  /** The contract's fields in wire and column order. */
  public static final List<Field> FIELDS =
      List.of(
          new Field(
              EVENT_ID, FieldKind.STRING, true, "Unique id of this event as sent by the register"),
          new Field(
              TRANSACTION_ID,
              FieldKind.STRING,
              true,
              "Basket (receipt) id; several lines share it"),
          new Field(LINE_NUMBER, FieldKind.INT, true, "Line in the basket, from 1"),
          new Field(EVENT_TYPE, FieldKind.STRING, true, "SALE or RETURN"),
          new Field(STORE_ID, FieldKind.STRING, true, "Store code, e.g. S007"),
          new Field(REGISTER_ID, FieldKind.STRING, true, "Register (till) id within the store"),
          new Field(CASHIER_ID, FieldKind.STRING, true, "Cashier id"),
          new Field(PRODUCT, FieldKind.STRING, true, "Product name"),
          new Field(SKU, FieldKind.STRING, true, "Stock keeping unit"),
          new Field(CATEGORY, FieldKind.STRING, true, "Product category"),
          new Field(QUANTITY, FieldKind.INT, true, "Units; > 0 on a SALE, < 0 on a RETURN"),
          new Field(UNIT_PRICE, FieldKind.MONEY, true, "Shelf price of one unit, >= 0"),
          new Field(DISCOUNT, FieldKind.MONEY, true, "Discount on the line; same sign as quantity"),
          new Field(
              TOTAL_AMOUNT,
              FieldKind.MONEY,
              true,
              "quantity x unit_price - discount, within a cent"),
          new Field(CURRENCY, FieldKind.STRING, true, "ISO 4217 code, e.g. USD"),
          new Field(PAYMENT_METHOD, FieldKind.STRING, true, "CARD, CASH, MOBILE or GIFT_CARD"),
          new Field(CUSTOMER_ID, FieldKind.STRING, false, "Loyalty customer id, null if anonymous"),
          new Field(
              EVENT_TIME, FieldKind.UTC_TIMESTAMP, true, "When the line was scanned, UTC, ms"));

  /** The event as a Beam schema (money as DECIMAL, event_time as DATETIME in UTC). */
  public static final Schema BEAM_SCHEMA = beamSchema(FIELDS);

  private PosEventSchema() {}

  /** Builds a Beam schema for contract-style fields. */
  public static Schema beamSchema(List<Field> fields) {
    Schema.Builder builder = Schema.builder();
    for (Field field : fields) {
      Schema.FieldType type = beamType(field.kind()).withNullable(!field.required());
      builder.addField(Schema.Field.of(field.name(), type).withDescription(field.doc()));
    }
    return builder.build();
  }

  /** Builds Iceberg columns for contract-style fields, with ids from {@code firstId} on. */
  public static List<Types.NestedField> icebergColumns(List<Field> fields, int firstId) {
    List<Types.NestedField> columns = new ArrayList<>();
    int id = firstId;
    for (Field field : fields) {
      Type type = icebergType(field.kind());
      columns.add(
          field.required()
              ? Types.NestedField.required(id++, field.name(), type, field.doc())
              : Types.NestedField.optional(id++, field.name(), type, field.doc()));
    }
    return columns;
  }

  static Schema.FieldType beamType(FieldKind kind) {
    return switch (kind) {
      case STRING -> Schema.FieldType.STRING;
      case INT -> Schema.FieldType.INT32;
      case LONG -> Schema.FieldType.INT64;
      case BOOLEAN -> Schema.FieldType.BOOLEAN;
      case MONEY -> Schema.FieldType.DECIMAL;
      case DATE -> Schema.FieldType.logicalType(SqlTypes.DATE);
      case UTC_TIMESTAMP -> Schema.FieldType.DATETIME;
    };
  }

  public static Type icebergType(FieldKind kind) {
    return switch (kind) {
      case STRING -> Types.StringType.get();
      case INT -> Types.IntegerType.get();
      case LONG -> Types.LongType.get();
      case BOOLEAN -> Types.BooleanType.get();
      case MONEY -> Types.DecimalType.of(MONEY_PRECISION, MONEY_SCALE);
      case DATE -> Types.DateType.get();
      case UTC_TIMESTAMP -> Types.TimestampType.withoutZone();
    };
  }
}
