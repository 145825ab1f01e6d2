package io.auralink.comm.call.impl;

import io.auralink.comm.platform.tls.OutboundTls;
import io.auralink.comm.call.CallError;
import io.auralink.comm.call.CallService;
import io.auralink.comm.call.livekit.LiveKitTokens;
import io.auralink.comm.call.livekit.LiveKitWebhooks;
import io.auralink.comm.identity.IdentityService;
import io.auralink.comm.mesh.MeshService;
import io.auralink.comm.platform.Caller;
import io.auralink.comm.platform.Platform;
import io.auralink.comm.platform.config.AppConfig;
import io.auralink.comm.trust.TrustEvents;
import io.auralink.comm.trust.TrustService;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.serviceproxy.ServiceException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

import static io.auralink.comm.platform.ErrorCode.field;
import static io.auralink.comm.platform.ErrorCode.parsed;

/**
 * The call domain's logic: who may do what to a call, the checks before a call rings (identity, route, room), the
 * transitions (each one conditional update in {@link CallStore}, decided by {@link CallStates}), and what follows a
 * change: the event, the metrics, LiveKit's room, the route's outcome and the parties' behaviour. Ring deadlines are
 * kept by a timer on the member that started the call and, whatever happens to it, by every member's sweep.
 */
public final class CallServiceImpl implements CallService {

  private static final Logger LOG = LoggerFactory.getLogger(CallServiceImpl.class);
  private static final String SYSTEM = "system";
  private static final Pattern REASON = Pattern.compile("^[a-z0-9_.:-]{1,64}$");
  private static final String REASON_RULE = "reason must be 1 to 64 lower-case letters, digits or _ . : -";
  private static final int SWEEP_BATCH = 100;
  private static final int DEFAULT_PAGE = 20;
  /** Completed calls shorter than this, or worse than this MOS, teach trust nothing. */
  static final Duration MEANINGFUL_CALL = Duration.ofSeconds(10);
  static final double GOOD_MOS = 3.5;
  static final double COMPLETED_CALL_BEHAVIOUR = 0.5;
  static final double ABUSIVE_CALL_BEHAVIOUR = -3;
  /** Quality fields of a hang-up, with their ranges. */
  private static final Map<String, double[]> QUALITY = Map.of(
    "rtt_ms", new double[] {0, 60_000}, "jitter_ms", new double[] {0, 60_000}, "loss", new double[] {0, 1},
    "bitrate_kbps", new double[] {0, 1_000_000}, "mos", new double[] {1, 5});
  private static final Caller ROUTER = Caller.service("call", Set.of(MeshService.ROUTE));
  private static final Caller TRUST_WRITER = Caller.service("call", Set.of(TrustService.WRITE));
  /** Who ends a call on a LiveKit webhook's word ({@code ended_by} {@code service:livekit}). */
  private static final Caller LIVEKIT = Caller.service("livekit", Set.of());
  /** How far a webhook token's times may be off our clock (LiveKit's own verifier allows a minute). */
  private static final Duration WEBHOOK_LEEWAY = Duration.ofMinutes(1);

  private final Vertx vertx;
  private final CallStore store;
  private final IdentityService identity;
  private final MeshService mesh;
  private final TrustService trust;
  private final MediaRooms rooms;
  private final AppConfig.Call config;
  private final MeterRegistry metrics;
  private final WebClient web;
  private final ElementCallTokens elementCall;
  /** Null without LiveKit settings: there is no secret to verify webhooks with. */
  private final LiveKitWebhooks webhooks;
  private final Parties.CallPublisher publisher;
  private final Parties parties;
  private boolean sweeping;

  CallServiceImpl(Vertx vertx, CallStore store, IdentityService identity, MeshService mesh, TrustService trust,
                  MediaRooms rooms, AppConfig.Call config, MeterRegistry metrics, WebClient web,
                  ElementCallTokens elementCall, LiveKitWebhooks webhooks) {
    this.vertx = vertx;
    this.store = store;
    this.identity = identity;
    this.mesh = mesh;
    this.trust = trust;
    this.rooms = rooms;
    this.config = config;
    this.metrics = metrics;
    this.web = web;
    this.elementCall = elementCall;
    this.webhooks = webhooks;
    this.publisher = new Parties.CallPublisher(vertx);
    this.parties = new Parties(store, rooms, identity, metrics, publisher,
      (call, previous, by, reason, removed) -> ended(call, previous, by, reason, removed, null));
  }

