package io.auralink.comm.testing.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

/**
 * One fault's figures, as a row of RELIABILITY.md's table: requests sent, acknowledged writes, writes lost (missing
 * from any member after the wait), failed requests, the longest a failed request waited, and the recovery time.
 */
public record FaultReport(String fault, long requests, long acknowledged, long lost, long failures,
                          long maxFailureWaitMillis, String recovery, String notes) {

  public static final String HEADER = """
    | Fault | Requests | Acknowledged writes | Lost | Failed requests | Longest failure wait | Recovery | Notes |
    |---|---|---|---|---|---|---|---|
    """;

  public static long maxWaitMillis(List<MixedLoad.Failure> failures) {
    return failures.stream().mapToLong(f -> f.waitedNanos() / 1_000_000).max().orElse(0);
  }

  /** Failures counted by member, status and code: "member-3 0" (no answer), "member-1 503 MEMBER_LEFT". */
  public static Map<String, Long> byMemberAndCode(List<MixedLoad.Failure> failures) {
    Map<String, Long> counts = new java.util.TreeMap<>();
    failures.forEach(f -> counts.merge(f.member() + " " + f.status() + (f.code().isEmpty() ? "" : " " + f.code()),
      1L, Long::sum));
    return counts;
  }

  public String row() {
    return "| " + fault + " | " + requests + " | " + acknowledged + " | " + lost + " | " + failures + " | "
      + maxFailureWaitMillis + " ms | " + recovery + " | " + notes + " |";
  }

  /** Appends the row to the file named by {@code -Dfaults.report}, when given (the long form collects them). */
  public FaultReport appendToReport() {
    System.out.println("fault report: " + row());
    String file = System.getProperty("faults.report");
    if (file != null && !file.isBlank()) {
      try {
        Files.writeString(Path.of(file), row() + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return this;
  }
}
