package io.auralink.comm.mesh.impl;

import io.auralink.comm.mesh.MeshError;
import io.auralink.comm.mesh.MeshService;
import io.auralink.comm.mesh.graph.LinkState;
import io.auralink.comm.mesh.graph.MeshGraph;
import io.auralink.comm.mesh.graph.NodeState;
import io.auralink.comm.mesh.graph.RouteSearch;
import io.auralink.comm.mesh.replication.ClusterGraph;
import io.auralink.comm.platform.AuraIds;
import io.auralink.comm.platform.Caller;
import io.auralink.comm.platform.config.AppConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static io.auralink.comm.platform.ErrorCode.field;
import static io.auralink.comm.platform.ErrorCode.parsed;

/**
 * Route queries and their outcomes on one member: validation, the Redis answer cache, the search over the member's
 * graph, the optional external scorer, the answer, and (off the query path) the cache write and the route log;
 * outcomes are stored and taught to the links of the path. Confined to the mesh verticle's event loop.
 */
final class Routing {

  /** Per media type: the capabilities it needs and the bandwidth (kbit/s) each direction takes. */
  private static final Map<String, int[]> MEDIA = Map.of(
    "audio", new int[] {NodeState.AUDIO, 100},
    "video", new int[] {NodeState.VIDEO, 1500},
    "audio_video", new int[] {NodeState.AUDIO | NodeState.VIDEO, 1600},
    "screen_share", new int[] {NodeState.SCREEN_SHARE, 1000});

  private final Vertx vertx;
  private final ClusterGraph cluster;
  private final MeshGraph graph;
  private final RouteSearch search;
  private final MeshStore store;
  private final RouteCache cache;
  private final RouteScorer scorer;
  private final RouteLog routes;
  private final AppConfig.Mesh config;
  private final Map<RouteSearch.Tier, Counter> routesByTier = new EnumMap<>(RouteSearch.Tier.class);

  Routing(Vertx vertx, ClusterGraph cluster, MeshGraph graph, MeshStore store, RouteCache cache, RouteScorer scorer,
          AppConfig.Mesh config, MeterRegistry metrics) {
    this.vertx = vertx;
    this.cluster = cluster;
    this.graph = graph;
    this.store = store;
    this.cache = cache;
    this.scorer = scorer;
    this.routes = new RouteLog(store);
    this.config = config;
    this.search = new RouteSearch(graph, config.regions().stream()
      .map(r -> new RouteSearch.Region(r.name(), r.latitude(), r.longitude())).toList());
    for (RouteSearch.Tier tier : RouteSearch.Tier.values()) {
      routesByTier.put(tier, metrics.counter("auralink_mesh_routes_total", "tier", String.valueOf(tier.number())));
    }
  }

  Future<JsonObject> route(JsonObject q, Caller caller) {
    if (!caller.mayAny(MeshService.ROUTE)) {
      return MeshError.FORBIDDEN.fail("route queries need mesh:route");
    }
    for (String party : List.of("source_aura_id", "destination_aura_id")) {
      if (AuraIds.canonical(q.getString(party)).isEmpty()) {
        return MeshError.VALIDATION_FAILED.fail(AuraIds.malformed(party), field(party));
      }
    }
    String source = AuraIds.canonical(q.getString("source_aura_id")).orElseThrow();
    String destination = AuraIds.canonical(q.getString("destination_aura_id")).orElseThrow();
    String media = q.getString("media_type", "audio_video");
    boolean aic = q.getBoolean("require_aic", false);
    if (source.equals(destination)) {
      return MeshError.VALIDATION_FAILED.fail("a call needs two parties", field("destination_aura_id"));
    }
    int[] needs = MEDIA.get(media);
    if (needs == null) {
      return MeshError.VALIDATION_FAILED.fail("media_type is one of audio, video, audio_video, screen_share",
        field("media_type"));
    }
    Integer maxHops = q.getInteger("max_hops", config.maxHops());
    if (maxHops < 1 || maxHops > RouteSearch.MAX_HOPS_LIMIT) {
      return MeshError.VALIDATION_FAILED.fail("max_hops is 1 to " + RouteSearch.MAX_HOPS_LIMIT, field("max_hops"));
    }
    List<String> current = q.getJsonArray("current_path", new JsonArray()).stream().map(String::valueOf).toList();
    RouteSearch.Query query = new RouteSearch.Query(source, destination, needs[0] | (aic ? NodeState.AIC : 0),
      2 * needs[1] / 1000.0, maxHops, config.relayMinTrust(), current);
    String key = RouteCache.key(source, destination, media, aic, maxHops);
    // A live call asking to re-route is answered fresh; a new call may reuse the answer of the last 5 minutes.
    Future<Optional<JsonObject>> cached = current.isEmpty() ? cache.get(key)
      : Future.succeededFuture(Optional.empty());
    return cached.compose(hit -> {
      if (hit.isPresent() && stillRoutable(hit.get())) {
        return Future.succeededFuture(hit.get().put("cached", true));
      }
      RouteSearch.Decision decision = search.route(query);
      return scorer.rank(decision, q).map(ranked -> {
        JsonObject answer = answer(ranked, source, destination, media, aic);
        routesByTier.get(ranked.chosen().tier()).increment();
        remember(key, answer, ranked, current.isEmpty());
        return answer;
      });
    });
  }

