package io.auralink.comm.identity;

import io.auralink.comm.platform.bus.LoopAddresses;
import io.auralink.comm.platform.Caller;
import io.vertx.codegen.annotations.GenIgnore;
import io.vertx.codegen.annotations.ProxyGen;
import io.vertx.codegen.annotations.VertxGen;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * The AuraID registry, served on the event bus at {@link #ADDRESS}. Every operation takes the {@link Caller} it
 * acts for: a person sees as themself; a service acting as a person ({@link Caller#actingAs}) sees what that person
 * sees; a service acting for nobody sees public AuraIDs; {@link #ADMIN} (not acting as anyone) sees everything.
 * What a caller may not see answers exactly like what does not exist ({@code AURAID_NOT_FOUND}). Failures are
 * {@link io.vertx.serviceproxy.ServiceException}s with an {@link IdentityError} code. Profiles are JSON objects with
 * {@code aura_id, username, display_name, avatar_url, matrix_user_id, privacy_level, verified, trust_level,
 * created_at}; {@code user_id, status, suspension, matrix} are added for the owner's own token, for administrators,
 * and for a {@link #WRITE} or {@link #ADMIN} service acting as the owner.
 */
@ProxyGen
@VertxGen
public interface IdentityService {

  String ADDRESS = "auralink.identity";

  /** Scopes of service callers; {@code identity:admin} holds the other two. */
  String READ = "identity:read";
  String WRITE = "identity:write";
  String ADMIN = "identity:admin";
  /**
   * With {@link #READ}, acting for a person: that person's accepted contacts are visible to them whatever their
   * privacy level ({@code private} included), as calls need (contacts may call each other); blocks, deactivation and
   * suspension hide exactly as for any reader. The call and mesh domains read with it.
   */
  String CALL_PEERS = "identity:call_peers";

  /** A client for the registry wherever it runs in the cluster. */
  static IdentityService proxy(Vertx vertx, long timeoutMillis) {
    return new IdentityServiceVertxEBProxy(vertx, ADDRESS, new DeliveryOptions().setSendTimeout(timeoutMillis));
  }

  /**
   * A client for use on one of this node's event loops: it reaches the instance bound on the same loop when there
   * is one (no hand-off between threads), otherwise the service wherever it runs in the cluster.
   */
  @GenIgnore
  static IdentityService proxy(Vertx vertx, LoopAddresses loops, long timeoutMillis) {
    return loops.proxy(vertx, ADDRESS, timeoutMillis, IdentityServiceVertxEBProxy::new);
  }

  /**
   * Registers {@code username} for the account {@code user_id}; optional {@code display_name}, {@code avatar_url},
   * {@code privacy_level}. Answers {@code {aura_id, username, display_name, privacy_level, matrix_user_id, created_at}}.
   */
  Future<JsonObject> register(JsonObject registration, Caller caller);

  /** {@code {username, available, reason}}; reason is null or an {@link IdentityError} name. */
  Future<JsonObject> availability(String username);

  /** The profile of one AuraID as the caller may see it. */
  Future<JsonObject> resolve(String auraId, Caller caller);

  /** {@code {results: {aura_id: profile}, not_found: [...]}} for up to 100 AuraIDs, in one storage round trip. */
  Future<JsonObject> resolveMany(List<String> auraIds, Caller caller);

  /** Changes {@code display_name}, {@code avatar_url} and/or {@code privacy_level}; answers the owner's view. */
  Future<JsonObject> update(String auraId, JsonObject changes, Caller caller);

  /** Soft deactivation by the owner (or a writer); the AuraID stops resolving for others. */
  Future<JsonObject> deactivate(String auraId, Caller caller);

  /** Administrators only: brings a deactivated AuraID back. */
  Future<JsonObject> reactivate(String auraId, Caller caller);

  /**
   * {@code {aura_id, contacts: [{aura_id, state, since}]}}: friends, pending both ways, and blocks, all of them (for
   * the domains that decide by them; the HTTP API pages with {@link #contactsPage}).
   */
  Future<JsonObject> contacts(String auraId, Caller caller);

  /**
   * The same, by contact AuraID, one {@link io.auralink.comm.platform.Page} ({@code {limit?, cursor?}}) at a time:
   * {@code {aura_id, contacts, next_cursor}}.
   */
  Future<JsonObject> contactsPage(String auraId, JsonObject page, Caller caller);

  /** {@code auraId} asks {@code contact} to become contacts (accepts at once if {@code contact} asked first). */
  Future<JsonObject> requestContact(String auraId, String contact, Caller caller);

  /** {@code auraId} accepts the pending request from {@code contact}. */
  Future<JsonObject> acceptContact(String auraId, String contact, Caller caller);

  /** {@code auraId} declines the pending request from {@code contact}. */
  Future<JsonObject> declineContact(String auraId, String contact, Caller caller);

  /** {@code auraId} removes {@code contact}: friendship, requests both ways, or its own block. */
  Future<JsonObject> removeContact(String auraId, String contact, Caller caller);

  /** {@code auraId} blocks {@code contact}: hidden from them, their requests refused, any friendship ended. */
  Future<JsonObject> blockContact(String auraId, String contact, Caller caller);

  /**
   * The trust domain pushes an AuraID's trust: {@code {version, level, verified, suspension: {reason, at, by} or
   * null}}. A suspension hides the AuraID from everyone but its owner and administrators; pushes older than the
   * stored version change nothing. Answers {@code {aura_id, applied}} ({@code applied} false for an unknown AuraID
   * or an old version). Not on the HTTP API: only other domains call it.
   */
  Future<JsonObject> applyTrust(String auraId, JsonObject trust);
}
