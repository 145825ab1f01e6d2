package io.auralink.comm.call;

import io.auralink.comm.node.Node;
import io.auralink.comm.testing.Await;
import io.auralink.comm.testing.Http;
import io.auralink.comm.testing.TestNodes;
import io.auralink.comm.testing.Tokens;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Calls through the HTTP API of one node with every role, against real PostgreSQL and Redis, without LiveKit
 * settings: the state machine, who may do what, exactly one answer, ring deadlines, who cannot be called, suspension,
 * history and the events.
 */
class CallApiTest {

  private static final AtomicInteger NAMES = new AtomicInteger();

  private static Node node;
  private static Http http;
  private static Tokens tokens;
  private static String registrar;
  private static String moderator;
  private static String bridge;
  private static String reader;
  private static String stranger;
  private static final ConcurrentLinkedQueue<JsonObject> events = new ConcurrentLinkedQueue<>();
  private static MessageConsumer<JsonObject> listener;

  @BeforeAll
  static void startNode() {
    Map<String, String> settings = TestNodes.settings("call");
    settings.put("AURALINK_CALL_SWEEP_INTERVAL", "200ms");
    settings.put("AURALINK_CALL_MAX_RING_TIME", "60s");
    settings.put("AURALINK_CALL_HISTORY_PAGE_LIMIT", "3");
    node = TestNodes.start(settings);
    http = new Http(node.vertx(), Integer.parseInt(settings.get("AURALINK_HTTP_PORT")));
    tokens = new Tokens(node.vertx());
    registrar = tokens.hs256(Tokens.service("dashboard", "identity:write"));
    moderator = tokens.hs256(Tokens.service("console", "trust:moderate"));
    bridge = tokens.hs256(Tokens.service("bridge", "calls:write"));
    reader = tokens.hs256(Tokens.service("hub", "calls:read"));
    stranger = tokens.hs256(Tokens.service("other", "mesh:read"));
    listener = node.vertx().eventBus().consumer(CallEvents.STATE, message -> events.add(message.body()));
    Await.result(listener.completion());
  }

  @AfterAll
  static void stopNode() {
    if (listener != null) {
      Await.result(listener.unregister());
    }
    http.close();
    TestNodes.stop(node);
  }

  // ---- helpers ----------------------------------------------------------------------------------------------

  private static String person() {
    String username = "c_" + NAMES.incrementAndGet();
    return http.register(registrar, username);
  }

  private static String user(String auraId) {
    return tokens.hs256(Tokens.user(auraId));
  }

  private static JsonObject ok(HttpResponse<Buffer> response, int status) {
    assertEquals(status, response.statusCode(), response.bodyAsString());
    return response.bodyAsJsonObject();
  }

  private static JsonObject error(HttpResponse<Buffer> response, int status, String code) {
    assertEquals(status, response.statusCode(), response.bodyAsString());
    JsonObject error = Http.error(response);
    assertEquals(code, error.getString("code"), response.bodyAsString());
    return error;
  }

  private static HttpResponse<Buffer> invite(String caller, String callee) {
    return http.post("/internal/calls", user(caller),
      new JsonObject().put("callee_aura_id", callee).put("device_id", "phone").put("media_type", "audio"));
  }

  private static String ringing(String caller, String callee) {
    return ok(invite(caller, callee), 201).getString("call_id");
  }

  private static HttpResponse<Buffer> act(String callId, String action, String token, JsonObject body) {
    return http.post("/internal/calls/" + callId + "/" + action, token, body);
  }

  private static HttpResponse<Buffer> answer(String callId, String callee, String device) {
    return act(callId, "answer", user(callee), new JsonObject().put("device_id", device));
  }

  /** The smallest valid body of an action. */
  private static JsonObject bodyFor(String action) {
    return "answer".equals(action) ? new JsonObject().put("device_id", "phone") : new JsonObject();
  }

  private static JsonObject get(String callId, String token) {
    return ok(http.get("/internal/calls/" + callId, token), 200);
  }