  public static CallServiceImpl create(Vertx vertx, Platform platform) {
    AppConfig config = platform.config();
    long timeout = config.node().eventBusTimeout().toMillis();
    WebClient web = OutboundTls.webClient(vertx, config.transport(), new WebClientOptions());
    IdentityService identity = IdentityService.proxy(vertx, platform.loops(), timeout);
    AppConfig.LiveKit liveKit = config.liveKit();
    LiveKitWebhooks webhooks = liveKit.configured() ? new LiveKitWebhooks(liveKit.apiKey().orElseThrow(),
      liveKit.apiSecret().orElseThrow(), WEBHOOK_LEEWAY, Clock.systemUTC()) : null;
    return new CallServiceImpl(vertx, new CallStore(platform.pool()), identity,
      MeshService.proxy(vertx, platform.loops(), timeout), TrustService.proxy(vertx, platform.loops(), timeout),
      MediaRooms.create(liveKit, web, Duration.ofSeconds(5), config.call().roomEmptyTimeout()),
      config.call(), platform.metrics(), web, ElementCallTokens.create(config, web, identity), webhooks);
  }

  public Future<Void> close() {
    web.close();
    return Future.succeededFuture();
  }

  // ---- invite -----------------------------------------------------------------------------------------------

  @Override
  public Future<JsonObject> invite(JsonObject body, Caller caller) {
    return parsed(() -> Invite.parse(body, caller, config)).compose(invite -> invite.externalId() == null
      ? checkedAndStarted(invite, caller)
      : store.findExternal(invite.entryPoint(), invite.externalId()).compose(seen -> seen.isPresent()
        ? again(seen.get(), invite) : checkedAndStarted(invite, caller)));
  }

  private Future<JsonObject> checkedAndStarted(Invite invite, Caller caller) {
    return mayCall(invite).compose(v -> route(invite)).compose(route -> start(invite, route, caller));
  }

  /** An external id seen before answers the call it started, for the same caller only. */
  private Future<JsonObject> again(Call call, Invite invite) {
    if (!call.caller().equals(invite.caller())) {
      return CallError.CALL_STATE.fail("external_id " + invite.externalId() + " started another party's call",
        new JsonObject().put("state", call.state().id()).put("field", "external_id"));
    }
    return Future.succeededFuture(call.toJson().put("created", false).put("livekit", (Object) null)
      .put("notes", new JsonArray().add("this external_id started the call before; join tokens are issued once")));
  }

  /**
   * Every callee must be visible to the caller (unknown, hidden, blocking the caller, deactivated or suspended all
   * answer alike), and the caller to each callee (who would otherwise be rung by a stranger they cannot see). The
   * registry is asked with {@link IdentityService#CALL_PEERS}: accepted contacts see each other whatever their
   * privacy level.
   */
  private Future<Void> mayCall(Invite invite) {
    String field = invite.callees().size() == 1 ? "callee_aura_id" : "callees";
    List<Future<Void>> checks = invite.callees().stream().map(callee -> mayCall(invite.caller(), callee, field))
      .toList();
    // The first refusal in the callees' order, so that the answer does not depend on which check finished first.
    return Future.join(checks).transform(done -> checks.stream().filter(Future::failed).findFirst()
      .map(refused -> Future.<Void>failedFuture(refused.cause())).orElseGet(Future::succeededFuture));
  }

  private Future<Void> mayCall(String from, String to, String field) {
    Future<JsonObject> callee = identity.resolve(to, viewOf(from));
    Future<JsonObject> caller = identity.resolve(from, viewOf(to));
    return Future.join(callee, caller).transform(done -> {
      if (callee.failed()) {
        return notFound(callee.cause()) ? CallError.AURAID_NOT_FOUND.fail("no such AuraID: " + to, field(field))
          : identityUnavailable(callee.cause());
      }
      if (caller.failed()) {
        return notFound(caller.cause()) ? CallError.FORBIDDEN.fail(from + " cannot call " + to + ": the caller is not"
          + " active, or is hidden from the callee (a block, or the caller's privacy level)", field(field))
          : identityUnavailable(caller.cause());
      }
      return Future.succeededFuture();
    });
  }

