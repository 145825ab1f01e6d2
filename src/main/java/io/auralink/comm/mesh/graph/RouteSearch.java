package io.auralink.comm.mesh.graph;

import io.auralink.comm.mesh.quality.EModel;
import io.auralink.comm.mesh.quality.Attribution;
import io.auralink.comm.mesh.quality.LinkModel;
import io.auralink.comm.mesh.quality.NodeQuality;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Route selection over a {@link MeshGraph}, reading only local memory. For the two parties' routable nodes that
 * support the media:
 * <ol>
 *   <li><b>direct</b>: the cheapest pair that can reach each other (a measured link between them, or NAT types that
 *       hole-punch, {@link Nat#direct});</li>
 *   <li><b>one relay</b>: the cheapest eligible relay linked (measured) to a node of either party, its other leg
 *       measured or estimated where the NATs allow, or one of the {@link #NEARBY_RELAYS} first eligible relays near
 *       each party that no party measured ({@link NearbyRelays}: both legs estimated), so relays are tried, and
 *       learned, without client link reports;</li>
 *   <li><b>multi-hop</b>: the cheapest path through 2 to {@code maxHops} eligible relays over measured links, by a
 *       hop-bounded relaxation (Bellman–Ford by layers) in preallocated arrays;</li>
 *   <li><b>central</b>: the configured media-server region nearest both parties.</li>
 * </ol>
 * A relay is eligible when it is routable (online, not suspended), not a peer, trusted at least
 * {@code minRelayTrust}, has spare connections and bandwidth, supports the media, and belongs to neither party.
 * The simplest route (direct, one relay, multi-hop, central last: media servers cost money) whose predicted MOS is
 * within {@link #TIER_MARGIN_MOS} of the best predicted is chosen. Multi-hop is searched only for paths cheaper than
 * the best simpler route by that margin (turned into cost at its R factor), so it costs nothing when a simpler route
 * is good. An unmeasured leg is estimated by the distance model stretched by both ends' learned stretch, with both
 * ends' learned access ({@link NodeQuality}). A current route is kept unless the choice is at least
 * {@link #SWITCH_GAIN_MS} and a third faster. Ties are broken by node id, so the answer is the same for the same graph.
 * One instance per graph and thread: its scratch arrays are reused by every query.
 */
public final class RouteSearch {

  /** A simpler route is preferred to a better one predicted at most this much better (MOS). */
  public static final double TIER_MARGIN_MOS = 0.05;
  /** Relays near each endpoint tried over legs never measured (estimated by the distance model). */
  public static final int NEARBY_RELAYS = 4;
  /** How far (rings of grid cells) and how many relay-capable nodes are looked at to find them. */
  public static final int NEARBY_RINGS = 3;
  public static final int NEARBY_SCAN_LIMIT = 48;
  public static final double RELAY_PROCESSING_MS = 1;
  public static final double RELAY_LOAD_COST_MS = 10;
  public static final double CENTRAL_PROCESSING_MS = 5;
  public static final double SWITCH_GAIN_MS = 10;
  public static final int MAX_HOPS_LIMIT = 6;
  public static final String CENTRAL_PREFIX = "central:";

  public enum Tier {
    DIRECT(1), RELAY(2), MULTI_HOP(3), CENTRAL(4);

    private final int number;

    Tier(int number) {
      this.number = number;
    }

    public int number() {
      return number;
    }

    public String id() {
      return name().toLowerCase();
    }
  }

  /** A media-server region (LiveKit) with its location; NaN coordinates when unknown. */
  public record Region(String name, double latitude, double longitude) {
  }

  /**
   * What is asked: the two parties, the capability mask the media needs (plus AIC if required), the bandwidth a relay
   * must have spare, the hop limit and relay trust floor, and the route the call is on now (empty if none).
   */
  public record Query(String source, String destination, int capabilities, double bandwidthMbps, int maxHops,
                      double minRelayTrust, List<String> currentPath) {
  }

  /** One possible route and what it predicts (its R factor computed once, from latency, jitter and loss). */
  public record Candidate(Tier tier, List<String> path, List<String> relays, double latencyMs, double jitterMs,
                          double loss, double cost, double rFactor) {

    Candidate(Tier tier, List<String> path, List<String> relays, double latencyMs, double jitterMs, double loss,
              double cost) {
      this(tier, path, relays, latencyMs, jitterMs, loss, cost, EModel.rFactor(latencyMs, jitterMs, loss));
    }

    public double mos() {
      return EModel.mos(rFactor());
    }

    /** 0–100: the R factor, clamped. */
    public double score() {
      return Math.max(0, Math.min(100, rFactor()));
    }
  }

  /** The chosen route, up to two alternatives, and why. */
  public record Decision(Candidate chosen, List<Candidate> alternatives, List<String> reasons) {
  }

  private final MeshGraph graph;
  private final List<Region> regions;

  // Scratch, reused by every query: per layer, best cost and predecessor of each slot, and a stamp saying whether
  // the entry belongs to the current query (so nothing is cleared between queries).
  private float[][] dist = new float[0][];
  private int[][] prev = new int[0][];
  private int[][] seen = new int[0][];
  private int[][] frontier = new int[0][];
  private int[] frontierSize = new int[MAX_HOPS_LIMIT + 1];
  private int[] relayMark = new int[0];
  private int[] lastMark = new int[0];
  private float[] lastCost = new float[0];
  private int[] lastDestination = new int[0];
  private int stamp;

  public RouteSearch(MeshGraph graph, List<Region> regions) {
    this.graph = graph;
    this.regions = regions.isEmpty() ? List.of(new Region("default", Double.NaN, Double.NaN)) : List.copyOf(regions);
  }

  public Decision route(Query q) {
    prepare();
    List<String> reasons = new ArrayList<>();
    int[] sources = endpoints(q.source(), q);
    int[] destinations = endpoints(q.destination(), q);
    Candidate direct = null;
    Candidate relay = null;
    Candidate multi = null;
    if (sources.length == 0 || destinations.length == 0) {
      reasons.add("no routable node of " + (sources.length == 0 ? q.source() : q.destination())
        + " supports the media: only the central media server can connect them");
    } else {
      direct = direct(sources, destinations);
      reasons.add(direct == null ? "direct: no pair of nodes can reach each other (NAT types)"
        : "direct: " + direct.path().get(0) + " (" + nat(direct.path().get(0)) + ") and " + direct.path().get(1)
          + " (" + nat(direct.path().get(1)) + ") can connect, MOS " + round(direct.mos()));
      relay = oneRelay(sources, destinations, q);
      reasons.add(relay == null ? "one relay: no eligible relay linked to either party"
        : "one relay: " + relay.relays().get(0) + " is the cheapest eligible relay, MOS " + round(relay.mos()));
      // Only a path clearly cheaper than the best simpler one could be chosen over it: that bounds the search.
      double bound = Math.min(worthBeating(direct), worthBeating(relay));
      if (bound <= 0) {
        reasons.add("multi-hop: not searched, no longer path could beat a simpler one by " + TIER_MARGIN_MOS + " MOS");
      } else if (q.maxHops() >= 2) {
        multi = multiHop(sources, destinations, q, bound);
        reasons.add(multi == null ? "multi-hop: no cheaper path through 2 to " + q.maxHops() + " relays"
          : "multi-hop: cheapest path through " + multi.relays().size() + " relays, MOS " + round(multi.mos()));
      }
    }
    Candidate central = central(sources, destinations);
    List<Candidate> all = new ArrayList<>();
    for (Candidate c : new Candidate[] {direct, relay, multi, central}) {
      if (c != null) {
        all.add(c);
      }
    }
    Candidate chosen = choose(direct, relay, multi, central, all, reasons);
    Candidate current = q.currentPath().isEmpty() ? null : current(q, sources, destinations);
    if (current != null && !current.path().equals(chosen.path())) {
      boolean clearlyBetter = chosen.latencyMs() <= current.latencyMs() - SWITCH_GAIN_MS
        && chosen.latencyMs() <= current.latencyMs() * 2 / 3;
      if (!clearlyBetter) {
        reasons.add("kept the current route: the best other route is not " + (int) SWITCH_GAIN_MS
          + " ms and a third faster");
        all.add(current);
        chosen = current;
      }
    }
    Candidate picked = chosen;
    List<Candidate> alternatives = all.stream().filter(c -> !c.path().equals(picked.path()))
      .sorted(Comparator.comparingDouble(Candidate::cost).thenComparing(c -> c.tier().number())).limit(2).toList();
    return new Decision(chosen, alternatives, reasons);
  }

  /** Tier 3 alone: the cheapest path through 2 to {@code maxHops} relays, or null (for tests and benchmarks). */
  public Candidate multiHop(Query q) {
    prepare();
    int[] sources = endpoints(q.source(), q);
    int[] destinations = endpoints(q.destination(), q);
    return sources.length == 0 || destinations.length == 0 || q.maxHops() < 2 ? null
      : multiHop(sources, destinations, q, Double.POSITIVE_INFINITY);
  }

  /**
   * The cost a longer path must stay under to beat this route by {@link #TIER_MARGIN_MOS}: its cost less the margin
   * turned into delay-equivalent ms at its R factor (the E-model's slope there); infinite without a route.
   */
  static double worthBeating(Candidate c) {
    if (c == null) {
      return Double.POSITIVE_INFINITY;
    }
    // Below R 50 the MOS curve flattens towards 1: the slope there would make the margin huge.
    double r = Math.max(50, Math.min(EModel.R_DEFAULT - 1, c.rFactor()));
    double mosPerR = EModel.mos(r + 0.5) - EModel.mos(r - 0.5);
    return c.cost() - TIER_MARGIN_MOS / (mosPerR * EModel.R_PER_DELAY_MS);
  }

  /**
   * The simplest route whose predicted MOS is within {@link #TIER_MARGIN_MOS} of the best one predicted: direct,
   * then one relay, then multi-hop, and the central media servers last (they cost money; the mesh exists to keep
   * calls off them).
   */
  private Candidate choose(Candidate direct, Candidate relay, Candidate multi, Candidate central, List<Candidate> all,
                           List<String> reasons) {
    Candidate best = all.stream().max(Comparator.comparingDouble(Candidate::mos)
      .thenComparing(c -> -c.tier().number())).orElseThrow();
    for (Candidate c : new Candidate[] {direct, relay, multi, central}) {
      if (c != null && c.mos() >= best.mos() - TIER_MARGIN_MOS) {
        reasons.add(c == best
          ? "chose tier " + c.tier().number() + " (" + c.tier().id() + "): the best predicted MOS"
            + (c.tier() == Tier.CENTRAL ? ", no peer-to-peer route within " + TIER_MARGIN_MOS + " of it" : "")
          : "chose tier " + c.tier().number() + " (" + c.tier().id() + "): the simplest route within "
            + TIER_MARGIN_MOS + " MOS of the best (tier " + best.tier().number() + ", MOS " + round(best.mos()) + ")");
        return c;
      }
    }
    throw new IllegalStateException("the best route is within the margin of itself");
  }

  // ---- endpoints and eligibility ----------------------------------------------------------------------------

  /** The owner's routable nodes with the media, by id (owners hold a handful: an insertion sort). */
  private int[] endpoints(String owner, Query q) {
    MeshGraph.IntList list = graph.nodesOf(owner);
    int count = 0;
    int[] found = new int[list.size()];
    for (int k = 0; k < list.size(); k++) {
      int i = list.get(k);
      if (graph.routable(i) && (graph.node(i).capabilities() & q.capabilities()) == q.capabilities()) {
        int j = count++;
        while (j > 0 && graph.id(found[j - 1]).compareTo(graph.id(i)) > 0) {
          found[j] = found[j - 1];
          j--;
        }
        found[j] = i;
      }
    }
    return count == found.length ? found : Arrays.copyOf(found, count);
  }

  boolean eligibleRelay(int i, Query q) {
    NodeState n = graph.node(i);
    return n != null && graph.routable(i) && n.type().relays() && n.trust() >= q.minRelayTrust()
      && (n.capabilities() & q.capabilities()) == q.capabilities()
      && n.currentConnections() < n.maxConnections()
      && n.bandwidthInUseMbps() + q.bandwidthMbps() <= n.bandwidthMbps()
      && !n.owner().equals(q.source()) && !n.owner().equals(q.destination());
  }

  private double relayCost(int i) {
    NodeState n = graph.node(i);
    NodeQuality q = n.quality();
    return RELAY_PROCESSING_MS + RELAY_LOAD_COST_MS * n.currentConnections() / Math.max(1, n.maxConnections())
      + LinkModel.cost(0, q.relayJitterMs(), q.relayLoss());
  }

  /** Cost of the leg between two slots: measured, or estimated if their NATs let them connect; NaN if neither. */
  private double legCost(int a, int b) {
    int l = graph.linkBetween(a, b);
    if (l >= 0) {
      return graph.linkCost(l);
    }
    if (!Nat.direct(graph.nat(a), graph.nat(b))) {
      return Double.NaN;
    }
    return LinkModel.cost(estimatedDelay(a, b), estimatedJitter(a, b), estimatedLoss(a, b));
  }

  /** An unmeasured leg's jitter and loss: what both ends' access is learned to add ({@link NodeQuality}). */
  private double estimatedJitter(int a, int b) {
    return NodeQuality.estimatedJitterMs(graph.node(a).quality(), graph.node(b).quality());
  }

  private double estimatedLoss(int a, int b) {
    return NodeQuality.estimatedLoss(graph.node(a).quality(), graph.node(b).quality());
  }

  /**
   * What the search believes of the leg between two slots: the link as measured ({@code samples} its number of
   * measurements), or the distance estimate with no samples.
   */
  public Attribution.Leg belief(int a, int b) {
    int l = graph.linkBetween(a, b);
    return l >= 0 ? new Attribution.Leg(graph.linkDelay(l), graph.linkJitter(l), graph.linkLoss(l), graph.linkVersion(l))
      : new Attribution.Leg(estimatedDelay(a, b), estimatedJitter(a, b), estimatedLoss(a, b), 0);
  }

  /** An unmeasured leg's one-way delay: the distance model's, stretched as both ends are learned to be. */
  private double estimatedDelay(int a, int b) {
    return NodeQuality.estimatedDelayMs(modelDelay(graph, a, b), graph.node(a).quality(), graph.node(b).quality());
  }

  /** The distance model's one-way delay between two present nodes, before any learned stretch. */
  public static double modelDelay(MeshGraph graph, int a, int b) {
    NodeState x = graph.node(a);
    NodeState y = graph.node(b);
    boolean sameRegion = x.region() != null && x.region().equals(y.region());
    return LinkModel.estimatedDelayMs(graph.latitude(a), graph.longitude(a), graph.latitude(b), graph.longitude(b),
      sameRegion);
  }

  // ---- tier 1 -----------------------------------------------------------------------------------------------

  private Candidate direct(int[] sources, int[] destinations) {
    double best = Double.POSITIVE_INFINITY;
    int bs = -1;
    int bd = -1;
    for (int s : sources) {
      for (int d : destinations) {
        double cost = legCost(s, d);
        if (cost < best) {
          best = cost;
          bs = s;
          bd = d;
        }
      }
    }
    return bs < 0 ? null : candidate(Tier.DIRECT, new int[] {bs, bd});
  }

  // ---- tier 2 -----------------------------------------------------------------------------------------------

  private Candidate oneRelay(int[] sources, int[] destinations, Query q) {
    bestRelayCost = Double.POSITIVE_INFINITY;
    bestRelayPath = null;
    for (int[] side : new int[][] {sources, destinations}) {
      for (int e : side) {
        for (int k = 0; k < graph.degree(e); k++) {
          tryRelay(graph.neighbour(e, k), sources, destinations, q);
        }
      }
    }
    // Relays no party measured a link to, near each party (its first node by id), over legs the distance model
    // estimates: tried so that a relay can be used (and its outcomes learned) without client link reports. A
    // bounded scan in id order.
    for (int[] side : new int[][] {sources, destinations}) {
      int e = side[0];
      int[] found = {0, 0};
      graph.relaysAround(graph.latitude(e), graph.longitude(e), graph.node(e).region(), NEARBY_RINGS, r -> {
        found[1]++;
        if (relayMark[r] != stamp && tryRelay(r, sources, destinations, q)) {
          found[0]++;
        }
        return found[0] < NEARBY_RELAYS && found[1] < NEARBY_SCAN_LIMIT;
      });
    }
    return bestRelayPath == null ? null : candidate(Tier.RELAY, bestRelayPath);
  }

  private double bestRelayCost;
  private int[] bestRelayPath;

  /** Offers relay {@code r} (once per query) with its cheapest legs; answers whether it could carry the call. */
  private boolean tryRelay(int r, int[] sources, int[] destinations, Query q) {
    if (relayMark[r] == stamp || !eligibleRelay(r, q)) {
      return false;
    }
    relayMark[r] = stamp;
    int s = cheapestLeg(sources, r);
    double sourceLeg = cheapestLegCost;
    int d = s < 0 ? -1 : cheapestLeg(destinations, r);
    if (s < 0 || d < 0) {
      return false;
    }
    double cost = sourceLeg + relayCost(r) + cheapestLegCost;
    if (cost < bestRelayCost || (cost == bestRelayCost && graph.id(r).compareTo(graph.id(bestRelayPath[1])) < 0)) {
      bestRelayCost = cost;
      bestRelayPath = new int[] {s, r, d};
    }
    return true;
  }

  /** The cost of the leg {@link #cheapestLeg} found last. */
  private double cheapestLegCost;

  private int cheapestLeg(int[] endpoints, int relay) {
    double best = Double.POSITIVE_INFINITY;
    int found = -1;
    for (int e : endpoints) {
      double cost = legCost(e, relay);
      if (cost < best) {
        best = cost;
        found = e;
      }
    }
    cheapestLegCost = best;
    return found;
  }

  // ---- tier 3 -----------------------------------------------------------------------------------------------

  /**
   * Layer h holds, for each relay, the cheapest cost of reaching it as the h-th relay from any source over measured
   * links. Exact for "at most H relays" (with non-negative costs the best walk is a simple path).
   */
  private Candidate multiHop(int[] sources, int[] destinations, Query q, double bound) {
    int maxHops = Math.min(q.maxHops(), MAX_HOPS_LIMIT);
    // The last hop, once: each eligible relay linked to a destination, with its cheapest link to one.
    for (int d : destinations) {
      for (int e = 0; e < graph.degree(d); e++) {
        int r = graph.neighbour(d, e);
        if (!eligibleRelay(r, q)) {
          continue;
        }
        float cost = (float) graph.linkCost(graph.link(d, e));
        if (lastMark[r] != stamp || cost < lastCost[r]
          || (cost == lastCost[r] && graph.id(d).compareTo(graph.id(lastDestination[r])) < 0)) {
          lastMark[r] = stamp;
          lastCost[r] = cost;
          lastDestination[r] = d;
        }
      }
    }
    double best = bound;
    int bestLayer = -1;
    int bestRelay = -1;
    frontierSize[1] = 0;
    for (int s : sources) {
      relax(1, s, 0, q, best, maxHops);
    }
    for (int h = 1; h <= maxHops; h++) {
      if (h >= 2) {
        for (int k = 0; k < frontierSize[h]; k++) {
          int v = frontier[h][k];
          if (lastMark[v] != stamp) {
            continue;
          }
          double cost = dist[h][v] + lastCost[v];
          if (cost < best || (cost == best && bestRelay >= 0 && graph.id(v).compareTo(graph.id(bestRelay)) < 0)) {
            best = cost;
            bestLayer = h;
            bestRelay = v;
          }
        }
      }
      if (h < maxHops) {
        frontierSize[h + 1] = 0;
        for (int k = 0; k < frontierSize[h]; k++) {
          int u = frontier[h][k];
          // Branch and bound: costs only grow along a path, so a partial path dearer than the best is dropped
          // (equal ones are kept, for the tie-break by id).
          if (dist[h][u] <= best) {
            relax(h + 1, u, dist[h][u], q, best, maxHops);
          }
        }
      }
    }
    if (bestLayer < 0) {
      return null;
    }
    int[] path = new int[bestLayer + 2];
    path[bestLayer + 1] = lastDestination[bestRelay];
    int v = bestRelay;
    for (int h = bestLayer; h >= 1; h--) {
      path[h] = v;
      v = prev[h][v];
    }
    path[0] = v;
    return candidate(Tier.MULTI_HOP, path);
  }

  /**
   * From {@code u} (reached at cost {@code base}), offers each eligible relay neighbour to layer {@code h}, unless
   * reaching it costs more than {@code bound} (or, on the last layer, it has no link to a destination).
   */
  private void relax(int h, int u, double base, Query q, double bound, int maxHops) {
    for (int e = 0; e < graph.degree(u); e++) {
      int v = graph.neighbour(u, e);
      // On the last layer only relays linked to a destination can end a path.
      if (v == u || (h == maxHops && lastMark[v] != stamp) || !eligibleRelay(v, q)) {
        continue;
      }
      float cost = (float) (base + graph.linkCost(graph.link(u, e)) + relayCost(v));
      if (cost > bound) {
        continue;
      }
      if (seen[h][v] != stamp) {
        seen[h][v] = stamp;
        dist[h][v] = cost;
        prev[h][v] = u;
        frontier[h][frontierSize[h]++] = v;
      } else if (cost < dist[h][v] || (cost == dist[h][v] && graph.id(u).compareTo(graph.id(prev[h][v])) < 0)) {
        dist[h][v] = cost;
        prev[h][v] = u;
      }
    }
  }

  // ---- tier 4 -----------------------------------------------------------------------------------------------

  private Candidate central(int[] sources, int[] destinations) {
    Candidate best = null;
    for (Region region : regions) {
      Candidate c = centralVia(region, sources, destinations, List.of(CENTRAL_PREFIX + region.name()));
      if (best == null || c.cost() < best.cost()) {
        best = c;
      }
    }
    return best;
  }

  /**
   * The route through a region's media servers: each party's leg by distance, with the jitter and loss of that
   * party's access (its first node with coordinates, as learned) and of the servers' side (a node never observed).
   */
  private Candidate centralVia(Region region, int[] sources, int[] destinations, List<String> path) {
    double latency = centralLeg(sources, region) + centralLeg(destinations, region) + CENTRAL_PROCESSING_MS;
    NodeQuality from = access(sources);
    NodeQuality to = access(destinations);
    double jitter = NodeQuality.estimatedJitterMs(from, NodeQuality.DEFAULT)
      + NodeQuality.estimatedJitterMs(to, NodeQuality.DEFAULT);
    double loss = 1 - (1 - NodeQuality.estimatedLoss(from, NodeQuality.DEFAULT))
      * (1 - NodeQuality.estimatedLoss(to, NodeQuality.DEFAULT));
    return new Candidate(Tier.CENTRAL, path, List.of(), latency, jitter, loss, LinkModel.cost(latency, jitter, loss));
  }

  /** A party's access as the central route sees it: the node its leg is measured from, else unknown. */
  private NodeQuality access(int[] endpoints) {
    for (int e : endpoints) {
      if (!Double.isNaN(graph.latitude(e))) {
        return graph.node(e).quality();
      }
    }
    return endpoints.length > 0 ? graph.node(endpoints[0]).quality() : NodeQuality.DEFAULT;
  }

  /** A party's leg to a region: from its first node (by id) with coordinates, or its region name, or unknown. */
  private double centralLeg(int[] endpoints, Region region) {
    for (int e : endpoints) {
      if (!Double.isNaN(graph.latitude(e))) {
        return NodeQuality.estimatedDelayMs(LinkModel.estimatedDelayMs(graph.latitude(e), graph.longitude(e),
          region.latitude(), region.longitude(), region.name().equals(graph.node(e).region())),
          graph.node(e).quality(), NodeQuality.DEFAULT);
      }
    }
    boolean sameRegion = endpoints.length > 0 && region.name().equals(graph.node(endpoints[0]).region());
    double model = sameRegion ? LinkModel.SAME_REGION_DELAY_MS : LinkModel.OTHER_REGION_DELAY_MS;
    return endpoints.length == 0 ? model
      : NodeQuality.estimatedDelayMs(model, graph.node(endpoints[0]).quality(), NodeQuality.DEFAULT);
  }

  // ---- current route ----------------------------------------------------------------------------------------

  /** The route the call is on, predicted on today's graph, or null if it is no longer usable. */
  private Candidate current(Query q, int[] sources, int[] destinations) {
    List<String> path = q.currentPath();
    if (path.size() == 1 && path.get(0).startsWith(CENTRAL_PREFIX)) {
      String name = path.get(0).substring(CENTRAL_PREFIX.length());
      return regions.stream().filter(r -> r.name().equals(name)).findFirst()
        .map(r -> centralVia(r, sources, destinations, List.copyOf(path))).orElse(null);
    }
    if (path.size() < 2) {
      return null;
    }
    int[] slots = new int[path.size()];
    for (int k = 0; k < slots.length; k++) {
      slots[k] = graph.index(path.get(k));
      if (slots[k] < 0) {
        return null;
      }
    }
    if (!contains(sources, slots[0]) || !contains(destinations, slots[slots.length - 1])) {
      return null;
    }
    for (int k = 1; k < slots.length - 1; k++) {
      if (!eligibleRelay(slots[k], q)) {
        return null;
      }
    }
    for (int k = 0; k + 1 < slots.length; k++) {
      if (Double.isNaN(legCost(slots[k], slots[k + 1]))) {
        return null;
      }
    }
    int relays = slots.length - 2;
    return candidate(relays == 0 ? Tier.DIRECT : relays == 1 ? Tier.RELAY : Tier.MULTI_HOP, slots);
  }

  private static boolean contains(int[] values, int value) {
    for (int v : values) {
      if (v == value) {
        return true;
      }
    }
    return false;
  }

  // ---- shared -----------------------------------------------------------------------------------------------

  /** The prediction of a path of slots: delays, jitters and costs add up, losses compound. */
  private Candidate candidate(Tier tier, int[] slots) {
    double latency = 0;
    double jitter = 0;
    double delivered = 1;
    double cost = 0;
    List<String> ids = new ArrayList<>(slots.length);
    for (int k = 0; k < slots.length; k++) {
      ids.add(graph.id(slots[k]));
      if (k > 0 && k < slots.length - 1) {
        NodeQuality relaying = graph.node(slots[k]).quality();
        latency += RELAY_PROCESSING_MS;
        jitter += relaying.relayJitterMs();
        delivered *= 1 - relaying.relayLoss();
        cost += relayCost(slots[k]);
      }
      if (k + 1 < slots.length) {
        int l = graph.linkBetween(slots[k], slots[k + 1]);
        double delay = l >= 0 ? graph.linkDelay(l) : estimatedDelay(slots[k], slots[k + 1]);
        double legJitter = l >= 0 ? graph.linkJitter(l) : estimatedJitter(slots[k], slots[k + 1]);
        double legLoss = l >= 0 ? graph.linkLoss(l) : estimatedLoss(slots[k], slots[k + 1]);
        latency += delay;
        jitter += legJitter;
        delivered *= 1 - legLoss;
        cost += l >= 0 ? graph.linkCost(l) : LinkModel.cost(delay, legJitter, legLoss);
      }
    }
    return new Candidate(tier, List.copyOf(ids), List.copyOf(ids.subList(1, ids.size() - 1)), latency, jitter,
      1 - delivered, cost);
  }

  private String nat(String nodeId) {
    return graph.nat(graph.index(nodeId)).id();
  }

  private static double round(double value) {
    return Math.round(value * 100) / 100.0;
  }

  /** Grows the scratch arrays with the graph (rarely), and starts a new query stamp. */
  private void prepare() {
    int n = graph.capacity();
    if (relayMark.length < n) {
      int size = Math.max(n, relayMark.length * 2);
      dist = new float[MAX_HOPS_LIMIT + 1][size];
      prev = new int[MAX_HOPS_LIMIT + 1][size];
      seen = new int[MAX_HOPS_LIMIT + 1][size];
      frontier = new int[MAX_HOPS_LIMIT + 1][size];
      relayMark = new int[size];
      lastMark = new int[size];
      lastCost = new float[size];
      lastDestination = new int[size];
      stamp = 0;
    }
    if (stamp == Integer.MAX_VALUE) {
      for (int[] layer : seen) {
        Arrays.fill(layer, 0);
      }
      Arrays.fill(relayMark, 0);
      Arrays.fill(lastMark, 0);
      stamp = 0;
    }
    stamp++;
  }
}
