package io.auralink.comm.mesh.impl;

import io.vertx.core.json.JsonObject;

import java.util.Arrays;

/**
 * How long replicated changes took to reach this member's graph (writer's clock to this member's clock: exact on
 * one machine, skewed by clock differences across machines), over the last {@link #WINDOW} changes made by other members.
 */
final class ReplicationLag {

  static final int WINDOW = 4096;

  private final long[] samples = new long[WINDOW];
  private long count;

  void record(long millis) {
    samples[(int) (count++ % WINDOW)] = Math.max(0, millis);
  }

  JsonObject summary() {
    int n = (int) Math.min(count, WINDOW);
    long[] sorted = Arrays.copyOf(samples, n);
    Arrays.sort(sorted);
    return new JsonObject().put("samples", count)
      .put("p50", n == 0 ? null : sorted[(int) Math.floor(0.50 * (n - 1))])
      .put("p99", n == 0 ? null : sorted[(int) Math.floor(0.99 * (n - 1))])
      .put("max", n == 0 ? null : sorted[n - 1]);
  }
}
