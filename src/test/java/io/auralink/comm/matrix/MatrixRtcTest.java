package io.auralink.comm.matrix;

import io.auralink.comm.call.MatrixRtcNames;
import io.auralink.comm.node.Node;
import io.auralink.comm.platform.storage.EmbeddedStores;
import io.auralink.comm.testing.Await;
import io.auralink.comm.testing.Http;
import io.auralink.comm.testing.TestNodes;
import io.auralink.comm.testing.TestStores;
import io.auralink.comm.testing.Tokens;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * MatrixRTC memberships through the Application Service listener into {@code matrix_rtc} calls, against the real
 * PostgreSQL and a fake homeserver: members joining and leaving one call per room slot, Matrix users who are not
 * AuraIDs left out of the call log, replays changing nothing, and expired memberships counting as left (at intake and
 * by the sweep).
 */
@Timeout(120)
class MatrixRtcTest {

  private static final String HS_TOKEN = FakeHomeserver.HS_TOKEN;
  private static final AtomicInteger IDS = new AtomicInteger();
  private static final Duration WAIT = Duration.ofSeconds(20);

  private static FakeHomeserver homeserver;
  private static Node node;
  private static Http http;
  private static WebClient as;
  private static String registrar;
  private static String reader;
  private static String moderator;
  private static String databaseUrl;

  @BeforeAll
  static void start() {
    homeserver = new FakeHomeserver();
    Map<String, String> settings = TestNodes.settings("matrix_rtc");
    int asPort = EmbeddedStores.freePort();
    homeserver.bridge(settings, asPort);
    settings.put("AURALINK_CALL_MAX_RING_TIME", "120s");
    databaseUrl = settings.get("AURALINK_DATABASE_URL");
    node = TestNodes.start(settings);
    http = new Http(node.vertx(), Integer.parseInt(settings.get("AURALINK_HTTP_PORT")));
    as = WebClient.create(node.vertx(), new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(asPort));
    Tokens tokens = new Tokens(node.vertx());
    registrar = tokens.hs256(Tokens.service("dashboard", "identity:write"));
    reader = tokens.hs256(Tokens.service("hub", "calls:read"));
    moderator = tokens.hs256(Tokens.service("console", "trust:moderate"));
  }

  @AfterAll
  static void stop() {
    as.close();
    http.close();
    TestNodes.stop(node);
    homeserver.close();
  }

  @Test
  void members_joining_and_leaving_a_room_call_make_one_call_that_completes_when_the_last_leaves() {
    String alice = person();
    String bob = person();
    String room = room();
    JsonObject aliceJoins = membership(room, matrixUser(alice), "ALICEDEV", System.currentTimeMillis(), null);
    JsonObject carolJoins = membership(room, "@carol:localhost", "CAROLDEV", System.currentTimeMillis(), null);
    JsonObject bobJoins = membership(room, matrixUser(bob), "BOBDEV", System.currentTimeMillis(), null);
    transaction(txn(), aliceJoins, carolJoins);
    JsonObject ringing = awaitCall(alice, "ringing");
    assertEquals("matrix_rtc", ringing.getString("entry_point"));
    assertEquals(MatrixRtcNames.room(room, "m.call#ROOM"), ringing.getString("room"),
      "the LiveKit room Element Call's token service names for the room's call");
    assertEquals(new JsonArray(), ringing.getJsonArray("callee_aura_ids"));

    String joinTxn = txn();
    transaction(joinTxn, bobJoins);
    JsonObject answered = awaitCall(alice, "answered");
    assertEquals(ringing.getString("call_id"), answered.getString("call_id"));
    assertEquals(Map.of(alice, "caller:joined", bob, "member:joined"), parties(answered),
      "carol is no AuraID: not in the call log");
    // The same transaction again, and the same event in another: nothing changes.
    transaction(joinTxn, bobJoins);
    transaction(txn(), bobJoins);
    awaitProcessed();
    assertEquals(1, history(alice).size());
    assertEquals(1, history(bob).size());

    transaction(txn(), leave(room, matrixUser(bob), "BOBDEV"));
    Await.until(WAIT, "bob left", () -> "member:left".equals(parties(history(alice).getJsonObject(0)).get(bob)));
    assertEquals("answered", history(alice).getJsonObject(0).getString("state"));
    transaction(txn(), leave(room, matrixUser(alice), "ALICEDEV"));
    JsonObject completed = awaitCall(alice, "completed");
    assertEquals("membership_left", completed.getString("end_reason"));
    assertEquals("service:matrix-bridge", completed.getString("ended_by"));

    // The room's next call is a new one.
    transaction(txn(), membership(room, matrixUser(bob), "BOBDEV", System.currentTimeMillis(), null));
    Await.until(WAIT, "a second call", () -> history(bob).size() == 2);
    assertEquals("ringing", history(bob).getJsonObject(0).getString("state"));
    assertEquals(bob, history(bob).getJsonObject(0).getString("caller_aura_id"));
  }