  /** The registry's view of one party: what that person sees. */
  private static Caller viewOf(String auraId) {
    return Caller.service("call", Set.of(IdentityService.READ, IdentityService.CALL_PEERS)).actingAs(auraId);
  }

  private static boolean notFound(Throwable e) {
    return e instanceof ServiceException se && se.failureCode() == 404;
  }

  private static <T> Future<T> identityUnavailable(Throwable e) {
    return CallError.IDENTITY_UNAVAILABLE.fail("the identity registry did not answer whether the parties may call"
      + " each other; retry shortly (" + e.getMessage() + ")");
  }

  private Future<JsonObject> route(Invite invite) {
    if (invite.callees().size() != 1) {
      // The mesh routes two parties; a group or room call meets in a LiveKit room in the default region.
      return Future.succeededFuture(new JsonObject().put("route_id", (Object) null).put("route_type", "centralized")
        .put("path", new JsonArray()).put("relays", new JsonArray()).put("region", (Object) null));
    }
    return mesh.route(new JsonObject().put("source_aura_id", invite.caller())
        .put("destination_aura_id", invite.callees().get(0)).put("media_type", invite.mediaType()), ROUTER)
      .recover(e -> CallError.ROUTE_UNAVAILABLE.fail("the mesh did not answer the route query; retry shortly ("
        + e.getMessage() + ")"))
      .map(route -> {
        JsonObject kept = new JsonObject();
        for (String key : List.of("route_id", "tier", "route_type", "path", "relays", "predicted", "score")) {
          kept.put(key, route.getValue(key));
        }
        JsonArray path = route.getJsonArray("path", new JsonArray());
        if (central(kept) && path.size() == 1 && path.getString(0).startsWith("central:")) {
          kept.put("region", path.getString(0).substring("central:".length()));
        }
        return kept;
      });
  }

  private static boolean central(JsonObject route) {
    return "centralized".equals(route.getString("route_type"));
  }

  private Future<JsonObject> start(Invite invite, JsonObject route, Caller caller) {
    UUID id = UUID.randomUUID();
    boolean central = central(route);
    String room = !central ? null : invite.liveKitRoom() != null ? invite.liveKitRoom()
      : "call_" + id.toString().replace("-", "");
    String url = central ? rooms.urlFor(route.getString("region")).orElse(null) : null;
    CallStore.NewCall fresh = new CallStore.NewCall(id, invite.caller(), invite.callerDevice(), invite.callees(), invite.entryPoint(), invite.externalId(), invite.mediaType(), route, room, url,
      invite.ringMillis());
    return store.insert(fresh).compose(inserted -> inserted.isEmpty()
      // Another request with the same external id got there first.
      ? store.findExternal(invite.entryPoint(), invite.externalId()).compose(seen -> again(seen.orElseThrow(), invite))
      : withRoom(inserted.get(), caller).map(call -> {
        metrics.counter("auralink_calls_started_total", "entry_point", call.entryPoint(), "media_type",
          call.mediaType()).increment();
        ringUntilDeadline(call);
        publisher.state(call, null, caller.principal(), null, null, null);
        JsonArray notes = new JsonArray();
        JsonObject join = null;
        if (room == null) {
          notes.add("the route is " + route.getString("route_type") + ": the parties connect over the mesh, without a"
            + " media server room");
        } else if (!rooms.configured()) {
          notes.add(MediaRooms.UNCONFIGURED);
        } else {
          join = rooms.join(url, room, call.caller(), invite.callerDevice(), id.toString());
        }
        return call.toJson().put("created", true).put("livekit", join).put("notes", notes);
      }));
  }

