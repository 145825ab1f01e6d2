package io.auralink.comm.notification;

import io.auralink.comm.node.Node;
import io.auralink.comm.testing.Await;
import io.auralink.comm.testing.Http;
import io.auralink.comm.testing.TestNodes;
import io.auralink.comm.testing.Tokens;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
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

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The notification hub end to end with the call domain, through the HTTP API of one node against real PostgreSQL:
 * apps deliver to a receiving test server that verifies every webhook with a Standard Webhooks verifier written here
 * from the specification; ring control (ring all, preferred app, do-not-disturb, contacts only, answered elsewhere,
 * no stale ring after the answer); retries and the dead letter.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class NotificationHubTest {

  private static final AtomicInteger NAMES = new AtomicInteger();

  private static Vertx receiverVertx;
  private static HttpServer receiver;
  /** Signing secrets by receiver path (one path per app), registered by the tests. */
  private static final Map<String, String> secrets = new ConcurrentHashMap<>();
  /** Paths that answer 500 for now. */
  private static final Set<String> failing = ConcurrentHashMap.newKeySet();
  /** Verified and accepted deliveries: {path, device, id, type, data}. */
  private static final List<JsonObject> received = new CopyOnWriteArrayList<>();
  /** Deliveries whose signature did not verify. */
  private static final List<String> forged = new CopyOnWriteArrayList<>();
  private static final AtomicInteger attempts = new AtomicInteger();

  private static Node node;
  private static int httpPort;
  private static Http http;
  private static Tokens tokens;
  private static String registrar;
  private static String sender;

  // ---- a Standard Webhooks verifier, written from the specification -----------------------------------------

  /**
   * The specification: the signed content is {@code id + "." + timestamp + "." + body}; the key is the base64 part
   * of the secret after {@code whsec_}; the header lists space-separated {@code v1,<base64 HMAC-SHA256>} signatures,
   * any of which may match (compared in constant time); the timestamp must be within five minutes of now.
   */
  static boolean verify(String secret, String id, String timestamp, String signatures, String body) throws Exception {
    if (id == null || timestamp == null || signatures == null) {
      return false;
    }
    long sent = Long.parseLong(timestamp);
    if (Math.abs(System.currentTimeMillis() / 1000 - sent) > 300) {
      return false;
    }
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring("whsec_".length())), "HmacSHA256"));
    byte[] expected = mac.doFinal((id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
    for (String signature : signatures.split(" ")) {
      String[] parts = signature.split(",", 2);
      if (parts.length == 2 && "v1".equals(parts[0])
        && MessageDigest.isEqual(expected, Base64.getDecoder().decode(parts[1]))) {
        return true;
      }
    }
    return false;
  }

  @BeforeAll
  static void start() {
    receiverVertx = Vertx.vertx();
    Router router = Router.router(receiverVertx);
    router.route().handler(BodyHandler.create());
    router.post("/hooks/:app/:device").handler(ctx -> {
      attempts.incrementAndGet();
      String path = ctx.pathParam("app");
      String body = ctx.body().asString();
      try {
        if (!verify(secrets.get(path), ctx.request().getHeader("webhook-id"),
          ctx.request().getHeader("webhook-timestamp"), ctx.request().getHeader("webhook-signature"), body)) {
          forged.add(path + ": " + body);
          ctx.response().setStatusCode(401).end();
          return;
        }
      } catch (Exception e) {
        forged.add(path + ": " + e);
        ctx.response().setStatusCode(400).end();
        return;
      }
      if (failing.contains(path)) {
        ctx.response().setStatusCode(500).end();
        return;
      }
      JsonObject message = new JsonObject(body);
      received.add(new JsonObject().put("path", path).put("device", ctx.pathParam("device"))
        .put("id", ctx.request().getHeader("webhook-id")).put("type", message.getString("type"))
        .put("data", message.getJsonObject("data")));
      ctx.response().setStatusCode(204).end();
    });
    receiver = Await.result(receiverVertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));

    Map<String, String> settings = TestNodes.settings("notification");
    settings.put("AURALINK_NOTIFICATION_POLL_INTERVAL", "100ms");
    settings.put("AURALINK_NOTIFICATION_INITIAL_BACKOFF", "200ms");
    settings.put("AURALINK_NOTIFICATION_MAX_BACKOFF", "400ms");
    settings.put("AURALINK_NOTIFICATION_MAX_ATTEMPTS", "3");
    settings.put("AURALINK_NOTIFICATION_BREAKER_FAILURES", "1000");
    settings.put("AURALINK_CALL_SWEEP_INTERVAL", "200ms");
    settings.put("AURALINK_NOTIFICATION_STREAM_HEARTBEAT", "200ms");
    node = TestNodes.start(settings);
    httpPort = Integer.parseInt(settings.get("AURALINK_HTTP_PORT"));
    http = new Http(node.vertx(), Integer.parseInt(settings.get("AURALINK_HTTP_PORT")));
    tokens = new Tokens(node.vertx());
    registrar = tokens.hs256(Tokens.service("dashboard", "identity:write"));
    sender = tokens.hs256(Tokens.service("verifier", "notifications:write"));
  }

  @AfterAll
  static void stop() {
    http.close();
    TestNodes.stop(node);
    Await.result(receiverVertx.close());
  }

  // ---- helpers ----------------------------------------------------------------------------------------------

  private static String person() {
    String username = "n_" + NAMES.incrementAndGet();
    return http.register(registrar, username);
  }

  private static String user(String auraId) {
    return tokens.hs256(Tokens.user(auraId));
  }

  private static JsonObject ok(HttpResponse<Buffer> response, int status) {
    assertEquals(status, response.statusCode(), response.bodyAsString());
    return response.bodyAsJsonObject();
  }

  /** Registers an app whose devices deliver to the receiver at /hooks/{path}/{device}; answers the path. */
  private static String app(String auraId, String appId, String... devices) {
    String path = appId + "-" + NAMES.incrementAndGet();
    JsonArray list = new JsonArray();
    for (String device : devices) {
      list.add(new JsonObject().put("device_id", device).put("channel", new JsonObject().put("type", "webhook")
        .put("url", "http://127.0.0.1:" + receiver.actualPort() + "/hooks/" + path + "/" + device)));
    }
    JsonObject registered = ok(http.post("/internal/auraid/" + auraId + "/apps", user(auraId), new JsonObject()
      .put("app_id", appId).put("display_name", appId).put("devices", list)), 201);
    String secret = registered.getString("signing_secret");
    assertTrue(secret.startsWith("whsec_"), secret);
    secrets.put(path, secret);
    return path;
  }

  private static void preferences(String auraId, JsonObject preferences) {
    ok(http.send(HttpMethod.PUT, "/internal/auraid/" + auraId + "/notification-preferences", user(auraId),
      preferences.toBuffer()), 200);
  }

  private static String call(String caller, String callee) {
    return ok(http.post("/internal/calls", user(caller), new JsonObject().put("callee_aura_id", callee)
      .put("device_id", "desk").put("media_type", "audio").put("ring_seconds", 20)), 201).getString("call_id");
  }

  private static List<JsonObject> receivedAt(String path, String type) {
    return received.stream().filter(r -> path.equals(r.getString("path")) && type.equals(r.getString("type")))
      .toList();
  }

  private static Set<String> devicesReached(String path, String type) {
    return Set.copyOf(receivedAt(path, type).stream().map(r -> r.getString("device")).toList());
  }

  // ---- ring control -----------------------------------------------------------------------------------------

  @Test
  void a_ring_reaches_every_device_signed_and_an_answer_tells_every_other_device_it_was_answered_elsewhere() {
    String alice = person();
    String bob = person();
    String path = app(bob, "chat", "phone", "tablet", "watch");
    String callId = call(alice, bob);
    Await.until(Duration.ofSeconds(10), "the ring on three devices",
      () -> devicesReached(path, "call.incoming").size() == 3);
    JsonObject ring = receivedAt(path, "call.incoming").get(0).getJsonObject("data");
    assertEquals(callId, ring.getString("call_id"));
    assertEquals(alice, ring.getString("caller_aura_id"));

    ok(http.post("/internal/calls/" + callId + "/answer", user(bob), new JsonObject().put("device_id", "phone")), 200);
    Await.until(Duration.ofSeconds(10), "answered elsewhere on the two other devices",
      () -> devicesReached(path, "call.answered_elsewhere").equals(Set.of("tablet", "watch")));

    JsonObject receipts = ok(http.get("/internal/calls/" + callId + "/ring", user(alice)), 200);
    assertEquals(3, receipts.getInteger("devices"));
    assertEquals(3, receipts.getInteger("delivered"));
    assertTrue(forged.isEmpty(), forged.toString());
    assertEquals(0, devicesReached(path, "call.answered_elsewhere").stream().filter("phone"::equals).count());
  }

  @Test
  void every_callee_of_a_call_is_rung_and_one_who_declines_stops_ringing_while_the_others_still_ring() {
    String alice = person();
    String bob = person();
    String carol = person();
    String bobs = app(bob, "chat", "phone");
    String carols = app(carol, "chat", "laptop");
    String callId = ok(http.post("/internal/calls", user(alice), new JsonObject()
      .put("callees", new JsonArray().add(bob).add(carol)).put("device_id", "desk").put("media_type", "audio")
      .put("ring_seconds", 20)), 201).getString("call_id");
    Await.until(Duration.ofSeconds(10), "both callees rung", () -> devicesReached(bobs, "call.incoming").size() == 1
      && devicesReached(carols, "call.incoming").size() == 1);
    assertEquals(new JsonArray().add(bob).add(carol),
      receivedAt(carols, "call.incoming").get(0).getJsonObject("data").getJsonArray("callee_aura_ids"));

    ok(http.post("/internal/calls/" + callId + "/decline", user(bob), new JsonObject()), 200);
    Await.until(Duration.ofSeconds(10), "bob's ring cancelled", () -> devicesReached(bobs, "call.ring_cancelled")
      .equals(Set.of("phone")));
    assertEquals(Set.of(), devicesReached(carols, "call.ring_cancelled"), "carol's call still rings");

    ok(http.post("/internal/calls/" + callId + "/answer", user(carol), new JsonObject().put("device_id", "laptop")),
      200);
  }

  @Test
  void a_device_acknowledges_a_ring_and_the_caller_reads_it_in_the_receipts() {
    String alice = person();
    String bob = person();
    String path = app(bob, "chat", "phone");
    String callId = call(alice, bob);
    Await.until(Duration.ofSeconds(10), "the ring", () -> !receivedAt(path, "call.incoming").isEmpty());
    String notificationId = receivedAt(path, "call.incoming").get(0).getString("id");
    JsonObject acknowledged = ok(http.post("/internal/notifications/" + notificationId + "/ack", user(bob),
      new JsonObject()), 200);
    assertNotNull(acknowledged.getString("acknowledged_at"));
    assertEquals(404, http.post("/internal/notifications/" + notificationId + "/ack", user(alice), new JsonObject())
      .statusCode(), "another person's notification is not found");
    assertEquals(1, ok(http.get("/internal/calls/" + callId + "/ring", user(alice)), 200).getInteger("acknowledged"));
    String stranger = person();
    assertEquals(404, http.get("/internal/calls/" + callId + "/ring", user(stranger)).statusCode());
  }

  @Test
  void with_ring_preferred_only_the_preferred_app_rings() {
    String alice = person();
    String bob = person();
    String chat = app(bob, "chat", "phone");
    String work = app(bob, "work", "laptop");
    preferences(bob, new JsonObject().put("ring", "preferred").put("preferred_apps", new JsonArray().add("work")));
    String callId = call(alice, bob);
    Await.until(Duration.ofSeconds(10), "the preferred app to ring", () -> !receivedAt(work, "call.incoming").isEmpty());
    ok(http.post("/internal/calls/" + callId + "/cancel", user(alice), new JsonObject()), 200);
    Await.until(Duration.ofSeconds(10), "the ring to be cancelled", () -> !receivedAt(work, "call.ring_cancelled").isEmpty());
    assertTrue(receivedAt(chat, "call.incoming").isEmpty(), "the other app did not ring");
  }

  @Test
  void do_not_disturb_and_contacts_only_suppress_the_ring_and_the_call_still_rings_out() {
    String alice = person();
    String resting = person();
    String choosy = person();
    String restingPath = app(resting, "chat", "phone");
    String choosyPath = app(choosy, "chat", "phone");
    preferences(resting, new JsonObject().put("time_zone", "Europe/Paris")
      .put("dnd", new JsonArray().add(new JsonObject().put("start", "00:00").put("end", "00:00"))
        .add(new JsonObject().put("start", "00:00").put("end", "23:59"))
        .add(new JsonObject().put("start", "23:59").put("end", "00:01"))));
    preferences(choosy, new JsonObject().put("contacts_only", true));
    String first = call(alice, resting);
    String second = call(alice, choosy);
    String friend = person();
    ok(http.post("/internal/auraid/" + friend + "/contacts", user(friend), new JsonObject().put("contact", choosy)), 200);
    ok(http.post("/internal/auraid/" + choosy + "/contacts", user(choosy), new JsonObject().put("contact", friend)), 200);
    String third = call(friend, choosy);
    Await.until(Duration.ofSeconds(10), "a contact's call to ring", () -> receivedAt(choosyPath, "call.incoming")
      .stream().anyMatch(r -> third.equals(r.getJsonObject("data").getString("call_id"))));
    assertTrue(receivedAt(restingPath, "call.incoming").isEmpty(), "do-not-disturb rang");
    assertTrue(receivedAt(choosyPath, "call.incoming").stream()
      .noneMatch(r -> second.equals(r.getJsonObject("data").getString("call_id"))), "a stranger's call rang");
    assertEquals("ringing", ok(http.get("/internal/calls/" + first, user(alice)), 200).getString("state"));
  }

  @Test
  void a_suppressed_ring_is_visible_with_its_reason_and_the_missed_call_still_reaches_the_devices() {
    String alice = person();
    String resting = person();
    String choosy = person();
    String restingPath = app(resting, "chat", "phone", "tablet");
    String choosyPath = app(choosy, "chat", "phone");
    preferences(resting, new JsonObject().put("dnd", new JsonArray()
      .add(new JsonObject().put("start", "00:00").put("end", "23:59"))
      .add(new JsonObject().put("start", "23:59").put("end", "00:01"))));
    preferences(choosy, new JsonObject().put("contacts_only", true));
    String dnd = shortCall(alice, resting);
    String stranger = shortCall(alice, choosy);

    Await.until(Duration.ofSeconds(10), "the suppressed ring in the receipts", () -> ok(http.get(
      "/internal/calls/" + dnd + "/ring", user(alice)), 200).getInteger("suppressed") == 2);
    JsonObject receipts = ok(http.get("/internal/calls/" + dnd + "/ring", user(alice)), 200);
    assertEquals(2, receipts.getInteger("devices"));
    assertEquals(0, receipts.getInteger("delivered"));
    for (Object receipt : receipts.getJsonArray("receipts")) {
      assertEquals("suppressed", ((JsonObject) receipt).getString("state"));
      assertEquals("do_not_disturb", ((JsonObject) receipt).getString("suppressed_reason"));
    }
    Await.until(Duration.ofSeconds(10), "the stranger's suppressed ring", () -> ok(http.get(
      "/internal/calls/" + stranger + "/ring", user(alice)), 200).getInteger("suppressed") == 1);
    JsonArray listed = ok(http.get("/internal/notifications?state=suppressed", user(choosy)), 200)
      .getJsonArray("notifications");
    assertEquals(1, listed.size(), listed.encode());
    assertEquals("not_a_contact", listed.getJsonObject(0).getString("suppressed_reason"));
    assertEquals(stranger, listed.getJsonObject(0).getString("call_id"));

    // The calls ring out unanswered: missed, and the missed call reaches the devices the ring was suppressed on.
    Await.until(Duration.ofSeconds(20), "the missed call on both of the resting person's devices",
      () -> devicesReached(restingPath, "call.missed").equals(Set.of("phone", "tablet")));
    Await.until(Duration.ofSeconds(20), "the missed call of the stranger",
      () -> devicesReached(choosyPath, "call.missed").equals(Set.of("phone")));
    assertEquals("missed", ok(http.get("/internal/calls/" + dnd, user(alice)), 200).getString("state"));
    assertTrue(receivedAt(restingPath, "call.incoming").isEmpty(), "a suppressed ring was delivered");
    assertTrue(receivedAt(choosyPath, "call.incoming").isEmpty(), "a suppressed ring was delivered");
    assertEquals(2, ok(http.get("/internal/calls/" + dnd + "/ring", user(alice)), 200).getInteger("suppressed"),
      "still suppressed after the call left ringing");
  }

  /** A call that rings for two seconds only, so that it is missed soon. */
  private static String shortCall(String caller, String callee) {
    return ok(http.post("/internal/calls", user(caller), new JsonObject().put("callee_aura_id", callee)
      .put("device_id", "desk").put("media_type", "audio").put("ring_seconds", 2)), 201).getString("call_id");
  }

  @Test
  void a_ring_that_could_not_be_delivered_before_the_answer_is_never_delivered_after_it() {
    String alice = person();
    String bob = person();
    String path = app(bob, "chat", "phone", "tablet");
    failing.add(path);
    String callId = call(alice, bob);
    Await.until(Duration.ofSeconds(10), "delivery attempts", () -> ok(http.get("/internal/notifications?state=pending",
      user(bob)), 200).getJsonArray("notifications").size() == 2);
    ok(http.post("/internal/calls/" + callId + "/answer", user(bob), new JsonObject().put("device_id", "phone")), 200);
    failing.remove(path);
    Await.until(Duration.ofSeconds(10), "the rings to be cancelled", () -> ok(http.get(
      "/internal/notifications?state=cancelled", user(bob)), 200).getJsonArray("notifications").size() == 2);
    assertTrue(receivedAt(path, "call.incoming").isEmpty(), "a ring was delivered after the answer");
  }

  // ---- the live stream ------------------------------------------------------------------------------------

  /** An open stream: everything received so far, as text. */
  private record Stream(io.vertx.core.http.HttpClient client, StringBuffer text) {

    List<String> ids() {
      return text.toString().lines().filter(line -> line.startsWith("id: ")).map(line -> line.substring(4)).toList();
    }

    void close() {
      Await.result(client.close());
    }
  }

  private static Stream open(String token, String lastEventId) {
    io.vertx.core.http.HttpClient client = node.vertx().createHttpClient();
    StringBuffer text = new StringBuffer();
    io.vertx.core.http.HttpClientResponse response = Await.result(client.request(HttpMethod.GET, httpPort,
        "127.0.0.1", "/internal/notifications/stream")
      .compose(request -> {
        request.putHeader("Authorization", "Bearer " + token);
        if (lastEventId != null) {
          request.putHeader("Last-Event-ID", lastEventId);
        }
        return request.send();
      })
      // Read from the first chunk on: a handler set later, from the test thread, would miss what came before it.
      .map(answer -> answer.handler(chunk -> text.append(chunk.toString()))));
    assertEquals(200, response.statusCode());
    assertEquals("text/event-stream", response.getHeader("Content-Type"));
    return new Stream(client, text);
  }

  private static String system(String auraId, String text) {
    ok(http.post("/internal/notifications", sender, new JsonObject().put("aura_id", auraId).put("kind", "system")
      .put("data", new JsonObject().put("text", text))), 202);
    return text;
  }

  @Test
  void the_live_stream_delivers_with_heartbeats_and_resumes_after_a_disconnect_from_the_last_event_id() {
    String fay = person();
    ok(http.post("/internal/auraid/" + fay + "/apps", user(fay), new JsonObject().put("app_id", "desk")
      .put("display_name", "Desk").put("devices", new JsonArray().add(new JsonObject().put("device_id", "browser")
        .put("channel", new JsonObject().put("type", "stream"))))), 201);
    Stream first = open(user(fay), null);
    system(fay, "one");
    Await.until(Duration.ofSeconds(10), "the first event", () -> first.ids().size() == 1);
    Await.until(Duration.ofSeconds(5), "a heartbeat", () -> first.text().toString().contains(": heartbeat"));
    assertTrue(first.text().toString().contains("event: system"), first.text().toString());
    assertTrue(first.text().toString().contains("\"text\":\"one\""), first.text().toString());
    String lastSeen = first.ids().get(0);
    first.close();

    system(fay, "two");
    system(fay, "three");
    Await.until(Duration.ofSeconds(10), "the two to be delivered while away", () -> ok(http.get(
      "/internal/notifications?state=delivered", user(fay)), 200).getJsonArray("notifications").size() == 3);
    Stream resumed = open(user(fay), lastSeen);
    Await.until(Duration.ofSeconds(10), "the missed events", () -> resumed.ids().size() == 2);
    String text = resumed.text().toString();
    assertTrue(text.indexOf("\"two\"") < text.indexOf("\"three\"") && text.indexOf("\"two\"") > 0, text);
    system(fay, "four");
    Await.until(Duration.ofSeconds(10), "the live event after the backlog", () -> resumed.ids().size() == 3);
    assertEquals(3, Set.copyOf(resumed.ids()).size(), "each event once");
    resumed.close();

    assertEquals(403, http.get("/internal/notifications/stream", tokens.hs256(Tokens.service("hub",
      "notifications:read"))).statusCode(), "a service streams only as a person");
  }

  // ---- retries and the dead letter --------------------------------------------------------------------------

  @Test
  void a_delivery_is_retried_with_back_off_then_dead_lettered_and_visible() {
    String carol = person();
    String path = app(carol, "mail", "laptop");
    failing.add(path);
    JsonObject queued = ok(http.post("/internal/notifications", sender, new JsonObject().put("aura_id", carol)
      .put("kind", "system").put("data", new JsonObject().put("text", "hello")).put("id", "note-1")), 202);
    assertEquals(1, queued.getInteger("queued"));
    assertEquals(0, ok(http.post("/internal/notifications", sender, new JsonObject().put("aura_id", carol)
      .put("kind", "system").put("id", "note-1")), 202).getInteger("queued"), "the same id queues nothing again");
    Await.until(Duration.ofSeconds(15), "the dead letter", () -> ok(http.get(
      "/internal/notifications?state=dead", user(carol)), 200).getJsonArray("notifications").size() == 1);
    JsonObject dead = ok(http.get("/internal/notifications?state=dead", user(carol)), 200)
      .getJsonArray("notifications").getJsonObject(0);
    assertEquals(3, dead.getInteger("attempts"));
    assertEquals("HTTP 500", dead.getString("last_error"));
    failing.remove(path);

    String dave = person();
    String davePath = app(dave, "mail", "laptop");
    ok(http.post("/internal/notifications", sender, new JsonObject().put("aura_id", dave).put("kind", "verification")
      .put("data", new JsonObject().put("code", "123456"))), 202);
    Await.until(Duration.ofSeconds(10), "the verification", () -> !receivedAt(davePath, "verification").isEmpty());
    assertEquals("123456", receivedAt(davePath, "verification").get(0).getJsonObject("data").getString("code"));
  }

  @Test
  void a_person_registers_at_most_twenty_apps() {
    String owner = person();
    for (int i = 0; i < 20; i++) {
      assertEquals(201, http.post("/internal/auraid/" + owner + "/apps", user(owner), new JsonObject()
        .put("app_id", "app" + i).put("display_name", "App " + i)).statusCode());
    }
    HttpResponse<Buffer> refused = http.post("/internal/auraid/" + owner + "/apps", user(owner), new JsonObject()
      .put("app_id", "one-more").put("display_name", "One more"));
    assertEquals(409, refused.statusCode(), refused.bodyAsString());
    assertEquals("APP_LIMIT_REACHED", refused.bodyAsJsonObject().getJsonObject("error").getString("code"));
    assertEquals(20, refused.bodyAsJsonObject().getJsonObject("error").getJsonObject("details").getInteger("max_apps"));
    assertEquals("APP_EXISTS", http.post("/internal/auraid/" + owner + "/apps", user(owner), new JsonObject()
      .put("app_id", "app0").put("display_name", "again")).bodyAsJsonObject().getJsonObject("error").getString("code"),
      "an app registered before is still a duplicate");
    ok(http.send(HttpMethod.DELETE, "/internal/auraid/" + owner + "/apps/app0", user(owner), null), 200);
    assertEquals(201, http.post("/internal/auraid/" + owner + "/apps", user(owner), new JsonObject()
      .put("app_id", "one-more").put("display_name", "One more")).statusCode(), "a removed app frees its place");
  }

  @Test
  void apps_are_managed_by_their_owner_and_the_secret_is_shown_once() {
    String erin = person();
    String other = person();
    app(erin, "chat", "phone");
    assertEquals(409, http.post("/internal/auraid/" + erin + "/apps", user(erin), new JsonObject().put("app_id", "chat")
      .put("display_name", "again")).statusCode());
    assertEquals(403, http.get("/internal/auraid/" + erin + "/apps", user(other)).statusCode());
    JsonObject listed = ok(http.get("/internal/auraid/" + erin + "/apps", user(erin)), 200);
    JsonObject chat = listed.getJsonArray("apps").getJsonObject(0);
    assertEquals("chat", chat.getString("app_id"));
    assertTrue(!chat.containsKey("signing_secret"));
    JsonObject renamed = ok(http.send(HttpMethod.PATCH, "/internal/auraid/" + erin + "/apps/chat", user(erin),
      new JsonObject().put("display_name", "Chat").toBuffer()), 200);
    assertEquals("Chat", renamed.getString("display_name"));
    assertEquals(1, renamed.getJsonArray("devices").size());
    assertEquals(400, http.post("/internal/auraid/" + erin + "/apps", user(erin), new JsonObject().put("app_id", "x")
      .put("display_name", "x").put("devices", new JsonArray().add(new JsonObject().put("device_id", "d")
        .put("channel", new JsonObject().put("type", "webhook").put("url", "ftp://nowhere"))))).statusCode());
    ok(http.send(HttpMethod.DELETE, "/internal/auraid/" + erin + "/apps/chat", user(erin), null), 200);
    assertEquals(404, http.send(HttpMethod.DELETE, "/internal/auraid/" + erin + "/apps/chat", user(erin), null)
      .statusCode());
  }
}
