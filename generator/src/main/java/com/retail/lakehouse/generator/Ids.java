package com.retail.lakehouse.generator;

import java.util.SplittableRandom;
import java.util.UUID;

/** Deterministic ids for simulated events, drawn from a seeded RNG. */
final class Ids {
  private Ids() {}

  /** A UUID-formatted (version 4 layout) id from two draws of {@code rng}. */
  static String uuid(SplittableRandom rng) {
    long msb = (rng.nextLong() & ~0xF000L) | 0x4000L;
    long lsb = (rng.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(msb, lsb).toString();
  }
}
