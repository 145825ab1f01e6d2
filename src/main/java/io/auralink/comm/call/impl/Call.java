package io.auralink.comm.call.impl;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** One call as stored, with its participants and the devices that joined. */
record Call(UUID id, String caller, String entryPoint, String externalId, String mediaType, CallStates.State state,
            JsonObject route, String room, String liveKitUrl, boolean roomCreated, OffsetDateTime ringDeadline,
            OffsetDateTime createdAt, OffsetDateTime answeredAt, String answeredBy, String answeredDevice,
            OffsetDateTime endedAt, String endedBy, String endReason, JsonObject quality,
            List<Participant> participants) {

  static final String CALLER = "caller";
  static final String CALLEE = "callee";
  /** A participant nobody invited: added by a service (a MatrixRTC room member). */
  static final String MEMBER = "member";

  /** A party of the call: its role, its own state ({@link ParticipantStates}) and every device that joined. */
  record Participant(String auraId, String role, ParticipantStates.State state, List<String> devices) {

    JsonObject toJson() {
      return new JsonObject().put("aura_id", auraId).put("role", role).put("state", state.id())
        .put("devices", new JsonArray(devices));
    }
  }

  static Call from(Row row) {
    List<Participant> participants = new ArrayList<>();
    Object stored = row.getValue("participants");
    JsonArray array = stored instanceof JsonArray a ? a : new JsonArray();
    for (int i = 0; i < array.size(); i++) {
      JsonObject p = array.getJsonObject(i);
      participants.add(new Participant(p.getString("aura_id"), p.getString("role"),
        ParticipantStates.State.parse(p.getString("state")).orElseThrow(), p.getJsonArray("devices", new JsonArray()).stream().map(String::valueOf).toList()));
    }
    return new Call(row.getUUID("call_id"), row.getString("caller_aura_id"), row.getString("entry_point"),
      row.getString("external_id"), row.getString("media_type"),
      CallStates.State.parse(row.getString("state")).orElseThrow(), (JsonObject) row.getValue("route"),
      row.getString("room"), row.getString("livekit_url"), row.getBoolean("room_created"),
      row.getOffsetDateTime("ring_deadline"), row.getOffsetDateTime("created_at"),
      row.getOffsetDateTime("answered_at"), row.getString("answered_by"), row.getString("answered_device"),
      row.getOffsetDateTime("ended_at"), row.getString("ended_by"), row.getString("end_reason"),
      (JsonObject) row.getValue("quality"), List.copyOf(participants));
  }

  List<String> callees() {
    return participants.stream().filter(p -> CALLEE.equals(p.role())).map(Participant::auraId).toList();
  }

  Optional<Participant> participant(String auraId) {
    return participants.stream().filter(p -> p.auraId().equals(auraId)).findFirst();
  }

  boolean isCallee(String auraId) {
    return participant(auraId).filter(p -> CALLEE.equals(p.role())).isPresent();
  }

  /** The mesh route id of the call's route, if the mesh gave one. */
  Optional<String> routeId() {
    return route == null ? Optional.empty() : Optional.ofNullable(route.getString("route_id"));
  }

  /** Seconds from answer to end, for answered calls that ended. */
  Double durationSeconds() {
    return answeredAt == null || endedAt == null ? null
      : Duration.between(answeredAt, endedAt).toMillis() / 1000.0;
  }

  /** What participants and readers see: never a token, and of the route only what it is and predicts. */
  JsonObject toJson() {
    JsonArray shown = new JsonArray();
    participants.forEach(p -> shown.add(p.toJson()));
    return new JsonObject()
      .put("call_id", id.toString())
      .put("state", state.id())
      .put("caller_aura_id", caller)
      .put("callee_aura_ids", new JsonArray(callees()))
      .put("participants", shown)
      .put("media_type", mediaType)
      .put("entry_point", entryPoint)
      .put("external_id", externalId)
      .put("route", route == null ? null : new JsonObject()
        .put("route_id", route.getString("route_id"))
        .put("tier", route.getInteger("tier"))
        .put("route_type", route.getString("route_type"))
        .put("region", route.getString("region"))
        .put("predicted", route.getJsonObject("predicted")))
      .put("room", room)
      .put("ring_deadline", text(ringDeadline))
      .put("created_at", text(createdAt))
      .put("answered_at", text(answeredAt))
      .put("answered_by", answeredBy)
      .put("answered_device", answeredDevice)
      .put("ended_at", text(endedAt))
      .put("ended_by", endedBy)
      .put("end_reason", endReason)
      .put("duration_seconds", durationSeconds())
      .put("quality", quality);
  }

  private static String text(OffsetDateTime time) {
    return time == null ? null : time.toInstant().toString();
  }
}
