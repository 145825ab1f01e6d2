package io.auralink.comm.mesh.graph;

import io.auralink.comm.mesh.quality.LinkModel;
import io.auralink.comm.mesh.quality.NodeQuality;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;

import static io.auralink.comm.mesh.graph.GraphFixtures.AUDIO_VIDEO;
import static io.auralink.comm.mesh.graph.GraphFixtures.link;
import static io.auralink.comm.mesh.graph.GraphFixtures.node;
import static io.auralink.comm.mesh.graph.GraphFixtures.peer;
import static io.auralink.comm.mesh.graph.GraphFixtures.query;
import static io.auralink.comm.mesh.graph.GraphFixtures.relay;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every tier in crafted graphs, the rules relays follow, and tier 3 against a brute-force oracle. */
class RouteSearchTest {

  private static final String A = "@alice.aura";
  private static final String B = "@bob.aura";
  private static final List<RouteSearch.Region> REGIONS = List.of(
    new RouteSearch.Region("eu-west", 53.35, -6.26), new RouteSearch.Region("us-east", 39.04, -77.49));

  private static RouteSearch.Decision route(MeshGraph graph, RouteSearch.Query query) {
    return new RouteSearch(graph, REGIONS).route(query);
  }

  @Test
  void tier1_direct_when_the_nats_allow_it() {
    MeshGraph g = new MeshGraph();
    g.apply(peer("a1", A, Nat.FULL_CONE));
    g.apply(peer("b1", B, Nat.SYMMETRIC));
    RouteSearch.Decision d = route(g, query(A, B, 3));
    assertEquals(RouteSearch.Tier.DIRECT, d.chosen().tier());
    assertEquals(List.of("a1", "b1"), d.chosen().path());
    for (RouteSearch.Candidate other : d.alternatives()) {
      assertTrue(d.chosen().mos() >= other.mos() - RouteSearch.TIER_MARGIN_MOS, other.toString());
    }
    assertEquals(RouteSearch.Tier.CENTRAL, d.alternatives().get(0).tier());
  }

  @Test
  void tier2_one_relay_trusted_not_a_peer_and_with_capacity() {
    MeshGraph g = new MeshGraph();
    g.apply(peer("a1", A, Nat.SYMMETRIC));
    g.apply(peer("b1", B, Nat.SYMMETRIC));
    g.apply(relay("r-good", 80));
    g.apply(relay("r-untrusted", 59));
    NodeState full = relay("r-full", 90);
    g.apply(full.withLiveness(true, full.maxConnections(), 0));
    g.apply(node("r-peer", "@carol.aura", NodeState.Type.PEER, Nat.PUBLIC, 90));
    for (String r : List.of("r-untrusted", "r-full", "r-peer")) {
      g.apply(link("a1", r, 4));
      g.apply(link(r, "b1", 4));
    }
    g.apply(link("a1", "r-good", 30));
    g.apply(link("r-good", "b1", 30));
    RouteSearch.Decision d = route(g, query(A, B, 3));
    assertEquals(RouteSearch.Tier.RELAY, d.chosen().tier(), d.reasons().toString());
    assertEquals(List.of("a1", "r-good", "b1"), d.chosen().path());
    assertEquals(List.of("r-good"), d.chosen().relays());
  }

  /** A node with this learned quality, as its next version. */
  private static NodeState learned(NodeState node, NodeQuality quality) {
    return node.withQuality(quality).next(node.version(), 0);
  }

