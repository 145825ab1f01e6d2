package io.auralink.bench;

import io.auralink.comm.mesh.graph.LinkState;
import io.auralink.comm.mesh.graph.MeshGraph;
import io.auralink.comm.mesh.graph.Nat;
import io.auralink.comm.mesh.graph.NodeState;

import java.util.Random;

/**
 * A synthetic mesh of the size the issue names: 100k nodes (90k people's devices, two per person, and 10k relays,
 * edges and super nodes run by operators) and 400k links (each device measured to 3 relays of its region, each relay
 * to 13 others, mostly in its region). Ten regions around the world; NAT types and trust drawn to look like a real
 * deployment. Fixed seed: every run builds the same graph.
 */
public final class SyntheticMesh {

  public static final int PEOPLE = 45_000;
  public static final int DEVICES_PER_PERSON = 2;
  public static final int RELAYS = 10_000;
  public static final int RELAY_LINKS = 400_000 - PEOPLE * DEVICES_PER_PERSON * 3;
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

  public static MeshGraph build() {
    Random random = new Random(42);
    MeshGraph graph = new MeshGraph();
    int caps = NodeState.AUDIO | NodeState.VIDEO | NodeState.SCREEN_SHARE | NodeState.AIC;
    int[] relayRegion = new int[RELAYS];
    for (int r = 0; r < RELAYS; r++) {
      int region = r % REGIONS.length;
      relayRegion[r] = region;
      NodeState.Type type = r % 10 == 0 ? NodeState.Type.SUPER_NODE : r % 3 == 0 ? NodeState.Type.EDGE : NodeState.Type.RELAY;
      graph.apply(new NodeState("relay-" + r, "@operator" + (r % 50) + ".aura", "r" + r, type, "server", "203.0.113.1:3478",
        random.nextInt(5) == 0 ? Nat.SYMMETRIC : Nat.PUBLIC, "region-" + region, jitter(random, REGIONS[region][0]),
        jitter(random, REGIONS[region][1]), caps, 1000, 500, random.nextInt(400), random.nextDouble() * 500,
        random.nextInt(20) != 0, 40 + random.nextInt(61), false, true, 0, 0, 1, 0));
    }
    for (int p = 0; p < PEOPLE; p++) {
      int region = random.nextInt(REGIONS.length);
      for (int d = 0; d < DEVICES_PER_PERSON; d++) {
        String id = "dev-" + p + "-" + d;
        graph.apply(new NodeState(id, person(p), "d" + d, NodeState.Type.PEER, "mobile", "198.51.100.1:5000",
          DEVICE_NATS[random.nextInt(DEVICE_NATS.length)], "region-" + region, jitter(random, REGIONS[region][0]),
          jitter(random, REGIONS[region][1]), random.nextInt(10) == 0 ? NodeState.AUDIO | NodeState.VIDEO : caps,
          20, 5, 0, 0, random.nextInt(4) != 0, 50, false, true, 0, 0, 1, 0));
        for (int k = 0; k < 3; k++) {
          int r = region + REGIONS.length * random.nextInt(RELAYS / REGIONS.length);
          graph.apply(link(id, "relay-" + r, 10 + random.nextInt(60), random));
        }
      }
    }
    for (int k = 0; k < RELAY_LINKS; k++) {
      int a = random.nextInt(RELAYS);
      int b = random.nextInt(5) == 0 ? random.nextInt(RELAYS)
        : relayRegion[a] + REGIONS.length * random.nextInt(RELAYS / REGIONS.length);
      if (a != b) {
        graph.apply(link("relay-" + a, "relay-" + b, relayRegion[a] == relayRegion[b] ? 2 + random.nextInt(20)
          : 60 + random.nextInt(200), random));
      }
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
