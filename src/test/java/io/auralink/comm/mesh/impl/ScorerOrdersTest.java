package io.auralink.comm.mesh.impl;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The scorer's remembered orders: by key, until their lifetime ends, at most a bounded number. */
class ScorerOrdersTest {

  @Test
  void an_order_is_remembered_by_its_key_until_its_lifetime_ends() {
    ScorerOrders orders = new ScorerOrders(Duration.ofSeconds(10));
    orders.put("q|a@1", List.of(1, 0), 1_000);
    assertEquals(List.of(1, 0), orders.get("q|a@1", 10_999));
    assertNull(orders.get("q|a@2", 1_000), "another graph state is another key");
    assertNull(orders.get("q|a@1", 11_000), "expired");
    assertEquals(0, orders.size(), "an expired order is dropped when met");
  }

  @Test
  void beyond_its_capacity_the_least_recently_used_order_goes() {
    ScorerOrders orders = new ScorerOrders(Duration.ofMinutes(5));
    orders.put("first", List.of(0), 0);
    for (int k = 1; k < ScorerOrders.CAPACITY; k++) {
      orders.put("key-" + k, List.of(0), 0);
    }
    assertEquals(List.of(0), orders.get("first", 1), "used: now the most recent");
    orders.put("one-more", List.of(0), 1);
    assertEquals(ScorerOrders.CAPACITY, orders.size());
    assertEquals(List.of(0), orders.get("first", 2));
    assertNull(orders.get("key-1", 2), "the least recently used went");
  }

  @Test
  void a_lifetime_of_zero_remembers_nothing() {
    ScorerOrders orders = new ScorerOrders(Duration.ZERO);
    orders.put("q", List.of(0), 0);
    assertNull(orders.get("q", 0));
  }
}