  /** Creates the call's LiveKit room when there is one to create; if LiveKit refuses, the call has failed. */
  private Future<Call> withRoom(Call call, Caller caller) {
    if (call.room() == null || !rooms.configured() || call.liveKitUrl() == null || roomCall(call)) {
      // A MatrixRTC room call meets in the room Element Call's clients use: LiveKit (or Element Call's token
      // service) creates it on the first join, and it is not ours to delete when our members have left.
      return Future.succeededFuture(call);
    }
    JsonObject metadata = new JsonObject().put("call_id", call.id().toString()).put("caller_aura_id", call.caller())
      .put("callee_aura_ids", new JsonArray(call.callees())).put("media_type", call.mediaType());
    // A call of several callees may gain members and devices: no participant limit on its room.
    int limit = call.callees().size() > 1 ? 0 : call.participants().size();
    return rooms.create(call.liveKitUrl(), call.room(), limit, metadata)
      .compose(v -> store.roomCreated(call.id()).map(call))
      .recover(e -> {
        LOG.warn("call {}: LiveKit did not create room {}: {}", call.id(), call.room(), e.getMessage());
        return store.end(call.id(), CallStates.State.FAILED, CallStates.sources(CallStates.State.FAILED), SYSTEM,
            "media_unavailable", null)
          .compose(left -> left.isEmpty() ? Future.succeededFuture()
            : store.find(call.id()).map(found -> {
              found.ifPresent(failed -> ended(failed, left.get(), SYSTEM, "media_unavailable", List.of(), caller));
              return null;
            }))
          .compose(v -> CallError.MEDIA_UNAVAILABLE.fail("LiveKit did not create the call's room; the call failed",
            new JsonObject().put("call_id", call.id().toString()).put("state", CallStates.State.FAILED.id())));
      });
  }

  private void ringUntilDeadline(Call call) {
    long delay = Math.max(1, Duration.between(Instant.now(), call.ringDeadline().toInstant()).toMillis() + 20);
    vertx.setTimer(delay, t -> store.expire(call.id())
      .compose(expired -> expired ? store.find(call.id()) : Future.succeededFuture(Optional.<Call>empty()))
      .onSuccess(missed -> missed.ifPresent(c -> ended(c, CallStates.State.RINGING, SYSTEM, "ring_timeout", List.of(),
        null)))
      .onFailure(e -> LOG.warn("call {}: ring deadline not applied (the sweep will): {}", call.id(), e.getMessage())));
  }

  /** Ends the ringing calls whose deadline passed, whoever started them. */
  public void sweep() {
    if (sweeping) {
      return;
    }
    sweeping = true;
    store.sweepExpired(SWEEP_BATCH)
      .onSuccess(missed -> missed.forEach(call -> ended(call, CallStates.State.RINGING, SYSTEM, "ring_timeout",
        List.of(), null)))
      .onFailure(e -> LOG.warn("ring sweep failed: {}", e.getMessage()))
      .compose(v -> store.pruneWebhookEvents())
      .onFailure(e -> LOG.warn("webhook events not pruned: {}", e.getMessage()))
      .onComplete(done -> sweeping = false);
  }

  // ---- answer -----------------------------------------------------------------------------------------------

  @Override
  public Future<JsonObject> answer(String callId, JsonObject body, Caller caller) {
    JsonObject in = body == null ? new JsonObject() : body;
    return actOn(callId, caller).compose(call -> parties.answer(call, in, caller));
  }

  @Override
  public Future<JsonObject> join(String callId, JsonObject body, Caller caller) {
    JsonObject in = body == null ? new JsonObject() : body;
    return actOn(callId, caller).compose(call -> parties.join(call, in, caller));
  }

  @Override
  public Future<JsonObject> leave(String callId, JsonObject body, Caller caller) {
    JsonObject in = body == null ? new JsonObject() : body;
    return parsed(() -> reason(in, null)).compose(reason -> actOn(callId, caller)
      .compose(call -> parties.leave(call, in, caller, reason)));
  }

  // ---- endings ----------------------------------------------------------------------------------------------

  @Override
  public Future<JsonObject> decline(String callId, JsonObject body, Caller caller) {
    JsonObject in = body == null ? new JsonObject() : body;
    return parsed(() -> reason(in, "declined")).compose(reason -> actOn(callId, caller).compose(call ->
      caller.isPerson() && !call.isCallee(caller.auraId())
        ? CallError.FORBIDDEN.<JsonObject>fail("only a callee declines a call; the caller cancels it")
        : parties.decline(call, in, caller, reason)));
  }

