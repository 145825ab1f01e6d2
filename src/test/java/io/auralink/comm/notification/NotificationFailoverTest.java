package io.auralink.comm.notification;

import io.auralink.comm.node.Node;
import io.auralink.comm.platform.storage.EmbeddedStores;
import io.auralink.comm.testing.Await;
import io.auralink.comm.testing.Http;
import io.auralink.comm.testing.TestNodes;
import io.auralink.comm.testing.Tokens;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The queue outlives the member delivering from it: the only hub member takes a delivery and stops while the
 * receiver has not answered; a member started later takes the delivery over from PostgreSQL and delivers it, once.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class NotificationFailoverTest {

  private static Vertx receiverVertx;
  private static HttpServer receiver;
  private static final AtomicBoolean answering = new AtomicBoolean(false);
  private static final AtomicInteger requests = new AtomicInteger();
  private static final List<String> accepted = new CopyOnWriteArrayList<>();
  private static final String CLUSTER = "auralink-test-" + UUID.randomUUID();
  private static final int API_PORT = EmbeddedStores.freePort();
  private static final int FIRST_HUB_PORT = EmbeddedStores.freePort();
  private static final int SECOND_HUB_PORT = EmbeddedStores.freePort();
  private static final String MEMBERS = "127.0.0.1:" + API_PORT + ",127.0.0.1:" + FIRST_HUB_PORT + ",127.0.0.1:"
    + SECOND_HUB_PORT;
  private static Map<String, String> apiSettings;
  private static Node apiNode;
  private static Http http;

  @BeforeAll
  static void start() {
    receiverVertx = Vertx.vertx();
    receiver = Await.result(receiverVertx.createHttpServer().requestHandler(request -> {
      requests.incrementAndGet();
      if (answering.get()) {
        accepted.add(request.getHeader("webhook-id"));
        request.response().setStatusCode(204).end();
      }
      // Otherwise the receiver never answers: the delivery stays in flight on the member that took it.
    }).listen(0, "127.0.0.1"));
    apiSettings = TestNodes.settings("notification_failover", CLUSTER, API_PORT, MEMBERS);
    apiSettings.put("AURALINK_ROLES", "api,identity,trust,mesh,call,presence");
    apiNode = TestNodes.start(apiSettings);
    http = new Http(apiNode.vertx(), Integer.parseInt(apiSettings.get("AURALINK_HTTP_PORT")));
  }

  @AfterAll
  static void stop() {
    http.close();
    TestNodes.stop(apiNode);
    Await.result(receiverVertx.close());
  }

  private static Map<String, String> hubSettings(String purpose, int port) {
    Map<String, String> settings = TestNodes.settings(purpose, CLUSTER, port, MEMBERS);
    settings.put("AURALINK_DATABASE_URL", apiSettings.get("AURALINK_DATABASE_URL"));
    settings.put("AURALINK_REDIS_URL", apiSettings.get("AURALINK_REDIS_URL"));
    settings.put("AURALINK_ROLES", "notification");
    settings.put("AURALINK_NOTIFICATION_POLL_INTERVAL", "100ms");
    settings.put("AURALINK_NOTIFICATION_REQUEST_TIMEOUT", "1s");
    settings.put("AURALINK_NOTIFICATION_INITIAL_BACKOFF", "100ms");
    return settings;
  }

  private static JsonObject ok(HttpResponse<Buffer> response, int status) {
    assertEquals(status, response.statusCode(), response.bodyAsString());
    return response.bodyAsJsonObject();
  }

  @Test
  void a_delivery_taken_by_a_member_that_stops_is_delivered_once_by_another_member() {
    Node firstHub = TestNodes.start(hubSettings("hub_first", FIRST_HUB_PORT));
    Tokens tokens = new Tokens(apiNode.vertx());
    String auraId = ok(http.post("/internal/auraid", tokens.hs256(Tokens.service("dashboard", "identity:write")),
      new JsonObject().put("username", "durable").put("user_id", "acct-durable")), 201).getString("aura_id");
    String own = tokens.hs256(Tokens.user(auraId));
    ok(http.post("/internal/auraid/" + auraId + "/apps", own, new JsonObject().put("app_id", "chat")
      .put("display_name", "Chat").put("devices", new JsonArray().add(new JsonObject().put("device_id", "phone")
        .put("channel", new JsonObject().put("type", "webhook")
          .put("url", "http://127.0.0.1:" + receiver.actualPort() + "/hook"))))), 201);
    ok(http.post("/internal/notifications", tokens.hs256(Tokens.service("verifier", "notifications:write")),
      new JsonObject().put("aura_id", auraId).put("kind", "system").put("id", "durable-1")), 202);
    Await.until(Duration.ofSeconds(10), "the first member to take the delivery", () -> requests.get() > 0);

    TestNodes.stop(firstHub);
    answering.set(true);
    Node secondHub = TestNodes.start(hubSettings("hub_second", SECOND_HUB_PORT));
    try {
      Await.until(Duration.ofSeconds(30), "the second member to deliver it", () -> !accepted.isEmpty());
      Await.until(Duration.ofSeconds(10), "the delivery to be recorded", () -> ok(http.get(
        "/internal/notifications?state=delivered", own), 200).getJsonArray("notifications").size() == 1);
      JsonObject delivered = ok(http.get("/internal/notifications", own), 200).getJsonArray("notifications")
        .getJsonObject(0);
      assertEquals(List.of(delivered.getString("notification_id")), accepted, "delivered once, under its own id");
    } finally {
      TestNodes.stop(secondHub);
    }
  }
}
