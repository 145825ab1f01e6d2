package io.auralink.comm.call.impl;

import io.auralink.comm.call.CallError;
import io.auralink.comm.call.CallEvents;
import io.auralink.comm.call.livekit.LiveKitTokens;
import io.auralink.comm.identity.IdentityService;
import io.auralink.comm.platform.AuraIds;
import io.auralink.comm.platform.Caller;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import static io.auralink.comm.platform.ErrorCode.field;
import static io.auralink.comm.platform.ErrorCode.parsed;

/**
 * The participants' side of a call: answering, declining, joining and leaving, each one act of one participant
 * ({@link ParticipantStates}) applied by {@link CallStore#change} under the call's row lock, together with the call's
 * transition it brings (the first answer, the last decline, the last one leaving). Who may act: a person on their
 * own participation (a callee answers and declines; any party joins and leaves); a service with {@code calls:write}
 * for any party, and it alone adds someone who was not invited (they join as a {@code member}). Every participant
 * change is published on {@link CallEvents#PARTICIPANT}, every call change on {@link CallEvents#STATE}.
 */
final class Parties {

  /** What follows a call's ending (the event, metrics, room, feedback): {@link CallServiceImpl}'s. */
  @FunctionalInterface
  interface Endings {
    Future<Void> ended(Call call, CallStates.State previous, String by, String reason, List<String> removed);
  }

  /** Reads an AuraID's status (active or not, suspended or not), whatever its privacy: only the status is used. */
  private static final Caller STANDING = Caller.service("call", Set.of(IdentityService.ADMIN));

  private final CallStore store;
  private final MediaRooms rooms;
  private final IdentityService identity;
  private final MeterRegistry metrics;
  private final CallPublisher publisher;
  private final Endings endings;

  Parties(CallStore store, MediaRooms rooms, IdentityService identity, MeterRegistry metrics,
          CallPublisher publisher, Endings endings) {
    this.store = store;
    this.rooms = rooms;
    this.identity = identity;
    this.metrics = metrics;
    this.publisher = publisher;
    this.endings = endings;
  }

  /** A callee answers from a device: the first answer of a ringing call answers it; later ones join it. */
  Future<JsonObject> answer(Call call, JsonObject in, Caller caller) {
    return parsed(() -> Invite.device(in)).compose(device -> callee(call, in, caller, "answers")
      .compose(callee -> act(call, callee, ParticipantStates.Act.ANSWER, device, null, caller, null))
      .map(change -> withJoin(change, device)));
  }

  /**
   * A callee declines: only their participation ends, unless every callee of a ringing call has declined (then the
   * call is declined).
   */
  Future<JsonObject> decline(Call call, JsonObject in, Caller caller, String reason) {
    return callee(call, in, caller, "declines")
      .compose(callee -> act(call, callee, ParticipantStates.Act.DECLINE, null, null, caller, reason))
      .map(Acted::shown);
  }

  /**
   * A party joins (or comes back, or adds a device); a service may add anyone active, who joins as a member. The
   * answer carries the joining device's LiveKit token.
   */
  Future<JsonObject> join(Call call, JsonObject in, Caller caller) {
    return parsed(() -> Invite.device(in)).compose(device -> party(call, in, caller)
      .compose(auraId -> call.participant(auraId).isPresent() ? Future.succeededFuture(auraId)
        : active(auraId).map(auraId))
      .compose(auraId -> act(call, auraId, ParticipantStates.Act.JOIN, device,
        caller.isPerson() ? null : Call.MEMBER, caller, null))
      .map(change -> withJoin(change, device)));
  }

  /**
   * A party leaves, with one device ({@code device_id}) or all of them; its LiveKit identities are removed from the
   * room. The last joined participant leaving an answered call completes it; the caller leaving a ringing call
   * cancels it.
   */
  Future<JsonObject> leave(Call call, JsonObject in, Caller caller, String reason) {
    return parsed(() -> in.getValue("device_id") == null ? null : Invite.device(in))
      .compose(device -> party(call, in, caller)
        .compose(auraId -> act(call, auraId, ParticipantStates.Act.LEAVE, device, null, caller, reason)))
      .map(Acted::shown);
  }

