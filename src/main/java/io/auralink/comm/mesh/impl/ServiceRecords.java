package io.auralink.comm.mesh.impl;

import io.auralink.comm.mesh.quality.EModel;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.Map;

/**
 * What each node did since the mesh last told the trust domain, the evidence its trust is earned from: time online
 * and offline and heartbeats on time or late (from the gap since the node's previous beat, wherever in the cluster it
 * beat), and calls it relayed with good or poor quality (from route outcomes). Drained into the trust domain once per
 * report interval. Confined to the mesh verticle's event loop.
 */
final class ServiceRecords {

  /** A beat within this many heartbeat intervals of the previous one is on time. */
  static final double ON_TIME_INTERVALS = 1.5;
  /** A relayed call whose measured quality rates at least this MOS was relayed well. */
  static final double GOOD_MOS = 3.6;

  private final long heartbeatIntervalMs;
  private final long offlineAfterMs;
  private Map<String, Tally> pending = new HashMap<>();

  /** One node's service since the last report. */
  static final class Tally {
    double onlineSeconds;
    double offlineSeconds;
    long beatsOnTime;
    long beatsLate;
    long relayedGood;
    long relayedPoor;

    JsonObject toJson() {
      return new JsonObject().put("online_seconds", onlineSeconds).put("offline_seconds", offlineSeconds)
        .put("beats_on_time", beatsOnTime).put("beats_late", beatsLate).put("relayed_good", relayedGood)
        .put("relayed_poor", relayedPoor);
    }
  }

  ServiceRecords(long heartbeatIntervalMs, long offlineAfterMs) {
    this.heartbeatIntervalMs = heartbeatIntervalMs;
    this.offlineAfterMs = offlineAfterMs;
  }

  /**
   * A beat at {@code at} after the node's previous one at {@code previous} (null if none is known: a first beat, or
   * after a full-cluster restart, earns nothing). A gap up to the offline threshold was spent online; a longer one
   * offline. A beat within 1.5 intervals is on time.
   */
  void beat(String nodeId, Long previous, long at) {
    if (previous == null || at <= previous) {
      return;
    }
    long gap = at - previous;
    Tally t = tally(nodeId);
    if (gap <= offlineAfterMs) {
      t.onlineSeconds += gap / 1000.0;
    } else {
      t.offlineSeconds += gap / 1000.0;
    }
    if (gap <= ON_TIME_INTERVALS * heartbeatIntervalMs) {
      t.beatsOnTime++;
    } else {
      t.beatsLate++;
    }
  }

  /** A call relayed by the node ended with this measured round trip, jitter and loss. */
  void relayed(String nodeId, double rttMs, double jitterMs, double loss) {
    boolean good = EModel.mos(EModel.rFactor(rttMs / 2, jitterMs, loss)) >= GOOD_MOS;
    Tally t = tally(nodeId);
    if (good) {
      t.relayedGood++;
    } else {
      t.relayedPoor++;
    }
  }

  /** Everything gathered since the last drain. */
  Map<String, Tally> drain() {
    Map<String, Tally> drained = pending;
    pending = new HashMap<>();
    return drained;
  }

  private Tally tally(String nodeId) {
    return pending.computeIfAbsent(nodeId, id -> new Tally());
  }
}
