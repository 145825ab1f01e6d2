package io.auralink.comm.api;

import io.auralink.comm.verification.VerificationService;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Verification over HTTP. It only translates: the principal becomes a {@link io.auralink.comm.platform.Caller},
 * the call goes to {@link VerificationService} over the event bus, the answer comes back as JSON. Provider
 * callbacks are open routes whose signatures the domain checks.
 */
final class VerificationRoutes implements RouteGroup {

  private final VerificationService verification;

  VerificationRoutes(VerificationService verification) {
    this.verification = verification;
  }

  @Override
  public Map<String, ApiOperation> operations() {
    return Map.of(
      "startVerification", ctx -> verification.start(ctx.body().asJsonObject(), Callers.of(ctx))
        .map(started -> Reply.json(201, started)),
      "completeVerification", ctx -> verification.complete(id(ctx), code(ctx), Callers.of(ctx)).map(Reply::ok),
      "cancelVerification", ctx -> verification.cancel(id(ctx), Callers.of(ctx)).map(Reply::ok),
      "listVerifications", ctx -> {
        String limit = ctx.queryParams().get("limit");
        return verification.list(ctx.queryParams().get("aura_id"), limit == null ? 0 : Integer.parseInt(limit),
          ctx.queryParams().get("cursor"), Callers.of(ctx)).map(Reply::ok);
      },
      "twilioStatusCallback", ctx -> verification.twilioStatus(form(ctx.body().buffer()),
        ctx.request().getHeader("X-Twilio-Signature")).map(Reply::ok),
      "stripeIdentityWebhook", ctx -> verification.stripeWebhook(ctx.request().getHeader("Stripe-Signature"),
        text(ctx)).map(Reply::ok),
      "oauthCallback", ctx -> verification.oauthCallback(ctx.queryParams().get("state"),
        ctx.queryParams().get("code"), ctx.queryParams().get("error")).map(Reply::ok),
      "livenessWebhook", ctx -> verification.livenessWebhook(ctx.request().getHeader("X-Liveness-Signature"),
        text(ctx)).map(Reply::ok));
  }

  private static String id(RoutingContext ctx) {
    return ctx.pathParam("verification_id");
  }

  private static String code(RoutingContext ctx) {
    JsonObject body = ctx.body().asJsonObject();
    return body == null ? null : body.getString("code");
  }

  /** The body exactly as received: signatures cover these bytes. */
  private static String text(RoutingContext ctx) {
    Buffer body = ctx.body().buffer();
    return body == null ? "" : body.toString(StandardCharsets.UTF_8);
  }

  /** A form-encoded body as name → value (the last of a repeated name wins, as in Twilio's signature check). */
  private static JsonObject form(Buffer body) {
    JsonObject form = new JsonObject();
    if (body == null || body.length() == 0) {
      return form;
    }
    for (String pair : body.toString(StandardCharsets.UTF_8).split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : pair.substring(eq + 1);
      form.put(URLDecoder.decode(name, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
    }
    return form;
  }
}
