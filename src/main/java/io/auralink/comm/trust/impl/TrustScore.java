package io.auralink.comm.trust.impl;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The trust formula, pure: {@code clamp(0, 100, base + verification bonuses + behaviour + penalties)}, where the
 * base is 50, or for a mesh node what its owner and its record give ({@link NodeTrust}).
 * <ul>
 *   <li>Each verification method counts once: email 10, phone 15, document 25, social 5, biometric 20.</li>
 *   <li>Behaviour (call outcomes, node uptime) is capped at ±20.</li>
 *   <li>An upheld report costs 20: a moderator confirmed it, whoever filed it. A pending report costs 20 × its
 *       weight (its reporter's, {@link ReporterWeight}) once the entity's reports are <em>corroborated</em>: at
 *       least two distinct reporters who weigh something, together weighing at least the corroboration threshold
 *       (an upheld report weighs 1). Dismissed reports cost nothing and corroborate nothing.</li>
 * </ul>
 * Automatic suspension needs the score below 20 <em>and</em> corroboration, so one reporter alone, or any number of
 * reporters who weigh nothing (new, unverified, low-trust accounts), can never suspend anyone. Reports from two or
 * more distinct reporters that do not warrant suspension warrant a moderator's review instead.
 */
public final class TrustScore {

  public static final double BASE = 50;
  public static final double BEHAVIOUR_CAP = 20;
  public static final double REPORT_PENALTY = 20;
  public static final double SUSPENSION_BELOW = 20;
  public static final int CORROBORATING_REPORTERS = 2;
  /** The combined weight corroboration needs unless configured otherwise: two reporters of full weight. */
  public static final double DEFAULT_CORROBORATING_WEIGHT = 2.0;
  /** What an upheld report weighs toward corroboration. */
  public static final double UPHELD_WEIGHT = 1.0;

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

  /**
   * Everything the score depends on; {@code base} is {@link #BASE} but for a mesh node, whose base its owner and
   * record give ({@link NodeTrust}).
   */
  public record Components(Set<Method> verifications, double behaviour, List<Report> reports, boolean suspended,
                           double base) {

    public Components(Set<Method> verifications, double behaviour, List<Report> reports, boolean suspended) {
      this(verifications, behaviour, reports, suspended, BASE);
    }
  }

  /**
   * The score and how it was reached: {@code corroboratingWeight} is the combined weight of the reporters who weigh
   * something, {@code corroborated} whether it and their number meet the rule.
   */
  public record Score(double total, Level level, int verification, double behaviour, double penalty,
                     int countedReports, int distinctReporters, double corroboratingWeight, boolean corroborated) {

    /** The automatic-suspension rule: below 20, with corroboration. */
    public boolean warrantsSuspension() {
      return total < SUSPENSION_BELOW && corroborated;
    }

    /**
     * Two or more distinct reporters whose reports do not warrant suspension: the entity goes to the review queue
     * with raised priority, so that a person decides what the rule may not.
     */
    public boolean warrantsReview() {
      return distinctReporters >= CORROBORATING_REPORTERS && !warrantsSuspension();
    }
  }

  private TrustScore() {
  }

  /** The score with the default corroboration threshold. */
  public static Score compute(Components c) {
    return compute(c, DEFAULT_CORROBORATING_WEIGHT);
  }

  /** The score, where corroboration needs {@code corroboratingWeight} combined from at least two reporters. */
  public static Score compute(Components c, double corroboratingWeight) {
    int verification = c.verifications().stream().mapToInt(Method::bonus).sum();
    double behaviour = Math.max(-BEHAVIOUR_CAP, Math.min(BEHAVIOUR_CAP, c.behaviour()));
    Map<String, Double> weights = reporterWeights(c.reports());
    List<Double> weighing = weights.values().stream().filter(w -> w > 0).toList();
    double combined = round(weighing.stream().mapToDouble(Double::doubleValue).sum());
    boolean corroborated = weighing.size() >= CORROBORATING_REPORTERS && combined >= corroboratingWeight;
    double penalty = 0;
    int counted = 0;
    for (Report report : c.reports()) {
      if (report.status() == ReportStatus.UPHELD) {
        penalty -= REPORT_PENALTY;
        counted++;
      } else if (report.status() == ReportStatus.PENDING && corroborated && report.weight() > 0) {
        penalty -= REPORT_PENALTY * report.weight();
        counted++;
      }
    }
    double total = round(Math.max(0, Math.min(100, c.base() + verification + behaviour + penalty)));
    return new Score(total, Level.of(total, c.suspended()), verification, round(behaviour), round(penalty), counted,
      weights.size(), combined, corroborated);
  }

  /**
   * Each distinct reporter among the reports that were not dismissed, with what they weigh toward corroboration:
   * the most any of their reports weighs (an upheld one {@value #UPHELD_WEIGHT}).
   */
  static Map<String, Double> reporterWeights(Collection<Report> reports) {
    Map<String, Double> weights = new HashMap<>();
    for (Report r : reports) {
      if (r.status() != ReportStatus.DISMISSED) {
        double weight = r.status() == ReportStatus.UPHELD ? UPHELD_WEIGHT : r.weight();
        weights.merge(r.reporter(), weight, Math::max);
      }
    }
    return weights;
  }

  /** Scores are kept to two decimals, so that small behaviour steps add up without floating-point dust. */
  private static double round(double value) {
    return Math.round(value * 100) / 100.0;
  }
}
