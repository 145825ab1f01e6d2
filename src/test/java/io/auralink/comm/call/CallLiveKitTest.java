package io.auralink.comm.call;

import io.auralink.comm.call.livekit.LiveKitTokens;
import io.auralink.comm.call.livekit.RoomService;
import io.auralink.comm.node.Node;
import io.auralink.comm.platform.storage.EmbeddedStores;
import io.auralink.comm.testing.Await;
import io.auralink.comm.testing.Http;
import io.auralink.comm.testing.TestNodes;
import io.auralink.comm.testing.Tokens;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Calls with LiveKit configured, against a stand-in that checks RoomService requests as LiveKit would (path, JSON
 * body, a token signed with the secret whose grants cover the method): rooms created for central routes, join
 * tokens per device, rooms closed when calls end, participants removed on suspension, a refused room fails the call.
 */
class CallLiveKitTest {

  static final String KEY = "APIcalltest";
  static final String SECRET = "livekit-call-test-secret-0123456789-abcdef";
  private static final AtomicInteger NAMES = new AtomicInteger();

  /** One RoomService request the stand-in accepted: method, body, the token's claims. */
  record Seen(String method, JsonObject body, JsonObject claims) {
  }

  private static Vertx liveKitVertx;
  private static String liveKitUrl;
  static final ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();
  /** CreateRoom answers 503 while set. */
  private static volatile boolean refuseRooms;
  private static Node node;
  private static Http http;
  private static Tokens tokens;
  private static String registrar;
  private static String moderator;

  @BeforeAll
  static void start() {
    liveKitVertx = Vertx.vertx();
    int port = EmbeddedStores.freePort();
    Await.result(liveKitVertx.createHttpServer().requestHandler(CallLiveKitTest::roomService).listen(port, "127.0.0.1"));
    liveKitUrl = "http://127.0.0.1:" + port;
    Map<String, String> settings = TestNodes.settings("calllk");
    settings.put("AURALINK_LIVEKIT_URL", liveKitUrl);
    settings.put("AURALINK_LIVEKIT_API_KEY", KEY);
    settings.put("AURALINK_LIVEKIT_API_SECRET", SECRET);
    settings.put("AURALINK_CALL_ROOM_EMPTY_TIMEOUT", "90s");
    node = TestNodes.start(settings);
    http = new Http(node.vertx(), Integer.parseInt(settings.get("AURALINK_HTTP_PORT")));
    tokens = new Tokens(node.vertx());
    registrar = tokens.hs256(Tokens.service("dashboard", "identity:write"));
    moderator = tokens.hs256(Tokens.service("console", "trust:moderate"));
  }

  @AfterAll
  static void stop() {
    http.close();
    TestNodes.stop(node);
    Await.result(liveKitVertx.close());
  }

  // ---- the stand-in -----------------------------------------------------------------------------------------

  /** As LiveKit: Twirp path, JSON, a valid token whose video grant covers the method, else a Twirp error. */
  static void roomService(HttpServerRequest request) {
    request.body().onSuccess(body -> {
      String prefix = RoomService.PATH;
      if (!"POST".equals(request.method().name()) || !request.path().startsWith(prefix)) {
        twirp(request, 404, "bad_route", "no such route");
        return;
      }
      String method = request.path().substring(prefix.length());
      if (!String.valueOf(request.getHeader("Content-Type")).startsWith("application/json")) {
        twirp(request, 400, "malformed", "json expected");
        return;
      }
      JsonObject json = body.toJsonObject();
      String auth = String.valueOf(request.getHeader("Authorization"));
      JsonObject claims = auth.startsWith("Bearer ") ? verified(auth.substring(7)) : null;
      if (claims == null) {
        twirp(request, 401, "unauthenticated", "invalid token");
        return;
      }
      JsonObject video = claims.getJsonObject("video", new JsonObject());
      boolean granted = switch (method) {
        case "CreateRoom", "DeleteRoom" -> video.getBoolean("roomCreate", false);
        case "RemoveParticipant" -> video.getBoolean("roomAdmin", false)
          && json.getString("room").equals(video.getString("room"));
        default -> false;
      };
      if (!granted) {
        twirp(request, 401, "unauthenticated", "permissions denied");
        return;
      }
      if ("CreateRoom".equals(method) && refuseRooms) {
        twirp(request, 503, "unavailable", "no media nodes");
        return;
      }
      seen.add(new Seen(method, json, claims));
      JsonObject answer = "CreateRoom".equals(method) ? new JsonObject().put("sid", "RM_1")
        .put("name", json.getString("name")).put("empty_timeout", json.getValue("empty_timeout"))
        .put("max_participants", json.getValue("max_participants")).put("creation_time", "1700000000")
        : new JsonObject();
      request.response().putHeader("Content-Type", "application/json").end(answer.encode());
    });
  }

