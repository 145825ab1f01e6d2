package io.auralink.comm.notification.impl;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Do-not-disturb windows, which devices ring, and the back-off, table by table. */
class RingPolicyTest {

  private static JsonArray window(String start, String end, Integer... days) {
    JsonObject window = new JsonObject().put("start", start).put("end", end);
    if (days.length > 0) {
      window.put("days", new JsonArray(List.of(days)));
    }
    return new JsonArray().add(window);
  }

  @ParameterizedTest(name = "{0} in {1}: {2}–{3} → {4}")
  @CsvSource({
    // 2026-12-01 is a Tuesday (ISO day 2).
    "2026-12-01T12:00:00Z, UTC,           09:00, 17:00, true",
    "2026-12-01T17:00:00Z, UTC,           09:00, 17:00, false",
    "2026-12-01T08:59:00Z, UTC,           09:00, 17:00, false",
    "2026-12-01T23:30:00Z, UTC,           22:00, 07:00, true",
    "2026-12-01T06:59:00Z, UTC,           22:00, 07:00, true",
    "2026-12-01T07:00:00Z, UTC,           22:00, 07:00, false",
    "2026-12-01T21:30:00Z, Europe/Paris,  22:00, 07:00, true",
    "2026-12-01T21:30:00Z, America/New_York, 22:00, 07:00, false",
  })
  void a_window_covers_the_local_time(String at, String zone, String start, String end, boolean covered) {
    assertEquals(covered, RingPolicy.inDnd(window(start, end), zone, Instant.parse(at)));
  }

  @Test
  void a_window_past_midnight_belongs_to_the_day_it_starts() {
    // Monday 22:00 to Tuesday 07:00 only: Tuesday 06:00 is covered, Tuesday 23:00 is not.
    JsonArray mondayNights = window("22:00", "07:00", 1);
    assertTrue(RingPolicy.inDnd(mondayNights, "UTC", Instant.parse("2026-12-01T06:00:00Z")));
    assertEquals(false, RingPolicy.inDnd(mondayNights, "UTC", Instant.parse("2026-12-01T23:00:00Z")));
    assertEquals(false, RingPolicy.inDnd(new JsonArray(), "UTC", Instant.parse("2026-12-01T23:00:00Z")));
  }

  private static final List<RingPolicy.Target> DEVICES = List.of(new RingPolicy.Target("chat", "phone"),
    new RingPolicy.Target("chat", "tablet"), new RingPolicy.Target("work", "laptop"));

  @Test
  void ring_all_rings_every_device_and_preferred_rings_the_first_preferred_app_present() {
    assertEquals(DEVICES, RingPolicy.targets(DEVICES, "all", List.of("work"), Set.of()));
    assertEquals(DEVICES, RingPolicy.targets(DEVICES, "preferred", List.of(), Set.of()));
    assertEquals(List.of(new RingPolicy.Target("work", "laptop")),
      RingPolicy.targets(DEVICES, "preferred", List.of("work", "chat"), Set.of("work", "chat")));
    assertEquals(List.of(new RingPolicy.Target("chat", "phone"), new RingPolicy.Target("chat", "tablet")),
      RingPolicy.targets(DEVICES, "preferred", List.of("work", "chat"), Set.of("chat")));
    assertEquals(List.of(new RingPolicy.Target("work", "laptop")),
      RingPolicy.targets(DEVICES, "preferred", List.of("gone", "work", "chat"), Set.of()),
      "with no preferred app present, the first preferred app that has devices");
  }

  @Test
  void the_back_off_doubles_with_at_most_a_quarter_of_jitter_and_stays_under_the_cap() {
    Duration initial = Duration.ofSeconds(1);
    Duration max = Duration.ofSeconds(30);
    assertEquals(Duration.ofSeconds(1), RingPolicy.backoff(1, initial, max, 0));
    assertEquals(Duration.ofSeconds(4), RingPolicy.backoff(3, initial, max, 0));
    assertEquals(Duration.ofSeconds(3), RingPolicy.backoff(3, initial, max, 1));
    assertEquals(max, RingPolicy.backoff(10, initial, max, 0));
    assertEquals(max, RingPolicy.backoff(80, initial, max, 0));
    for (int attempt = 1; attempt < 40; attempt++) {
      Duration wait = RingPolicy.backoff(attempt, initial, max, Math.random());
      assertTrue(wait.compareTo(max) <= 0 && wait.toMillis() > 0, attempt + " → " + wait);
    }
  }
}