  @Test
  void an_expired_membership_counts_as_left_at_intake_and_by_the_sweep() {
    String alice = person();
    String bob = person();
    String room = room();
    long longAgo = System.currentTimeMillis() - Duration.ofHours(5).toMillis();
    transaction(txn(), membership(room, matrixUser(alice), "OLD", longAgo, null));
    awaitProcessed();
    assertEquals(0, history(alice).size(), "a membership that expired (4 h by default) starts nothing");

    long now = System.currentTimeMillis();
    transaction(txn(), membership(room, matrixUser(alice), "ALICEDEV", now, 3_000L),
      membership(room, matrixUser(bob), "BOBDEV", now, 3_000L));
    JsonObject answered = awaitCall(alice, "answered");
    JsonObject completed = awaitCall(alice, "completed");
    assertEquals(answered.getString("call_id"), completed.getString("call_id"));
    assertEquals("membership_expired", completed.getString("end_reason"),
      "nobody left explicitly: the sweep ended both memberships on the server clock");
  }

  @Test
  void the_newer_rtc_member_form_joins_and_leaves_too() {
    String alice = person();
    String bob = person();
    String room = room();
    transaction(txn(), rtcMember(room, matrixUser(alice), "A1", "join"), rtcMember(room, matrixUser(bob), "B1", "join"));
    JsonObject answered = awaitCall(alice, "answered");
    assertEquals(Map.of(alice, "caller:joined", bob, "member:joined"), parties(answered));
    transaction(txn(), rtcMember(room, matrixUser(alice), "A1", "leave"), rtcMember(room, matrixUser(bob), "B1", "leave"));
    assertEquals("membership_left", awaitCall(alice, "completed").getString("end_reason"));
  }

  @Test
  void a_suspended_aura_id_s_membership_is_refused_and_the_others_call_goes_on_without_it() {
    String alice = person();
    String bob = person();
    String mallory = person();
    assertEquals(200, http.post("/internal/trust/aura_id/" + mallory + "/suspend", moderator,
      new JsonObject().put("reason", "abuse")).statusCode());
    String room = room();
    long now = System.currentTimeMillis();
    transaction(txn(), membership(room, matrixUser(alice), "A", now, null),
      membership(room, matrixUser(mallory), "M", now, null), membership(room, matrixUser(bob), "B", now, null));
    JsonObject answered = awaitCall(alice, "answered");
    awaitProcessed();
    assertEquals(Map.of(alice, "caller:joined", bob, "member:joined"), parties(history(alice).getJsonObject(0)),
      "mallory is suspended: not let in");
    assertEquals(answered.getString("call_id"), history(bob).getJsonObject(0).getString("call_id"));
    assertEquals(1, count("SELECT count(*) FROM matrix_events WHERE room_id = '" + room
      + "' AND outcome = 'refused: AURAID_NOT_FOUND'"));
  }

  // ---- helpers ----------------------------------------------------------------------------------------------

  private static JsonObject membership(String room, String user, String device, long createdTs, Long expires) {
    JsonObject content = new JsonObject().put("application", "m.call").put("call_id", "").put("scope", "m.room")
      .put("device_id", device).put("created_ts", createdTs)
      .put("focus_active", new JsonObject().put("type", "livekit").put("focus_selection", "oldest_membership"))
      .put("foci_preferred", new JsonArray().add(new JsonObject().put("type", "livekit")
        .put("livekit_service_url", "http://127.0.0.1:8080/livekit/jwt").put("livekit_alias", room)));
    if (expires != null) {
      content.put("expires", expires);
    }
    return stateEvent(room, user, "_" + user + "_" + device, content);
  }

