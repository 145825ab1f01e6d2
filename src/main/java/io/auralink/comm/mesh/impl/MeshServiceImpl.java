package io.auralink.comm.mesh.impl;

import io.auralink.comm.identity.IdentityEvents;
import io.auralink.comm.identity.IdentityService;
import io.auralink.comm.mesh.MeshError;
import io.auralink.comm.mesh.MeshEvents;
import io.auralink.comm.mesh.MeshService;
import io.auralink.comm.mesh.graph.LinkState;
import io.auralink.comm.mesh.graph.MeshGraph;
import io.auralink.comm.mesh.graph.NodeState;
import io.auralink.comm.mesh.graph.RouteSearch;
import io.auralink.comm.mesh.quality.NodeQuality;
import io.auralink.comm.mesh.replication.ClusterGraph;
import io.auralink.comm.platform.AuraIds;
import io.auralink.comm.platform.Caller;
import io.auralink.comm.platform.Platform;
import io.auralink.comm.platform.cluster.ClusterMembers;
import io.auralink.comm.platform.config.AppConfig;
import io.auralink.comm.platform.config.Role;
import io.auralink.comm.trust.TrustService;
import com.hazelcast.splitbrainprotection.SplitBrainProtectionException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.ext.web.client.WebClient;
import io.vertx.serviceproxy.ServiceException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static io.auralink.comm.platform.ErrorCode.field;
import static io.auralink.comm.platform.ErrorCode.parsed;
import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * The mesh's logic on one member (route queries in {@link Routing}). Reads come from the member's hot graph;
 * every change goes to PostgreSQL (durable), then to the cluster graph (replicated, on a worker thread), then into
 * the local graph at once so the member reads its own writes, before it is answered. Heartbeats are kept in memory
 * and flushed to the cluster once per flush interval; a node whose liveness changes is replicated, a beat alone is
 * not.
 * Confined to the mesh verticle's event loop.
 */
public final class MeshServiceImpl implements MeshService {

  private static final Logger LOG = LoggerFactory.getLogger(MeshServiceImpl.class);
  private static final int MAX_LINKS_PER_REPORT = 500;
  private static final long RESTORE_DELAY_MS = 500;
  private static final long IN_FLIGHT_MS = 2_000;
  private static final int RESTORE_CLAIM_ATTEMPTS = 50;
  private static final long RESTORE_CLAIM_RETRY_MS = 200;
  private static final int LOAD_SLICE = 10_000;
  /** How long a route party's visibility decision is remembered at most (events forget it sooner). */
  private static final long VISIBILITY_LIFETIME_MS = 60_000;

  private final Vertx vertx;
  private final ClusterManager clusterManager;
  private final ClusterGraph cluster;
  private final MeshGraph graph;
  private final MeshStore store;
  private final IdentityLookup identities;
  private final Routing routing;
  private final ReplicationLag lag;
  private final AppConfig.Mesh config;
  private final ServiceRecords services;
  private final TrustService trust;
  private Map<String, Beat> pendingBeats = new HashMap<>();
  private boolean restorePending;

  /** A beat; {@code accessJitterMs} and {@code accessLoss} are NaN unless the node measured its own connection. */
  private record Beat(int connections, double bandwidthInUse, long at, double accessJitterMs, double accessLoss) {

    boolean measuredAccess() {
      return !Double.isNaN(accessJitterMs);
    }
  }

  MeshServiceImpl(Vertx vertx, ClusterManager clusterManager, ClusterGraph cluster, MeshGraph graph, MeshStore store,
                  IdentityLookup identities, Routing routing, ReplicationLag lag, AppConfig.Mesh config,
                  ServiceRecords services, TrustService trust) {
    this.vertx = vertx;
    this.clusterManager = clusterManager;
    this.cluster = cluster;
    this.graph = graph;
    this.store = store;
    this.identities = identities;
    this.routing = routing;
    this.lag = lag;
    this.config = config;
    this.services = services;
    this.trust = trust;
  }

