package io.auralink.comm.matrix;

import io.auralink.comm.node.Node;
import io.auralink.comm.platform.storage.EmbeddedStores;
import io.auralink.comm.testing.Await;
import io.auralink.comm.testing.Http;
import io.auralink.comm.testing.TestNodes;
import io.auralink.comm.testing.TestStores;
import io.auralink.comm.testing.Tokens;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Two members on one database, as a deployment's bridges are: a transaction replayed to the other member, and to a
 * member restarted in between, changes nothing; whichever member processes a room's events, the call is one.
 */
@Timeout(180)
class MatrixBridgeMembersTest {

  private static final String HS_TOKEN = FakeHomeserver.HS_TOKEN;

  private static FakeHomeserver homeserver;
  private static Vertx client;
  private static WebClient web;
  private static Map<String, String> first;
  private static Map<String, String> second;
  private static Node one;
  private static Node two;

  @BeforeAll
  static void start() {
    homeserver = new FakeHomeserver();
    first = settings(TestNodes.settings("matrix_members"));
    second = new HashMap<>(settings(TestNodes.settings("matrix_members_two")));
    // The second member shares the first one's stores: the durable intake is the database.
    second.put("AURALINK_DATABASE_URL", first.get("AURALINK_DATABASE_URL"));
    one = TestNodes.start(first);
    two = TestNodes.start(second);
    client = Vertx.vertx();
    web = WebClient.create(client);
  }

  @AfterAll
  static void stop() {
    web.close();
    Await.result(client.close());
    TestNodes.stop(two);
    TestNodes.stop(one);
    homeserver.close();
  }

  private static Map<String, String> settings(Map<String, String> settings) {
    homeserver.bridge(settings, EmbeddedStores.freePort());
    return settings;
  }

  @Test
  void a_transaction_replayed_to_another_member_and_after_a_restart_changes_nothing() {
    Http api = new Http(one.vertx(), Integer.parseInt(first.get("AURALINK_HTTP_PORT")));
    Tokens tokens = new Tokens(one.vertx());
    String registrar = tokens.hs256(Tokens.service("dashboard", "identity:write"));
    String reader = tokens.hs256(Tokens.service("hub", "calls:read"));
    String alice = register(api, registrar, "mm_alice");
    String bob = register(api, registrar, "mm_bob");
    matrixClientPresent(tokens, bob);
    String room = "!members:localhost";
    JsonObject invite = new JsonObject().put("type", "m.call.invite").put("room_id", room)
      .put("sender", "@mm_alice_aura:localhost").put("event_id", "$members-invite")
      .put("origin_server_ts", System.currentTimeMillis())
      .put("content", new JsonObject().put("call_id", "m1").put("version", "1").put("lifetime", 60_000)
        .put("invitee", "@mm_bob_aura:localhost").put("party_id", "ALICEDEV")
        .put("offer", new JsonObject().put("type", "offer").put("sdp", "v=0")));
    JsonObject body = new JsonObject().put("events", new JsonArray().add(invite));

    assertEquals(200, transaction(first, "7", body).statusCode());
    Await.until(Duration.ofSeconds(20), "the call", () -> calls(api, reader, bob).size() == 1);
    assertEquals(200, transaction(second, "7", body).statusCode());

    TestNodes.stop(two);
    two = TestNodes.start(second);
    assertEquals(200, transaction(second, "7", body).statusCode());
    // A restarted homeserver numbers its transactions from 1 again: same event, new txnId.
    assertEquals(200, transaction(second, "1", body).statusCode());

    JsonObject hangup = new JsonObject().put("type", "m.call.hangup").put("room_id", room)
      .put("sender", "@mm_alice_aura:localhost").put("event_id", "$members-hangup")
      .put("origin_server_ts", System.currentTimeMillis())
      .put("content", new JsonObject().put("call_id", "m1").put("version", "1").put("party_id", "ALICEDEV"));
    assertEquals(200, transaction(second, "2", new JsonObject().put("events", new JsonArray().add(hangup)))
      .statusCode());
    Await.until(Duration.ofSeconds(20), "the cancel", () -> "cancelled".equals(
      calls(api, reader, bob).getJsonObject(0).getString("state")));
    assertEquals(1, calls(api, reader, bob).size(), "one call");
    assertEquals(alice, calls(api, reader, bob).getJsonObject(0).getString("caller_aura_id"));
    assertEquals(3, count("SELECT deliveries FROM matrix_transactions WHERE txn_id = '7'"));
    assertEquals(2, count("SELECT count(*) FROM matrix_events WHERE room_id = '" + room + "' AND state = 'done'"));
    api.close();
  }

