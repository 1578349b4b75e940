package com.retail.lakehouse.console.tables;

import java.math.BigDecimal;
import java.time.LocalDate;

public record MartCheck(
    LocalDate date,
    BigDecimal martRevenue,
    BigDecimal rawRevenue,
    long martUnits,
    long rawUnits,
    boolean passed,
    String detail) {}
