package io.auralink.comm.matrix;

import io.auralink.comm.node.Node;
import io.auralink.comm.platform.storage.EmbeddedStores;
import io.auralink.comm.testing.Await;
import io.auralink.comm.testing.Http;
import io.auralink.comm.testing.TestNodes;
import io.auralink.comm.testing.TestStores;
import io.auralink.comm.testing.Tokens;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Matrix bridge through its Application Service listener, against the real PostgreSQL and a fake homeserver's
 * client-server endpoints: authentication, durable and idempotent intake, ordered processing, legacy VoIP into the
 * call log, refusals and hang-ups sent into Matrix.
 */
@Timeout(120)
class MatrixBridgeTest {

  private static final String HS_TOKEN = FakeHomeserver.HS_TOKEN;
  private static final AtomicInteger IDS = new AtomicInteger();
  private static final Duration WAIT = Duration.ofSeconds(15);

  private static FakeHomeserver homeserver;
  private static Node node;
  private static Http http;
  private static WebClient as;
  private static String databaseUrl;
  private static String registrar;
  private static String reader;
  private static String operator;
  private static String presenceWriter;
  private static Tokens tokens;

  @BeforeAll
  static void start() {
    homeserver = new FakeHomeserver();
    Map<String, String> settings = TestNodes.settings("matrix_bridge");
    int asPort = EmbeddedStores.freePort();
    homeserver.bridge(settings, asPort);
    settings.put("AURALINK_MATRIX_INTAKE_LEASE", "2s");
    settings.put("AURALINK_CALL_MAX_RING_TIME", "120s");
    databaseUrl = settings.get("AURALINK_DATABASE_URL");
    node = TestNodes.start(settings);
    http = new Http(node.vertx(), Integer.parseInt(settings.get("AURALINK_HTTP_PORT")));
    as = WebClient.create(node.vertx(), new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(asPort));
    tokens = new Tokens(node.vertx());
    registrar = tokens.hs256(Tokens.service("dashboard", "identity:write"));
    reader = tokens.hs256(Tokens.service("hub", "calls:read"));
    presenceWriter = tokens.hs256(Tokens.service("apps", "presence:write"));
    operator = tokens.hs256(Tokens.service("console", "calls:write"));
  }

  @AfterAll
  static void stop() {
    as.close();
    http.close();
    TestNodes.stop(node);
    homeserver.close();
  }

  // ---- authentication -----------------------------------------------------------------------------------------

  @Test
  void the_hs_token_is_required_in_either_form_and_compared_exactly() {
    JsonObject empty = new JsonObject().put("events", new JsonArray());
    assertEquals(200, put("/_matrix/app/v1/transactions/auth-1", "Bearer " + HS_TOKEN, empty).statusCode());
    assertEquals(200, put("/transactions/auth-2", "Bearer " + HS_TOKEN, empty).statusCode(), "legacy path");
    assertEquals(200, put("/_matrix/app/v1/transactions/auth-3?access_token=" + HS_TOKEN, null, empty).statusCode());

    assertMatrixError(put("/_matrix/app/v1/transactions/auth-4", null, empty), 401, "M_UNAUTHORIZED");
    assertMatrixError(put("/_matrix/app/v1/transactions/auth-5", "Bearer " + HS_TOKEN + "x", empty), 403,
      "M_FORBIDDEN");
    assertMatrixError(put("/_matrix/app/v1/transactions/auth-6?access_token=wrong", null, empty), 403, "M_FORBIDDEN");
    assertMatrixError(put("/_matrix/app/v1/transactions/auth-7?access_token=other", "Bearer " + HS_TOKEN, empty), 403,
      "M_FORBIDDEN");
    assertMatrixError(send(HttpMethod.GET, "/_matrix/app/v1/users/@x_aura:localhost", "Bearer nope", null), 403,
      "M_FORBIDDEN");
    assertMatrixError(send(HttpMethod.POST, "/_matrix/app/v1/ping", null, new JsonObject()), 401, "M_UNAUTHORIZED");
  }

