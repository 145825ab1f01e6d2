package io.auralink.comm.api;

import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which methods each path of the edge answers, for the {@code Allow} header of a 405. A request path can match
 * several templates ({@code /internal/auraid/resolve} is also an {@code {aura_id}}); the router would have served
 * any method of any of them, so the answer is their union.
 */
final class AllowedMethods {

  private static final Pattern PARAMETER = Pattern.compile("\\{[^}/]+}");

  private final Map<Pattern, Set<String>> byTemplate;

  private AllowedMethods(Map<Pattern, Set<String>> byTemplate) {
    this.byTemplate = byTemplate;
  }

  /** The contract's paths and methods, plus routes served beside it (path → method). */
  static AllowedMethods of(OpenAPIContract contract, Map<String, String> extraRoutes) {
    Map<String, Set<String>> methods = new LinkedHashMap<>();
    for (Operation operation : contract.operations()) {
      methods.computeIfAbsent(operation.getOpenAPIPath(), t -> new TreeSet<>()).add(operation.getHttpMethod().name());
    }
    extraRoutes.forEach((path, method) -> methods.computeIfAbsent(path, t -> new TreeSet<>()).add(method));
    Map<Pattern, Set<String>> byTemplate = new LinkedHashMap<>();
    methods.forEach((template, allowed) -> byTemplate.put(regex(template), Set.copyOf(allowed)));
    return new AllowedMethods(byTemplate);
  }

  /** {@code /internal/auraid/{aura_id}} → a pattern where each parameter matches one segment, as in the router. */
  private static Pattern regex(String template) {
    StringBuilder regex = new StringBuilder();
    Matcher parameter = PARAMETER.matcher(template);
    int literalFrom = 0;
    while (parameter.find()) {
      regex.append(Pattern.quote(template.substring(literalFrom, parameter.start()))).append("[^/]+");
      literalFrom = parameter.end();
    }
    return Pattern.compile(regex.append(Pattern.quote(template.substring(literalFrom))).toString());
  }

  /** The methods answered on this path, sorted; empty for a path the edge does not serve. */
  List<String> on(String path) {
    Set<String> methods = new TreeSet<>();
    byTemplate.forEach((template, allowed) -> {
      if (template.matcher(path).matches()) {
        methods.addAll(allowed);
      }
    });
    return new ArrayList<>(methods);
  }
}
