package com.retail.lakehouse.console.tables;

import java.math.BigDecimal;
import java.time.LocalDate;

/**
 * The mart's totals of one date against raw's lines of that date at the raw snapshot the mart
 * recorded for it.
 *
 * @param date the UTC sale date
 * @param martRevenue sum of the mart's {@code total_sales} over the date's rows
 * @param rawRevenue sum of {@code total_amount} over raw's distinct lines of the date (null when
 *     raw could not be read at the recorded snapshot)
 * @param martUnits sum of the mart's {@code units_sold}
 * @param rawUnits sum of {@code quantity} over raw's distinct lines
 * @param passed both sides equal (and were both readable)
 * @param detail one line: what was compared, or why the check could not be made
 */
public record MartCheck(
    LocalDate date,
    BigDecimal martRevenue,
    BigDecimal rawRevenue,
    long martUnits,
    long rawUnits,
    boolean passed,
    String detail) {}
