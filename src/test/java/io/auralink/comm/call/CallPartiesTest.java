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
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Calls with several parties through the HTTP API of one node, against real PostgreSQL and Redis: several callees
 * rung, the first answer wins and others join, declines per callee, participants joining and leaving (the last one
 * out completes the call), members a service adds, and private people calling their contacts.
 */
@Timeout(120)
class CallPartiesTest {

  private static final AtomicInteger NAMES = new AtomicInteger();

  private static Node node;
  private static Http http;
  private static Tokens tokens;
  private static String registrar;
  private static String bridge;
  private static final ConcurrentLinkedQueue<JsonObject> events = new ConcurrentLinkedQueue<>();
  private static final ConcurrentLinkedQueue<JsonObject> partyEvents = new ConcurrentLinkedQueue<>();
  private static MessageConsumer<JsonObject> listener;
  private static MessageConsumer<JsonObject> partyListener;

  @BeforeAll
  static void startNode() {
    Map<String, String> settings = TestNodes.settings("callparties");
    settings.put("AURALINK_CALL_SWEEP_INTERVAL", "200ms");
    settings.put("AURALINK_CALL_MAX_CALLEES", "3");
    node = TestNodes.start(settings);
    http = new Http(node.vertx(), Integer.parseInt(settings.get("AURALINK_HTTP_PORT")));
    tokens = new Tokens(node.vertx());
    registrar = tokens.hs256(Tokens.service("dashboard", "identity:write"));
    bridge = tokens.hs256(Tokens.service("bridge", "calls:write"));
    listener = node.vertx().eventBus().consumer(CallEvents.STATE, message -> events.add(message.body()));
    partyListener = node.vertx().eventBus().consumer(CallEvents.PARTICIPANT, m -> partyEvents.add(m.body()));
    Await.result(listener.completion());
    Await.result(partyListener.completion());
  }

  @AfterAll
  static void stopNode() {
    if (listener != null) {
      Await.result(listener.unregister());
      Await.result(partyListener.unregister());
    }
    http.close();
    TestNodes.stop(node);
  }

  // ---- helpers ----------------------------------------------------------------------------------------------