  @Override
  public Future<JsonObject> cancel(String callId, JsonObject body, Caller caller) {
    return parsed(() -> reason(body, "cancelled")).compose(reason -> actOn(callId, caller).compose(call ->
      caller.isPerson() && !call.caller().equals(caller.auraId())
        ? CallError.FORBIDDEN.<JsonObject>fail("only the caller cancels a call; a callee declines it")
        : finish(call, CallStates.State.CANCELLED, caller, reason, null, List.of(), null)));
  }

  @Override
  public Future<JsonObject> hangup(String callId, JsonObject body, Caller caller) {
    JsonObject in = body == null ? new JsonObject() : body;
    return parsed(() -> reason(in, "hangup")).compose(reason -> parsed(() -> quality(in)).compose(quality ->
      actOn(callId, caller).compose(call -> finish(call, CallStates.State.COMPLETED, caller, reason, quality,
        List.of(), null))));
  }

  @Override
  public Future<JsonObject> terminate(String callId, JsonObject body, Caller caller) {
    JsonObject in = body == null ? new JsonObject() : body;
    if (caller.isPerson() || !caller.mayAny(WRITE)) {
      return CallError.FORBIDDEN.fail("terminating calls needs calls:write");
    }
    return parsed(() -> {
      if (in.getValue("reason") == null) {
        throw Invite.invalid("reason", "reason is required: " + REASON_RULE.substring("reason ".length()));
      }
      return reason(in, null);
    }).compose(reason -> actOn(callId, caller).compose(call -> {
      String abusive = null;
      if (in.getValue("abusive_aura_id") != null) {
        abusive = Invite.auraId(Invite.string(in, "abusive_aura_id"), "abusive_aura_id", false);
        if (call.participant(abusive).isEmpty()) {
          return CallError.VALIDATION_FAILED.fail("abusive_aura_id must name a party of the call",
            field("abusive_aura_id"));
        }
      }
      return finish(call, CallStates.State.TERMINATED, caller, reason, null, List.of(), abusive);
    }));
  }

  /**
   * One ending: checked against the state machine, applied as one conditional update, then followed by its
   * effects. A lost race answers the state the winner left.
   */
  private Future<JsonObject> finish(Call call, CallStates.State to, Caller caller, String reason, JsonObject quality,
                                    List<String> removed, String abusive) {
    if (!CallStates.allowed(call.state(), to)) {
      return stateConflict(call, to);
    }
    String by = caller == null ? SYSTEM : caller.principal();
    return store.end(call.id(), to, CallStates.sources(to), by, reason, quality)
      .compose(left -> store.find(call.id()).map(Optional::orElseThrow).compose(current -> {
        if (left.isEmpty()) {
          return stateConflict(current, to);
        }
        return ended(current, left.get(), by, reason, removed, caller).compose(v -> abusive == null
          ? Future.succeededFuture()
          : behaviour(abusive, ABUSIVE_CALL_BEHAVIOUR, "call " + current.id() + " terminated as abusive: " + reason))
          .map(v -> current.toJson());
      }));
  }

  /**
   * What follows every ending, on the member that made it: the event, the metrics, closing the room (removing the
   * listed LiveKit identities first), and for answered calls the route's outcome and, for good completed calls,
   * the parties' behaviour. Effects that fail are logged: the call has ended.
   */
  private Future<Void> ended(Call call, CallStates.State previous, String by, String reason, List<String> removed,
                             Caller caller) {
    publisher.state(call, previous, by, reason, null, null);
    metrics.counter("auralink_calls_total", "outcome", call.state().id(), "entry_point", call.entryPoint(),
      "media_type", call.mediaType()).increment();
    List<Future<?>> effects = new ArrayList<>();
    if (call.roomCreated() && call.liveKitUrl() != null) {
      effects.add(rooms.close(call.liveKitUrl(), call.room(), removed));
    } else if (roomCall(call) && rooms.configured() && call.liveKitUrl() != null && !removed.isEmpty()) {
      effects.add(rooms.remove(call.liveKitUrl(), call.room(), removed));
    }
    if (call.answeredAt() != null && call.routeId().isPresent()) {
      JsonObject outcome = call.quality() == null ? new JsonObject() : call.quality().copy();
      outcome.remove("bitrate_kbps");
      outcome.put("duration_seconds", call.durationSeconds()).put("state", call.state().id());
      effects.add(mesh.routeOutcome(call.routeId().get(), outcome, ROUTER)
        .onFailure(e -> LOG.warn("call {}: route outcome not recorded: {}", call.id(), e.getMessage())));
    }
    if (call.state() == CallStates.State.COMPLETED && good(call)) {
      for (Call.Participant party : call.participants()) {
        effects.add(behaviour(party.auraId(), COMPLETED_CALL_BEHAVIOUR, "completed call " + call.id()));
      }
    }
    return Future.join(effects).<Void>mapEmpty().otherwiseEmpty();
  }

