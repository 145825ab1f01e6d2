package io.auralink.bench;

import io.auralink.comm.mesh.graph.LinkState;
import io.auralink.comm.mesh.graph.MeshGraph;
import io.auralink.comm.mesh.graph.Nat;
import io.auralink.comm.mesh.graph.NodeState;
import io.auralink.comm.mesh.graph.RouteSearch;
import io.auralink.comm.mesh.quality.Attribution;
import io.auralink.comm.mesh.quality.EModel;
import io.auralink.comm.mesh.quality.LinkModel;
import io.auralink.comm.mesh.quality.NodeQuality;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Does routing learn? A simulated network whose true qualities only this program knows: 60 people (one device each,
 * some with a poor connection), 40 relays in 4 regions (some secretly lossy when they forward), links whose true
 * delay is the distance model's estimate times a factor from 0.7 to 1.8. Calls between 1 200 random training pairs
 * feed their outcomes back the way the service does ({@code Attribution}, links, relays' and devices' own quality);
 * 200 held-out pairs are routed before and after, and each chosen route's true MOS is compared with the oracle's
 * (every direct, one-relay, two-relay and central route, tried by brute force) and with the original service's
 * first-fit rule (direct if the NATs allow, else the first online relay with capacity). With client link reports,
 * devices report their links to the 4 nearest relays once, misleadingly (measured at a quiet moment: 50–80 % of the
 * true RTT, a third of the jitter, no loss); relays report their links among themselves twice (the first as
 * misleading). Default settings: relaying needs trust 60; the relays here have 65 (earned, or vouched by the
 * operator). A bound is printed too: the routes a router would choose knowing every node's truth and the links' mean
 * departure from the distance model, but no link's own draw (what learning nodes without measuring links can reach).
 * Fixed seeds; prints a Markdown table ({@code -Dbench.detail=true}: and every held-out pair that missed).
 */
public final class LearningSimulation {

  private static final double[][] REGIONS = {{53.35, -6.26}, {39.04, -77.49}, {1.35, 103.8}, {50.11, 8.68}};
  private static final String[] REGION_NAMES = {"eu-west", "us-east", "ap-southeast", "eu-central"};
  private static final int PEOPLE = 60;
  private static final int RELAYS = 40;
  private static final int TRAINING_CALLS = 1200;
  private static final int HELD_OUT = 200;
  private static final int CAPS = NodeState.AUDIO | NodeState.VIDEO | NodeState.SCREEN_SHARE | NodeState.AIC;
  private static final double WITHIN = 0.1;
  /** With -Dbench.detail=true, every held-out pair further than 0.1 MOS from the oracle is printed, with why. */
  private static final boolean DETAIL = Boolean.getBoolean("bench.detail");

  /** The hidden truth. */
  private final double[] lat = new double[PEOPLE + RELAYS];
  private final double[] lon = new double[PEOPLE + RELAYS];
  private final int[] region = new int[PEOPLE + RELAYS];
  private final Nat[] nat = new Nat[PEOPLE + RELAYS];
  private final double[] accessJitter = new double[PEOPLE + RELAYS];
  private final double[] accessLoss = new double[PEOPLE + RELAYS];
  private final double[] relayJitter = new double[PEOPLE + RELAYS];
  private final double[] relayLoss = new double[PEOPLE + RELAYS];
  private final long seed;

