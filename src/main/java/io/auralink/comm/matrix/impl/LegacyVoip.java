package io.auralink.comm.matrix.impl;

import io.auralink.comm.call.CallService;
import io.auralink.comm.identity.IdentityService;
import io.auralink.comm.platform.Caller;
import io.auralink.comm.presence.PresenceService;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Legacy Matrix VoIP (v1, {@code m.call.*}) into calls of the call domain with entry point {@code matrix_legacy}.
 * The call is the domain's: states, ring deadline (the invite's {@code lifetime} on the homeserver's clock, capped by
 * the domain's maximum) and rules are the same as for any call; the SDP is never looked at beyond telling audio from
 * video, since the media stays peer to peer. When the callee cannot take the call (unknown, blocked, suspended,
 * deactivated) the caller gets an {@code m.call.reject} (an {@code m.call.hangup} for version 0 invites) from the
 * callee at once. So does a callee with no device present that speaks legacy VoIP (presence's {@code matrix_voip}
 * capability): an {@code m.call.hangup} with reason {@code invite_timeout}, the outcome ringing would have had.
 * Every effect is idempotent: the invite by its external id, state changes by the state they leave.
 * Each method answers the outcome recorded with the event.
 */
final class LegacyVoip {

  /** Failure codes that mean the callee cannot take this call: the caller hears it at once. */
  private static final Set<String> UNREACHABLE = Set.of("AURAID_NOT_FOUND", "FORBIDDEN", "VALIDATION_FAILED",
    "CALL_STATE");

  private final CallService calls;
  private final PresenceService presence;
  private final IdentityService identity;
  private final IntakeStore store;
  private final HomeserverClient homeserver;
  private final MatrixUsers users;
  private final Caller bridge;
  private final long maxRingMillis;

  LegacyVoip(CallService calls, PresenceService presence, IdentityService identity, IntakeStore store,
             HomeserverClient homeserver, MatrixUsers users, Caller bridge, long maxRingMillis) {
    this.calls = calls;
    this.presence = presence;
    this.identity = identity;
    this.store = store;
    this.homeserver = homeserver;
    this.users = users;
    this.bridge = bridge;
    this.maxRingMillis = maxRingMillis;
  }

  Future<String> handle(IntakeStore.Claimed claimed) {
    JsonObject event = claimed.event();
    JsonObject content = event.getJsonObject("content", new JsonObject());
    if (!(content.getValue("call_id") instanceof String callId) || callId.isEmpty()) {
      return Future.succeededFuture("ignored: no call_id");
    }
    return switch (claimed.type()) {
      case "m.call.invite" -> invite(claimed, event, content, callId);
      case "m.call.answer" -> withCall(claimed, callId, call -> answer(call, event, content));
      case "m.call.select_answer" -> withCall(claimed, callId, call -> selectAnswer(call, content));
      case "m.call.reject" -> withCall(claimed, callId, call -> end(call, event.getString("sender"), "declined"));
      case "m.call.hangup" -> withCall(claimed, callId, call -> end(call, event.getString("sender"),
        content.getString("reason", "user_hangup")));
      // Media negotiation stays between the peers; nothing in the call log changes.
      default -> Future.succeededFuture("passed over: " + claimed.type());
    };
  }

  private Future<String> invite(IntakeStore.Claimed claimed, JsonObject event, JsonObject content, String callId) {
    String sender = event.getString("sender");
    String invitee = content.getString("invitee");
    Optional<String> callee = users.auraId(invitee);
    if (callee.isEmpty()) {
      return Future.succeededFuture(invitee == null ? "ignored: invite without invitee" : "ignored: callee not bridged");
    }
    long sentAt = event.getLong("origin_server_ts", claimed.nowMillis());
    long remaining = content.getLong("lifetime", 0L) - Math.max(0, claimed.nowMillis() - sentAt);
    if (remaining <= 0) {
      return Future.succeededFuture("ignored: invite expired");
    }
    String version = String.valueOf(content.getValue("version", "0"));
    Optional<String> caller = users.auraId(sender);
    if (caller.isEmpty()) {
      // The call log holds AuraIDs only: a caller outside the bridge's namespace cannot ring an AuraID here.
      return refuse(claimed.roomId(), callId, invitee, version, "caller_not_aura_id")
        .map(sent -> "rejected: caller is not an AuraID");
    }
    return mayRing(caller.get(), callee.get()).compose(ring -> ring
      ? ring(claimed, content, callId, sender, invitee, caller.get(), callee.get(), version, remaining)
      : hangUp(claimed.roomId(), callId, invitee, version, "invite_timeout", "no_matrix_voip_device")
        .map(sent -> "rejected: no device of the callee speaks Matrix VoIP"));
  }

