package io.auralink.comm.api;

import io.auralink.comm.notification.NotificationEvents;
import io.auralink.comm.notification.NotificationService;
import io.auralink.comm.platform.Caller;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The notification hub over HTTP; it only translates between HTTP and {@link NotificationService}, and serves a
 * person's live stream (Server-Sent Events) from their stream deliveries, wherever in the cluster they were made.
 */
final class NotificationRoutes implements RouteGroup {

  private final NotificationService hub;
  private final Vertx vertx;
  private final long heartbeatMillis;

  NotificationRoutes(NotificationService hub, Vertx vertx, Duration heartbeat) {
    this.hub = hub;
    this.vertx = vertx;
    this.heartbeatMillis = heartbeat.toMillis();
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
      Map.entry("listNotifications", ctx -> hub.notifications(HistoryQuery.of(ctx), Callers.of(ctx)).map(Reply::ok)),
      Map.entry("sendNotification", ctx -> hub.send(body(ctx), Callers.of(ctx)).map(sent -> Reply.json(202, sent))),
      Map.entry("acknowledgeNotification", ctx -> hub.acknowledge(ctx.pathParam("notification_id"), Callers.of(ctx))
        .map(Reply::ok)),
      Map.entry("notificationStream", this::stream),
      Map.entry("ringReceipts", ctx -> hub.ringReceipts(ctx.pathParam("call_id"), Callers.of(ctx)).map(Reply::ok)));
  }

  /**
   * The live stream: listens for the person's deliveries first, then (authorized by the hub) sends what a
   * reconnecting client missed after {@code Last-Event-ID}, then what arrived meanwhile, then live events, each
   * once; heartbeat comments keep idle proxies from closing it.
   */
  private Future<Reply> stream(RoutingContext ctx) {
    Caller caller = Callers.of(ctx, ctx.queryParams().get("as"));
    String auraId = caller.onBehalfOf();
    if (auraId == null) {
      throw ApiException.forbidden("a service streams as a person: name them in as",
        new JsonObject().put("field", "as"));
    }
    HttpServerResponse response = ctx.response();
    List<JsonObject> arrivedEarly = new ArrayList<>();
    Set<String> sent = new HashSet<>();
    boolean[] live = {false};
    MessageConsumer<JsonObject> deliveries = vertx.eventBus().consumer(NotificationEvents.stream(auraId));
    deliveries.handler(message -> {
      if (live[0]) {
        writeEvent(response, message.body());
      } else {
        arrivedEarly.add(message.body());
      }
    });
    return deliveries.completion()
      .compose(v -> hub.streamBacklog(auraId, ctx.request().getHeader("Last-Event-ID"), caller))
      .onFailure(e -> deliveries.unregister())
      .map(backlog -> {
        response.setChunked(true).setStatusCode(200).putHeader("Content-Type", "text/event-stream")
          .putHeader("Cache-Control", "no-cache").putHeader("X-Accel-Buffering", "no");
        response.write(": stream of " + auraId + "\n\n");
        backlog.getJsonArray("events").forEach(event -> {
          if (sent.add(((JsonObject) event).getString("id"))) {
            writeEvent(response, (JsonObject) event);
          }
        });
        arrivedEarly.stream().filter(event -> sent.add(event.getString("id"))).forEach(e -> writeEvent(response, e));
        live[0] = true;
        long heartbeat = vertx.setPeriodic(heartbeatMillis, id -> response.write(": heartbeat\n\n"));
        response.closeHandler(closed -> {
          vertx.cancelTimer(heartbeat);
          deliveries.unregister();
        });
        return Reply.STREAMING;
      });
  }

  private static void writeEvent(HttpServerResponse response, JsonObject event) {
    if (!response.closed()) {
      response.write("id: " + event.getString("id") + "\nevent: " + event.getString("type") + "\ndata: "
        + event.encode() + "\n\n");
    }
  }

  private static String auraId(RoutingContext ctx) {
    return ctx.pathParam("aura_id");
  }

  private static JsonObject body(RoutingContext ctx) {
    JsonObject body = ctx.body().asJsonObject();
    return body == null ? new JsonObject() : body;
  }
}