  private LearningSimulation(long seed) {
    this.seed = seed;
    Random random = new Random(seed);
    Nat[] deviceNats = {Nat.PUBLIC, Nat.FULL_CONE, Nat.RESTRICTED_CONE, Nat.PORT_RESTRICTED, Nat.PORT_RESTRICTED,
      Nat.SYMMETRIC, Nat.SYMMETRIC, Nat.SYMMETRIC};
    for (int n = 0; n < PEOPLE + RELAYS; n++) {
      boolean relay = n >= PEOPLE;
      region[n] = relay ? (n - PEOPLE) % REGIONS.length : random.nextInt(REGIONS.length);
      lat[n] = REGIONS[region[n]][0] + (random.nextDouble() - 0.5) * 8;
      lon[n] = REGIONS[region[n]][1] + (random.nextDouble() - 0.5) * 8;
      nat[n] = relay ? Nat.PUBLIC : deviceNats[random.nextInt(deviceNats.length)];
      boolean poor = !relay && random.nextDouble() < 0.3;
      accessJitter[n] = relay ? 0.3 + random.nextDouble() * 0.7 : poor ? 8 + random.nextDouble() * 17
        : 0.5 + random.nextDouble() * 1.5;
      accessLoss[n] = relay ? random.nextDouble() * 0.001 : poor ? 0.015 + random.nextDouble() * 0.035
        : random.nextDouble() * 0.003;
      boolean lossy = relay && random.nextDouble() < 0.2;
      relayJitter[n] = !relay ? 0 : lossy ? 5 + random.nextDouble() * 10 : random.nextDouble() * 0.5;
      relayLoss[n] = !relay ? 0 : lossy ? 0.03 + random.nextDouble() * 0.05 : random.nextDouble() * 0.001;
    }
  }

  private static String id(int n) {
    return n < PEOPLE ? "dev-" + n : "relay-" + (n - PEOPLE);
  }

  private static String person(int p) {
    return "@p" + p + ".aura";
  }

  // ---- the truth ------------------------------------------------------------------------------------------------

  /** A stable per-link random factor (the truth's departure from the distance model) and path jitter and loss. */
  private double[] linkTruth(int x, int y) {
    int a = Math.min(x, y);
    int b = Math.max(x, y);
    Random r = new Random(seed * 1_000_003L + a * 1009L + b);
    double km = LinkModel.distanceKm(lat[a], lon[a], lat[b], lon[b]);
    double delay = (5 + km / 100) * (0.7 + r.nextDouble() * 1.1);
    double jitter = accessJitter[a] + accessJitter[b] + r.nextDouble() * 2;
    double loss = 1 - (1 - accessLoss[a]) * (1 - accessLoss[b]) * (1 - r.nextDouble() * 0.005);
    return new double[] {delay, jitter, loss};
  }

  /** What is knowable of a link without measuring it: every node's truth, the per-link draws at their means. */
  private double[] linkMean(int x, int y) {
    double km = LinkModel.distanceKm(lat[x], lon[x], lat[y], lon[y]);
    return new double[] {(5 + km / 100) * 1.25, accessJitter[x] + accessJitter[y] + 1,
      1 - (1 - accessLoss[x]) * (1 - accessLoss[y]) * (1 - 0.0025)};
  }

  /** One-way delay, jitter and loss of a path of node numbers, relays adding processing and what they add. */
  private double[] pathTruth(int[] path) {
    return pathOf(path, false);
  }

  private double[] pathOf(int[] path, boolean means) {
    double delay = 0;
    double jitter = 0;
    double delivered = 1;
    for (int k = 0; k + 1 < path.length; k++) {
      double[] t = means ? linkMean(path[k], path[k + 1]) : linkTruth(path[k], path[k + 1]);
      delay += t[0];
      jitter += t[1];
      delivered *= 1 - t[2];
      if (k > 0) {
        delay += RouteSearch.RELAY_PROCESSING_MS;
        jitter += relayJitter[path[k]];
        delivered *= 1 - relayLoss[path[k]];
      }
    }
    return new double[] {delay, jitter, 1 - delivered};
  }

  /** The media servers of a region: each party's access, then distance to the server, a little slower than the model. */
  private double[] centralTruth(int a, int b, int r) {
    double delay = RouteSearch.CENTRAL_PROCESSING_MS;
    double jitter = 1;
    double delivered = 1;
    for (int party : new int[] {a, b}) {
      double km = LinkModel.distanceKm(lat[party], lon[party], REGIONS[r][0], REGIONS[r][1]);
      delay += (5 + km / 100) * 1.1;
      jitter += accessJitter[party];
      delivered *= (1 - accessLoss[party]) * (1 - 0.002);
    }
    return new double[] {delay, jitter, 1 - delivered};
  }

  private static double mos(double[] t) {
    return EModel.mos(EModel.rFactor(t[0], t[1], t[2]));
  }

