package io.auralink.comm.api;

import io.auralink.comm.presence.PresenceService;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Presence over HTTP, both our paths and the original's ({@code /internal/presence/update}, {@code GET
 * /internal/presence/bulk?aura_ids=}): it only translates between HTTP and {@link PresenceService}.
 */
final class PresenceRoutes implements RouteGroup {

  private final PresenceService presence;

  PresenceRoutes(PresenceService presence) {
    this.presence = presence;
  }

  @Override
  public Map<String, ApiOperation> operations() {
    return Map.ofEntries(
      Map.entry("setPresence", ctx -> presence.update(body(ctx), Callers.of(ctx)).map(Reply::ok)),
      Map.entry("setPresenceOriginal", ctx -> presence.update(body(ctx), Callers.of(ctx)).map(Reply::ok)),
      Map.entry("getPresence", ctx -> presence.presence(ctx.pathParam("aura_id"), viewer(ctx)).map(Reply::ok)),
      Map.entry("bulkPresence", ctx -> presence.bulk(auraIds(body(ctx).getValue("aura_ids")), viewer(ctx))
        .map(Reply::ok)),
      Map.entry("bulkPresenceOriginal", ctx -> presence.bulk(listed(ctx.queryParams().get("aura_ids")),
        viewer(ctx)).map(Reply::ok)),
      Map.entry("getPresenceVisibility", ctx -> presence.visibility(ctx.pathParam("aura_id"), Callers.of(ctx))
        .map(Reply::ok)),
      Map.entry("setPresenceVisibility", ctx -> presence.setVisibility(ctx.pathParam("aura_id"), body(ctx),
        Callers.of(ctx)).map(Reply::ok)));
  }

  /** The body's {@code aura_ids}, as strings (the schema has checked it is an array of strings). */
  private static List<String> auraIds(Object value) {
    List<String> ids = new ArrayList<>();
    if (value instanceof JsonArray array) {
      array.forEach(id -> ids.add(String.valueOf(id)));
    }
    return ids;
  }

  /** {@code ?aura_ids=@a.aura,@b.aura} (the original's form). */
  private static List<String> listed(String value) {
    return value == null || value.isBlank() ? List.of()
      : Arrays.stream(value.split(",")).map(String::trim).filter(id -> !id.isEmpty()).toList();
  }

  /** Whose view applies: the person's, or for a service the one {@code ?as=} names (everyone's without it). */
  private static io.auralink.comm.platform.Caller viewer(RoutingContext ctx) {
    return Callers.of(ctx, ctx.queryParams().get("as"));
  }

  private static JsonObject body(RoutingContext ctx) {
    JsonObject body = ctx.body().asJsonObject();
    return body == null ? new JsonObject() : body;
  }
}
