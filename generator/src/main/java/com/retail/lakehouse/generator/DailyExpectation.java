package com.retail.lakehouse.generator;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.math.BigDecimal;

/**
 * What one store sold on one day according to the distinct valid lines sent, the figure a daily
 * sales table downstream must reproduce.
 *
 * @param storeId store code
 * @param saleDate UTC date of event_time, {@code yyyy-MM-dd}
 * @param netRevenue sum of total_amount (returns negative), scale 2
 * @param units sum of quantity (returns negative)
 * @param lines number of distinct valid lines
 */
@JsonPropertyOrder({"store_id", "sale_date", "net_revenue", "units", "lines"})
public record DailyExpectation(
    @JsonProperty("store_id") String storeId,
    @JsonProperty("sale_date") String saleDate,
    @JsonProperty("net_revenue") @JsonFormat(shape = JsonFormat.Shape.STRING) BigDecimal netRevenue,
    @JsonProperty("units") long units,
    @JsonProperty("lines") long lines) {}