  /** The service on one member, over the member's graph and the cluster's. */
  public static MeshServiceImpl create(Vertx vertx, Platform platform, ClusterGraph cluster, MeshGraph graph,
                                       WebClient web) {
    AppConfig.Mesh config = platform.config().mesh();
    MeshStore store = new MeshStore(platform.pool());
    ServiceRecords services = new ServiceRecords(config.heartbeatInterval().toMillis(), config.offlineAfter().toMillis());
    long timeout = platform.config().node().eventBusTimeout().toMillis();
    IdentityLookup identities = new IdentityLookup(IdentityService.proxy(vertx, platform.loops(),
      platform.config().node().eventBusTimeout().toMillis()));
    Routing routing = new Routing(vertx, cluster, graph, store, identities, services, new RouteScorer(web, config.scorerUrl(),
      config.scorerTimeout(), new ScorerOrders(config.scorerCacheTtl())),
      new VisibilityCache(VisibilityCache.CAPACITY, VISIBILITY_LIFETIME_MS, platform.metrics()), config,
      platform.metrics());
    return new MeshServiceImpl(vertx, platform.cluster(), cluster, graph, store, identities, routing,
      new ReplicationLag(), config, services, TrustService.proxy(vertx, platform.loops(), timeout));
  }

  /**
   * After a full-cluster restart the maps are empty: one member (the first to claim it) puts back what PostgreSQL
   * holds, every node offline until it beats again.
   */
  public Future<Void> restoreIfEmpty(String memberId) {
    return claimRestore(memberId, RESTORE_CLAIM_ATTEMPTS).compose(claimed -> !claimed
      ? Future.<Void>succeededFuture()
      : Future.all(store.loadNodes(), store.loadLinks()).compose(loaded -> vertx.executeBlocking(() -> {
          cluster.restore(loaded.resultAt(0), loaded.resultAt(1));
          return null;
        }, false)));
  }

  /**
   * Hazelcast's split-brain protection refuses map writes until its first count of the members, a scan about a
   * second after the member starts: the claim waits for that count rather than failing the start.
   */
  private Future<Boolean> claimRestore(String memberId, int attemptsLeft) {
    return vertx.executeBlocking(() -> cluster.claimRestore(memberId), false)
      .recover(e -> e instanceof SplitBrainProtectionException && attemptsLeft > 1
        ? vertx.timer(RESTORE_CLAIM_RETRY_MS).compose(fired -> claimRestore(memberId, attemptsLeft - 1))
        : Future.failedFuture(e));
  }

  /**
   * After partitions were lost, puts back what PostgreSQL holds of the graph (nodes offline until they beat).
   * Partitions are lost in bursts (one event each): the burst is answered by one restore, shortly after it.
   */
  public void partitionLost() {
    if (!restorePending) {
      restorePending = true;
      vertx.setTimer(RESTORE_DELAY_MS, id -> {
        restorePending = false;
        restoreLost();
      });
    }
  }

  private Future<Integer> restoreLost() {
    Map<String, List<Integer>> lost = cluster.takeLostPartitions();
    return Future.all(store.loadNodes(), store.loadLinks())
      .compose(loaded -> vertx.executeBlocking(() -> cluster.restoreMissing(loaded.resultAt(0), loaded.resultAt(1)),
        false))
      .onSuccess(restored -> LOG.warn("partitions of the mesh graph's maps lost every replica; entries missing from"
        + " them put back from PostgreSQL {} {}", kv("lost_partitions", lost), kv("entries_restored", restored)))
      .onFailure(e -> LOG.error("partitions of the mesh graph's maps were lost and could not be restored {} {}",
        kv("lost_partitions", lost), kv("error", String.valueOf(e.getMessage()))));
  }

  /**
   * Builds this member's graph from the cluster's (changes arriving meanwhile are ordered by version), in slices so
   * that a large graph never holds the event loop for long.
   */
  public Future<Integer> load() {
    return vertx.executeBlocking(cluster::snapshot, false)
      .compose(snapshot -> applyFrom(snapshot, 0).map(snapshot.size()));
  }

  private Future<Void> applyFrom(List<ClusterGraph.Change> changes, int from) {
    int to = Math.min(changes.size(), from + LOAD_SLICE);
    for (int k = from; k < to; k++) {
      replicated(changes.get(k));
    }
    if (to == changes.size()) {
      return Future.succeededFuture();
    }
    Promise<Void> rest = Promise.promise();
    vertx.runOnContext(v -> applyFrom(changes, to).onComplete(rest));
    return rest.future();
  }

  // ---- nodes ------------------------------------------------------------------------------------------------