  @Test
  void unknown_endpoints_methods_and_bodies_answer_in_matrix_error_shape() {
    assertMatrixError(send(HttpMethod.GET, "/_matrix/app/v1/nothing", "Bearer " + HS_TOKEN, null), 404,
      "M_UNRECOGNIZED");
    assertMatrixError(send(HttpMethod.POST, "/_matrix/app/v1/transactions/t", "Bearer " + HS_TOKEN, new JsonObject()),
      405, "M_UNRECOGNIZED");
    HttpResponse<Buffer> notJson = Await.result(as.put("/_matrix/app/v1/transactions/bad-1")
      .putHeader("Authorization", "Bearer " + HS_TOKEN).sendBuffer(Buffer.buffer("{nope")));
    assertMatrixError(notJson, 400, "M_NOT_JSON");
    assertMatrixError(put("/_matrix/app/v1/transactions/bad-2", "Bearer " + HS_TOKEN, new JsonObject()), 400,
      "M_BAD_JSON");
    assertMatrixError(send(HttpMethod.GET, "/_matrix/app/v1/rooms/%23any:localhost", "Bearer " + HS_TOKEN, null), 404,
      "M_NOT_FOUND");
    HttpResponse<Buffer> ping = send(HttpMethod.POST, "/_matrix/app/v1/ping", "Bearer " + HS_TOKEN,
      new JsonObject().put("transaction_id", "p1"));
    assertEquals(200, ping.statusCode());
    assertEquals("{}", ping.bodyAsString());
    assertEquals("2", ping.getHeader("Content-Length"), "Synapse counts a delivery only with a Content-Length");
  }

  @Test
  void the_bridge_pings_the_homeserver_at_start_and_health_and_metrics_show_the_link() {
    Await.until(WAIT, "a ping", () -> !homeserver.pings.isEmpty());
    assertEquals("auralink", homeserver.pings.get(0).getString("as_id"));
    transaction(txn());
    String operator = tokens.hs256(Tokens.service("ops", "cluster:read"));
    Await.until(WAIT, "the link in /internal/health", () -> {
      JsonObject link = http.get("/internal/health", operator).bodyAsJsonObject().getJsonObject("matrix");
      return link != null && link.getValue("last_transaction_age_seconds") != null
        && link.getValue("last_ping_age_seconds") != null && link.containsKey("queue_depth");
    });
    String metrics = http.get("/metrics").bodyAsString();
    assertTrue(metrics.contains("auralink_matrix_intake_queue_depth"), "queue depth gauge");
    assertTrue(metrics.contains("auralink_matrix_transaction_ack_seconds"), "acknowledgement timer");
  }

  // ---- users and membership ---------------------------------------------------------------------------------

  @Test
  void user_queries_answer_existing_aura_ids_after_registering_them_and_404_otherwise() {
    String bob = person();
    String bobMatrix = matrixUser(bob);
    assertEquals(200, send(HttpMethod.GET, "/_matrix/app/v1/users/" + bobMatrix, "Bearer " + HS_TOKEN, null)
      .statusCode());
    assertTrue(homeserver.users.contains(localpart(bobMatrix)), "registered before answering");
    assertMatrixError(send(HttpMethod.GET, "/_matrix/app/v1/users/@nobody_zz_aura:localhost", "Bearer " + HS_TOKEN,
      null), 404, "M_NOT_FOUND");
    assertMatrixError(send(HttpMethod.GET, "/users/@alice:localhost", "Bearer " + HS_TOKEN, null), 404, "M_NOT_FOUND");
  }

  @Test
  void an_invite_of_a_bridged_user_makes_that_user_join_as_the_application_service() {
    String bob = person();
    String room = room();
    transaction(txn(), member(room, "@someone:localhost", matrixUser(bob), "invite"),
      member(room, "@someone:localhost", "@nobody_zz_aura:localhost", "invite"));
    Await.until(WAIT, "the join", () -> homeserver.joins.stream().anyMatch(j -> j.getString("room_id").equals(room)));
    awaitProcessed(room);
    List<JsonObject> joins = homeserver.joins.stream().filter(j -> j.getString("room_id").equals(room)).toList();
    assertEquals(List.of(matrixUser(bob)), joins.stream().map(j -> j.getString("user_id")).toList(),
      "only the existing AuraID joins");
  }

  // ---- legacy VoIP ------------------------------------------------------------------------------------------

