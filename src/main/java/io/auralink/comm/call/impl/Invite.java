package io.auralink.comm.call.impl;

import io.auralink.comm.call.CallError;
import io.auralink.comm.call.CallService;
import io.auralink.comm.platform.AuraIds;
import io.auralink.comm.platform.Caller;
import io.auralink.comm.platform.config.AppConfig;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import static io.auralink.comm.platform.ErrorCode.field;

/** A validated invitation: who calls whom from which device, how, through which entry point, ringing how long. */
record Invite(String caller, String callerDevice, String callee, String mediaType, String entryPoint,
              String externalId, long ringMillis) {

  static final List<String> MEDIA_TYPES = List.of("audio", "video", "audio_video", "screen_share");
  static final List<String> ENTRY_POINTS = List.of("api", "matrix_legacy", "matrix_rtc");
  /** A device id becomes part of a LiveKit identity ({@code @alice.aura#<device>}): no {@code #}, no spaces. */
  static final Pattern DEVICE = Pattern.compile("^[A-Za-z0-9._~:=+/@-]{1,128}$");
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
    String to = auraId(string(in, "callee_aura_id"), "callee_aura_id", true);
    if (to.equals(from)) {
      throw invalid("callee_aura_id", "callee_aura_id must be someone else than the caller");
    }
    String device = device(in);
    String media = oneOf(in, "media_type", MEDIA_TYPES, "audio_video");
    String entry = oneOf(in, "entry_point", ENTRY_POINTS, "api");
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
    return new Invite(from, device, to, media, entry, external, ring);
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