  /**
   * A person registers their own devices ({@code aura_id}, if given, must name them: an AuraID in any case); a
   * service with mesh:write names the owner (a service acting for a person, that person). The owner must be active:
   * routable in this member's graph, or else asked of the identity registry (registration is off the route query
   * path).
   */
  @Override
  public Future<JsonObject> registerNode(JsonObject in, Caller caller) {
    if (!caller.isPerson() && !caller.mayAny(WRITE)) {
      return MeshError.FORBIDDEN.fail("registering nodes for others needs mesh:write");
    }
    String named = in.getString("aura_id");
    String owner = named == null ? caller.onBehalfOf() : AuraIds.canonical(named).orElse(null);
    if (owner == null) {
      return MeshError.VALIDATION_FAILED.fail(AuraIds.malformed("aura_id") + " (the owner)", field("aura_id"));
    }
    if (!caller.mayActFor(owner, WRITE)) {
      return MeshError.FORBIDDEN.fail((caller.isPerson() ? "a person registers only their own devices"
        : "a service acting for " + caller.actsAs() + " registers only their devices") + ": aura_id names someone else",
        field("aura_id"));
    }
    long now = System.currentTimeMillis();
    return parsed(() -> NodeInput.parse(in, UUID.randomUUID().toString(), owner, null, now))
      .compose(fresh -> activeOwner(owner, caller).map(since -> fresh.withOwner(true, since)))
      .compose(fresh -> store.nodeIdOf(owner, fresh.deviceId())
        .map(known -> known.map(id -> withId(fresh, id)).orElse(fresh)))
      .compose(node -> store.saveWithinQuota(node, config.maxNodesPerPerson()).compose(storedId -> storedId.isEmpty()
        ? MeshError.NODE_LIMIT_REACHED.<NodeState>fail(owner + " has " + config.maxNodesPerPerson()
          + " nodes, the most one person may register; remove one first",
          new JsonObject().put("max_nodes", config.maxNodesPerPerson()))
        : Future.succeededFuture(withId(node, storedId.get()))))
      .compose(node -> replicate(() -> cluster.register(node)).map(stored -> {
        boolean created = stored.version() == 1;
        publish(stored, created ? "registered" : "updated");
        return view(stored).put("created", created);
      }));
  }

  private static NodeState withId(NodeState n, String nodeId) {
    return n.nodeId().equals(nodeId) ? n : new NodeState(nodeId, n.owner(), n.deviceId(), n.type(), n.deviceType(),
      n.address(), n.nat(), n.region(), n.latitude(), n.longitude(), n.capabilities(), n.bandwidthMbps(),
      n.maxConnections(), n.currentConnections(), n.bandwidthInUseMbps(), n.online(), n.trust(), n.suspended(),
      n.ownerActive(), n.ownerSince(), n.registeredAt(), n.version(), n.changedAt());
  }

  @Override
  public Future<JsonObject> updateNode(String nodeId, JsonObject changes, Caller caller) {
    for (String key : changes.fieldNames()) {
      if (!NodeInput.DESCRIBING.contains(key)) {
        return MeshError.VALIDATION_FAILED.fail(key + " cannot be changed; changeable: "
          + NodeInput.DESCRIBING.stream().sorted().toList(), field(key));
      }
    }
    long now = System.currentTimeMillis();
    return changeable(nodeId, caller)
      .compose(current -> parsed(() -> NodeInput.parse(changes, current.nodeId(), current.owner(), current, now)))
      .compose(described -> store.save(described).map(described))
      .compose(described -> replicate(() -> cluster.update(described)))
      .map(stored -> {
        if (stored == null) {
          return view(graph.node(nodeId));
        }
        publish(stored, "updated");
        return view(stored);
      });
  }

  @Override
  public Future<JsonObject> removeNode(String nodeId, Caller caller) {
    return changeable(nodeId, caller)
      .compose(node -> store.delete(nodeId).map(node))
      .compose(node -> vertx.executeBlocking(() -> cluster.remove(nodeId), false))
      .map(removed -> {
        if (removed != null) {
          graph.remove(nodeId, removed.version());
          publish(removed, "removed");
        }
        return new JsonObject().put("node_id", nodeId).put("removed", true);
      });
  }

  @Override
  public Future<JsonObject> node(String nodeId, Caller caller) {
    return readable(nodeId, caller).map(MeshServiceImpl::view);
  }

