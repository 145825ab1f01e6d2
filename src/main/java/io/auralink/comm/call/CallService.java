package io.auralink.comm.call;

import io.auralink.comm.platform.Caller;
import io.auralink.comm.platform.bus.LoopAddresses;
import io.vertx.codegen.annotations.GenIgnore;
import io.vertx.codegen.annotations.ProxyGen;
import io.vertx.codegen.annotations.VertxGen;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;

/**
 * Calls, served on the event bus at {@link #ADDRESS}. A person acts on the calls they take part in (the caller
 * cancels and hangs up, a callee answers, declines and hangs up); a service with {@link #WRITE} acts on any call for
 * any party, and reads any with {@link #READ}. A call someone takes no part in answers like one that does not exist
 * ({@code CALL_NOT_FOUND}). Failures are {@link io.vertx.serviceproxy.ServiceException}s with a {@link CallError}
 * code; a transition the state machine does not allow is {@code CALL_STATE} with {@code details.state} the current
 * state. Every change of state is published on {@link CallEvents#STATE}.
 *
 * <p>A call is shown as {@code {call_id, state, caller_aura_id, callee_aura_ids, participants: [{aura_id, role,
 * devices}], media_type, entry_point, external_id, route: {route_id, tier, route_type, region, predicted} or null,
 * room, ring_deadline, created_at, answered_at, answered_by, answered_device, ended_at, ended_by, end_reason,
 * duration_seconds, quality}}; join tokens are never part of it.
 */
@ProxyGen
@VertxGen
public interface CallService {

  String ADDRESS = "auralink.call";

  /** Scopes of service callers: read any call; act on any call for any party ({@code calls:write} reads too). */
  String READ = "calls:read";
  String WRITE = "calls:write";

  /** A client for the call domain wherever it runs in the cluster. */
  static CallService proxy(Vertx vertx, long timeoutMillis) {
    return new CallServiceVertxEBProxy(vertx, ADDRESS, new DeliveryOptions().setSendTimeout(timeoutMillis));
  }

  /**
   * A client for use on one of this node's event loops: it reaches the instance bound on the same loop when there
   * is one (no hand-off between threads), otherwise the service wherever it runs in the cluster.
   */
  @GenIgnore
  static CallService proxy(Vertx vertx, LoopAddresses loops, long timeoutMillis) {
    return loops.proxy(vertx, ADDRESS, timeoutMillis, CallServiceVertxEBProxy::new);
  }

  /**
   * Starts a call: {@code {callee_aura_id | callees: [1..max], device_id, media_type?, ring_seconds?,
   * caller_aura_id?, entry_point?, external_id?, livekit_room?}} ({@code caller_aura_id}, {@code entry_point} other
   * than {@code api}, {@code external_id} and {@code livekit_room} for services; a person calls as themself; a
   * {@code matrix_rtc} room call may name no callee and names its LiveKit room). Every callee must exist and be
   * visible to the caller, and the caller visible to each: neither blocked by the other, deactivated or suspended;
   * an accepted contact relation reveals the two to each other whatever their privacy level (a callee that is not
   * callable is {@code AURAID_NOT_FOUND}, exactly like an unknown one, and nothing is created). Two parties are
   * routed by the mesh; a call with several callees, or a room call, is central (a LiveKit room). The answer is the call with {@code created} and, when
   * the route is central and LiveKit is configured, {@code livekit: {url, room, identity, token}} for the caller's
   * device; otherwise {@code livekit} is null and {@code notes} says why. An {@code external_id} seen before for the
   * entry point answers the call it started ({@code created: false}).
   */
  Future<JsonObject> invite(JsonObject invite, Caller caller);

  /**
   * A callee answers from {@code {device_id, aura_id?}} ({@code aura_id} names the callee for a service): the first
   * answer of a ringing call answers it (exactly one wins); another callee answering the answered call joins it. The
   * answer is the call with {@code livekit} for that device only.
   */
  Future<JsonObject> answer(String callId, JsonObject answer, Caller caller);

