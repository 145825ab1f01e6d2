package io.auralink.comm.identity;

import io.auralink.comm.node.Node;
import io.auralink.comm.testing.Await;
import io.auralink.comm.testing.Http;
import io.auralink.comm.testing.TestNodes;
import io.auralink.comm.testing.TestStores;
import io.auralink.comm.testing.Tokens;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The AuraID registry through the HTTP API of one node, against real PostgreSQL and Redis. */
class IdentityApiTest {

  private static final AtomicInteger NAMES = new AtomicInteger();
  private static final List<String> LEVELS = List.of("public", "friends", "private");

  private static Node node;
  private static Http http;
  private static Tokens tokens;
  private static String databaseUrl;
  private static String writer;
  private static String reader;
  private static String admin;
  /** Per privacy level: the target and the people around it. */
  private static final Map<String, Map<String, String>> worlds = new java.util.HashMap<>();

  @BeforeAll
  static void startNodeAndBuildWorlds() {
    Map<String, String> settings = TestNodes.settings("identity");
    databaseUrl = settings.get("AURALINK_DATABASE_URL");
    node = TestNodes.start(settings);
    http = new Http(node.vertx(), Integer.parseInt(settings.get("AURALINK_HTTP_PORT")));
    tokens = new Tokens(node.vertx());
    writer = tokens.hs256(Tokens.service("dashboard", "identity:read", "identity:write"));
    reader = tokens.hs256(Tokens.service("directory", "identity:read"));
    admin = tokens.hs256(Tokens.service("ops", "identity:admin"));
    for (String level : LEVELS) {
      String target = register(name("target"), level);
      String friend = register(name("friend"), "public");
      String stranger = register(name("stranger"), "public");
      String blocked = register(name("blocked"), "public");
      befriend(target, friend);
      assertEquals(200, post("/internal/auraid/" + target + "/contacts/" + blocked + "/block", user(target), null).statusCode());
      worlds.put(level, Map.of("target", target, "friend", friend, "stranger", stranger, "blocked", blocked));
    }
  }

  @AfterAll
  static void stopNode() {
    http.close();
    TestNodes.stop(node);
  }

  // ---- helpers ----------------------------------------------------------------------------------------------

  private static String name(String prefix) {
    return prefix + "_" + NAMES.incrementAndGet();
  }

  private static String user(String auraId) {
    return tokens.hs256(Tokens.user(auraId));
  }

  private static HttpResponse<Buffer> post(String path, String token, JsonObject body) {
    return http.send(HttpMethod.POST, path, token, body == null ? null : body.toBuffer());
  }

  private static HttpResponse<Buffer> registerResponse(String username, String userId, String privacy) {
    return post("/internal/auraid", writer, new JsonObject().put("username", username).put("user_id", userId)
      .put("privacy_level", privacy));
  }

  /** Registers a username for a new account and returns its AuraID. */
  private static String register(String username, String privacy) {
    HttpResponse<Buffer> response = registerResponse(username, "acct-" + username, privacy);
    assertEquals(201, response.statusCode(), response.bodyAsString());
    return response.bodyAsJsonObject().getString("aura_id");
  }

  private static void befriend(String a, String b) {
    assertEquals("requested", post("/internal/auraid/" + a + "/contacts", user(a), new JsonObject().put("contact", b))
      .bodyAsJsonObject().getString("state"));
    assertEquals("friend", post("/internal/auraid/" + b + "/contacts/" + a + "/accept", user(b), null)
      .bodyAsJsonObject().getString("state"));
  }

  private static HttpResponse<Buffer> resolve(String auraId, String token) {
    return http.get("/internal/auraid/" + auraId, token);
  }

  private static JsonObject bulk(List<String> auraIds, String token, String as) {
    JsonObject body = new JsonObject().put("aura_ids", new JsonArray(auraIds));
    if (as != null) {
      body.put("as", as);
    }
    HttpResponse<Buffer> response = post("/internal/auraid/resolve", token, body);
    assertEquals(200, response.statusCode(), response.bodyAsString());
    return response.bodyAsJsonObject();
  }

  private static JsonObject errorWithoutRequestId(HttpResponse<Buffer> response) {
    JsonObject error = Http.error(response).copy();
    error.remove("request_id");
    return error;
  }

  // ---- registration -----------------------------------------------------------------------------------------

