package io.auralink.comm.mesh.impl;

import io.auralink.comm.mesh.graph.RouteSearch;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The optional external scorer (the original's AI Core): {@code POST <url>} with {@code {query, candidates: [...]}}
 * (the local choice first, then its alternatives) answers {@code {order: [indices]}}, best first. Whatever it does not
 * answer well within the timeout (an error, a malformed order) leaves the local model's order.
 */
final class RouteScorer {

  private final WebClient client;
  private final Optional<String> url;
  private final long timeoutMillis;

  RouteScorer(WebClient client, Optional<String> url, Duration timeout) {
    this.client = client;
    this.url = url;
    this.timeoutMillis = timeout.toMillis();
  }

  Future<RouteSearch.Decision> rank(RouteSearch.Decision local, JsonObject query) {
    if (url.isEmpty() || local.alternatives().isEmpty()) {
      return Future.succeededFuture(local);
    }
    List<RouteSearch.Candidate> candidates = new ArrayList<>();
    candidates.add(local.chosen());
    candidates.addAll(local.alternatives());
    JsonArray offered = new JsonArray();
    for (int k = 0; k < candidates.size(); k++) {
      offered.add(Routing.candidate(candidates.get(k)).put("index", k));
    }
    return client.postAbs(url.get()).timeout(timeoutMillis)
      .sendJsonObject(new JsonObject().put("query", query).put("candidates", offered))
      .map(response -> {
        List<Integer> order = response.statusCode() == 200 ? order(response.bodyAsJsonObject(), candidates.size()) : null;
        if (order == null) {
          return with(local, "external scorer answered " + response.statusCode() + " or no usable order: local order kept");
        }
        List<RouteSearch.Candidate> ranked = order.stream().map(candidates::get).toList();
        List<String> reasons = new ArrayList<>(local.reasons());
        reasons.add("re-ranked by the external scorer");
        return new RouteSearch.Decision(ranked.get(0), ranked.subList(1, Math.min(3, ranked.size())), reasons);
      })
      .otherwise(e -> with(local, "external scorer unavailable (" + e.getClass().getSimpleName() + "): local order kept"));
  }

  private static List<Integer> order(JsonObject body, int size) {
    try {
      JsonArray order = body.getJsonArray("order");
      List<Integer> indices = new ArrayList<>();
      Set<Integer> seen = new HashSet<>();
      for (Object value : order) {
        int index = ((Number) value).intValue();
        if (index < 0 || index >= size || !seen.add(index)) {
          return null;
        }
        indices.add(index);
      }
      return indices.isEmpty() ? null : indices;
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static RouteSearch.Decision with(RouteSearch.Decision d, String reason) {
    List<String> reasons = new ArrayList<>(d.reasons());
    reasons.add(reason);
    return new RouteSearch.Decision(d.chosen(), d.alternatives(), reasons);
  }
}
