package io.auralink.comm.mesh.quality;

import java.util.List;

/**
 * How a call's end-to-end outcome is shared out among the legs of its path, pure. The path's prediction is the sum
 * of its legs' beliefs (measured, or the distance estimate the route search uses for a leg never measured) plus
 * what each relay adds; the outcome's difference from that prediction (its <em>residual</em>) is what is learned,
 * and each leg takes a share of it in proportion to how uncertain it is: {@code 1 / (1 + min(samples, 10))}, so a
 * leg never measured takes the most and a well-measured leg the least. Delay and jitter add along a path; loss is
 * shared in log-delivery space, so the legs' losses compound to the measured one.
 * <p>
 * Each observation is the leg's belief plus its share of the residual; fed to the exponentially weighted average,
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
   * The observations of each leg of a path with {@code relays} relays (each adding {@code relayDelayMs} one way, and
   * what else it is believed to add already counted in the legs' beliefs), from the call's measured round trip,
   * jitter and loss.
   */
  public static Observation[] of(List<Leg> legs, int relays, double relayDelayMs, double rttMs, double jitterMs,
                                 double loss) {
    int n = legs.size();
    double[] weight = new double[n];
    double weights = 0;
    double believedDelay = relays * relayDelayMs;
    double believedJitter = 0;
    double believedLogDelivery = 0;
    for (int k = 0; k < n; k++) {
      Leg leg = legs.get(k);
      weight[k] = 1.0 / (1 + Math.min(leg.samples(), CERTAINTY_CAP));
      weights += weight[k];
      believedDelay += leg.oneWayDelayMs();
      believedJitter += leg.jitterMs();
      believedLogDelivery += Math.log(1 - Math.min(MAX_LOSS, leg.loss()));
    }
    double delayResidual = rttMs / 2 - believedDelay;
    double jitterResidual = jitterMs - believedJitter;
    double logDeliveryResidual = Math.log(1 - Math.min(MAX_LOSS, loss)) - believedLogDelivery;
    Observation[] observed = new Observation[n];
    for (int k = 0; k < n; k++) {
      Leg leg = legs.get(k);
      double share = weight[k] / weights;
      double delay = Math.max(MIN_DELAY_MS, leg.oneWayDelayMs() + share * delayResidual);
      double jitter = Math.max(0, leg.jitterMs() + share * jitterResidual);
      double logDelivery = Math.min(0, Math.log(1 - Math.min(MAX_LOSS, leg.loss())) + share * logDeliveryResidual);
      observed[k] = new Observation(2 * delay, jitter, Math.min(MAX_LOSS, 1 - Math.exp(logDelivery)));
    }
    return observed;
  }
}