  private static List<JsonObject> eventsOf(String callId) {
    return events.stream().filter(e -> callId.equals(e.getString("call_id"))).toList();
  }

  // ---- the state machine through the API --------------------------------------------------------------------

  @Test
  void a_call_rings_is_answered_and_completes_with_its_duration_reason_and_quality() {
    String alice = person();
    String bob = person();
    JsonObject invited = ok(invite(alice, bob), 201);
    String id = invited.getString("call_id");
    assertEquals("ringing", invited.getString("state"));
    assertEquals(alice, invited.getString("caller_aura_id"));
    assertEquals(new JsonArray().add(bob), invited.getJsonArray("callee_aura_ids"));
    assertEquals("api", invited.getString("entry_point"));
    assertEquals("audio", invited.getString("media_type"));
    assertEquals("centralized", invited.getJsonObject("route").getString("route_type"),
      "parties without devices meet on the media server");
    assertEquals("call_" + id.replace("-", ""), invited.getString("room"));
    assertNull(invited.getValue("livekit"), "no LiveKit settings: no token");
    assertTrue(invited.getJsonArray("notes").getString(0).contains("LiveKit is not configured"), invited.encode());
    assertTrue(invited.getBoolean("created"));
    assertNotNull(invited.getString("ring_deadline"));

    JsonObject answered = ok(answer(id, bob, "laptop"), 200);
    assertEquals("answered", answered.getString("state"));
    assertEquals(bob, answered.getString("answered_by"));
    assertEquals("laptop", answered.getString("answered_device"));
    assertNull(answered.getValue("livekit"));

    JsonObject hungUp = ok(act(id, "hangup", user(alice), new JsonObject().put("reason", "user_hangup")
      .put("quality", new JsonObject().put("rtt_ms", 80).put("jitter_ms", 12).put("loss", 0.01)
        .put("bitrate_kbps", 48).put("mos", 4.2))), 200);
    assertEquals("completed", hungUp.getString("state"));
    assertEquals("user_hangup", hungUp.getString("end_reason"));
    assertEquals("user:" + alice, hungUp.getString("ended_by"));
    assertEquals(4.2, hungUp.getJsonObject("quality").getDouble("mos"));
    assertTrue(hungUp.getDouble("duration_seconds") >= 0);

    JsonObject seen = get(id, user(bob));
    assertEquals("completed", seen.getString("state"));
    List<JsonObject> participants = seen.getJsonArray("participants").stream().map(o -> (JsonObject) o).toList();
    assertEquals(List.of(alice, bob), participants.stream().map(p -> p.getString("aura_id")).toList());
    assertEquals(new JsonArray().add("phone"), participants.get(0).getJsonArray("devices"));
    assertEquals(new JsonArray().add("laptop"), participants.get(1).getJsonArray("devices"));
    assertFalse(seen.containsKey("livekit"), "a read never carries a token");

    Await.until(Duration.ofSeconds(5), "three events", () -> eventsOf(id).size() == 3);
    List<JsonObject> published = eventsOf(id);
    assertEquals(List.of("ringing", "answered", "completed"), published.stream().map(e -> e.getString("state")).toList());
    assertNull(published.get(0).getValue("previous_state"));
    assertEquals(id + ":answered", published.get(1).getString("event_id"));
    assertEquals("laptop", published.get(1).getString("device_id"));
    assertEquals(bob, published.get(1).getString("aura_id"));
    assertEquals("answered", published.get(2).getString("previous_state"));
  }

