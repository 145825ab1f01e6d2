package io.auralink.comm.call.impl;

import io.auralink.comm.call.CallError;
import io.auralink.comm.call.CallService;
import io.auralink.comm.platform.AuraIds;
import io.auralink.comm.platform.Caller;
import io.auralink.comm.platform.config.AppConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import static io.auralink.comm.platform.ErrorCode.field;

/**
 * A validated invitation: who calls whom (one or more callees; none only for a MatrixRTC room call, whose members
 * join) from which device, how, through which entry point, ringing how long.
 */
record Invite(String caller, String callerDevice, List<String> callees, String mediaType, String entryPoint,
              String externalId, long ringMillis, String liveKitRoom) {

  static final List<String> MEDIA_TYPES = List.of("audio", "video", "audio_video", "screen_share");
  static final List<String> ENTRY_POINTS = List.of("api", "matrix_legacy", "matrix_rtc");
  /** A device id becomes part of a LiveKit identity ({@code @alice.aura#<device>}): no {@code #}, no spaces. */
  static final Pattern DEVICE = Pattern.compile("^[A-Za-z0-9._~:=+/@-]{1,128}$");
  /** A LiveKit room a MatrixRTC call meets in, named as Element Call names it (unpadded base64 of a hash). */
  static final Pattern ROOM = Pattern.compile("^[A-Za-z0-9._~:=+/@#!-]{1,256}$");
  static final String DEVICE_RULE = "device_id must be 1 to 128 letters, digits or . _ ~ : = + / @ -";

  static Invite parse(JsonObject body, Caller caller, AppConfig.Call config) {
    JsonObject in = body == null ? new JsonObject() : body;
    boolean service = !caller.isPerson();
    if (service && !caller.mayAny(CallService.WRITE)) {
      throw CallError.FORBIDDEN.exception("starting calls for others needs calls:write");
    }
    String from;
    String given = string(in, "caller_aura_id");
    if (service) {
      from = auraId(given, "caller_aura_id", true);
    } else {
      from = caller.auraId();
      if (given != null && !auraId(given, "caller_aura_id", true).equals(from)) {
        throw CallError.FORBIDDEN.exception("a person calls as themself: caller_aura_id must be " + from,
          field("caller_aura_id"));
      }
    }
    String device = device(in);
    String media = oneOf(in, "media_type", MEDIA_TYPES, "audio_video");
    String entry = oneOf(in, "entry_point", ENTRY_POINTS, "api");
    List<String> to = callees(in, from, "matrix_rtc".equals(entry), config.maxCallees());
    if (!service && !"api".equals(entry)) {
      throw CallError.FORBIDDEN.exception("only a service with calls:write starts calls from " + entry,
        field("entry_point"));
    }
    String external = string(in, "external_id");
    if (external != null && (external.isEmpty() || external.length() > 255)) {
      throw invalid("external_id", "external_id must be 1 to 255 characters long");
    }
    if (external != null && !service) {
      throw CallError.FORBIDDEN.exception("external_id is for services relaying calls from elsewhere",
        field("external_id"));
    }
    long ring = config.ringTime().toMillis();
    if (in.getValue("ring_seconds") != null) {
      if (!(in.getValue("ring_seconds") instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())
        || n.longValue() < 1 || n.longValue() * 1000 > config.maxRingTime().toMillis()) {
        throw invalid("ring_seconds", "ring_seconds must be a whole number from 1 to "
          + config.maxRingTime().toSeconds());
      }
      ring = ((Number) in.getValue("ring_seconds")).longValue() * 1000;
    }
    String room = string(in, "livekit_room");
    if (room != null && !("matrix_rtc".equals(entry) && service)) {
      throw invalid("livekit_room", "livekit_room names the room of a matrix_rtc call started by a service");
    }
    if (room != null && !ROOM.matcher(room).matches()) {
      throw invalid("livekit_room", "livekit_room must be 1 to 256 letters, digits or . _ ~ : = + / @ # ! -");
    }
    return new Invite(from, device, to, media, entry, external, ring, room);
  }

  /**
   * {@code callee_aura_id} (one) or {@code callees} (1 to {@code max}, distinct, never the caller); a MatrixRTC room
   * call may name none.
   */
  private static List<String> callees(JsonObject in, String caller, boolean roomCall, int max) {
    Object many = in.getValue("callees");
    String one = string(in, "callee_aura_id");
    if (many != null && one != null) {
      throw invalid("callees", "give callee_aura_id or callees, not both");
    }
    List<String> callees = new ArrayList<>();
    String field = "callee_aura_id";
    if (many != null) {
      field = "callees";
      if (!(many instanceof JsonArray array) || array.size() > max || array.isEmpty() && !roomCall) {
        throw invalid("callees", "callees must be an array of 1 to " + max + " AuraIDs");
      }
      for (int i = 0; i < array.size(); i++) {
        Object item = array.getValue(i);
        String callee = auraId(item instanceof String text ? text : null, "callees", true);
        if (callees.contains(callee)) {
          throw invalid("callees", "callees must not repeat " + callee);
        }
        callees.add(callee);
      }
    } else if (one != null || !roomCall) {
      callees.add(auraId(one, "callee_aura_id", true));
    }
    if (callees.contains(caller)) {
      throw invalid(field, field + " must be someone else than the caller");
    }
    return List.copyOf(callees);
  }

  static String device(JsonObject in) {
    String device = string(in, "device_id");
    if (device == null || !DEVICE.matcher(device).matches()) {
      throw invalid("device_id", DEVICE_RULE);
    }
    return device;
  }

  /** A canonical AuraID from a field, or a 400 naming the field. */
  static String auraId(String value, String field, boolean required) {
    if (value == null && !required) {
      return null;
    }
    return AuraIds.canonical(value).orElseThrow(() -> value == null
      ? invalid(field, field + " is required") : invalid(field, AuraIds.malformed(field)));
  }

  static String string(JsonObject in, String field) {
    Object value = in.getValue(field);
    if (value != null && !(value instanceof String)) {
      throw invalid(field, field + " must be a string");
    }
    return (String) value;
  }

  private static String oneOf(JsonObject in, String field, List<String> allowed, String fallback) {
    String value = string(in, field);
    if (value == null) {
      return fallback;
    }
    if (!Set.copyOf(allowed).contains(value)) {
      throw invalid(field, field + " must be one of " + String.join(", ", allowed));
    }
    return value;
  }

  static io.vertx.serviceproxy.ServiceException invalid(String field, String message) {
    return CallError.VALIDATION_FAILED.exception(message, field(field));
  }
}