  private static String person() {
    return http.register(registrar, "p_" + NAMES.incrementAndGet());
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

  private static HttpResponse<Buffer> inviteMany(String caller, String... callees) {
    return http.post("/internal/calls", user(caller), new JsonObject().put("callees", new JsonArray(List.of(callees)))
      .put("device_id", "phone").put("media_type", "audio"));
  }

  private static HttpResponse<Buffer> act(String callId, String action, String token, JsonObject body) {
    return http.post("/internal/calls/" + callId + "/" + action, token, body);
  }

  private static HttpResponse<Buffer> answer(String callId, String callee, String device) {
    return act(callId, "answer", user(callee), new JsonObject().put("device_id", device));
  }

  private static JsonObject get(String callId, String token) {
    return ok(http.get("/internal/calls/" + callId, token), 200);
  }

  /** Each participant's state, by AuraID. */
  private static Map<String, String> states(JsonObject call) {
    return call.getJsonArray("participants").stream().map(o -> (JsonObject) o)
      .collect(Collectors.toMap(p -> p.getString("aura_id"), p -> p.getString("state")));
  }

  private static List<String> callStates(String callId) {
    return events.stream().filter(e -> callId.equals(e.getString("call_id"))).map(e -> e.getString("state")).toList();
  }

  private static void befriend(String a, String b) {
    ok(http.post("/internal/auraid/" + a + "/contacts", user(a), new JsonObject().put("contact", b)), 200);
    assertEquals("friend", ok(http.post("/internal/auraid/" + b + "/contacts/" + a + "/accept", user(b), null), 200)
      .getString("state"));
  }

  private static void makePrivate(String auraId) {
    ok(http.send(HttpMethod.PATCH, "/internal/auraid/" + auraId, user(auraId),
      new JsonObject().put("privacy_level", "private").toBuffer()), 200);
  }

  // ---- several callees --------------------------------------------------------------------------------------

  @Test
  void every_callee_is_rung_the_first_answer_wins_and_the_others_may_still_join() {
    String alice = person();
    String bob = person();
    String carol = person();
    String dave = person();
    JsonObject invited = ok(inviteMany(alice, bob, carol, dave), 201);
    String id = invited.getString("call_id");
    assertEquals(new JsonArray().add(bob).add(carol).add(dave), invited.getJsonArray("callee_aura_ids"));
    assertEquals("centralized", invited.getJsonObject("route").getString("route_type"),
      "a group call meets in a media server room");
    assertEquals(Map.of(alice, "joined", bob, "invited", carol, "invited", dave, "invited"), states(invited));
    Await.until(Duration.ofSeconds(5), "the ringing event", () -> callStates(id).contains("ringing"));
    JsonObject ringing = events.stream().filter(e -> id.equals(e.getString("call_id"))).findFirst().orElseThrow();
    assertEquals(new JsonArray().add(bob).add(carol).add(dave), ringing.getJsonArray("callee_aura_ids"),
      "the notification hub rings every callee listed");

    JsonObject answered = ok(answer(id, carol, "tablet"), 200);
    assertEquals("answered", answered.getString("state"));
    assertEquals(carol, answered.getString("answered_by"));
    JsonObject joined = ok(answer(id, bob, "laptop"), 200);
    assertEquals("answered", joined.getString("state"));
    assertEquals(carol, joined.getString("answered_by"), "the first answer stays the answer");
    ok(act(id, "decline", user(dave), null), 200);
    assertEquals(Map.of(alice, "joined", bob, "joined", carol, "joined", dave, "declined"), states(get(id, user(dave))));
    // Bob's second answer is no longer allowed: he has joined.
    JsonObject again = error(answer(id, bob, "phone"), 409, "CALL_STATE");
    assertEquals("answered", again.getJsonObject("details").getString("state"));
    assertEquals("joined", again.getJsonObject("details").getString("participant_state"));
  }

  @Test
  void two_callees_answering_at_once_both_get_in_and_the_call_is_answered_once() {
    String alice = person();
    String bob = person();
    String carol = person();
    String id = ok(inviteMany(alice, bob, carol), 201).getString("call_id");
    List<Future<HttpResponse<Buffer>>> both = List.of(
      http.request(HttpMethod.POST, "/internal/calls/" + id + "/answer").bearerTokenAuthentication(user(bob))
        .sendJsonObject(new JsonObject().put("device_id", "b")),
      http.request(HttpMethod.POST, "/internal/calls/" + id + "/answer").bearerTokenAuthentication(user(carol))
        .sendJsonObject(new JsonObject().put("device_id", "c")));
    Await.result(Future.join(List.copyOf(both)));
    both.forEach(f -> assertEquals(200, f.result().statusCode(), f.result().bodyAsString()));
    JsonObject call = get(id, user(alice));
    assertEquals(Map.of(alice, "joined", bob, "joined", carol, "joined"), states(call));
    Await.until(Duration.ofSeconds(5), "the answered event", () -> callStates(id).contains("answered"));
    assertEquals(1, callStates(id).stream().filter("answered"::equals).count(), "one ringing → answered");
  }

  @Test
  void a_decline_marks_only_that_callee_and_the_call_is_declined_when_every_callee_declined() {
    String alice = person();
    String bob = person();
    String carol = person();
    String id = ok(inviteMany(alice, bob, carol), 201).getString("call_id");
    JsonObject one = ok(act(id, "decline", user(bob), new JsonObject().put("reason", "busy")), 200);
    assertEquals("ringing", one.getString("state"));
    assertEquals("declined", states(one).get(bob));
    error(answer(id, bob, "phone"), 409, "CALL_STATE");
    JsonObject all = ok(act(id, "decline", user(carol), null), 200);
    assertEquals("declined", all.getString("state"));
    assertEquals(Map.of(alice, "left", bob, "declined", carol, "declined"), states(all));
    Await.until(Duration.ofSeconds(5), "the declined event", () -> callStates(id).contains("declined"));
    Await.until(Duration.ofSeconds(5), "two participant declines", () -> partyEvents.stream()
      .filter(e -> id.equals(e.getString("call_id")) && "declined".equals(e.getString("state"))).count() == 2);
    // A service declining for a call of several callees names which one.
    String other = ok(inviteMany(alice, bob, carol), 201).getString("call_id");
    assertEquals("aura_id", error(act(other, "decline", bridge, null), 400, "VALIDATION_FAILED")
      .getJsonObject("details").getString("field"));
    assertEquals("declined", states(ok(act(other, "decline", bridge, new JsonObject().put("aura_id", carol)), 200))
      .get(carol));
  }

  @Test
  void a_call_of_several_callees_nobody_answers_is_missed() {
    String alice = person();
    String bob = person();
    String carol = person();
    String id = ok(http.post("/internal/calls", user(alice), new JsonObject().put("callees",
      new JsonArray().add(bob).add(carol)).put("device_id", "phone").put("ring_seconds", 1)), 201).getString("call_id");
    Await.until(Duration.ofSeconds(10), "missed", () -> "missed".equals(get(id, user(alice)).getString("state")));
    assertEquals("missed", error(answer(id, bob, "phone"), 409, "CALL_STATE").getJsonObject("details")
      .getString("state"));
  }

  @Test
  void one_uncallable_callee_refuses_the_whole_invite_and_nothing_is_created() {
    String alice = person();
    String bob = person();
    String blocker = person();
    ok(http.post("/internal/auraid/" + blocker + "/contacts/" + alice + "/block", user(blocker), null), 200);
    String unknown = "@nobody_" + NAMES.incrementAndGet() + ".aura";
    JsonObject blocked = error(inviteMany(alice, bob, blocker), 404, "AURAID_NOT_FOUND");
    JsonObject missing = error(inviteMany(alice, bob, unknown), 404, "AURAID_NOT_FOUND");
    assertEquals(missing.getString("message").replace(unknown, blocker), blocked.getString("message"));
    assertEquals(missing.getJsonObject("details"), blocked.getJsonObject("details"));
    assertEquals(0, ok(http.get("/internal/calls", user(bob)), 200).getJsonArray("calls").size(),
      "no call was created for the callable callee");
  }

  @Test
  void callees_are_validated_naming_the_field() {
    String alice = person();
    String bob = person();
    String carol = person();
    for (JsonObject bad : List.of(
      new JsonObject().put("callees", new JsonArray()),
      new JsonObject().put("callees", new JsonArray().add(bob).add(bob)),
      new JsonObject().put("callees", new JsonArray().add(bob).add(alice)),
      new JsonObject().put("callees", new JsonArray().add(bob).add(carol).add(person()).add(person())),
      new JsonObject().put("callees", new JsonArray().add(bob)).put("callee_aura_id", carol))) {
      JsonObject refused = error(http.post("/internal/calls", user(alice), bad.put("device_id", "phone")), 400,
        "VALIDATION_FAILED");
      assertEquals("callees", refused.getJsonObject("details").getString("field"), bad.encode());
    }
    // A room call without callees is for a service relaying a MatrixRTC room only.
    error(http.post("/internal/calls", user(alice), new JsonObject().put("callees", new JsonArray())
      .put("device_id", "phone").put("entry_point", "matrix_rtc")), 403, "FORBIDDEN");
  }

  // ---- joining and leaving ----------------------------------------------------------------------------------

  @Test
  void participants_leave_and_come_back_and_the_last_one_out_completes_the_call() {
    String alice = person();
    String bob = person();
    String carol = person();
    String id = ok(inviteMany(alice, bob, carol), 201).getString("call_id");
    ok(act(id, "join", user(bob), new JsonObject().put("device_id", "laptop")), 200);
    assertEquals("answered", get(id, user(alice)).getString("state"), "a callee joining a ringing call answers it");
    // Alice adds a device, then leaves with one of two: she is still in.
    ok(act(id, "join", user(alice), new JsonObject().put("device_id", "tablet")), 200);
    assertEquals("joined", states(ok(act(id, "leave", user(alice), new JsonObject().put("device_id", "phone")), 200))
      .get(alice));
    assertEquals("left", states(ok(act(id, "leave", user(alice), null), 200)).get(alice));
    assertEquals("CALL_STATE", Http.error(act(id, "leave", user(alice), null)).getString("code"),
      "who has left cannot leave again");
    ok(act(id, "join", user(alice), new JsonObject().put("device_id", "phone")), 200);
    ok(act(id, "leave", user(alice), null), 200);
    JsonObject notIn = error(act(id, "leave", user(carol), null), 409, "CALL_STATE");
    assertEquals("invited", notIn.getJsonObject("details").getString("participant_state"),
      "carol never joined: she cannot leave, and the call goes on");
    assertEquals("answered", notIn.getJsonObject("details").getString("state"));
    JsonObject done = ok(act(id, "leave", user(bob), new JsonObject().put("reason", "done")), 200);
    assertEquals("completed", done.getString("state"));
    assertEquals("done", done.getString("end_reason"));
    assertEquals("user:" + bob, done.getString("ended_by"));
    assertEquals(Map.of(alice, "left", bob, "left", carol, "invited"), states(done));
    error(act(id, "join", user(carol), new JsonObject().put("device_id", "phone")), 409, "CALL_STATE");
    Await.until(Duration.ofSeconds(5), "completed", () -> callStates(id).contains("completed"));
    Await.until(Duration.ofSeconds(5), "alice's three changes", () -> partyEvents.stream()
      .filter(e -> id.equals(e.getString("call_id")) && alice.equals(e.getString("aura_id"))).count() == 3);
    List<String> alices = partyEvents.stream()
      .filter(e -> id.equals(e.getString("call_id")) && alice.equals(e.getString("aura_id")))
      .map(e -> e.getString("previous_state") + ">" + e.getString("state") + " " + e.getString("event_id")).toList();
    assertEquals(List.of("joined>left " + id + ":" + alice + ":1", "left>joined " + id + ":" + alice + ":2",
      "joined>left " + id + ":" + alice + ":3"), alices, "one event per change of her state, not per device");
  }

  @Test
  void the_caller_leaving_a_ringing_call_cancels_it() {
    String alice = person();
    String bob = person();
    String id = ok(inviteMany(alice, bob), 201).getString("call_id");
    JsonObject left = ok(act(id, "leave", user(alice), null), 200);
    assertEquals("cancelled", left.getString("state"));
  }

  @Test
  void only_parties_join_and_a_service_adds_members_who_get_their_own_token() {
    String alice = person();
    String bob = person();
    String outsider = person();
    String id = ok(inviteMany(alice, bob), 201).getString("call_id");
    error(act(id, "join", user(outsider), new JsonObject().put("device_id", "phone")), 404, "CALL_NOT_FOUND");
    error(act(id, "join", user(alice), new JsonObject().put("device_id", "phone").put("aura_id", bob)), 403,
      "FORBIDDEN");
    error(act(id, "join", bridge, new JsonObject().put("device_id", "phone")), 400, "VALIDATION_FAILED");
    error(act(id, "join", bridge, new JsonObject().put("device_id", "phone")
      .put("aura_id", "@nobody_" + NAMES.incrementAndGet() + ".aura")), 404, "AURAID_NOT_FOUND");
    JsonObject joined = ok(act(id, "join", bridge, new JsonObject().put("device_id", "room")
      .put("aura_id", outsider)), 200);
    assertEquals("answered", joined.getString("state"), "a member joining a ringing call answers it");
    assertNull(joined.getValue("livekit"), "no LiveKit settings here: no token (LiveKit tests check the token)");
    JsonObject member = joined.getJsonArray("participants").stream().map(o -> (JsonObject) o)
      .filter(p -> outsider.equals(p.getString("aura_id"))).findFirst().orElseThrow();
    assertEquals("member", member.getString("role"));
    assertEquals("joined", member.getString("state"));
    assertEquals("answered", get(id, user(outsider)).getString("state"), "a member reads the call");
  }

  // ---- private people and their contacts --------------------------------------------------------------------

  @Test
  void private_contacts_call_each_other_and_private_strangers_stay_hidden() {
    String alice = person();
    String bob = person();
    befriend(alice, bob);
    makePrivate(alice);
    makePrivate(bob);
    String call = ok(http.post("/internal/calls", user(alice), new JsonObject().put("callee_aura_id", bob)
      .put("device_id", "phone")), 201).getString("call_id");
    ok(answer(call, bob, "phone"), 200);
    ok(act(call, "hangup", user(bob), null), 200);
    assertEquals(201, http.post("/internal/calls", user(bob), new JsonObject().put("callee_aura_id", alice)
      .put("device_id", "phone")).statusCode(), "the other way round too");

    String stranger = person();
    error(http.post("/internal/calls", user(stranger), new JsonObject().put("callee_aura_id", alice)
      .put("device_id", "phone")), 404, "AURAID_NOT_FOUND");
    String privateStranger = person();
    makePrivate(privateStranger);
    error(http.post("/internal/calls", user(privateStranger), new JsonObject().put("callee_aura_id", stranger)
      .put("device_id", "phone")), 403, "FORBIDDEN");
    // A block ends the friendship: the contact is hidden again.
    ok(http.post("/internal/auraid/" + bob + "/contacts/" + alice + "/block", user(bob), null), 200);
    error(http.post("/internal/calls", user(alice), new JsonObject().put("callee_aura_id", bob)
      .put("device_id", "phone")), 404, "AURAID_NOT_FOUND");
  }
}