  @Test
  void declined_cancelled_and_ended_calls_refuse_every_further_change_naming_their_state() {
    String alice = person();
    String bob = person();
    String declined = ringing(alice, bob);
    assertEquals("declined", ok(act(declined, "decline", user(bob), new JsonObject().put("reason", "busy")), 200)
      .getString("state"));
    JsonObject late = error(answer(declined, bob, "phone"), 409, "CALL_STATE");
    assertEquals("declined", late.getJsonObject("details").getString("state"));
    error(act(declined, "cancel", user(alice), null), 409, "CALL_STATE");

    String cancelled = ringing(alice, bob);
    assertEquals("cancelled", ok(act(cancelled, "cancel", user(alice), null), 200).getString("state"));
    assertEquals("cancelled", error(act(cancelled, "hangup", user(alice), null), 409, "CALL_STATE")
      .getJsonObject("details").getString("state"));

    String ring = ringing(alice, bob);
    JsonObject early = error(act(ring, "hangup", user(alice), null), 409, "CALL_STATE");
    assertEquals("ringing", early.getJsonObject("details").getString("state"), "hang-up needs an answer first");
    ok(answer(ring, bob, "phone"), 200);
    assertEquals("answered", error(act(ring, "decline", user(bob), null), 409, "CALL_STATE")
      .getJsonObject("details").getString("state"));
    ok(act(ring, "hangup", user(bob), null), 200);
    for (String action : List.of("answer", "decline", "cancel", "hangup")) {
      String party = "cancel".equals(action) ? alice : bob;
      assertEquals("completed", error(act(ring, action, user(party), bodyFor(action)), 409,
        "CALL_STATE").getJsonObject("details").getString("state"), action + " after the end");
    }
    assertEquals("completed", error(act(ring, "terminate", bridge, new JsonObject().put("reason", "abuse")), 409,
      "CALL_STATE").getJsonObject("details").getString("state"));
  }

  // ---- who may do what --------------------------------------------------------------------------------------

  @Test
  void only_participants_act_and_services_need_their_scope() {
    String alice = person();
    String bob = person();
    String eve = person();
    String id = ringing(alice, bob);

    // Someone else sees nothing: the call answers like one that does not exist.
    JsonObject hidden = error(http.get("/internal/calls/" + id, user(eve)), 404, "CALL_NOT_FOUND");
    JsonObject unknown = error(http.get("/internal/calls/" + java.util.UUID.randomUUID(), user(eve)), 404,
      "CALL_NOT_FOUND");
    assertEquals(unknown.getString("message"), hidden.getString("message"));
    for (String action : List.of("answer", "decline", "cancel", "hangup")) {
      error(act(id, action, user(eve), bodyFor(action)), 404, "CALL_NOT_FOUND");
    }
    // Each party does only its own part.
    error(answer(id, alice, "phone"), 403, "FORBIDDEN");
    error(act(id, "decline", user(alice), null), 403, "FORBIDDEN");
    error(act(id, "cancel", user(bob), null), 403, "FORBIDDEN");
    error(act(id, "terminate", user(alice), new JsonObject().put("reason", "x")), 403, "FORBIDDEN");
    // Services: reading needs calls:read, acting calls:write.
    error(http.get("/internal/calls/" + id, stranger), 403, "FORBIDDEN");
    assertEquals("ringing", get(id, reader).getString("state"));
    error(act(id, "answer", reader, new JsonObject().put("device_id", "d")), 403, "FORBIDDEN");
    error(http.post("/internal/calls", reader, new JsonObject().put("callee_aura_id", bob).put("device_id", "d")
      .put("caller_aura_id", alice)), 403, "FORBIDDEN");
    JsonObject byService = ok(act(id, "answer", bridge, new JsonObject().put("device_id", "bridge-dev")), 200);
    assertEquals(bob, byService.getString("answered_by"), "a service answers for the callee");
    assertEquals("completed", ok(act(id, "hangup", bridge, null), 200).getString("state"));
    assertEquals("service:bridge", get(id, reader).getString("ended_by"));
  }

