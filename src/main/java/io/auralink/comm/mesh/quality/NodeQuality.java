package io.auralink.comm.mesh.quality;

import io.vertx.core.json.JsonObject;

/**
 * What a node itself contributes to the calls it carries, learned as exponentially weighted averages
 * ({@link LinkModel#ALPHA}):
 * <ul>
 *   <li><b>Access</b> (jitter and loss of the node's own connection, part of each leg it is on): learned from the
 *       node's heartbeats (when it reports them), its link reports and the legs of call outcomes it was on. An
 *       unmeasured leg is estimated with both ends' access, so a device with a poor connection no longer looks good
 *       for a direct route it never measured. The defaults add up to {@link LinkModel#ESTIMATED_JITTER_MS} and
 *       {@link LinkModel#ESTIMATED_LOSS} for a leg between two nodes never observed.</li>
 *   <li><b>Relaying</b> (jitter and loss a relay adds when it forwards, on top of its links): learned from the outcomes
 *       of calls through it, across all of its links, and applied to every path through it, measured links or not,
 *       so a secretly lossy relay stops being attractive through links no call has used yet.</li>
 *   <li><b>Delay stretch</b> (how much slower than the distance model the node's legs are, 1 until learned): learned
 *       in log space from the legs it was on (outcomes, link reports) against the model's estimate for them, and
 *       applied to every leg estimated at the node, as the geometric mean of both ends' stretch, so the model's bias
 *       for a network is learned rather than guessed.</li>
 * </ul>
 */
public record NodeQuality(double accessJitterMs, double accessLoss, long accessSamples, double relayJitterMs,
                          double relayLoss, long relaySamples, double delayStretch) {

  public static final double DEFAULT_ACCESS_JITTER_MS = LinkModel.ESTIMATED_JITTER_MS / 2;
  public static final double DEFAULT_ACCESS_LOSS = 1 - Math.sqrt(1 - LinkModel.ESTIMATED_LOSS);
  public static final NodeQuality DEFAULT = new NodeQuality(DEFAULT_ACCESS_JITTER_MS, DEFAULT_ACCESS_LOSS, 0, 0, 0, 0);
  /** A stretch observation is taken within these bounds (one odd measurement must not throw the estimate far). */
  public static final double MIN_STRETCH = 0.25;
  public static final double MAX_STRETCH = 4;

  /** A quality whose delay stretch is not learned yet (1: the distance model as it is). */
  public NodeQuality(double accessJitterMs, double accessLoss, long accessSamples, double relayJitterMs,
                     double relayLoss, long relaySamples) {
    this(accessJitterMs, accessLoss, accessSamples, relayJitterMs, relayLoss, relaySamples, 1);
  }

  /** After one more observation of the node's access. */
  public NodeQuality withAccess(double jitterMs, double loss) {
    return new NodeQuality(LinkModel.ewma(accessJitterMs, jitterMs, false), LinkModel.ewma(accessLoss, loss, false),
      accessSamples + 1, relayJitterMs, relayLoss, relaySamples, delayStretch);
  }

  /** After one more observation of what the node added as a relay. */
  public NodeQuality withRelaying(double jitterMs, double loss) {
    return new NodeQuality(accessJitterMs, accessLoss, accessSamples, LinkModel.ewma(relayJitterMs, jitterMs, false),
      LinkModel.ewma(relayLoss, loss, false), relaySamples + 1, delayStretch);
  }

  /** After one more observation of the node's delay stretch (averaged in log space, so 2 and 0.5 cancel). */
  public NodeQuality withStretch(double observed) {
    if (!Double.isFinite(observed) || observed <= 0) {
      return this;
    }
    double seen = Math.max(MIN_STRETCH, Math.min(MAX_STRETCH, observed));
    return new NodeQuality(accessJitterMs, accessLoss, accessSamples, relayJitterMs, relayLoss, relaySamples,
      Math.exp(LinkModel.ewma(Math.log(delayStretch), Math.log(seen), false)));
  }

  /**
   * One end's delay stretch as one leg shows it: the leg's one-way delay over the distance model's estimate, shared
   * with the other end in log space (the estimate is stretched by the geometric mean of both ends', so this end
   * takes the whole departure from it); NaN without an estimate.
   */
  public static double stretchShare(double legDelayMs, double modelDelayMs, NodeQuality self, NodeQuality otherEnd) {
    if (!(modelDelayMs > 0) || !(legDelayMs > 0)) {
      return Double.NaN;
    }
    return Math.sqrt(self.delayStretch / otherEnd.delayStretch) * legDelayMs / modelDelayMs;
  }

  /**
   * Estimated one-way delay of an unmeasured leg between nodes of these qualities: the distance model's, stretched by
   * the geometric mean of both ends' learned stretch (how much slower than the model their networks route).
   */
  public static double estimatedDelayMs(double modelDelayMs, NodeQuality a, NodeQuality b) {
    return modelDelayMs * Math.sqrt(a.delayStretch * b.delayStretch);
  }

  /**
   * One end's access as one leg's observation shows it: what the leg measured beyond what the other end's access is
   * believed to add (a device's leg to a well-known relay is nearly all the device's own connection).
   */
  public static double[] accessShare(double legJitterMs, double legLoss, NodeQuality otherEnd) {
    double loss = 1 - (1 - Math.min(0.999, legLoss)) / (1 - otherEnd.accessLoss);
    return new double[] {Math.max(0, legJitterMs - otherEnd.accessJitterMs), Math.max(0, loss)};
  }

  /** Estimated jitter of an unmeasured leg between nodes of these qualities. */
  public static double estimatedJitterMs(NodeQuality a, NodeQuality b) {
    return a.accessJitterMs + b.accessJitterMs;
  }

  /** Estimated loss of an unmeasured leg between nodes of these qualities. */
  public static double estimatedLoss(NodeQuality a, NodeQuality b) {
    return 1 - (1 - a.accessLoss) * (1 - b.accessLoss);
  }

  public JsonObject toJson() {
    return new JsonObject().put("access_jitter_ms", accessJitterMs).put("access_loss", accessLoss)
      .put("access_samples", accessSamples).put("relay_jitter_ms", relayJitterMs).put("relay_loss", relayLoss)
      .put("relay_samples", relaySamples).put("delay_stretch", delayStretch);
  }

  /** The quality in {@code json}; the default if absent. */
  public static NodeQuality fromJson(JsonObject json) {
    if (json == null) {
      return DEFAULT;
    }
    NodeQuality q = new NodeQuality(json.getDouble("access_jitter_ms", DEFAULT_ACCESS_JITTER_MS),
      json.getDouble("access_loss", DEFAULT_ACCESS_LOSS), json.getLong("access_samples", 0L),
      json.getDouble("relay_jitter_ms", 0.0), json.getDouble("relay_loss", 0.0), json.getLong("relay_samples", 0L),
      json.getDouble("delay_stretch", 1.0));
    // Most nodes never learned anything: one shared instance for them keeps a large graph small.
    return q.equals(DEFAULT) ? DEFAULT : q;
  }
}
