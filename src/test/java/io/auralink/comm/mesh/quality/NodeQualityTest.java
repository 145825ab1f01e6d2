package io.auralink.comm.mesh.quality;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What nodes are learned to add themselves, and how unmeasured legs are estimated from it. */
class NodeQualityTest {

  @Test
  void two_nodes_never_observed_estimate_the_flat_figures_of_the_distance_model() {
    assertEquals(LinkModel.ESTIMATED_JITTER_MS, NodeQuality.estimatedJitterMs(NodeQuality.DEFAULT, NodeQuality.DEFAULT), 1e-12);
    assertEquals(LinkModel.ESTIMATED_LOSS, NodeQuality.estimatedLoss(NodeQuality.DEFAULT, NodeQuality.DEFAULT), 1e-12);
  }

  @Test
  void a_poor_access_makes_every_unmeasured_leg_of_the_node_poor() {
    NodeQuality poor = new NodeQuality(20, 0.04, 30, 0, 0, 0);
    assertEquals(21, NodeQuality.estimatedJitterMs(poor, NodeQuality.DEFAULT), 1e-12);
    assertEquals(1 - 0.96 * (1 - NodeQuality.DEFAULT_ACCESS_LOSS), NodeQuality.estimatedLoss(poor, NodeQuality.DEFAULT),
      1e-12);
  }

  @Test
  void a_leg_shows_the_access_of_one_end_beyond_what_the_other_end_adds() {
    NodeQuality relay = new NodeQuality(0.5, 0.001, 50, 0, 0, 0);
    double[] share = NodeQuality.accessShare(20.5, 1 - 0.96 * 0.999, relay);
    assertEquals(20, share[0], 1e-9);
    assertEquals(0.04, share[1], 1e-9);
    double[] nothing = NodeQuality.accessShare(0.2, 0, relay);
    assertEquals(0, nothing[0], 1e-12, "never negative");
    assertEquals(0, nothing[1], 1e-12, "never negative");
  }

  @Test
  void observations_are_exponentially_weighted_and_counted_apart_for_access_and_relaying() {
    NodeQuality q = NodeQuality.DEFAULT.withRelaying(10, 0.05).withRelaying(10, 0.05).withAccess(6, 0.0025);
    assertEquals(10 * 0.2 + (10 - 2) * 0.2, q.relayJitterMs(), 1e-9);
    assertEquals(2, q.relaySamples());
    assertEquals(1, q.accessSamples());
    assertEquals(1 + 0.2 * 5, q.accessJitterMs(), 1e-9);
  }

  @Test
  void the_delay_stretch_is_learned_in_log_space_and_applied_as_both_ends_geometric_mean() {
    assertEquals(1, NodeQuality.DEFAULT.delayStretch(), 1e-12, "the distance model as it is until learned");
    assertEquals(40, NodeQuality.estimatedDelayMs(40, NodeQuality.DEFAULT, NodeQuality.DEFAULT), 1e-12);
    NodeQuality up = NodeQuality.DEFAULT.withStretch(2);
    assertEquals(Math.pow(2, 0.2), up.delayStretch(), 1e-12);
    NodeQuality slow = NodeQuality.DEFAULT;
    for (int k = 0; k < 60; k++) {
      slow = slow.withStretch(k % 2 == 0 ? 1.5 * 1.2 : 1.5 / 1.2);
    }
    assertEquals(1.5, slow.delayStretch(), 0.05, "departures either way cancel in log space");
    assertEquals(40 * Math.sqrt(slow.delayStretch()), NodeQuality.estimatedDelayMs(40, slow, NodeQuality.DEFAULT),
      1e-9);
    assertEquals(slow, slow.withStretch(Double.NaN), "no estimate, nothing learned");
    assertEquals(Math.pow(NodeQuality.MAX_STRETCH, 0.2), NodeQuality.DEFAULT.withStretch(1000).delayStretch(), 1e-12,
      "one odd measurement moves it a bounded step");
  }

  @Test
  void a_leg_shows_the_stretch_of_one_end_against_what_the_other_end_is_believed() {
    NodeQuality known = new NodeQuality(1, 0, 0, 0, 0, 0, 4);
    // The leg took 1.5 times the model where it was estimated at the geometric mean of both ends (2 × 40 ms): each
    // end sees the whole departure (1.5 / 2) in its own stretch, so with both taken the leg is estimated as measured.
    double self = NodeQuality.stretchShare(60, 40, NodeQuality.DEFAULT, known);
    double other = NodeQuality.stretchShare(60, 40, known, NodeQuality.DEFAULT);
    assertEquals(0.75, self, 1e-9);
    assertEquals(4 * 0.75, other, 1e-9);
    assertEquals(60, NodeQuality.estimatedDelayMs(40, new NodeQuality(1, 0, 0, 0, 0, 0, self),
      new NodeQuality(1, 0, 0, 0, 0, 0, other)), 1e-9);
    assertEquals(Double.NaN, NodeQuality.stretchShare(60, Double.NaN, NodeQuality.DEFAULT, known));
  }

  @Test
  void json_round_trips_and_an_absent_quality_is_the_default() {
    NodeQuality q = new NodeQuality(3, 0.01, 4, 5, 0.02, 6, 1.3);
    assertEquals(q, NodeQuality.fromJson(q.toJson()));
    assertEquals(NodeQuality.DEFAULT, NodeQuality.fromJson(null));
    assertEquals(NodeQuality.DEFAULT, NodeQuality.fromJson(new JsonObject()));
  }
}
