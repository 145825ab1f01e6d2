package io.auralink.comm.call.impl;

import io.auralink.comm.call.CallError;
import io.auralink.comm.call.CallService;
import io.auralink.comm.call.livekit.AuraIdAdmission;
import io.auralink.comm.call.livekit.ElementCallExchange;
import io.auralink.comm.call.livekit.LiveKitTokens;
import io.auralink.comm.call.livekit.MatrixError;
import io.auralink.comm.call.livekit.OpenIdVerifier;
import io.auralink.comm.call.livekit.RoomService;
import io.auralink.comm.identity.IdentityService;
import io.auralink.comm.platform.Caller;
import io.auralink.comm.platform.ErrorCode;
import io.auralink.comm.platform.config.AppConfig;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Element Call's token exchange as the call domain serves it: {@link ElementCallExchange} wired to LiveKit's
 * RoomService (rooms of full-access users are created on the default LiveKit, {@code AURALINK_LIVEKIT_URL}) and to
 * the identity registry (an AuraID that is unknown, deactivated or suspended gets no token). Every outcome is an
 * answer {@code {status, body}} in lk-jwt-service's shape.
 */
final class ElementCallTokens {

  static final String UNCONFIGURED = "LiveKit is not configured on this node (AURALINK_LIVEKIT_URL, _API_KEY,"
    + " _API_SECRET): no LiveKit tokens are issued";
  /** The registry's view that sees every AuraID whatever its privacy and state, with its status. */
  private static final Caller ADMINISTRATOR = Caller.service("call", Set.of(IdentityService.ADMIN));

  /** Null without LiveKit settings. */
  private final ElementCallExchange exchange;

  private ElementCallTokens(ElementCallExchange exchange) {
    this.exchange = exchange;
  }

  static ElementCallTokens create(AppConfig config, WebClient web, IdentityService identity) {
    AppConfig.LiveKit liveKit = config.liveKit();
    if (!liveKit.configured()) {
      return new ElementCallTokens(null);
    }
    String url = liveKit.url().orElseThrow();
    String key = liveKit.apiKey().orElseThrow();
    String secret = liveKit.apiSecret().orElseThrow();
    RoomService rooms = new RoomService(web, new LiveKitTokens(key, secret, Duration.ofMinutes(1), liveKit.clockSkew(),
      Clock.systemUTC()), Duration.ofSeconds(5));
    AppConfig.ElementCall elementCall = config.elementCall();
    return new ElementCallTokens(new ElementCallExchange(elementCall, config.matrix().serverName(), url,
      new LiveKitTokens(key, secret, liveKit.tokenTtl(), liveKit.clockSkew(), Clock.systemUTC()),
      new OpenIdVerifier(web, elementCall.homeservers(), elementCall.openIdTimeout()),
      request -> rooms.createRoom(url, request), admission(identity)));
  }

  /** Active AuraIDs only: deactivated and suspended ones have another status, unknown ones no profile. */
  static AuraIdAdmission admission(IdentityService identity) {
    return auraId -> identity.resolveMany(List.of(auraId), ADMINISTRATOR)
      .recover(e -> Future.failedFuture(new MatrixError(503, "M_UNKNOWN",
        "The AuraID registry did not answer whether " + auraId + " may join calls; retry shortly")))
      .compose(found -> {
        JsonObject profile = found.getJsonObject("results", new JsonObject()).getJsonObject(auraId);
        return profile != null && "active".equals(profile.getString("status")) ? Future.<Void>succeededFuture()
          : Future.failedFuture(MatrixError.forbidden(auraId + " may not join calls: it is not an active AuraID"));
      });
  }

  /** {@code {status, body}} for one request of {@code endpoint} ({@link CallService#SFU_GET} or {@code GET_TOKEN}). */
  Future<JsonObject> answer(String endpoint, String body) {
    if (!CallService.SFU_GET.equals(endpoint) && !CallService.GET_TOKEN.equals(endpoint)) {
      return CallError.VALIDATION_FAILED.fail("endpoint must be " + CallService.SFU_GET + " or "
        + CallService.GET_TOKEN, ErrorCode.field("endpoint"));
    }
    if (exchange == null) {
      return Future.succeededFuture(answer(new MatrixError(503, "M_UNKNOWN", UNCONFIGURED)));
    }
    Buffer raw = body == null ? Buffer.buffer() : Buffer.buffer(body);
    Future<ElementCallExchange.Grant> grant = CallService.SFU_GET.equals(endpoint) ? exchange.sfuGet(raw)
      : exchange.getToken(raw);
    return grant.map(granted -> new JsonObject().put("status", 200).put("body", granted.response()))
      .recover(e -> Future.succeededFuture(answer(MatrixError.of(e))));
  }

  private static JsonObject answer(MatrixError error) {
    return new JsonObject().put("status", error.status()).put("body", error.toJson());
  }
}
