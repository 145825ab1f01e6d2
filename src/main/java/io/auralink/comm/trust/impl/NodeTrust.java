package io.auralink.comm.trust.impl;

/**
 * What a mesh node's own standing contributes to its trust, pure: the base its score starts from in place of the
 * flat {@link TrustScore#BASE} (verification, behaviour and reports then apply as for every entity, so each upheld
 * report against the node still costs {@link TrustScore#REPORT_PENALTY}).
 * <ul>
 *   <li><b>Owner:</b> {@code 50 + 0.25 × (owner's trust − 50)}, at most {@value #OWNER_START_CAP}: a verified,
 *       established owner's node starts higher, but every node proves itself before it may relay (the default
 *       relaying minimum is 60). An owner never scored counts as 50.</li>
 *   <li><b>Service:</b> up to {@value #SERVICE_MAX} points for being online with regular heartbeats:
 *       {@code 10 × uptime × regularity × min(1, hours observed / 24)}, where uptime is the share of observed time the
 *       node was beating and regularity the share of its beats that came on time. A well-behaved node of an owner at
 *       50 reaches 60 after 24 hours of service.</li>
 *   <li><b>Relayed calls:</b> {@value #GOOD_CALL_POINTS} per call relayed with good quality, {@value #POOR_CALL_POINTS}
 *       per call relayed with poor quality, between {@value #RELAYED_MIN} and {@value #RELAYED_MAX}.</li>
 *   <li><b>Vouched:</b> an infrastructure relay an operator vouched for (with {@code mesh:admin}) has the vouched
 *       trust as its base instead of all of the above.</li>
 * </ul>
 */
public final class NodeTrust {

  public static final double OWNER_WEIGHT = 0.25;
  public static final double OWNER_START_CAP = 58;
  public static final double SERVICE_MAX = 10;
  public static final double SERVICE_RAMP_HOURS = 24;
  public static final double GOOD_CALL_POINTS = 0.25;
  public static final double POOR_CALL_POINTS = -2;
  public static final double RELAYED_MAX = 15;
  public static final double RELAYED_MIN = -30;

  /**
   * A node's service record as the mesh reports it: time observed online and offline, beats on time and late,
   * relayed calls of good and poor quality, and the trust an operator vouched for (NaN if none).
   */
  public record Record(double onlineHours, double offlineHours, long beatsOnTime, long beatsLate, long relayedGood,
                       long relayedPoor, double vouched) {

    public static final Record NONE = new Record(0, 0, 0, 0, 0, 0, Double.NaN);

    public boolean isVouched() {
      return !Double.isNaN(vouched);
    }
  }

  /** The base and the parts it was built from. */
  public record Base(double total, double owner, double service, double relayed, boolean vouched) {
  }

  private NodeTrust() {
  }

  /** The node's base from its owner's trust (NaN if the owner was never scored) and its record. */
  public static Base base(double ownerTrust, Record r) {
    if (r.isVouched()) {
      return new Base(round(r.vouched()), 0, 0, 0, true);
    }
    double owner = Double.isNaN(ownerTrust) ? TrustScore.BASE
      : Math.min(OWNER_START_CAP, TrustScore.BASE + OWNER_WEIGHT * (ownerTrust - TrustScore.BASE));
    double observed = r.onlineHours() + r.offlineHours();
    long beats = r.beatsOnTime() + r.beatsLate();
    double uptime = observed <= 0 ? 0 : r.onlineHours() / observed;
    double regularity = beats == 0 ? 0 : (double) r.beatsOnTime() / beats;
    double service = SERVICE_MAX * uptime * regularity * Math.min(1, observed / SERVICE_RAMP_HOURS);
    double relayed = Math.max(RELAYED_MIN, Math.min(RELAYED_MAX,
      GOOD_CALL_POINTS * r.relayedGood() + POOR_CALL_POINTS * r.relayedPoor()));
    return new Base(round(owner + service + relayed), round(owner), round(service), round(relayed), false);
  }

  private static double round(double value) {
    return Math.round(value * 100) / 100.0;
  }
}
