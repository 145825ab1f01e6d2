package io.auralink.comm.matrix.impl;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What this member knows of its link with the homeserver: when the last transaction arrived, the last ping and its
 * result, and the intake queue's depth and the age of its oldest open event (refreshed from PostgreSQL, so every member
 * reports the cluster's queue). Exposed as gauges on {@code /metrics} and as JSON.
 */
public final class LinkStatus {

  private final AtomicLong lastTransactionMillis = new AtomicLong();
  private final AtomicLong lastPingMillis = new AtomicLong();
  private final AtomicLong lastPingDurationMillis = new AtomicLong(-1);
  private volatile String lastPingError;
  private final AtomicLong queueDepth = new AtomicLong();
  private final AtomicLong oldestEventAgeMillis = new AtomicLong();

  LinkStatus(MeterRegistry metrics) {
    Gauge.builder("auralink_matrix_last_transaction_age_seconds", this, s -> age(s.lastTransactionMillis.get()))
      .description("Seconds since this member last received a transaction from the homeserver (-1: never)")
      .register(metrics);
    Gauge.builder("auralink_matrix_last_ping_age_seconds", this, s -> age(s.lastPingMillis.get()))
      .description("Seconds since this member's last successful ping of the homeserver (-1: never)").register(metrics);
    Gauge.builder("auralink_matrix_intake_queue_depth", this, s -> s.queueDepth.get())
      .description("Matrix events received and not yet processed").register(metrics);
    Gauge.builder("auralink_matrix_intake_oldest_event_age_seconds", this, s -> s.oldestEventAgeMillis.get() / 1000.0)
      .description("Age of the oldest Matrix event not yet processed").register(metrics);
  }

  void transactionReceived() {
    lastTransactionMillis.set(System.currentTimeMillis());
  }

  long millisSinceTransaction() {
    long last = lastTransactionMillis.get();
    return last == 0 ? Long.MAX_VALUE : System.currentTimeMillis() - last;
  }

  void pinged(long durationMillis) {
    lastPingMillis.set(System.currentTimeMillis());
    lastPingDurationMillis.set(durationMillis);
    lastPingError = null;
  }

  void pingFailed(String error) {
    lastPingError = error;
  }

  void queue(long depth, long oldestMillis) {
    queueDepth.set(depth);
    oldestEventAgeMillis.set(oldestMillis);
  }

  /**
   * {@code {last_transaction_at, last_ping_at, last_ping_ms, last_ping_error, queue_depth, oldest_event_age_seconds}}
   * (times ISO-8601 or null).
   */
  public JsonObject toJson() {
    return new JsonObject()
      .put("last_transaction_at", instant(lastTransactionMillis.get()))
      .put("last_ping_at", instant(lastPingMillis.get()))
      .put("last_ping_ms", lastPingDurationMillis.get() < 0 ? null : lastPingDurationMillis.get())
      .put("last_ping_error", lastPingError)
      .put("queue_depth", queueDepth.get())
      .put("oldest_event_age_seconds", oldestEventAgeMillis.get() / 1000.0);
  }

  private static String instant(long millis) {
    return millis == 0 ? null : Instant.ofEpochMilli(millis).toString();
  }

  private static double age(long millis) {
    return millis == 0 ? -1 : (System.currentTimeMillis() - millis) / 1000.0;
  }
}