  @Test
  void registration_answers_the_new_auraid_with_its_matrix_user() {
    String username = name("Reg");
    HttpResponse<Buffer> response = registerResponse(username, "acct-reg-" + username, "public");
    assertEquals(201, response.statusCode());
    JsonObject created = response.bodyAsJsonObject();
    String lower = username.toLowerCase();
    assertEquals("@" + lower + ".aura", created.getString("aura_id"));
    assertEquals(lower, created.getString("username"));
    assertEquals(lower, created.getString("display_name"));
    assertEquals("public", created.getString("privacy_level"));
    assertEquals("@" + lower + "_aura:auralink.network", created.getString("matrix_user_id"));
    assertEquals("unconfigured", created.getString("matrix_state"));
    assertFalse(created.getString("created_at").isEmpty());
  }

  @ParameterizedTest(name = "{0} → {1}")
  @CsvSource({"ab, VALIDATION_FAILED", "_lead, VALIDATION_FAILED", "admin, AURAID_RESERVED", "Support, AURAID_RESERVED",
    "name with space, VALIDATION_FAILED"})
  void a_bad_username_is_400_naming_the_field(String username, String code) {
    HttpResponse<Buffer> response = registerResponse(username, "acct-bad-" + NAMES.incrementAndGet(), "public");
    assertEquals(400, response.statusCode());
    assertEquals(code, Http.error(response).getString("code"));
    assertEquals("username", Http.error(response).getJsonObject("details").getString("field"));
  }

  @Test
  void a_taken_username_is_409_whatever_its_case() {
    String username = name("taken");
    register(username, "public");
    HttpResponse<Buffer> again = registerResponse(username.toUpperCase(), "acct-other-" + username, "public");
    assertEquals(409, again.statusCode());
    assertEquals("AURAID_TAKEN", Http.error(again).getString("code"));
  }

  @Test
  void an_account_holds_one_active_auraid() {
    String first = name("one");
    assertEquals(201, registerResponse(first, "acct-shared-" + first, "public").statusCode());
    HttpResponse<Buffer> second = registerResponse(name("two"), "acct-shared-" + first, "public");
    assertEquals(409, second.statusCode());
    assertEquals("ACCOUNT_HAS_AURAID", Http.error(second).getString("code"));
  }

  @Test
  void concurrent_registrations_of_one_name_give_exactly_one_201() {
    String username = name("race");
    List<io.vertx.core.Future<HttpResponse<Buffer>>> attempts = IntStream.range(0, 12)
      .mapToObj(i -> http.request(HttpMethod.POST, "/internal/auraid").bearerTokenAuthentication(writer)
        .sendJsonObject(new JsonObject().put("username", username).put("user_id", "acct-race-" + i)))
      .toList();
    List<Integer> statuses = new ArrayList<>();
    attempts.forEach(attempt -> statuses.add(Await.result(attempt).statusCode()));
    assertEquals(1, statuses.stream().filter(s -> s == 201).count(), statuses.toString());
    assertEquals(11, statuses.stream().filter(s -> s == 409).count(), statuses.toString());
  }

  @Test
  void registration_needs_identity_write() {
    assertEquals(403, post("/internal/auraid", reader,
      new JsonObject().put("username", name("nope")).put("user_id", "x")).statusCode());
  }

  @Test
  void availability_says_why_not() {
    String taken = name("avail");
    register(taken, "public");
    assertEquals(new JsonObject().put("username", name("free")).put("available", true).putNull("reason").getBoolean("available"),
      http.get("/internal/auraid/availability/" + name("free"), reader).bodyAsJsonObject().getBoolean("available"));
    assertEquals("AURAID_TAKEN", http.get("/internal/auraid/availability/" + taken.toUpperCase(), reader)
      .bodyAsJsonObject().getString("reason"));
    assertEquals("AURAID_RESERVED", http.get("/internal/auraid/availability/root", reader).bodyAsJsonObject().getString("reason"));
    assertEquals("VALIDATION_FAILED", http.get("/internal/auraid/availability/x", reader).bodyAsJsonObject().getString("reason"));
  }

  // ---- the privacy matrix -----------------------------------------------------------------------------------

  static Stream<Arguments> privacyMatrix() {
    return Stream.of(
      // level, viewer, visible, full view
      Arguments.of("public", "owner", true, true),
      Arguments.of("public", "friend", true, false),
      Arguments.of("public", "stranger", true, false),
      Arguments.of("public", "blocked", false, false),
      Arguments.of("public", "admin", true, true),
      Arguments.of("friends", "owner", true, true),
      Arguments.of("friends", "friend", true, false),
      Arguments.of("friends", "stranger", false, false),
      Arguments.of("friends", "blocked", false, false),
      Arguments.of("friends", "admin", true, true),
      Arguments.of("private", "owner", true, true),
      Arguments.of("private", "friend", false, false),
      Arguments.of("private", "stranger", false, false),
      Arguments.of("private", "blocked", false, false),
      Arguments.of("private", "admin", true, true));
  }

