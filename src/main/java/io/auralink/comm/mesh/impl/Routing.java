package io.auralink.comm.mesh.impl;

import io.auralink.comm.mesh.MeshError;
import io.auralink.comm.mesh.MeshService;
import io.auralink.comm.mesh.graph.LinkState;
import io.auralink.comm.mesh.graph.MeshGraph;
import io.auralink.comm.mesh.graph.NodeState;
import io.auralink.comm.mesh.graph.RouteSearch;
import io.auralink.comm.mesh.quality.Attribution;
import io.auralink.comm.mesh.quality.NodeQuality;
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
import java.util.Objects;
import java.util.UUID;
import java.util.function.Supplier;

import static io.auralink.comm.platform.ErrorCode.field;
import static io.auralink.comm.platform.ErrorCode.parsed;

/**
 * Route queries and their outcomes on one member: validation, the parties' standing and visibility, the search over
 * the member's graph, the optional external scorer (its order remembered in process), the answer, and (off the query
 * path) the route log; outcomes are stored and taught to the links of the path. The source must be active: a party
 * with a node in the graph is known with its owner's standing; only a source without one is looked up in the
 * identity registry. The destination must be visible to the source as the registry shows it to that person: that
 * decision is remembered in process ({@link VisibilityCache}) and forgotten when an identity event names either
 * party, so a repeated query stays in memory. Everything else answers like an unknown AuraID. Answers are computed
 * afresh every time (the same graph gives the same answer; a live call's {@code current_path} keeps it on its
 * route), each with a route id of its own. Confined to the mesh verticle's event loop.
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
  private final IdentityLookup identities;
  private final RouteScorer scorer;
  private final RouteLog routes;
  private final AppConfig.Mesh config;
  private final VisibilityCache visibility;
  private final ServiceRecords services;
  private final Map<RouteSearch.Tier, Counter> routesByTier = new EnumMap<>(RouteSearch.Tier.class);

  Routing(Vertx vertx, ClusterGraph cluster, MeshGraph graph, MeshStore store, IdentityLookup identities,
          ServiceRecords services, RouteScorer scorer,
          VisibilityCache visibility, AppConfig.Mesh config, MeterRegistry metrics) {
    this.vertx = vertx;
    this.cluster = cluster;
    this.graph = graph;
    this.store = store;
    this.identities = identities;
    this.services = services;
    this.scorer = scorer;
    this.visibility = visibility;
    this.routes = new RouteLog(store, config.routeBuffer(), metrics);
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
    if (!caller.mayActFor(source, MeshService.ROUTE)) {
      return MeshError.FORBIDDEN.fail("a service acting for " + caller.actsAs() + " asks routes only from them:"
        + " source_aura_id names someone else", field("source_aura_id"));
    }
    if (source.equals(destination)) {
      return MeshError.VALIDATION_FAILED.fail("a call needs two parties", field("destination_aura_id"));
    }
    String media = q.getString("media_type", "audio_video");
    boolean aic = q.getBoolean("require_aic", false);
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
    // What the scorer is told (built only if it is consulted), and with the graph state what its order is kept under.
    Supplier<JsonObject> asked = () -> new JsonObject().put("source_aura_id", source)
      .put("destination_aura_id", destination).put("media_type", media).put("require_aic", aic)
      .put("max_hops", maxHops).put("current_path", new JsonArray(current));
    return parties(source, destination)
      .compose(v -> {
        RouteSearch.Decision decision = search.route(query);
        return scorer.rank(decision, asked, told -> scorerKey(told, decision));
      })
      .map(ranked -> {
        JsonObject answer = answer(ranked, source, destination, media, aic);
        routesByTier.get(ranked.chosen().tier()).increment();
        record(answer, ranked.chosen());
        return answer;
      });
  }

  /**
   * The source is active and the destination visible to them, or the query answers as for an unknown AuraID
   * (naming the party). The source's standing is the graph's when it has nodes there (the owner's standing is kept
   * on them), else the registry's. The destination's visibility is the remembered decision, else the registry's
   * (a destination whose nodes are out of routing because it is deactivated or suspended needs no question). An
   * AuraID without devices still gets its central route.
   */
  private Future<Void> parties(String source, String destination) {
    MeshGraph.Owner from = graph.owner(source);
    if (from == MeshGraph.Owner.INACTIVE) {
      return unknown("source_aura_id", source);
    }
    Boolean seen = graph.owner(destination) == MeshGraph.Owner.INACTIVE ? Boolean.FALSE
      : visibility.get(source, destination, System.currentTimeMillis());
    if (from == MeshGraph.Owner.ACTIVE && seen != null) {
      return seen ? Future.succeededFuture() : unknown("destination_aura_id", destination);
    }
    Future<Boolean> sourceActive = from == MeshGraph.Owner.ACTIVE ? Future.succeededFuture(true)
      : identities.standing(source).map(standing -> standing == IdentityLookup.Standing.ACTIVE);
    Future<Boolean> destinationVisible = seen != null ? Future.succeededFuture(seen) : askVisible(source, destination);
    return Future.all(sourceActive, destinationVisible).compose(both -> !sourceActive.result()
      ? unknown("source_aura_id", source)
      : destinationVisible.result() ? Future.succeededFuture() : unknown("destination_aura_id", destination));
  }

  /** Asks the registry whether the destination is visible to the source, and remembers the answer. */
  private Future<Boolean> askVisible(String source, String destination) {
    long stamp = visibility.stamp();
    return identities.visible(destination, source)
      .onSuccess(visible -> visibility.put(source, destination, visible, stamp, System.currentTimeMillis()));
  }

  /** The same answer for an AuraID that does not exist, is not active, or is hidden from the source. */
  private static Future<Void> unknown(String field, String auraId) {
    return MeshError.AURAID_NOT_FOUND.fail("no such AuraID: " + auraId, field(field));
  }

  /** Identity events named these AuraIDs: every visibility decision about them is forgotten. */
  void partiesChanged(Iterable<String> auraIds) {
    visibility.changed(auraIds, System.currentTimeMillis());
  }

  /**
   * What the scorer's order depends on: the query, the state of the parties' nodes (the central route is placed by
   * them), and the candidates offered with the state of every node and link on their paths. Any change to one of
   * these is a new key.
   */
  private String scorerKey(JsonObject asked, RouteSearch.Decision decision) {
    StringBuilder key = new StringBuilder(256).append(asked.encode());
    for (String party : new String[] {asked.getString("source_aura_id"), asked.getString("destination_aura_id")}) {
      MeshGraph.IntList slots = graph.nodesOf(party);
      key.append("|p");
      for (int k = 0; k < slots.size(); k++) {
        appendNode(key.append(' '), slots.get(k));
      }
    }
    List<RouteSearch.Candidate> offered = new ArrayList<>();
    offered.add(decision.chosen());
    offered.addAll(decision.alternatives());
    for (RouteSearch.Candidate c : offered) {
      key.append("|c").append(c.tier().number());
      List<String> path = c.path();
      for (int k = 0; k < path.size(); k++) {
        int i = graph.index(path.get(k));
        if (i < 0) {
          key.append(' ').append(path.get(k));
          continue;
        }
        appendNode(key.append(' '), i);
        int next = k + 1 < path.size() ? graph.index(path.get(k + 1)) : -1;
        if (next >= 0) {
          int link = graph.linkBetween(i, next);
          key.append(" l").append(link < 0 ? -1 : graph.linkVersion(link));
        }
      }
    }
    return key.toString();
  }

  /** A node as the key sees it: id, version, and the trust verdict applied ahead of its next version. */
  private void appendNode(StringBuilder key, int slot) {
    NodeState node = graph.node(slot);
    key.append(graph.id(slot));
    if (node == null) {
      key.append("@-");
    } else {
      key.append('@').append(node.version()).append('/').append(node.trust()).append('/').append(graph.routable(slot));
    }
  }

  /** Records the chosen route off the query path (the route log writes it with the next flush). */
  private void record(JsonObject answer, RouteSearch.Candidate chosen) {
    routes.add(new MeshStore.ChosenRoute(UUID.fromString(answer.getString("route_id")),
      answer.getString("source_aura_id"), answer.getString("destination_aura_id"), answer.getString("media_type"),
      answer.getBoolean("require_aic"), chosen.tier().number(), chosen.path(), answer.getJsonObject("predicted"),
      answer.getDouble("score")));
  }

  /** Writes the routes chosen since the last flush. */
  Future<Void> flushRoutes() {
    return routes.flush();
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
      .put("alternatives", alternatives);
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
    JsonObject stored = new JsonObject();
    return parsed(() -> {
        double[] measured = {
          NodeInput.number(outcome, "rtt_ms", Double.NaN, 0, 60_000),
          NodeInput.number(outcome, "jitter_ms", 0, 0, 60_000),
          NodeInput.number(outcome, "loss", 0, 0, 1)};
        stored.mergeIn(knownOutcomeFields(outcome));
        return measured;
      })
      // The route may still be waiting in the route log.
      .compose(measured -> routes.flush().compose(v -> store.routeEnded(id, stored)).compose(path -> path.isEmpty()
        ? MeshError.ROUTE_NOT_FOUND.<JsonObject>fail("no such route, or its outcome is recorded already")
        : learn(path.get(), measured[0], measured[1], measured[2])
          .map(updated -> new JsonObject().put("route_id", routeId).put("links_updated", updated))));
  }

  /**
   * What a route's outcome keeps: the documented measurements (checked) and the call's final state when the call
   * domain gives it; anything else a caller sends is dropped, so an outcome row stays small whatever arrives.
   */
  static JsonObject knownOutcomeFields(JsonObject outcome) {
    JsonObject known = new JsonObject();
    for (String field : new String[] {"rtt_ms", "jitter_ms"}) {
      if (outcome.getValue(field) != null) {
        known.put(field, NodeInput.number(outcome, field, 0, 0, 60_000));
      }
    }
    if (outcome.getValue("loss") != null) {
      known.put("loss", NodeInput.number(outcome, "loss", 0, 0, 1));
    }
    if (outcome.getValue("mos") != null) {
      known.put("mos", NodeInput.number(outcome, "mos", 1, 1, 5));
    }
    if (outcome.getValue("duration_seconds") != null) {
      known.put("duration_seconds", NodeInput.number(outcome, "duration_seconds", 0, 0, 31_536_000));
    }
    if (outcome.getValue("state") instanceof String state && state.matches("[a-z_]{1,32}")) {
      known.put("state", state);
    }
    return known;
  }

  /**
   * Call feedback for a path: what the outcome differs from the path's prediction is shared out among its legs and
   * relays by {@link Attribution} (a leg never measured is believed at the estimate the search uses). Each leg learns
   * its share; each relay learns what it added when relaying; the two parties' devices learn their access from the
   * first and last legs. A path whose nodes left the graph since teaches nothing.
   */
  private Future<Integer> learn(List<String> path, double rtt, double jitter, double loss) {
    if (Double.isNaN(rtt) || path.size() < 2 || path.get(0).startsWith(RouteSearch.CENTRAL_PREFIX)) {
      return Future.succeededFuture(0);
    }
    int[] slots = new int[path.size()];
    for (int k = 0; k < slots.length; k++) {
      slots[k] = graph.index(path.get(k));
      if (slots[k] < 0 || graph.node(slots[k]) == null) {
        return Future.succeededFuture(0);
      }
    }
    // Relays earn (or lose) trust by the quality of the calls they carried.
    path.subList(1, path.size() - 1).forEach(relay -> services.relayed(relay, rtt, jitter, loss));
    List<Attribution.Leg> legs = new ArrayList<>();
    for (int k = 0; k + 1 < slots.length; k++) {
      legs.add(search.belief(slots[k], slots[k + 1]));
    }
    List<Attribution.Leg> relays = new ArrayList<>();
    for (int k = 1; k + 1 < slots.length; k++) {
      NodeQuality q = graph.node(slots[k]).quality();
      relays.add(new Attribution.Leg(RouteSearch.RELAY_PROCESSING_MS, q.relayJitterMs(), q.relayLoss(),
        q.relaySamples()));
    }
    Attribution.Observation[] observed = Attribution.of(legs, relays, rtt, jitter, loss);
    int legCount = legs.size();
    double[] sourceAccess = NodeQuality.accessShare(observed[0].jitterMs(), observed[0].loss(),
      graph.node(slots[1]).quality());
    double[] destinationAccess = NodeQuality.accessShare(observed[legCount - 1].jitterMs(),
      observed[legCount - 1].loss(), graph.node(slots[slots.length - 2]).quality());
    // Each node's delay stretch as its legs show it (a relay's two legs averaged in log space).
    double[] stretch = new double[slots.length];
    for (int k = 0; k < slots.length; k++) {
      double logSum = 0;
      int seen = 0;
      for (int leg = Math.max(0, k - 1); leg <= Math.min(legCount - 1, k); leg++) {
        int other = leg == k ? slots[k + 1] : slots[k - 1];
        double share = NodeQuality.stretchShare(observed[leg].rttMs() / 2, RouteSearch.modelDelay(graph, slots[k], other),
          graph.node(slots[k]).quality(), graph.node(other).quality());
        if (Double.isFinite(share)) {
          logSum += Math.log(share);
          seen++;
        }
      }
      stretch[k] = seen == 0 ? Double.NaN : Math.exp(logSum / seen);
    }
    return vertx.executeBlocking(() -> {
      List<LinkState> learned = new ArrayList<>();
      for (int k = 0; k < legCount; k++) {
        Attribution.Observation o = observed[k];
        learned.add(cluster.measure(path.get(k), path.get(k + 1), o.rttMs(), o.jitterMs(), o.loss(), 0));
      }
      List<NodeState> nodes = new ArrayList<>();
      for (int k = legCount; k < observed.length; k++) {
        int at = k - legCount + 1;
        nodes.add(cluster.quality(path.get(at), true, observed[k].jitterMs(), observed[k].loss(), stretch[at]));
      }
      nodes.add(cluster.quality(path.get(0), false, sourceAccess[0], sourceAccess[1], stretch[0]));
      nodes.add(cluster.quality(path.get(path.size() - 1), false, destinationAccess[0], destinationAccess[1],
        stretch[slots.length - 1]));
      nodes.removeIf(Objects::isNull);
      return new Learned(learned, nodes);
    }, false).compose(done -> {
      done.links().forEach(graph::apply);
      done.nodes().forEach(graph::apply);
      return Future.all(store.saveLinks(done.links()), store.quality(done.nodes())).map(done.links().size());
    });
  }

  /** What one outcome taught: links, and nodes' own quality. */
  private record Learned(List<LinkState> links, List<NodeState> nodes) {
  }

  private static double round(double value) {
    return Math.round(value * 100) / 100.0;
  }
}
