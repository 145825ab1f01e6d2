package io.auralink.comm.api;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The authorization table cannot fall behind the API: every operation in openapi.yaml has a case in
 * {@link AuthorizationTableTest}, every case belongs to a row of README's table whose first column names its method
 * and path, and every row has a case. A new operation without a row and a test fails the build.
 */
class AuthorizationCoverageTest {

  private static final Set<String> METHODS = Set.of("get", "put", "post", "patch", "delete");
  private static final Pattern CHUNK = Pattern.compile("`([^`]*)`");

  /** Every HTTP operation the document declares, as {@code METHOD /path}. */
  @SuppressWarnings("unchecked")
  static Set<String> operations() throws IOException {
    try (InputStream in = AuthorizationCoverageTest.class.getResourceAsStream("/openapi.yaml")) {
      Map<String, Object> document = new Yaml().load(in);
      Set<String> found = new TreeSet<>();
      ((Map<String, Map<String, Object>>) document.get("paths")).forEach((path, item) -> item.keySet().stream()
        .filter(METHODS::contains).forEach(method -> found.add(method.toUpperCase() + " " + path)));
      return found;
    }
  }

  /** The first column of every row of README's authorization table. */
  static List<String> readmeRows() throws IOException {
    String readme = Files.readString(Path.of("README.md"));
    int start = readme.indexOf("### Authorization");
    int end = readme.indexOf("\n### ", start + 1);
    assertTrue(start >= 0 && end > start, "README has an Authorization section");
    List<String> rows = new ArrayList<>();
    for (String line : readme.substring(start, end).split("\n")) {
      if (line.startsWith("| `")) {
        rows.add(line.substring(2, line.indexOf(" | ", 2)).trim());
      }
    }
    return rows;
  }

  @Test
  void every_operation_in_openapi_has_a_case() throws IOException {
    Set<String> tested = AuthorizationTableTest.cases().stream().map(AuthorizationTableTest.Case::operation)
      .collect(Collectors.toSet());
    Set<String> missing = new TreeSet<>(operations());
    missing.removeAll(tested);
    assertEquals(Set.of(), missing, "operations without a row and a case in AuthorizationTableTest");
    Set<String> unknown = new TreeSet<>(tested);
    unknown.removeAll(operations());
    assertEquals(Set.of(), unknown, "cases of operations openapi.yaml does not declare");
  }

  @Test
  void every_readme_row_has_a_case_and_every_case_a_row() throws IOException {
    List<String> rows = readmeRows();
    Set<String> caseRows = AuthorizationTableTest.cases().stream().map(AuthorizationTableTest.Case::row)
      .collect(Collectors.toCollection(TreeSet::new));
    Set<String> untested = new TreeSet<>(rows);
    untested.removeAll(caseRows);
    assertEquals(Set.of(), untested, "README rows without a case");
    Set<String> undocumented = new TreeSet<>(caseRows);
    undocumented.removeAll(rows);
    assertEquals(Set.of(), undocumented, "cases whose row is not (exactly) in README's table");
  }

  /**
   * A case's row names its operation. The row's code spans are read as the table writes them: a span of methods
   * alone (`PATCH`) lends them to the next path; a path without a method (`/decline`, `…/links`) has the methods of
   * the path before it, or any method if none came before; `…/x` ends a path, `…/x…` is inside one; `[…]`, `?…` and
   * `{as?}` are options of the path. Catches a case filed under a row that does not name it.
   */
  @Test
  void every_case_is_filed_under_a_row_that_names_its_method_and_path() {
    for (AuthorizationTableTest.Case c : AuthorizationTableTest.cases()) {
      String method = c.operation().substring(0, c.operation().indexOf(' '));
      String path = c.operation().substring(method.length() + 1);
      assertTrue(named(c.row(), method, path), c.operation() + " is not named by its row " + c.row());
    }
  }

  private static boolean named(String row, String method, String path) {
    Set<String> pending = new TreeSet<>();
    Set<String> previous = Set.of();
    Matcher matcher = CHUNK.matcher(row);
    while (matcher.find()) {
      String span = matcher.group(1).trim();
      Matcher methodAndRest = Pattern.compile("^([A-Z]+)\\b ?(.*)$").matcher(span);
      String rest = span;
      if (methodAndRest.matches()) {
        pending.add(methodAndRest.group(1));
        rest = methodAndRest.group(2);
      }
      String spanPath = rest.replaceAll("\\[.*?]|\\{as\\?}|\\?.*$| .*$", "").trim();
      if (spanPath.isEmpty()) {
        continue;
      }
      Set<String> methods = pending.isEmpty() ? previous : Set.copyOf(pending);
      pending.clear();
      previous = methods;
      boolean inside = spanPath.endsWith("…");
      String literal = spanPath.replace("…", "");
      boolean pathMatches = inside ? path.contains(literal) : path.endsWith(literal);
      if (pathMatches && (methods.isEmpty() || methods.contains(method))) {
        return true;
      }
    }
    return false;
  }
}