  /** A MatrixRTC room call: its LiveKit room is the Matrix room's, shared with users who are not ours. */
  static boolean roomCall(Call call) {
    return "matrix_rtc".equals(call.entryPoint());
  }

  /** A completed call long enough to mean something, and not of bad quality as its parties measured it. */
  static boolean good(Call call) {
    Double seconds = call.durationSeconds();
    Double mos = call.quality() == null ? null : call.quality().getDouble("mos");
    return seconds != null && seconds >= MEANINGFUL_CALL.toSeconds() && (mos == null || mos >= GOOD_MOS);
  }

  private Future<Void> behaviour(String auraId, double delta, String reason) {
    return trust.recordBehaviour("aura_id", auraId, delta, reason, TRUST_WRITER).<Void>mapEmpty()
      .recover(e -> {
        LOG.warn("behaviour of {} not recorded ({}): {}", auraId, reason, e.getMessage());
        return Future.succeededFuture();
      });
  }

  /** A suspended AuraID's live calls end at once, its LiveKit participants removed. */
  public void trustChanged(JsonObject event) {
    if (!"aura_id".equals(event.getString("entity_type")) || !TrustEvents.SUSPENDED.equals(event.getString("change"))) {
      return;
    }
    String suspended = event.getString("entity_id");
    store.liveCallsOf(suspended)
      .compose(ids -> Future.join(ids.stream().map(id -> store.find(id).compose(found -> found.isEmpty()
        ? Future.succeededFuture()
        : terminate(found.get(), suspended))).toList()))
      .onFailure(e -> LOG.warn("live calls of suspended {} not all ended: {}", suspended, e.getMessage()));
  }

  private Future<?> terminate(Call call, String suspended) {
    List<String> identities = call.participant(suspended).map(p -> p.devices().stream()
      .map(device -> LiveKitTokens.identity(suspended, device)).toList()).orElse(List.of());
    // Another member may have ended it first: that is a lost race, not a failure.
    return finish(call, CallStates.State.TERMINATED, null, "party_suspended", null, identities, null)
      .otherwiseEmpty();
  }

  // ---- Element Call and LiveKit -------------------------------------------------------------------------------

  @Override
  public Future<JsonObject> elementCallToken(String endpoint, String body) {
    return elementCall.answer(endpoint, body);
  }

  @Override
  public Future<JsonObject> liveKitWebhook(String authorization, String body) {
    if (webhooks == null) {
      return CallError.WEBHOOK_REJECTED.fail("LiveKit is not configured on this node (AURALINK_LIVEKIT_URL, _API_KEY,"
        + " _API_SECRET): its webhooks cannot be verified");
    }
    LiveKitWebhooks.WebhookEvent event;
    try {
      event = webhooks.verify(authorization, body == null ? null : Buffer.buffer(body));
    } catch (LiveKitWebhooks.Rejected e) {
      LOG.warn("LiveKit webhook rejected: {}", e.getMessage());
      return CallError.WEBHOOK_REJECTED.fail("the webhook is not LiveKit's: " + e.getMessage());
    }
    String room = event.room().map(LiveKitWebhooks.Room::name).filter(name -> !name.isEmpty()).orElse(null);
    JsonObject answer = new JsonObject().put("event_id", event.id()).put("event", event.event());
    return store.claimWebhookEvent(event.id(), event.event(), room).compose(first -> {
      if (!first) {
        return Future.succeededFuture(answer.put("outcome", "duplicate"));
      }
      Future<Optional<Call>> call = room == null ? Future.succeededFuture(Optional.empty()) : store.findByRoom(room);
      return call.compose(found -> reconcile(event, found).map(outcome -> answer.mergeIn(outcome)))
        // Not applied: give the event back so that LiveKit's retry applies it.
        .recover(e -> store.releaseWebhookEvent(event.id()).otherwiseEmpty()
          .compose(v -> Future.<JsonObject>failedFuture(e)));
    });
  }