  private static String tokenFor(Map<String, String> world, String viewer) {
    return switch (viewer) {
      case "owner" -> user(world.get("target"));
      case "admin" -> admin;
      default -> user(world.get(viewer));
    };
  }

  @ParameterizedTest(name = "{0} AuraID seen by {1}: visible {2}")
  @MethodSource("privacyMatrix")
  void single_resolution_follows_privacy(String level, String viewer, boolean visible, boolean full) {
    Map<String, String> world = worlds.get(level);
    HttpResponse<Buffer> response = resolve(world.get("target"), tokenFor(world, viewer));
    if (!visible) {
      assertEquals(404, response.statusCode());
      // A hidden AuraID answers exactly like one that was never registered.
      assertEquals(errorWithoutRequestId(resolve("@never_" + NAMES.incrementAndGet() + ".aura", tokenFor(world, viewer))),
        errorWithoutRequestId(response));
      return;
    }
    assertEquals(200, response.statusCode(), response.bodyAsString());
    JsonObject profile = response.bodyAsJsonObject();
    assertEquals(world.get("target"), profile.getString("aura_id"));
    assertEquals(level, profile.getString("privacy_level"));
    assertEquals(full, profile.containsKey("user_id"), "owner-only fields");
  }

  @ParameterizedTest(name = "{0} AuraID seen by {1} in bulk: visible {2}")
  @MethodSource("privacyMatrix")
  void bulk_resolution_follows_privacy(String level, String viewer, boolean visible, boolean full) {
    Map<String, String> world = worlds.get(level);
    String unknown = "@never_" + NAMES.incrementAndGet() + ".aura";
    JsonObject answer = bulk(List.of(world.get("target"), world.get("stranger"), unknown), tokenFor(world, viewer), null);
    assertEquals(visible, answer.getJsonObject("results").containsKey(world.get("target")));
    assertEquals(!visible, answer.getJsonArray("not_found").contains(world.get("target")));
    assertTrue(answer.getJsonArray("not_found").contains(unknown));
    assertTrue(answer.getJsonObject("results").containsKey(world.get("stranger")), "the public bystander");
  }

  @ParameterizedTest(name = "{0} AuraID seen by a service as its friend")
  @CsvSource({"public, true", "friends, true", "private, false"})
  void a_service_resolves_with_the_view_of_as(String level, boolean visible) {
    Map<String, String> world = worlds.get(level);
    assertEquals(visible ? 200 : 404,
      http.get("/internal/auraid/" + world.get("target") + "?as=" + world.get("friend"), reader).statusCode());
    assertEquals(visible, bulk(List.of(world.get("target")), reader, world.get("friend"))
      .getJsonObject("results").containsKey(world.get("target")));
  }

  @ParameterizedTest(name = "{0} AuraID seen by a service acting for nobody")
  @CsvSource({"public, 200", "friends, 404", "private, 404"})
  void a_service_acting_for_nobody_sees_public_auraids_only(String level, int status) {
    assertEquals(status, resolve(worlds.get(level).get("target"), reader).statusCode());
  }

  @Test
  void a_reader_acting_as_the_owner_gets_the_owner_s_view_without_the_owner_only_fields() {
    String target = worlds.get("private").get("target");
    List<String> ownerOnly = List.of("user_id", "status", "suspension", "matrix");

    HttpResponse<Buffer> asOwner = http.get("/internal/auraid/" + target + "?as=" + target, reader);
    assertEquals(200, asOwner.statusCode(), "the owner sees their own private AuraID, and so does a service as them");
    JsonObject single = asOwner.bodyAsJsonObject();
    JsonObject inBulk = bulk(List.of(target), reader, target).getJsonObject("results").getJsonObject(target);
    for (String field : ownerOnly) {
      assertFalse(single.containsKey(field), field);
      assertFalse(inBulk.containsKey(field), field + " in bulk");
    }

    for (String token : List.of(writer, admin)) {
      JsonObject full = http.get("/internal/auraid/" + target + "?as=" + target, token).bodyAsJsonObject();
      JsonObject fullInBulk = bulk(List.of(target), token, target).getJsonObject("results").getJsonObject(target);
      for (String field : ownerOnly) {
        assertTrue(full.containsKey(field), field);
        assertTrue(fullInBulk.containsKey(field), field + " in bulk");
      }
    }
  }

