package io.auralink.comm.mesh.graph;

import java.util.List;

/** Small builders for graphs under test. */
final class GraphFixtures {

  static final int AUDIO_VIDEO = NodeState.AUDIO | NodeState.VIDEO;
  static final int ALL = NodeState.AUDIO | NodeState.VIDEO | NodeState.SCREEN_SHARE | NodeState.AIC;

  private GraphFixtures() {
  }

  static NodeState node(String id, String owner, NodeState.Type type, Nat nat, double trust) {
    return new NodeState(id, owner, "dev-" + id, type, "desktop", "10.0.0.1:5000", nat, "eu-west", Double.NaN,
      Double.NaN, ALL, 100, 50, 0, 0, true, trust, false, true, 0, 0, 1, 0);
  }

  static NodeState peer(String id, String owner, Nat nat) {
    return node(id, owner, NodeState.Type.PEER, nat, 50);
  }

  static NodeState relay(String id, double trust) {
    return node(id, "@operator.aura", NodeState.Type.RELAY, Nat.PUBLIC, trust);
  }

  static LinkState link(String a, String b, double rttMs) {
    return link(a, b, rttMs, 1, 0);
  }

  static LinkState link(String a, String b, double rttMs, double jitterMs, double loss) {
    String x = a.compareTo(b) < 0 ? a : b;
    String y = x.equals(a) ? b : a;
    return new LinkState(x, y, rttMs, jitterMs, loss, 100, 1, 1, 0);
  }

  static RouteSearch.Query query(String source, String destination, int maxHops) {
    return new RouteSearch.Query(source, destination, AUDIO_VIDEO, 1.6, maxHops, 60, List.of());
  }
}