  /**
   * A callee declines ({@code {reason?, aura_id?}}): that participant is {@code declined}; the call is declined only
   * when every callee of the ringing call has declined.
   */
  Future<JsonObject> decline(String callId, JsonObject decline, Caller caller);

  /**
   * A party joins a live call from {@code {device_id, aura_id?}}: a callee (joining a ringing call answers it), the
   * caller with another device, someone who left or declined coming back; a service with {@link #WRITE} names
   * {@code aura_id} and may add any active AuraID (role {@code member}). The answer carries {@code livekit} for that
   * device.
   */
  Future<JsonObject> join(String callId, JsonObject join, Caller caller);

  /**
   * A joined party leaves: {@code {device_id?, aura_id?, reason?}} (one device, or all of them); its LiveKit
   * identities are removed from the room. The last joined participant leaving an answered call completes it
   * ({@code end_reason} the reason, default {@code participants_left}); the caller leaving a ringing call cancels it.
   */
  Future<JsonObject> leave(String callId, JsonObject leave, Caller caller);

  /** The caller withdraws a ringing call ({@code {reason?}}). */
  Future<JsonObject> cancel(String callId, JsonObject cancel, Caller caller);

  /**
   * A participant ends an answered call: {@code {reason?, quality?: {rtt_ms, jitter_ms, loss, bitrate_kbps, mos}}}.
   * The call keeps duration, reason and quality; the mesh learns the route's outcome and trust the parties'
   * behaviour.
   */
  Future<JsonObject> hangup(String callId, JsonObject hangup, Caller caller);

  /**
   * An operator ({@link #WRITE}) ends a live call: {@code {reason, abusive_aura_id?}}; the party named abusive
   * loses trust.
   */
  Future<JsonObject> terminate(String callId, JsonObject termination, Caller caller);

  /** One call, for its participants and services with {@link #READ}. */
  Future<JsonObject> call(String callId, Caller caller);

  /** {@link #elementCallToken}'s endpoints: {@code POST /sfu/get} and {@code POST /get_token}. */
  String SFU_GET = "sfu_get";
  String GET_TOKEN = "get_token";

  /**
   * Element Call's token exchange, answering as element-hq/lk-jwt-service does: the raw request body (UTF-8 text, as
   * received: the exchange reads it exactly as lk-jwt-service does) of {@link #SFU_GET} or {@link #GET_TOKEN}, in
   * exchange for {@code {status, body}}: the HTTP status and body to answer, {@code {url, jwt}} or lk-jwt-service's
   * Matrix error {@code {errcode, error}} (refusals are answers, not failures, since Element Call reads that shape
   * and not our error envelope). The OpenID token in the body authenticates; a Matrix user who is one of our AuraIDs
   * must be active and not suspended. Without LiveKit settings every request is answered 503 {@code M_UNKNOWN}.
   */
  Future<JsonObject> elementCallToken(String endpoint, String body);

  /**
   * A LiveKit webhook: its {@code Authorization} header (LiveKit's raw JWT) and raw body (UTF-8 text). The signature
   * and the body's hash are verified first ({@code WEBHOOK_REJECTED} otherwise); the event is applied once per id
   * as a hint about the call whose room it names: {@code room_finished}, or {@code participant_left} leaving the room
   * empty, completes an answered call; nothing else changes a call, and no event creates one. Answers
   * {@code {event_id, event, outcome: applied | duplicate | ignored, call_id, state}} ({@code call_id}, {@code state}:
   * the call the room belongs to, if any, after the event).
   */
  Future<JsonObject> liveKitWebhook(String authorization, String body);

  /**
   * {@code {aura_id?, state?, before?, limit?}} → {@code {aura_id, calls: [...], next}}: the calls of an AuraID,
   * newest first, {@code limit} at a time; {@code next} is the {@code before} of the following page, or null. A
   * person reads their own; a service names {@code aura_id}.
   */
  Future<JsonObject> history(JsonObject query, Caller caller);
}
