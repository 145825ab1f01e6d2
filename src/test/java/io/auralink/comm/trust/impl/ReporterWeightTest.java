package io.auralink.comm.trust.impl;

import io.auralink.comm.trust.impl.ReporterWeight.Policy;
import io.auralink.comm.trust.impl.ReporterWeight.Reporter;
import io.auralink.comm.trust.impl.ReporterWeight.State;
import io.auralink.comm.trust.impl.ReporterWeight.Verdict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a reporter's reports weigh toward automatic action, table by table (default policy: 7 and 30 days). */
class ReporterWeightTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
    deactivated, however trusted, may not report       | deactivated | 100   | true  | 365 | false | 0
    suspended, however trusted, may not report         | suspended   | 100   | true  | 365 | false | 0
    the starting score, unverified, weighs nothing     | active      | 50    | false | 365 | true  | 0
    just below 60, unverified, weighs nothing          | active      | 59.99 | false | 365 | true  | 0
    60 unverified, mature                              | active      | 60    | false | 365 | true  | 0.75
    70 unverified, mature: full weight                 | active      | 70    | false | 365 | true  | 1
    100 unverified, mature                             | active      | 100   | false | 365 | true  | 1
    verified at 50, mature                             | active      | 50    | true  | 365 | true  | 0.75
    email-verified (60), mature: full weight           | active      | 60    | true  | 365 | true  | 1
    social-verified (55), mature                       | active      | 55    | true  | 365 | true  | 0.88
    verified but below 30 weighs nothing               | active      | 29.99 | true  | 365 | true  | 0
    verified at 30                                     | active      | 30    | true  | 365 | true  | 0.25
    a brand-new verified trusted account weighs nothing | active     | 100   | true  | 0   | true  | 0
    six days old weighs nothing                        | active      | 60    | true  | 6   | true  | 0
    seven days old: 7/30                               | active      | 60    | true  | 7   | true  | 0.23
    fifteen days old: half                             | active      | 60    | true  | 15  | true  | 0.5
    thirty days old: full                              | active      | 60    | true  | 30  | true  | 1
    60 unverified at fifteen days                      | active      | 60    | false | 15  | true  | 0.38
    """)
  void weights(String name, String state, double trust, boolean verified, int ageDays, boolean mayReport,
               double weight) {
    Verdict verdict = ReporterWeight.of(new Reporter(State.valueOf(state.toUpperCase()), trust, verified,
      Duration.ofDays(ageDays)), Policy.DEFAULT);
    assertEquals(mayReport, verdict.mayReport(), name);
    assertEquals(weight, verdict.weight(), 1e-9, name + ": " + verdict.basis());
    assertFalse(verdict.basis().isBlank(), name);
  }

  @Test
  void theAgesComeFromThePolicy() {
    Reporter twoDaysOld = new Reporter(State.ACTIVE, 80, true, Duration.ofDays(2));
    assertEquals(0, ReporterWeight.of(twoDaysOld, Policy.DEFAULT).weight());
    assertEquals(0.5, ReporterWeight.of(twoDaysOld, new Policy(Duration.ofDays(1), Duration.ofDays(4))).weight());
    assertEquals(1, ReporterWeight.of(twoDaysOld, new Policy(Duration.ZERO, Duration.ofDays(2))).weight());
  }

  /** More trust, more age or a verification never make a reporter weigh less; a weight stays within 0 and 1. */
  @Test
  void weightNeverFallsAsStandingGrows() {
    Random random = new Random(10);
    for (int i = 0; i < 20_000; i++) {
      Reporter r = new Reporter(State.ACTIVE, random.nextInt(10_001) / 100.0, random.nextBoolean(),
        Duration.ofHours(random.nextInt(24 * 60)));
      double weight = ReporterWeight.of(r, Policy.DEFAULT).weight();
      assertTrue(weight >= 0 && weight <= 1, r.toString());
      Reporter moreTrust = new Reporter(State.ACTIVE, Math.min(100, r.trust() + random.nextInt(30)), r.verified(),
        r.accountAge());
      Reporter older = new Reporter(State.ACTIVE, r.trust(), r.verified(),
        r.accountAge().plusHours(random.nextInt(24 * 30)));
      Reporter verified = new Reporter(State.ACTIVE, r.trust(), true, r.accountAge());
      for (Reporter better : new Reporter[] {moreTrust, older, verified}) {
        assertTrue(ReporterWeight.of(better, Policy.DEFAULT).weight() >= weight, r + " -> " + better);
      }
    }
  }
}
