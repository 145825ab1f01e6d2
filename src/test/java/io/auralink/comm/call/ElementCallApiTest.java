package io.auralink.comm.call;

import io.auralink.comm.call.livekit.FakeUserinfo;
import io.auralink.comm.call.MatrixRtcNames;
import io.auralink.comm.node.Node;
import io.auralink.comm.platform.storage.EmbeddedStores;
import io.auralink.comm.testing.Await;
import io.auralink.comm.testing.Http;
import io.auralink.comm.testing.TestNodes;
import io.auralink.comm.testing.Tokens;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Element Call's token exchange and LiveKit's webhooks over HTTP, on a node with LiveKit configured (the RoomService
 * stand-in of {@link CallLiveKitTest}) and a homeserver stand-in answering OpenID userinfo: answers in
 * lk-jwt-service's shapes, CORS for Element Call's origin on the exchange's paths only, rooms created for full-access
 * servers only, AuraIDs admitted only while active; webhooks verified, applied once, and only as hints.
 */
class ElementCallApiTest {

  private static final String OURS = "auralink.test";
  private static final String ELEMENT_CALL = "https://call.example.com";
  private static final AtomicInteger NAMES = new AtomicInteger();

  private static Vertx standIns;
  private static FakeUserinfo homeserver;
  private static String liveKitUrl;
  private static Node node;
  private static Http http;
  private static Tokens tokens;
  private static String registrar;
  private static String moderator;

  @BeforeAll
  static void start() {
    standIns = Vertx.vertx();
    int port = EmbeddedStores.freePort();
    Await.result(standIns.createHttpServer().requestHandler(CallLiveKitTest::roomService).listen(port, "127.0.0.1"));
    liveKitUrl = "http://127.0.0.1:" + port;
    homeserver = new FakeUserinfo(standIns);
    homeserver.subjects.put("tok-alice", "@alice:example.com");
    homeserver.subjects.put("tok-jo", "@jo:join.org");
    String base = homeserver.baseUrl();
    Map<String, String> settings = TestNodes.settings("elementcall");
    settings.put("AURALINK_LIVEKIT_URL", liveKitUrl);
    settings.put("AURALINK_LIVEKIT_API_KEY", CallLiveKitTest.KEY);
    settings.put("AURALINK_LIVEKIT_API_SECRET", CallLiveKitTest.SECRET);
    settings.put("AURALINK_MATRIX_SERVER_NAME", OURS);
    settings.put("AURALINK_ELEMENT_CALL_HOMESERVERS", "example.com=" + base + ",join.org=" + base + ",closed.net="
      + base + "," + OURS + "=" + base);
    settings.put("AURALINK_ELEMENT_CALL_ALLOWED_SERVERS", "example.com,join.org," + OURS);
    settings.put("AURALINK_ELEMENT_CALL_FULL_ACCESS_SERVERS", "example.com," + OURS);
    settings.put("AURALINK_ELEMENT_CALL_CORS_ORIGINS", ELEMENT_CALL);
    settings.put("AURALINK_CORS_ORIGINS", "https://console.example.com");
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
    homeserver.close();
    Await.result(standIns.close());
  }

  // ---- helpers ----------------------------------------------------------------------------------------------

  private static JsonObject openId(String token, String server) {
    return new JsonObject().put("access_token", token).put("token_type", "Bearer").put("matrix_server_name", server)
      .put("expires_in", 3600);
  }

  private static HttpResponse<Buffer> exchange(String path, JsonObject body) {
    return exchange(path, body.toBuffer(), "application/json");
  }

  private static HttpResponse<Buffer> exchange(String path, Buffer body, String contentType) {
    return Await.result(http.request(HttpMethod.POST, path).putHeader("Origin", ELEMENT_CALL)
      .putHeader("Content-Type", contentType).sendBuffer(body));
  }

  private static JsonObject matrixError(HttpResponse<Buffer> response, int status, String errcode) {
    assertEquals(status, response.statusCode(), response.bodyAsString());
    JsonObject body = response.bodyAsJsonObject();
    assertEquals(errcode, body.getString("errcode"), body.encode());
    assertInstanceOf(String.class, body.getValue("error"), "lk-jwt-service's shape, not our envelope");
    return body;
  }

