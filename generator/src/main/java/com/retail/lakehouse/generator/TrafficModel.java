package com.retail.lakehouse.generator;

import java.time.Duration;
import java.util.SplittableRandom;

/**
 * When shoppers arrive and how big their baskets are: stores open 08:00-21:00 UTC, baskets arrive
 * per store as a Poisson process whose rate follows the hour of day (morning, lunch and evening
 * peaks) and the store's traffic weight, and closed hours are skipped.
 *
 * <p>Volume: an average store (weight 1.0) rings up {@value #BASKETS_PER_HOUR} baskets an hour on
 * average over its 13 open hours, about 520 baskets or 1,500 lines (2.9 lines per basket) per
 * store-day; the default 20-store chain (seed 42) makes about 30,500 lines per simulated day (see
 * {@link #expectedLinesPerDay}, checked against the simulation within 5% by the tests).
 */
public final class TrafficModel {
  /** The hour (UTC) at which stores open. */
  public static final int OPEN_HOUR = 8;

  /** The hour (UTC) at which stores close; no basket starts at or after it. */
  public static final int CLOSE_HOUR = 21;

  /** Baskets per open hour of an average store in an average hour. */
  public static final double BASKETS_PER_HOUR = 40.0;

  /** Share of baskets that are returns. */
  public static final double RETURN_RATE = 0.02;

  /** Relative basket arrival rate for each open hour, 08:00 first. */
  private static final double[] HOURLY_SHAPE = {
    0.6, 0.8, 0.9, 1.2, 1.6, 1.4, 0.9, 0.8, 1.0, 1.5, 1.7, 1.3, 0.8
  };

  /** Relative frequency of sale baskets with 1..8 lines: most baskets are small. */
  static final double[] SALE_LINES_WEIGHTS = {30, 22, 16, 11, 8, 6, 4, 3};

  /** Relative frequency of return baskets with 1..2 lines. */
  static final double[] RETURN_LINES_WEIGHTS = {75, 25};

  private static final long HOUR_MILLIS = Duration.ofHours(1).toMillis();
  private static final long DAY_MILLIS = Duration.ofDays(1).toMillis();
  private static final double MEAN_SHAPE = mean(HOURLY_SHAPE);

  private TrafficModel() {}

  /** The relative arrival rate in an hour of day (0 when stores are closed). */
  public static double hourlyShape(int hourOfDay) {
    if (hourOfDay < OPEN_HOUR || hourOfDay >= CLOSE_HOUR) {
      return 0;
    }
    return HOURLY_SHAPE[hourOfDay - OPEN_HOUR] / MEAN_SHAPE;
  }

  /**
   * The next basket arrival of a store after {@code fromMillis}: exponential inter-arrival times at
   * the current hour's rate, re-drawn at each hour boundary (exact for a piecewise-constant rate),
   * jumping over closed hours.
   */
  public static long nextArrival(long fromMillis, double trafficWeight, SplittableRandom rng) {
    long t = openFrom(fromMillis);
    while (true) {
      int hour = (int) (Math.floorMod(t, DAY_MILLIS) / HOUR_MILLIS);
      double perMilli = BASKETS_PER_HOUR * trafficWeight * hourlyShape(hour) / HOUR_MILLIS;
      double gap = -Math.log(1.0 - rng.nextDouble()) / perMilli;
      long hourEnd = Math.floorDiv(t, HOUR_MILLIS) * HOUR_MILLIS + HOUR_MILLIS;
      if (t + gap < hourEnd) {
        return t + Math.max(1, (long) gap);
      }
      t = openFrom(hourEnd);
    }
  }

  /** The first instant at or after {@code millis} at which stores are open. */
  static long openFrom(long millis) {
    long dayStart = Math.floorDiv(millis, DAY_MILLIS) * DAY_MILLIS;
    long open = dayStart + OPEN_HOUR * HOUR_MILLIS;
    long close = dayStart + CLOSE_HOUR * HOUR_MILLIS;
    if (millis < open) {
      return open;
    }
    if (millis >= close) {
      return open + DAY_MILLIS;
    }
    return millis;
  }

  /** The expected number of lines per basket, returns included. */
  public static double meanLinesPerBasket() {
    return (1 - RETURN_RATE) * meanIndex(SALE_LINES_WEIGHTS)
        + RETURN_RATE * meanIndex(RETURN_LINES_WEIGHTS);
  }

  /** The expected number of sale lines a chain makes per simulated day. */
  public static double expectedLinesPerDay(Catalogue catalogue) {
    double openHours = CLOSE_HOUR - OPEN_HOUR;
    return catalogue.totalTrafficWeight() * BASKETS_PER_HOUR * openHours * meanLinesPerBasket();
  }

  /** Draws a 1-based index with probability proportional to {@code weights}. */
  static int pick(double[] weights, SplittableRandom rng) {
    double sum = 0;
    for (double w : weights) {
      sum += w;
    }
    double u = rng.nextDouble() * sum;
    for (int i = 0; i < weights.length; i++) {
      u -= weights[i];
      if (u < 0) {
        return i + 1;
      }
    }
    return weights.length;
  }

  private static double meanIndex(double[] weights) {
    double sum = 0;
    double weighted = 0;
    for (int i = 0; i < weights.length; i++) {
      sum += weights[i];
      weighted += weights[i] * (i + 1);
    }
    return weighted / sum;
  }

  private static double mean(double[] values) {
    double sum = 0;
    for (double v : values) {
      sum += v;
    }
    return sum / values.length;
  }
}