  /** The outcome of one act: the call after it, the change, and who acted. */
  private record Acted(Call call, CallStore.Change change, String auraId) {

    JsonObject shown() {
      return call.toJson();
    }
  }

  private JsonObject withJoin(Acted acted, String device) {
    Call call = acted.call();
    return call.toJson().put("livekit", call.room() == null || !rooms.configured() || call.liveKitUrl() == null
      ? null : rooms.join(call.liveKitUrl(), call.room(), acted.auraId(), device, call.id().toString()));
  }

  /** For a person, themself if a callee; for a service, the callee in {@code aura_id}, or the only callee. */
  private static Future<String> callee(Call call, JsonObject in, Caller caller, String verb) {
    if (caller.isPerson()) {
      return call.isCallee(caller.auraId()) ? Future.succeededFuture(caller.auraId())
        : CallError.FORBIDDEN.fail("only a callee " + verb + " a call");
    }
    Object named = in.getValue("aura_id");
    Optional<String> callee = named == null
      ? call.callees().size() == 1 ? Optional.of(call.callees().get(0)) : Optional.empty()
      : named instanceof String s ? AuraIds.canonical(s).filter(call::isCallee) : Optional.empty();
    return callee.map(Future::succeededFuture).orElseGet(() -> CallError.VALIDATION_FAILED.fail(
      "aura_id must name one of the call's callees: " + String.join(", ", call.callees()), field("aura_id")));
  }

  /** For a person, themself (a party of the call); for a service, the AuraID in {@code aura_id}. */
  private static Future<String> party(Call call, JsonObject in, Caller caller) {
    if (caller.isPerson()) {
      String given = in.getValue("aura_id") instanceof String s ? AuraIds.canonical(s).orElse(s) : null;
      if (given != null && !given.equals(caller.auraId())) {
        return CallError.FORBIDDEN.fail("a person joins and leaves as themself", field("aura_id"));
      }
      return Future.succeededFuture(caller.auraId());
    }
    return parsed(() -> Invite.auraId(Invite.string(in, "aura_id"), "aura_id", true));
  }

  /** A member a service adds must be an active AuraID, not suspended; anything else answers like an unknown one. */
  private Future<Void> active(String auraId) {
    return identity.resolveMany(List.of(auraId), STANDING)
      .recover(e -> CallError.IDENTITY_UNAVAILABLE.fail("the identity registry did not answer whether " + auraId
        + " may join; retry shortly (" + e.getMessage() + ")"))
      .compose(found -> {
        JsonObject profile = found.getJsonObject("results", new JsonObject()).getJsonObject(auraId);
        return profile != null && "active".equals(profile.getString("status")) && profile.getValue("suspension") == null
          ? Future.succeededFuture()
          : CallError.AURAID_NOT_FOUND.fail("no such AuraID: " + auraId, field("aura_id"));
      });
  }

  private Future<Acted> act(Call call, String auraId, ParticipantStates.Act act, String device, String newRole,
                            Caller caller, String reason) {
    String by = caller.principal();
    String ending = reason != null ? reason : switch (act) {
      case DECLINE -> "declined";
      case LEAVE -> "participants_left";
      default -> null;
    };
    return store.change(new CallStore.Act(call.id(), auraId, act, device, newRole, by, ending))
      .compose(change -> change.applied()
        ? store.find(call.id()).map(Optional::orElseThrow).compose(now -> applied(now, change, auraId, device, by,
          ending).map(new Acted(now, change, auraId)))
        : refused(call.id(), change, auraId));
  }

