package io.auralink.comm.matrix.impl;

import io.auralink.comm.call.CallService;
import io.auralink.comm.call.MatrixRtcNames;
import io.auralink.comm.platform.Caller;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * MatrixRTC room calls ({@link RtcMembership}) into calls of the call domain with entry point {@code matrix_rtc}, one
 * per room slot while it has members: the first AuraID's membership with a LiveKit focus starts the call (external id
 * from the room and that event; its LiveKit room the one Element Call's token service names for the slot, so our
 * tokens and Element Call's meet in one room); every other membership joins it ({@link CallService#join}, as a
 * member), an empty or expired one leaves it ({@link CallService#leave}); the call domain completes the call when the
 * last member leaves. Memberships of Matrix users who are not AuraIDs are ignored: the call log holds AuraIDs only,
 * and Element Call's own token service serves those users. Expiry is on the server clock: at intake (the database's
 * clock against the event's {@code created_ts + expires}) and by {@link #sweep}. Each step is idempotent: a replayed
 * event starts nothing twice (the external id), joins and leaves the call domain already applied are settled.
 */
final class MatrixRtc {

  private static final Logger LOG = LoggerFactory.getLogger(MatrixRtc.class);
  private static final int SWEEP_BATCH = 100;

  private final CallService calls;
  private final RtcStore store;
  private final MatrixUsers users;
  private final Caller bridge;
  private final long maxRingMillis;
  private boolean sweeping;

  MatrixRtc(CallService calls, RtcStore store, MatrixUsers users, Caller bridge, long maxRingMillis) {
    this.calls = calls;
    this.store = store;
    this.users = users;
    this.bridge = bridge;
    this.maxRingMillis = maxRingMillis;
  }

  Future<String> handle(IntakeStore.Claimed claimed) {
    Optional<RtcMembership> parsed = RtcMembership.parse(claimed.event());
    if (parsed.isEmpty()) {
      return Future.succeededFuture("ignored: not a membership with a LiveKit focus");
    }
    RtcMembership membership = parsed.get();
    if (!membership.activeAt(claimed.nowMillis())) {
      return leave(claimed.roomId(), membership.key(), membership.joined() ? "membership_expired" : "membership_left");
    }
    Optional<String> auraId = users.auraId(membership.userId());
    if (auraId.isEmpty()) {
      return Future.succeededFuture("ignored: member is not an AuraID");
    }
    RtcStore.Member member = new RtcStore.Member(claimed.roomId(), membership.key(), membership.slotId(),
      membership.userId(), LegacyVoip.device(membership.deviceId(), membership.userId()), auraId.get(),
      claimed.eventId(), null);
    return store.upsert(member, membership.expiresAtMillis())
      .compose(v -> store.liveCall(member.roomId(), member.slotId()))
      .compose(live -> live.isPresent() ? join(live.get(), member, membership)
        : start(member, membership));
  }

  /** Joins the slot's live call; if it has ended meanwhile, this membership starts the next one. */
  private Future<String> join(UUID callId, RtcStore.Member member, RtcMembership membership) {
    return joinOne(callId, member).recover(failure -> "CALL_STATE".equals(Failures.code(failure))
      ? store.callEnded(callId).compose(v -> start(member, membership))
      : refused(member, failure));
  }

  private Future<String> joinOne(UUID callId, RtcStore.Member member) {
    return calls.join(callId.toString(), new JsonObject().put("aura_id", member.auraId())
        .put("device_id", member.deviceId()), bridge)
      .compose(joined -> store.joinedCall(member.roomId(), member.key(), callId))
      .map("joined: " + callId);
  }

  /**
   * Starts the slot's call with this member as its caller, then brings in the slot's other members already known
   * (their memberships arrived while no call was live).
   */
  private Future<String> start(RtcStore.Member member, RtcMembership membership) {
    JsonObject invite = new JsonObject()
      .put("caller_aura_id", member.auraId())
      .put("callees", new JsonArray())
      .put("device_id", member.deviceId())
      .put("media_type", "audio".equals(membership.mediaIntent()) ? "audio" : "audio_video")
      .put("ring_seconds", Math.max(1, maxRingMillis / 1000))
      .put("entry_point", "matrix_rtc")
      .put("external_id", LegacyVoip.externalId(member.roomId(), "rtc|" + member.eventId()))
      .put("livekit_room", MatrixRtcNames.room(member.roomId(), member.slotId()));
    return calls.invite(invite, bridge)
      .compose(started -> {
        UUID callId = UUID.fromString(started.getString("call_id"));
        return store.rememberCall(callId, member.roomId(), member.slotId(), member.eventId(), member.userId())
          .compose(v -> store.joinedCall(member.roomId(), member.key(), callId))
          .compose(v -> store.activeIn(member.roomId(), member.slotId()))
          .compose(others -> joinOthers(callId, others.stream().filter(o -> !o.key().equals(member.key())).toList()))
          .map("started: " + callId);
      })
      .recover(failure -> refused(member, failure));
  }

  private Future<Void> joinOthers(UUID callId, List<RtcStore.Member> others) {
    Future<Void> chain = Future.succeededFuture();
    for (RtcStore.Member other : others) {
      chain = chain.compose(v -> joinOne(callId, other).<Void>mapEmpty()
        .recover(failure -> Failures.permanent(failure) ? Future.succeededFuture() : Future.failedFuture(failure)));
    }
    return chain;
  }

  /** The call domain refused this member for good (suspended, deactivated): forgotten, so it never leaves either. */
  private Future<String> refused(RtcStore.Member member, Throwable failure) {
    String code = Failures.code(failure);
    if (code == null || !Failures.permanent(failure)) {
      return Future.failedFuture(failure);
    }
    return store.forget(member.roomId(), member.key(), member.eventId()).map("refused: " + code);
  }

  /** A membership ended (an empty content, a leave, or its expiry): its device leaves the call it joined. */
  private Future<String> leave(String roomId, String key, String reason) {
    return store.find(roomId, key).compose(found -> found.isEmpty()
      ? Future.succeededFuture("ignored: no membership to end")
      : leaveCall(found.get(), reason));
  }

  private Future<String> leaveCall(RtcStore.Member member, String reason) {
    Future<String> left = member.callId() == null ? Future.succeededFuture("left: no call")
      : calls.leave(member.callId().toString(), new JsonObject().put("aura_id", member.auraId())
          .put("device_id", member.deviceId()).put("reason", reason), bridge)
        .map(call -> "left: " + member.callId() + " " + call.getString("state"))
        // Already gone (the call ended, or this device left before): nothing more to do.
        .recover(failure -> "CALL_STATE".equals(Failures.code(failure))
          ? Future.succeededFuture("left: " + member.callId() + " already") : Future.failedFuture(failure));
    return left.compose(outcome -> store.forget(member.roomId(), member.key(), member.eventId()).map(outcome));
  }

  /** Ends the memberships whose expiry passed on the server clock, whatever member stored them. */
  void sweep() {
    if (sweeping) {
      return;
    }
    sweeping = true;
    store.expired(SWEEP_BATCH)
      .compose(expired -> {
        Future<Void> chain = Future.succeededFuture();
        for (RtcStore.Member member : expired) {
          chain = chain.compose(v -> leaveCall(member, "membership_expired")
            .onSuccess(outcome -> LOG.info("MatrixRTC membership expired {} {} {}", kv("room_id", member.roomId()),
              kv("user_id", member.userId()), kv("outcome", outcome)))
            .<Void>mapEmpty());
        }
        return chain;
      })
      .onFailure(e -> LOG.warn("MatrixRTC expiry sweep failed {}", kv("error", e.getMessage())))
      .onComplete(done -> sweeping = false);
  }
}