  @Test
  void deactivated_and_suspended_auraids_resolve_only_for_owner_and_administrators() throws SQLException {
    String gone = register(name("gone"), "public");
    assertEquals(200, http.send(HttpMethod.DELETE, "/internal/auraid/" + gone, user(gone), null).statusCode());
    String suspended = register(name("susp"), "public");
    try (Connection c = TestStores.jdbc(databaseUrl); Statement s = c.createStatement()) {
      s.executeUpdate("UPDATE aura_ids SET status = 'suspended', suspended_at = now(), suspension_reason = 'abuse',"
        + " suspended_by = 'moderator' WHERE aura_id = '" + suspended + "'");
    }
    for (String auraId : List.of(gone, suspended)) {
      String stranger = user(worlds.get("public").get("stranger"));
      assertEquals(404, resolve(auraId, stranger).statusCode(), auraId);
      assertEquals(404, resolve(auraId, reader).statusCode(), auraId);
      assertEquals(200, resolve(auraId, user(auraId)).statusCode(), auraId);
      assertEquals(200, resolve(auraId, admin).statusCode(), auraId);
      assertFalse(bulk(List.of(auraId), stranger, null).getJsonObject("results").containsKey(auraId));
    }
    JsonObject seenByAdmin = resolve(suspended, admin).bodyAsJsonObject();
    assertEquals("suspended", seenByAdmin.getString("status"));
    assertEquals("abuse", seenByAdmin.getJsonObject("suspension").getString("reason"));
  }

  @Test
  void bulk_resolution_takes_at_most_100_auraids() {
    List<String> hundred = IntStream.range(0, 100).mapToObj(i -> "@nobody_" + i + ".aura").toList();
    assertEquals(100, bulk(hundred, reader, null).getJsonArray("not_found").size());
    List<String> tooMany = new ArrayList<>(hundred);
    tooMany.add("@one_more.aura");
    HttpResponse<Buffer> refused = post("/internal/auraid/resolve", reader, new JsonObject().put("aura_ids", new JsonArray(tooMany)));
    assertEquals(400, refused.statusCode());
    assertEquals("aura_ids", Http.error(refused).getJsonObject("details").getString("field"));
  }

  // ---- changes and the cache --------------------------------------------------------------------------------

  /** Resolves twice (the second from the cache), applies a change, and resolves again as the same viewer. */
  private static HttpResponse<Buffer> resolveAroundChange(String target, String viewerToken, Runnable change) {
    assertEquals(resolve(target, viewerToken).statusCode(), resolve(target, viewerToken).statusCode());
    change.run();
    return resolve(target, viewerToken);
  }

  @Test
  void a_new_display_name_is_seen_at_once() {
    String target = register(name("rename"), "public");
    String stranger = user(worlds.get("public").get("stranger"));
    HttpResponse<Buffer> after = resolveAroundChange(target, stranger, () -> assertEquals(200,
      http.send(HttpMethod.PATCH, "/internal/auraid/" + target, user(target),
        new JsonObject().put("display_name", "Renée Ünïcode").toBuffer()).statusCode()));
    assertEquals("Renée Ünïcode", after.bodyAsJsonObject().getString("display_name"));
  }

  @Test
  void going_private_hides_at_once_and_going_public_shows_at_once() {
    String target = register(name("hide"), "public");
    String stranger = user(worlds.get("public").get("stranger"));
    assertEquals(404, resolveAroundChange(target, stranger, () -> assertEquals(200,
      http.send(HttpMethod.PATCH, "/internal/auraid/" + target, writer,
        new JsonObject().put("privacy_level", "private").toBuffer()).statusCode())).statusCode());
    assertEquals(200, resolveAroundChange(target, stranger, () -> assertEquals(200,
      http.send(HttpMethod.PATCH, "/internal/auraid/" + target, user(target),
        new JsonObject().put("privacy_level", "public").toBuffer()).statusCode())).statusCode());
  }

  @Test
  void deactivation_hides_at_once_and_reactivation_shows_at_once() {
    String target = register(name("deact"), "public");
    String stranger = user(worlds.get("public").get("stranger"));
    assertEquals(404, resolveAroundChange(target, stranger, () -> assertEquals(200,
      http.send(HttpMethod.DELETE, "/internal/auraid/" + target, user(target), null).statusCode())).statusCode());
    assertEquals(200, resolveAroundChange(target, stranger, () -> assertEquals(200,
      post("/internal/auraid/" + target + "/reactivate", admin, null).statusCode())).statusCode());
  }