  /**
   * Whether to ring the callee: no only when presence shows no device of theirs that declares
   * {@link PresenceService#MATRIX_VOIP}, and the caller may see the callee in the registry, so that the refusal tells a
   * caller nothing presence would not (a callee who blocked the caller is refused by the call domain as before).
   * Presence or the registry not answering rings as before: an outage never refuses a call.
   */
  private Future<Boolean> mayRing(String caller, String callee) {
    Future<Boolean> visible = identity.resolve(callee, bridge.actingAs(caller)).map(true).otherwise(false);
    Future<Boolean> voipDevice = presence.presence(callee, bridge)
      .map(shown -> anyDevice(shown, PresenceService.MATRIX_VOIP)).otherwise(true);
    return Future.all(visible, voipDevice).map(both -> !visible.result() || voipDevice.result());
  }

  private static boolean anyDevice(JsonObject presence, String capability) {
    JsonArray devices = presence.getJsonArray("devices", new JsonArray());
    for (int i = 0; i < devices.size(); i++) {
      if (devices.getJsonObject(i).getJsonArray("capabilities", new JsonArray()).contains(capability)) {
        return true;
      }
    }
    return false;
  }

  private Future<String> ring(IntakeStore.Claimed claimed, JsonObject content, String callId, String sender,
                              String invitee, String caller, String callee, String version, long remaining) {
    String sdp = content.getJsonObject("offer", new JsonObject()).getString("sdp", "");
    long ringSeconds = Math.max(1, Math.min((remaining + 999) / 1000, maxRingMillis / 1000));
    JsonObject invite = new JsonObject()
      .put("caller_aura_id", caller)
      .put("callee_aura_id", callee)
      .put("device_id", device(content.getString("party_id"), sender))
      .put("media_type", sdp.contains("m=video") ? "audio_video" : "audio")
      .put("ring_seconds", ringSeconds)
      .put("entry_point", "matrix_legacy")
      .put("external_id", externalId(claimed.roomId(), callId));
    return calls.invite(invite, bridge)
      .compose(started -> {
        UUID id = UUID.fromString(started.getString("call_id"));
        return store.rememberCall(new IntakeStore.MatrixCall(id, "legacy", claimed.roomId(), callId, sender, invitee,
          version)).map("invited: " + id);
      })
      .recover(failure -> {
        String code = Failures.code(failure);
        return code != null && UNREACHABLE.contains(code)
          ? refuse(claimed.roomId(), callId, invitee, version, code.toLowerCase()).map(sent -> "rejected: " + code)
          : Future.failedFuture(failure);
      });
  }

  /** The callee's refusal, sent as the callee so that the caller stops ringing at once. */
  private Future<Void> refuse(String roomId, String callId, String callee, String version, String reason) {
    boolean v1 = !"0".equals(version);
    JsonObject content = new JsonObject().put("call_id", callId).put("party_id", "auralink")
      .put("version", v1 ? "1" : 0).put("io.auralink.reason", reason);
    if (!v1) {
      content.put("reason", "user_busy");
    }
    return sendRefusal(roomId, callId, callee, v1 ? "m.call.reject" : "m.call.hangup", content);
  }

  /** The callee's hang-up with a Matrix {@code reason} (both versions know it), sent as the callee at once. */
  private Future<Void> hangUp(String roomId, String callId, String callee, String version, String reason,
                              String auralinkReason) {
    JsonObject content = new JsonObject().put("call_id", callId).put("party_id", "auralink")
      .put("version", "0".equals(version) ? (Object) 0 : "1").put("reason", reason)
      .put("io.auralink.reason", auralinkReason);
    return sendRefusal(roomId, callId, callee, "m.call.hangup", content);
  }

  private Future<Void> sendRefusal(String roomId, String callId, String callee, String type, JsonObject content) {
    return homeserver.send(callee, roomId, type, "auralink-refuse-" + digest(roomId + "\n" + callId), content)
      // A callee that is not in the room (an unknown AuraID never joins) cannot refuse there; nothing rings for it.
      .recover(failure -> Failures.permanent(failure) ? Future.succeededFuture() : Future.failedFuture(failure));
  }

