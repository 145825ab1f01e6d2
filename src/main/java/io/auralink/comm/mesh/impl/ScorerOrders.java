package io.auralink.comm.mesh.impl;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The external scorer's orders, kept in this member's memory so that a repeated query does not wait for the scorer
 * again. The key names the query and the versions of every node and link its candidates involve (see
 * {@link Routing}), so a change to any of them is a new key and the scorer is asked again; an order also expires
 * after its lifetime, so the scorer's own changes of mind are heard. Bounded: beyond {@link #CAPACITY} orders the
 * least recently used goes. Confined to the mesh verticle's event loop.
 */
final class ScorerOrders {

  static final int CAPACITY = 10_000;

  private record Order(List<Integer> indices, long expiresAt) {
  }

  private final long lifetimeMillis;
  private final Map<String, Order> orders = new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Order> eldest) {
      return size() > CAPACITY;
    }
  };

  ScorerOrders(Duration lifetime) {
    this.lifetimeMillis = lifetime.toMillis();
  }

  /** The order remembered for this key, or null if none is (or it expired). */
  List<Integer> get(String key, long now) {
    Order order = orders.get(key);
    if (order == null) {
      return null;
    }
    if (order.expiresAt() <= now) {
      orders.remove(key);
      return null;
    }
    return order.indices();
  }

  void put(String key, List<Integer> indices, long now) {
    if (lifetimeMillis > 0) {
      orders.put(key, new Order(List.copyOf(indices), now + lifetimeMillis));
    }
  }

  int size() {
    return orders.size();
  }
}