  private static void twirp(HttpServerRequest request, int status, String code, String msg) {
    request.response().setStatusCode(status).putHeader("Content-Type", "application/json")
      .end(new JsonObject().put("code", code).put("msg", msg).encode());
  }

  /** The claims of an HS256 token signed with our secret for our key, valid now; null otherwise. */
  static JsonObject verified(String token) {
    try {
      String[] parts = token.split("\\.");
      JsonObject header = new JsonObject(new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8));
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      byte[] expected = mac.doFinal((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
      if (!"HS256".equals(header.getString("alg"))
        || !MessageDigest.isEqual(expected, Base64.getUrlDecoder().decode(parts[2]))) {
        return null;
      }
      JsonObject claims = new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
      long now = Instant.now().getEpochSecond();
      boolean valid = KEY.equals(claims.getString("iss")) && claims.getLong("exp") > now
        && claims.getLong("nbf", 0L) <= now + 60;
      return valid ? claims : null;
    } catch (Exception e) {
      return null;
    }
  }

  // ---- helpers ----------------------------------------------------------------------------------------------

  private static String person() {
    String username = "lk_" + NAMES.incrementAndGet();
    return http.register(registrar, username);
  }

  private static String user(String auraId) {
    return tokens.hs256(Tokens.user(auraId));
  }

  private static JsonObject ok(HttpResponse<Buffer> response, int status) {
    assertEquals(status, response.statusCode(), response.bodyAsString());
    return response.bodyAsJsonObject();
  }

  private static List<Seen> seenFor(String room) {
    return seen.stream().filter(s -> room.equals(s.body().getString("name", s.body().getString("room")))).toList();
  }

  // ---- tests ------------------------------------------------------------------------------------------------

  @Test
  void a_central_call_gets_its_room_and_each_device_only_its_own_join_token_and_the_end_deletes_the_room() {
    String alice = person();
    String bob = person();
    JsonObject invited = ok(http.post("/internal/calls", user(alice), new JsonObject().put("callee_aura_id", bob)
      .put("device_id", "phone")), 201);
    String room = invited.getString("room");
    Seen created = seenFor(room).get(0);
    assertEquals("CreateRoom", created.method());
    assertEquals(90, created.body().getInteger("empty_timeout"));
    assertEquals(2, created.body().getInteger("max_participants"));
    assertEquals(invited.getString("call_id"), new JsonObject(created.body().getString("metadata")).getString("call_id"));

    JsonObject callerJoin = invited.getJsonObject("livekit");
    assertEquals(liveKitUrl, callerJoin.getString("url"));
    assertEquals(room, callerJoin.getString("room"));
    assertEquals(alice + "#phone", callerJoin.getString("identity"));
    JsonObject claims = verified(callerJoin.getString("token"));
    assertEquals(alice + "#phone", claims.getString("sub"));
    JsonObject video = claims.getJsonObject("video");
    assertEquals(room, video.getString("room"));
    assertTrue(video.getBoolean("roomJoin"));
    assertFalse(video.containsKey("roomAdmin") || video.containsKey("roomCreate"), "no admin grant for a participant");
    assertEquals(invited.getString("call_id"), new JsonObject(claims.getString("metadata")).getString("call_id"));
    assertFalse(invited.encode().contains(bob + "#"), "the caller never sees a callee's identity or token");

    JsonObject answered = ok(http.post("/internal/calls/" + invited.getString("call_id") + "/answer", user(bob),
      new JsonObject().put("device_id", "laptop")), 200);
    JsonObject calleeClaims = verified(answered.getJsonObject("livekit").getString("token"));
    assertEquals(bob + "#laptop", calleeClaims.getString("sub"));
    assertEquals(room, calleeClaims.getJsonObject("video").getString("room"));
    assertFalse(http.get("/internal/calls/" + invited.getString("call_id"), user(alice)).bodyAsString()
      .contains("token"), "reads never carry tokens");

    ok(http.post("/internal/calls/" + invited.getString("call_id") + "/hangup", user(bob), null), 200);
    Await.until(Duration.ofSeconds(5), "the room deleted", () -> seenFor(room).stream()
      .anyMatch(s -> "DeleteRoom".equals(s.method())));
  }

  @Test
  void a_group_call_s_joining_device_gets_its_token_and_a_leaving_one_is_removed_from_the_room() {
    String alice = person();
    String bob = person();
    String carol = person();
    JsonObject invited = ok(http.post("/internal/calls", user(alice), new JsonObject()
      .put("callees", new io.vertx.core.json.JsonArray().add(bob).add(carol)).put("device_id", "phone")), 201);
    String id = invited.getString("call_id");
    String room = invited.getString("room");
    assertEquals(0, seenFor(room).get(0).body().getInteger("max_participants", 0),
      "a group call may gain members and devices: no limit");
    JsonObject joined = ok(http.post("/internal/calls/" + id + "/join", user(bob), new JsonObject()
      .put("device_id", "tablet")), 200);
    JsonObject claims = verified(joined.getJsonObject("livekit").getString("token"));
    assertEquals(bob + "#tablet", claims.getString("sub"));
    assertEquals(room, claims.getJsonObject("video").getString("room"));
    ok(http.post("/internal/calls/" + id + "/answer", user(carol), new JsonObject().put("device_id", "desk")), 200);

    ok(http.post("/internal/calls/" + id + "/leave", user(bob), null), 200);
    Await.until(Duration.ofSeconds(5), "bob's device removed", () -> seenFor(room).stream()
      .anyMatch(s -> "RemoveParticipant".equals(s.method()) && (bob + "#tablet").equals(s.body().getString("identity"))));
    assertFalse(seenFor(room).stream().anyMatch(s -> "DeleteRoom".equals(s.method())), "the others are still in it");
    ok(http.post("/internal/calls/" + id + "/leave", user(alice), null), 200);
    assertEquals("completed", ok(http.post("/internal/calls/" + id + "/leave", user(carol), null), 200)
      .getString("state"));
    Await.until(Duration.ofSeconds(5), "the room deleted when the last one left", () -> seenFor(room).stream()
      .anyMatch(s -> "DeleteRoom".equals(s.method())));
  }

  @Test
  void a_suspension_removes_the_suspended_partys_devices_from_the_room_and_deletes_it() {
    String alice = person();
    String bob = person();
    JsonObject invited = ok(http.post("/internal/calls", user(alice), new JsonObject().put("callee_aura_id", bob)
      .put("device_id", "phone")), 201);
    String id = invited.getString("call_id");
    String room = invited.getString("room");
    ok(http.post("/internal/calls/" + id + "/answer", user(bob), new JsonObject().put("device_id", "laptop")), 200);

    ok(http.post("/internal/trust/aura_id/" + bob + "/suspend", moderator, new JsonObject().put("reason", "abuse")), 200);
    Await.until(Duration.ofSeconds(10), "removed, then deleted", () -> seenFor(room).stream()
      .anyMatch(s -> "DeleteRoom".equals(s.method())));
    List<Seen> calls = seenFor(room);
    Seen removed = calls.stream().filter(s -> "RemoveParticipant".equals(s.method())).findFirst().orElseThrow();
    assertEquals(bob + "#laptop", removed.body().getString("identity"));
    assertEquals(room, removed.claims().getJsonObject("video").getString("room"), "roomAdmin for that room only");
    assertTrue(calls.indexOf(removed) < calls.indexOf(calls.stream().filter(s -> "DeleteRoom".equals(s.method()))
      .findFirst().orElseThrow()), "removed (its token revoked) before the room goes");
    assertEquals("terminated", ok(http.get("/internal/calls/" + id, user(alice)), 200).getString("state"));
  }

  @Test
  void a_room_livekit_refuses_fails_the_call() {
    String alice = person();
    String bob = person();
    refuseRooms = true;
    try {
      HttpResponse<Buffer> refused = http.post("/internal/calls", user(alice), new JsonObject()
        .put("callee_aura_id", bob).put("device_id", "phone"));
      assertEquals(503, refused.statusCode(), refused.bodyAsString());
      JsonObject error = Http.error(refused);
      assertEquals("MEDIA_UNAVAILABLE", error.getString("code"));
      String id = error.getJsonObject("details").getString("call_id");
      JsonObject call = ok(http.get("/internal/calls/" + id, user(alice)), 200);
      assertEquals("failed", call.getString("state"));
      assertEquals("media_unavailable", call.getString("end_reason"));
    } finally {
      refuseRooms = false;
    }
  }

  @Test
  void room_service_reports_livekit_s_twirp_errors_with_status_and_code() {
    WebClient web = WebClient.create(liveKitVertx);
    try {
      LiveKitTokens wrongSecret = new LiveKitTokens(KEY, SECRET + "-other", Duration.ofMinutes(1), Duration.ofSeconds(5),
        Clock.systemUTC());
      Throwable e = Await.failure(new RoomService(web, wrongSecret, Duration.ofSeconds(5))
        .deleteRoom("ws://127.0.0.1:" + liveKitUrl.substring(liveKitUrl.lastIndexOf(':') + 1), "call_x"));
      RoomService.Failure failure = assertInstanceOf(RoomService.Failure.class, e);
      assertEquals(401, failure.status());
      assertEquals("unauthenticated", failure.code());
      assertNull(seenFor("call_x").stream().findFirst().orElse(null));
    } finally {
      web.close();
    }
  }
}