  @Test
  void a_service_starts_calls_for_any_caller_from_another_entry_point_once_per_external_id() {
    String alice = person();
    String bob = person();
    JsonObject body = new JsonObject().put("caller_aura_id", alice).put("callee_aura_id", bob)
      .put("device_id", "ABCDEF").put("entry_point", "matrix_legacy").put("external_id", "c-" + NAMES.incrementAndGet());
    JsonObject first = ok(http.post("/internal/calls", bridge, body), 201);
    assertEquals("matrix_legacy", first.getString("entry_point"));
    JsonObject again = ok(http.post("/internal/calls", bridge, body), 200);
    assertEquals(first.getString("call_id"), again.getString("call_id"));
    assertFalse(again.getBoolean("created"));
    // A person calls only as themself, only through the API.
    error(http.post("/internal/calls", user(bob), new JsonObject().put("caller_aura_id", alice)
      .put("callee_aura_id", bob).put("device_id", "d")), 403, "FORBIDDEN");
    error(http.post("/internal/calls", user(alice), new JsonObject().put("callee_aura_id", bob).put("device_id", "d")
      .put("entry_point", "matrix_rtc")), 403, "FORBIDDEN");
  }

  @Test
  void invitations_are_validated_naming_the_field() {
    String alice = person();
    String bob = person();
    assertEquals("device_id", error(http.post("/internal/calls", user(alice),
      new JsonObject().put("callee_aura_id", bob)), 400, "VALIDATION_FAILED").getJsonObject("details").getString("field"));
    assertEquals("callee_aura_id", error(http.post("/internal/calls", user(alice),
      new JsonObject().put("callee_aura_id", "bob").put("device_id", "d")), 400, "VALIDATION_FAILED")
      .getJsonObject("details").getString("field"));
    assertEquals("ring_seconds", error(http.post("/internal/calls", user(alice),
      new JsonObject().put("callee_aura_id", bob).put("device_id", "d").put("ring_seconds", 61)), 400,
      "VALIDATION_FAILED").getJsonObject("details").getString("field"), "beyond the configured maximum");
    assertEquals("callee_aura_id", error(http.post("/internal/calls", user(alice),
      new JsonObject().put("callee_aura_id", alice).put("device_id", "d")), 400, "VALIDATION_FAILED")
      .getJsonObject("details").getString("field"));
    assertEquals("device_id", error(http.post("/internal/calls", user(alice),
      new JsonObject().put("callee_aura_id", bob).put("device_id", "a#b")), 400, "VALIDATION_FAILED")
      .getJsonObject("details").getString("field"));
    assertEquals("quality.mos", error(act(ringing(alice, bob), "hangup", user(alice),
      new JsonObject().put("quality", new JsonObject().put("mos", 7))), 400, "VALIDATION_FAILED")
      .getJsonObject("details").getString("field"));
  }

  // ---- exactly one answer -----------------------------------------------------------------------------------

  @Test
  void of_two_simultaneous_answers_exactly_one_wins() {
    String alice = person();
    String bob = person();
    for (int round = 0; round < 5; round++) {
      String id = ringing(alice, bob);
      List<Future<HttpResponse<Buffer>>> answers = new ArrayList<>();
      for (String device : List.of("phone", "laptop")) {
        answers.add(http.request(HttpMethod.POST, "/internal/calls/" + id + "/answer")
          .bearerTokenAuthentication(user(bob))
          .sendJsonObject(new JsonObject().put("device_id", device)));
      }
      Await.result(Future.join(new ArrayList<>(answers)));
      List<Integer> statuses = answers.stream().map(f -> f.result().statusCode()).sorted().toList();
      assertEquals(List.of(200, 409), statuses, "round " + round);
      HttpResponse<Buffer> winner = answers.stream().map(Future::result).filter(r -> r.statusCode() == 200)
        .findFirst().orElseThrow();
      JsonObject call = get(id, user(alice));
      assertEquals(winner.bodyAsJsonObject().getString("answered_device"), call.getString("answered_device"));
      assertEquals(1, call.getJsonArray("participants").getJsonObject(1).getJsonArray("devices").size(),
        "only the winning device joined");
    }
  }

  // ---- ring deadline ----------------------------------------------------------------------------------------