  @Override
  public Future<JsonObject> nodesOf(String input, Caller caller) {
    String auraId = AuraIds.canonical(input).orElse(null);
    if (auraId == null) {
      return MeshError.VALIDATION_FAILED.fail(AuraIds.malformed("aura_id"), field("aura_id"));
    }
    if (!caller.isPerson() && !caller.mayAny(READ, WRITE, ROUTE)) {
      return MeshError.FORBIDDEN.fail("listing nodes needs mesh:read");
    }
    if (!caller.mayActFor(auraId, READ, WRITE, ROUTE)) {
      return MeshError.FORBIDDEN.fail((caller.isPerson() ? "a person lists only their own nodes"
        : "a service acting for " + caller.actsAs() + " lists only their nodes") + ": aura_id names someone else",
        field("aura_id"));
    }
    JsonArray nodes = new JsonArray();
    MeshGraph.IntList slots = graph.nodesOf(auraId);
    List<NodeState> found = new ArrayList<>();
    for (int k = 0; k < slots.size(); k++) {
      found.add(graph.node(slots.get(k)));
    }
    found.stream().sorted(java.util.Comparator.comparing(NodeState::nodeId)).forEach(n -> nodes.add(view(n)));
    return Future.succeededFuture(new JsonObject().put("aura_id", auraId).put("nodes", nodes));
  }

  // ---- heartbeats, links ------------------------------------------------------------------------------------

  /**
   * A beat of a node whose owner is routable in this member's graph asks nobody (heartbeats are the hot path); a
   * node whose owner is out of routing is refused unless the registry says the owner is active again.
   */
  @Override
  public Future<JsonObject> heartbeat(String nodeId, JsonObject beat, Caller caller) {
    return changeable(nodeId, caller).compose(this::withActiveOwner).compose(node -> parsed(() -> new Beat(
        (int) NodeInput.number(beat, "current_connections", node.currentConnections(), 0, 1_000_000),
        NodeInput.number(beat, "bandwidth_in_use_mbps", node.bandwidthInUseMbps(), 0, 1_000_000),
        System.currentTimeMillis(), accessJitter(beat), NodeInput.number(beat, "access_loss",
          beat != null && beat.containsKey("access_jitter_ms") ? 0 : Double.NaN, 0, 1))))
      .map(recorded -> {
        pendingBeats.put(nodeId, recorded);
        return new JsonObject().put("node_id", nodeId).put("online", true)
          .put("next_heartbeat_seconds", config.heartbeatInterval().toSeconds());
      });
  }

  /** The access jitter a beat reports, NaN if none (loss alone is taken with no jitter). */
  private static double accessJitter(JsonObject beat) {
    boolean measured = beat != null && (beat.containsKey("access_jitter_ms") || beat.containsKey("access_loss"));
    return NodeInput.number(beat, "access_jitter_ms", measured ? 0 : Double.NaN, 0, 60_000);
  }

  /**
   * Sends the beats gathered since the last flush to the cluster: every node's last beat in one call, and a
   * replicated change only for nodes whose liveness or load changed.
   */
  public void flushBeats() {
    if (pendingBeats.isEmpty()) {
      return;
    }
    Map<String, Beat> beats = pendingBeats;
    pendingBeats = new HashMap<>();
    Map<String, Long> lastBeats = new HashMap<>();
    List<String> changed = new ArrayList<>();
    beats.forEach((nodeId, beat) -> {
      lastBeats.put(nodeId, beat.at());
      NodeState node = graph.node(nodeId);
      if (node != null && (!node.online() || node.currentConnections() != beat.connections()
        || Math.abs(node.bandwidthInUseMbps() - beat.bandwidthInUse()) > 0.1 * node.bandwidthMbps())) {
        changed.add(nodeId);
      }
    });
    vertx.executeBlocking(() -> {
      Map<String, Long> previous = cluster.beats(lastBeats);
      List<NodeState> access = new ArrayList<>();
      beats.forEach((nodeId, beat) -> {
        if (beat.measuredAccess()) {
          NodeState learned = cluster.quality(nodeId, false, beat.accessJitterMs(), beat.accessLoss());
          if (learned != null) {
            access.add(learned);
          }
        }
      });
      List<NodeState> live = new ArrayList<>();
      for (String nodeId : changed) {
        Beat beat = beats.get(nodeId);
        NodeState node = cluster.liveness(nodeId, true, beat.connections(), beat.bandwidthInUse());
        if (node != null) {
          live.add(node);
        }
      }
      return new Flushed(previous, live, access);
    }, false).onSuccess(flushed -> {
      lastBeats.forEach((nodeId, at) -> services.beat(nodeId, flushed.previous().get(nodeId), at));
      flushed.access().forEach(graph::apply);
      store.quality(flushed.access()).onFailure(e -> LOG.warn("nodes' access quality not stored {}",
        kv("error", String.valueOf(e.getMessage()))));
      flushed.live().forEach(node -> {
        boolean cameOnline = graph.node(node.nodeId()) != null && !graph.node(node.nodeId()).online();
        graph.apply(node);
        if (cameOnline) {
          publish(node, "online");
        }
      });
    }).onFailure(e -> LOG.warn("heartbeat flush failed {}", kv("error", String.valueOf(e.getMessage()))));
  }

