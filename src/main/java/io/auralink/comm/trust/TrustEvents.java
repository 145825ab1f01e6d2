package io.auralink.comm.trust;

/**
 * What the trust domain publishes on {@link #CHANGED} after every stored change of an entity's trust:
 * {@code {entity_type, entity_id, change, old_score, score, old_level, level, suspended, suspension, reason,
 * version, at}}. {@code change} is {@code score}, {@code suspended} or {@code unsuspended}; a suspension tells the
 * call domain to end the entity's live calls and the mesh domain to take a node out of routing at once.
 */
public final class TrustEvents {

  public static final String CHANGED = "auralink.trust.changed";

  public static final String SCORE = "score";
  public static final String SUSPENDED = "suspended";
  public static final String UNSUSPENDED = "unsuspended";

  private TrustEvents() {
  }
}
