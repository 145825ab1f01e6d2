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
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The optional external scorer (the original's AI Core): {@code POST <url>} with {@code {query, candidates: [...]}}
 * (the local choice first, then its alternatives) answers {@code {order: [indices]}}, best first. Whatever it does not
 * answer well within the timeout (an error, a malformed order) leaves the local model's order. A usable order is
 * remembered in {@link ScorerOrders} under the caller's key, so the same query on the same graph does not ask again.
 */
final class RouteScorer {

  static final String RERANKED = "re-ranked by the external scorer";

  private final WebClient client;
  private final Optional<String> url;
  private final long timeoutMillis;
  private final ScorerOrders orders;

  RouteScorer(WebClient client, Optional<String> url, Duration timeout, ScorerOrders orders) {
    this.client = client;
    this.url = url;
    this.timeoutMillis = timeout.toMillis();
    this.orders = orders;
  }

  /**
   * The decision in the scorer's order. The query as the scorer is told it, and the key its order is remembered
   * under (the query and the graph state of its candidates), are built only when the scorer is consulted.
   */
  Future<RouteSearch.Decision> rank(RouteSearch.Decision local, Supplier<JsonObject> asked,
                                    Function<JsonObject, String> key) {
    if (url.isEmpty() || local.alternatives().isEmpty()) {
      return Future.succeededFuture(local);
    }
    List<RouteSearch.Candidate> candidates = new ArrayList<>();
    candidates.add(local.chosen());
    candidates.addAll(local.alternatives());
    JsonObject query = asked.get();
    String orderKey = key.apply(query);
    List<Integer> remembered = orders.get(orderKey, System.currentTimeMillis());
    if (remembered != null) {
      return Future.succeededFuture(ranked(local, candidates, remembered,
        RERANKED + " (its order for this query and graph, remembered)"));
    }
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
        orders.put(orderKey, order, System.currentTimeMillis());
        return ranked(local, candidates, order, RERANKED);
      })
      .otherwise(e -> with(local, "external scorer unavailable (" + e.getClass().getSimpleName() + "): local order kept"));
  }

  private static RouteSearch.Decision ranked(RouteSearch.Decision local, List<RouteSearch.Candidate> candidates,
                                            List<Integer> order, String reason) {
    List<RouteSearch.Candidate> ranked = order.stream().map(candidates::get).toList();
    List<String> reasons = new ArrayList<>(local.reasons());
    reasons.add(reason);
    return new RouteSearch.Decision(ranked.get(0), ranked.subList(1, Math.min(3, ranked.size())), reasons);
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
