package com.retail.lakehouse.transforms.dedupe;

/**
 * The set of (transaction_id, line_number) keys one de-duplicating writer has seen: an open
 * addressing table of parallel arrays (hash, transaction id, line number), exact on every lookup.
 *
 * <p>Hand-written because a {@code HashSet} of key objects costs a node and a key object per line
 * (bench/results/profile-notes.md); no library served here has a set of (object, int) pairs without
 * a wrapper object per entry.
 */
final class SeenLines {
  private static final float MAX_LOAD = 0.6f;

  private int[] hashes; // 0 = empty slot
  private String[] transactionIds;
  private int[] lineNumbers;
  private int size;

  SeenLines() {
    allocate(1 << 12);
  }

  /** Adds the key; true if it was not in the set yet. */
  boolean add(String transactionId, int lineNumber) {
    int hash = hash(transactionId, lineNumber);
    int mask = hashes.length - 1;
    int i = hash & mask;
    while (hashes[i] != 0) {
      if (hashes[i] == hash
          && lineNumbers[i] == lineNumber
          && transactionIds[i].equals(transactionId)) {
        return false;
      }
      i = (i + 1) & mask;
    }
    hashes[i] = hash;
    transactionIds[i] = transactionId;
    lineNumbers[i] = lineNumber;
    if (++size > hashes.length * MAX_LOAD) {
      grow();
    }
    return true;
  }

  /** How many keys the set holds. */
  int size() {
    return size;
  }

  private static int hash(String transactionId, int lineNumber) {
    int h = transactionId.hashCode() * 31 + lineNumber;
    h ^= h >>> 16; // spread the high bits into the slot index
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    return h == 0 ? 1 : h;
  }

  private void allocate(int capacity) {
    hashes = new int[capacity];
    transactionIds = new String[capacity];
    lineNumbers = new int[capacity];
  }

  private void grow() {
    int[] oldHashes = hashes;
    String[] oldIds = transactionIds;
    int[] oldLines = lineNumbers;
    allocate(oldHashes.length * 2);
    int mask = hashes.length - 1;
    for (int j = 0; j < oldHashes.length; j++) {
      if (oldHashes[j] != 0) {
        int i = oldHashes[j] & mask;
        while (hashes[i] != 0) {
          i = (i + 1) & mask;
        }
        hashes[i] = oldHashes[j];
        transactionIds[i] = oldIds[j];
        lineNumbers[i] = oldLines[j];
      }
    }
  }
}
