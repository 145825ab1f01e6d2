package io.auralink.comm.mesh.quality;

import java.util.List;

/**
 * How a call's end-to-end outcome is shared out among the legs of its path, pure. The path's prediction is the sum
 * of its legs' beliefs (measured, or the distance estimate the route search uses for a leg never measured) plus
 * what each relay adds; the outcome's difference from that prediction (its <em>residual</em>) is what is learned,
 * and each leg takes a share of it in proportion to how uncertain it is: {@code 1 / (1 + min(samples, 10))}, so a
 * leg never measured takes the most and a well-measured leg the least (a relay's own part always takes the least). Delay and jitter add along a path; loss is
 * shared in log-delivery space, so the legs' losses compound to the measured one.
 * <p>
 * Relays on the path are parts too (what each adds when relaying: its jitter and loss, see {@link NodeQuality}).
 * Each observation is the part's belief plus its share of the residual; fed to the exponentially weighted average,
 * this is a relaxed Kaczmarz step on the system "path sums equal outcomes", which converges to the hidden truth
 * when paths overlap enough to determine it. Sharing the <em>total</em> in proportion to the beliefs (the former
 * rule) cannot correct a wrong split: any split with the right sum is a fixed point.
 */
public final class Attribution {

  /** Beyond this many samples a leg's share of a residual stops shrinking. */
  public static final int CERTAINTY_CAP = 10;
  /** A leg is never believed faster than this (one-way ms). */
  public static final double MIN_DELAY_MS = 0.1;
  private static final double MAX_LOSS = 0.999;

  /** What is believed of one leg now; {@code samples} 0 for a leg only estimated. */
  public record Leg(double oneWayDelayMs, double jitterMs, double loss, long samples) {
  }

  /** What one leg is taken to have measured during the call. */
  public record Observation(double rttMs, double jitterMs, double loss) {
  }

  private Attribution() {
  }

  /**
   * The observations of each leg of a path, then of each relay on it, from the call's measured round trip, jitter
   * and loss. A relay is believed to add its fixed processing delay ({@code oneWayDelayMs}, which takes no share of
   * the delay residual) and the jitter and loss it is learned to add when relaying; it takes shares of those
   * residuals like a leg, so what a relay adds across all of its links is learned as the relay's own.
   */
  public static Observation[] of(List<Leg> legs, List<Leg> relays, double rttMs, double jitterMs, double loss) {
    int n = legs.size() + relays.size();
    double[] weight = new double[n];
    double legWeights = 0;
    double weights = 0;
    double believedDelay = 0;
    double believedJitter = 0;
    double believedLogDelivery = 0;
    for (int k = 0; k < n; k++) {
      Leg part = k < legs.size() ? legs.get(k) : relays.get(k - legs.size());
      // A relay's own part takes the share of a well-measured leg from the start: one call through it with a
      // caller on a poor connection must not make it look lossy to everyone; consistent evidence across calls does.
      weight[k] = 1.0 / (1 + (k < legs.size() ? Math.min(part.samples(), CERTAINTY_CAP) : CERTAINTY_CAP));
      weights += weight[k];
      legWeights += k < legs.size() ? weight[k] : 0;
      believedDelay += part.oneWayDelayMs();
      believedJitter += part.jitterMs();
      believedLogDelivery += Math.log(1 - Math.min(MAX_LOSS, part.loss()));
    }
    double delayResidual = rttMs / 2 - believedDelay;
    double jitterResidual = jitterMs - believedJitter;
    double logDeliveryResidual = Math.log(1 - Math.min(MAX_LOSS, loss)) - believedLogDelivery;
    Observation[] observed = new Observation[n];
    for (int k = 0; k < n; k++) {
      boolean leg = k < legs.size();
      Leg part = leg ? legs.get(k) : relays.get(k - legs.size());
      double share = weight[k] / weights;
      double delay = leg ? Math.max(MIN_DELAY_MS, part.oneWayDelayMs() + weight[k] / legWeights * delayResidual)
        : part.oneWayDelayMs();
      double jitter = Math.max(0, part.jitterMs() + share * jitterResidual);
      double logDelivery = Math.min(0, Math.log(1 - Math.min(MAX_LOSS, part.loss())) + share * logDeliveryResidual);
      observed[k] = new Observation(2 * delay, jitter, Math.min(MAX_LOSS, 1 - Math.exp(logDelivery)));
    }
    return observed;
  }
}