  @Test
  void a_relay_learned_to_lose_packets_is_avoided_even_over_links_no_call_used() {
    MeshGraph g = new MeshGraph();
    g.apply(peer("a1", A, Nat.SYMMETRIC));
    g.apply(peer("b1", B, Nat.SYMMETRIC));
    g.apply(learned(relay("r-lossy", 80), new NodeQuality(1, 0.0025, 10, 10, 0.06, 20)));
    g.apply(relay("r-clean", 80));
    // The lossy relay's links are shorter and were measured by pings only: no call has used them.
    g.apply(link("a1", "r-lossy", 10));
    g.apply(link("r-lossy", "b1", 10));
    g.apply(link("a1", "r-clean", 30));
    g.apply(link("r-clean", "b1", 30));
    RouteSearch.Decision d = route(g, query(A, B, 3));
    assertEquals(List.of("r-clean"), d.chosen().relays(), d.reasons().toString());
    NodeState clean = g.node("r-clean");
    g.apply(clean.withLiveness(false, 0, 0).next(clean.version(), 0));
    RouteSearch.Decision without = route(g, query(A, B, 3));
    List<RouteSearch.Candidate> offered = new ArrayList<>(without.alternatives());
    offered.add(without.chosen());
    RouteSearch.Candidate lossy = offered.stream().filter(c -> c.relays().contains("r-lossy")).findFirst()
      .orElseThrow();
    assertTrue(lossy.loss() >= 0.06, "the relay's own loss is part of every path through it: " + lossy.loss());
    assertTrue(lossy.jitterMs() >= 12, "and its jitter: " + lossy.jitterMs());
  }

  @Test
  void a_device_with_a_poor_access_is_not_sent_direct_over_a_leg_it_never_measured() {
    MeshGraph g = new MeshGraph();
    g.apply(peer("a1", A, Nat.FULL_CONE));
    g.apply(peer("b1", B, Nat.SYMMETRIC));
    g.apply(relay("r", 80));
    g.apply(link("a1", "r", 20));
    g.apply(link("r", "b1", 20));
    assertEquals(RouteSearch.Tier.DIRECT, route(g, query(A, B, 3)).chosen().tier(), "an unknown access looks fine");
    g.apply(learned(g.node("b1"), new NodeQuality(30, 0.08, 20, 0, 0, 0)));
    RouteSearch.Decision d = route(g, query(A, B, 3));
    assertEquals(List.of("a1", "r", "b1"), d.chosen().path(), d.reasons().toString());
    RouteSearch.Candidate direct = d.alternatives().stream().filter(c -> c.tier() == RouteSearch.Tier.DIRECT)
      .findFirst().orElseThrow();
    assertEquals(31, direct.jitterMs(), 1e-9, "both ends' access jitter");
  }

  @Test
  void a_clearly_better_relay_beats_a_direct_route_that_is_merely_acceptable() {
    MeshGraph g = new MeshGraph();
    g.apply(peer("a1", A, Nat.FULL_CONE));
    g.apply(peer("b1", B, Nat.SYMMETRIC));
    g.apply(relay("r", 80));
    g.apply(link("a1", "r", 16, 0.5, 0));
    g.apply(link("r", "b1", 16, 0.5, 0));
    // Direct (measured): 1.5 % loss, MOS about 4.25, above the former bar of 3.6; the relay predicts about 4.4.
    g.apply(link("a1", "b1", 60, 4, 0.015));
    RouteSearch.Decision d = route(g, query(A, B, 3));
    assertEquals(List.of("a1", "r", "b1"), d.chosen().path(), d.reasons().toString());
    RouteSearch.Candidate direct = d.alternatives().stream().filter(c -> c.tier() == RouteSearch.Tier.DIRECT)
      .findFirst().orElseThrow();
    assertTrue(direct.mos() >= 3.6 && d.chosen().mos() > direct.mos() + RouteSearch.TIER_MARGIN_MOS,
      direct.mos() + " against " + d.chosen().mos());
    // A relay only a little better does not displace the simpler route.
    g.apply(newer(link("a1", "b1", 30, 0.5, 0.001)));
    RouteSearch.Decision simpler = route(g, query(A, B, 3));
    assertEquals(RouteSearch.Tier.DIRECT, simpler.chosen().tier(), simpler.reasons().toString());
    assertTrue(simpler.reasons().stream().anyMatch(r -> r.contains("simplest route within")), simpler.reasons()
      .toString());
  }

