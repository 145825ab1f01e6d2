package io.auralink.comm.mesh.quality;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class AttributionTest {

  private static final double RELAY_MS = 1;

  /** Relays never observed: their processing delay, nothing added. */
  private static List<Attribution.Leg> relays(int count) {
    return java.util.Collections.nCopies(count, new Attribution.Leg(RELAY_MS, 0, 0, CERTAINTY));
  }

  /** Relays here are taken as known, so that the legs' shares are what the tests compute. */
  private static final long CERTAINTY = 1_000_000;

  @Test
  void anOutcomeThatMatchesThePredictionLeavesEveryLegAsBelieved() {
    List<Attribution.Leg> legs = List.of(new Attribution.Leg(30, 3, 0.01, 5), new Attribution.Leg(40, 2, 0.0, 0));
    Attribution.Observation[] observed = Attribution.of(legs, relays(1), 2 * (30 + 40 + RELAY_MS), 5,
      1 - 0.99 * 1.0);
    assertThat(observed[0].rttMs()).isCloseTo(60, within(1e-9));
    assertThat(observed[1].rttMs()).isCloseTo(80, within(1e-9));
    assertThat(observed[0].jitterMs()).isCloseTo(3, within(1e-9));
    assertThat(observed[0].loss()).isCloseTo(0.01, within(1e-9));
    assertThat(observed[1].loss()).isCloseTo(0, within(1e-9));
  }

  @Test
  void anUnmeasuredLegIsBelievedAtItsEstimateAndTakesTheLargestShareOfTheSurprise() {
    // The case: a measured leg of 40 ms, an unmeasured one estimated at 60 ms, a call 20 ms slower one way.
    List<Attribution.Leg> legs = List.of(new Attribution.Leg(40, 2, 0.005, 10), new Attribution.Leg(60, 2, 0.005, 0));
    Attribution.Observation[] observed = Attribution.of(legs, relays(1), 2 * (40 + 60 + RELAY_MS + 20), 4, 0.01);
    double measuredShare = (1.0 / 11) / (1.0 / 11 + 1);
    assertThat(observed[0].rttMs() / 2).isCloseTo(40 + 20 * measuredShare, within(1e-9));
    assertThat(observed[1].rttMs() / 2).isCloseTo(60 + 20 * (1 - measuredShare), within(1e-9));
    // The new leg is not stored nearly free, as the former rule (believing it cost 1 ms) did.
    assertThat(observed[1].rttMs() / 2).isGreaterThan(70);
  }

  @Test
  void lossesOfTheLegsCompoundToTheMeasuredLoss() {
    List<Attribution.Leg> legs = List.of(new Attribution.Leg(10, 1, 0.0, 0), new Attribution.Leg(10, 1, 0.0, 0),
      new Attribution.Leg(10, 1, 0.0, 0));
    Attribution.Observation[] observed = Attribution.of(legs, relays(2), 64, 3, 0.03);
    double delivered = 1;
    for (Attribution.Observation o : observed) {
      delivered *= 1 - o.loss();
    }
    assertThat(1 - delivered).isCloseTo(0.03, within(1e-9));
  }

  @Test
  void aFasterCallThanEveryBeliefNeverMakesALegFreeOrNegative() {
    List<Attribution.Leg> legs = List.of(new Attribution.Leg(50, 2, 0.1, 0), new Attribution.Leg(50, 2, 0.1, 0));
    Attribution.Observation[] observed = Attribution.of(legs, relays(1), 2, 0, 0);
    for (Attribution.Observation o : observed) {
      assertThat(o.rttMs()).isGreaterThanOrEqualTo(2 * Attribution.MIN_DELAY_MS);
      assertThat(o.jitterMs()).isGreaterThanOrEqualTo(0);
      assertThat(o.loss()).isBetween(0.0, 1.0);
    }
  }

  /**
   * The property: over a hidden truth (links, and what some relays secretly add when they forward), repeated outcomes
   * of calls on random paths (some direct, most through one or two relays) bring the estimate of every leg and every
   * relay that calls used within a tolerance of its truth, starting from the distance-model estimates, which are
   * wrong by up to a factor of three, and from relays believed to add nothing.
   */
  @Test
  void repeatedOutcomesOnRandomPathsConvergeToTheHiddenTruth() {
    for (long seed = 1; seed <= 5; seed++) {
      Random random = new Random(seed);
      int nodes = 14;
      double[][] delay = new double[nodes][nodes];
      double[][] jitter = new double[nodes][nodes];
      double[][] loss = new double[nodes][nodes];
      double[] relayJitter = new double[nodes];
      double[] relayLoss = new double[nodes];
      for (int a = 0; a < nodes; a++) {
        for (int b = a + 1; b < nodes; b++) {
          delay[a][b] = delay[b][a] = 5 + random.nextDouble() * 120;
          jitter[a][b] = jitter[b][a] = random.nextDouble() * 12;
          loss[a][b] = loss[b][a] = random.nextDouble() * 0.04;
        }
        if (random.nextDouble() < 0.25) {
          relayJitter[a] = 5 + random.nextDouble() * 10;
          relayLoss[a] = 0.03 + random.nextDouble() * 0.05;
        }
      }
      Map<Long, double[]> belief = new HashMap<>();
      Map<Integer, double[]> relayBelief = new HashMap<>();
      for (int call = 0; call < 40_000; call++) {
        int hops = random.nextDouble() < 0.2 ? 1 : 2 + random.nextInt(2);
        int[] path = randomPath(random, nodes, hops + 1);
        double oneWay = RELAY_MS * (path.length - 2);
        double pathJitter = 0;
        double delivered = 1;
        List<Attribution.Leg> legs = new ArrayList<>();
        List<Attribution.Leg> relays = new ArrayList<>();
        for (int k = 0; k + 1 < path.length; k++) {
          int a = path[k];
          int b = path[k + 1];
          oneWay += delay[a][b];
          pathJitter += jitter[a][b];
          delivered *= 1 - loss[a][b];
          double[] known = belief.get(key(a, b));
          // The distance model's estimate: off from the truth by a factor between 1/3 and 3.
          legs.add(known == null ? new Attribution.Leg(estimate(a, b, delay), 2, 0.005, 0)
            : new Attribution.Leg(known[0] / 2, known[1], known[2], (long) known[3]));
          if (k > 0) {
            pathJitter += relayJitter[a];
            delivered *= 1 - relayLoss[a];
            double[] relay = relayBelief.getOrDefault(a, new double[] {0, 0, 0});
            relays.add(new Attribution.Leg(RELAY_MS, relay[0], relay[1], (long) relay[2]));
          }
        }
        Attribution.Observation[] observed = Attribution.of(legs, relays, 2 * oneWay, pathJitter, 1 - delivered);
        for (int k = 0; k < legs.size(); k++) {
          long leg = key(path[k], path[k + 1]);
          double[] known = belief.get(leg);
          Attribution.Observation o = observed[k];
          belief.put(leg, known == null ? new double[] {o.rttMs(), o.jitterMs(), o.loss(), 1}
            : new double[] {LinkModel.ewma(known[0], o.rttMs(), false), LinkModel.ewma(known[1], o.jitterMs(), false),
              LinkModel.ewma(known[2], o.loss(), false), known[3] + 1});
        }
        for (int k = 0; k < relays.size(); k++) {
          NodeQuality learned = new NodeQuality(0, 0, 0, relays.get(k).jitterMs(), relays.get(k).loss(),
            relays.get(k).samples()).withRelaying(observed[legs.size() + k].jitterMs(), observed[legs.size() + k].loss());
          relayBelief.put(path[k + 1], new double[] {learned.relayJitterMs(), learned.relayLoss(), learned.relaySamples()});
        }
      }
      for (Map.Entry<Long, double[]> learned : belief.entrySet()) {
        int a = (int) (learned.getKey() / 1000);
        int b = (int) (learned.getKey() % 1000);
        String leg = "seed " + seed + " leg " + a + "-" + b;
        assertThat(learned.getValue()[0] / 2).as(leg + " delay").isCloseTo(delay[a][b], within(2.0));
        assertThat(learned.getValue()[1]).as(leg + " jitter").isCloseTo(jitter[a][b], within(1.0));
        assertThat(learned.getValue()[2]).as(leg + " loss").isCloseTo(loss[a][b], within(0.004));
      }
      for (Map.Entry<Integer, double[]> learned : relayBelief.entrySet()) {
        int r = learned.getKey();
        String relay = "seed " + seed + " relay " + r;
        assertThat(learned.getValue()[0]).as(relay + " jitter added").isCloseTo(relayJitter[r], within(1.0));
        assertThat(learned.getValue()[1]).as(relay + " loss added").isCloseTo(relayLoss[r], within(0.004));
      }
    }
  }

  private static double estimate(int a, int b, double[][] delay) {
    return delay[a][b] * (((a * 31 + b * 17) % 2 == 0) ? 3.0 : 1 / 3.0);
  }

  private static int[] randomPath(Random random, int nodes, int length) {
    int[] path = new int[length];
    for (int k = 0; k < length; k++) {
      int next;
      do {
        next = random.nextInt(nodes);
      } while (contains(path, k, next));
      path[k] = next;
    }
    return path;
  }

  private static boolean contains(int[] path, int upTo, int node) {
    for (int k = 0; k < upTo; k++) {
      if (path[k] == node) {
        return true;
      }
    }
    return false;
  }

  private static long key(int a, int b) {
    return Math.min(a, b) * 1000L + Math.max(a, b);
  }
}