  private static JsonObject leave(String room, String user, String device) {
    return stateEvent(room, user, "_" + user + "_" + device, new JsonObject());
  }

  private static JsonObject stateEvent(String room, String user, String stateKey, JsonObject content) {
    return new JsonObject().put("type", "org.matrix.msc3401.call.member").put("room_id", room).put("sender", user)
      .put("state_key", stateKey).put("event_id", "$rtc" + IDS.incrementAndGet() + "-" + System.nanoTime())
      .put("origin_server_ts", System.currentTimeMillis()).put("content", content);
  }

  private static JsonObject rtcMember(String room, String user, String device, String membership) {
    JsonObject content = new JsonObject().put("slot_id", "m.call#ROOM")
      .put("member", new JsonObject().put("id", user + ":" + device).put("membership", membership)
        .put("device_id", device))
      .put("application", new JsonObject().put("type", "m.call"))
      .put("transports", new JsonObject().put("published", new JsonArray().add(new JsonObject()
        .put("type", "livekit").put("livekit_service_url", "http://127.0.0.1:8080/livekit/jwt"))));
    return new JsonObject().put("type", "m.rtc.member").put("room_id", room).put("sender", user)
      .put("event_id", "$sticky" + IDS.incrementAndGet() + "-" + System.nanoTime())
      .put("origin_server_ts", System.currentTimeMillis()).put("content", content);
  }

  private static Map<String, String> parties(JsonObject call) {
    return call.getJsonArray("participants").stream().map(o -> (JsonObject) o)
      .collect(Collectors.toMap(p -> p.getString("aura_id"), p -> p.getString("role") + ":" + p.getString("state")));
  }

  private static String person() {
    return http.register(registrar, "rtc_" + IDS.incrementAndGet() + "_" + Long.toString(System.nanoTime() % 100000, 36));
  }

  private static String matrixUser(String auraId) {
    return "@" + auraId.substring(1, auraId.length() - ".aura".length()) + "_aura:localhost";
  }

  private static String room() {
    return "!rtc" + IDS.incrementAndGet() + "x" + System.nanoTime() + ":localhost";
  }

  private static String txn() {
    return "rtc" + IDS.incrementAndGet() + "-" + System.nanoTime();
  }

  private static void transaction(String txnId, JsonObject... events) {
    HttpResponse<Buffer> response = Await.result(as.put("/_matrix/app/v1/transactions/" + txnId)
      .putHeader("Authorization", "Bearer " + HS_TOKEN)
      .sendJsonObject(new JsonObject().put("events", new JsonArray(List.of((Object[]) events)))));
    assertEquals(200, response.statusCode(), response.bodyAsString());
  }

  private static JsonArray history(String auraId) {
    HttpResponse<Buffer> response = http.get("/internal/calls?aura_id=" + auraId, reader);
    assertEquals(200, response.statusCode(), response.bodyAsString());
    return response.bodyAsJsonObject().getJsonArray("calls");
  }

  private static JsonObject awaitCall(String auraId, String state) {
    Await.until(WAIT, "a " + state + " call of " + auraId, () -> history(auraId).stream()
      .anyMatch(c -> state.equals(((JsonObject) c).getString("state"))));
    return history(auraId).stream().map(c -> (JsonObject) c).filter(c -> state.equals(c.getString("state")))
      .findFirst().orElseThrow();
  }

  /** Every event the bridge stored has been processed. */
  private static void awaitProcessed() {
    Await.until(WAIT, "an empty intake queue", () -> count(
      "SELECT count(*) FROM matrix_events WHERE state IN ('pending', 'processing')") == 0);
  }

  private static long count(String sql) {
    try (Connection c = TestStores.jdbc(databaseUrl); Statement s = c.createStatement(); ResultSet row = s.executeQuery(sql)) {
      return row.next() ? row.getLong(1) : 0;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