  @Test
  void a_relay_no_party_ever_measured_is_tried_over_legs_the_distance_model_estimates() {
    MeshGraph g = new MeshGraph();
    g.apply(at(peer("a1", A, Nat.SYMMETRIC), 48.85, 2.35));    // Paris
    g.apply(at(peer("b1", B, Nat.SYMMETRIC), 50.85, 4.35));    // Brussels
    g.apply(at(relay("r-lille", 80), 50.63, 3.06));
    g.apply(at(relay("r-sydney", 95), -33.87, 151.21));
    g.apply(at(relay("r-untrusted", 40), 49.9, 2.3));
    RouteSearch.Decision d = route(g, query(A, B, 3));
    assertEquals(List.of("a1", "r-lille", "b1"), d.chosen().path(), d.reasons().toString());
    double model = LinkModel.estimatedDelayMs(48.85, 2.35, 50.63, 3.06, true)
      + LinkModel.estimatedDelayMs(50.63, 3.06, 50.85, 4.35, true) + RouteSearch.RELAY_PROCESSING_MS;
    assertEquals(model, d.chosen().latencyMs(), 0.01, "both legs estimated by distance");
    // Once the relay is learned to stretch its legs, the estimate follows.
    NodeState lille = g.node("r-lille");
    g.apply(learned(lille, new NodeQuality(0.5, 0.0005, 10, 0, 0, 10, 2.25)));
    double stretched = route(g, query(A, B, 3)).chosen().latencyMs();
    assertEquals((model - RouteSearch.RELAY_PROCESSING_MS) * 1.5 + RouteSearch.RELAY_PROCESSING_MS, stretched, 0.01);
    // Far away, untrusted or offline relays are never offered.
    g.apply(g.node("r-lille").withLiveness(false, 0, 0).next(g.node("r-lille").version(), 0));
    assertEquals(RouteSearch.Tier.CENTRAL, route(g, query(A, B, 3)).chosen().tier());
  }

  @Test
  void relays_near_a_party_are_found_whatever_order_the_graph_was_built_in() {
    List<NodeState> parts = new ArrayList<>(List.of(at(peer("a1", A, Nat.SYMMETRIC), 48.85, 2.35),
      at(peer("b1", B, Nat.SYMMETRIC), 48.9, 2.4)));
    for (int k = 0; k < 40; k++) {
      // Forty relays at one place: the scan is bounded, the same ones are looked at whatever the order.
      parts.add(at(relay("r" + (char) ('a' + k % 26) + k, 80), 48.86, 2.36));
    }
    List<String> first = null;
    for (long seed = 0; seed < 10; seed++) {
      Collections.shuffle(parts, new Random(seed));
      MeshGraph g = new MeshGraph();
      parts.forEach(g::apply);
      List<String> path = route(g, query(A, B, 3)).chosen().path();
      if (first == null) {
        first = path;
      }
      assertEquals(first, path);
    }
    assertEquals(List.of("a1", "ra0", "b1"), first);
  }

  @Test
  void the_central_route_carries_the_parties_learned_access() {
    MeshGraph g = new MeshGraph();
    g.apply(at(peer("a1", A, Nat.SYMMETRIC), 48.85, 2.35));
    g.apply(at(peer("b1", B, Nat.SYMMETRIC), 52.52, 13.40));
    RouteSearch.Candidate unknown = route(g, query(A, B, 3)).chosen();
    assertEquals(RouteSearch.Tier.CENTRAL, unknown.tier());
    assertEquals(2 * LinkModel.ESTIMATED_JITTER_MS, unknown.jitterMs(), 1e-9, "nodes never observed");
    g.apply(learned(g.node("b1"), new NodeQuality(20, 0.04, 30, 0, 0, 0)));
    RouteSearch.Candidate poor = route(g, query(A, B, 3)).chosen();
    assertEquals(2 * LinkModel.ESTIMATED_JITTER_MS + 20 - NodeQuality.DEFAULT_ACCESS_JITTER_MS, poor.jitterMs(), 1e-9);
    assertTrue(poor.loss() > 0.04, "the party's own loss: " + poor.loss());
  }

  private static NodeState at(NodeState n, double lat, double lon) {
    return new NodeState(n.nodeId(), n.owner(), n.deviceId(), n.type(), n.deviceType(), n.address(), n.nat(),
      n.region(), lat, lon, n.capabilities(), n.bandwidthMbps(), n.maxConnections(), 0, 0, true, n.trust(), false,
      true, 0, 0, 1, 0);
  }