  /**
   * Caches the answer and records the route, both off the query path. Not cached: a live call's re-routing answer
   * (it depends on its current path), and a central route (it stands only until a party's node comes online, which
   * no cached path would notice).
   */
  private void remember(String key, JsonObject answer, RouteSearch.Decision decision, boolean fresh) {
    RouteSearch.Candidate chosen = decision.chosen();
    if (fresh && chosen.tier() != RouteSearch.Tier.CENTRAL) {
      cache.put(key, answer, chosen.path().stream().filter(id -> !id.startsWith(RouteSearch.CENTRAL_PREFIX)).toList());
    }
    routes.add(new MeshStore.ChosenRoute(UUID.fromString(answer.getString("route_id")),
      answer.getString("source_aura_id"), answer.getString("destination_aura_id"), answer.getString("media_type"),
      answer.getBoolean("require_aic"), chosen.tier().number(), chosen.path(), answer.getJsonObject("predicted"),
      answer.getDouble("score")));
  }

  /** Writes the routes chosen since the last flush. */
  Future<Void> flushRoutes() {
    return routes.flush();
  }

  private boolean stillRoutable(JsonObject answer) {
    for (Object id : answer.getJsonArray("path")) {
      String nodeId = String.valueOf(id);
      if (!nodeId.startsWith(RouteSearch.CENTRAL_PREFIX)) {
        int i = graph.index(nodeId);
        if (i < 0 || !graph.routable(i)) {
          return false;
        }
      }
    }
    return true;
  }

  private static JsonObject answer(RouteSearch.Decision d, String source, String destination, String media,
                                   boolean aic) {
    JsonArray alternatives = new JsonArray();
    d.alternatives().forEach(c -> alternatives.add(candidate(c)));
    return candidate(d.chosen())
      .put("route_id", UUID.randomUUID().toString())
      .put("source_aura_id", source).put("destination_aura_id", destination)
      .put("media_type", media).put("require_aic", aic)
      .put("reasons", new JsonArray(d.reasons()))
      .put("alternatives", alternatives)
      .put("cached", false);
  }

  static JsonObject candidate(RouteSearch.Candidate c) {
    String routeType = switch (c.tier()) {
      case DIRECT -> "direct";
      case RELAY -> "relay";
      case MULTI_HOP -> "multi_hop";
      case CENTRAL -> "centralized";
    };
    return new JsonObject()
      .put("tier", c.tier().number())
      .put("route_type", routeType)
      .put("path", new JsonArray(c.path()))
      .put("relays", new JsonArray(c.relays()))
      .put("path_length", c.relays().size())
      .put("predicted", new JsonObject()
        .put("latency_ms", round(c.latencyMs())).put("jitter_ms", round(c.jitterMs()))
        .put("loss", Math.round(c.loss() * 100_000) / 100_000.0).put("mos", round(c.mos())))
      .put("score", round(c.score()));
  }

  Future<JsonObject> outcome(String routeId, JsonObject outcome, Caller caller) {
    if (!caller.mayAny(MeshService.ROUTE, MeshService.WRITE)) {
      return MeshError.FORBIDDEN.fail("recording route outcomes needs mesh:route");
    }
    UUID id;
    try {
      id = UUID.fromString(routeId);
    } catch (IllegalArgumentException e) {
      return MeshError.ROUTE_NOT_FOUND.fail("no such route");
    }
    return parsed(() -> new double[] {
        NodeInput.number(outcome, "rtt_ms", Double.NaN, 0, 60_000),
        NodeInput.number(outcome, "jitter_ms", 0, 0, 60_000),
        NodeInput.number(outcome, "loss", 0, 0, 1)})
      // The route may still be waiting in the route log.
      .compose(measured -> routes.flush().compose(v -> store.routeEnded(id, outcome)).compose(path -> path.isEmpty()
        ? MeshError.ROUTE_NOT_FOUND.<JsonObject>fail("no such route, or its outcome is recorded already")
        : learn(path.get(), measured[0], measured[1], measured[2])
          .map(updated -> new JsonObject().put("route_id", routeId).put("links_updated", updated))));
  }

  /**
   * Call feedback for the links of a path: the end-to-end RTT and jitter are shared out in proportion to what each
   * link is believed to cost now, and the loss so that the links' losses compound to the measured one.
   */
  private Future<Integer> learn(List<String> path, double rtt, double jitter, double loss) {
    if (Double.isNaN(rtt) || path.size() < 2 || path.get(0).startsWith(RouteSearch.CENTRAL_PREFIX)) {
      return Future.succeededFuture(0);
    }
    int legs = path.size() - 1;
    double[] believedRtt = new double[legs];
    double total = 0;
    for (int k = 0; k < legs; k++) {
      int a = graph.index(path.get(k));
      int b = graph.index(path.get(k + 1));
      int l = a < 0 || b < 0 ? -1 : graph.linkBetween(a, b);
      believedRtt[k] = l < 0 ? 1 : graph.linkDelay(l) * 2;
      total += believedRtt[k];
    }
    double sum = total;
    double perLinkLoss = 1 - Math.pow(1 - loss, 1.0 / legs);
    return vertx.executeBlocking(() -> {
      List<LinkState> learned = new ArrayList<>();
      for (int k = 0; k < legs; k++) {
        double share = believedRtt[k] / sum;
        learned.add(cluster.measure(path.get(k), path.get(k + 1), rtt * share, jitter * share, perLinkLoss, 0));
      }
      return learned;
    }, false).compose(learned -> {
      learned.forEach(graph::apply);
      return store.saveLinks(learned).map(learned.size());
    });
  }

  private static double round(double value) {
    return Math.round(value * 100) / 100.0;
  }
}
