package io.auralink.comm.trust.impl;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The trust formula, pure: {@code clamp(0, 100, 50 + verification bonuses + behaviour + penalties)}.
 * <ul>
 *   <li>Each verification method counts once: email 10, phone 15, document 25, social 5, biometric 20.</li>
 *   <li>Behaviour (call outcomes, node uptime) is capped at ±20.</li>
 *   <li>Each counted report costs 20 × its weight (half for reporters of caution level or below). Upheld reports
 *       count; pending ones only once corroborated, i.e. when at least two distinct reporters have reports on the
 *       entity that were not dismissed; dismissed reports cost nothing.</li>
 * </ul>
 * Automatic suspension needs the score below 20 <em>and</em> two distinct reporters, so one reporter alone can
 * never suspend anyone.
 */
public final class TrustScore {

  public static final double BASE = 50;
  public static final double BEHAVIOUR_CAP = 20;
  public static final double REPORT_PENALTY = 20;
  public static final double SUSPENSION_BELOW = 20;
  public static final int CORROBORATING_REPORTERS = 2;

  /** Verification methods and their one-time bonus. */
  public enum Method {
    EMAIL(10), PHONE(15), DOCUMENT(25), SOCIAL(5), BIOMETRIC(20);

    private final int bonus;

    Method(int bonus) {
      this.bonus = bonus;
    }

    public int bonus() {
      return bonus;
    }

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Method> parse(String id) {
      for (Method m : values()) {
        if (m.id().equals(id)) {
          return Optional.of(m);
        }
      }
      return Optional.empty();
    }
  }

  /** The six levels, highest first, with the lowest score of each. */
  public enum Level {
    VERIFIED(80), TRUSTED(70), ESTABLISHED(50), NEW(30), CAUTION(20), SUSPENDED(0);

    private final int from;

    Level(int from) {
      this.from = from;
    }

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The level of a score; an explicit suspension is {@link #SUSPENDED} whatever the score. */
    public static Level of(double score, boolean suspended) {
      if (!suspended) {
        for (Level level : values()) {
          if (score >= level.from) {
            return level;
          }
        }
      }
      return SUSPENDED;
    }

    /** Reports from caution and suspended reporters count half. */
    public double reporterWeight() {
      return this == CAUTION || this == SUSPENDED ? 0.5 : 1.0;
    }

    public static Level parse(String id) {
      return valueOf(id.toUpperCase(Locale.ROOT));
    }
  }

  public enum ReportStatus {
    PENDING, UPHELD, DISMISSED;

    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static ReportStatus parse(String id) {
      return valueOf(id.toUpperCase(Locale.ROOT));
    }
  }

  /** A report as the formula sees it: who filed it, how much it weighs, where its review stands. */
  public record Report(String reporter, double weight, ReportStatus status) {
  }

  /** Everything the score depends on. */
  public record Components(Set<Method> verifications, double behaviour, List<Report> reports, boolean suspended) {
  }

  /** The score and how it was reached. */
  public record Score(double total, Level level, int verification, double behaviour, double penalty,
                     int countedReports, int distinctReporters) {

    /** The automatic-suspension rule: below 20, with at least two distinct reporters involved. */
    public boolean warrantsSuspension() {
      return total < SUSPENSION_BELOW && distinctReporters >= CORROBORATING_REPORTERS;
    }
  }

  private TrustScore() {
  }

  public static Score compute(Components c) {
    int verification = c.verifications().stream().mapToInt(Method::bonus).sum();
    double behaviour = Math.max(-BEHAVIOUR_CAP, Math.min(BEHAVIOUR_CAP, c.behaviour()));
    int distinct = distinctReporters(c.reports());
    boolean corroborated = distinct >= CORROBORATING_REPORTERS;
    double penalty = 0;
    int counted = 0;
    for (Report report : c.reports()) {
      if (report.status() == ReportStatus.UPHELD || (report.status() == ReportStatus.PENDING && corroborated)) {
        penalty -= REPORT_PENALTY * report.weight();
        counted++;
      }
    }
    double total = round(Math.max(0, Math.min(100, BASE + verification + behaviour + penalty)));
    return new Score(total, Level.of(total, c.suspended()), verification, round(behaviour), round(penalty), counted,
      distinct);
  }

  /** Distinct reporters among the reports that were not dismissed. */
  static int distinctReporters(Collection<Report> reports) {
    Set<String> reporters = new HashSet<>();
    reports.stream().filter(r -> r.status() != ReportStatus.DISMISSED).forEach(r -> reporters.add(r.reporter()));
    return reporters.size();
  }

  /** Scores are kept to two decimals, so that small behaviour steps add up without floating-point dust. */
  private static double round(double value) {
    return Math.round(value * 100) / 100.0;
  }
}