  @Test
  void a_call_not_answered_within_its_ring_lifetime_is_missed_and_cannot_be_answered() {
    String alice = person();
    String bob = person();
    String id = ok(http.post("/internal/calls", user(alice), new JsonObject().put("callee_aura_id", bob)
      .put("device_id", "phone").put("ring_seconds", 1)), 201).getString("call_id");
    Await.until(Duration.ofSeconds(10), "the call is missed", () -> "missed".equals(get(id, user(bob)).getString("state")));
    JsonObject missed = get(id, user(bob));
    assertEquals("ring_timeout", missed.getString("end_reason"));
    assertEquals("system", missed.getString("ended_by"));
    assertEquals("missed", error(answer(id, bob, "phone"), 409, "CALL_STATE").getJsonObject("details")
      .getString("state"));
    Await.until(Duration.ofSeconds(5), "the missed event", () -> eventsOf(id).stream()
      .anyMatch(e -> "missed".equals(e.getString("state"))));
    assertEquals(1, eventsOf(id).stream().filter(e -> "missed".equals(e.getString("state"))).count(),
      "the timer and the sweep end it once");
  }

  // ---- who cannot be called ---------------------------------------------------------------------------------

  @Test
  void blocked_hidden_deactivated_suspended_and_unknown_callees_answer_exactly_alike() {
    String alice = person();
    String blocker = person();
    ok(http.post("/internal/auraid/" + blocker + "/contacts/" + alice + "/block", user(blocker), null), 200);
    String hidden = person();
    ok(http.send(HttpMethod.PATCH, "/internal/auraid/" + hidden, user(hidden),
      new JsonObject().put("privacy_level", "private").toBuffer()), 200);
    String gone = person();
    ok(http.send(HttpMethod.DELETE, "/internal/auraid/" + gone, user(gone), null), 200);
    String suspended = person();
    ok(http.post("/internal/trust/aura_id/" + suspended + "/suspend", moderator,
      new JsonObject().put("reason", "spam calls")), 200);
    String unknown = "@nobody_" + NAMES.incrementAndGet() + ".aura";

    JsonObject expected = error(invite(alice, unknown), 404, "AURAID_NOT_FOUND");
    for (String callee : List.of(blocker, hidden, gone, suspended)) {
      JsonObject refused = error(invite(alice, callee), 404, "AURAID_NOT_FOUND");
      assertEquals(expected.getString("message").replace(unknown, callee), refused.getString("message"), callee);
      assertEquals(expected.getJsonObject("details"), refused.getJsonObject("details"), callee);
    }
    // The other way round: a caller who blocked the callee, or is suspended, cannot call them either.
    String bob = person();
    ok(http.post("/internal/auraid/" + alice + "/contacts/" + bob + "/block", user(alice), null), 200);
    error(invite(alice, bob), 403, "FORBIDDEN");
    error(invite(suspended, bob), 403, "FORBIDDEN");
  }

  @Test
  void a_suspension_terminates_the_suspended_partys_live_calls() {
    String alice = person();
    String bob = person();
    String carol = person();
    String answered = ringing(alice, bob);
    ok(answer(answered, bob, "phone"), 200);
    String ringingCall = ringing(carol, alice);
    String others = ringing(bob, carol);

    ok(http.post("/internal/trust/aura_id/" + alice + "/suspend", moderator,
      new JsonObject().put("reason", "harassment")), 200);
    for (String id : List.of(answered, ringingCall)) {
      Await.until(Duration.ofSeconds(10), "terminated", () -> "terminated".equals(get(id, reader).getString("state")));
      JsonObject call = get(id, reader);
      assertEquals("party_suspended", call.getString("end_reason"));
      assertEquals("system", call.getString("ended_by"));
    }
    assertEquals("ringing", get(others, reader).getString("state"), "calls without the suspended party go on");
    Await.until(Duration.ofSeconds(5), "one terminated event per call", () -> eventsOf(answered).stream()
      .anyMatch(e -> "terminated".equals(e.getString("state"))));
    assertEquals(1, eventsOf(answered).stream().filter(e -> "terminated".equals(e.getString("state"))).count());
  }