  /**
   * Applies one webhook event to the call whose room it names. Events are hints: only an answered call may end on
   * one (completed, as if hung up, when LiveKit says its room finished or its last participant left); a ringing call
   * keeps its deadline, an ended one its end, a room that is no call's (an Element Call room) is left alone.
   */
  private Future<JsonObject> reconcile(LiveKitWebhooks.WebhookEvent event, Optional<Call> found) {
    if (found.isEmpty()) {
      return Future.succeededFuture(new JsonObject().put("outcome", "ignored").putNull("call_id").putNull("state"));
    }
    Call call = found.get();
    String reason = switch (event.event()) {
      case "room_finished" -> "room_finished";
      case "participant_left" -> event.room().map(LiveKitWebhooks.Room::numParticipants).orElse(-1) == 0
        ? "participants_left" : null;
      default -> null;
    };
    JsonObject unchanged = new JsonObject().put("outcome", "ignored").put("call_id", call.id().toString())
      .put("state", call.state().id());
    if (reason == null || call.state() != CallStates.State.ANSWERED) {
      return Future.succeededFuture(unchanged);
    }
    LOG.info("call {}: completed on LiveKit's {} for room {}", call.id(), event.event(), call.room());
    return finish(call, CallStates.State.COMPLETED, LIVEKIT, reason, null, List.of(), null)
      .map(ended -> new JsonObject().put("outcome", "applied").put("call_id", call.id().toString())
        .put("state", ended.getString("state")))
      // A participant hung up at the same moment: the call has ended, which is all the event asked for.
      .recover(e -> e instanceof ServiceException se && se.failureCode() == CallError.CALL_STATE.status()
        ? store.find(call.id()).map(now -> unchanged.put("state", now.map(c -> c.state().id()).orElse(null)))
        : Future.failedFuture(e));
  }

  // ---- reads ------------------------------------------------------------------------------------------------

  @Override
  public Future<JsonObject> call(String callId, Caller caller) {
    if (!caller.isPerson() && !caller.mayAny(READ, WRITE)) {
      return CallError.FORBIDDEN.fail("reading calls needs calls:read");
    }
    return visible(callId, caller).map(Call::toJson);
  }

  @Override
  public Future<JsonObject> history(JsonObject query, Caller caller) {
    JsonObject in = query == null ? new JsonObject() : query;
    return parsed(() -> {
      String auraId = Invite.auraId(Invite.string(in, "aura_id"), "aura_id", false);
      if (caller.isPerson()) {
        if (auraId != null && !auraId.equals(caller.auraId())) {
          throw CallError.FORBIDDEN.exception("a person reads only their own calls", field("aura_id"));
        }
        auraId = caller.auraId();
      } else if (!caller.mayAny(READ, WRITE)) {
        throw CallError.FORBIDDEN.exception("reading calls needs calls:read");
      } else if (auraId == null) {
        throw Invite.invalid("aura_id", "aura_id is required");
      } else if (!caller.mayActFor(auraId, READ, WRITE)) {
        // A service acting as a person reads that person's calls and nobody else's, whatever its scopes.
        throw CallError.FORBIDDEN.exception("a service acting as " + caller.actsAs() + " reads only their calls",
          field("aura_id"));
      }
      String state = Invite.string(in, "state");
      if (state != null && CallStates.State.parse(state).isEmpty()) {
        throw Invite.invalid("state", "state must be one of ringing, answered, completed, declined, missed, "
          + "cancelled, failed, terminated");
      }
      Cursor before = Cursor.parse(Invite.string(in, "before"));
      Object limit = in.getValue("limit");
      if (limit != null && !(limit instanceof Integer n && n >= 1)) {
        throw Invite.invalid("limit", "limit must be a whole number of at least 1");
      }
      int size = Math.min(limit == null ? DEFAULT_PAGE : (Integer) limit, config.historyPageLimit());
      return new History(auraId, state, before, size);
    }).compose(h -> store.history(h.auraId(), h.state(), h.before() == null ? null : h.before().createdAt(),
        h.before() == null ? null : h.before().id(), h.limit() + 1)
      .map(calls -> {
        JsonArray page = new JsonArray();
        calls.stream().limit(h.limit()).forEach(c -> page.add(c.toJson()));
        Call last = calls.size() > h.limit() ? calls.get(h.limit() - 1) : null;
        return new JsonObject().put("aura_id", h.auraId()).put("calls", page)
          .put("next", last == null ? null : new Cursor(last.createdAt(), last.id()).encode());
      }));
  }

