package com.retail.lakehouse.generator;

import java.util.List;

/**
 * One simulated store: its code, registers, cashiers and relative traffic, so that big stores ring
 * up more baskets than small ones.
 *
 * @param storeId store code such as {@code S007}
 * @param registerIds register ids such as {@code S007-R2}
 * @param cashierIds cashier ids such as {@code S007-C04}
 * @param trafficWeight relative basket arrival rate; 1.0 is an average store
 */
public record Store(
    String storeId, List<String> registerIds, List<String> cashierIds, double trafficWeight) {

  public Store {
    registerIds = List.copyOf(registerIds);
    cashierIds = List.copyOf(cashierIds);
  }
}
