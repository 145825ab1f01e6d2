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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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
  private static String router;
  private static String meshReader;
  private static String nodeOwner;
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
    router = tokens.hs256(Tokens.service("calls", "mesh:route"));
    meshReader = tokens.hs256(Tokens.service("dash", "mesh:read"));
    listener = node.vertx().eventBus().consumer(TrustEvents.CHANGED, message -> events.add(message.body()));
    Await.result(listener.completion());
    nodeOwner = register();
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
    return http.register(registrar, username);
  }

  /** An id no mesh node has. */
  private static String node() {
    return "node-" + NAMES.incrementAndGet();
  }

  /**
   * A person whose reports weigh fully: email-verified (trust 60) and registered 60 days ago. The registry's
   * creation time is set back in SQL: nothing else can make an account old in a test.
   */
  private static String established() {
    String auraId = register();
    Await.result(trust.recordVerification("aura_id", auraId, "email", writer()));
    age(auraId, 60);
    return auraId;
  }

  private static void age(String auraId, int days) {
    sql("UPDATE aura_ids SET created_at = now() - interval '" + days + " days' WHERE aura_id = '" + auraId + "'");
  }

  private static void deactivate(String auraId) {
    assertEquals(200, http.send(HttpMethod.DELETE, "/internal/auraid/" + auraId, user(auraId), null).statusCode());
  }

  /** A person registers a device as a mesh node; answers its node id. */
  private static String meshNode(String owner, String nat) {
    return created(http.post("/internal/mesh/nodes", user(owner), new JsonObject()
      .put("device_id", "dev-" + NAMES.incrementAndGet()).put("address", "198.51.100.7:4000").put("nat_type", nat)
      .put("region", "eu-west"))).getString("node_id");
  }

  private static String meshNode() {
    return meshNode(nodeOwner, "full_cone");
  }

  /** A node whose reports (filed by the mesh service) weigh fully: document-verified (75), registered 60 days ago. */
  private static String establishedNode() {
    String id = meshNode();
    Await.result(trust.recordVerification("mesh_node", id, "document", writer()));
    sql("UPDATE mesh_nodes SET registered_at = now() - interval '60 days' WHERE node_id = '" + id + "'");
    return id;
  }

  /** A homeserver in the federation registry. */
  private static String server() {
    String domain = "hs" + NAMES.incrementAndGet() + ".example.org";
    ok(http.send(HttpMethod.PUT, "/internal/trust/federation/" + domain, admin, new JsonObject().toBuffer()));
    return domain;
  }

  private static JsonObject route(String a, String b) {
    return ok(http.post("/internal/mesh/routes", router, new JsonObject().put("source_aura_id", a)
      .put("destination_aura_id", b).put("media_type", "audio_video")));
  }

  private static JsonObject storedReport(String id) {
    return ok(http.get("/internal/trust/reports/" + id, moderator));
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

  private static void sql(String update) {
    try (Connection c = TestStores.jdbc(databaseUrl); Statement s = c.createStatement()) {
      s.executeUpdate(update);
    } catch (SQLException e) {
      throw new AssertionError(update, e);
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
    assertEquals(0.0, first.getDouble("weight"), "a new account weighs nothing");
    assertTrue(first.getBoolean("queued_for_review"), "but its report reaches the queue");
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
  void two_established_reporters_suspend_hide_the_auraid_and_a_dismissal_restores_it() {
    String target = register();
    String first = established();
    String second = established();
    String stranger = register();
    JsonObject one = created(report(first, target));
    assertEquals(1.0, one.getDouble("weight"));
    assertEquals(50.0, one.getDouble("new_trust_score"));
    JsonObject two = created(report(second, target));
    assertFalse(two.getBoolean("queued_for_review"), "a corroborated medium report needs no escalation");
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
  void low_trust_reporters_weigh_nothing_but_their_reports_reach_the_queue() {
    String reporter = established();
    String accuser = established();
    // 50 + email 10 - behaviour 20 - one upheld report 20 = 20: caution.
    for (int i = 0; i < 4; i++) {
      Await.result(trust.recordBehaviour("aura_id", reporter, -5, "dropped calls", writer()));
    }
    ok(resolve(created(report(accuser, reporter)).getString("report_id"), "uphold"));
    assertEquals("caution", info("aura_id", reporter).getString("level"));

    JsonObject weightless = created(report(reporter, register()));
    assertEquals(0.0, weightless.getDouble("weight"));
    assertTrue(weightless.getString("weight_basis").contains("trust below 30"), weightless.encode());
    assertTrue(weightless.getBoolean("queued_for_review"));
    assertEquals(3, weightless.getInteger("review_priority"));
  }

  /** How a reporter in the table below is made. */
  private static String reporter(String kind) {
    switch (kind) {
      case "new":
        return register();
      case "aged":
        String aged = register();
        age(aged, 60);
        return aged;
      case "young":
        String young = register();
        Await.result(trust.recordVerification("aura_id", young, "email", writer()));
        age(young, 3);
        return young;
      case "established":
        return established();
      case "deactivated":
        String deactivated = established();
        deactivate(deactivated);
        return deactivated;
      case "suspended":
        String suspended = established();
        ok(http.post("/internal/trust/aura_id/" + suspended + "/suspend", moderator,
          new JsonObject().put("reason", "spam ring")));
        return suspended;
      case "auto_suspended":
        // Unverified: two full-weight reports take 50 to 10 (a verified 60 would stop at 20).
        String accused = reporter("aged");
        created(report(established(), accused));
        assertTrue(created(report(established(), accused)).getBoolean("suspended"));
        return accused;
      default:
        throw new IllegalArgumentException(kind);
    }
  }

  /**
   * Two reports on one person: only two established reporters (verified or trust 60, a month old) suspend; accounts
   * made for the purpose send the target to the top of the review queue instead; deactivated and suspended
   * reporters cannot report at all.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
    two new accounts (the Sybil case)            | new         | new            | 201 | -                  | false | true
    two unverified accounts of 60 days           | aged        | aged           | 201 | -                  | false | true
    two verified accounts of 3 days              | young       | young          | 201 | -                  | false | true
    an established reporter and a new account    | established | new            | 201 | -                  | false | true
    two established reporters                    | established | established    | 201 | -                  | true  | false
    a deactivated reporter                       | established | deactivated    | 403 | REPORTER_INACTIVE  | false | false
    a reporter suspended by a moderator          | established | suspended      | 403 | REPORTER_SUSPENDED | false | false
    a reporter suspended automatically           | established | auto_suspended | 403 | REPORTER_SUSPENDED | false | false
    """)
  void who_may_report_and_whose_reports_suspend(String name, String firstKind, String secondKind, int status,
                                                String code, boolean suspended, boolean escalated) {
    String target = register();
    String firstReport = created(report(reporter(firstKind), target)).getString("report_id");
    HttpResponse<Buffer> second = report(reporter(secondKind), target);
    assertEquals(status, second.statusCode(), name + ": " + second.bodyAsString());
    if (code != null) {
      assertEquals(code, Http.error(second).getString("code"), name);
      assertEquals("reporter", Http.error(second).getJsonObject("details").getString("field"), name);
    }
    JsonObject trusted = info("aura_id", target);
    assertEquals(suspended, trusted.getBoolean("suspended"), name);
    assertEquals(suspended ? 10.0 : 50.0, trusted.getDouble("score"), name);
    assertEquals(suspended, moderationLog("aura_id", target).stream()
      .anyMatch(e -> "suspend".equals(((JsonObject) e).getString("action"))), name);
    // Escalated: both reports at the top of the queue, marked so the moderator knows why.
    List<String> reports = new ArrayList<>(List.of(firstReport));
    if (status == 201) {
      reports.add(second.bodyAsJsonObject().getString("report_id"));
      assertEquals(escalated, second.bodyAsJsonObject().getBoolean("escalated"), name);
    }
    for (String id : reports) {
      JsonObject stored = storedReport(id);
      assertEquals(escalated, stored.getBoolean("escalated"), name);
      if (escalated) {
        assertEquals(1, stored.getInteger("review_priority"), name);
      }
    }
  }

  @Test
  void reports_on_entities_that_do_not_exist_are_404_for_every_type() throws SQLException {
    String reporter = established();
    List<JsonObject> missing = List.of(
      entity("aura_id", "@nobody_" + NAMES.incrementAndGet() + ".aura"),
      entity("mesh_node", java.util.UUID.randomUUID().toString()),
      entity("mesh_node", node()),
      entity("federated_server", "never" + NAMES.incrementAndGet() + ".example.org"));
    for (JsonObject target : missing) {
      HttpResponse<Buffer> response = http.post("/internal/trust/reports", user(reporter),
        new JsonObject().put("target", target).put("category", "malicious_node").put("severity", "critical")
          .put("description", "does not exist"));
      String code = switch (target.getString("entity_type")) {
        case "aura_id" -> "AURAID_NOT_FOUND";
        case "mesh_node" -> "NODE_NOT_FOUND";
        default -> "FEDERATED_SERVER_NOT_FOUND";
      };
      assertError(404, code, response);
      assertEquals("target.entity_id", Http.error(response).getJsonObject("details").getString("field"), target.encode());
      assertEquals(0, sqlLong("SELECT count(*) FROM trust_entities WHERE entity_id = '"
        + target.getString("entity_id") + "'"), "nothing is recorded for " + target.encode());
    }
    HttpResponse<Buffer> unknownReporter = http.post("/internal/trust/reports", reportingService,
      reportBody("mesh_node", meshNode(), "low").put("reporter", entity("mesh_node", java.util.UUID.randomUUID().toString())));
    assertError(404, "NODE_NOT_FOUND", unknownReporter);
    assertEquals("reporter.entity_id", Http.error(unknownReporter).getJsonObject("details").getString("field"));
    assertEquals(0, sqlLong("SELECT count(*) FROM abuse_reports WHERE reporter_id = '" + reporter + "'"));
  }

  @Test
  void people_never_suspend_a_node_or_a_server_their_reports_wait_for_a_moderator() {
    String alice = register();
    String bob = register();
    String aliceDevice = meshNode(alice, "full_cone");
    String bobDevice = meshNode(bob, "symmetric");
    assertEquals(1, route(alice, bob).getInteger("tier"));
    String homeserver = server();
    List<String> filed = new ArrayList<>();
    for (String reporter : List.of(established(), established())) {
      for (JsonObject target : List.of(entity("mesh_node", aliceDevice), entity("federated_server", homeserver))) {
        JsonObject report = created(http.post("/internal/trust/reports", user(reporter),
          new JsonObject().put("target", target).put("category", "malicious_node").put("severity", "medium")
            .put("description", "relays malware")));
        assertEquals(0.0, report.getDouble("weight"), report.encode());
        assertTrue(report.getString("weight_basis").contains("waits for a moderator"), report.encode());
        assertTrue(report.getBoolean("queued_for_review"));
        assertFalse(report.getBoolean("suspended"));
        assertEquals(50.0, report.getDouble("new_trust_score"));
        filed.add(report.getString("report_id"));
      }
    }
    assertFalse(info("mesh_node", aliceDevice).getBoolean("suspended"));
    assertFalse(ok(http.get("/internal/mesh/nodes/" + aliceDevice, meshReader)).getBoolean("suspended"));
    JsonObject direct = route(alice, bob);
    assertEquals(1, direct.getInteger("tier"), direct.encodePrettily());
    assertEquals(List.of(aliceDevice, bobDevice), direct.getJsonArray("path").getList());
    JsonObject check = ok(http.get("/internal/trust/federation/" + homeserver + "/check", reader));
    assertTrue(check.getBoolean("allowed"), check.encode());
    // Two people reported each: both go to the top of the queue for a moderator to decide.
    for (String id : filed) {
      JsonObject stored = storedReport(id);
      assertEquals(1, stored.getInteger("review_priority"), stored.encode());
      assertTrue(stored.getBoolean("escalated"));
    }
    // A moderator who upholds acts: the node loses 20 per upheld report.
    assertEquals(30.0, ok(resolve(filed.get(0), "uphold")).getDouble("new_trust_score"));
  }

  @Test
  void a_person_reports_only_as_themselves_and_a_service_reports_with_its_persons_weight() throws SQLException {
    String alice = register();
    String bob = register();
    String target = register();
    HttpResponse<Buffer> asBob = http.post("/internal/trust/reports", user(alice),
      reportBody("aura_id", target, "low").put("reporter", entity("aura_id", bob)));
    assertError(403, "FORBIDDEN", asBob);
    assertEquals("reporter", Http.error(asBob).getJsonObject("details").getString("field"));
    assertEquals(0, sqlLong("SELECT count(*) FROM abuse_reports WHERE target_id = '" + target + "'"));
    JsonObject asHerself = created(http.post("/internal/trust/reports", user(alice),
      reportBody("aura_id", target, "low").put("reporter", entity("aura_id", alice))));
    assertEquals(alice, asHerself.getJsonObject("reporter").getString("entity_id"));

    String carol = established();
    JsonObject forCarol = created(http.post("/internal/trust/reports", reportingService,
      reportBody("aura_id", target, "low").put("reporter", entity("aura_id", carol))));
    assertEquals(carol, forCarol.getJsonObject("reporter").getString("entity_id"));
    assertEquals(1.0, forCarol.getDouble("weight"), "the named person's standing decides the weight");
    String dave = established();
    deactivate(dave);
    HttpResponse<Buffer> forDave = http.post("/internal/trust/reports", reportingService,
      reportBody("aura_id", target, "low").put("reporter", entity("aura_id", dave)));
    assertError(403, "REPORTER_INACTIVE", forDave);
  }

  @Test
  void a_reporter_files_at_most_ten_reports_an_hour_then_429_with_retry_after() throws SQLException {
    String flooder = register();
    List<String> targets = IntStream.range(0, 15).mapToObj(i -> register()).toList();
    List<Future<HttpResponse<Buffer>>> sent = targets.stream().map(target -> http.request(HttpMethod.POST,
        "/internal/trust/reports").bearerTokenAuthentication(user(flooder))
      .sendJsonObject(reportBody("aura_id", target, "critical"))).toList();
    Await.result(Future.join(sent));
    List<HttpResponse<Buffer>> responses = sent.stream().map(Future::result).toList();
    assertEquals(10, responses.stream().filter(r -> r.statusCode() == 201).count(),
      responses.stream().map(HttpResponse::bodyAsString).toList().toString());
    List<HttpResponse<Buffer>> limited = responses.stream().filter(r -> r.statusCode() == 429).toList();
    assertEquals(5, limited.size());
    for (HttpResponse<Buffer> response : limited) {
      assertError(429, "RATE_LIMITED", response);
      long retryAfter = Long.parseLong(response.getHeader("Retry-After"));
      assertTrue(retryAfter > 3500 && retryAfter <= 3600, "Retry-After " + retryAfter);
      assertEquals(retryAfter, Http.error(response).getJsonObject("details").getLong("retry_after_seconds"));
    }
    assertEquals(10, sqlLong("SELECT count(*) FROM abuse_reports WHERE reporter_id = '" + flooder + "'"));
    // Once the oldest report is an hour old, one more is accepted.
    sql("UPDATE abuse_reports SET created_at = created_at - interval '1 hour' WHERE report_id = (SELECT report_id"
      + " FROM abuse_reports WHERE reporter_id = '" + flooder + "' ORDER BY created_at LIMIT 1)");
    String next = register();
    created(report(flooder, next));
    assertError(429, "RATE_LIMITED", report(flooder, register()));
  }

  @Test
  void the_review_queue_lists_critical_then_high_oldest_first_and_weightless_reports_last() {
    String reporter = established();
    List<String> severities = List.of("high", "critical", "low", "high", "critical", "medium");
    List<String> ids = new ArrayList<>();
    for (String severity : severities) {
      JsonObject report = created(http.post("/internal/trust/reports", user(reporter),
        reportBody("aura_id", register(), severity)));
      assertEquals(severity.equals("high") || severity.equals("critical"), report.getBoolean("queued_for_review"));
      ids.add(report.getString("report_id"));
    }
    JsonObject weightless = created(report(register(), register()));
    assertTrue(weightless.getBoolean("queued_for_review"), "a report that weighs nothing still reaches the queue");
    ids.add(weightless.getString("report_id"));
    List<JsonObject> queued = ok(http.get("/internal/trust/queue?limit=200", moderator)).getJsonArray("reports")
      .stream().map(JsonObject.class::cast).filter(r -> ids.contains(r.getString("report_id"))).toList();
    assertEquals(List.of(ids.get(1), ids.get(4), ids.get(0), ids.get(3), ids.get(6)),
      queued.stream().map(r -> r.getString("report_id")).toList());
    assertEquals(List.of(1, 1, 2, 2, 3), queued.stream().map(r -> r.getInteger("review_priority")).toList());
    assertError(403, "FORBIDDEN", http.get("/internal/trust/queue", reader));
    assertEquals(400, http.get("/internal/trust/queue?limit=0", moderator).statusCode());
  }

  @Test
  void a_claimed_report_is_resolved_by_its_moderator_only_and_everything_is_logged() {
    String target = meshNode();
    String id = created(reportNode(meshNode(), target, "critical")).getString("report_id");
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
    String target = meshNode();
    List<String> reporters = IntStream.range(0, 20).mapToObj(i -> establishedNode()).toList();
    List<Future<HttpResponse<Buffer>>> sent = reporters.stream().map(reporter -> http.request(HttpMethod.POST,
        "/internal/trust/reports").bearerTokenAuthentication(reportingService)
      .sendJsonObject(reportBody("mesh_node", target, "medium").put("reporter", entity("mesh_node", reporter))))
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
  void the_moderation_log_and_the_federation_registry_are_paged() {
    String person = established();
    for (int i = 0; i < 3; i++) {
      ok(http.post("/internal/trust/aura_id/" + person + "/suspend", moderator, new JsonObject().put("reason", "r" + i)));
      ok(http.post("/internal/trust/aura_id/" + person + "/unsuspend", moderator, new JsonObject().put("reason", "u" + i)));
    }
    List<String> reasons = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      JsonObject page = ok(http.get("/internal/trust/aura_id/" + person + "/moderation-log?limit=4"
        + (cursor == null ? "" : "&cursor=" + cursor), moderator));
      assertTrue(page.getJsonArray("entries").size() <= 4);
      page.getJsonArray("entries").forEach(e -> reasons.add(((JsonObject) e).getString("reason")));
      cursor = page.getString("next_cursor");
      pages++;
    } while (cursor != null && pages < 10);
    assertEquals(List.of("r0", "u0", "r1", "u1", "r2", "u2"), reasons, "every entry once, oldest first");
    assertEquals(2, pages);
    assertError(400, "VALIDATION_FAILED", http.get("/internal/trust/aura_id/" + person
      + "/moderation-log?cursor=not-a-cursor", moderator));
    assertError(400, "VALIDATION_FAILED", http.get("/internal/trust/aura_id/" + person
      + "/moderation-log?limit=501", moderator));

    List<String> added = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      String domain = "paged" + NAMES.incrementAndGet() + ".example.org";
      ok(http.send(HttpMethod.PUT, "/internal/trust/federation/" + domain, admin, new JsonObject().toBuffer()));
      added.add(domain);
    }
    List<String> listed = new ArrayList<>();
    cursor = null;
    pages = 0;
    do {
      JsonObject page = ok(http.get("/internal/trust/federation?limit=2" + (cursor == null ? "" : "&cursor=" + cursor),
        reader));
      assertTrue(page.getJsonArray("servers").size() <= 2);
      page.getJsonArray("servers").forEach(server -> listed.add(((JsonObject) server).getString("domain")));
      cursor = page.getString("next_cursor");
      pages++;
    } while (cursor != null && pages < 100);
    assertEquals(listed.stream().sorted().distinct().toList(), listed, "by domain, each once");
    assertTrue(listed.containsAll(added), listed.toString());
  }

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
  void an_unknown_server_is_answered_but_never_recorded_and_bad_names_are_refused() {
    int before = ok(http.get("/internal/trust/federation", reader)).getJsonArray("servers").size();
    String domain = "new" + NAMES.incrementAndGet() + ".example.com";
    JsonObject first = ok(http.get("/internal/trust/federation/" + domain + "/check", reader));
    assertTrue(first.getBoolean("allowed"));
    assertEquals("unknown", first.getString("state"));
    assertEquals(600, first.getInteger("requests_per_minute"));
    for (int i = 0; i < 40; i++) {
      assertTrue(ok(http.get("/internal/trust/federation/made-up" + NAMES.incrementAndGet() + ".example.com/check",
        reader)).getBoolean("allowed"));
    }
    assertEquals(before, ok(http.get("/internal/trust/federation", reader)).getJsonArray("servers").size(),
      "asking about 41 unknown names added nothing to the registry");
    HttpResponse<Buffer> bad = http.get("/internal/trust/federation/not_a..domain/check", reader);
    assertError(400, "VALIDATION_FAILED", bad);
    assertEquals("domain", Http.error(bad).getJsonObject("details").getString("field"));
    assertError(404, "FEDERATED_SERVER_NOT_FOUND", http.post("/internal/trust/federation/never" + NAMES.incrementAndGet()
      + ".example.com/unblock", admin, null));
    assertError(403, "FORBIDDEN", http.send(HttpMethod.PUT, "/internal/trust/federation/" + domain, reader,
      new JsonObject().toBuffer()));
  }
}
