package com.retail.lakehouse.transforms.dedupe;

/**
 * A set of 64-bit key hashes, each with the time bucket it leaves in: open addressing with linear
 * probing over two primitive arrays (hash, bucket), 10 bytes a slot at any capacity (the slot is
 * picked by multiply-shift from bits 28 to 59 of the hash, so it grows by half, not double). The
 * hash 0 marks an empty slot, so callers never add it ({@link LineKeyIndex#hash} maps it to 1).
 *
 * <p>Buckets are kept as a {@code short}, a ring of 65,536: two buckets compare by their
 * difference, so the buckets held must lie within {@value #MAX_BUCKET_SPAN} of each other (a caller
 * sheds old ones before that).
 *
 * <p>A set is only ever replaced whole when it grows or sheds a bucket ({@link #with}, {@link
 * #withoutBucketsBefore}), so a reader holding the old one still sees every key it held: the
 * recent-keys index shares its sets between threads that way.
 *
 * <p>Hand-written because no library served here has a primitive long set with time-bucketed
 * eviction; a {@code HashSet<Long>} or a map state entry costs 50 to 80 bytes a key and a pointer
 * the garbage collector follows.
 */
final class HashBuckets {
  private static final double MAX_LOAD = 0.75;

  /** How far apart the buckets held may lie (the short ring's half). */
  static final int MAX_BUCKET_SPAN = Short.MAX_VALUE;

  /** The smallest capacity a set is made or shrunk to. */
  static final int MIN_CAPACITY = 1 << 10;

  private final long[] hashes;
  private final short[] buckets;
  private int size;

  HashBuckets(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("a hash set needs at least one slot, got " + capacity);
    }
    hashes = new long[capacity];
    buckets = new short[capacity];
  }

  /** A set sized for {@code keys} keys, about half full. */
  static HashBuckets forKeys(int keys) {
    return new HashBuckets(
        Math.max((int) Math.min(keys * 2L, Integer.MAX_VALUE - 8), MIN_CAPACITY));
  }

  private int slot(long hash) {
    return (int) (((hash & 0x0FFF_FFFF_FFFF_FFFFL) >>> 28) * hashes.length >>> 32);
  }

  boolean contains(long hash) {
    int i = slot(hash);
    while (true) {
      long h = hashes[i];
      if (h == hash) {
        return true;
      }
      if (h == 0) {
        return false;
      }
      i = i + 1 == hashes.length ? 0 : i + 1;
    }
  }

  /**
   * Adds a key, or moves a key held to {@code bucket} when that is the later one; false (and
   * nothing added) when the set is full: {@link #with} adds it to a grown copy instead.
   */
  boolean add(long hash, short bucket) {
    if (hash == 0) {
      throw new IllegalArgumentException("the hash 0 marks an empty slot and cannot be held");
    }
    int i = slot(hash);
    while (true) {
      long h = hashes[i];
      if (h == hash) {
        if ((short) (bucket - buckets[i]) > 0) {
          buckets[i] = bucket;
        }
        return true;
      }
      if (h == 0) {
        if (size + 1 > hashes.length * MAX_LOAD) {
          return false;
        }
        hashes[i] = hash;
        buckets[i] = bucket;
        size++;
        return true;
      }
      i = i + 1 == hashes.length ? 0 : i + 1;
    }
  }

  /** How many keys are held. */
  int size() {
    return size;
  }

  /** Slots, full or empty. */
  int capacity() {
    return hashes.length;
  }

  /**
   * Adds a key as {@link #add} does: this set, or when it is full a copy with half as many slots
   * again that holds the key too (a reader holding this set still sees what it held).
   */
  HashBuckets with(long hash, short bucket) {
    if (add(hash, bucket)) {
      return this;
    }
    HashBuckets grown = grown();
    if (!grown.add(hash, bucket)) {
      throw new IllegalStateException("a grown set of " + size + " keys has no slot left");
    }
    return grown;
  }

  /** A copy with half as many slots again, holding the same keys. */
  private HashBuckets grown() {
    return copy(Math.max(hashes.length + (hashes.length >> 1), 16), null);
  }

  /** A copy without the keys of buckets before {@code lowest} (this one if none is older). */
  HashBuckets withoutBucketsBefore(long lowest) {
    short low = (short) lowest;
    int live = 0;
    for (int i = 0; i < hashes.length; i++) {
      if (hashes[i] != 0 && (short) (buckets[i] - low) >= 0) {
        live++;
      }
    }
    if (live == size) {
      return this;
    }
    int capacity = Math.max((int) (live / MAX_LOAD * 1.5) + 1, MIN_CAPACITY);
    return copy(capacity, low);
  }

  private HashBuckets copy(int capacity, Short low) {
    HashBuckets next = new HashBuckets(capacity);
    for (int i = 0; i < hashes.length; i++) {
      if (hashes[i] != 0 && (low == null || (short) (buckets[i] - low) >= 0)) {
        if (!next.add(hashes[i], buckets[i])) {
          throw new IllegalStateException("a copy of " + size + " keys outgrew " + capacity);
        }
      }
    }
    return next;
  }

  /** The hash in {@code slot} of {@link #capacity}, 0 when the slot is empty. */
  long hashAt(int slot) {
    return hashes[slot];
  }

  /** The bucket of the key in {@code slot}. */
  short bucketAt(int slot) {
    return buckets[slot];
  }
}