  @Test
  void a_legacy_call_rings_and_a_cancel_by_the_caller_ends_it_as_cancelled() {
    String alice = person();
    String bob = reachableCallee();
    String room = room();
    transaction(txn(), invite(room, "c1", alice, bob, 60_000));
    JsonObject call = awaitCall(bob, "ringing");
    assertEquals("matrix_legacy", call.getString("entry_point"));
    assertEquals(alice, call.getString("caller_aura_id"));
    assertEquals("audio", call.getString("media_type"));

    transaction(txn(), callEvent(room, "m.call.hangup", "c1", alice, new JsonObject().put("reason", "user_hangup")));
    JsonObject ended = awaitCall(bob, "cancelled");
    assertEquals(call.getString("call_id"), ended.getString("call_id"));
  }

  @Test
  void an_answered_legacy_call_completes_with_a_duration_events_of_one_room_applied_in_order() {
    String alice = person();
    String bob = reachableCallee();
    String room = room();
    // Invite, answer, select and hang-up in one transaction and again spread over several: the order holds.
    transaction(txn(), invite(room, "c2", alice, bob, 60_000),
      callEvent(room, "m.call.candidates", "c2", alice, new JsonObject().put("candidates", new JsonArray())),
      callEvent(room, "m.call.answer", "c2", bob, new JsonObject().put("party_id", "BOBPHONE")
        .put("answer", new JsonObject().put("type", "answer").put("sdp", "v=0"))),
      callEvent(room, "m.call.select_answer", "c2", alice, new JsonObject().put("selected_party_id", "BOBPHONE")),
      callEvent(room, "m.call.hangup", "c2", bob, new JsonObject().put("reason", "user_hangup")));
    JsonObject call = awaitCall(bob, "completed");
    assertEquals("BOBPHONE", call.getString("answered_device"));
    assertEquals("user_hangup", call.getString("end_reason"));
    assertEquals(0, count("SELECT count(*) FROM matrix_events WHERE room_id = '" + room + "' AND state <> 'done'"));
  }

  @Test
  void a_replayed_transaction_and_the_same_events_under_a_reused_txn_id_change_nothing() {
    String alice = person();
    String bob = reachableCallee();
    String room = room();
    String txnId = txn();
    JsonObject invite = invite(room, "c3", alice, bob, 60_000);
    transaction(txnId, invite);
    awaitCall(bob, "ringing");
    transaction(txnId, invite);
    // A restarted homeserver counts txnIds from 1 again: same events under another id are still the same events.
    transaction(txn(), invite);
    awaitProcessed(room);
    assertEquals(1, history(bob).size(), "one call");
    assertEquals(1, count("SELECT count(*) FROM matrix_events WHERE room_id = '" + room + "'"));
    assertEquals(2, count("SELECT deliveries FROM matrix_transactions WHERE txn_id = '" + txnId + "'"));
  }

  @Test
  void a_call_to_a_callee_who_blocked_the_caller_is_rejected_in_matrix_at_once() {
    String alice = person();
    String blocker = person();
    assertEquals(200, http.post("/internal/auraid/" + blocker + "/contacts/" + alice + "/block",
      tokens.hs256(Tokens.user(blocker)), null).statusCode());
    String room = room();
    transaction(txn(), invite(room, "c4", alice, blocker, 60_000));
    Await.until(WAIT, "the rejection", () -> homeserver.sent.stream()
      .anyMatch(e -> e.getString("room_id").equals(room) && e.getString("type").equals("m.call.reject")));
    JsonObject reject = homeserver.sent.stream().filter(e -> e.getString("room_id").equals(room)).findFirst()
      .orElseThrow();
    assertEquals(matrixUser(blocker), reject.getString("user_id"), "sent as the callee");
    assertEquals("c4", reject.getJsonObject("content").getString("call_id"));
    assertEquals("auraid_not_found", reject.getJsonObject("content").getString("io.auralink.reason"));
    assertEquals(0, history(blocker).size(), "no call in the log");
  }