  private double trueMos(List<String> path, int a, int b) {
    if (path.size() == 1 && path.get(0).startsWith(RouteSearch.CENTRAL_PREFIX)) {
      String name = path.get(0).substring(RouteSearch.CENTRAL_PREFIX.length());
      for (int r = 0; r < REGION_NAMES.length; r++) {
        if (REGION_NAMES[r].equals(name)) {
          return mos(centralTruth(a, b, r));
        }
      }
      throw new IllegalStateException(name);
    }
    return mos(pathTruth(numbers(path)));
  }

  private static int[] numbers(List<String> path) {
    int[] n = new int[path.size()];
    for (int k = 0; k < n.length; k++) {
      String id = path.get(k);
      n[k] = id.startsWith("dev-") ? Integer.parseInt(id.substring(4)) : PEOPLE + Integer.parseInt(id.substring(6));
    }
    return n;
  }

  /** The best true MOS any route reaches, and the best a route through at least one relay reaches. */
  private double[] oracle(int a, int b) {
    double best = 0;
    double bestRelayed = 0;
    if (Nat.direct(nat[a], nat[b])) {
      best = mos(pathTruth(new int[] {a, b}));
    }
    for (int r = 0; r < REGIONS.length; r++) {
      best = Math.max(best, mos(centralTruth(a, b, r)));
    }
    for (int r1 = PEOPLE; r1 < PEOPLE + RELAYS; r1++) {
      bestRelayed = Math.max(bestRelayed, mos(pathTruth(new int[] {a, r1, b})));
      for (int r2 = PEOPLE; r2 < PEOPLE + RELAYS; r2++) {
        if (r2 != r1) {
          bestRelayed = Math.max(bestRelayed, mos(pathTruth(new int[] {a, r1, r2, b})));
        }
      }
    }
    return new double[] {Math.max(best, bestRelayed), bestRelayed};
  }

  /**
   * The route a router would choose knowing every node's truth (access, what each relay adds) and the links' mean
   * departure from the distance model, but no link's own draw (as for legs never measured): its true MOS. A bound
   * on what learning nodes, not links, can reach.
   */
  private double knowingNodes(int a, int b) {
    double best = -1;
    int[] chosen = null;
    int central = -1;
    List<int[]> paths = new ArrayList<>();
    if (Nat.direct(nat[a], nat[b])) {
      paths.add(new int[] {a, b});
    }
    for (int r1 = PEOPLE; r1 < PEOPLE + RELAYS; r1++) {
      paths.add(new int[] {a, r1, b});
      for (int r2 = PEOPLE; r2 < PEOPLE + RELAYS; r2++) {
        if (r2 != r1) {
          paths.add(new int[] {a, r1, r2, b});
        }
      }
    }
    for (int[] path : paths) {
      double m = mos(pathOf(path, true));
      if (m > best) {
        best = m;
        chosen = path;
      }
    }
    for (int r = 0; r < REGIONS.length; r++) {
      double m = mos(centralTruth(a, b, r));
      if (m > best) {
        best = m;
        central = r;
        chosen = null;
      }
    }
    return chosen == null ? mos(centralTruth(a, b, central)) : mos(pathTruth(chosen));
  }

  /** The original service's rule: direct if the NATs allow, else the first online relay with capacity. */
  private double firstFit(int a, int b) {
    return Nat.direct(nat[a], nat[b]) ? mos(pathTruth(new int[] {a, b})) : mos(pathTruth(new int[] {a, PEOPLE, b}));
  }

  // ---- the service's view ---------------------------------------------------------------------------------------

  private final class Service {
    final MeshGraph graph = new MeshGraph();
    final RouteSearch search;
    final Map<String, LinkState> links = new HashMap<>();
    final Random noise;
    long now = 1;