  @Test
  void a_partys_own_node_is_an_endpoint_never_a_relay() {
    MeshGraph g = new MeshGraph();
    g.apply(peer("a1", A, Nat.SYMMETRIC));
    g.apply(node("a-home", A, NodeState.Type.SUPER_NODE, Nat.SYMMETRIC, 95));
    g.apply(peer("b1", B, Nat.SYMMETRIC));
    g.apply(link("a1", "a-home", 2));
    g.apply(link("a-home", "b1", 60));
    RouteSearch.Decision d = route(g, query(A, B, 3));
    assertEquals(List.of("a-home", "b1"), d.chosen().path());
    for (RouteSearch.Candidate c : d.alternatives()) {
      assertFalse(c.relays().contains("a-home"), c.toString());
    }
  }

  @Test
  void tier3_multi_hop_through_relays_behind_nats() {
    MeshGraph g = new MeshGraph();
    g.apply(peer("a1", A, Nat.SYMMETRIC));
    g.apply(peer("b1", B, Nat.SYMMETRIC));
    g.apply(node("r1", "@op.aura", NodeState.Type.RELAY, Nat.SYMMETRIC, 80));
    g.apply(node("r2", "@op.aura", NodeState.Type.EDGE, Nat.SYMMETRIC, 80));
    g.apply(link("a1", "r1", 20));
    g.apply(link("r1", "r2", 20));
    g.apply(link("r2", "b1", 20));
    RouteSearch.Decision d = route(g, query(A, B, 3));
    assertEquals(RouteSearch.Tier.MULTI_HOP, d.chosen().tier(), d.reasons().toString());
    assertEquals(List.of("a1", "r1", "r2", "b1"), d.chosen().path());
    assertEquals(30 + 2 * RouteSearch.RELAY_PROCESSING_MS, d.chosen().latencyMs(), 1e-6);
  }

  @Test
  void tier4_central_in_the_region_nearest_the_parties() {
    MeshGraph g = new MeshGraph();
    g.apply(located("a1", A, 48.85, 2.35));   // Paris
    g.apply(located("b1", B, 52.52, 13.40));  // Berlin
    RouteSearch.Decision d = route(g, query(A, B, 3));
    assertEquals(RouteSearch.Tier.CENTRAL, d.chosen().tier());
    assertEquals(List.of("central:eu-west"), d.chosen().path());
    assertTrue(d.chosen().relays().isEmpty());
  }

  @Test
  void a_party_without_a_routable_node_goes_central() {
    MeshGraph g = new MeshGraph();
    g.apply(peer("a1", A, Nat.PUBLIC));
    NodeState offline = peer("b1", B, Nat.PUBLIC);
    g.apply(offline.withLiveness(false, 0, 0).next(1, 0));
    RouteSearch.Decision d = route(g, query(A, B, 3));
    assertEquals(RouteSearch.Tier.CENTRAL, d.chosen().tier());
    assertTrue(d.reasons().get(0).contains(B), d.reasons().toString());
  }

  private static NodeState located(String id, String owner, double lat, double lon) {
    NodeState n = peer(id, owner, Nat.SYMMETRIC);
    return new NodeState(n.nodeId(), n.owner(), n.deviceId(), n.type(), n.deviceType(), n.address(), n.nat(), null,
      lat, lon, n.capabilities(), n.bandwidthMbps(), n.maxConnections(), 0, 0, true, 50, false, true, 0, 0, 1, 0);
  }

  @Test
  void the_hop_limit_is_respected() {
    MeshGraph g = chain(4);
    assertEquals(RouteSearch.Tier.CENTRAL, route(g, query(A, B, 3)).chosen().tier());
    assertNull(new RouteSearch(g, REGIONS).multiHop(query(A, B, 3)));
    RouteSearch.Decision four = route(g, query(A, B, 4));
    assertEquals(RouteSearch.Tier.MULTI_HOP, four.chosen().tier());
    assertEquals(4, four.chosen().relays().size());
  }

