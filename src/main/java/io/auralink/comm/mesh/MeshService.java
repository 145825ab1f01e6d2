package io.auralink.comm.mesh;

import io.auralink.comm.platform.bus.LoopAddresses;
import io.auralink.comm.platform.bus.MemberRouting;
import io.auralink.comm.platform.Caller;
import io.vertx.codegen.annotations.GenIgnore;
import io.vertx.codegen.annotations.ProxyGen;
import io.vertx.codegen.annotations.VertxGen;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;

/**
 * The mesh, served on the event bus at {@link #ADDRESS} by the member's mesh verticle, which answers route queries
 * from its own hot graph. A person manages their own nodes; services need {@code mesh:read}, {@code mesh:write} or
 * {@code mesh:route}, and a service acting as a person ({@link Caller#actingAs}) acts for that person only
 * ({@link Caller#mayActFor}). Only active AuraIDs have routable nodes: a deactivated or suspended owner's nodes are
 * out of routing until the owner is active again. Failures are {@link io.vertx.serviceproxy.ServiceException}s with a
 * {@link MeshError} code.
 */
@ProxyGen
@VertxGen
public interface MeshService {

  String ADDRESS = "auralink.mesh";

  String READ = "mesh:read";
  String WRITE = "mesh:write";
  String ROUTE = "mesh:route";
  /** Operators' scope: vouching a trust for infrastructure relays (served by the trust domain). */
  String ADMIN = "mesh:admin";

  static MeshService proxy(Vertx vertx, long timeoutMillis) {
    return new MeshServiceVertxEBProxy(vertx, ADDRESS, new DeliveryOptions().setSendTimeout(timeoutMillis));
  }

  /**
   * A client of the mesh instance on one member ({@code nodeId}, a cluster node id) only: given this node's own id,
   * it answers from this member's copy of the graph.
   */
  @GenIgnore
  static MeshService onMember(Vertx vertx, String nodeId, long timeoutMillis) {
    return new MeshServiceVertxEBProxy(vertx, MemberRouting.memberAddress(ADDRESS, nodeId),
      new DeliveryOptions().setSendTimeout(timeoutMillis));
  }

  /**
   * A client for use on one of this node's event loops: it reaches the instance bound on the same loop when there
   * is one (no hand-off between threads), otherwise the service wherever it runs in the cluster.
   */
  @GenIgnore
  static MeshService proxy(Vertx vertx, LoopAddresses loops, long timeoutMillis) {
    return loops.proxy(vertx, ADDRESS, timeoutMillis, MeshServiceVertxEBProxy::new);
  }

  /**
   * Registers a device ({@code aura_id} for services; {@code device_id, node_type, device_type, address, nat_type,
   * region, latitude, longitude, capabilities, bandwidth_mbps, max_connections}); registering the same device again
   * updates it and keeps its node id. Answers the node with {@code created}. A caller who may not act for the AuraID
   * named in {@code aura_id} is refused ({@code FORBIDDEN} naming {@code aura_id}); the owner must be an active
   * AuraID ({@code AURAID_NOT_FOUND}, or {@code FORBIDDEN} for the owner's own token while deactivated or suspended).
   */
  Future<JsonObject> registerNode(JsonObject node, Caller caller);

  /** Changes what describes a node (not its owner or device id). */
  Future<JsonObject> updateNode(String nodeId, JsonObject changes, Caller caller);

  Future<JsonObject> removeNode(String nodeId, Caller caller);

  Future<JsonObject> node(String nodeId, Caller caller);

  /** {@code {aura_id, nodes: [...]}}. */
  Future<JsonObject> nodesOf(String auraId, Caller caller);

  /**
   * {@code current_connections, bandwidth_in_use_mbps}; answers {@code {node_id, online, next_heartbeat_seconds}}.
   * Refused ({@code FORBIDDEN} naming {@code node_id}) while the node's owner is not active; so are link reports.
   */
  Future<JsonObject> heartbeat(String nodeId, JsonObject beat, Caller caller);

  /** {@code {links: [{to, rtt_ms, jitter_ms, loss, bandwidth_mbps}]}} measured by the node (at most 500). */
  Future<JsonObject> reportLinks(String nodeId, JsonObject report, Caller caller);

  /**
   * {@code {source_aura_id, destination_aura_id, media_type, require_aic, max_hops?, current_path?}} →
   * {@code {route_id, tier, route_type, path, relays, predicted: {latency_ms, jitter_ms, loss, mos}, score, reasons,
   * alternatives}}, computed for every query (each with its own route id), for a service with {@code mesh:route}
   * acting for the source (or for anyone). A source that is not an active AuraID, and a destination that is not
   * visible to the source (unknown, deactivated, suspended, private, friends-only without them, or blocking them), are
   * {@code AURAID_NOT_FOUND} naming {@code source_aura_id} or {@code destination_aura_id}, the same answer in every
   * case.
   */
  Future<JsonObject> route(JsonObject query, Caller caller);

  /**
   * How a call on a route went ({@code rtt_ms, jitter_ms, loss}, and anything else worth keeping): stored with the
   * route, and learned by the links of its path.
   */
  Future<JsonObject> routeOutcome(String routeId, JsonObject outcome, Caller caller);

  /** Nodes online by type, links, members holding the graph, replication lag seen. */
  Future<JsonObject> graphStats(Caller caller);
}