    Service(boolean clientReports) {
      noise = new Random(seed + 17);
      for (int n = 0; n < PEOPLE + RELAYS; n++) {
        boolean relay = n >= PEOPLE;
        graph.apply(new NodeState(id(n), relay ? "@operator.aura" : person(n), "d" + n,
          relay ? NodeState.Type.RELAY : NodeState.Type.PEER, relay ? "server" : "phone", "192.0.2.1:3478", nat[n],
          REGION_NAMES[region[n]], lat[n], lon[n], CAPS, relay ? 1000 : 50, relay ? 500 : 10, 0, 0, true,
          relay ? 65 : 50, false, true, 0, 0, 1, 0));
      }
      List<RouteSearch.Region> regions = new ArrayList<>();
      for (int r = 0; r < REGIONS.length; r++) {
        regions.add(new RouteSearch.Region(REGION_NAMES[r], REGIONS[r][0], REGIONS[r][1]));
      }
      search = new RouteSearch(graph, regions);
      // Relays measure the links among themselves: each to the others of its region and to 3 elsewhere, twice.
      for (int pass = 0; pass < 2; pass++) {
        for (int r = PEOPLE; r < PEOPLE + RELAYS; r++) {
          List<Integer> to = new ArrayList<>();
          for (int s = PEOPLE; s < PEOPLE + RELAYS; s++) {
            if (s != r && (region[s] == region[r] || (s - r + RELAYS) % RELAYS < 4)) {
              to.add(s);
            }
          }
          report(r, to, pass == 0);
        }
      }
      if (clientReports) {
        for (int p = 0; p < PEOPLE; p++) {
          List<Integer> nearest = new ArrayList<>();
          for (int r = PEOPLE; r < PEOPLE + RELAYS; r++) {
            nearest.add(r);
          }
          int from = p;
          nearest.sort((x, y) -> Double.compare(LinkModel.distanceKm(lat[from], lon[from], lat[x], lon[x]),
            LinkModel.distanceKm(lat[from], lon[from], lat[y], lon[y])));
          report(p, nearest.subList(0, 4), true);
        }
      }
    }

    /** A link report, as the service takes it: each link learned, and the reporter's access from its share. */
    void report(int from, List<Integer> to, boolean misleading) {
      double jitterShare = 0;
      double lossShare = 0;
      double logStretch = 0;
      for (int t : to) {
        double[] truth = linkTruth(from, t);
        double rtt = 2 * truth[0] * (misleading ? 0.5 + noise.nextDouble() * 0.3 : 0.95 + noise.nextDouble() * 0.1);
        double jitter = misleading ? truth[1] / 3 : truth[1];
        double loss = misleading ? 0 : truth[2];
        measure(id(from), id(t), rtt, jitter, loss);
        double[] share = NodeQuality.accessShare(jitter, loss, graph.node(id(t)).quality());
        jitterShare += share[0] / to.size();
        lossShare += share[1] / to.size();
        logStretch += Math.log(stretch(from, t, rtt / 2)) / to.size();
      }
      learnNode(id(from), false, jitterShare, lossShare, Math.exp(logStretch));
    }

    /** A node's delay stretch as one leg of it shows it, as the service computes it. */
    double stretch(int self, int other, double delay) {
      int a = graph.index(id(self));
      int b = graph.index(id(other));
      return NodeQuality.stretchShare(delay, RouteSearch.modelDelay(graph, a, b), graph.node(a).quality(),
        graph.node(b).quality());
    }

    void measure(String x, String y, double rtt, double jitter, double loss) {
      String key = LinkState.key(x, y);
      LinkState learned = LinkState.measured(links.get(key), x, y, rtt, jitter, loss, 0, now++);
      links.put(key, learned);
      graph.apply(learned);
    }

    void learnNode(String nodeId, boolean relaying, double jitter, double loss, double stretch) {
      NodeState node = graph.node(nodeId);
      NodeQuality q = (relaying ? node.quality().withRelaying(jitter, loss) : node.quality().withAccess(jitter, loss))
        .withStretch(stretch);
      graph.apply(node.withQuality(q).next(node.version(), now++));
    }

    RouteSearch.Candidate route(int a, int b) {
      return search.route(new RouteSearch.Query(person(a), person(b), NodeState.AUDIO, 0.2, 3, 60, List.of())).chosen();
    }

