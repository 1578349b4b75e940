package com.retail.lakehouse.generator;

import java.math.BigDecimal;

/**
 * One item of the simulated catalogue, with the shelf price every store charges for it.
 *
 * @param sku stock keeping unit such as {@code SKU-00042}
 * @param name product name such as {@code Sunrise Greek Yogurt 500 g}
 * @param category product category such as {@code Dairy}
 * @param unitPrice shelf price in USD, scale 2
 * @param popularity relative chance that a basket line picks this product
 */
public record Product(
    String sku, String name, String category, BigDecimal unitPrice, double popularity) {}