  @Test
  void a_call_from_a_matrix_user_who_is_no_aura_id_is_rejected_and_expired_invites_are_ignored() {
    String bob = reachableCallee();
    String room = room();
    JsonObject foreign = invite(room, "c5", alice(), bob, 60_000);
    transaction(txn(), foreign.put("sender", "@alice:localhost"),
      invite(room, "c6", person(), bob, 60_000).put("origin_server_ts", System.currentTimeMillis() - 120_000));
    awaitProcessed(room);
    List<JsonObject> sent = homeserver.sent.stream().filter(e -> e.getString("room_id").equals(room)).toList();
    assertEquals(1, sent.size(), "one refusal, nothing for the expired invite");
    assertEquals("m.call.reject", sent.get(0).getString("type"));
    assertEquals(matrixUser(bob), sent.get(0).getString("user_id"), "refused by the callee");
    assertEquals("c5", sent.get(0).getJsonObject("content").getString("call_id"));
    assertEquals("caller_not_aura_id", sent.get(0).getJsonObject("content").getString("io.auralink.reason"));
    assertEquals(0, history(bob).size(), "nothing created");
    assertEquals(1, count("SELECT count(*) FROM matrix_events WHERE room_id = '" + room
      + "' AND outcome = 'rejected: caller is not an AuraID'"));
  }

  @Test
  void a_callee_without_a_device_that_speaks_matrix_voip_is_hung_up_at_once_and_nothing_rings() {
    String alice = person();
    String bob = person();
    // Online, but only in an app that does not answer Matrix calls.
    assertEquals(200, http.post("/internal/presence", presenceWriter, new JsonObject().put("aura_id", bob)
      .put("device_id", "bob-desk").put("state", "online").put("app_id", "aura-desktop")).statusCode());
    String room = room();
    transaction(txn(), invite(room, "c9", alice, bob, 60_000));
    Await.until(WAIT, "the hang-up", () -> homeserver.sent.stream()
      .anyMatch(e -> e.getString("room_id").equals(room)));
    JsonObject hangup = homeserver.sent.stream().filter(e -> e.getString("room_id").equals(room)).findFirst()
      .orElseThrow();
    assertEquals("m.call.hangup", hangup.getString("type"));
    assertEquals(matrixUser(bob), hangup.getString("user_id"), "sent as the callee");
    assertEquals("c9", hangup.getJsonObject("content").getString("call_id"));
    assertEquals("invite_timeout", hangup.getJsonObject("content").getString("reason"));
    assertEquals("no_matrix_voip_device", hangup.getJsonObject("content").getString("io.auralink.reason"));
    awaitProcessed(room);
    assertEquals(0, history(bob).size(), "nothing rang, no call");

    // The same callee once a Matrix client of theirs is present: the call rings.
    assertEquals(200, http.post("/internal/presence", presenceWriter, new JsonObject().put("aura_id", bob)
      .put("device_id", "bob-phone").put("state", "away").put("app_id", "element")
      .put("capabilities", new JsonArray().add("matrix_voip"))).statusCode());
    String second = room();
    transaction(txn(), invite(second, "c10", alice, bob, 60_000));
    assertEquals(alice, awaitCall(bob, "ringing").getString("caller_aura_id"));
    assertEquals(0, homeserver.sent.stream().filter(e -> e.getString("room_id").equals(second)).count());
  }

  @Test
  void a_device_declares_only_known_capabilities_and_presence_shows_them() {
    String bob = person();
    HttpResponse<Buffer> unknown = http.post("/internal/presence", presenceWriter, new JsonObject().put("aura_id", bob)
      .put("device_id", "d1").put("state", "online").put("capabilities", new JsonArray().add("telepathy")));
    assertEquals(400, unknown.statusCode(), unknown.bodyAsString());
    assertTrue(unknown.bodyAsString().contains("capabilities"), unknown.bodyAsString());
    assertEquals(200, http.post("/internal/presence", presenceWriter, new JsonObject().put("aura_id", bob)
      .put("device_id", "d1").put("state", "online").put("capabilities", new JsonArray().add("matrix_voip")))
      .statusCode());
    JsonObject shown = http.get("/internal/presence/" + bob, presenceWriter).bodyAsJsonObject();
    assertEquals(new JsonArray().add("matrix_voip"),
      shown.getJsonArray("devices").getJsonObject(0).getJsonArray("capabilities"));
  }

