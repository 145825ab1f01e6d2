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
 * </ul>
 */
public record NodeQuality(double accessJitterMs, double accessLoss, long accessSamples, double relayJitterMs,
                          double relayLoss, long relaySamples) {

  public static final double DEFAULT_ACCESS_JITTER_MS = LinkModel.ESTIMATED_JITTER_MS / 2;
  public static final double DEFAULT_ACCESS_LOSS = 1 - Math.sqrt(1 - LinkModel.ESTIMATED_LOSS);
  public static final NodeQuality DEFAULT = new NodeQuality(DEFAULT_ACCESS_JITTER_MS, DEFAULT_ACCESS_LOSS, 0, 0, 0, 0);

  /** After one more observation of the node's access. */
  public NodeQuality withAccess(double jitterMs, double loss) {
    return new NodeQuality(LinkModel.ewma(accessJitterMs, jitterMs, false), LinkModel.ewma(accessLoss, loss, false),
      accessSamples + 1, relayJitterMs, relayLoss, relaySamples);
  }

  /** After one more observation of what the node added as a relay. */
  public NodeQuality withRelaying(double jitterMs, double loss) {
    return new NodeQuality(accessJitterMs, accessLoss, accessSamples, LinkModel.ewma(relayJitterMs, jitterMs, false),
      LinkModel.ewma(relayLoss, loss, false), relaySamples + 1);
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
      .put("relay_samples", relaySamples);
  }

  /** The quality in {@code json}; the default if absent. */
  public static NodeQuality fromJson(JsonObject json) {
    if (json == null) {
      return DEFAULT;
    }
    return new NodeQuality(json.getDouble("access_jitter_ms", DEFAULT_ACCESS_JITTER_MS),
      json.getDouble("access_loss", DEFAULT_ACCESS_LOSS), json.getLong("access_samples", 0L),
      json.getDouble("relay_jitter_ms", 0.0), json.getDouble("relay_loss", 0.0), json.getLong("relay_samples", 0L));
  }
}
