package io.auralink.comm.api;

import io.auralink.comm.identity.IdentityService;
import io.auralink.comm.platform.config.AppConfig;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The AuraID registry over HTTP, including the original service's {@code /internal/matrix/*} endpoints. It only
 * translates: the principal (and a service's {@code ?as=}) becomes a {@link io.auralink.comm.platform.Caller}, the
 * call goes to {@link IdentityService} over the event bus, the answer comes back as JSON.
 */
final class IdentityRoutes implements RouteGroup {

  private final IdentityService identity;
  private final AppConfig.Matrix matrix;

  IdentityRoutes(IdentityService identity, AppConfig.Matrix matrix) {
    this.identity = identity;
    this.matrix = matrix;
  }

  @Override
  public Map<String, ApiOperation> operations() {
    return Map.ofEntries(
      Map.entry("registerAuraId", ctx -> identity.register(ctx.body().asJsonObject(), Callers.of(ctx))
        .map(created -> Reply.json(201, created))),
      Map.entry("checkAvailability", ctx -> identity.availability(ctx.pathParam("username")).map(Reply::ok)),
      Map.entry("resolveAuraId", ctx -> identity.resolve(ctx.pathParam("aura_id"), Callers.of(ctx, ctx.queryParams().get("as")))
        .map(Reply::ok)),
      Map.entry("resolveAuraIds", ctx -> {
        JsonObject body = ctx.body().asJsonObject();
        return identity.resolveMany(strings(body.getJsonArray("aura_ids")), Callers.of(ctx, body.getString("as")))
          .map(Reply::ok);
      }),
      Map.entry("updateAuraId", ctx -> identity.update(ctx.pathParam("aura_id"), ctx.body().asJsonObject(), Callers.of(ctx))
        .map(Reply::ok)),
      Map.entry("deactivateAuraId", ctx -> identity.deactivate(ctx.pathParam("aura_id"), Callers.of(ctx)).map(Reply::ok)),
      Map.entry("reactivateAuraId", ctx -> identity.reactivate(ctx.pathParam("aura_id"), Callers.of(ctx)).map(Reply::ok)),
      Map.entry("listContacts", ctx -> identity.contactsPage(ctx.pathParam("aura_id"), PageQuery.of(ctx),
        Callers.of(ctx, ctx.queryParams().get("as"))).map(Reply::ok)),
      Map.entry("requestContact", ctx -> identity.requestContact(ctx.pathParam("aura_id"),
        ctx.body().asJsonObject().getString("contact"), Callers.of(ctx)).map(Reply::ok)),
      Map.entry("acceptContact", ctx -> identity.acceptContact(ctx.pathParam("aura_id"), ctx.pathParam("contact"),
        Callers.of(ctx)).map(Reply::ok)),
      Map.entry("declineContact", ctx -> identity.declineContact(ctx.pathParam("aura_id"), ctx.pathParam("contact"),
        Callers.of(ctx)).map(Reply::ok)),
      Map.entry("removeContact", ctx -> identity.removeContact(ctx.pathParam("aura_id"), ctx.pathParam("contact"),
        Callers.of(ctx)).map(Reply::ok)),
      Map.entry("blockContact", ctx -> identity.blockContact(ctx.pathParam("aura_id"), ctx.pathParam("contact"),
        Callers.of(ctx)).map(Reply::ok)),
      Map.entry("matrixRegister", this::matrixRegister),
      Map.entry("matrixResolve", ctx -> identity.resolve(ctx.pathParam("aura_id"), Callers.of(ctx))
        .map(profile -> Reply.ok(new JsonObject()
          .put("aura_id", profile.getString("aura_id"))
          .put("matrix_user_id", profile.getString("matrix_user_id"))
          .put("display_name", profile.getString("display_name"))
          .put("avatar_url", profile.getString("avatar_url"))
          .put("homeserver", matrix.serverName())))));
  }

  /**
   * The original {@code POST /internal/matrix/register}: {@code aura_id}, {@code user_id}, {@code username}
   * (+ {@code display_name}; a {@code password} is accepted and ignored: Matrix users are the service's).
   * Answers the original's fields; {@code access_token} is always null because no Matrix token is kept.
   */
  private Future<Reply> matrixRegister(RoutingContext ctx) {
    JsonObject body = ctx.body().asJsonObject();
    String username = body.getString("username");
    String auraId = body.getString("aura_id");
    if (!auraId.toLowerCase(Locale.ROOT).equals("@" + username.toLowerCase(Locale.ROOT) + ".aura")) {
      // Both are required by the document, so both are here; they must name the same AuraID.
      Violations mismatch = new Violations();
      mismatch.invalid("aura_id", "must be the AuraID of username: @" + username.toLowerCase(Locale.ROOT) + ".aura");
      return Future.failedFuture(mismatch.toException());
    }
    JsonObject registration = new JsonObject().put("username", username).put("user_id", body.getString("user_id"));
    if (body.getString("display_name") != null) {
      registration.put("display_name", body.getString("display_name"));
    }
    return identity.register(registration, Callers.of(ctx)).map(created -> Reply.json(201, new JsonObject()
      .put("matrix_user_id", created.getString("matrix_user_id"))
      .put("aura_id", created.getString("aura_id"))
      .put("homeserver_url", matrix.homeserverUrl().orElse(null))
      .put("access_token", null)));
  }

  private static List<String> strings(JsonArray array) {
    List<String> values = new ArrayList<>();
    array.forEach(v -> values.add(String.valueOf(v)));
    return values;
  }
}