  @Test
  void a_call_the_operator_terminates_is_hung_up_in_matrix_as_the_callee() {
    String alice = person();
    String bob = reachableCallee();
    String room = room();
    transaction(txn(), invite(room, "c7", alice, bob, 60_000));
    JsonObject call = awaitCall(bob, "ringing");
    assertEquals(200, http.post("/internal/calls/" + call.getString("call_id") + "/terminate", operator,
      new JsonObject().put("reason", "abuse")).statusCode());
    Await.until(WAIT, "the hang-up", () -> homeserver.sent.stream()
      .anyMatch(e -> e.getString("room_id").equals(room) && e.getString("type").equals("m.call.hangup")));
    JsonObject hangup = homeserver.sentOfType("m.call.hangup").stream()
      .filter(e -> e.getString("room_id").equals(room)).findFirst().orElseThrow();
    assertEquals(matrixUser(bob), hangup.getString("user_id"));
    assertEquals("c7", hangup.getJsonObject("content").getString("call_id"));
    assertEquals("abuse", hangup.getJsonObject("content").getString("io.auralink.reason"));
  }

  // ---- durability -------------------------------------------------------------------------------------------

  @Test
  void an_event_claimed_by_a_member_that_died_is_processed_when_its_lease_expires() throws SQLException {
    String alice = person();
    String bob = reachableCallee();
    String room = room();
    JsonObject invite = invite(room, "c8", alice, bob, 60_000);
    // What a member leaves behind when it dies after acknowledging and claiming, before applying.
    try (Connection c = TestStores.jdbc(databaseUrl); Statement s = c.createStatement()) {
      s.executeUpdate("INSERT INTO matrix_events (event_id, room_id, type, txn_id, event, state, due_at, attempts, "
        + "claimed_by) VALUES ('" + invite.getString("event_id") + "', '" + room + "', 'm.call.invite', 'dead-1', '"
        + invite.encode().replace("'", "''") + "'::jsonb, 'processing', now() + interval '1 second', 1, 'dead')");
    }
    JsonObject call = awaitCall(bob, "ringing");
    assertEquals(alice, call.getString("caller_aura_id"));
    assertEquals(2, count("SELECT attempts FROM matrix_events WHERE event_id = '" + invite.getString("event_id") + "'"));
  }

  @Test
  void the_recorded_synapse_traffic_is_acknowledged_and_processed_without_errors() throws IOException {
    Path recorded = Path.of("../shared/peers/as_requests.jsonl");
    List<String> lines = Files.readAllLines(recorded);
    assertTrue(lines.size() > 0);
    String prefix = "rec" + IDS.incrementAndGet() + "-";
    for (String line : lines) {
      JsonObject request = new JsonObject(line);
      String path = request.getString("path");
      JsonObject body = request.getJsonObject("body");
      if (path.contains("/transactions/")) {
        // Recorded under another hs_token and run: our token, txnIds and event ids unique to this run.
        for (Object event : body.getJsonArray("events", new JsonArray())) {
          JsonObject e = (JsonObject) event;
          e.put("event_id", e.getString("event_id") + prefix);
        }
        path = path.substring(0, path.lastIndexOf('/') + 1) + prefix + path.substring(path.lastIndexOf('/') + 1);
      }
      HttpResponse<Buffer> response = send(HttpMethod.valueOf(request.getString("method")), path,
        "Bearer " + HS_TOKEN, body);
      assertTrue(response.statusCode() == 200 || path.contains("/users/") && response.statusCode() == 404,
        path + " " + response.statusCode() + " " + response.bodyAsString());
    }
    Await.until(WAIT, "the recorded events processed", () -> count(
      "SELECT count(*) FROM matrix_events WHERE event_id LIKE '%" + prefix + "' AND state IN ('pending', 'processing')")
      == 0);
    assertEquals(0, count("SELECT count(*) FROM matrix_events WHERE event_id LIKE '%" + prefix
      + "' AND state = 'failed'"));
  }

  // ---- helpers ----------------------------------------------------------------------------------------------

  private static String person() {
    String username = "mx_" + IDS.incrementAndGet() + "_" + Long.toString(System.nanoTime() % 100000, 36);
    return http.register(registrar, username);
  }

  /** An AuraID with a Matrix client present: a device that declares the {@code matrix_voip} capability. */
  private static String reachableCallee() {
    String auraId = person();
    HttpResponse<Buffer> set = http.post("/internal/presence", presenceWriter, new JsonObject().put("aura_id", auraId)
      .put("device_id", "matrix-client").put("state", "online").put("capabilities", new JsonArray().add("matrix_voip")));
    assertEquals(200, set.statusCode(), set.bodyAsString());
    return auraId;
  }

