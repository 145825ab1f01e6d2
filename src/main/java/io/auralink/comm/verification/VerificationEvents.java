package io.auralink.comm.verification;

/**
 * What the verification domain publishes on {@link #COMPLETED} once a challenge completes:
 * {@code {id, aura_id, method, first, at}}; {@code first} says whether the method was new for the AuraID (only then
 * does trust rise). Destinations are never published.
 */
public final class VerificationEvents {

  public static final String COMPLETED = "auralink.verification.completed";

  private VerificationEvents() {
  }
}