  /** What a link report taught: the links, and the reporting node's access (null if nothing was measured). */
  private record Reported(List<LinkState> links, NodeState access) {
  }

  private record Flushed(Map<String, Long> previous, List<NodeState> live, List<NodeState> access) {
  }

  /**
   * Tells the trust domain what each node did since the last report (uptime, heartbeats, relayed calls), from
   * which it recomputes the node's trust and pushes it back to the graph. A report that fails is logged and not
   * retried: the next one carries on from there, and trust only lags.
   */
  public Future<Integer> reportService() {
    Map<String, ServiceRecords.Tally> drained = services.drain();
    Caller mesh = Caller.service("mesh", Set.of(TrustService.WRITE));
    // One request per batch of nodes (not one per node): the trust domain records them one after the other.
    List<JsonObject> batches = new ArrayList<>();
    drained.forEach((nodeId, tally) -> {
      if (graph.node(nodeId) != null) {
        if (batches.isEmpty() || batches.get(batches.size() - 1).size() == TrustService.MAX_NODE_SERVICES) {
          batches.add(new JsonObject());
        }
        batches.get(batches.size() - 1).put(nodeId, tally.toJson());
      }
    });
    List<Future<JsonObject>> sent = new ArrayList<>();
    for (JsonObject batch : batches) {
      sent.add(trust.recordNodeServices(batch, mesh)
        .onFailure(e -> LOG.warn("nodes' service was not recorded {} {}", kv("nodes", batch.size()),
          kv("error", String.valueOf(e.getMessage())))));
    }
    int nodes = batches.stream().mapToInt(JsonObject::size).sum();
    return Future.join(sent).map(nodes).otherwise(nodes);
  }

  /** Takes offline the nodes this member owns that stopped beating (or never beat). */
  public Future<Integer> sweep() {
    long staleBefore = System.currentTimeMillis() - config.offlineAfter().toMillis();
    return vertx.executeBlocking(() -> cluster.sweep(staleBefore), false).map(offline -> {
      offline.forEach(node -> {
        graph.apply(node);
        publish(node, "offline");
      });
      return offline.size();
    });
  }

  @Override
  public Future<JsonObject> reportLinks(String nodeId, JsonObject report, Caller caller) {
    JsonArray links = report.getJsonArray("links");
    if (links == null || links.isEmpty() || links.size() > MAX_LINKS_PER_REPORT) {
      return MeshError.VALIDATION_FAILED.fail("links lists 1 to " + MAX_LINKS_PER_REPORT + " measurements", field("links"));
    }
    List<JsonObject> measurements = new ArrayList<>();
    JsonArray ignored = new JsonArray();
    try {
      for (int k = 0; k < links.size(); k++) {
        JsonObject m = links.getJsonObject(k);
        String to = m.getString("to");
        if (to == null || to.equals(nodeId)) {
          throw NodeInput.invalid("links[" + k + "].to", "to names another node");
        }
        NodeInput.number(m, "rtt_ms", 0, 0, 60_000);
        NodeInput.number(m, "jitter_ms", 0, 0, 60_000);
        NodeInput.number(m, "loss", 0, 0, 1);
        NodeInput.number(m, "bandwidth_mbps", 0, 0, 1_000_000);
        if (m.getValue("rtt_ms") == null) {
          throw NodeInput.invalid("links[" + k + "].rtt_ms", "rtt_ms is required");
        }
        if (graph.node(to) == null) {
          ignored.add(to);
        } else {
          measurements.add(m);
        }
      }
    } catch (ServiceException | ClassCastException e) {
      return Future.failedFuture(e instanceof ServiceException ? e
        : NodeInput.invalid("links", "links are objects {to, rtt_ms, jitter_ms, loss, bandwidth_mbps}"));
    }
    // The reporting node's own access: what it measured beyond the other ends' access, on average over the report.
    double accessJitter = 0;
    double accessLoss = 0;
    for (JsonObject m : measurements) {
      double[] share = NodeQuality.accessShare(m.getDouble("jitter_ms", 0.0), m.getDouble("loss", 0.0),
        graph.node(m.getString("to")).quality());
      accessJitter += share[0] / measurements.size();
      accessLoss += share[1] / measurements.size();
    }
    // And its delay stretch: how much slower than the distance model its measured links are (log-space average).
    int self = graph.index(nodeId);
    double logStretch = 0;
    int stretched = 0;
    for (JsonObject m : measurements) {
      int to = graph.index(m.getString("to"));
      double share = self < 0 || graph.node(self) == null ? Double.NaN : NodeQuality.stretchShare(
        m.getDouble("rtt_ms") / 2, RouteSearch.modelDelay(graph, self, to), graph.node(self).quality(),
        graph.node(to).quality());
      if (Double.isFinite(share)) {
        logStretch += Math.log(share);
        stretched++;
      }
    }
    double ownStretch = stretched == 0 ? Double.NaN : Math.exp(logStretch / stretched);
    double[] ownAccess = {accessJitter, accessLoss};
    return changeable(nodeId, caller)
      .compose(this::withActiveOwner)
      .compose(node -> vertx.executeBlocking(() -> {
        List<LinkState> learned = measurements.stream().map(m -> cluster.measure(nodeId,
          m.getString("to"), m.getDouble("rtt_ms"), m.getDouble("jitter_ms", 0.0), m.getDouble("loss", 0.0),
          m.getDouble("bandwidth_mbps", 0.0))).toList();
        NodeState learnedAccess = measurements.isEmpty() ? null : cluster.quality(nodeId, false, ownAccess[0], ownAccess[1],
          ownStretch);
        return new Reported(learned, learnedAccess);
      }, false))
      .compose(reported -> {
        reported.links().forEach(graph::apply);
        List<NodeState> access = reported.access() == null ? List.of() : List.of(reported.access());
        access.forEach(graph::apply);
        return Future.all(store.saveLinks(reported.links()), store.quality(access))
          .map(new JsonObject().put("node_id", nodeId).put("accepted", reported.links().size())
            .put("ignored", ignored));
      });
  }

