package io.auralink.comm.notification;

import io.auralink.comm.node.Node;
import io.auralink.comm.testing.Await;
import io.auralink.comm.testing.Http;
import io.auralink.comm.testing.TestNodes;
import io.auralink.comm.testing.Tokens;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.handler.BodyHandler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Delivery channels beside webhooks and the circuit breaker: a Matrix push gateway stand-in receives the Push
 * Gateway API's notify body, and a destination that keeps failing has its circuit opened, so its deliveries wait
 * without spending attempts while another destination is served at once.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NotificationDeliveryTest {

  private static Vertx standInVertx;
  private static HttpServer gateway;
  private static HttpServer broken;
  private static final List<JsonObject> pushed = new CopyOnWriteArrayList<>();
  private static final AtomicInteger brokenCalls = new AtomicInteger();
  private static Node node;
  private static Http http;
  private static Tokens tokens;
  private static String registrar;
  private static String sender;

  @BeforeAll
  static void start() {
    standInVertx = Vertx.vertx();
    Router gatewayRouter = Router.router(standInVertx);
    gatewayRouter.route().handler(BodyHandler.create());
    gatewayRouter.post("/_matrix/push/v1/notify").handler(ctx -> {
      pushed.add(ctx.body().asJsonObject());
      ctx.json(new JsonObject().put("rejected", new JsonArray()));
    });
    gateway = Await.result(standInVertx.createHttpServer().requestHandler(gatewayRouter).listen(0, "127.0.0.1"));
    broken = Await.result(standInVertx.createHttpServer().requestHandler(request -> {
      brokenCalls.incrementAndGet();
      request.response().setStatusCode(503).end();
    }).listen(0, "127.0.0.1"));

    Map<String, String> settings = TestNodes.settings("notification_delivery");
    settings.put("AURALINK_NOTIFICATION_POLL_INTERVAL", "100ms");
    settings.put("AURALINK_NOTIFICATION_INITIAL_BACKOFF", "100ms");
    settings.put("AURALINK_NOTIFICATION_MAX_BACKOFF", "100ms");
    settings.put("AURALINK_NOTIFICATION_MAX_ATTEMPTS", "4");
    settings.put("AURALINK_NOTIFICATION_BREAKER_FAILURES", "2");
    settings.put("AURALINK_NOTIFICATION_BREAKER_RESET", "60s");
    node = TestNodes.start(settings);
    http = new Http(node.vertx(), Integer.parseInt(settings.get("AURALINK_HTTP_PORT")));
    tokens = new Tokens(node.vertx());
    registrar = tokens.hs256(Tokens.service("dashboard", "identity:write"));
    sender = tokens.hs256(Tokens.service("verifier", "notifications:write"));
  }

  @AfterAll
  static void stop() {
    http.close();
    TestNodes.stop(node);
    Await.result(standInVertx.close());
  }

  private static JsonObject ok(HttpResponse<Buffer> response, int status) {
    assertEquals(status, response.statusCode(), response.bodyAsString());
    return response.bodyAsJsonObject();
  }

  @Test
  void a_push_gateway_gets_the_notify_body_and_a_failing_destination_opens_its_circuit_without_spending_attempts() {
    String auraId = ok(http.post("/internal/auraid", registrar, new JsonObject().put("username", "pushed")
      .put("user_id", "acct-pushed")), 201).getString("aura_id");
    String own = tokens.hs256(Tokens.user(auraId));
    ok(http.post("/internal/auraid/" + auraId + "/apps", own, new JsonObject().put("app_id", "im.sygnal.app")
      .put("display_name", "Sygnal app").put("devices", new JsonArray().add(new JsonObject().put("device_id", "phone")
        .put("channel", new JsonObject().put("type", "push_gateway").put("pushkey", "pk-1")
          .put("url", "http://127.0.0.1:" + gateway.actualPort() + "/_matrix/push/v1/notify"))))), 201);
    ok(http.post("/internal/auraid/" + auraId + "/apps", own, new JsonObject().put("app_id", "down")
      .put("display_name", "Down").put("devices", new JsonArray().add(new JsonObject().put("device_id", "box")
        .put("channel", new JsonObject().put("type", "webhook")
          .put("url", "http://127.0.0.1:" + broken.actualPort() + "/hook"))))), 201);

    for (int i = 0; i < 3; i++) {
      ok(http.post("/internal/notifications", sender, new JsonObject().put("aura_id", auraId).put("kind", "system")
        .put("data", new JsonObject().put("n", i))), 202);
    }
    Await.until(Duration.ofSeconds(10), "three pushes", () -> pushed.size() == 3);
    JsonObject notification = pushed.get(0).getJsonObject("notification");
    assertEquals("system", notification.getString("type"));
    JsonObject device = notification.getJsonArray("devices").getJsonObject(0);
    assertEquals("im.sygnal.app", device.getString("app_id"));
    assertEquals("pk-1", device.getString("pushkey"));
    assertTrue(device.getJsonObject("data").containsKey("n"));

    Await.until(Duration.ofSeconds(10), "the circuit to hold back the failing destination", () -> {
      JsonArray waiting = ok(http.get("/internal/notifications?state=pending", own), 200).getJsonArray("notifications");
      return waiting.size() == 3 && waiting.stream().map(n -> (JsonObject) n)
        .allMatch(n -> "circuit open for this destination".equals(n.getString("last_error")));
    });
    // The deliveries already on their way when the second failure opened the circuit still arrived (one batch);
    // from then on the destination is left alone although the back-off would have retried every 100 ms.
    int calls = brokenCalls.get();
    assertTrue(calls >= 2 && calls <= 3, calls + " calls");
    Await.result(io.vertx.core.Future.future(promise -> node.vertx().setTimer(1000, id -> promise.complete())));
    assertEquals(calls, brokenCalls.get(), "no call while the circuit is open");
    JsonArray waiting = ok(http.get("/internal/notifications?state=pending", own), 200).getJsonArray("notifications");
    assertTrue(waiting.stream().map(n -> (JsonObject) n).allMatch(n -> n.getInteger("attempts") <= 1),
      "waiting on an open circuit spends no attempt: " + waiting);
    assertEquals(0, ok(http.get("/internal/notifications?state=dead", own), 200).getJsonArray("notifications").size());
  }
}
