package io.auralink.bench;

import io.auralink.comm.mesh.graph.LinkState;
import io.auralink.comm.mesh.graph.MeshGraph;
import io.auralink.comm.mesh.graph.Nat;
import io.auralink.comm.mesh.graph.NodeState;

import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A synthetic mesh of the size the issues name, in units of 100k nodes (90k people's devices, two per person, and
 * 10k relays, edges and super nodes run by operators) and 400k links (each device measured to 3 relays of its region,
 * each relay to 13 others, mostly in its region): scale 1 is 100k nodes and 400k links, scale 10 is 1M and 4M. Ten
 * regions around the world; NAT types and trust drawn to look like a real deployment. Fixed seed: every run builds
 * the same graph. It is made as a snapshot first (each record as the cluster maps hold it, JSON), then built into a
 * graph the way a member builds its graph from the maps' snapshot (parsed, then applied), so the build can be timed.
 */
public final class SyntheticMesh {

  public static final int DEVICES_PER_PERSON = 2;
  private static final int PEOPLE_PER_UNIT = 45_000;
  private static final int RELAYS_PER_UNIT = 10_000;
  private static final int LINKS_PER_UNIT = 400_000;
  private static final double[][] REGIONS = {
    {53.3, -6.3}, {50.1, 8.7}, {39.0, -77.5}, {37.4, -122.1}, {-23.5, -46.6},
    {1.35, 103.8}, {35.7, 139.7}, {19.1, 72.9}, {-33.9, 151.2}, {25.2, 55.3}};
  private static final Nat[] DEVICE_NATS = {Nat.FULL_CONE, Nat.RESTRICTED_CONE, Nat.PORT_RESTRICTED, Nat.PORT_RESTRICTED,
    Nat.SYMMETRIC, Nat.SYMMETRIC, Nat.UNKNOWN};

  private SyntheticMesh() {
  }

  public static String person(int p) {
    return "@p" + p + ".aura";
  }

  /** People in a mesh of this scale. */
  public static int people(int scale) {
    return PEOPLE_PER_UNIT * scale;
  }

  /** The cluster maps' content: node records, then link records, as JSON. */
  public record Snapshot(List<String> nodes, List<String> links) {
  }

  public static Snapshot snapshot(int scale) {
    Random random = new Random(42);
    int people = PEOPLE_PER_UNIT * scale;
    int relays = RELAYS_PER_UNIT * scale;
    int relayLinks = LINKS_PER_UNIT * scale - people * DEVICES_PER_PERSON * 3;
    List<String> nodes = new ArrayList<>(people * DEVICES_PER_PERSON + relays);
    List<String> links = new ArrayList<>(LINKS_PER_UNIT * scale);
    int caps = NodeState.AUDIO | NodeState.VIDEO | NodeState.SCREEN_SHARE | NodeState.AIC;
    int[] relayRegion = new int[relays];
    for (int r = 0; r < relays; r++) {
      int region = r % REGIONS.length;
      relayRegion[r] = region;
      NodeState.Type type = r % 10 == 0 ? NodeState.Type.SUPER_NODE : r % 3 == 0 ? NodeState.Type.EDGE : NodeState.Type.RELAY;
      nodes.add(new NodeState("relay-" + r, "@operator" + (r % 50) + ".aura", "r" + r, type, "server", "203.0.113.1:3478",
        random.nextInt(5) == 0 ? Nat.SYMMETRIC : Nat.PUBLIC, "region-" + region, jitter(random, REGIONS[region][0]),
        jitter(random, REGIONS[region][1]), caps, 1000, 500, random.nextInt(400), random.nextDouble() * 500,
        random.nextInt(20) != 0, 40 + random.nextInt(61), false, true, 0, 0, 1, 0).toJson().encode());
    }
    for (int p = 0; p < people; p++) {
      int region = random.nextInt(REGIONS.length);
      for (int d = 0; d < DEVICES_PER_PERSON; d++) {
        String id = "dev-" + p + "-" + d;
        nodes.add(new NodeState(id, person(p), "d" + d, NodeState.Type.PEER, "mobile", "198.51.100.1:5000",
          DEVICE_NATS[random.nextInt(DEVICE_NATS.length)], "region-" + region, jitter(random, REGIONS[region][0]),
          jitter(random, REGIONS[region][1]), random.nextInt(10) == 0 ? NodeState.AUDIO | NodeState.VIDEO : caps,
          20, 5, 0, 0, random.nextInt(4) != 0, 50, false, true, 0, 0, 1, 0).toJson().encode());
        for (int k = 0; k < 3; k++) {
          int r = region + REGIONS.length * random.nextInt(relays / REGIONS.length);
          links.add(link(id, "relay-" + r, 10 + random.nextInt(60), random).toJson().encode());
        }
      }
    }
    for (int k = 0; k < relayLinks; k++) {
      int a = random.nextInt(relays);
      int b = random.nextInt(5) == 0 ? random.nextInt(relays)
        : relayRegion[a] + REGIONS.length * random.nextInt(relays / REGIONS.length);
      if (a != b) {
        links.add(link("relay-" + a, "relay-" + b, relayRegion[a] == relayRegion[b] ? 2 + random.nextInt(20)
          : 60 + random.nextInt(200), random).toJson().encode());
      }
    }
    return new Snapshot(nodes, links);
  }

  /** A member's first build of its graph from the maps' snapshot: every record parsed and applied. */
  public static MeshGraph build(Snapshot snapshot) {
    MeshGraph graph = new MeshGraph();
    for (String node : snapshot.nodes()) {
      graph.apply(NodeState.fromJson(new JsonObject(node)));
    }
    for (String link : snapshot.links()) {
      graph.apply(LinkState.fromJson(new JsonObject(link)));
    }
    return graph;
  }

  private static LinkState link(String x, String y, double rtt, Random random) {
    String a = x.compareTo(y) < 0 ? x : y;
    String b = a.equals(x) ? y : x;
    return new LinkState(a, b, rtt, random.nextDouble() * 5, random.nextInt(20) / 1000.0, 50, 1, 1, 0);
  }

  private static double jitter(Random random, double value) {
    return value + random.nextGaussian();
  }
}
