package io.auralink.comm.api;

import io.auralink.comm.call.CallService;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Element Call's token exchange ({@code POST /sfu/get}, {@code POST /get_token}) and LiveKit's webhooks
 * ({@code POST /livekit/webhook}). Open operations: the OpenID token in the body, or the webhook's signature,
 * authenticates, and the call domain checks it. Bodies go to {@link CallService} as received (they are read there the
 * way lk-jwt-service and LiveKit's verifier read them), and the exchange's answers come back in lk-jwt-service's
 * shape ({@code {url, jwt}} or {@code {errcode, error}}), not in our error envelope.
 */
final class ElementCallRoutes implements RouteGroup {

  /** The exchange's paths: the only ones that answer Element Call's CORS origins. */
  static final Set<String> EXCHANGE_PATHS = Set.of("/sfu/get", "/get_token");
  /** What lk-jwt-service allows a browser to send. */
  private static final String ALLOWED_HEADERS =
    "Accept, Content-Type, Content-Length, Accept-Encoding, X-CSRF-Token, Authorization";

  private final CallService calls;

  ElementCallRoutes(CallService calls) {
    this.calls = calls;
  }

  @Override
  public Map<String, ApiOperation> operations() {
    return Map.of(
      "elementCallSfuGet", ctx -> exchange(ctx, CallService.SFU_GET),
      "elementCallGetToken", ctx -> exchange(ctx, CallService.GET_TOKEN),
      "liveKitWebhook", ctx -> calls.liveKitWebhook(ctx.request().getHeader("Authorization"), text(ctx))
        .map(Reply::ok));
  }

  private io.vertx.core.Future<Reply> exchange(RoutingContext ctx, String endpoint) {
    return calls.elementCallToken(endpoint, text(ctx))
      .map(answer -> Reply.json(answer.getInteger("status"), answer.getJsonObject("body", new JsonObject())));
  }

  private static String text(RoutingContext ctx) {
    Buffer body = ctx.body().buffer();
    return body == null ? "" : body.toString(StandardCharsets.UTF_8);
  }

  /**
   * CORS for the exchange's paths, as lk-jwt-service answers it: a preflight ({@code OPTIONS}) is 200 with
   * {@code Access-Control-Allow-Methods: POST}, and every answer names the allowed origin ({@code *} when any origin
   * is, else the request's own origin if it is listed). A preflight from an origin not listed is 403.
   */
  static Handler<RoutingContext> cors(List<String> origins) {
    boolean anyOrigin = origins.contains("*");
    Set<String> listed = Set.copyOf(origins);
    return ctx -> {
      String origin = ctx.request().getHeader("Origin");
      boolean allowed = anyOrigin || (origin != null && listed.contains(origin));
      if (allowed) {
        ctx.response()
          .putHeader("Access-Control-Allow-Origin", anyOrigin ? "*" : origin)
          .putHeader("Access-Control-Allow-Methods", "POST")
          .putHeader("Access-Control-Allow-Headers", ALLOWED_HEADERS);
        if (!anyOrigin) {
          ctx.response().putHeader("Vary", "Origin");
        }
      }
      if (ctx.request().method() == HttpMethod.OPTIONS) {
        ctx.response().setStatusCode(allowed ? 200 : 403).end();
        return;
      }
      ctx.next();
    };
  }
}