  // ---- owners: identity and trust ---------------------------------------------------------------------------

  /**
   * The owner may register nodes: routable in this member's graph (no question asked), or else active in the
   * identity registry. Answers when that standing was learned. An owner the registry holds active while the graph
   * holds them out of routing (an event was missed) is put back cluster-wide.
   */
  private Future<Long> activeOwner(String owner, Caller caller) {
    MeshGraph.Owner standing = graph.owner(owner);
    if (standing == MeshGraph.Owner.ACTIVE) {
      return Future.succeededFuture(graph.ownerSince(owner));
    }
    long asked = System.currentTimeMillis();
    return identities.standing(owner).compose(registry -> switch (registry) {
      case ACTIVE -> {
        if (standing == MeshGraph.Owner.INACTIVE) {
          applyOwner(owner, true, asked);
        }
        yield Future.succeededFuture(asked);
      }
      // The owner learns their own state; anyone else gets what an unknown AuraID gets.
      case INACTIVE -> caller.is(owner)
        ? MeshError.FORBIDDEN.fail(owner + " is deactivated or suspended: it cannot register nodes", field("aura_id"))
        : MeshError.AURAID_NOT_FOUND.fail("no such AuraID: " + owner, field("aura_id"));
      case UNKNOWN -> MeshError.AURAID_NOT_FOUND.fail("no such AuraID: " + owner, field("aura_id"));
    });
  }

  /** The node, if its owner is active: no question asked while the graph holds them so. */
  private Future<NodeState> withActiveOwner(NodeState node) {
    if (node.ownerActive()) {
      return Future.succeededFuture(node);
    }
    long asked = System.currentTimeMillis();
    return identities.standing(node.owner()).compose(standing -> {
      if (standing != IdentityLookup.Standing.ACTIVE) {
        return MeshError.FORBIDDEN.fail("node " + node.nodeId() + " belongs to " + node.owner()
          + ", which is not an active AuraID: its nodes are out of routing", field("node_id"));
      }
      applyOwner(node.owner(), true, asked);
      return Future.succeededFuture(node.withOwner(true, asked));
    });
  }

  /**
   * Identity changes: visibility decisions naming these AuraIDs are forgotten; a deactivation takes the owner's
   * nodes out of routing at once; a reactivation or a change of trust is checked with the registry (a reactivated
   * AuraID may still be suspended) and applied.
   */
  public void identityChanged(JsonObject event) {
    List<String> auraIds = new ArrayList<>();
    event.getJsonArray("aura_ids", new JsonArray()).forEach(id -> auraIds.add(String.valueOf(id)));
    routing.partiesChanged(auraIds);
    String kind = event.getString("kind");
    if (IdentityEvents.Kind.DEACTIVATED.id().equals(kind)) {
      long at = eventTime(event);
      auraIds.forEach(owner -> applyOwner(owner, false, at));
    } else if (IdentityEvents.Kind.REACTIVATED.id().equals(kind) || IdentityEvents.Kind.TRUST.id().equals(kind)) {
      auraIds.forEach(this::recheckOwner);
    }
  }

