package com.retail.lakehouse.cluster;

/** The cluster could not do what was asked (a process died, a port is taken); exits 1, one line. */
final class ClusterFailure extends RuntimeException {
  ClusterFailure(String message) {
    super(message);
  }
}
