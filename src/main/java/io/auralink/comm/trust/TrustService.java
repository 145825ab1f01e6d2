package io.auralink.comm.trust;

import io.auralink.comm.platform.bus.LoopAddresses;
import io.auralink.comm.platform.Caller;
import io.vertx.codegen.annotations.GenIgnore;
import io.vertx.codegen.annotations.ProxyGen;
import io.vertx.codegen.annotations.VertxGen;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;

/**
 * Trust scores, abuse reports, moderation and federation trust, served on the event bus at {@link #ADDRESS}.
 * Entities are named by type ({@code aura_id}, {@code mesh_node}, {@code federated_server}) and id. Failures are
 * {@link io.vertx.serviceproxy.ServiceException}s with a {@link TrustError} code. Every change of an entity's
 * trust is recorded in its history and published on {@link TrustEvents#CHANGED}.
 */
@ProxyGen
@VertxGen
public interface TrustService {

  String ADDRESS = "auralink.trust";

  /** Scopes of service callers; {@code trust:admin} holds all of them. */
  String READ = "trust:read";
  String REPORT = "trust:report";
  String WRITE = "trust:write";
  String MODERATE = "trust:moderate";
  String ADMIN = "trust:admin";

  /** A client for the trust domain wherever it runs in the cluster. */
  static TrustService proxy(Vertx vertx, long timeoutMillis) {
    return new TrustServiceVertxEBProxy(vertx, ADDRESS, new DeliveryOptions().setSendTimeout(timeoutMillis));
  }

  /**
   * A client for use on one of this node's event loops: it reaches the instance bound on the same loop when there
   * is one (no hand-off between threads), otherwise the service wherever it runs in the cluster.
   */
  @GenIgnore
  static TrustService proxy(Vertx vertx, LoopAddresses loops, long timeoutMillis) {
    return loops.proxy(vertx, ADDRESS, timeoutMillis, TrustServiceVertxEBProxy::new);
  }

  /**
   * {@code {entity_type, entity_id, score, level, components, suspended, suspension, history}}; an entity never
   * seen has the starting score. A person may read their own AuraID's; services need {@code trust:read}.
   */
  Future<JsonObject> trustInfo(String entityType, String entityId, Caller caller);

  /**
   * Files an abuse report: {@code target {entity_type, entity_id}, category, severity, description, evidence?,
   * call_id?}, and for a service {@code reporter {entity_type, entity_id}} (a person reports as themselves; naming
   * anyone else is refused). The target must exist; deactivated and suspended reporters are refused, and each
   * reporter is limited per hour ({@link TrustError#RATE_LIMITED}) and to one report per target a day. The report
   * weighs its reporter's standing toward automatic action; see the README's trust section.
   */
  Future<JsonObject> report(JsonObject report, Caller caller);

  /** One report with its review state ({@code trust:moderate}). */
  Future<JsonObject> getReport(String reportId, Caller caller);

  /** {@code {reports: [...]}}: pending high and critical reports, critical first, oldest first ({@code trust:moderate}). */
  Future<JsonObject> reviewQueue(int limit, Caller caller);

  /** Takes a pending report for review; another moderator's claim is refused. */
  Future<JsonObject> claimReport(String reportId, Caller caller);

  /** {@code {decision: uphold|dismiss, note}}: an upheld report keeps costing, a dismissed one restores the score. */
  Future<JsonObject> resolveReport(String reportId, JsonObject decision, Caller caller);

  /** Suspends an entity with a reason ({@code trust:moderate}). */
  Future<JsonObject> suspend(String entityType, String entityId, String reason, Caller caller);

  /** Lifts a suspension with a reason ({@code trust:moderate}). */
  Future<JsonObject> unsuspend(String entityType, String entityId, String reason, Caller caller);

  /**
   * {@code {entries: [...], next_cursor}}: the moderation actions on the entity, oldest first, one
   * {@link io.auralink.comm.platform.Page} ({@code {limit?, cursor?}}) at a time ({@code trust:moderate}).
   */
  Future<JsonObject> moderationLog(String entityType, String entityId, JsonObject page, Caller caller);

  /**
   * Records a successful verification ({@code email, phone, document, social, biometric}); each method counts
   * once ({@code trust:write}, used by the verification domain).
   */
  Future<JsonObject> recordVerification(String entityType, String entityId, String method, Caller caller);

  /**
   * Adds {@code delta} (between -5 and 5) to the behaviour component, which stays within ±20
   * ({@code trust:write}, used by the call and mesh domains after calls and for node uptime).
   */
  Future<JsonObject> recordBehaviour(String entityType, String entityId, double delta, String reason, Caller caller);

  /**
   * Adds to a mesh node's service record what it did since the mesh's last report ({@code trust:write}, used by the
   * mesh): {@code {online_seconds, offline_seconds, beats_on_time, beats_late, relayed_good, relayed_poor}}, each
   * optional and non-negative. The node's trust is recomputed from its owner's trust and its whole record.
   */
  Future<JsonObject> recordNodeService(String nodeId, JsonObject service, Caller caller);

  /**
   * {@link #recordNodeService} for many nodes in one request ({@code trust:write}, used by the mesh for each report
   * interval): {@code services} maps node ids to service records (at most {@value #MAX_NODE_SERVICES}). Every record
   * is checked before any is applied (a malformed one fails the whole request, naming its field); each node is then
   * recorded in its own transaction, one after the other. Answers {@code {recorded: [node ids], unknown: [node ids
   * not registered]}}.
   */
  Future<JsonObject> recordNodeServices(JsonObject services, Caller caller);

  /** The most node records one {@link #recordNodeServices} request carries. */
  int MAX_NODE_SERVICES = 500;

  /**
   * Vouches a trust for an infrastructure relay (a node of type relay, edge or super_node): {@code {trust, reason}},
   * trust 0 to 100, or null to withdraw the vouch so the node's own record counts again. Needs {@code mesh:admin};
   * logged in the moderation log.
   */
  Future<JsonObject> vouchNode(String nodeId, JsonObject vouch, Caller caller);

  /**
   * {@code {servers: [...], next_cursor}}: the registry of federated homeservers by domain, one
   * {@link io.auralink.comm.platform.Page} at a time ({@code trust:read}).
   */
  Future<JsonObject> federatedServers(JsonObject page, Caller caller);

  /** Adds a homeserver or changes its {@code requests_per_minute} ({@code trust:admin}). */
  Future<JsonObject> putFederatedServer(String domain, JsonObject settings, Caller caller);

  /** Blocks a homeserver with a reason ({@code trust:admin}). */
  Future<JsonObject> blockFederatedServer(String domain, String reason, Caller caller);

  /** Allows a blocked homeserver again ({@code trust:admin}). */
  Future<JsonObject> unblockFederatedServer(String domain, Caller caller);

  /**
   * Whether a call from a user of {@code domain} may be accepted now: {@code {domain, allowed, reason, state,
   * trust_score, trust_level, requests_per_minute, requests_this_minute}}. Each check counts as one request
   * against the server's limit.
   */
  Future<JsonObject> checkFederatedServer(String domain, Caller caller);
}