  private static String person() {
    String username = "ec_" + NAMES.incrementAndGet();
    return http.register(registrar, username);
  }

  private static JsonObject ok(HttpResponse<Buffer> response, int status) {
    assertEquals(status, response.statusCode(), response.bodyAsString());
    return response.bodyAsJsonObject();
  }

  /** What LiveKit sends: the raw JWT (HS256, iss = key) whose sha256 claim is the body's hash. */
  private static String signed(Buffer body, String secret) throws Exception {
    Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
    long now = Instant.now().getEpochSecond();
    String sha = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(body.getBytes()));
    String header = url.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
    String claims = url.encodeToString(new JsonObject().put("iss", CallLiveKitTest.KEY).put("nbf", now)
      .put("exp", now + 300).put("sha256", sha).encode().getBytes(StandardCharsets.UTF_8));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return header + "." + claims + "." + url.encodeToString(mac.doFinal((header + "." + claims)
      .getBytes(StandardCharsets.US_ASCII)));
  }

  private static HttpResponse<Buffer> webhook(JsonObject event, String secret) throws Exception {
    Buffer body = event.toBuffer();
    return Await.result(http.request(HttpMethod.POST, "/livekit/webhook")
      .putHeader("Content-Type", "application/webhook+json")
      .putHeader("Authorization", signed(body, secret)).sendBuffer(body));
  }

  private static JsonObject event(String kind, String room) {
    return new JsonObject().put("id", "EV_" + UUID.randomUUID()).put("event", kind)
      .put("createdAt", String.valueOf(Instant.now().getEpochSecond()))
      .put("room", new JsonObject().put("sid", "RM_1").put("name", room));
  }

  /** An answered call between two new people, with its LiveKit room. */
  private static JsonObject answeredCall() {
    String alice = person();
    String bob = person();
    JsonObject invited = ok(http.post("/internal/calls", tokens.hs256(Tokens.user(alice)), new JsonObject()
      .put("callee_aura_id", bob).put("device_id", "phone")), 201);
    ok(http.post("/internal/calls/" + invited.getString("call_id") + "/answer", tokens.hs256(Tokens.user(bob)),
      new JsonObject().put("device_id", "laptop")), 200);
    return invited.put("caller_token", tokens.hs256(Tokens.user(alice)));
  }

  // ---- the exchange -----------------------------------------------------------------------------------------

  @Test
  void sfu_get_answers_url_and_jwt_for_a_full_access_server_whose_room_is_created_in_livekit() {
    HttpResponse<Buffer> response = exchange("/sfu/get", new JsonObject().put("room", "!call:example.com")
      .put("openid_token", openId("tok-alice", "example.com")).put("device_id", "DEVA"));
    JsonObject grant = ok(response, 200);
    assertEquals(Map.of("url", liveKitUrl, "jwt", grant.getString("jwt")), grant.getMap(), "exactly {url, jwt}");
    assertEquals(ELEMENT_CALL, response.getHeader("Access-Control-Allow-Origin"));

    String room = MatrixRtcNames.room("!call:example.com", MatrixRtcNames.LEGACY_SLOT);
    JsonObject claims = CallLiveKitTest.verified(grant.getString("jwt"));
    assertEquals("@alice:example.com:DEVA", claims.getString("sub"));
    assertEquals(room, claims.getJsonObject("video").getString("room"));
    CallLiveKitTest.Seen created = CallLiveKitTest.seen.stream()
      .filter(s -> "CreateRoom".equals(s.method()) && room.equals(s.body().getString("name"))).findFirst()
      .orElseThrow(() -> new AssertionError("the room is created in LiveKit"));
    assertEquals(20, created.body().getInteger("departure_timeout"));
    assertEquals(300, created.body().getInteger("empty_timeout"));
  }

  @Test
  void get_token_answers_a_join_only_server_without_creating_the_room() {
    JsonObject grant = ok(exchange("/get_token", new JsonObject().put("room_id", "!rtc:join.org")
      .put("slot_id", "m.call#ROOM").put("openid_token", openId("tok-jo", "join.org"))
      .put("member", new JsonObject().put("id", "member-1").put("claimed_user_id", "@jo:join.org")
        .put("claimed_device_id", "DEVJ"))), 200);
    String room = MatrixRtcNames.room("!rtc:join.org", "m.call#ROOM");
    assertEquals(room, CallLiveKitTest.verified(grant.getString("jwt")).getJsonObject("video").getString("room"));
    assertFalse(CallLiveKitTest.seen.stream().anyMatch(s -> room.equals(s.body().getString("name"))),
      "join-only users never create rooms");
  }

  @Test
  void a_bad_openid_token_is_401_m_unauthorized_in_lk_jwt_service_shape() {
    matrixError(exchange("/sfu/get", new JsonObject().put("room", "!call:example.com")
      .put("openid_token", openId("tok-stolen", "example.com")).put("device_id", "D")), 401, "M_UNAUTHORIZED");
    matrixError(exchange("/get_token", new JsonObject().put("room_id", "!r:closed.net").put("slot_id", "m.call#ROOM")
      .put("openid_token", openId("tok-any", "closed.net")).put("member", new JsonObject().put("id", "m")
        .put("claimed_user_id", "@carl:closed.net").put("claimed_device_id", "D"))), 401, "M_UNAUTHORIZED");
  }

  @Test
  void a_body_our_validation_would_refuse_is_answered_by_the_exchange_in_its_own_shape() {
    matrixError(exchange("/sfu/get", Buffer.buffer("not json"), "text/plain"), 400, "M_NOT_JSON");
    matrixError(exchange("/get_token", new JsonObject().put("room_id", "!r:example.com").put("extra", 1)), 400,
      "M_NOT_JSON");
    matrixError(exchange("/sfu/get", new JsonObject().put("room", "!r:example.com")), 400, "M_BAD_JSON");
  }

  @Test
  void an_auraid_gets_a_token_while_active_and_none_once_suspended() {
    String auraId = person();
    String username = auraId.substring(1, auraId.length() - ".aura".length());
    homeserver.subjects.put("tok-" + username, "@" + username + "_aura:" + OURS);
    JsonObject body = new JsonObject().put("room", "!aura:" + OURS).put("openid_token", openId("tok-" + username, OURS))
      .put("device_id", "PHONE");
    JsonObject claims = CallLiveKitTest.verified(ok(exchange("/sfu/get", body), 200).getString("jwt"));
    assertEquals(auraId, claims.getString("name"));
    assertEquals(auraId, new JsonObject(claims.getString("metadata")).getString("aura_id"));

    ok(http.post("/internal/trust/aura_id/" + auraId + "/suspend", moderator, new JsonObject().put("reason", "abuse")),
      200);
    matrixError(exchange("/sfu/get", body), 403, "M_FORBIDDEN");
  }

  @Test
  void cors_answers_element_calls_origin_on_the_exchange_paths_only() {
    HttpResponse<Buffer> preflight = Await.result(http.request(HttpMethod.OPTIONS, "/get_token")
      .putHeader("Origin", ELEMENT_CALL).putHeader("Access-Control-Request-Method", "POST")
      .putHeader("Access-Control-Request-Headers", "content-type").send());
    assertEquals(200, preflight.statusCode());
    assertEquals(ELEMENT_CALL, preflight.getHeader("Access-Control-Allow-Origin"));
    assertEquals("POST", preflight.getHeader("Access-Control-Allow-Methods"));
    assertTrue(preflight.getHeader("Access-Control-Allow-Headers").contains("Content-Type"));

    HttpResponse<Buffer> stranger = Await.result(http.request(HttpMethod.OPTIONS, "/sfu/get")
      .putHeader("Origin", "https://evil.example").putHeader("Access-Control-Request-Method", "POST").send());
    assertEquals(403, stranger.statusCode());
    assertNull(stranger.getHeader("Access-Control-Allow-Origin"));

    HttpResponse<Buffer> get = Await.result(http.request(HttpMethod.GET, "/sfu/get").send());
    assertEquals(405, get.statusCode());
    assertEquals("POST", get.getHeader("Allow"));

    HttpResponse<Buffer> elsewhere = Await.result(http.request(HttpMethod.GET, "/health/live")
      .putHeader("Origin", ELEMENT_CALL).send());
    assertNull(elsewhere.getHeader("Access-Control-Allow-Origin"), "Element Call's origin is not the API's");
  }

  // ---- webhooks ---------------------------------------------------------------------------------------------

  @Test
  void room_finished_completes_an_answered_call_once_and_the_same_event_again_changes_nothing() throws Exception {
    JsonObject call = answeredCall();
    String id = call.getString("call_id");
    JsonObject finished = event("room_finished", call.getString("room"));

    JsonObject applied = ok(webhook(finished, CallLiveKitTest.SECRET), 200);
    assertEquals("applied", applied.getString("outcome"));
    assertEquals(id, applied.getString("call_id"));
    JsonObject ended = ok(http.get("/internal/calls/" + id, call.getString("caller_token")), 200);
    assertEquals("completed", ended.getString("state"));
    assertEquals("room_finished", ended.getString("end_reason"));
    assertEquals("service:livekit", ended.getString("ended_by"));

    JsonObject again = ok(webhook(finished, CallLiveKitTest.SECRET), 200);
    assertEquals("duplicate", again.getString("outcome"));
    assertEquals(ended, ok(http.get("/internal/calls/" + id, call.getString("caller_token")), 200));
  }

  @Test
  void the_last_participant_leaving_completes_the_call_but_one_of_two_leaving_does_not() throws Exception {
    JsonObject call = answeredCall();
    String id = call.getString("call_id");
    JsonObject oneLeft = event("participant_left", call.getString("room"));
    oneLeft.getJsonObject("room").put("numParticipants", 1);
    oneLeft.put("participant", new JsonObject().put("identity", "x#phone").put("sid", "PA_1"));
    assertEquals("ignored", ok(webhook(oneLeft, CallLiveKitTest.SECRET), 200).getString("outcome"));
    assertEquals("answered", ok(http.get("/internal/calls/" + id, call.getString("caller_token")), 200)
      .getString("state"));

    // protojson omits a zero numParticipants: the room is empty.
    JsonObject lastLeft = event("participant_left", call.getString("room"));
    assertEquals("applied", ok(webhook(lastLeft, CallLiveKitTest.SECRET), 200).getString("outcome"));
    assertEquals("completed", ok(http.get("/internal/calls/" + id, call.getString("caller_token")), 200)
      .getString("state"));
  }

  @Test
  void webhooks_never_create_a_call_and_leave_ringing_calls_to_their_deadline() throws Exception {
    JsonObject unknownRoom = ok(webhook(event("room_finished", "call_" + UUID.randomUUID().toString()
      .replace("-", "")), CallLiveKitTest.SECRET), 200);
    assertEquals("ignored", unknownRoom.getString("outcome"));
    assertNull(unknownRoom.getValue("call_id"));

    String alice = person();
    JsonObject ringing = ok(http.post("/internal/calls", tokens.hs256(Tokens.user(alice)), new JsonObject()
      .put("callee_aura_id", person()).put("device_id", "phone")), 201);
    JsonObject joined = event("participant_joined", ringing.getString("room"));
    assertEquals("ignored", ok(webhook(joined, CallLiveKitTest.SECRET), 200).getString("outcome"));
    assertEquals("ignored", ok(webhook(event("room_finished", ringing.getString("room")), CallLiveKitTest.SECRET), 200)
      .getString("outcome"));
    assertEquals("ringing", ok(http.get("/internal/calls/" + ringing.getString("call_id"),
      tokens.hs256(Tokens.user(alice))), 200).getString("state"));
  }

  @Test
  void a_webhook_with_a_bad_signature_is_401_and_changes_nothing() throws Exception {
    JsonObject call = answeredCall();
    HttpResponse<Buffer> refused = webhook(event("room_finished", call.getString("room")), "not-the-secret-at-all");
    assertEquals(401, refused.statusCode(), refused.bodyAsString());
    assertEquals("WEBHOOK_REJECTED", Http.error(refused).getString("code"));

    Buffer body = event("room_finished", call.getString("room")).toBuffer();
    HttpResponse<Buffer> tampered = Await.result(http.request(HttpMethod.POST, "/livekit/webhook")
      .putHeader("Content-Type", "application/webhook+json")
      .putHeader("Authorization", signed(Buffer.buffer("{}"), CallLiveKitTest.SECRET)).sendBuffer(body));
    assertEquals(401, tampered.statusCode(), tampered.bodyAsString());
    assertEquals("answered", ok(http.get("/internal/calls/" + call.getString("call_id"),
      call.getString("caller_token")), 200).getString("state"));
  }
}
