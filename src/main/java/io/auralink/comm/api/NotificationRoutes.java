package io.auralink.comm.api;

import io.auralink.comm.notification.NotificationService;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.Map;

/** The notification hub over HTTP; it only translates between HTTP and {@link NotificationService}. */
final class NotificationRoutes implements RouteGroup {

  private final NotificationService hub;

  NotificationRoutes(NotificationService hub) {
    this.hub = hub;
  }

  @Override
  public Map<String, ApiOperation> operations() {
    return Map.ofEntries(
      Map.entry("registerApp", ctx -> hub.registerApp(auraId(ctx), body(ctx), Callers.of(ctx))
        .map(app -> Reply.json(201, app))),
      Map.entry("listApps", ctx -> hub.apps(auraId(ctx), Callers.of(ctx)).map(Reply::ok)),
      Map.entry("updateApp", ctx -> hub.updateApp(auraId(ctx), ctx.pathParam("app_id"), body(ctx), Callers.of(ctx))
        .map(Reply::ok)),
      Map.entry("deleteApp", ctx -> hub.deleteApp(auraId(ctx), ctx.pathParam("app_id"), Callers.of(ctx))
        .map(Reply::ok)),
      Map.entry("setNotificationPreferences", ctx -> hub.setPreferences(auraId(ctx), body(ctx), Callers.of(ctx))
        .map(Reply::ok)),
      Map.entry("getNotificationPreferences", ctx -> hub.preferences(auraId(ctx), Callers.of(ctx)).map(Reply::ok)),
      Map.entry("listNotifications", ctx -> {
        JsonObject query = new JsonObject();
        for (String name : new String[] {"aura_id", "state", "before"}) {
          String value = ctx.queryParams().get(name);
          if (value != null) {
            query.put(name, value);
          }
        }
        String limit = ctx.queryParams().get("limit");
        if (limit != null) {
          query.put("limit", Integer.parseInt(limit));
        }
        return hub.notifications(query, Callers.of(ctx)).map(Reply::ok);
      }),
      Map.entry("sendNotification", ctx -> hub.send(body(ctx), Callers.of(ctx)).map(sent -> Reply.json(202, sent))),
      Map.entry("acknowledgeNotification", ctx -> hub.acknowledge(ctx.pathParam("notification_id"), Callers.of(ctx))
        .map(Reply::ok)),
      Map.entry("ringReceipts", ctx -> hub.ringReceipts(ctx.pathParam("call_id"), Callers.of(ctx)).map(Reply::ok)));
  }

  private static String auraId(RoutingContext ctx) {
    return ctx.pathParam("aura_id");
  }

  private static JsonObject body(RoutingContext ctx) {
    JsonObject body = ctx.body().asJsonObject();
    return body == null ? new JsonObject() : body;
  }
}