  /** Asks the registry for the standing of an owner with nodes in this member's graph, and applies it. */
  private void recheckOwner(String owner) {
    if (graph.owner(owner) == MeshGraph.Owner.NO_NODES) {
      return;
    }
    long asked = System.currentTimeMillis();
    identities.standing(owner)
      .onSuccess(standing -> applyOwner(owner, standing == IdentityLookup.Standing.ACTIVE, asked))
      .onFailure(e -> LOG.warn("the standing of a node owner could not be checked; a heartbeat will {} {}",
        kv("aura_id", owner), kv("error", String.valueOf(e.getMessage()))));
  }

  /**
   * An owner's standing, learned at {@code since}, for all of their nodes: this member's graph at once, then
   * PostgreSQL and the cluster (each keeps a standing learned later). Every member receives the events and writes
   * the same; the one whose cluster write changed a node publishes it.
   */
  private void applyOwner(String owner, boolean active, long since) {
    graph.owner(owner, active, since);
    store.owner(owner, active, since)
      .compose(ids -> ids.isEmpty() ? Future.succeededFuture(List.<NodeState>of())
        : vertx.executeBlocking(() -> cluster.owner(ids, active, since), false))
      .onSuccess(changed -> changed.forEach(node -> {
        graph.apply(node);
        publish(node, "owner");
      }))
      .onFailure(e -> LOG.warn("the standing of a node owner was not stored {} {}", kv("aura_id", owner),
        kv("error", String.valueOf(e.getMessage()))));
  }

  private static long eventTime(JsonObject event) {
    try {
      return Instant.parse(event.getString("at")).toEpochMilli();
    } catch (RuntimeException unreadable) {
      return System.currentTimeMillis();
    }
  }

  /**
   * The trust domain's verdicts. On an AuraID: a suspension takes the owner's nodes out of routing at once, a lifted
   * one is checked with the registry (the AuraID may be deactivated); visibility decisions about it are forgotten.
   * On a node: applied to this member's graph at once (a suspended node leaves routing immediately here), then to
   * the cluster; the one member whose write changed it stores it and publishes the change.
   */
  public void trustChanged(JsonObject event) {
    if ("aura_id".equals(event.getString("entity_type"))) {
      AuraIds.canonical(event.getString("entity_id")).ifPresent(owner -> {
        routing.partiesChanged(List.of(owner));
        String change = event.getString("change");
        if ("suspended".equals(change)) {
          applyOwner(owner, false, eventTime(event));
        } else if ("unsuspended".equals(change)) {
          recheckOwner(owner);
        }
      });
      return;
    }
    if (!"mesh_node".equals(event.getString("entity_type"))) {
      return;
    }
    String nodeId = event.getString("entity_id");
    NodeState node = graph.node(nodeId);
    if (node == null) {
      return;
    }
    double trust = event.getDouble("score", node.trust());
    boolean suspended = event.getBoolean("suspended", false);
    graph.trust(nodeId, trust, suspended);
    replicate(() -> cluster.trust(nodeId, trust, suspended))
      .compose(changed -> changed == null ? Future.succeededFuture()
        : store.trust(nodeId, trust, suspended)
          .onSuccess(v -> publish(changed, "trust")))
      .onFailure(e -> LOG.warn("trust of a mesh node not replicated {} {}", kv("node_id", nodeId),
        kv("error", String.valueOf(e.getMessage()))));
  }

  // ---- routes -----------------------------------------------------------------------------------------------

  @Override
  public Future<JsonObject> route(JsonObject query, Caller caller) {
    return routing.route(query, caller);
  }

  @Override
  public Future<JsonObject> routeOutcome(String routeId, JsonObject outcome, Caller caller) {
    return routing.outcome(routeId, outcome, caller);
  }

  /** Writes the routes chosen since the last flush. */
  public Future<Void> flushRoutes() {
    return routing.flushRoutes();
  }

  // ---- stats ------------------------------------------------------------------------------------------------

