package io.auralink.comm.trust.impl;

import io.auralink.comm.trust.impl.TrustScore.Components;
import io.auralink.comm.trust.impl.TrustScore.Report;
import io.auralink.comm.trust.impl.TrustScore.ReportStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a mesh node's owner and record give its trust, table by table, and the time a relay takes to earn 60. */
class NodeTrustTest {

  private static final double RELAY_MIN_TRUST = 60;

  /** Owner's trust (NaN: never scored), hours online and offline, beats on time and late, relayed good and poor. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
    a new node of an owner at 50                          |  50 |  0 |  0 |    0 |   0 |   0 |  0 | 50    | 50   | 0     | 0
    an owner never scored counts as 50                    | NaN |  0 |  0 |    0 |   0 |   0 |  0 | 50    | 50   | 0     | 0
    a verified owner starts higher                        |  80 |  0 |  0 |    0 |   0 |   0 |  0 | 57.5  | 57.5 | 0     | 0
    but no owner starts a node at relay trust             | 100 |  0 |  0 |    0 |   0 |   0 |  0 | 58    | 58   | 0     | 0
    a low owner starts lower                              |  10 |  0 |  0 |    0 |   0 |   0 |  0 | 40    | 40   | 0     | 0
    12 hours of regular service earn half                 |  50 | 12 |  0 | 1440 |   0 |   0 |  0 | 55    | 50   | 5     | 0
    24 hours of regular service earn the whole 10         |  50 | 24 |  0 | 2880 |   0 |   0 |  0 | 60    | 50   | 10    | 0
    a week earns no more than a day                       |  50 | 168 | 0 | 20160 |  0 |   0 |  0 | 60    | 50   | 10    | 0
    half the time offline earns half                      |  50 | 24 | 24 | 2880 |   0 |   0 |  0 | 55    | 50   | 5     | 0
    irregular beats earn by their share on time           |  50 | 24 |  0 | 1440 | 1440 |  0 |  0 | 55    | 50   | 5     | 0
    a verified owner's node relays after 6 hours          |  80 |  6 |  0 |  720 |   0 |   0 |  0 | 60    | 57.5 | 2.5   | 0
    good relayed calls add a quarter each                 |  50 | 24 |  0 | 2880 |   0 |  20 |  0 | 65    | 50   | 10    | 5
    good relayed calls add at most 15                     |  50 | 24 |  0 | 2880 |   0 | 400 |  0 | 75    | 50   | 10    | 15
    a poor relayed call costs 2                           |  50 | 24 |  0 | 2880 |   0 |  20 |  3 | 59    | 50   | 10    | -1
    many poor relayed calls cost at most 30               |  50 | 24 |  0 | 2880 |   0 |   0 | 99 | 30    | 50   | 10    | -30
    """)
  void the_base_of_a_node(String name, double owner, double online, double offline, long onTime, long late, long good,
                          long poor, double base, double ownerPart, double service, double relayed) {
    NodeTrust.Base b = NodeTrust.base(owner, new NodeTrust.Record(online, offline, onTime, late, good, poor, Double.NaN));
    assertEquals(base, b.total(), 1e-9, "base");
    assertEquals(ownerPart, b.owner(), 1e-9, "owner");
    assertEquals(service, b.service(), 1e-9, "service");
    assertEquals(relayed, b.relayed(), 1e-9, "relayed");
  }

  @Test
  void a_vouched_trust_replaces_the_owner_and_the_record() {
    NodeTrust.Base b = NodeTrust.base(10, new NodeTrust.Record(1, 100, 0, 50, 0, 40, 90));
    assertEquals(90, b.total(), 1e-9);
    assertTrue(b.vouched());
  }

  @Test
  void each_report_upheld_against_a_node_still_costs_20() {
    NodeTrust.Base b = NodeTrust.base(50, new NodeTrust.Record(24, 0, 2880, 0, 40, 0, Double.NaN));
    TrustScore.Score score = TrustScore.compute(new Components(Set.of(), 0,
      List.of(new Report("aura_id:@x.aura", 1, ReportStatus.UPHELD)), false, b.total()));
    assertEquals(70 - 20, score.total(), 1e-9);
  }

  /** The README's figure: a well-behaved relay of an owner at 50, beating every 30 s, reaches 60 after 24 hours. */
  @Test
  void a_well_behaved_peer_relay_reaches_relay_trust_after_24_hours() {
    double hours = 0;
    NodeTrust.Record record = NodeTrust.Record.NONE;
    while (NodeTrust.base(50, record).total() < RELAY_MIN_TRUST) {
      hours += 0.25;
      record = new NodeTrust.Record(hours, 0, (long) (hours * 120), 0, 0, 0, Double.NaN);
      assertTrue(hours <= 48, "a well-behaved relay never reached " + RELAY_MIN_TRUST);
    }
    assertEquals(24, hours, 1e-9);
  }
}
