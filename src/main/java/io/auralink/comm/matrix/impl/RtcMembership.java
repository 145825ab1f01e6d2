package io.auralink.comm.matrix.impl;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.Optional;

/**
 * One MatrixRTC membership event read as the bridge needs it, pure: whose device is (or is no longer) in which call
 * slot of the room, until when, and through which LiveKit focus. Two forms:
 * <ul>
 *   <li>{@code org.matrix.msc3401.call.member} state events (what Element Call and matrix-js-sdk send today), one per
 *   user and device: the state key names the membership; content {@code {application, call_id, device_id,
 *   focus_active: {type: livekit}, foci_preferred: [{type: livekit, livekit_service_url, livekit_alias}], created_ts?,
 *   expires?}} (expiry = {@code created_ts}, else the event's {@code origin_server_ts}, plus {@code expires}, default
 *   4 h) or the older {@code expires_ts}; an empty content is a leave.</li>
 *   <li>{@code m.rtc.member} (and js-sdk's unstable {@code org.matrix.msc4143.rtc.member}) sticky events: {@code
 *   {slot_id, member: {id, membership: join | leave, device_id?}, transports | rtc_transports: [{type: livekit}],
 *   sticky_key?}}, kept for their sticky hour unless they say otherwise ({@code expires}).</li>
 * </ul>
 * The slot is {@code <application>#<call_id>}, the room-wide call's {@code call_id} "" being {@code ROOM}: the slot
 * Element Call's token service hashes into the LiveKit room name.
 */
record RtcMembership(String key, String slotId, String userId, String deviceId, boolean joined, long expiresAtMillis,
                     String mediaIntent) {

  static final String LEGACY_TYPE = "org.matrix.msc3401.call.member";
  static final String RTC_TYPE = "m.rtc.member";
  static final String UNSTABLE_RTC_TYPE = "org.matrix.msc4143.rtc.member";
  static final Duration DEFAULT_EXPIRY = Duration.ofHours(4);
  static final Duration STICKY_EXPIRY = Duration.ofHours(1);

  static boolean handles(String type) {
    return LEGACY_TYPE.equals(type) || RTC_TYPE.equals(type) || UNSTABLE_RTC_TYPE.equals(type);
  }

  /**
   * The membership an event states, or empty when it is not one the bridge can follow (no state key or member id, no
   * device, a join without a LiveKit focus: the last is "not ours to count", not a leave).
   */
  static Optional<RtcMembership> parse(JsonObject event) {
    JsonObject content = event.getJsonObject("content", new JsonObject());
    String sender = event.getString("sender");
    long sentAt = event.getLong("origin_server_ts", 0L);
    if (sender == null) {
      return Optional.empty();
    }
    return LEGACY_TYPE.equals(event.getString("type"))
      ? legacy(event.getString("state_key"), sender, sentAt, content)
      : sticky(sender, sentAt, content);
  }

  private static Optional<RtcMembership> legacy(String stateKey, String sender, long sentAt, JsonObject content) {
    if (stateKey == null || stateKey.isEmpty()) {
      return Optional.empty();
    }
    if (content.isEmpty()) {
      // A leave: the slot and device are the stored membership's; the key finds it.
      return Optional.of(new RtcMembership(stateKey, null, sender, null, false, sentAt, null));
    }
    String application = content.getString("application", "m.call");
    String callId = content.getString("call_id", "");
    String device = content.getString("device_id");
    if (device == null || device.isEmpty() || !liveKitFocus(content)) {
      return Optional.empty();
    }
    long expires;
    if (content.getValue("expires_ts") instanceof Number absolute) {
      expires = absolute.longValue();
    } else {
      long created = content.getValue("created_ts") instanceof Number c ? c.longValue() : sentAt;
      expires = created + (content.getValue("expires") instanceof Number e ? e.longValue()
        : DEFAULT_EXPIRY.toMillis());
    }
    return Optional.of(new RtcMembership(stateKey, slot(application, callId), sender, device, true, expires,
      content.getString("m.call.intent")));
  }

  private static Optional<RtcMembership> sticky(String sender, long sentAt, JsonObject content) {
    JsonObject member = content.getJsonObject("member", new JsonObject());
    String key = content.getString("sticky_key", member.getString("id"));
    String slot = content.getString("slot_id");
    if (key == null || key.isEmpty() || slot == null || slot.isEmpty()) {
      return Optional.empty();
    }
    String device = member.getString("device_id", content.getString("device_id"));
    boolean leaving = "leave".equals(member.getString("membership"));
    if (leaving) {
      return Optional.of(new RtcMembership(key, slot, sender, device, false, sentAt, null));
    }
    JsonArray transports = content.getJsonArray("rtc_transports",
      content.getJsonObject("transports", new JsonObject()).getJsonArray("published", new JsonArray()));
    if (device == null || device.isEmpty() || !hasLiveKit(transports)) {
      return Optional.empty();
    }
    long expires = sentAt + (content.getValue("expires") instanceof Number e ? e.longValue()
      : STICKY_EXPIRY.toMillis());
    return Optional.of(new RtcMembership(key, slot, sender, device, true, expires, null));
  }

  /** {@code <application>#<call_id>}, {@code ROOM} for the room-wide call. */
  static String slot(String application, String callId) {
    return application + "#" + (callId == null || callId.isEmpty() ? "ROOM" : callId);
  }

  private static boolean liveKitFocus(JsonObject content) {
    JsonObject active = content.getJsonObject("focus_active");
    return active != null && "livekit".equals(active.getString("type"))
      || hasLiveKit(content.getJsonArray("foci_preferred", new JsonArray()));
  }

  private static boolean hasLiveKit(JsonArray foci) {
    return foci.stream().anyMatch(f -> f instanceof JsonObject o && "livekit".equals(o.getString("type")));
  }

  /** Whether, on the server clock {@code nowMillis}, this membership still holds. */
  boolean activeAt(long nowMillis) {
    return joined && expiresAtMillis > nowMillis;
  }
}