    /** A call on the chosen route and its outcome taught as the service's route outcomes are. */
    void call(int a, int b) {
      List<String> path = route(a, b).path();
      if (path.size() < 2) {
        return;
      }
      double[] truth = pathTruth(numbers(path));
      double rtt = 2 * truth[0] * (0.95 + noise.nextDouble() * 0.1);
      double jitter = truth[1] * (0.8 + noise.nextDouble() * 0.4);
      double loss = Math.min(1, truth[2] * (0.7 + noise.nextDouble() * 0.6));
      List<Attribution.Leg> legs = new ArrayList<>();
      List<Attribution.Leg> relays = new ArrayList<>();
      for (int k = 0; k + 1 < path.size(); k++) {
        legs.add(search.belief(graph.index(path.get(k)), graph.index(path.get(k + 1))));
        if (k > 0) {
          NodeQuality q = graph.node(path.get(k)).quality();
          relays.add(new Attribution.Leg(RouteSearch.RELAY_PROCESSING_MS, q.relayJitterMs(), q.relayLoss(),
            q.relaySamples()));
        }
      }
      Attribution.Observation[] observed = Attribution.of(legs, relays, rtt, jitter, loss);
      int[] n = numbers(path);
      double[] stretch = new double[n.length];
      for (int k = 0; k < n.length; k++) {
        double logSum = 0;
        int seen = 0;
        for (int leg = Math.max(0, k - 1); leg <= Math.min(legs.size() - 1, k); leg++) {
          logSum += Math.log(stretch(n[k], leg == k ? n[k + 1] : n[k - 1], observed[leg].rttMs() / 2));
          seen++;
        }
        stretch[k] = Math.exp(logSum / seen);
      }
      for (int k = 0; k < legs.size(); k++) {
        measure(path.get(k), path.get(k + 1), observed[k].rttMs(), observed[k].jitterMs(), observed[k].loss());
      }
      for (int k = 0; k < relays.size(); k++) {
        Attribution.Observation o = observed[legs.size() + k];
        learnNode(path.get(k + 1), true, o.jitterMs(), o.loss(), stretch[k + 1]);
      }
      Attribution.Observation first = observed[0];
      Attribution.Observation last = observed[legs.size() - 1];
      double[] source = NodeQuality.accessShare(first.jitterMs(), first.loss(), graph.node(path.get(1)).quality());
      double[] destination = NodeQuality.accessShare(last.jitterMs(), last.loss(),
        graph.node(path.get(path.size() - 2)).quality());
      learnNode(path.get(0), false, source[0], source[1], stretch[0]);
      learnNode(path.get(path.size() - 1), false, destination[0], destination[1], stretch[n.length - 1]);
    }
  }

  // ---- the experiment -------------------------------------------------------------------------------------------

  private record Pair(int a, int b) {
  }

  /** Held-out figures: chosen/oracle MOS, share within 0.1 of the oracle, share of relay-worthy pairs relayed. */
  private record Figures(double ratio, double within, double relayed, int relayWorthy) {
  }

  private Figures measure(Service service, List<Pair> pairs, Map<Pair, double[]> oracles) {
    double ratio = 0;
    int within = 0;
    int relayWorthy = 0;
    int relayed = 0;
    for (Pair p : pairs) {
      double[] best = oracles.get(p);
      RouteSearch.Candidate chosen = service.route(p.a(), p.b());
      double mos = trueMos(chosen.path(), p.a(), p.b());
      ratio += mos / best[0];
      within += best[0] - mos <= WITHIN ? 1 : 0;
      if (DETAIL && best[0] - mos > WITHIN) {
        System.out.println(miss(p, chosen, mos, best));
      }
      if (!Nat.direct(nat[p.a()], nat[p.b()]) && best[0] - best[1] <= WITHIN) {
        relayWorthy++;
        relayed += chosen.relays().isEmpty() ? 0 : 1;
      }
    }
    return new Figures(ratio / pairs.size(), (double) within / pairs.size(),
      relayWorthy == 0 ? Double.NaN : (double) relayed / relayWorthy, relayWorthy);
  }