  private static MeshGraph chain(int relays) {
    MeshGraph g = new MeshGraph();
    g.apply(peer("a1", A, Nat.SYMMETRIC));
    g.apply(peer("b1", B, Nat.SYMMETRIC));
    String previous = "a1";
    for (int k = 1; k <= relays; k++) {
      g.apply(node("r" + k, "@op.aura", NodeState.Type.RELAY, Nat.SYMMETRIC, 80));
      g.apply(link(previous, "r" + k, 10));
      previous = "r" + k;
    }
    g.apply(link(previous, "b1", 10));
    return g;
  }

  @Test
  void suspended_and_offline_relays_are_skipped_at_once() {
    MeshGraph g = new MeshGraph();
    g.apply(peer("a1", A, Nat.SYMMETRIC));
    g.apply(peer("b1", B, Nat.SYMMETRIC));
    g.apply(relay("r-fast", 80));
    g.apply(relay("r-slow", 80));
    g.apply(link("a1", "r-fast", 10));
    g.apply(link("r-fast", "b1", 10));
    g.apply(link("a1", "r-slow", 40));
    g.apply(link("r-slow", "b1", 40));
    assertEquals("r-fast", route(g, query(A, B, 3)).chosen().relays().get(0));
    g.apply(g.node("r-fast").withTrust(80, true).next(1, 0));
    assertEquals("r-slow", route(g, query(A, B, 3)).chosen().relays().get(0));
    g.apply(g.node("r-slow").withLiveness(false, 0, 0).next(1, 0));
    assertEquals(RouteSearch.Tier.CENTRAL, route(g, query(A, B, 3)).chosen().tier());
  }

  @Test
  void aic_and_media_capabilities_filter_endpoints_and_relays() {
    MeshGraph g = new MeshGraph();
    NodeState a = peer("a1", A, Nat.SYMMETRIC);
    g.apply(a);
    g.apply(peer("b1", B, Nat.SYMMETRIC));
    NodeState noAic = relay("r-plain", 80);
    g.apply(new NodeState(noAic.nodeId(), noAic.owner(), noAic.deviceId(), noAic.type(), noAic.deviceType(),
      noAic.address(), noAic.nat(), noAic.region(), Double.NaN, Double.NaN, AUDIO_VIDEO, 100, 50, 0, 0, true, 80,
      false, true, 0, 0, 1, 0));
    g.apply(link("a1", "r-plain", 10));
    g.apply(link("r-plain", "b1", 10));
    RouteSearch.Query withAic = new RouteSearch.Query(A, B, AUDIO_VIDEO | NodeState.AIC, 1.6, 3, 60, List.of());
    assertEquals(RouteSearch.Tier.RELAY, route(g, query(A, B, 3)).chosen().tier());
    assertEquals(RouteSearch.Tier.CENTRAL, route(g, withAic).chosen().tier());
  }

  @Test
  void the_current_route_is_kept_unless_another_is_clearly_better() {
    MeshGraph g = new MeshGraph();
    g.apply(peer("a1", A, Nat.SYMMETRIC));
    g.apply(peer("b1", B, Nat.SYMMETRIC));
    g.apply(relay("r1", 80));
    g.apply(relay("r2", 80));
    g.apply(link("a1", "r1", 40));
    g.apply(link("r1", "b1", 40));
    g.apply(link("a1", "r2", 34));
    g.apply(link("r2", "b1", 34));
    List<String> current = List.of("a1", "r1", "b1");
    RouteSearch.Query q = new RouteSearch.Query(A, B, AUDIO_VIDEO, 1.6, 3, 60, current);
    RouteSearch.Decision kept = route(g, q);
    assertEquals(current, kept.chosen().path(), "6 ms faster is not clearly better");
    assertEquals(List.of("a1", "r2", "b1"), kept.alternatives().get(0).path());
    g.apply(newer(link("a1", "r2", 10)));
    g.apply(newer(link("r2", "b1", 10)));
    assertEquals(List.of("a1", "r2", "b1"), route(g, q).chosen().path(), "30 ms and more than a third faster");
  }

  private static LinkState newer(LinkState l) {
    return new LinkState(l.a(), l.b(), l.rttMs(), l.jitterMs(), l.loss(), l.bandwidthMbps(), l.samples(),
      l.version() + 1, l.changedAt());
  }