  /** The callee answers from one of their devices: exactly one answer wins in the call domain. */
  private Future<String> answer(IntakeStore.MatrixCall call, JsonObject event, JsonObject content) {
    String sender = event.getString("sender");
    Optional<String> answerer = users.auraId(sender);
    if (answerer.isEmpty() || !sender.equals(call.calleeUserId())) {
      return Future.succeededFuture("ignored: answer not from the callee");
    }
    JsonObject answer = new JsonObject().put("aura_id", answerer.get())
      .put("device_id", device(content.getString("party_id"), sender));
    return settled(calls.answer(call.callId().toString(), answer, bridge), "answered");
  }

  /** The caller picked an answer; if the domain has not seen one yet, that device answered. */
  private Future<String> selectAnswer(IntakeStore.MatrixCall call, JsonObject content) {
    Optional<String> callee = users.auraId(call.calleeUserId());
    String selected = content.getString("selected_party_id");
    if (callee.isEmpty() || selected == null) {
      return Future.succeededFuture("ignored: no selected party");
    }
    JsonObject answer = new JsonObject().put("aura_id", callee.get())
      .put("device_id", device(selected, call.calleeUserId()));
    return settled(calls.answer(call.callId().toString(), answer, bridge), "answer selected");
  }

  /**
   * A party ended the call: before an answer the caller cancels and the callee declines, after it either hangs up.
   * The call's current state decides which, so a hang-up that crossed an answer still ends the call.
   */
  private Future<String> end(IntakeStore.MatrixCall call, String sender, String reason) {
    Optional<String> party = users.auraId(sender);
    if (party.isEmpty() || !(sender.equals(call.callerUserId()) || sender.equals(call.calleeUserId()))) {
      return Future.succeededFuture("ignored: not a party of the call");
    }
    String id = call.callId().toString();
    JsonObject body = new JsonObject().put("reason", reason(reason));
    return calls.call(id, bridge).compose(current -> switch (current.getString("state")) {
      case "ringing" -> sender.equals(call.callerUserId())
        ? settled(calls.cancel(id, body, bridge), "cancelled")
        : settled(calls.decline(id, body, bridge), "declined");
      case "answered" -> settled(calls.hangup(id, body, bridge), "completed");
      default -> Future.succeededFuture("ignored: call already " + current.getString("state"));
    });
  }

  /** A transition the state machine refuses (the call moved on meanwhile) is an outcome, not a failure. */
  private static Future<String> settled(Future<JsonObject> change, String outcome) {
    return change.map(call -> outcome + ": " + call.getString("state"))
      .recover(failure -> "CALL_STATE".equals(Failures.code(failure))
        ? Future.succeededFuture("ignored: " + failure.getMessage())
        : Future.failedFuture(failure));
  }

  private Future<String> withCall(IntakeStore.Claimed claimed, String callId,
                                  java.util.function.Function<IntakeStore.MatrixCall, Future<String>> action) {
    return store.findCall(claimed.roomId(), callId).compose(call -> call.isPresent()
      ? action.apply(call.get()) : Future.succeededFuture("ignored: call not bridged"));
  }

  /** A Matrix hang-up reason as the call domain accepts it (the spec's reasons all fit; anything else is unknown). */
  private static String reason(String reason) {
    return reason != null && reason.matches("^[a-z0-9_.:-]{1,64}$") ? reason : "unknown_error";
  }

  /** The device of a party: its {@code party_id} (the device id in Element), else the Matrix user. */
  static String device(String partyId, String userId) {
    String device = partyId != null && !partyId.isEmpty() ? partyId : userId;
    return device.length() <= 128 && device.matches("^[A-Za-z0-9._~:=+/@-]+$") ? device : "matrix-" + digest(device);
  }

  /** The call domain's external id of a Matrix call: its room and call id (hashed when too long for the column). */
  static String externalId(String roomId, String callId) {
    String plain = roomId + "|" + callId;
    return plain.length() <= 255 ? plain : "sha256:" + digest(plain);
  }

  static String digest(String value) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
        .digest(value.getBytes(StandardCharsets.UTF_8))).substring(0, 32);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
  }
}
