package io.auralink.comm.mesh.impl;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Route parties' visibility decisions: per ordered pair, forgotten by events naming either party, bounded. */
class VisibilityCacheTest {

  private static final String ALICE = "@alice.aura";
  private static final String BOB = "@bob.aura";
  private static final String CAROL = "@carol.aura";

  private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();

  private double count(String result) {
    return metrics.counter("auralink.mesh.visibility.cache", "result", result).count();
  }

  @Test
  void a_decision_is_remembered_per_ordered_pair_until_its_lifetime_ends() {
    VisibilityCache cache = new VisibilityCache(100, 60_000, metrics);
    assertNull(cache.get(ALICE, BOB, 0));
    cache.put(ALICE, BOB, true, cache.stamp(), 0);
    assertTrue(cache.get(ALICE, BOB, 59_999));
    assertNull(cache.get(BOB, ALICE, 1), "visibility is not symmetric");
    assertNull(cache.get(ALICE, BOB, 60_000), "expired");
    assertEquals(1, count("hit"));
    assertEquals(3, count("miss"));
  }

  @Test
  void an_event_naming_either_party_forgets_the_decision_and_no_other() {
    VisibilityCache cache = new VisibilityCache(100, 60_000, metrics);
    cache.put(ALICE, BOB, false, cache.stamp(), 0);
    cache.put(ALICE, CAROL, true, cache.stamp(), 0);
    cache.put(CAROL, ALICE, true, cache.stamp(), 0);
    cache.changed(List.of(BOB), 10);
    assertNull(cache.get(ALICE, BOB, 11), "the destination changed");
    assertTrue(cache.get(ALICE, CAROL, 11), "not named");
    cache.changed(List.of(ALICE), 12);
    assertNull(cache.get(CAROL, ALICE, 13));
    assertNull(cache.get(ALICE, CAROL, 13), "the source changed");
    cache.put(ALICE, CAROL, false, cache.stamp(), 14);
    assertFalse(cache.get(ALICE, CAROL, 15), "asked again after the change: kept");
  }

  @Test
  void an_answer_asked_for_before_a_change_is_not_kept() {
    VisibilityCache cache = new VisibilityCache(100, 60_000, metrics);
    long asked = cache.stamp();
    cache.changed(List.of(BOB), 5);
    cache.put(ALICE, BOB, true, asked, 6);
    assertNull(cache.get(ALICE, BOB, 7), "it may predate the change");
  }

  @Test
  void old_changes_are_dropped_without_reviving_what_they_outdated() {
    VisibilityCache cache = new VisibilityCache(100, 1_000, metrics);
    cache.put(ALICE, BOB, true, cache.stamp(), 0);
    cache.changed(List.of(BOB), 100);
    cache.changed(List.of(CAROL), 5_000);
    assertNull(cache.get(ALICE, BOB, 5_001));
  }

  @Test
  void beyond_its_capacity_the_least_recently_used_decision_goes() {
    VisibilityCache cache = new VisibilityCache(3, 60_000, metrics);
    cache.put(ALICE, BOB, true, 0, 0);
    cache.put(ALICE, CAROL, true, 0, 0);
    cache.put(BOB, CAROL, true, 0, 0);
    assertTrue(cache.get(ALICE, BOB, 1), "used: now the most recent");
    cache.put(CAROL, BOB, true, 0, 1);
    assertEquals(3, cache.size());
    assertNull(cache.get(ALICE, CAROL, 2), "the least recently used went");
    assertTrue(cache.get(ALICE, BOB, 2));
  }
}
