package io.auralink.comm.trust.impl;

import java.time.Duration;

/**
 * How much a reporter's reports count toward automatic action, pure. Deactivated and suspended reporters may not
 * report at all. Everyone else may, but only a <em>credible</em> reporter weighs anything before a moderator looks:
 * trust of at least {@value #CREDIBLE_TRUST} or a verification, trust not below {@value #LOW_TRUST_BELOW}, and an
 * account at least {@link Policy#minimumAge()} old. A credible reporter's weight grows with trust
 * ({@code (trust - 30) / 40}, plus {@value #VERIFIED_BONUS} if verified, at most 1) and with account age (in
 * proportion up to {@link Policy#fullWeightAge()}). Reports that weigh nothing still go to the review queue.
 *
 * <p>Why: a report costs its author nothing, so accounts made for the purpose (new, unverified) must not be able to
 * suspend anyone by numbers; corroboration has to come from accounts with something to lose.
 */
public final class ReporterWeight {

  public static final double CREDIBLE_TRUST = 60;
  public static final double LOW_TRUST_BELOW = 30;
  public static final double VERIFIED_BONUS = 0.25;
  /** Trust at which standing starts to grow, and the span over which it reaches 1. */
  private static final double STANDING_FROM = 30;
  private static final double STANDING_SPAN = 40;

  /** Where a reporter stands in the registry (or, for nodes and servers, in theirs). */
  public enum State { ACTIVE, DEACTIVATED, SUSPENDED }

  /** What the weight depends on. */
  public record Reporter(State state, double trust, boolean verified, Duration accountAge) {
  }

  /** The configured ages: below {@code minimumAge} a reporter weighs nothing; from {@code fullWeightAge}, fully. */
  public record Policy(Duration minimumAge, Duration fullWeightAge) {

    public static final Policy DEFAULT = new Policy(Duration.ofDays(7), Duration.ofDays(30));
  }

  /** Whether the reporter may report, how much their reports weigh, and why, in words for the report's answer. */
  public record Verdict(boolean mayReport, double weight, String basis) {

    static Verdict refused(String basis) {
      return new Verdict(false, 0, basis);
    }

    static Verdict weighs(double weight, String basis) {
      return new Verdict(true, weight, basis);
    }
  }

  private ReporterWeight() {
  }

  public static Verdict of(Reporter r, Policy policy) {
    switch (r.state()) {
      case DEACTIVATED:
        return Verdict.refused("deactivated");
      case SUSPENDED:
        return Verdict.refused("suspended");
      default:
        break;
    }
    if (r.trust() < LOW_TRUST_BELOW) {
      return Verdict.weighs(0, "trust below " + (int) LOW_TRUST_BELOW);
    }
    if (!r.verified() && r.trust() < CREDIBLE_TRUST) {
      return Verdict.weighs(0, "unverified with trust below " + (int) CREDIBLE_TRUST);
    }
    if (r.accountAge().compareTo(policy.minimumAge()) < 0) {
      return Verdict.weighs(0, "account younger than " + days(policy.minimumAge()));
    }
    double standing = Math.min(1, Math.max(0, (r.trust() - STANDING_FROM) / STANDING_SPAN)
      + (r.verified() ? VERIFIED_BONUS : 0));
    double maturity = r.accountAge().compareTo(policy.fullWeightAge()) >= 0 ? 1
      : (double) r.accountAge().toSeconds() / policy.fullWeightAge().toSeconds();
    return Verdict.weighs(round(standing * maturity), "trust " + r.trust() + (r.verified() ? ", verified" : "")
      + ", account " + days(r.accountAge()) + " old");
  }

  private static String days(Duration age) {
    long days = age.toDays();
    return days >= 1 ? days + (days == 1 ? " day" : " days") : age.toHours() + " hours";
  }

  /** Weights are kept to two decimals, as stored and shown. */
  private static double round(double value) {
    return Math.round(value * 100) / 100.0;
  }
}