  /** The effects of an applied act: the events, the LiveKit identities that left, and the call's ending if any. */
  private Future<Void> applied(Call call, CallStore.Change change, String auraId, String device, String by,
                               String reason) {
    if (change.participantChanged()) {
      publisher.participant(call, auraId, change, device, by);
    }
    List<String> left = change.devicesLeft().stream().map(d -> LiveKitTokens.identity(auraId, d)).toList();
    if (change.callBefore() == change.callAfter()) {
      return left.isEmpty() || !rooms.configured() || call.room() == null || call.liveKitUrl() == null
        ? Future.succeededFuture()
        : rooms.remove(call.liveKitUrl(), call.room(), left);
    }
    if (change.callAfter() == CallStates.State.ANSWERED) {
      publisher.state(call, change.callBefore(), by, null, auraId, device);
      Timer.builder("auralink_call_setup").description("From invite to answer")
        .tag("entry_point", call.entryPoint()).publishPercentileHistogram().register(metrics)
        .record(Duration.between(call.createdAt(), call.answeredAt()));
      return Future.succeededFuture();
    }
    return endings.ended(call, change.callBefore(), by, reason, left);
  }

  /**
   * A refused act: the call has ended (or its ring deadline passed: then it is missed now, if no member said so
   * yet), or the participant's state does not allow it. 409 {@code CALL_STATE} naming the call's state and the
   * participant's.
   */
  private Future<Acted> refused(UUID callId, CallStore.Change change, String auraId) {
    Future<Boolean> expired = change.expired() ? store.expire(callId) : Future.succeededFuture(false);
    return expired.compose(missed -> store.find(callId).map(Optional::orElseThrow).compose(now -> {
      Future<Void> effects = missed
        ? endings.ended(now, CallStates.State.RINGING, "system", "ring_timeout", List.of())
        : Future.succeededFuture();
      String participant = now.participant(auraId).map(p -> p.state().id()).orElse(null);
      String message = "call".equals(change.conflict())
        ? "the call is " + now.state().id() + ": its participants no longer change"
        : "device".equals(change.conflict()) ? "that device is not in the call"
        : participant == null ? auraId + " is not a party of the call"
        : auraId + " is " + participant + " in this " + now.state().id() + " call: not allowed now";
      return effects.compose(v -> CallError.CALL_STATE.<Acted>fail(message, new JsonObject()
        .put("state", now.state().id()).put("call_id", callId.toString()).put("participant_state", participant)));
    }));
  }

  /** Publishes the call domain's events: one per call state change, one per participant change. */
  static final class CallPublisher {

    private final Vertx vertx;

    CallPublisher(Vertx vertx) {
      this.vertx = vertx;
    }

    void state(Call call, CallStates.State previous, String by, String reason, String auraId, String device) {
      vertx.eventBus().publish(CallEvents.STATE, new JsonObject()
        .put("event_id", call.id() + ":" + call.state().id())
        .put("call_id", call.id().toString())
        .put("state", call.state().id())
        .put("previous_state", previous == null ? null : previous.id())
        .put("entry_point", call.entryPoint())
        .put("external_id", call.externalId())
        .put("media_type", call.mediaType())
        .put("caller_aura_id", call.caller())
        .put("callee_aura_ids", new JsonArray(call.callees()))
        .put("room", call.room())
        .put("ring_deadline", call.ringDeadline().toInstant().toString())
        .put("aura_id", auraId)
        .put("device_id", device)
        .put("by", by)
        .put("reason", reason)
        .put("at", Instant.now().toString()));
    }

    void participant(Call call, String auraId, CallStore.Change change, String device, String by) {
      vertx.eventBus().publish(CallEvents.PARTICIPANT, new JsonObject()
        .put("event_id", call.id() + ":" + auraId + ":" + change.version())
        .put("call_id", call.id().toString())
        .put("aura_id", auraId)
        .put("role", call.participant(auraId).map(Call.Participant::role).orElse(null))
        .put("state", change.after().id())
        .put("previous_state", change.before().map(ParticipantStates.State::id).orElse(null))
        .put("device_id", device)
        .put("call_state", call.state().id())
        .put("entry_point", call.entryPoint())
        .put("external_id", call.externalId())
        .put("by", by)
        .put("at", Instant.now().toString()));
    }
  }
}
