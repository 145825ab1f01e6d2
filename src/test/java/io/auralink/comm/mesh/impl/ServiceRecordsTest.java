package io.auralink.comm.mesh.impl;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How heartbeats and relayed calls become a node's service record. */
class ServiceRecordsTest {

  private final ServiceRecords records = new ServiceRecords(30_000, 120_000);

  @Test
  void a_beat_within_an_interval_and_a_half_is_on_time_and_the_gap_was_online() {
    records.beat("n", 0L, 30_000);
    records.beat("n", 30_000L, 75_000);
    ServiceRecords.Tally t = records.drain().get("n");
    assertEquals(75, t.onlineSeconds, 1e-9);
    assertEquals(2, t.beatsOnTime);
    assertEquals(0, t.beatsLate);
  }

  @Test
  void a_late_beat_within_the_offline_threshold_is_late_but_online() {
    records.beat("n", 0L, 100_000);
    ServiceRecords.Tally t = records.drain().get("n");
    assertEquals(100, t.onlineSeconds, 1e-9);
    assertEquals(1, t.beatsLate);
  }

  @Test
  void a_gap_beyond_the_offline_threshold_was_spent_offline() {
    records.beat("n", 0L, 600_000);
    ServiceRecords.Tally t = records.drain().get("n");
    assertEquals(0, t.onlineSeconds, 1e-9);
    assertEquals(600, t.offlineSeconds, 1e-9);
    assertEquals(1, t.beatsLate);
  }

  @Test
  void a_first_beat_or_a_repeated_one_earns_nothing() {
    records.beat("n", null, 30_000);
    records.beat("n", 30_000L, 30_000);
    assertTrue(records.drain().isEmpty());
  }

  @Test
  void relayed_calls_are_good_or_poor_by_their_measured_quality() {
    records.relayed("r", 60, 2, 0);
    records.relayed("r", 900, 60, 0.15);
    ServiceRecords.Tally t = records.drain().get("r");
    assertEquals(1, t.relayedGood);
    assertEquals(1, t.relayedPoor);
  }

  @Test
  void a_drain_starts_a_new_record() {
    records.beat("n", 0L, 30_000);
    Map<String, ServiceRecords.Tally> first = records.drain();
    assertEquals(1, first.size());
    assertTrue(records.drain().isEmpty());
  }
}