  @Test
  void events_of_each_room_are_applied_in_order_while_two_members_share_the_work() {
    Http api = new Http(one.vertx(), Integer.parseInt(first.get("AURALINK_HTTP_PORT")));
    Tokens tokens = new Tokens(one.vertx());
    String registrar = tokens.hs256(Tokens.service("dashboard", "identity:write"));
    String reader = tokens.hs256(Tokens.service("hub", "calls:read"));
    int rooms = 6;
    java.util.List<String> callees = new java.util.ArrayList<>();
    String caller = register(api, registrar, "mo_caller");
    for (int r = 0; r < rooms; r++) {
      callees.add(register(api, registrar, "mo_callee" + r));
      matrixClientPresent(tokens, callees.get(r));
    }
    // Invite, answer, hang-up of every room, each in its own transaction, alternately to either member: a hang-up
    // applied before its answer would leave the call cancelled instead of completed.
    String[] steps = {"m.call.invite", "m.call.answer", "m.call.hangup"};
    java.util.List<io.vertx.core.Future<HttpResponse<Buffer>>> sent = new java.util.ArrayList<>();
    int txn = 100;
    for (String step : steps) {
      for (int r = 0; r < rooms; r++) {
        String callee = "@mo_callee" + r + "_aura:localhost";
        String sender = step.equals("m.call.answer") ? callee : "@mo_caller_aura:localhost";
        JsonObject content = new JsonObject().put("call_id", "o" + r).put("version", "1")
          .put("party_id", step.equals("m.call.answer") ? "CALLEE" + r : "CALLER");
        if (step.equals("m.call.invite")) {
          content.put("lifetime", 60_000).put("invitee", callee)
            .put("offer", new JsonObject().put("type", "offer").put("sdp", "v=0"));
        }
        JsonObject event = new JsonObject().put("type", step).put("room_id", "!order" + r + ":localhost")
          .put("sender", sender).put("event_id", "$order-" + r + "-" + step)
          .put("origin_server_ts", System.currentTimeMillis()).put("content", content);
        Map<String, String> member = (txn++ % 2 == 0) ? first : second;
        sent.add(web.putAbs("http://127.0.0.1:" + member.get("AURALINK_MATRIX_AS_PORT")
            + "/_matrix/app/v1/transactions/o" + txn).bearerTokenAuthentication(HS_TOKEN)
          .sendJsonObject(new JsonObject().put("events", new JsonArray().add(event))));
      }
      // Each step is acknowledged before the next is sent, as a homeserver sends a room's transactions in order.
      Await.result(io.vertx.core.Future.all(sent));
    }
    for (int r = 0; r < rooms; r++) {
      String callee = callees.get(r);
      int room = r;
      Await.until(Duration.ofSeconds(30), "room " + r + " completed", () -> {
        JsonArray calls = calls(api, reader, callee);
        return calls.size() == 1 && "completed".equals(calls.getJsonObject(0).getString("state"));
      });
      assertEquals("CALLEE" + room, calls(api, reader, callee).getJsonObject(0).getString("answered_device"));
      assertEquals(caller, calls(api, reader, callee).getJsonObject(0).getString("caller_aura_id"));
    }
    api.close();
  }

  /**
   * The callee has a Matrix client present, so the bridge rings them. The members are separate test clusters with
   * their own Redis, so each member's presence is told.
   */
  private static void matrixClientPresent(Tokens tokens, String auraId) {
    String writer = tokens.hs256(Tokens.service("apps", "presence:write"));
    for (Map<String, String> member : java.util.List.of(first, second)) {
      HttpResponse<Buffer> set = Await.result(web.postAbs("http://127.0.0.1:" + member.get("AURALINK_HTTP_PORT")
          + "/internal/presence").bearerTokenAuthentication(writer)
        .sendJsonObject(new JsonObject().put("aura_id", auraId).put("device_id", "matrix-client").put("state", "online")
          .put("capabilities", new JsonArray().add("matrix_voip"))));
      assertEquals(200, set.statusCode(), set.bodyAsString());
    }
  }

  private static String register(Http api, String registrar, String username) {
    return api.register(registrar, username);
  }

  private static JsonArray calls(Http api, String reader, String auraId) {
    return api.get("/internal/calls?aura_id=" + auraId, reader).bodyAsJsonObject().getJsonArray("calls");
  }

  private static HttpResponse<Buffer> transaction(Map<String, String> member, String txnId, JsonObject body) {
    return Await.result(web.putAbs("http://127.0.0.1:" + member.get("AURALINK_MATRIX_AS_PORT")
      + "/_matrix/app/v1/transactions/" + txnId).bearerTokenAuthentication(HS_TOKEN).sendJsonObject(body));
  }

  private static long count(String sql) {
    try (Connection c = TestStores.jdbc(first.get("AURALINK_DATABASE_URL")); Statement s = c.createStatement();
         ResultSet row = s.executeQuery(sql)) {
      return row.next() ? row.getLong(1) : 0;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