  /** A held-out pair the routing missed: what it chose and predicted, and what the truth offered. */
  private String miss(Pair p, RouteSearch.Candidate chosen, double mos, double[] best) {
    String direct = Nat.direct(nat[p.a()], nat[p.b()]) ? String.format(Locale.ROOT, "%.2f",
      mos(pathTruth(new int[] {p.a(), p.b()}))) : "no";
    double central = 0;
    for (int r = 0; r < REGIONS.length; r++) {
      central = Math.max(central, mos(centralTruth(p.a(), p.b(), r)));
    }
    double[] t = chosen.path().size() < 2 ? new double[3] : pathTruth(numbers(chosen.path()));
    return String.format(Locale.ROOT, "  miss %d->%d %s predicted %.2f (%.0f/%.1f/%.3f) true %.2f (%.0f/%.1f/%.3f) | oracle %.2f relayed %.2f direct %s"
        + " central %.2f | access %.1f/%.3f %.1f/%.3f", p.a(), p.b(), chosen.path(), chosen.mos(), chosen.latencyMs(), chosen.jitterMs(), chosen.loss(), mos, t[0], t[1], t[2], best[0],
      best[1], direct, central, accessJitter[p.a()], accessLoss[p.a()], accessJitter[p.b()], accessLoss[p.b()]);
  }

  private void run() {
    Random random = new Random(seed + 1);
    Set<Pair> heldOut = new HashSet<>();
    while (heldOut.size() < HELD_OUT) {
      int a = random.nextInt(PEOPLE);
      int b = random.nextInt(PEOPLE);
      if (a != b) {
        heldOut.add(new Pair(a, b));
      }
    }
    List<Pair> pairs = new ArrayList<>(heldOut);
    pairs.sort((x, y) -> x.a() != y.a() ? Integer.compare(x.a(), y.a()) : Integer.compare(x.b(), y.b()));
    Map<Pair, double[]> oracles = new HashMap<>();
    double firstFit = 0;
    int firstFitWithin = 0;
    for (Pair p : pairs) {
      double[] best = oracle(p.a(), p.b());
      oracles.put(p, best);
      double mos = firstFit(p.a(), p.b());
      firstFit += mos / best[0];
      firstFitWithin += best[0] - mos <= WITHIN ? 1 : 0;
    }
    System.out.printf(Locale.ROOT, "| %d | first fit (the original) | %.3f | %.0f %% | — | — |%n", seed,
      firstFit / pairs.size(), 100.0 * firstFitWithin / pairs.size());
    double bound = 0;
    int boundWithin = 0;
    for (Pair p : pairs) {
      double mos = knowingNodes(p.a(), p.b());
      bound += mos / oracles.get(p)[0];
      boundWithin += oracles.get(p)[0] - mos <= WITHIN ? 1 : 0;
    }
    System.out.printf(Locale.ROOT, "| %d | knowing every node's truth, no link's own (a bound) | %.3f | %.0f %% | — | — |%n",
      seed, bound / pairs.size(), 100.0 * boundWithin / pairs.size());
    for (boolean reports : new boolean[] {true, false}) {
      Service service = new Service(reports);
      Figures before = measure(service, pairs, oracles);
      for (int call = 0; call < TRAINING_CALLS; call++) {
        Pair p;
        do {
          p = new Pair(random.nextInt(PEOPLE), random.nextInt(PEOPLE));
        } while (p.a() == p.b() || heldOut.contains(p));
        service.call(p.a(), p.b());
      }
      Figures after = measure(service, pairs, oracles);
      String mode = reports ? "with client link reports" : "without client link reports";
      row(mode + ", before learning", before);
      row(mode + ", after " + TRAINING_CALLS + " calls", after);
    }
  }

  private void row(String what, Figures f) {
    System.out.printf(Locale.ROOT, "| %d | %s | %.3f | %.0f %% | %s | %d |%n", seed, what, f.ratio(), 100 * f.within(),
      Double.isNaN(f.relayed()) ? "—" : String.format(Locale.ROOT, "%.0f %%", 100 * f.relayed()), f.relayWorthy());
  }

  public static void main(String[] args) {
    System.out.println("| seed | routing | chosen / oracle MOS | within 0.1 MOS | relay-worthy pairs relayed | relay-worthy pairs |");
    System.out.println("|---|---|---|---|---|---|");
    for (long seed : new long[] {1, 2, 3}) {
      new LearningSimulation(seed).run();
    }
  }
}
