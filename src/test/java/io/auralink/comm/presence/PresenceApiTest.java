package io.auralink.comm.presence;

import io.auralink.comm.node.Node;
import io.auralink.comm.testing.Await;
import io.auralink.comm.testing.Http;
import io.auralink.comm.testing.TestNodes;
import io.auralink.comm.testing.Tokens;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
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

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Presence through the HTTP API of one node with every role, against real PostgreSQL and Redis, with a local
 * stand-in homeserver for the Matrix mirror: aggregation across devices, expiry, privacy, the bulk limit, the
 * original's paths, coalesced events.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PresenceApiTest {

  private static final String AS_TOKEN = "as-token-for-presence";
  private static final AtomicInteger NAMES = new AtomicInteger();

  private static Vertx homeserverVertx;
  private static HttpServer homeserver;
  /** What the stand-in homeserver received on the presence endpoint: {user, user_id, authorization, body}. */
  private static final List<JsonObject> mirrored = new CopyOnWriteArrayList<>();
  private static Node node;
  private static Http http;
  private static Tokens tokens;
  private static String registrar;
  private static String presenceReader;
  private static String presenceWriter;
  private static final ConcurrentLinkedQueue<JsonObject> events = new ConcurrentLinkedQueue<>();
  private static MessageConsumer<JsonObject> listener;

  @BeforeAll
  static void startNode() {
    homeserverVertx = Vertx.vertx();
    Router router = Router.router(homeserverVertx);
    router.route().handler(BodyHandler.create());
    router.post("/_matrix/client/v3/register").handler(ctx ->
      ctx.json(new JsonObject().put("user_id", "@" + ctx.body().asJsonObject().getString("username") + ":localhost")));
    router.put("/_matrix/client/v3/profile/:user/displayname").handler(ctx -> ctx.json(new JsonObject()));
    router.put("/_matrix/client/v3/presence/:user/status").handler(ctx -> {
      mirrored.add(new JsonObject().put("user", ctx.pathParam("user")).put("user_id", ctx.queryParams().get("user_id"))
        .put("authorization", ctx.request().getHeader("Authorization")).put("body", ctx.body().asJsonObject()));
      ctx.json(new JsonObject());
    });
    homeserver = Await.result(homeserverVertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));

    Map<String, String> settings = TestNodes.settings("presence");
    settings.put("AURALINK_PRESENCE_TTL", "2s");
    settings.put("AURALINK_PRESENCE_EVENT_INTERVAL", "1s");
    settings.put("AURALINK_MATRIX_HOMESERVER_URL", "http://127.0.0.1:" + homeserver.actualPort());
    settings.put("AURALINK_MATRIX_AS_TOKEN", AS_TOKEN);
    settings.put("AURALINK_MATRIX_SERVER_NAME", "localhost");
    node = TestNodes.start(settings);
    http = new Http(node.vertx(), Integer.parseInt(settings.get("AURALINK_HTTP_PORT")));
    tokens = new Tokens(node.vertx());
    registrar = tokens.hs256(Tokens.service("dashboard", "identity:write"));
    presenceReader = tokens.hs256(Tokens.service("hub", "presence:read"));
    presenceWriter = tokens.hs256(Tokens.service("gateway", "presence:write"));
    listener = node.vertx().eventBus().consumer(PresenceEvents.CHANGED, message -> events.add(message.body()));
    Await.result(listener.completion());
  }

  @AfterAll
  static void stopNode() {
    if (listener != null) {
      Await.result(listener.unregister());
    }
    http.close();
    TestNodes.stop(node);
    Await.result(homeserverVertx.close());
  }

  // ---- helpers ----------------------------------------------------------------------------------------------

  private static String person() {
    String username = "p_" + NAMES.incrementAndGet();
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

  private static JsonObject set(String auraId, String device, String state, String message, String app) {
    return ok(http.post("/internal/presence", user(auraId), new JsonObject().put("device_id", device)
      .put("state", state).put("status_message", message).put("app_id", app)), 200);
  }

  private static JsonObject seenBy(String token, String auraId) {
    return ok(http.get("/internal/presence/" + auraId, token), 200);
  }

  private static void befriend(String a, String b) {
    ok(http.post("/internal/auraid/" + a + "/contacts", user(a), new JsonObject().put("contact", b)), 200);
    ok(http.post("/internal/auraid/" + b + "/contacts", user(b), new JsonObject().put("contact", a)), 200);
  }

  private static void privacy(String auraId, String level) {
    ok(http.send(HttpMethod.PATCH, "/internal/auraid/" + auraId, user(auraId),
      new JsonObject().put("privacy_level", level).toBuffer()), 200);
  }

  private static void assertHidden(JsonObject presence, String auraId) {
    assertEquals(auraId, presence.getString("aura_id"));
    assertEquals("offline", presence.getString("state"));
    assertNull(presence.getValue("last_seen"));
    assertNull(presence.getValue("status_message"));
    assertEquals(0, presence.getJsonArray("devices").size());
  }

  // ---- devices and aggregation ------------------------------------------------------------------------------

  @Test
  void a_person_is_as_available_as_their_most_available_device_and_offline_removes_a_device() {
    String alice = person();
    set(alice, "phone", "away", "on the train", "chat");
    JsonObject both = set(alice, "laptop", "busy", "in a meeting", "desk");
    assertEquals("away", both.getString("state"));
    assertEquals("on the train", both.getString("status_message"));
    assertEquals("chat", both.getString("app_id"));
    assertEquals(2, both.getJsonArray("devices").size());

    JsonObject online = set(alice, "laptop", "online", null, "desk");
    assertEquals("online", online.getString("state"));
    assertEquals("desk", online.getString("app_id"));

    JsonObject phoneOnly = set(alice, "laptop", "offline", null, null);
    assertEquals("away", phoneOnly.getString("state"));
    assertEquals(List.of("phone"), phoneOnly.getJsonArray("devices").stream()
      .map(d -> ((JsonObject) d).getString("device_id")).toList());

    JsonObject gone = set(alice, "phone", "offline", null, null);
    assertEquals("offline", gone.getString("state"));
    assertNotNull(gone.getString("last_seen"), "last_seen stays after the last device went");
    assertEquals(gone, seenBy(user(alice), alice));
  }

  @Test
  void a_device_expires_after_the_ttl_without_an_update_and_last_seen_remains() {
    String bob = person();
    set(bob, "phone", "dnd", "asleep", null);
    assertEquals("dnd", seenBy(presenceReader, bob).getString("state"));
    Await.until(Duration.ofSeconds(10), "the device to expire",
      () -> "offline".equals(seenBy(presenceReader, bob).getString("state")));
    JsonObject expired = seenBy(presenceReader, bob);
    assertEquals(0, expired.getJsonArray("devices").size());
    assertNotNull(expired.getString("last_seen"));
  }

  @Test
  void a_person_sets_only_their_own_devices_and_a_writer_sets_anyones_existing_one() {
    String carol = person();
    String dave = person();
    JsonObject refused = error(http.post("/internal/presence", user(carol), new JsonObject().put("aura_id", dave)
      .put("device_id", "phone").put("state", "online")), 403, "FORBIDDEN");
    assertEquals("aura_id", refused.getJsonObject("details").getString("field"));

    JsonObject byWriter = ok(http.post("/internal/presence", presenceWriter, new JsonObject().put("aura_id", dave)
      .put("device_id", "phone").put("state", "online")), 200);
    assertEquals("online", byWriter.getString("state"));

    error(http.post("/internal/presence", presenceWriter, new JsonObject().put("aura_id", "@nobody_here.aura")
      .put("device_id", "phone").put("state", "online")), 404, "AURAID_NOT_FOUND");
    error(http.post("/internal/presence", presenceWriter, new JsonObject().put("device_id", "phone")
      .put("state", "online")), 400, "VALIDATION_FAILED");
    JsonObject badState = error(http.post("/internal/presence", user(carol), new JsonObject().put("device_id", "x")
      .put("state", "sleeping")), 400, "VALIDATION_FAILED");
    assertEquals("state", badState.getJsonObject("details").getString("field"));
    JsonObject longMessage = error(http.post("/internal/presence", user(carol), new JsonObject()
      .put("device_id", "x").put("state", "online").put("status_message", "m".repeat(141))), 400, "VALIDATION_FAILED");
    assertEquals("status_message", longMessage.getJsonObject("details").getString("field"));
  }

  @Test
  void the_originals_update_path_sets_a_device_as_ours_does() {
    String erin = person();
    JsonObject updated = ok(http.post("/internal/presence/update", user(erin), new JsonObject()
      .put("device_id", "tablet").put("state", "busy")), 200);
    assertEquals("busy", updated.getString("state"));
    assertEquals("busy", seenBy(presenceReader, erin).getString("state"));
  }

  // ---- privacy ----------------------------------------------------------------------------------------------

  @Test
  void a_viewer_who_may_not_see_an_auraid_sees_it_offline_exactly_like_an_unknown_one() {
    String hidden = person();
    String viewer = person();
    set(hidden, "phone", "online", "here", "chat");
    privacy(hidden, "private");

    JsonObject seen = seenBy(user(viewer), hidden);
    assertHidden(seen, hidden);
    JsonObject unknown = seenBy(user(viewer), "@never_registered.aura");
    assertEquals(seen.copy().put("aura_id", "x"), unknown.copy().put("aura_id", "x"));

    assertEquals("online", seenBy(user(hidden), hidden).getString("state"), "the owner sees their own");
    assertEquals("online", seenBy(presenceReader, hidden).getString("state"), "a reader acting for nobody sees all");
    assertHidden(ok(http.get("/internal/presence/" + hidden + "?as=" + viewer, presenceReader), 200), hidden);
  }

  @Test
  void a_person_who_shows_presence_to_contacts_only_is_offline_to_everyone_else() {
    String shy = person();
    String friend = person();
    String stranger = person();
    befriend(shy, friend);
    set(shy, "phone", "online", null, null);
    JsonObject chosen = ok(http.send(HttpMethod.PUT, "/internal/presence/" + shy + "/visibility", user(shy),
      new JsonObject().put("visible_to", "contacts").toBuffer()), 200);
    assertEquals("contacts", chosen.getString("visible_to"));
    assertEquals("contacts", ok(http.get("/internal/presence/" + shy + "/visibility", user(shy)), 200)
      .getString("visible_to"));
    error(http.send(HttpMethod.PUT, "/internal/presence/" + shy + "/visibility", user(stranger),
      new JsonObject().put("visible_to", "everyone").toBuffer()), 403, "FORBIDDEN");

    assertEquals("online", seenBy(user(friend), shy).getString("state"));
    assertHidden(seenBy(user(stranger), shy), shy);
    JsonObject bulk = ok(http.post("/internal/presence/bulk", user(stranger),
      new JsonObject().put("aura_ids", new JsonArray().add(shy).add(friend))), 200).getJsonObject("presence");
    assertHidden(bulk.getJsonObject(shy), shy);

    ok(http.send(HttpMethod.PUT, "/internal/presence/" + shy + "/visibility", user(shy),
      new JsonObject().put("visible_to", "everyone").toBuffer()), 200);
    assertEquals("online", seenBy(user(stranger), shy).getString("state"));
  }

  // ---- bulk -------------------------------------------------------------------------------------------------

  @Test
  void bulk_answers_up_to_500_auraids_and_refuses_more() {
    String frank = person();
    set(frank, "phone", "online", null, null);
    List<String> ids = new ArrayList<>();
    ids.add(frank);
    IntStream.range(0, 499).forEach(i -> ids.add("@unknown_" + i + ".aura"));
    JsonObject answered = ok(http.post("/internal/presence/bulk", user(frank),
      new JsonObject().put("aura_ids", new JsonArray(ids))), 200).getJsonObject("presence");
    assertEquals(500, answered.size());
    assertEquals("online", answered.getJsonObject(frank).getString("state"));
    assertHidden(answered.getJsonObject("@unknown_7.aura"), "@unknown_7.aura");

    JsonObject byQuery = ok(http.get("/internal/presence/bulk?aura_ids=" + String.join(",", ids), presenceReader),
      200).getJsonObject("presence");
    assertEquals(500, byQuery.size());

    ids.add("@one_too_many.aura");
    error(http.post("/internal/presence/bulk", presenceReader, new JsonObject().put("aura_ids", new JsonArray(ids))),
      400, "VALIDATION_FAILED");
    error(http.get("/internal/presence/bulk?aura_ids=" + String.join(",", ids), presenceReader), 400,
      "VALIDATION_FAILED");
  }

  @Test
  void the_originals_bulk_path_is_routed_before_the_single_lookup() {
    String gina = person();
    String hank = person();
    set(gina, "phone", "away", null, null);
    JsonObject answered = ok(http.get("/internal/presence/bulk?aura_ids=" + gina + "," + hank.toUpperCase()
      .replace(".AURA", ".aura"), presenceReader), 200).getJsonObject("presence");
    assertEquals("away", answered.getJsonObject(gina).getString("state"));
    assertEquals("offline", answered.getJsonObject(hank).getString("state"));
  }

  @Test
  void reading_presence_takes_a_presence_scope() {
    String other = tokens.hs256(Tokens.service("other", "mesh:read"));
    error(http.get("/internal/presence/@someone.aura", other), 403, "FORBIDDEN");
  }

  // ---- events and the Matrix mirror -------------------------------------------------------------------------

  @Test
  void a_flapping_device_gives_at_most_one_event_per_second_and_the_last_carries_the_final_state() {
    String ivy = person();
    Instant start = Instant.now();
    for (int i = 0; i < 20; i++) {
      set(ivy, "phone", i % 2 == 0 ? "online" : "away", "flap " + i, null);
    }
    set(ivy, "phone", "busy", "settled", null);
    Duration flapping = Duration.between(start, Instant.now());
    Await.until(Duration.ofSeconds(10), "the final state to be published", () -> eventsOf(ivy).stream()
      .anyMatch(e -> "settled".equals(e.getString("status_message"))));
    List<JsonObject> published = eventsOf(ivy);
    long allowed = 2 + flapping.toMillis() / 1000;
    assertTrue(published.size() <= allowed, published.size() + " events in " + flapping + ": " + published);
    for (int i = 1; i < published.size(); i++) {
      Duration gap = Duration.between(Instant.parse(published.get(i - 1).getString("at")),
        Instant.parse(published.get(i).getString("at")));
      assertTrue(gap.toMillis() >= 900, "events " + gap.toMillis() + " ms apart");
    }
    JsonObject last = published.get(published.size() - 1);
    assertEquals("busy", last.getString("state"));
    assertEquals(1, last.getInteger("devices"));
  }

  private static List<JsonObject> eventsOf(String auraId) {
    return events.stream().filter(e -> auraId.equals(e.getString("aura_id"))).toList();
  }

  @Test
  void a_change_is_mirrored_to_the_persons_matrix_user_as_the_application_service() {
    String jack = person();
    String matrixUser = "@" + jack.substring(1, jack.indexOf('.')) + "_aura:localhost";
    set(jack, "laptop", "dnd", "focus time", null);
    Await.until(Duration.ofSeconds(10), "the presence to reach the homeserver",
      () -> mirrored.stream().anyMatch(m -> matrixUser.equals(m.getString("user"))));
    JsonObject sent = mirrored.stream().filter(m -> matrixUser.equals(m.getString("user"))).findFirst().orElseThrow();
    assertEquals(matrixUser, sent.getString("user_id"));
    assertEquals("Bearer " + AS_TOKEN, sent.getString("authorization"));
    assertEquals(new JsonObject().put("presence", "unavailable").put("status_msg", "focus time"),
      sent.getJsonObject("body"));
    assertTrue(mirrored.stream().filter(m -> matrixUser.equals(m.getString("user")))
      .map(m -> m.getJsonObject("body").getString("presence")).collect(Collectors.toSet())
      .stream().allMatch(p -> p.equals("unavailable")));
  }
}