  @Test
  void the_answer_does_not_depend_on_the_order_the_graph_was_built_in() {
    List<Object> parts = new ArrayList<>(List.of(peer("a1", A, Nat.SYMMETRIC), peer("a2", A, Nat.SYMMETRIC),
      peer("b1", B, Nat.SYMMETRIC), relay("r1", 80), relay("r2", 80), relay("r3", 80),
      link("a1", "r1", 10), link("a2", "r2", 10), link("r1", "b1", 10), link("r2", "b1", 10), link("a1", "r3", 10),
      link("r3", "b1", 10)));
    RouteSearch.Decision first = null;
    for (long seed = 0; seed < 20; seed++) {
      Collections.shuffle(parts, new Random(seed));
      MeshGraph g = new MeshGraph();
      parts.forEach(p -> {
        if (p instanceof NodeState n) {
          g.apply(n);
        } else {
          g.apply((LinkState) p);
        }
      });
      RouteSearch.Decision d = route(g, query(A, B, 3));
      if (first == null) {
        first = d;
      }
      assertEquals(first.chosen().path(), d.chosen().path());
      assertEquals(first.alternatives().stream().map(RouteSearch.Candidate::path).toList(),
        d.alternatives().stream().map(RouteSearch.Candidate::path).toList());
    }
    assertEquals(List.of("a1", "r1", "b1"), first.chosen().path());
  }

  @Test
  void stale_and_removed_records_do_not_come_back() {
    MeshGraph g = new MeshGraph();
    NodeState a = peer("a1", A, Nat.PUBLIC);
    g.apply(a.next(4, 0));
    assertFalse(g.apply(a.withLiveness(false, 0, 0).next(2, 0)), "an older version is ignored");
    assertTrue(g.node("a1").online());
    assertTrue(g.remove("a1", 5));
    assertFalse(g.apply(a.next(4, 0)), "a snapshot taken before the removal does not resurrect it");
    assertNull(g.node("a1"));
    assertEquals(0, g.nodeCount());
  }

  // ---- tier 3 against an oracle -------------------------------------------------------------------------------

  @Test
  void multi_hop_cost_matches_a_brute_force_dijkstra_on_random_graphs() {
    int compared = 0;
    int found = 0;
    for (long seed = 1; seed <= 400; seed++) {
      Random random = new Random(seed);
      MeshGraph g = new MeshGraph();
      List<NodeState> nodes = new ArrayList<>();
      int n = 20 + random.nextInt(60);
      for (int i = 0; i < n; i++) {
        String owner = i < 2 ? A : i < 4 ? B : "@op" + random.nextInt(5) + ".aura";
        NodeState.Type type = i < 4 ? NodeState.Type.PEER : NodeState.Type.values()[random.nextInt(4)];
        NodeState node = new NodeState("n" + i, owner, "d" + i, type, "server", "x", Nat.SYMMETRIC, "r",
          Double.NaN, Double.NaN, random.nextInt(10) == 0 ? NodeState.AUDIO : GraphFixtures.ALL, 50 + random.nextInt(50),
          10, random.nextInt(12), random.nextDouble() * 10, random.nextInt(8) != 0, 40 + random.nextInt(60),
          random.nextInt(15) == 0, true, 0, 0, 1, 0);
        nodes.add(node);
        g.apply(node);
      }
      List<LinkState> links = new ArrayList<>();
      int m = n * (1 + random.nextInt(4));
      for (int k = 0; k < m; k++) {
        int x = random.nextInt(n);
        int y = random.nextInt(n);
        if (x != y) {
          LinkState l = link("n" + x, "n" + y, 1 + random.nextInt(200), random.nextInt(20), random.nextInt(30) / 1000.0);
          links.add(l);
          g.apply(l);
        }
      }
      int maxHops = 2 + random.nextInt(3);
      RouteSearch.Query q = query(A, B, maxHops);
      RouteSearch.Candidate searched = new RouteSearch(g, REGIONS).multiHop(q);
      double oracle = oracle(nodes, g, q);
      compared++;
      if (Double.isInfinite(oracle)) {
        assertNull(searched, "seed " + seed);
      } else {
        found++;
        assertNotNull(searched, "seed " + seed);
        assertEquals(oracle, searched.cost(), 1e-2, "seed " + seed);
        assertTrue(searched.relays().size() >= 2 && searched.relays().size() <= maxHops, "seed " + seed);
        Set<String> relays = new HashSet<>(searched.relays());
        for (NodeState x : nodes) {
          if (x.owner().equals(A) || x.owner().equals(B)) {
            assertFalse(relays.contains(x.nodeId()), "an endpoint relayed, seed " + seed);
          }
        }
      }
    }
    assertEquals(400, compared);
    assertTrue(found > 100, "the random graphs must exercise found paths, got " + found);
  }

