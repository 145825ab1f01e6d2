package io.auralink.comm.mesh.impl;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The identity registry's answers to "is this destination visible to this source?", kept in this member's memory
 * so that repeated route queries between the same two people stay in process. A decision is forgotten as soon as an
 * {@code auralink.identity.changed} event names either party ({@link #changed}), and after {@link #lifetimeMillis}
 * at the latest (a safety net for an event that never arrives). An answer asked for before such an event and
 * arriving after it is used for its own query but not kept. Bounded: beyond its capacity the least recently used
 * decision goes. Confined to the mesh verticle's event loop.
 * <p>
 * Invalidation is a stamp, not a search: every event advances a clock and records, per AuraID it names, the clock
 * and the time; a decision carries the clock of the moment it was asked for, and is stale if either party changed
 * after that. Change records older than the lifetime are dropped (every decision they could outdate has expired), so
 * they stay bounded by the events of one lifetime.
 * <p>
 * Counted in {@code auralink_mesh_visibility_cache_total{result=hit|miss}}.
 */
final class VisibilityCache {

  static final int CAPACITY = 100_000;

  private record Pair(String source, String destination) {
  }

  private record Decision(boolean visible, long stamp, long at) {
  }

  private record Change(long stamp, long at) {
  }

  private final int capacity;
  private final long lifetimeMillis;
  private final Counter hits;
  private final Counter misses;
  private final Map<Pair, Decision> decisions;
  /** AuraID → its last change, oldest first. */
  private final LinkedHashMap<String, Change> changes = new LinkedHashMap<>();
  private long clock;

  VisibilityCache(int capacity, long lifetimeMillis, MeterRegistry metrics) {
    this.capacity = capacity;
    this.lifetimeMillis = lifetimeMillis;
    this.hits = counter(metrics, "hit");
    this.misses = counter(metrics, "miss");
    this.decisions = new LinkedHashMap<>(1024, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<Pair, Decision> eldest) {
        return size() > VisibilityCache.this.capacity;
      }
    };
  }

  private static Counter counter(MeterRegistry metrics, String result) {
    return Counter.builder("auralink.mesh.visibility.cache").tag("result", result)
      .description("Route parties' visibility decisions remembered in process").register(metrics);
  }

  /** The remembered decision for the pair, or null (counted as a miss: the registry will be asked). */
  Boolean get(String source, String destination, long now) {
    Pair pair = new Pair(source, destination);
    Decision decision = decisions.get(pair);
    if (decision != null && (now - decision.at() >= lifetimeMillis || changedSince(source, decision.stamp())
      || changedSince(destination, decision.stamp()))) {
      decisions.remove(pair);
      decision = null;
    }
    (decision == null ? misses : hits).increment();
    return decision == null ? null : decision.visible();
  }

  /** The stamp to ask the registry under: give it back to {@link #put} with the answer. */
  long stamp() {
    return clock;
  }

  /** Keeps the registry's answer, unless either party changed since it was asked for under {@code stamp}. */
  void put(String source, String destination, boolean visible, long stamp, long now) {
    if (!changedSince(source, stamp) && !changedSince(destination, stamp)) {
      decisions.put(new Pair(source, destination), new Decision(visible, stamp, now));
    }
  }

  /** Forgets every decision that names one of {@code auraIds}. */
  void changed(Iterable<String> auraIds, long now) {
    clock++;
    for (String auraId : auraIds) {
      changes.remove(auraId);
      changes.put(auraId, new Change(clock, now));
    }
    Iterator<Change> oldest = changes.values().iterator();
    while (oldest.hasNext() && now - oldest.next().at() >= lifetimeMillis) {
      oldest.remove();
    }
  }

  private boolean changedSince(String auraId, long stamp) {
    Change change = changes.get(auraId);
    return change != null && change.stamp() > stamp;
  }

  int size() {
    return decisions.size();
  }
}
