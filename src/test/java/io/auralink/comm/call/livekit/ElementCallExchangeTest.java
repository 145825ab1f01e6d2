package io.auralink.comm.call.livekit;

import io.auralink.comm.call.MatrixRtcNames;
import io.auralink.comm.platform.config.AppConfig;
import io.auralink.comm.testing.Await;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Element Call's exchange against a local userinfo endpoint: names and grants as lk-jwt-service gives them, rooms
 * created only for full-access homeservers, refusals in the Matrix error shape with lk-jwt-service's statuses.
 */
class ElementCallExchangeTest {

  private static final String KEY = "APIauralinktest";
  private static final String SECRET = "livekit-test-secret-0123456789-abcdefghijklmnop";
  private static final String LIVEKIT_URL = "wss://livekit.example.net";
  private static final String OURS = "auralink.test";

  private static Vertx vertx;
  private static FakeUserinfo homeserver;
  private static OpenIdVerifier verifier;

  private final List<RoomCreator.Request> created = new CopyOnWriteArrayList<>();
  private final AtomicBoolean roomServiceDown = new AtomicBoolean();
  private final Set<String> suspended = Set.of("@mallory.aura");
  private ElementCallExchange exchange;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    homeserver = new FakeUserinfo(vertx);
    String base = homeserver.baseUrl();
    verifier = new OpenIdVerifier(WebClient.create(vertx), Map.of("example.com", base, "join.org", base,
      "closed.net", base, OURS, base), Duration.ofSeconds(2));
    homeserver.subjects.put("tok-alice", "@alice:example.com");
    homeserver.subjects.put("tok-jo", "@jo:join.org");
    homeserver.subjects.put("tok-carl", "@carl:closed.net");
    homeserver.subjects.put("tok-aura", "@bob_aura:" + OURS);
    homeserver.subjects.put("tok-mallory", "@mallory_aura:" + OURS);
  }

  @AfterAll
  static void stop() {
    homeserver.close();
    Await.result(vertx.close());
  }

  @BeforeEach
  void exchange() {
    AppConfig.ElementCall config = new AppConfig.ElementCall(
      Map.of("example.com", "unused", "join.org", "unused", "closed.net", "unused", OURS, "unused"),
      Set.of("example.com", "join.org", OURS), Set.of("example.com", OURS), List.of("*"), Duration.ofSeconds(2));
    LiveKitTokens tokens = new LiveKitTokens(KEY, SECRET, Duration.ofMinutes(10), Duration.ofSeconds(10),
      Clock.systemUTC());
    RoomCreator rooms = request -> {
      if (roomServiceDown.get()) {
        return Future.failedFuture(new IllegalStateException("twirp 503"));
      }
      created.add(request);
      return Future.succeededFuture();
    };
    AuraIdAdmission admission = auraId -> suspended.contains(auraId)
      ? Future.failedFuture(MatrixError.forbidden(auraId + " is suspended"))
      : Future.succeededFuture();
    exchange = new ElementCallExchange(config, OURS, LIVEKIT_URL, tokens, verifier, rooms, admission);
  }

  private static JsonObject openId(String token, String server) {
    return new JsonObject().put("access_token", token).put("token_type", "Bearer").put("matrix_server_name", server)
      .put("expires_in", 3600);
  }

  private static JsonObject getTokenBody(String token, String server, String user) {
    return new JsonObject().put("room_id", "!roomid:example.com").put("slot_id", "slot1234")
      .put("openid_token", openId(token, server))
      .put("member", new JsonObject().put("id", "memberABC").put("claimed_user_id", user)
        .put("claimed_device_id", "DEVICE123"));
  }

  private static JsonObject sfuGetBody(String token, String server) {
    return new JsonObject().put("room", "!roomid:example.com").put("openid_token", openId(token, server))
      .put("device_id", "DEVICE123");
  }

  private static JsonObject claims(String jwt) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8));
  }

  private static MatrixError refusal(Future<?> exchanged, int status, String errcode) {
    MatrixError error = (MatrixError) Await.failure(exchanged);
    assertEquals(status, error.status(), error.toString());
    assertEquals(errcode, error.errcode(), error.toString());
    return error;
  }

  @Test
  void get_token_names_the_room_and_member_as_lk_jwt_service_and_grants_what_it_grants() {
    ElementCallExchange.Grant grant = Await.result(exchange.getToken(
      getTokenBody("tok-alice", "example.com", "@alice:example.com").toBuffer()));
    assertEquals(Set.of("url", "jwt"), grant.response().fieldNames());
    assertEquals(LIVEKIT_URL, grant.response().getString("url"));
    assertEquals("O8437W3+jmzMVjoIP3tNwbm+XxHQk2iKpOA7aqw3qSc", grant.room());
    assertEquals("J+T45tGruxc+HrUOqJJlyQSV33m728Cme4+vt8/SWrU", grant.identity());
    JsonObject claims = claims(grant.jwt());
    assertEquals(KEY, claims.getString("iss"));
    assertEquals("J+T45tGruxc+HrUOqJJlyQSV33m728Cme4+vt8/SWrU", claims.getString("sub"));
    assertEquals(new JsonObject().put("room", "O8437W3+jmzMVjoIP3tNwbm+XxHQk2iKpOA7aqw3qSc").put("roomJoin", true)
      .put("canPublish", true).put("canSubscribe", true).put("canUpdateOwnMetadata", true),
      claims.getJsonObject("video"));
    assertNull(claims.getValue("name"), "not one of our AuraIDs: no name, as lk-jwt-service");
    assertNull(claims.getValue("metadata"));
    assertEquals(600, claims.getLong("exp") - claims.getLong("iat"), "our join-token TTL");
    assertEquals("@alice:example.com", grant.matrixUserId());
    assertEquals(Optional.empty(), grant.auraId());
  }

  @Test
  void a_full_access_homeserver_gets_the_room_created_as_lk_jwt_service_creates_it() {
    ElementCallExchange.Grant grant = Await.result(exchange.getToken(
      getTokenBody("tok-alice", "example.com", "@alice:example.com").toBuffer()));
    assertTrue(grant.fullAccess());
    assertEquals(List.of(new RoomCreator.Request("O8437W3+jmzMVjoIP3tNwbm+XxHQk2iKpOA7aqw3qSc",
      Duration.ofSeconds(300), Duration.ofSeconds(20), 0)), created);
  }

  @Test
  void a_join_only_homeserver_gets_a_token_but_no_room() {
    ElementCallExchange.Grant grant = Await.result(exchange.getToken(
      getTokenBody("tok-jo", "join.org", "@jo:join.org").toBuffer()));
    assertFalse(grant.fullAccess());
    assertEquals(MatrixRtcNames.identity("@jo:join.org", "DEVICE123", "memberABC"), grant.identity());
    assertTrue(created.isEmpty(), "RoomService not asked");
  }

  @Test
  void sfu_get_uses_the_call_slot_and_user_colon_device() {
    ElementCallExchange.Grant grant = Await.result(exchange.sfuGet(sfuGetBody("tok-alice", "example.com").toBuffer()));
    assertEquals(MatrixRtcNames.room("!roomid:example.com", "m.call#ROOM"), grant.room());
    assertEquals("@alice:example.com:DEVICE123", grant.identity());
    assertEquals("@alice:example.com:DEVICE123", claims(grant.jwt()).getString("sub"));
    assertEquals(grant.room(), claims(grant.jwt()).getJsonObject("video").getString("room"));
    assertEquals(List.of(RoomCreator.elementCallRoom(grant.room())), created);
  }

  @Test
  void a_configured_but_disallowed_homeserver_is_refused_without_asking_it() {
    int asked = homeserver.askedTokens.size();
    MatrixError error = refusal(exchange.getToken(getTokenBody("tok-carl", "closed.net", "@carl:closed.net")
      .toBuffer()), 401, "M_UNAUTHORIZED");
    assertEquals("OpenID tokens of closed.net are not accepted here", error.getMessage());
    refusal(exchange.sfuGet(sfuGetBody("tok-x", "unknown.example").toBuffer()), 401, "M_UNAUTHORIZED");
    assertEquals(asked, homeserver.askedTokens.size());
    assertTrue(created.isEmpty());
  }

  @Test
  void a_token_the_homeserver_does_not_know_is_unauthorized() {
    MatrixError error = refusal(exchange.sfuGet(sfuGetBody("tok-expired", "example.com").toBuffer()), 401,
      "M_UNAUTHORIZED");
    assertEquals(new JsonObject().put("errcode", "M_UNAUTHORIZED").put("error", error.getMessage()), error.toJson());
  }

  @Test
  void a_member_claiming_another_user_is_unauthorized() {
    refusal(exchange.getToken(getTokenBody("tok-alice", "example.com", "@bob:example.com").toBuffer()), 401,
      "M_UNAUTHORIZED");
    assertTrue(created.isEmpty());
  }

  @Test
  void one_of_our_auraids_gets_its_auraid_as_name_and_metadata() {
    ElementCallExchange.Grant grant = Await.result(exchange.getToken(
      getTokenBody("tok-aura", OURS, "@bob_aura:" + OURS).toBuffer()));
    assertEquals(Optional.of("@bob.aura"), grant.auraId());
    JsonObject claims = claims(grant.jwt());
    assertEquals("@bob.aura", claims.getString("name"));
    assertEquals("{\"aura_id\":\"@bob.aura\"}", claims.getString("metadata"));
    assertEquals(MatrixRtcNames.identity("@bob_aura:" + OURS, "DEVICE123", "memberABC"), claims.getString("sub"),
      "the identity stays the one Element Call computes");
  }

  @Test
  void an_auraid_the_admission_refuses_gets_its_refusal_and_no_room() {
    MatrixError error = refusal(exchange.getToken(getTokenBody("tok-mallory", OURS, "@mallory_aura:" + OURS)
      .toBuffer()), 403, "M_FORBIDDEN");
    assertEquals("@mallory.aura is suspended", error.getMessage());
    assertTrue(created.isEmpty());
  }

  @Test
  void a_room_service_failure_is_500_m_unknown() {
    roomServiceDown.set(true);
    MatrixError error = refusal(exchange.sfuGet(sfuGetBody("tok-alice", "example.com").toBuffer()), 500,
      "M_UNKNOWN");
    assertEquals("Unable to create room on SFU", error.getMessage());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
    "not JSON|{\"room_id\": |Error reading request: the body is not JSON",
    "an array|[1,2]|Error reading request: the body is not a JSON object",
    "empty||Error reading request: the body is empty",
    "an unknown field|{\"room_id\":\"!r:x\",\"extra\":1}|Error reading request: unknown field `extra`",
    "an unknown nested field|{\"member\":{\"id\":\"m\",\"role\":\"x\"}}|Error reading request: unknown field `member.role`",
    "a number for a string|{\"room_id\":42}|Error reading request: `room_id` must be a string",
    "a fraction for an integer|{\"openid_token\":{\"expires_in\":3600.5}}|Error reading request: `openid_token.expires_in` must be an integer",
    "a string for an object|{\"member\":\"@a:b\"}|Error reading request: `member` must be an object"})
  void an_undecodable_get_token_body_is_m_not_json(String what, String body, String message) {
    MatrixError error = refusal(exchange.getToken(Buffer.buffer(body == null ? "" : body)), 400, "M_NOT_JSON");
    assertEquals(message, error.getMessage());
  }

  @ParameterizedTest(name = "without {0}")
  @CsvSource(delimiter = '|', value = {
    "room_id|The request body is missing `room_id` or `slot_id`",
    "slot_id|The request body is missing `room_id` or `slot_id`",
    "member.id|The request body `member` is missing a `id`, `claimed_user_id` or `claimed_device_id`",
    "member.claimed_device_id|The request body `member` is missing a `id`, `claimed_user_id` or `claimed_device_id`",
    "openid_token.access_token|The request body `openid_token` is missing a `access_token` or `matrix_server_name`",
    "openid_token.matrix_server_name|The request body `openid_token` is missing a `access_token` or `matrix_server_name`",
    "openid_token|The request body `openid_token` is missing a `access_token` or `matrix_server_name`"})
  void a_get_token_body_missing_a_field_is_m_bad_json(String field, String message) {
    JsonObject body = getTokenBody("tok-alice", "example.com", "@alice:example.com");
    String[] path = field.split("\\.");
    (path.length == 1 ? body : body.getJsonObject(path[0])).remove(path[path.length - 1]);
    assertEquals(message, refusal(exchange.getToken(body.toBuffer()), 400, "M_BAD_JSON").getMessage());
  }

  @ParameterizedTest(name = "without {0}")
  @CsvSource(delimiter = '|', value = {
    "room|Missing room parameter",
    "openid_token|Missing OpenID token parameters",
    "device_id|Missing device_id parameter"})
  void an_sfu_get_body_missing_a_field_is_m_bad_json(String field, String message) {
    JsonObject body = sfuGetBody("tok-alice", "example.com");
    body.remove(field);
    assertEquals(message, refusal(exchange.sfuGet(body.toBuffer()), 400, "M_BAD_JSON").getMessage());
  }

  @Test
  void an_sfu_get_body_with_an_unknown_field_is_m_not_json() {
    refusal(exchange.sfuGet(sfuGetBody("tok-alice", "example.com").put("room_id", "!x").toBuffer()), 400,
      "M_NOT_JSON");
  }

  @Test
  void delayed_leave_parameters_are_all_or_none_and_for_full_access_users_only() {
    JsonObject half = getTokenBody("tok-alice", "example.com", "@alice:example.com").put("delay_id", "d1");
    assertEquals("The request body is missing `delay_id`, `delay_timeout` or `delay_cs_api_url`",
      refusal(exchange.getToken(half.toBuffer()), 400, "M_BAD_JSON").getMessage());

    JsonObject joinOnly = getTokenBody("tok-jo", "join.org", "@jo:join.org").put("delay_id", "d1")
      .put("delay_timeout", 5000).put("delay_cs_api_url", "https://join.org");
    assertEquals("Delegation of delayed events is only supported for full access users",
      refusal(exchange.getToken(joinOnly.toBuffer()), 400, "M_BAD_JSON").getMessage());

    JsonObject full = getTokenBody("tok-alice", "example.com", "@alice:example.com").put("delay_id", "d1")
      .put("delay_timeout", 5000).put("delay_cs_api_url", "https://example.com");
    assertTrue(Await.result(exchange.getToken(full.toBuffer())).fullAccess());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(value = {
    "@alice_aura:auralink.test,@alice.aura",
    "@alice_aura:other.test,",
    "@alice:auralink.test,",
    "@Alice_aura:auralink.test,",
    "@al_aura:auralink.test,",
    "@_alice_aura:auralink.test,"})
  void our_matrix_users_map_to_their_auraids(String matrixUser, String auraId) {
    assertEquals(Optional.ofNullable(auraId), ElementCallExchange.auraIdOf(matrixUser, OURS));
  }
}
