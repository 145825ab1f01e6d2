package io.auralink.comm.trust;

import io.auralink.comm.node.Node;
import io.auralink.comm.platform.Caller;
import io.auralink.comm.testing.Await;
import io.auralink.comm.testing.Http;
import io.auralink.comm.testing.TestNodes;
import io.auralink.comm.testing.TestStores;
import io.auralink.comm.testing.Tokens;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.serviceproxy.ServiceException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Trust, reports, moderation and federation through the HTTP API of one node, against real PostgreSQL and Redis. */
class TrustApiTest {

  private static final AtomicInteger NAMES = new AtomicInteger();

  private static Node node;
  private static Http http;
  private static Tokens tokens;
  private static String databaseUrl;
  private static TrustService trust;
  private static String registrar;
  private static String reader;
  private static String reportingService;
  private static String moderator;
  private static String otherModerator;
  private static String admin;
  private static final ConcurrentLinkedQueue<JsonObject> events = new ConcurrentLinkedQueue<>();
  private static MessageConsumer<JsonObject> listener;

  @BeforeAll
  static void startNode() {
    Map<String, String> settings = TestNodes.settings("trust");
    settings.put("AURALINK_TRUST_SYNC_INTERVAL", "200ms");
    databaseUrl = settings.get("AURALINK_DATABASE_URL");
    node = TestNodes.start(settings);
    http = new Http(node.vertx(), Integer.parseInt(settings.get("AURALINK_HTTP_PORT")));
    tokens = new Tokens(node.vertx());
    trust = TrustService.proxy(node.vertx(), 10_000);
    registrar = tokens.hs256(Tokens.service("dashboard", "identity:read", "identity:write"));
    reader = tokens.hs256(Tokens.service("calls", "trust:read"));
    reportingService = tokens.hs256(Tokens.service("mesh", "trust:report"));
    moderator = tokens.hs256(Tokens.service("console", "trust:moderate"));
    otherModerator = tokens.hs256(Tokens.service("console2", "trust:moderate"));
    admin = tokens.hs256(Tokens.service("ops", "trust:admin"));
    listener = node.vertx().eventBus().consumer(TrustEvents.CHANGED, message -> events.add(message.body()));
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

  private static String register() {
    String username = "t_" + NAMES.incrementAndGet();
    HttpResponse<Buffer> response = http.post("/internal/auraid", registrar,
      new JsonObject().put("username", username).put("user_id", "acct-" + username));
    assertEquals(201, response.statusCode(), response.bodyAsString());
    return response.bodyAsJsonObject().getString("aura_id");
  }

  private static String node() {
    return "node-" + NAMES.incrementAndGet();
  }

  private static String user(String auraId) {
    return tokens.hs256(Tokens.user(auraId));
  }

  private static JsonObject entity(String type, String id) {
    return new JsonObject().put("entity_type", type).put("entity_id", id);
  }

  private static JsonObject reportBody(String type, String target, String severity) {
    return new JsonObject().put("target", entity(type, target)).put("category", "harassment")
      .put("severity", severity).put("description", "abusive call");
  }

  /** A person reports an AuraID. */
  private static HttpResponse<Buffer> report(String reporter, String target) {
    return http.post("/internal/trust/reports", user(reporter), reportBody("aura_id", target, "medium"));
  }

  /** A service reports a mesh node on behalf of another node. */
  private static HttpResponse<Buffer> reportNode(String reporterNode, String targetNode, String severity) {
    return http.post("/internal/trust/reports", reportingService,
      reportBody("mesh_node", targetNode, severity).put("reporter", entity("mesh_node", reporterNode)));
  }

  private static JsonObject created(HttpResponse<Buffer> response) {
    assertEquals(201, response.statusCode(), response.bodyAsString());
    return response.bodyAsJsonObject();
  }

  private static JsonObject ok(HttpResponse<Buffer> response) {
    assertEquals(200, response.statusCode(), response.bodyAsString());
    return response.bodyAsJsonObject();
  }

  private static void assertError(int status, String code, HttpResponse<Buffer> response) {
    assertEquals(status, response.statusCode(), response.bodyAsString());
    assertEquals(code, Http.error(response).getString("code"), response.bodyAsString());
  }

  private static JsonObject info(String type, String id) {
    return ok(http.get("/internal/trust/" + type + "/" + id, reader));
  }

  private static HttpResponse<Buffer> resolve(String report, String decision) {
    return http.post("/internal/trust/reports/" + report + "/resolve", moderator,
      new JsonObject().put("decision", decision).put("note", "reviewed"));
  }

  private static JsonArray moderationLog(String type, String id) {
    return ok(http.get("/internal/trust/" + type + "/" + id + "/moderation-log", moderator)).getJsonArray("entries");
  }

  private static List<JsonObject> eventsFor(String id) {
    return events.stream().filter(e -> id.equals(e.getString("entity_id"))).toList();
  }

  private static Caller writer() {
    return Caller.service("verification", Set.of(TrustService.WRITE));
  }

  private static long sqlLong(String query) throws SQLException {
    try (Connection c = TestStores.jdbc(databaseUrl); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(query)) {
      assertTrue(rs.next());
      return rs.getLong(1);
    }
  }

  private static void sql(String update) throws SQLException {
    try (Connection c = TestStores.jdbc(databaseUrl); Statement s = c.createStatement()) {
      s.executeUpdate(update);
    }
  }

  // ---- trust info -------------------------------------------------------------------------------------------

  @Test
  void an_unrecorded_entity_has_the_starting_score_and_only_its_owner_and_readers_see_it() {
    String alice = register();
    String bob = register();
    JsonObject info = info("aura_id", alice);
    assertEquals(50.0, info.getDouble("score"));
    assertEquals("established", info.getString("level"));
    assertFalse(info.getBoolean("suspended"));
    assertFalse(info.getBoolean("recorded"));
    assertEquals(50.0, info.getJsonObject("components").getDouble("base"));
    assertEquals(200, http.get("/internal/trust/aura_id/" + alice, user(alice)).statusCode());
    assertError(403, "FORBIDDEN", http.get("/internal/trust/aura_id/" + alice, user(bob)));
    assertError(403, "FORBIDDEN", http.get("/internal/trust/aura_id/" + alice, reportingService));
    HttpResponse<Buffer> badType = http.get("/internal/trust/person/" + alice, reader);
    assertEquals(400, badType.statusCode());
    assertEquals("entity_type", Http.error(badType).getJsonObject("details").getString("field"));
    HttpResponse<Buffer> badId = http.get("/internal/trust/aura_id/alice", reader);
    assertError(400, "VALIDATION_FAILED", badId);
    assertEquals("entity_id", Http.error(badId).getJsonObject("details").getString("field"));
    assertEquals(io.auralink.comm.platform.AuraIds.malformed("entity_id"), Http.error(badId).getString("message"));
    assertEquals(200, http.get("/internal/trust/aura_id/" + alice.toUpperCase(java.util.Locale.ROOT), user(alice))
      .statusCode(), "an AuraID in any case is the same AuraID");
  }

  // ---- reports ----------------------------------------------------------------------------------------------

  @Test
  void a_self_report_is_refused() {
    String alice = register();
    HttpResponse<Buffer> response = report(alice, alice);
    assertError(400, "SELF_REPORT", response);
    assertEquals("target", Http.error(response).getJsonObject("details").getString("field"));
  }

  @Test
  void a_second_report_on_the_same_target_within_a_day_is_409_and_counted_once() throws SQLException {
    String reporter = register();
    String target = register();
    JsonObject first = created(report(reporter, target));
    assertEquals("pending", first.getString("status"));
    assertEquals(1.0, first.getDouble("weight"));
    HttpResponse<Buffer> again = report(reporter, target);
    assertError(409, "DUPLICATE_REPORT", again);
    assertEquals(first.getString("report_id"), Http.error(again).getJsonObject("details").getString("report_id"));
    assertEquals(1, sqlLong("SELECT count(*) FROM abuse_reports WHERE target_id = '" + target + "'"));
  }

  @Test
  void reports_on_auraids_the_reporter_cannot_see_answer_like_unknown_ones() {
    String reporter = register();
    String hidden = register();
    assertEquals(200, http.send(HttpMethod.PATCH, "/internal/auraid/" + hidden, user(hidden),
      new JsonObject().put("privacy_level", "private").toBuffer()).statusCode());
    HttpResponse<Buffer> hiddenAnswer = report(reporter, hidden);
    HttpResponse<Buffer> unknownAnswer = report(reporter, "@nobody_here.aura");
    assertError(404, "AURAID_NOT_FOUND", hiddenAnswer);
    assertError(404, "AURAID_NOT_FOUND", unknownAnswer);
    JsonObject hiddenError = Http.error(hiddenAnswer).copy();
    JsonObject unknownError = Http.error(unknownAnswer).copy();
    hiddenError.remove("request_id");
    unknownError.remove("request_id");
    assertEquals(unknownError, hiddenError, "hidden answers exactly like unknown");
  }

  @Test
  void invalid_reports_name_the_field() {
    String reporter = register();
    String target = register();
    HttpResponse<Buffer> noDescription = http.post("/internal/trust/reports", user(reporter),
      reportBody("aura_id", target, "low").put("description", ""));
    assertEquals(400, noDescription.statusCode());
    assertEquals("description", Http.error(noDescription).getJsonObject("details").getString("field"));
    HttpResponse<Buffer> badCategory = http.post("/internal/trust/reports", user(reporter),
      reportBody("aura_id", target, "low").put("category", "rudeness"));
    assertEquals(400, badCategory.statusCode());
    assertEquals("category", Http.error(badCategory).getJsonObject("details").getString("field"));
    JsonObject bigEvidence = new JsonObject().put("blob", "x".repeat(17 * 1024));
    HttpResponse<Buffer> tooMuch = http.post("/internal/trust/reports", user(reporter),
      reportBody("aura_id", target, "low").put("evidence", bigEvidence));
    assertError(400, "VALIDATION_FAILED", tooMuch);
    assertEquals("evidence", Http.error(tooMuch).getJsonObject("details").getString("field"));
    HttpResponse<Buffer> serviceWithoutReporter = http.post("/internal/trust/reports", reportingService,
      reportBody("mesh_node", node(), "low"));
    assertError(400, "VALIDATION_FAILED", serviceWithoutReporter);
    assertEquals("reporter", Http.error(serviceWithoutReporter).getJsonObject("details").getString("field"));
  }

  @Test
  void two_reports_from_one_person_cannot_suspend_even_when_upheld() throws SQLException {
    String reporter = register();
    String target = register();
    String first = created(report(reporter, target)).getString("report_id");
    sql("UPDATE abuse_reports SET created_at = now() - interval '25 hours' WHERE report_id = '" + first + "'");
    JsonObject second = created(report(reporter, target));
    assertEquals(50.0, second.getDouble("new_trust_score"), "uncorroborated pending reports cost nothing");
    assertFalse(second.getBoolean("suspended"));
    ok(resolve(first, "uphold"));
    JsonObject upheld = ok(resolve(second.getString("report_id"), "uphold"));
    assertEquals(10.0, upheld.getDouble("new_trust_score"));
    assertEquals("suspended", upheld.getString("trust_level"), "the level follows the score");
    assertFalse(upheld.getBoolean("suspended"), "one reporter alone never suspends");
    assertEquals(1, info("aura_id", target).getJsonObject("components").getInteger("distinct_reporters"));
    assertTrue(moderationLog("aura_id", target).stream().map(JsonObject.class::cast)
      .noneMatch(e -> "suspend".equals(e.getString("action"))));
  }

  @Test
  void two_distinct_reporters_suspend_hide_the_auraid_and_a_dismissal_restores_it() {
    String target = register();
    String first = register();
    String second = register();
    String stranger = register();
    JsonObject one = created(report(first, target));
    assertEquals(50.0, one.getDouble("new_trust_score"));
    JsonObject two = created(report(second, target));
    assertEquals(10.0, two.getDouble("new_trust_score"));
    assertTrue(two.getBoolean("suspended"));
    assertEquals("suspended", two.getString("trust_level"));

    // Hidden at once, exactly like an unknown AuraID; the owner still sees it, suspended.
    HttpResponse<Buffer> hidden = http.get("/internal/auraid/" + target, user(stranger));
    assertError(404, "AURAID_NOT_FOUND", hidden);
    JsonObject own = ok(http.get("/internal/auraid/" + target, user(target)));
    assertEquals("suspended", own.getString("status"));
    assertEquals("system", own.getJsonObject("suspension").getString("by"));
    assertEquals("suspended", own.getString("trust_level"));

    // The call domain learns of it from the event (it ends the AuraID's live calls).
    Await.until(Duration.ofSeconds(5), "suspension event", () -> eventsFor(target).stream()
      .anyMatch(e -> TrustEvents.SUSPENDED.equals(e.getString("change")) && "aura_id".equals(e.getString("entity_type"))));
    JsonObject log = moderationLog("aura_id", target).getJsonObject(0);
    assertEquals("suspend", log.getString("action"));
    assertTrue(log.getBoolean("automatic"));
    assertEquals("system", log.getString("actor"));

    // Dismissing one report restores the score and lifts the automatic suspension.
    JsonObject dismissed = ok(resolve(two.getString("report_id"), "dismiss"));
    assertEquals("dismissed", dismissed.getString("status"));
    assertEquals(50.0, dismissed.getDouble("new_trust_score"));
    assertFalse(dismissed.getBoolean("suspended"));
    assertEquals(200, http.get("/internal/auraid/" + target, user(stranger)).statusCode());
    Await.until(Duration.ofSeconds(5), "unsuspension event", () -> eventsFor(target).stream()
      .anyMatch(e -> TrustEvents.UNSUSPENDED.equals(e.getString("change"))));
    JsonObject info = info("aura_id", target);
    List<String> reasons = info.getJsonArray("history").stream()
      .map(h -> ((JsonObject) h).getString("reason")).toList();
    assertEquals(2, reasons.size(), reasons.toString());
    assertTrue(reasons.get(1).contains("dismissed"), reasons.toString());
  }

  @Test
  void caution_reporters_weigh_half_and_suspended_reporters_are_refused() {
    String reporter = register();
    String accuser = register();
    // 50 + email 10 - behaviour 20 - one upheld report 20 = 20: caution.
    Await.result(trust.recordVerification("aura_id", reporter, "email", writer()));
    for (int i = 0; i < 4; i++) {
      Await.result(trust.recordBehaviour("aura_id", reporter, -5, "dropped calls", writer()));
    }
    ok(resolve(created(report(accuser, reporter)).getString("report_id"), "uphold"));
    assertEquals("caution", info("aura_id", reporter).getString("level"));

    JsonObject halfWeight = created(report(reporter, register()));
    assertEquals(0.5, halfWeight.getDouble("weight"));

    ok(http.post("/internal/trust/aura_id/" + reporter + "/suspend", moderator, new JsonObject().put("reason", "spam ring")));
    assertError(403, "REPORTER_SUSPENDED", report(reporter, register()));
  }

  @Test
  void the_review_queue_lists_critical_then_high_oldest_first() {
    String target = node();
    List<String> severities = List.of("high", "critical", "low", "high", "critical", "medium");
    List<String> ids = new ArrayList<>();
    for (String severity : severities) {
      JsonObject report = created(reportNode(node(), target, severity));
      assertEquals(severity.equals("high") || severity.equals("critical"), report.getBoolean("queued_for_review"));
      ids.add(report.getString("report_id"));
    }
    List<JsonObject> queued = ok(http.get("/internal/trust/queue?limit=200", moderator)).getJsonArray("reports")
      .stream().map(JsonObject.class::cast).filter(r -> ids.contains(r.getString("report_id"))).toList();
    assertEquals(List.of(ids.get(1), ids.get(4), ids.get(0), ids.get(3)),
      queued.stream().map(r -> r.getString("report_id")).toList());
    assertEquals(List.of(1, 1, 2, 2), queued.stream().map(r -> r.getInteger("review_priority")).toList());
    assertError(403, "FORBIDDEN", http.get("/internal/trust/queue", reader));
    assertEquals(400, http.get("/internal/trust/queue?limit=0", moderator).statusCode());
  }

  @Test
  void a_claimed_report_is_resolved_by_its_moderator_only_and_everything_is_logged() {
    String target = node();
    String id = created(reportNode(node(), target, "critical")).getString("report_id");
    JsonObject claimed = ok(http.post("/internal/trust/reports/" + id + "/claim", moderator, null));
    assertEquals("service:console", claimed.getString("claimed_by"));
    assertEquals(200, http.post("/internal/trust/reports/" + id + "/claim", moderator, null).statusCode(),
      "claiming again is harmless");
    assertError(409, "REPORT_STATE", http.post("/internal/trust/reports/" + id + "/claim", otherModerator, null));
    assertError(409, "REPORT_STATE", http.post("/internal/trust/reports/" + id + "/resolve", otherModerator,
      new JsonObject().put("decision", "dismiss").put("note", "mine now")));
    JsonObject upheld = ok(resolve(id, "uphold"));
    assertEquals("upheld", upheld.getString("status"));
    assertEquals("reviewed", upheld.getString("resolution_note"));
    assertEquals(30.0, upheld.getDouble("new_trust_score"));
    assertError(409, "REPORT_STATE", resolve(id, "dismiss"));
    assertEquals("upheld", ok(http.get("/internal/trust/reports/" + id, moderator)).getString("status"));
    assertError(404, "REPORT_NOT_FOUND", http.get("/internal/trust/reports/00000000-0000-0000-0000-000000000000", moderator));
    assertError(404, "REPORT_NOT_FOUND", http.post("/internal/trust/reports/not-a-uuid/claim", moderator, null));
    assertEquals(400, http.post("/internal/trust/reports/" + id + "/resolve", moderator,
      new JsonObject().put("decision", "maybe").put("note", "x")).statusCode());
    List<String> actions = moderationLog("mesh_node", target).stream()
      .map(e -> ((JsonObject) e).getString("action") + "/" + ((JsonObject) e).getString("actor")).toList();
    assertEquals(List.of("claim_report/service:console", "uphold_report/service:console"), actions);
  }

  // ---- moderation -------------------------------------------------------------------------------------------

  @Test
  void a_manual_suspension_of_a_node_is_published_logged_and_reversible() {
    String target = node();
    JsonObject suspended = ok(http.post("/internal/trust/mesh_node/" + target + "/suspend", moderator,
      new JsonObject().put("reason", "relaying malware")));
    assertTrue(suspended.getBoolean("suspended"));
    assertEquals("suspended", suspended.getString("level"));
    assertFalse(suspended.getJsonObject("suspension").getBoolean("automatic"));
    Await.until(Duration.ofSeconds(5), "suspension event", () -> eventsFor(target).stream()
      .anyMatch(e -> TrustEvents.SUSPENDED.equals(e.getString("change")) && "mesh_node".equals(e.getString("entity_type"))));
    assertError(409, "SUSPENSION_STATE", http.post("/internal/trust/mesh_node/" + target + "/suspend", moderator,
      new JsonObject().put("reason", "again")));
    assertEquals(400, http.post("/internal/trust/mesh_node/" + target + "/unsuspend", moderator,
      new JsonObject()).statusCode());
    JsonObject lifted = ok(http.post("/internal/trust/mesh_node/" + target + "/unsuspend", moderator,
      new JsonObject().put("reason", "owner cleaned the device")));
    assertFalse(lifted.getBoolean("suspended"));
    assertEquals("established", lifted.getString("level"));
    assertError(409, "SUSPENSION_STATE", http.post("/internal/trust/mesh_node/" + target + "/unsuspend", moderator,
      new JsonObject().put("reason", "again")));
    assertError(403, "FORBIDDEN", http.post("/internal/trust/mesh_node/" + target + "/suspend", reader,
      new JsonObject().put("reason", "x")));
    List<String> log = moderationLog("mesh_node", target).stream().map(e -> {
      JsonObject entry = (JsonObject) e;
      return entry.getString("action") + "/" + entry.getString("actor") + "/" + entry.getBoolean("automatic") + "/"
        + entry.getString("reason");
    }).toList();
    assertEquals(List.of("suspend/service:console/false/relaying malware",
      "unsuspend/service:console/false/owner cleaned the device"), log);
    String metrics = http.get("/metrics").bodyAsString();
    assertTrue(metrics.lines().anyMatch(l -> l.startsWith("auralink_trust_suspensions_total{")
      && l.contains("change=\"suspended\"") && l.contains("entity_type=\"mesh_node\"")), "suspensions are counted");
  }

  @Test
  void twenty_simultaneous_reports_on_one_target_lose_no_update() throws SQLException {
    String target = node();
    List<Future<HttpResponse<Buffer>>> sent = IntStream.range(0, 20).mapToObj(i -> http.request(HttpMethod.POST,
        "/internal/trust/reports").bearerTokenAuthentication(reportingService)
      .sendJsonObject(reportBody("mesh_node", target, "medium").put("reporter", entity("mesh_node", node()))))
      .toList();
    Await.result(Future.all(sent));
    List<Double> scores = new ArrayList<>();
    for (Future<HttpResponse<Buffer>> response : sent) {
      scores.add(created(response.result()).getDouble("new_trust_score"));
    }
    // Applied one after the other: the first alone costs nothing, the second corroborates (10), the rest clamp at 0.
    List<Double> expected = new ArrayList<>(List.of(50.0, 10.0));
    expected.addAll(java.util.Collections.nCopies(18, 0.0));
    assertEquals(expected, scores.stream().sorted(java.util.Comparator.reverseOrder()).toList());
    JsonObject info = info("mesh_node", target);
    assertEquals(0.0, info.getDouble("score"));
    assertEquals(20, info.getJsonObject("components").getInteger("counted_reports"));
    assertEquals(20, info.getJsonObject("components").getInteger("distinct_reporters"));
    assertEquals(20, info.getLong("version"));
    assertTrue(info.getBoolean("suspended"));
    assertEquals(20, sqlLong("SELECT count(*) FROM abuse_reports WHERE target_id = '" + target + "'"));
    assertEquals(1, sqlLong("SELECT count(*) FROM moderation_log WHERE entity_id = '" + target + "' AND action = 'suspend'"));
  }

  // ---- components from other domains ------------------------------------------------------------------------

  @Test
  void verifications_count_once_per_method_and_reach_the_profile() {
    String alice = register();
    JsonObject first = Await.result(trust.recordVerification("aura_id", alice, "email", writer()));
    assertTrue(first.getBoolean("added"));
    assertEquals(60.0, first.getDouble("score"));
    JsonObject again = Await.result(trust.recordVerification("aura_id", alice, "email", writer()));
    assertFalse(again.getBoolean("added"));
    assertEquals(60.0, again.getDouble("score"));
    JsonObject profile = ok(http.get("/internal/auraid/" + alice, user(alice)));
    assertTrue(profile.getBoolean("verified"));
    assertEquals("established", profile.getString("trust_level"));

    JsonObject document = Await.result(trust.recordVerification("aura_id", alice, "document", writer()));
    assertEquals(85.0, document.getDouble("score"));
    assertEquals(List.of("document", "email"), document.getJsonObject("components").getJsonArray("verifications").getList());
    assertEquals("verified", ok(http.get("/internal/auraid/" + alice, user(alice))).getString("trust_level"));

    Throwable refused = Await.failure(trust.recordVerification("aura_id", alice, "retina", writer()));
    assertEquals(400, ((ServiceException) refused).failureCode());
    Throwable forbidden = Await.failure(trust.recordVerification("aura_id", alice, "phone",
      Caller.service("dashboard", Set.of(TrustService.READ))));
    assertEquals(403, ((ServiceException) forbidden).failureCode());
  }

  @Test
  void behaviour_stays_within_twenty_either_way() {
    String target = node();
    JsonObject last = null;
    for (int i = 0; i < 6; i++) {
      last = Await.result(trust.recordBehaviour("mesh_node", target, 5, "uptime", writer()));
    }
    assertEquals(20.0, last.getJsonObject("components").getDouble("behaviour"));
    assertEquals(70.0, last.getDouble("score"));
    Throwable tooBig = Await.failure(trust.recordBehaviour("mesh_node", target, 6, "uptime", writer()));
    assertEquals(400, ((ServiceException) tooBig).failureCode());
  }

  @Test
  void the_sweep_repairs_a_registry_that_missed_a_push() throws SQLException {
    String alice = register();
    long version = Await.result(trust.recordVerification("aura_id", alice, "phone", writer())).getLong("version");
    sql("UPDATE aura_ids SET trust_version = 0, verified = false WHERE aura_id = '" + alice + "'");
    sql("UPDATE trust_entities SET synced_version = 0 WHERE entity_id = '" + alice + "'");
    Await.until(Duration.ofSeconds(10), "the sweep to push again", () -> {
      try {
        return sqlLong("SELECT trust_version FROM aura_ids WHERE aura_id = '" + alice + "' AND verified") == version
          && sqlLong("SELECT synced_version FROM trust_entities WHERE entity_id = '" + alice + "'") == version;
      } catch (SQLException | AssertionError e) {
        return false;
      }
    });
  }

  // ---- federation -------------------------------------------------------------------------------------------

  @Test
  void federated_servers_are_limited_blocked_and_unblocked() {
    String domain = "matrix" + NAMES.incrementAndGet() + ".example.org";
    JsonObject added = ok(http.send(HttpMethod.PUT, "/internal/trust/federation/" + domain, admin,
      new JsonObject().put("requests_per_minute", 2).toBuffer()));
    assertEquals("allowed", added.getString("state"));
    assertEquals(2, added.getInteger("requests_per_minute"));
    assertTrue(ok(http.get("/internal/trust/federation", reader)).getJsonArray("servers").stream()
      .anyMatch(s -> domain.equals(((JsonObject) s).getString("domain"))));

    // The third request within one minute is over the limit (retried once if the minute turned meanwhile).
    boolean limited = false;
    for (int attempt = 0; attempt < 2 && !limited; attempt++) {
      List<JsonObject> checks = IntStream.range(0, 3)
        .mapToObj(i -> ok(http.get("/internal/trust/federation/" + domain + "/check", reader))).toList();
      limited = checks.get(2).getLong("requests_this_minute") >= 3
        && !checks.get(2).getBoolean("allowed") && "rate_limited".equals(checks.get(2).getString("reason"))
        && checks.get(0).getBoolean("allowed");
    }
    assertTrue(limited, "the third check in a minute is rate limited");

    String other = "hs" + NAMES.incrementAndGet() + ".example.net:8448";
    JsonObject blocked = ok(http.post("/internal/trust/federation/" + other + "/block", admin,
      new JsonObject().put("reason", "spam waves")));
    assertEquals("blocked", blocked.getString("state"));
    JsonObject refused = ok(http.get("/internal/trust/federation/" + other + "/check", reader));
    assertFalse(refused.getBoolean("allowed"));
    assertEquals("blocked", refused.getString("reason"));
    ok(http.post("/internal/trust/federation/" + other + "/unblock", admin, null));
    JsonObject allowed = ok(http.get("/internal/trust/federation/" + other + "/check", reader));
    assertTrue(allowed.getBoolean("allowed"));
    assertNull(allowed.getString("reason"));
    List<String> log = moderationLog("federated_server", other).stream()
      .map(e -> ((JsonObject) e).getString("action")).toList();
    assertEquals(List.of("block_server", "unblock_server"), log);

    ok(http.post("/internal/trust/federated_server/" + other + "/suspend", moderator,
      new JsonObject().put("reason", "compromised")));
    assertEquals("suspended", ok(http.get("/internal/trust/federation/" + other + "/check", reader)).getString("reason"));
  }

  @Test
  void an_unknown_server_is_recorded_at_first_contact_and_bad_names_are_refused() {
    String domain = "new" + NAMES.incrementAndGet() + ".example.com";
    JsonObject first = ok(http.get("/internal/trust/federation/" + domain + "/check", reader));
    assertTrue(first.getBoolean("allowed"));
    JsonObject recorded = ok(http.get("/internal/trust/federation", reader)).getJsonArray("servers").stream()
      .map(JsonObject.class::cast).filter(s -> domain.equals(s.getString("domain"))).findFirst().orElseThrow();
    assertEquals("system:first-contact", recorded.getString("changed_by"));
    assertTrue(recorded.getString("last_seen_at") != null);
    HttpResponse<Buffer> bad = http.get("/internal/trust/federation/not_a..domain/check", reader);
    assertError(400, "VALIDATION_FAILED", bad);
    assertEquals("domain", Http.error(bad).getJsonObject("details").getString("field"));
    assertError(404, "FEDERATED_SERVER_NOT_FOUND", http.post("/internal/trust/federation/never" + NAMES.incrementAndGet()
      + ".example.com/unblock", admin, null));
    assertError(403, "FORBIDDEN", http.send(HttpMethod.PUT, "/internal/trust/federation/" + domain, reader,
      new JsonObject().toBuffer()));
  }
}