  private record History(String auraId, String state, Cursor before, int limit) {
  }

  /** Where a history page ends: the creation time and id of its last call, opaque to clients. */
  record Cursor(OffsetDateTime createdAt, UUID id) {

    String encode() {
      return Base64.getUrlEncoder().withoutPadding()
        .encodeToString((createdAt + "|" + id).getBytes(StandardCharsets.UTF_8));
    }

    static Cursor parse(String text) {
      if (text == null) {
        return null;
      }
      try {
        String[] parts = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8).split("\\|");
        return new Cursor(OffsetDateTime.parse(parts[0]), UUID.fromString(parts[1]));
      } catch (RuntimeException e) {
        throw Invite.invalid("before", "before must be the next cursor of a previous page");
      }
    }
  }

  // ---- shared steps -----------------------------------------------------------------------------------------

  /** The call as its participants and readers see it; anyone else gets {@code CALL_NOT_FOUND}. */
  private Future<Call> visible(String callId, Caller caller) {
    UUID id;
    try {
      id = UUID.fromString(callId);
    } catch (IllegalArgumentException | NullPointerException e) {
      return noSuchCall();
    }
    // A person, or a service acting as one (whatever its scopes), sees only that person's calls.
    String viewer = caller.onBehalfOf();
    return store.find(id).compose(found -> found.isPresent()
      && (viewer == null || found.get().participant(viewer).isPresent())
      ? Future.succeededFuture(found.get()) : noSuchCall());
  }

  /** A call the caller may change: a participant's, or any for a service with {@code calls:write}. */
  private Future<Call> actOn(String callId, Caller caller) {
    if (!caller.isPerson() && !caller.mayAny(WRITE)) {
      return CallError.FORBIDDEN.fail("acting on calls needs calls:write");
    }
    return visible(callId, caller);
  }

  private static <T> Future<T> noSuchCall() {
    return CallError.CALL_NOT_FOUND.fail("no such call");
  }

  private static <T> Future<T> stateConflict(Call call, CallStates.State to) {
    return CallError.CALL_STATE.fail("the call is " + call.state().id() + ": it cannot become " + to.id(),
      new JsonObject().put("state", call.state().id()).put("call_id", call.id().toString()));
  }

  private static String reason(JsonObject body, String fallback) {
    String reason = body == null ? null : Invite.string(body, "reason");
    if (reason == null) {
      return fallback;
    }
    if (!REASON.matcher(reason).matches()) {
      throw Invite.invalid("reason", REASON_RULE);
    }
    return reason;
  }

  private static JsonObject quality(JsonObject body) {
    Object given = body.getValue("quality");
    if (given == null) {
      return null;
    }
    if (!(given instanceof JsonObject quality)) {
      throw Invite.invalid("quality", "quality must be an object");
    }
    JsonObject kept = new JsonObject();
    for (String key : quality.fieldNames()) {
      double[] range = QUALITY.get(key);
      if (range == null) {
        throw Invite.invalid("quality." + key, "unknown property \"" + key + "\"; expected rtt_ms, jitter_ms, loss,"
          + " bitrate_kbps, mos");
      }
      Object value = quality.getValue(key);
      if (!(value instanceof Number n) || !Double.isFinite(n.doubleValue()) || n.doubleValue() < range[0]
        || n.doubleValue() > range[1]) {
        throw Invite.invalid("quality." + key, "quality." + key + " must be a number from " + fmt(range[0]) + " to "
          + fmt(range[1]));
      }
      kept.put(key, n.doubleValue());
    }
    return kept;
  }

  private static String fmt(double value) {
    return value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value);
  }
}