  private static String alice() {
    return person();
  }

  private static String matrixUser(String auraId) {
    return "@" + auraId.substring(1, auraId.length() - ".aura".length()) + "_aura:localhost";
  }

  private static String localpart(String matrixUser) {
    return matrixUser.substring(1, matrixUser.indexOf(':'));
  }

  private static String room() {
    return "!room" + IDS.incrementAndGet() + "x" + System.nanoTime() + ":localhost";
  }

  private static String txn() {
    return "t" + IDS.incrementAndGet() + "-" + System.nanoTime();
  }

  private static JsonObject invite(String room, String callId, String caller, String callee, long lifetime) {
    return callEvent(room, "m.call.invite", callId, caller, new JsonObject().put("lifetime", lifetime)
      .put("invitee", matrixUser(callee)).put("party_id", "CALLERDEV")
      .put("offer", new JsonObject().put("type", "offer").put("sdp", "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n")));
  }

  private static JsonObject callEvent(String room, String type, String callId, String sender, JsonObject content) {
    return new JsonObject().put("type", type).put("room_id", room).put("sender", matrixUser(sender))
      .put("event_id", "$" + type + IDS.incrementAndGet() + "-" + System.nanoTime())
      .put("origin_server_ts", System.currentTimeMillis())
      .put("content", content.put("call_id", callId).put("version", "1"));
  }

  private static JsonObject member(String room, String sender, String target, String membership) {
    return new JsonObject().put("type", "m.room.member").put("room_id", room).put("sender", sender)
      .put("state_key", target).put("event_id", "$member" + IDS.incrementAndGet() + "-" + System.nanoTime())
      .put("origin_server_ts", System.currentTimeMillis())
      .put("content", new JsonObject().put("membership", membership));
  }

  private static void transaction(String txnId, JsonObject... events) {
    HttpResponse<Buffer> response = put("/_matrix/app/v1/transactions/" + txnId, "Bearer " + HS_TOKEN,
      new JsonObject().put("events", new JsonArray(List.of((Object[]) events))));
    assertEquals(200, response.statusCode(), response.bodyAsString());
    assertEquals("{}", response.bodyAsString());
  }

  private static HttpResponse<Buffer> put(String path, String authorization, JsonObject body) {
    return send(HttpMethod.PUT, path, authorization, body);
  }

  private static HttpResponse<Buffer> send(HttpMethod method, String path, String authorization, JsonObject body) {
    HttpRequest<Buffer> request = as.request(method, path);
    if (authorization != null) {
      request.putHeader("Authorization", authorization);
    }
    return Await.result(body == null ? request.send() : request.sendJsonObject(body));
  }

  private static void assertMatrixError(HttpResponse<Buffer> response, int status, String errcode) {
    assertEquals(status, response.statusCode(), response.bodyAsString());
    assertEquals(errcode, response.bodyAsJsonObject().getString("errcode"), response.bodyAsString());
    assertTrue(response.bodyAsJsonObject().getString("error") != null);
  }

  private static JsonArray history(String auraId) {
    HttpResponse<Buffer> response = http.get("/internal/calls?aura_id=" + auraId, reader);
    assertEquals(200, response.statusCode(), response.bodyAsString());
    return response.bodyAsJsonObject().getJsonArray("calls");
  }

  private static JsonObject awaitCall(String auraId, String state) {
    Await.until(WAIT, "a " + state + " call of " + auraId, () -> history(auraId).stream()
      .anyMatch(c -> state.equals(((JsonObject) c).getString("state"))));
    return history(auraId).getJsonObject(0);
  }

  private static void awaitProcessed(String room) {
    Await.until(WAIT, "the events of " + room + " processed", () -> count(
      "SELECT count(*) FROM matrix_events WHERE room_id = '" + room + "' AND state IN ('pending', 'processing')") == 0);
  }

  private static long count(String sql) {
    try (Connection c = TestStores.jdbc(databaseUrl); Statement s = c.createStatement(); ResultSet row = s.executeQuery(sql)) {
      return row.next() ? row.getLong(1) : 0;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