  @Override
  public Future<JsonObject> graphStats(Caller caller) {
    if (!caller.mayAny(READ, WRITE, ROUTE)) {
      return MeshError.FORBIDDEN.fail("graph statistics need mesh:read");
    }
    JsonObject byType = new JsonObject();
    graph.onlineByType().forEach((type, count) -> byType.put(type.id(), count));
    JsonObject stats = new JsonObject()
      .put("nodes", graph.nodeCount())
      .put("nodes_online", graph.onlineCount())
      .put("online_by_type", byType)
      .put("links", graph.linkCount())
      .put("replication_lag_ms", lag.summary());
    return ClusterMembers.list(clusterManager)
      .map(members -> stats.put("members_holding_graph",
        members.stream().filter(m -> m.roles().contains(Role.MESH.id())).count()))
      .compose(v -> vertx.executeBlocking(cluster::safe, false))
      .map(safe -> stats.put("backups_complete", safe));
  }

  // ---- shared steps -----------------------------------------------------------------------------------------

  /** The node if the caller may change it: its owner, or a service with mesh:write (others: 404 or 403). */
  private Future<NodeState> changeable(String nodeId, Caller caller) {
    NodeState node = graph.node(nodeId);
    if (node == null || !seenBy(node, caller)) {
      return MeshError.NODE_NOT_FOUND.fail("no such node");
    }
    return caller.is(node.owner()) || caller.mayAny(WRITE) ? Future.succeededFuture(node)
      : MeshError.FORBIDDEN.fail("changing nodes needs mesh:write");
  }

  private Future<NodeState> readable(String nodeId, Caller caller) {
    NodeState node = graph.node(nodeId);
    if (node == null || !seenBy(node, caller)) {
      return MeshError.NODE_NOT_FOUND.fail("no such node");
    }
    return caller.isPerson() || caller.mayAny(READ, WRITE, ROUTE) ? Future.succeededFuture(node)
      : MeshError.FORBIDDEN.fail("reading nodes needs mesh:read");
  }

  /**
   * Whether the caller sees this node at all: a person (or a service acting as one, whatever its scopes) sees only
   * that person's nodes, a service acting for nobody every node; another's answers like an unknown node.
   */
  private static boolean seenBy(NodeState node, Caller caller) {
    String viewer = caller.onBehalfOf();
    return viewer == null || viewer.equals(node.owner());
  }

  /** Runs a cluster write on a worker and applies its result to the local graph (read-your-writes). */
  private Future<NodeState> replicate(java.util.concurrent.Callable<NodeState> write) {
    return vertx.executeBlocking(write, false).map(stored -> {
      if (stored != null) {
        graph.apply(stored);
      }
      return stored;
    });
  }

  private void publish(NodeState node, String change) {
    vertx.eventBus().publish(MeshEvents.NODE_CHANGED, new JsonObject()
      .put("node_id", node.nodeId()).put("aura_id", node.owner()).put("change", change)
      .put("online", node.online()).put("suspended", node.suspended()).put("owner_active", node.ownerActive())
      .put("trust_score", node.trust())
      .put("version", node.version()).put("at", Instant.now().toString()));
  }

  static JsonObject view(NodeState node) {
    JsonObject json = node.toJson();
    json.remove("changed_at");
    json.remove("owner_since");
    json.put("registered_at", Instant.ofEpochMilli(node.registeredAt()).toString());
    return json;
  }

  /**
   * Removes what the maps no longer hold, unchanged since well before the snapshot (a change in flight while it was
   * taken is not a removal).
   */
  private void removeUnheardRemovals(ClusterGraph.NodesPresent present) {
    for (int i = 0; i < graph.capacity(); i++) {
      NodeState node = graph.node(i);
      if (node != null && node.changedAt() < present.takenAt() - IN_FLIGHT_MS
          && !present.nodeIds().contains(node.nodeId())) {
        graph.remove(node.nodeId(), node.version());
      }
    }
  }

  /**
   * Applies a replicated change to this member's graph, measuring how long it took to arrive. This member's own
   * changes are in its graph already (read-your-writes), so the lag measured is that of other members' changes.
   */
  public void replicated(ClusterGraph.Change change) {
    if (change instanceof ClusterGraph.NodeChanged c) {
      if (graph.apply(c.node()) && c.live()) {
        lag.record(System.currentTimeMillis() - c.node().changedAt());
      }
    } else if (change instanceof ClusterGraph.NodeRemoved r) {
      graph.remove(r.nodeId(), r.version());
    } else if (change instanceof ClusterGraph.NodesPresent present) {
      removeUnheardRemovals(present);
    } else if (change instanceof ClusterGraph.LinkChanged l && graph.apply(l.link()) && l.live()) {
      lag.record(System.currentTimeMillis() - l.link().changedAt());
    }
  }
}