  @Test
  void an_operator_terminates_a_live_call_and_the_abusive_party_loses_trust() {
    String alice = person();
    String bob = person();
    String id = ringing(alice, bob);
    ok(answer(id, bob, "phone"), 200);
    double before = ok(http.get("/internal/trust/aura_id/" + alice, user(alice)), 200).getDouble("score");
    JsonObject ended = ok(act(id, "terminate", bridge, new JsonObject().put("reason", "abuse")
      .put("abusive_aura_id", alice)), 200);
    assertEquals("terminated", ended.getString("state"));
    double after = ok(http.get("/internal/trust/aura_id/" + alice, user(alice)), 200).getDouble("score");
    assertTrue(after < before, before + " → " + after);
  }

  // ---- history ----------------------------------------------------------------------------------------------

  @Test
  void history_pages_newest_first_with_a_cursor_filtered_by_state() {
    String alice = person();
    String bob = person();
    List<String> ids = new ArrayList<>();
    for (int k = 0; k < 5; k++) {
      String id = ringing(alice, bob);
      ids.add(id);
      if (k % 2 == 0) {
        ok(act(id, "cancel", user(alice), null), 200);
      }
    }
    List<String> seen = new ArrayList<>();
    String before = null;
    int pages = 0;
    do {
      String path = "/internal/calls?limit=2" + (before == null ? "" : "&before=" + before);
      JsonObject page = ok(http.get(path, user(bob)), 200);
      assertEquals(bob, page.getString("aura_id"));
      page.getJsonArray("calls").forEach(c -> seen.add(((JsonObject) c).getString("call_id")));
      before = page.getString("next");
      pages++;
    } while (before != null && pages < 10);
    assertEquals(3, pages);
    List<String> newestFirst = new ArrayList<>(ids);
    java.util.Collections.reverse(newestFirst);
    assertEquals(newestFirst, seen, "newest first, each once");

    JsonObject cancelled = ok(http.get("/internal/calls?state=cancelled&aura_id=" + alice, reader), 200);
    assertEquals(List.of(ids.get(4), ids.get(2), ids.get(0)), cancelled.getJsonArray("calls").stream()
      .map(c -> ((JsonObject) c).getString("call_id")).toList());
    assertEquals(3, ok(http.get("/internal/calls?limit=50", user(alice)), 200).getJsonArray("calls").size(),
      "the page-size limit (3 here) caps a larger limit");

    error(http.get("/internal/calls?aura_id=" + alice, user(bob)), 403, "FORBIDDEN");
    error(http.get("/internal/calls", reader), 400, "VALIDATION_FAILED");
    error(http.get("/internal/calls?before=garbage", user(bob)), 400, "VALIDATION_FAILED");
  }

  @Test
  void without_livekit_settings_the_exchange_answers_503_m_unknown_and_webhooks_cannot_be_verified() {
    HttpResponse<Buffer> exchange = http.post("/sfu/get", null, new JsonObject().put("room", "!r:example.com"));
    assertEquals(503, exchange.statusCode(), exchange.bodyAsString());
    JsonObject refusal = exchange.bodyAsJsonObject();
    assertEquals("M_UNKNOWN", refusal.getString("errcode"));
    assertTrue(refusal.getString("error").contains("LiveKit is not configured"), refusal.encode());

    HttpResponse<Buffer> webhook = Await.result(http.request(HttpMethod.POST, "/livekit/webhook")
      .putHeader("Content-Type", "application/webhook+json").putHeader("Authorization", "a.b.c")
      .sendBuffer(Buffer.buffer("{\"id\":\"EV_1\",\"event\":\"room_finished\"}")));
    error(webhook, 401, "WEBHOOK_REJECTED");
  }
}