  /**
   * Dijkstra over (node, relays used) states with the rules restated independently: endpoints are the parties'
   * online, unsuspended nodes with the media; relays are online, unsuspended non-peers with trust ≥ 60, room and
   * bandwidth, the media, and owned by neither party; 2 to maxHops relays; measured links only.
   */
  private static double oracle(List<NodeState> nodes, MeshGraph g, RouteSearch.Query q) {
    Map<String, NodeState> byId = new HashMap<>();
    nodes.forEach(x -> byId.put(x.nodeId(), x));
    Map<String, List<String[]>> adjacency = new HashMap<>();
    for (int i = 0; i < g.capacity(); i++) {
      List<String[]> list = new ArrayList<>();
      for (int k = 0; k < g.degree(i); k++) {
        list.add(new String[] {g.id(g.neighbour(i, k)), String.valueOf(g.linkCost(g.link(i, k)))});
      }
      adjacency.put(g.id(i), list);
    }
    record State(double cost, String node, int relays) {
    }
    PriorityQueue<State> queue = new PriorityQueue<>((x, y) -> Double.compare(x.cost, y.cost));
    Map<String, Double> best = new HashMap<>();
    for (NodeState x : nodes) {
      if (x.owner().equals(q.source()) && endpoint(x, q)) {
        queue.add(new State(0, x.nodeId(), 0));
      }
    }
    while (!queue.isEmpty()) {
      State s = queue.poll();
      NodeState here = byId.get(s.node);
      if (s.relays > 0 && here.owner().equals(q.destination())) {
        return s.cost;
      }
      String key = s.node + "/" + s.relays;
      if (best.containsKey(key)) {
        continue;
      }
      best.put(key, s.cost);
      for (String[] edge : adjacency.getOrDefault(s.node, List.of())) {
        NodeState next = byId.get(edge[0]);
        double cost = s.cost + Double.parseDouble(edge[1]);
        if (s.relays >= 2 && next.owner().equals(q.destination()) && endpoint(next, q)) {
          queue.add(new State(cost, next.nodeId(), s.relays));
        } else if (s.relays < q.maxHops() && mayRelay(next, q)) {
          double relayCost = RouteSearch.RELAY_PROCESSING_MS
            + RouteSearch.RELAY_LOAD_COST_MS * next.currentConnections() / next.maxConnections();
          queue.add(new State(cost + relayCost, next.nodeId(), s.relays + 1));
        }
      }
    }
    return Double.POSITIVE_INFINITY;
  }

  private static boolean endpoint(NodeState x, RouteSearch.Query q) {
    return x.online() && !x.suspended() && (x.capabilities() & q.capabilities()) == q.capabilities();
  }

  private static boolean mayRelay(NodeState x, RouteSearch.Query q) {
    return x.online() && !x.suspended() && x.type() != NodeState.Type.PEER && x.trust() >= q.minRelayTrust()
      && (x.capabilities() & q.capabilities()) == q.capabilities() && x.currentConnections() < x.maxConnections()
      && x.bandwidthInUseMbps() + q.bandwidthMbps() <= x.bandwidthMbps()
      && !x.owner().equals(q.source()) && !x.owner().equals(q.destination());
  }

  @Test
  void link_costs_follow_the_documented_model() {
    assertEquals(10 + 2 * 3 + 150, LinkModel.cost(10, 3, 0.01), 1e-9);
    assertEquals(link("x", "y", 20, 3, 0.01).cost(), LinkModel.cost(10, 3, 0.01), 1e-9);
  }
}
