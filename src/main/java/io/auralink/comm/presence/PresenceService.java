package io.auralink.comm.presence;

import io.auralink.comm.platform.Caller;
import io.auralink.comm.platform.bus.LoopAddresses;
import io.vertx.codegen.annotations.GenIgnore;
import io.vertx.codegen.annotations.ProxyGen;
import io.vertx.codegen.annotations.VertxGen;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * Presence, served on the event bus at {@link #ADDRESS}. Each device of a person has a state ({@code online},
 * {@code away}, {@code busy}, {@code dnd}; {@code offline} removes it), an optional status message and the app it
 * belongs to, and stays present for the configured TTL after its last update. A person's presence is their most
 * available device's ({@code online} before {@code away} before {@code busy} before {@code dnd}); with no device left
 * it is {@code offline}, and {@code last_seen} (the time of the last update) remains.
 *
 * <p>Presence is shown as {@code {aura_id, state, status_message, app_id, last_seen, devices: [{device_id, state,
 * status_message, app_id, capabilities, updated_at, expires_at}]}}. A viewer who may not see the AuraID (unknown, hidden, blocked,
 * or a person who shows presence to contacts only and the viewer is not one) sees it {@code offline} with no
 * {@code last_seen} and no devices, exactly like an AuraID that does not exist. A person sees their own; a service
 * acting for nobody with {@link #READ} or {@link #WRITE} sees everyone's; a service acting as a person sees what
 * they see. Failures are {@link io.vertx.serviceproxy.ServiceException}s with a {@link PresenceError} code.
 */
@ProxyGen
@VertxGen
public interface PresenceService {

  String ADDRESS = "auralink.presence";

  /** Scopes of service callers: read anyone's presence; set anyone's devices (and read). */
  String READ = "presence:read";
  String WRITE = "presence:write";

  /**
   * A device capability: its app answers Matrix legacy VoIP ({@code m.call.*}) calls, so the Matrix bridge rings the
   * person there; a callee with no such device present is refused in Matrix at once.
   */
  String MATRIX_VOIP = "matrix_voip";

  /** The most AuraIDs one {@link #bulk} answers. */
  int BULK_LIMIT = 500;

  /** A client for the presence domain wherever it runs in the cluster. */
  static PresenceService proxy(Vertx vertx, long timeoutMillis) {
    return new PresenceServiceVertxEBProxy(vertx, ADDRESS, new DeliveryOptions().setSendTimeout(timeoutMillis));
  }

  /**
   * A client for use on one of this node's event loops: it reaches the instance bound on the same loop when there
   * is one, otherwise the service wherever it runs in the cluster.
   */
  @GenIgnore
  static PresenceService proxy(Vertx vertx, LoopAddresses loops, long timeoutMillis) {
    return loops.proxy(vertx, ADDRESS, timeoutMillis, PresenceServiceVertxEBProxy::new);
  }

  /**
   * Sets one device: {@code {device_id, state, status_message?, app_id?, capabilities?, aura_id?}}
   * ({@code capabilities}: what its app can do, e.g. {@code matrix_voip}). A person sets their own
   * devices ({@code aura_id} omitted or theirs); a service with {@link #WRITE} names anyone's. The AuraID must exist
   * and be active ({@code AURAID_NOT_FOUND}). Answers the person's presence after the change.
   */
  Future<JsonObject> update(JsonObject update, Caller caller);

  /** One person's presence as the caller may see it. */
  Future<JsonObject> presence(String auraId, Caller caller);

  /**
   * {@code {presence: {aura_id: presence}}} for up to {@link #BULK_LIMIT} AuraIDs, read from Redis in one round
   * trip; every AuraID asked for is answered (unknown and hidden ones {@code offline}).
   */
  Future<JsonObject> bulk(List<String> auraIds, Caller caller);

  /**
   * Who sees a person's presence: {@code {visible_to: everyone | contacts}} ({@code everyone} who may see the
   * AuraID, the default, or only accepted contacts). The person, or a service with {@link #WRITE}. Answers
   * {@code {aura_id, visible_to}}.
   */
  Future<JsonObject> setVisibility(String auraId, JsonObject visibility, Caller caller);

  /** {@code {aura_id, visible_to}}, for the person and services with {@link #READ} or {@link #WRITE}. */
  Future<JsonObject> visibility(String auraId, Caller caller);
}