  @Test
  void becoming_friends_shows_a_friends_only_auraid_and_unfriending_hides_it() {
    String target = register(name("fo"), "friends");
    String other = register(name("fo_other"), "public");
    assertEquals(200, resolveAroundChange(target, user(other), () -> befriend(target, other)).statusCode());
    assertEquals(404, resolveAroundChange(target, user(other), () -> assertEquals(200,
      http.send(HttpMethod.DELETE, "/internal/auraid/" + other + "/contacts/" + target, user(other), null).statusCode()))
      .statusCode());
  }

  @Test
  void a_block_hides_the_blocker_at_once() {
    String target = register(name("blocker"), "public");
    String other = register(name("blockee"), "public");
    assertEquals(404, resolveAroundChange(target, user(other), () -> assertEquals(200,
      post("/internal/auraid/" + target + "/contacts/" + other + "/block", user(target), null).statusCode())).statusCode());
  }

  @Test
  void the_cache_is_read_through_and_counted() {
    String target = register(name("cached"), "public");
    double hitsBefore = cacheCount("hit");
    resolve(target, reader);
    resolve(target, reader);
    resolve(target, reader);
    assertTrue(cacheCount("hit") >= hitsBefore + 2, "repeated resolutions are served from Redis");
    assertTrue(cacheCount("miss") >= 1);
  }

  private static double cacheCount(String result) {
    String prefix = "auralink_identity_cache_total{result=\"" + result + "\"} ";
    return http.get("/metrics").bodyAsString().lines().filter(l -> l.startsWith(prefix))
      .mapToDouble(l -> Double.parseDouble(l.substring(prefix.length()))).findFirst().orElse(0);
  }

  @Test
  void updates_are_validated_naming_the_field() {
    String target = register(name("valid"), "public");
    Map<String, JsonObject> bad = Map.of(
      "display_name", new JsonObject().put("display_name", ""),
      "avatar_url", new JsonObject().put("avatar_url", "http://insecure.example/a.png"),
      "privacy_level", new JsonObject().put("privacy_level", "secret"));
    bad.forEach((field, body) -> {
      HttpResponse<Buffer> response = http.send(HttpMethod.PATCH, "/internal/auraid/" + target, user(target), body.toBuffer());
      assertEquals(400, response.statusCode(), field);
      assertEquals(field, Http.error(response).getJsonObject("details").getString("field"));
    });
    HttpResponse<Buffer> control = http.send(HttpMethod.PATCH, "/internal/auraid/" + target, user(target),
      new JsonObject().put("display_name", "bad\u0007bell").toBuffer());
    assertEquals(400, control.statusCode());
  }

  @Test
  void nobody_changes_someone_else_s_auraid() {
    String target = register(name("mine"), "public");
    String hidden = register(name("mine_hidden"), "private");
    String other = user(worlds.get("public").get("stranger"));
    HttpResponse<Buffer> refused = http.send(HttpMethod.PATCH, "/internal/auraid/" + target, other,
      new JsonObject().put("display_name", "pwned").toBuffer());
    assertEquals(403, refused.statusCode());
    assertEquals("FORBIDDEN", Http.error(refused).getString("code"));
    assertEquals("only the owner of " + target + " may change it", Http.error(refused).getString("message"));
    assertEquals("aura_id", Http.error(refused).getJsonObject("details").getString("field"));
    assertEquals(404, http.send(HttpMethod.DELETE, "/internal/auraid/" + hidden, other, null).statusCode());
    assertEquals(403, post("/internal/auraid/" + target + "/reactivate", writer, null).statusCode());
  }

  // ---- contacts ---------------------------------------------------------------------------------------------

  @Test
  void contacts_request_accept_decline_remove_and_list() {
    String a = register(name("ca"), "public");
    String b = register(name("cb"), "public");
    String c = register(name("cc"), "public");
    befriend(a, b);
    assertEquals("requested", post("/internal/auraid/" + c + "/contacts", user(c), new JsonObject().put("contact", a))
      .bodyAsJsonObject().getString("state"));
    JsonArray list = http.get("/internal/auraid/" + a + "/contacts", user(a)).bodyAsJsonObject().getJsonArray("contacts");
    assertEquals(List.of(b + "=friend", c + "=request_received"),
      list.stream().map(o -> ((JsonObject) o).getString("aura_id") + "=" + ((JsonObject) o).getString("state")).sorted().toList());
    assertEquals("none", post("/internal/auraid/" + a + "/contacts/" + c + "/decline", user(a), null)
      .bodyAsJsonObject().getString("state"));
    assertEquals(409, post("/internal/auraid/" + a + "/contacts/" + c + "/accept", user(a), null).statusCode(),
      "nothing left to accept");
    assertEquals(200, http.send(HttpMethod.DELETE, "/internal/auraid/" + a + "/contacts/" + b, user(a), null).statusCode());
    assertTrue(http.get("/internal/auraid/" + b + "/contacts", user(b)).bodyAsJsonObject().getJsonArray("contacts").isEmpty());
  }

