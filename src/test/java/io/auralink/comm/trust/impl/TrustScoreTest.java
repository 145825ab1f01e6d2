package io.auralink.comm.trust.impl;

import io.auralink.comm.trust.impl.TrustScore.Components;
import io.auralink.comm.trust.impl.TrustScore.Level;
import io.auralink.comm.trust.impl.TrustScore.Method;
import io.auralink.comm.trust.impl.TrustScore.Report;
import io.auralink.comm.trust.impl.TrustScore.ReportStatus;
import io.auralink.comm.trust.impl.TrustScore.Score;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The trust formula, its levels and the automatic-suspension rule, table by table. */
class TrustScoreTest {

  /**
   * Reports are written {@code reporter/weight/status}, separated by spaces; verifications as a space list.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
    nothing: the base                                  | -                                        |   0   | -                                         | 50    | established | 0  | 0
    email                                              | email                                    |   0   | -                                         | 60    | established | 0  | 0
    phone                                              | phone                                    |   0   | -                                         | 65    | established | 0  | 0
    document                                           | document                                 |   0   | -                                         | 75    | trusted     | 0  | 0
    social                                             | social                                   |   0   | -                                         | 55    | established | 0  | 0
    biometric                                          | biometric                                |   0   | -                                         | 70    | trusted     | 0  | 0
    email and phone                                    | email phone                              |   0   | -                                         | 75    | trusted     | 0  | 0
    every method: 125 clamps at 100                    | email phone document social biometric    |   0   | -                                         | 100   | verified    | 0  | 0
    behaviour at the upper cap                         | -                                        |  20   | -                                         | 70    | trusted     | 0  | 0
    behaviour beyond the cap counts 20                 | -                                        |  35   | -                                         | 70    | trusted     | 0  | 0
    behaviour at the lower cap                         | -                                        | -20   | -                                         | 30    | new         | 0  | 0
    behaviour below the cap counts -20                 | -                                        | -90   | -                                         | 30    | new         | 0  | 0
    small behaviour steps add up exactly               | -                                        |   0.3 | -                                         | 50.3  | established | 0  | 0
    one pending report alone costs nothing             | -                                        |   0   | a/1/pending                               | 50    | established | 0  | 1
    two pending from one reporter cost nothing         | -                                        |   0   | a/1/pending a/1/pending                   | 50    | established | 0  | 1
    one upheld report costs 20                         | -                                        |   0   | a/1/upheld                                | 30    | new         | 1  | 1
    two upheld from one reporter                       | -                                        |   0   | a/1/upheld a/1/upheld                     | 10    | suspended   | 2  | 1
    two distinct reporters corroborate                 | -                                        |   0   | a/1/pending b/1/pending                   | 10    | suspended   | 2  | 2
    upheld corroborates a pending report               | -                                        |   0   | a/1/upheld b/1/pending                    | 10    | suspended   | 2  | 2
    a dismissed report neither costs nor corroborates  | -                                        |   0   | a/1/dismissed b/1/pending                 | 50    | established | 0  | 1
    weighing 1.5 together does not corroborate         | -                                        |   0   | a/0.5/pending b/1/pending                 | 50    | established | 0  | 2
    two reporters of 0.75 do not corroborate           | -                                        |   0   | a/0.75/pending b/0.75/pending             | 50    | established | 0  | 2
    three reporters of 0.75 corroborate                | -                                        |   0   | a/0.75/pending b/0.75/pending c/0.75/pending | 5  | suspended   | 3  | 3
    reporters who weigh nothing never corroborate      | -                                        |   0   | a/0/pending b/0/pending c/0/pending d/0/pending | 50 | established | 0 | 4
    a weightless report beside corroborating ones      | -                                        |   0   | a/1/pending b/1/pending c/0/pending       | 10    | suspended   | 2  | 3
    an upheld report costs 20 whatever its weight      | -                                        |   0   | a/0/upheld                                | 30    | new         | 1  | 1
    an upheld report corroborates as weight 1          | -                                        |   0   | a/0/upheld b/1/pending                    | 10    | suspended   | 2  | 2
    a reporter weighs their heaviest report            | -                                        |   0   | a/0/pending a/1/upheld b/1/pending        | 10    | suspended   | 2  | 2
    penalties clamp at 0                               | -                                        |   0   | a/1/upheld b/1/upheld c/1/upheld          | 0     | suspended   | 3  | 3
    verification offsets reports                       | email phone                              |   0   | a/1/pending b/1/pending                   | 35    | new         | 2  | 2
    everything together                                | document                                 |  -5.5 | a/1/upheld b/1/pending c/1/dismissed      | 29.5  | caution     | 2  | 2
    """)
  void scores(String name, String verifications, double behaviour, String reports, double total, String level,
              int counted, int distinct) {
    Score score = TrustScore.compute(new Components(methods(verifications), behaviour, reports(reports), false));
    assertEquals(total, score.total(), 1e-9, name);
    assertEquals(level, score.level().id(), name);
    assertEquals(counted, score.countedReports(), name);
    assertEquals(distinct, score.distinctReporters(), name);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "100, verified", "80, verified", "79.99, trusted", "70, trusted", "69.99, established", "50, established",
    "49.99, new", "30, new", "29.99, caution", "20, caution", "19.99, suspended", "0, suspended"})
  void levelsAtTheirEdges(double score, String level) {
    assertEquals(level, Level.of(score, false).id());
  }

  @Test
  void anExplicitSuspensionIsTheSuspendedLevelWhateverTheScore() {
    assertEquals(Level.SUSPENDED, Level.of(100, true));
    Score score = TrustScore.compute(new Components(EnumSet.allOf(Method.class), 20, List.of(), true));
    assertEquals(100, score.total());
    assertEquals(Level.SUSPENDED, score.level());
  }

  @Test
  void oneReporterAloneNeverWarrantsSuspension() {
    List<Report> many = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      many.add(new Report("aura_id:@a.aura", 1, ReportStatus.UPHELD));
    }
    Score score = TrustScore.compute(new Components(Set.of(), -20, many, false));
    assertEquals(0, score.total());
    assertFalse(score.warrantsSuspension());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
    two distinct reporters from 50 go to 10               | -           | a/1/pending b/1/pending               | true
    email-verified needs a third reporter                 | email       | a/1/pending b/1/pending               | false
    email-verified with three reporters                   | email       | a/1/pending b/1/pending c/1/pending   | true
    two half-weight reporters are not enough              | -           | a/0.5/pending b/0.5/pending           | false
    weighing 1.5 is below the threshold of 2              | -           | a/0.5/pending b/1/pending             | false
    two new accounts (weight 0) never suspend             | -           | a/0/pending b/0/pending               | false
    ten new accounts (weight 0) never suspend             | -           | a/0/pending b/0/pending c/0/pending d/0/pending e/0/pending f/0/pending g/0/pending h/0/pending i/0/pending j/0/pending | false
    two moderator-upheld reports of new accounts          | -           | a/0/upheld b/0/upheld                 | true
    """)
  void automaticSuspensionRule(String name, String verifications, String reports, boolean warranted) {
    Score score = TrustScore.compute(new Components(methods(verifications), 0, reports(reports), false));
    assertEquals(warranted, score.warrantsSuspension(), name + " (score " + score.total() + ")");
  }

  /** The corroboration threshold is configurable; corroboration is necessary, the score below 20 still is too. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
    1.5 reached by two reporters of 0.75, but exactly 20     | 1.5 | a/0.75/pending b/0.75/pending         | true  | false
    1.5 reached by two reporters of 0.8: 18                  | 1.5 | a/0.8/pending b/0.8/pending           | true  | true
    3 not reached by two reporters of full weight            | 3   | a/1/pending b/1/pending               | false | false
    3 reached by three                                       | 3   | a/1/pending b/1/pending c/1/pending   | true  | true
    one reporter never corroborates, whatever the threshold  | 1   | a/1/pending a/1/pending               | false | false
    """)
  void theCorroborationThresholdIsAParameter(String name, double threshold, String reports, boolean corroborated,
                                             boolean warranted) {
    Score score = TrustScore.compute(new Components(Set.of(), 0, reports(reports), false), threshold);
    assertEquals(corroborated, score.corroborated(), name);
    assertEquals(warranted, score.warrantsSuspension(), name + " (score " + score.total() + ")");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
    one reporter is not a case for review               | -     | a/0/pending                           | false
    two weightless reporters go to review               | -     | a/0/pending b/0/pending               | true
    two reporters weighing 1.5 go to review             | -     | a/0.5/pending b/1/pending             | true
    a corroborated suspension needs no escalation       | -     | a/1/pending b/1/pending               | false
    corroborated but verified (score 35) goes to review | email phone | a/1/pending b/1/pending         | true
    a dismissed report does not count as a reporter     | -     | a/0/pending b/0/dismissed             | false
    """)
  void severalReportersWithoutGroundsForSuspensionWarrantReview(String name, String verifications, String reports,
                                                                 boolean review) {
    Score score = TrustScore.compute(new Components(methods(verifications), 0, reports(reports), false));
    assertEquals(review, score.warrantsReview(), name);
  }

  @Test
  void everyMethodParsesFromItsId() {
    for (Method method : Method.values()) {
      assertEquals(method, Method.parse(method.id()).orElseThrow());
    }
    assertTrue(Method.parse("retina").isEmpty());
  }

  private static Set<Method> methods(String list) {
    Set<Method> methods = EnumSet.noneOf(Method.class);
    if (list != null && !list.equals("-")) {
      Arrays.stream(list.trim().split("\\s+")).forEach(m -> methods.add(Method.parse(m).orElseThrow()));
    }
    return methods;
  }

  private static List<Report> reports(String list) {
    List<Report> reports = new ArrayList<>();
    if (list != null && !list.equals("-")) {
      for (String item : list.trim().split("\\s+")) {
        String[] parts = item.split("/");
        reports.add(new Report(parts[0], Double.parseDouble(parts[1]), ReportStatus.parse(parts[2])));
      }
    }
    return reports;
  }
}
