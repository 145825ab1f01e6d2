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
  void json_round_trips_and_an_absent_quality_is_the_default() {
    NodeQuality q = new NodeQuality(3, 0.01, 4, 5, 0.02, 6);
    assertEquals(q, NodeQuality.fromJson(q.toJson()));
    assertEquals(NodeQuality.DEFAULT, NodeQuality.fromJson(null));
    assertEquals(NodeQuality.DEFAULT, NodeQuality.fromJson(new JsonObject()));
  }
}