  @Test
  void contacts_are_listed_one_page_at_a_time() {
    String owner = register(name("pager"), "public");
    List<String> expected = new java.util.ArrayList<>();
    for (int i = 0; i < 5; i++) {
      String other = register(name("paged" + i), "public");
      post("/internal/auraid/" + owner + "/contacts", user(owner), new JsonObject().put("contact", other));
      expected.add(other);
    }
    // One who asked the owner, and whom the owner then blocked: they appear twice (the block, the request).
    String both = register(name("pagedx"), "public");
    post("/internal/auraid/" + both + "/contacts", user(both), new JsonObject().put("contact", owner));
    post("/internal/auraid/" + owner + "/contacts/" + both + "/block", user(owner), null);
    List<String> listed = new java.util.ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      HttpResponse<Buffer> page = http.get("/internal/auraid/" + owner + "/contacts?limit=2"
        + (cursor == null ? "" : "&cursor=" + java.net.URLEncoder.encode(cursor, java.nio.charset.StandardCharsets.UTF_8)),
        user(owner));
      assertEquals(200, page.statusCode(), page.bodyAsString());
      JsonArray contacts = page.bodyAsJsonObject().getJsonArray("contacts");
      assertTrue(contacts.size() <= 2);
      contacts.forEach(o -> listed.add(((JsonObject) o).getString("aura_id")));
      cursor = page.bodyAsJsonObject().getString("next_cursor");
      pages++;
    } while (cursor != null && pages < 10);
    List<String> all = http.get("/internal/auraid/" + owner + "/contacts?limit=500", user(owner)).bodyAsJsonObject()
      .getJsonArray("contacts").stream().map(o -> ((JsonObject) o).getString("aura_id")).toList();
    assertEquals(all, listed, "the pages together are the whole list, in order, each row once");
    assertTrue(listed.containsAll(expected) && listed.contains(both), listed.toString());
    assertEquals(400, http.get("/internal/auraid/" + owner + "/contacts?cursor=nonsense", user(owner)).statusCode());
    assertEquals(400, http.get("/internal/auraid/" + owner + "/contacts?limit=0", user(owner)).statusCode());
  }

  @Test
  void a_request_to_someone_who_asked_first_makes_friends() {
    String a = register(name("mutual_a"), "public");
    String b = register(name("mutual_b"), "public");
    post("/internal/auraid/" + a + "/contacts", user(a), new JsonObject().put("contact", b));
    assertEquals("friend", post("/internal/auraid/" + b + "/contacts", user(b), new JsonObject().put("contact", a))
      .bodyAsJsonObject().getString("state"));
  }

  @Test
  void a_blocked_person_cannot_request_and_a_hidden_auraid_cannot_be_requested() {
    String blocker = register(name("blk"), "public");
    String blockee = register(name("blkd"), "public");
    String hermit = register(name("hermit"), "private");
    post("/internal/auraid/" + blocker + "/contacts/" + blockee + "/block", user(blocker), null);
    HttpResponse<Buffer> refused = post("/internal/auraid/" + blockee + "/contacts", user(blockee),
      new JsonObject().put("contact", blocker));
    assertEquals(404, refused.statusCode());
    assertEquals("AURAID_NOT_FOUND", Http.error(refused).getString("code"));
    assertEquals(404, post("/internal/auraid/" + blockee + "/contacts", user(blockee),
      new JsonObject().put("contact", hermit)).statusCode());
  }

  @Test
  void contacts_are_private_to_their_owner_and_a_refused_read_says_so() {
    String a = register(name("cpriv"), "public");
    HttpResponse<Buffer> refused = http.get("/internal/auraid/" + a + "/contacts", user(worlds.get("public").get("stranger")));
    assertEquals(403, refused.statusCode());
    assertEquals("FORBIDDEN", Http.error(refused).getString("code"));
    assertEquals("only the owner of " + a + " may see its contacts", Http.error(refused).getString("message"));
    assertEquals(403, http.get("/internal/auraid/" + a + "/contacts", reader).statusCode(), "a service acting for nobody");
    assertEquals(200, http.get("/internal/auraid/" + a + "/contacts?as=" + a, reader).statusCode());
  }

  /** Who a contact change is tried on, as seen by the person acting. */
  private enum Target {
    UNKNOWN, PRIVATE, FRIENDS_ONLY, DEACTIVATED, SUSPENDED, BLOCKING_THE_CALLER
  }

  static Stream<Arguments> hiddenTargets() {
    Stream.Builder<Arguments> cases = Stream.builder();
    for (Target target : Target.values()) {
      for (String operation : List.of("accept", "decline", "remove", "request", "block")) {
        cases.add(Arguments.of(target, operation));
      }
    }
    return cases.build();
  }

  /** A contact operation by {@code actor} on {@code contact}. */
  private static HttpResponse<Buffer> contactOperation(String operation, String actor, String contact) {
    String contacts = "/internal/auraid/" + actor + "/contacts";
    return switch (operation) {
      case "request" -> post(contacts, user(actor), new JsonObject().put("contact", contact));
      case "remove" -> http.send(HttpMethod.DELETE, contacts + "/" + contact, user(actor), null);
      default -> post(contacts + "/" + contact + "/" + operation, user(actor), null);
    };
  }

  private static String hiddenTarget(Target target, String actor) {
    String moderator = tokens.hs256(Tokens.service("console", "trust:moderate"));
    return switch (target) {
      case UNKNOWN -> "@never_" + NAMES.incrementAndGet() + ".aura";
      case PRIVATE -> register(name("t_priv"), "private");
      case FRIENDS_ONLY -> register(name("t_fo"), "friends");
      case DEACTIVATED -> {
        String gone = register(name("t_gone"), "public");
        assertEquals(200, http.send(HttpMethod.DELETE, "/internal/auraid/" + gone, user(gone), null).statusCode());
        yield gone;
      }
      case SUSPENDED -> {
        String suspended = register(name("t_susp"), "public");
        HttpResponse<Buffer> done = post("/internal/trust/aura_id/" + suspended + "/suspend", moderator,
          new JsonObject().put("reason", "abuse"));
        assertEquals(200, done.statusCode(), done.bodyAsString());
        yield suspended;
      }
      case BLOCKING_THE_CALLER -> {
        String blocker = register(name("t_blk"), "public");
        assertEquals(200, post("/internal/auraid/" + blocker + "/contacts/" + actor + "/block", user(blocker), null)
          .statusCode());
        yield blocker;
      }
    };
  }

  @ParameterizedTest(name = "{1} on a target that is {0}: answered like an unknown AuraID")
  @MethodSource("hiddenTargets")
  void contact_operations_on_what_the_caller_cannot_see_answer_exactly_like_an_unknown_auraid(Target target,
                                                                                             String operation) {
    String actor = register(name("actor"), "public");
    String contact = hiddenTarget(target, actor);
    HttpResponse<Buffer> answer = contactOperation(operation, actor, contact);
    assertEquals(404, answer.statusCode(), answer.bodyAsString());
    HttpResponse<Buffer> unknown = contactOperation(operation, actor, "@never_" + NAMES.incrementAndGet() + ".aura");
    assertEquals(errorWithoutRequestId(unknown), errorWithoutRequestId(answer));
    assertTrue(http.get("/internal/auraid/" + actor + "/contacts", user(actor)).bodyAsJsonObject()
      .getJsonArray("contacts").stream().noneMatch(c -> contact.equals(((JsonObject) c).getString("aura_id"))),
      "nothing changed");
  }

  @Test
  void a_relation_reveals_a_private_contact_for_acting_on_it_and_a_visible_one_says_what_is_wrong() {
    String actor = register(name("rel"), "public");
    String hermit = register(name("rel_hermit"), "private");
    assertEquals("requested", contactOperation("request", hermit, actor).bodyAsJsonObject().getString("state"));
    HttpResponse<Buffer> accepted = contactOperation("accept", actor, hermit);
    assertEquals(200, accepted.statusCode(), "the private requester revealed themself: " + accepted.bodyAsString());
    assertEquals("friend", accepted.bodyAsJsonObject().getString("state"));
    assertEquals("none", contactOperation("remove", actor, hermit).bodyAsJsonObject().getString("state"));
    assertEquals(404, contactOperation("remove", actor, hermit).statusCode(), "no relation left: hidden again");

    String open = register(name("rel_open"), "public");
    HttpResponse<Buffer> nothingPending = contactOperation("accept", actor, open);
    assertEquals(409, nothingPending.statusCode());
    assertEquals("CONTACT_STATE", Http.error(nothingPending).getString("code"));
    assertEquals(409, contactOperation("decline", actor, open).statusCode());
    assertEquals("none", contactOperation("remove", actor, open).bodyAsJsonObject().getString("state"));
  }

  @Test
  void a_person_naming_someone_else_in_as_is_refused_not_replaced() {
    Map<String, String> world = worlds.get("public");
    String stranger = world.get("stranger");
    HttpResponse<Buffer> refused = http.get("/internal/auraid/" + world.get("target") + "?as=" + world.get("friend"),
      user(stranger));
    assertEquals(403, refused.statusCode(), refused.bodyAsString());
    assertEquals("FORBIDDEN", Http.error(refused).getString("code"));
    assertEquals("as", Http.error(refused).getJsonObject("details").getString("field"));
    HttpResponse<Buffer> inBulk = post("/internal/auraid/resolve", user(stranger), new JsonObject()
      .put("aura_ids", new JsonArray().add(world.get("target"))).put("as", world.get("friend")));
    assertEquals(403, inBulk.statusCode());
    assertEquals("as", Http.error(inBulk).getJsonObject("details").getString("field"));
    assertEquals(200, http.get("/internal/auraid/" + world.get("target") + "?as=" + stranger.toUpperCase(
      java.util.Locale.ROOT), user(stranger)).statusCode(), "naming oneself, in any case, is fine");
  }

  // ---- the original service's endpoints ---------------------------------------------------------------------

  @Test
  void the_seed_register_and_resolve_endpoints_keep_their_fields() {
    String username = name("Seed");
    String auraId = "@" + username + ".aura";
    HttpResponse<Buffer> created = post("/internal/matrix/register", writer, new JsonObject().put("aura_id", auraId)
      .put("user_id", "acct-seed-" + username).put("username", username).put("password", "ignored")
      .put("display_name", "Seed User"));
    assertEquals(201, created.statusCode(), created.bodyAsString());
    JsonObject body = created.bodyAsJsonObject();
    String lower = username.toLowerCase();
    assertEquals("@" + lower + "_aura:auralink.network", body.getString("matrix_user_id"));
    assertEquals("@" + lower + ".aura", body.getString("aura_id"));
    assertTrue(body.containsKey("homeserver_url"));
    assertNull(body.getValue("access_token"));
    assertFalse(created.bodyAsString().contains("ignored"), "the password is never echoed");

    assertEquals(409, post("/internal/matrix/register", writer, new JsonObject().put("aura_id", auraId)
      .put("user_id", "acct-seed-2-" + username).put("username", username)).statusCode());
    String mismatch = name("mismatch");
    HttpResponse<Buffer> refused = post("/internal/matrix/register", writer, new JsonObject().put("aura_id", "@other.aura")
      .put("user_id", "acct-x").put("username", mismatch));
    assertEquals(400, refused.statusCode());
    assertEquals("VALIDATION_FAILED", Http.error(refused).getString("code"));
    assertEquals("aura_id", Http.error(refused).getJsonObject("details").getString("field"));
    assertEquals("aura_id must be the AuraID of username: @" + mismatch + ".aura", Http.error(refused).getString("message"));

    JsonObject resolved = http.get("/internal/matrix/resolve/" + auraId, reader).bodyAsJsonObject();
    assertEquals(Map.of("aura_id", "@" + lower + ".aura", "matrix_user_id", "@" + lower + "_aura:auralink.network",
      "display_name", "Seed User", "homeserver", "auralink.network"), Map.of("aura_id", resolved.getString("aura_id"),
      "matrix_user_id", resolved.getString("matrix_user_id"), "display_name", resolved.getString("display_name"),
      "homeserver", resolved.getString("homeserver")));
    assertEquals(404, http.get("/internal/matrix/resolve/" + worlds.get("private").get("target"), reader).statusCode());
  }

  // ---- events -----------------------------------------------------------------------------------------------

  @Test
  void every_change_is_published() {
    ConcurrentLinkedQueue<JsonObject> events = new ConcurrentLinkedQueue<>();
    var consumer = node.vertx().eventBus().<JsonObject>consumer(IdentityEvents.CHANGED, m -> events.add(m.body()));
    Await.result(consumer.completion());
    try {
      String target = register(name("evt"), "public");
      http.send(HttpMethod.PATCH, "/internal/auraid/" + target, user(target),
        new JsonObject().put("display_name", "Evented").toBuffer());
      Await.until(Duration.ofSeconds(5), "two events", () -> events.stream()
        .filter(e -> e.getJsonArray("aura_ids").contains(target)).count() == 2);
      List<String> kinds = events.stream().filter(e -> e.getJsonArray("aura_ids").contains(target))
        .map(e -> e.getString("kind")).toList();
      assertEquals(List.of("registered", "updated"), kinds);
    } finally {
      Await.result(consumer.unregister());
    }
  }
}
