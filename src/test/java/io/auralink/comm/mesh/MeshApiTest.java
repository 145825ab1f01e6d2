package io.auralink.comm.mesh;

import io.auralink.comm.node.Node;
import io.auralink.comm.platform.storage.EmbeddedStores;
import io.auralink.comm.testing.Await;
import io.auralink.comm.testing.Http;
import io.auralink.comm.testing.TestNodes;
import io.auralink.comm.testing.Tokens;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Nodes, heartbeats, links, routes, the offline sweep and the external scorer's remembered orders through the HTTP
 * API of one node (all roles: the registry answers whether AuraIDs exist).
 */
class MeshApiTest {

  private static final AtomicInteger NAMES = new AtomicInteger();

  private static Node node;
  private static String databaseUrl;
  private static io.vertx.core.Vertx scorerVertx;
  /** How the external scorer answers: echo (the local order), reverse, or slow (past the timeout). */
  private static volatile String scorerMode = "echo";
  /** The scorer's calls by the query's source AuraID. */
  private static final Map<String, AtomicInteger> scorerCalls = new java.util.concurrent.ConcurrentHashMap<>();
  private static Http http;
  private static Tokens tokens;
  private static Redis redis;
  private static String router;
  private static String operator;
  private static String moderator;
  private static String reader;
  private static String registrar;
  private static String identityAdmin;
  private static String meshAdmin;

  @BeforeAll
  static void startNode() {
    scorerVertx = io.vertx.core.Vertx.vertx();
    int scorerPort = EmbeddedStores.freePort();
    Await.result(scorerVertx.createHttpServer().requestHandler(req -> req.body().onSuccess(body -> {
      JsonArray candidates = body.toJsonObject().getJsonArray("candidates");
      scorerCalls.computeIfAbsent(body.toJsonObject().getJsonObject("query").getString("source_aura_id"),
        k -> new AtomicInteger()).incrementAndGet();
      JsonArray order = new JsonArray();
      for (int k = 0; k < candidates.size(); k++) {
        order.add("reverse".equals(scorerMode) ? candidates.size() - 1 - k : k);
      }
      long delay = "slow".equals(scorerMode) ? 1000 : 1;
      scorerVertx.setTimer(delay, id -> req.response().putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("order", order).encode()));
    })).listen(scorerPort, "127.0.0.1"));
    Map<String, String> settings = TestNodes.settings("mesh");
    settings.put("AURALINK_MESH_SCORER_URL", "http://127.0.0.1:" + scorerPort + "/rank");
    databaseUrl = settings.get("AURALINK_DATABASE_URL");
    settings.put("AURALINK_MESH_OFFLINE_AFTER", "1500ms");
    settings.put("AURALINK_MESH_SWEEP_INTERVAL", "200ms");
    settings.put("AURALINK_MESH_FLUSH_INTERVAL", "100ms");
    settings.put("AURALINK_MESH_SERVICE_REPORT_INTERVAL", "300ms");
    settings.put("AURALINK_MESH_REGIONS", "eu-west:53.35:-6.26,us-east:39.04:-77.49");
    node = TestNodes.start(settings);
    http = new Http(node.vertx(), Integer.parseInt(settings.get("AURALINK_HTTP_PORT")));
    tokens = new Tokens(node.vertx());
    redis = Redis.createClient(node.vertx(), settings.get("AURALINK_REDIS_URL"));
    router = tokens.hs256(Tokens.service("calls", "mesh:route"));
    operator = tokens.hs256(Tokens.service("ops", "mesh:write", "mesh:read"));
    moderator = tokens.hs256(Tokens.service("console", "trust:moderate"));
    reader = tokens.hs256(Tokens.service("dash", "mesh:read"));
    registrar = tokens.hs256(Tokens.service("dashboard", "identity:write"));
    identityAdmin = tokens.hs256(Tokens.service("ops", "identity:admin"));
    meshAdmin = tokens.hs256(Tokens.service("ops", "mesh:admin"));
    register("relays");
  }

  @AfterAll
  static void stopNode() {
    redis.close();
    http.close();
    TestNodes.stop(node);
    Await.result(scorerVertx.close());
  }

  private static double sqlDouble(String query) {
    try (java.sql.Connection c = io.auralink.comm.testing.TestStores.jdbc(databaseUrl);
         java.sql.Statement st = c.createStatement(); java.sql.ResultSet rs = st.executeQuery(query)) {
      assertTrue(rs.next(), query);
      return rs.getDouble(1);
    } catch (java.sql.SQLException e) {
      throw new AssertionError(e);
    }
  }

  /** A new person registered in the identity registry; answers their AuraID. */
  private static String person() {
    return register("m_" + NAMES.incrementAndGet());
  }

  private static String register(String username) {
    return register(username, "public");
  }

  private static String register(String username, String privacy) {
    return ok(http.post("/internal/auraid", registrar, new JsonObject().put("username", username)
      .put("user_id", "acct-" + username).put("privacy_level", privacy)), 201).getString("aura_id");
  }

  /** An AuraID nobody registered. */
  private static String stranger() {
    return "@nobody_" + NAMES.incrementAndGet() + ".aura";
  }

  private static int scorerCallsFor(String source) {
    return scorerCalls.getOrDefault(source, new AtomicInteger()).get();
  }

  private static void beat(String owner, String... nodeIds) {
    for (String id : nodeIds) {
      ok(http.post("/internal/mesh/nodes/" + id + "/heartbeat", user(owner), null), 200);
    }
  }

  private static String user(String auraId) {
    return tokens.hs256(Tokens.user(auraId));
  }

  private static JsonObject ok(HttpResponse<Buffer> response, int status) {
    assertEquals(status, response.statusCode(), response.bodyAsString());
    return response.bodyAsJsonObject();
  }

  /** A person registers a device; answers its node id. */
  private static String device(String owner, String nat, String... capabilities) {
    JsonObject body = new JsonObject().put("device_id", "dev-" + NAMES.incrementAndGet()).put("address", "198.51.100.7:4000")
      .put("nat_type", nat).put("region", "eu-west");
    if (capabilities.length > 0) {
      body.put("capabilities", new JsonArray(List.of(capabilities)));
    }
    return ok(http.post("/internal/mesh/nodes", user(owner), body), 201).getString("node_id");
  }

  /** An operator registers a trusted public relay; answers its node id. */
  private static String relay(String nat) {
    String id = ok(http.post("/internal/mesh/nodes", operator, new JsonObject().put("aura_id", "@relays.aura")
      .put("device_id", "relay-" + NAMES.incrementAndGet()).put("address", "203.0.113.9:3478").put("node_type", "relay")
      .put("nat_type", nat).put("bandwidth_mbps", 1000).put("max_connections", 500)), 201).getString("node_id");
    // Trust 75 (document verification) makes it eligible as a relay.
    Await.result(io.auralink.comm.trust.TrustService.proxy(node.vertx(), 5000).recordVerification("mesh_node", id,
      "document", io.auralink.comm.platform.Caller.service("verification", java.util.Set.of("trust:write"))));
    Await.until(Duration.ofSeconds(5), "trust to reach the graph", () -> ok(http.get("/internal/mesh/nodes/" + id, reader), 200)
      .getDouble("trust_score") == 75.0);
    return id;
  }

  private static void links(String from, String owner, Object... toAndRtt) {
    JsonArray links = new JsonArray();
    for (int k = 0; k < toAndRtt.length; k += 2) {
      links.add(new JsonObject().put("to", toAndRtt[k]).put("rtt_ms", toAndRtt[k + 1]).put("jitter_ms", 1));
    }
    ok(http.post("/internal/mesh/nodes/" + from + "/links", owner == null ? operator : user(owner),
      new JsonObject().put("links", links)), 200);
  }

  private static JsonObject route(String a, String b) {
    return ok(http.post("/internal/mesh/routes", router, new JsonObject().put("source_aura_id", a)
      .put("destination_aura_id", b).put("media_type", "audio_video")), 200);
  }

  // ---- nodes ------------------------------------------------------------------------------------------------

  @Test
  void a_person_registers_reads_updates_and_removes_their_own_devices_only() {
    String alice = person();
    String bob = person();
    JsonObject body = new JsonObject().put("device_id", "phone").put("address", "192.0.2.1:5000").put("nat_type", "symmetric");
    JsonObject created = ok(http.post("/internal/mesh/nodes", user(alice), body), 201);
    assertTrue(created.getBoolean("created"));
    assertTrue(created.getBoolean("online"));
    assertEquals(alice, created.getString("aura_id"));
    String id = created.getString("node_id");
    JsonObject again = ok(http.post("/internal/mesh/nodes", user(alice), body.copy().put("nat_type", "full_cone")), 200);
    assertEquals(id, again.getString("node_id"), "the same device keeps its node id");
    assertEquals("full_cone", again.getString("nat_type"));

    assertEquals(1, ok(http.get("/internal/mesh/nodes?aura_id=" + alice, user(alice)), 200).getJsonArray("nodes").size());
    assertEquals(1, ok(http.get("/internal/mesh/nodes/" + alice, reader), 200).getJsonArray("nodes").size(),
      "the original's GET /internal/mesh/nodes/{aura_id}");
    assertEquals(404, http.get("/internal/mesh/nodes/" + id, user(bob)).statusCode());
    HttpResponse<Buffer> othersNodes = http.get("/internal/mesh/nodes?aura_id=" + alice, user(bob));
    assertEquals(403, othersNodes.statusCode());
    assertEquals("aura_id", Http.error(othersNodes).getJsonObject("details").getString("field"));
    assertEquals(404, http.send(HttpMethod.PATCH, "/internal/mesh/nodes/" + id, user(bob),
      new JsonObject().put("region", "us-east").toBuffer()).statusCode());
    JsonObject updated = ok(http.send(HttpMethod.PATCH, "/internal/mesh/nodes/" + id, user(alice),
      new JsonObject().put("region", "us-east").put("latitude", 40.7).put("longitude", -74.0).toBuffer()), 200);
    assertEquals("us-east", updated.getString("region"));
    assertEquals(40.7, updated.getDouble("latitude"));

    HttpResponse<Buffer> bad = http.post("/internal/mesh/nodes", user(alice), new JsonObject().put("device_id", "x y")
      .put("address", "h:1"));
    assertEquals(400, bad.statusCode());
    assertEquals("device_id", Http.error(bad).getJsonObject("details").getString("field"));
    HttpResponse<Buffer> half = http.post("/internal/mesh/nodes", user(alice), new JsonObject().put("device_id", "tab")
      .put("address", "h:1").put("latitude", 10));
    assertEquals("latitude", Http.error(half).getJsonObject("details").getString("field"));

    ok(http.send(HttpMethod.DELETE, "/internal/mesh/nodes/" + id, user(alice), null), 200);
    assertEquals(404, http.get("/internal/mesh/nodes/" + id, user(alice)).statusCode());
  }

  @Test
  void the_original_registration_path_still_works() {
    String carol = person();
    JsonObject node = ok(http.post("/internal/mesh/register_node", user(carol), new JsonObject()
      .put("node_address", "198.51.100.20:7000").put("node_type", "peer").put("supports_aic", true)
      .put("nat_type", "public")), 201);
    assertTrue(node.getJsonArray("capabilities").contains("aic"));
    assertEquals(carol, node.getString("aura_id"));
  }

  @Test
  void a_person_cannot_register_a_node_for_someone_else_on_either_path() {
    String carol = person();
    String dave = person();
    for (String path : List.of("/internal/mesh/nodes", "/internal/mesh/register_node")) {
      JsonObject body = new JsonObject().put("aura_id", dave).put("device_id", "dev-" + NAMES.incrementAndGet())
        .put("node_address", "198.51.100.30:7000").put("address", "198.51.100.30:7000");
      if (path.endsWith("register_node")) {
        body.remove("address");
      } else {
        body.remove("node_address");
      }
      int carolsBefore = ok(http.get("/internal/mesh/nodes?aura_id=" + carol, reader), 200).getJsonArray("nodes").size();
      HttpResponse<Buffer> refused = http.post(path, user(carol), body);
      assertEquals(403, refused.statusCode(), path + ": " + refused.bodyAsString());
      assertEquals("FORBIDDEN", Http.error(refused).getString("code"));
      assertEquals("aura_id", Http.error(refused).getJsonObject("details").getString("field"));
      assertEquals(0, ok(http.get("/internal/mesh/nodes?aura_id=" + dave, reader), 200).getJsonArray("nodes").size(),
        "nothing registered for dave by " + path);
      assertEquals(carolsBefore, ok(http.get("/internal/mesh/nodes?aura_id=" + carol, reader), 200)
        .getJsonArray("nodes").size(), "nothing registered for carol either by " + path);

      // Naming oneself, in any case, is fine.
      JsonObject own = ok(http.post(path, user(carol), body.copy().put("aura_id", carol.toUpperCase(java.util.Locale.ROOT))
        .put("device_id", "own-" + NAMES.incrementAndGet())), 201);
      assertEquals(carol, own.getString("aura_id"));
    }
  }

  @Test
  void a_node_is_registered_only_for_an_auraid_that_exists() {
    String nobody = stranger();
    HttpResponse<Buffer> forService = http.post("/internal/mesh/nodes", operator, new JsonObject().put("aura_id", nobody)
      .put("device_id", "relay-x").put("address", "203.0.113.50:3478"));
    assertEquals(404, forService.statusCode(), forService.bodyAsString());
    assertEquals("AURAID_NOT_FOUND", Http.error(forService).getString("code"));
    assertEquals("aura_id", Http.error(forService).getJsonObject("details").getString("field"));
    HttpResponse<Buffer> ownToken = http.post("/internal/mesh/register_node", user(nobody), new JsonObject()
      .put("node_address", "198.51.100.40:7000"));
    assertEquals(404, ownToken.statusCode(), "a token for an AuraID that does not exist: " + ownToken.bodyAsString());
    assertEquals("AURAID_NOT_FOUND", Http.error(ownToken).getString("code"));
    assertEquals(0, ok(http.get("/internal/mesh/nodes?aura_id=" + nobody, reader), 200).getJsonArray("nodes").size());
  }

  @Test
  void an_auraid_in_any_case_names_the_same_person() {
    String erin = person();
    String shouted = erin.toUpperCase(java.util.Locale.ROOT);
    JsonObject created = ok(http.post("/internal/mesh/nodes", operator, new JsonObject().put("aura_id", shouted)
      .put("device_id", "desk").put("address", "192.0.2.9:5000").put("nat_type", "public")), 201);
    assertEquals(erin, created.getString("aura_id"), "stored in lower case");
    assertEquals(1, ok(http.get("/internal/mesh/nodes?aura_id=" + shouted, reader), 200).getJsonArray("nodes").size());
    String frank = person();
    device(frank, "full_cone");
    JsonObject route = ok(http.post("/internal/mesh/routes", router, new JsonObject().put("source_aura_id", shouted)
      .put("destination_aura_id", frank.toUpperCase(java.util.Locale.ROOT))), 200);
    assertEquals(erin, route.getString("source_aura_id"));
    assertEquals(1, route.getInteger("tier"), route.encodePrettily());
  }

  // ---- routes -----------------------------------------------------------------------------------------------

  @Test
  void routes_go_direct_through_a_relay_or_central_and_answer_why() {
    String alice = person();
    String bob = person();
    String carol = person();
    String a1 = device(alice, "full_cone");
    String b1 = device(bob, "symmetric");
    JsonObject direct = route(alice, bob);
    assertEquals(1, direct.getInteger("tier"), direct.encodePrettily());
    assertEquals(List.of(a1, b1), direct.getJsonArray("path").getList());
    assertNotNull(direct.getString("route_id"));
    assertFalse(direct.getJsonArray("reasons").isEmpty());
    assertTrue(direct.getJsonObject("predicted").getDouble("mos") > 3.6);

    String c1 = device(carol, "symmetric");
    String r = relay("public");
    links(c1, carol, r, 30);
    links(r, null, b1, 30);
    JsonObject relayed = route(carol, bob);
    assertEquals(2, relayed.getInteger("tier"), relayed.encodePrettily());
    assertEquals(List.of(c1, r, b1), relayed.getJsonArray("path").getList());
    assertEquals(List.of(r), relayed.getJsonArray("relays").getList());

    String dave = person();
    device(dave, "symmetric", "audio");
    JsonObject central = route(dave, bob);
    assertEquals(4, central.getInteger("tier"), "dave's only device has no video: " + central.encodePrettily());
    assertTrue(central.getJsonArray("path").getString(0).startsWith("central:"));

    JsonObject seed = ok(http.post("/internal/mesh/route/query", router, new JsonObject().put("source_aura_id", alice)
      .put("destination_aura_id", bob)), 200);
    assertEquals("direct", seed.getString("route_type"));
    JsonObject readme = ok(http.post("/internal/routing/query", router, new JsonObject().put("source_aura_id", alice)
      .put("destination_aura_id", bob).put("media_type", "audio_video").put("require_aic", false)), 200);
    assertEquals("direct", readme.getString("route_type"), "the original README's path: " + readme.encodePrettily());
    assertEquals(List.of(a1, b1), readme.getJsonArray("path").getList());
    assertEquals(403, http.post("/internal/routing/query", reader, new JsonObject().put("source_aura_id", alice)
      .put("destination_aura_id", bob)).statusCode());
    assertEquals(400, http.post("/internal/routing/query", router, new JsonObject().put("source_aura_id", alice))
      .statusCode());
    assertEquals(403, http.post("/internal/mesh/routes", reader, new JsonObject().put("source_aura_id", alice)
      .put("destination_aura_id", bob)).statusCode());
    HttpResponse<Buffer> same = http.post("/internal/mesh/routes", router, new JsonObject().put("source_aura_id", alice)
      .put("destination_aura_id", alice));
    assertEquals("destination_aura_id", Http.error(same).getJsonObject("details").getString("field"));
  }

  /** Two people behind symmetric NATs and a trusted relay both have measured: they need it. */
  private record RelayedPair(String alice, String bob, String a1, String b1, String relay) {
  }

  private static RelayedPair relayedPair() {
    String alice = person();
    String bob = person();
    String a1 = device(alice, "symmetric");
    String b1 = device(bob, "symmetric");
    String r = relay("public");
    links(a1, alice, r, 20);
    links(r, null, b1, 20);
    return new RelayedPair(alice, bob, a1, b1, r);
  }

  @Test
  void every_answer_is_computed_with_a_route_id_of_its_own_and_each_records_its_outcome() {
    RelayedPair p = relayedPair();
    JsonObject first = route(p.alice(), p.bob());
    JsonObject second = route(p.alice(), p.bob());
    assertEquals(first.getJsonArray("path"), second.getJsonArray("path"), "the same graph gives the same route");
    assertFalse(first.getString("route_id").equals(second.getString("route_id")),
      "two calls between the same two people are two routes");
    for (JsonObject call : List.of(first, second)) {
      ok(http.post("/internal/mesh/routes/" + call.getString("route_id") + "/outcome", router,
        new JsonObject().put("rtt_ms", 45).put("loss", 0.0)), 200);
    }
    assertEquals(2.0, sqlDouble("SELECT count(*) FROM mesh_routes WHERE route_id IN ('" + first.getString("route_id")
      + "', '" + second.getString("route_id") + "') AND outcome IS NOT NULL"));
    assertTrue(Await.result(redis.send(Request.cmd(Command.KEYS).arg("mesh:route*"))).size() == 0,
      "route answers are not kept in Redis");
  }

  @Test
  void a_relay_that_was_suspended_is_not_chosen_on_the_next_query() {
    RelayedPair p = relayedPair();
    assertEquals(List.of(p.relay()), route(p.alice(), p.bob()).getJsonArray("relays").getList());
    ok(http.post("/internal/trust/mesh_node/" + p.relay() + "/suspend", moderator, new JsonObject().put("reason", "abuse")), 200);
    Await.until(Duration.ofSeconds(5), "the suspended relay to leave the route",
      () -> !route(p.alice(), p.bob()).getJsonArray("path").contains(p.relay()));
  }

  // ---- node trust: earned and vouched ------------------------------------------------------------------------

  /** A person's own relay (a home box) with links measured to two people who both need a relay. */
  private record PeerRelay(String alice, String bob, String relay) {
  }

  private static PeerRelay peerRelay() {
    String carol = person();
    String relay = ok(http.post("/internal/mesh/nodes", user(carol), new JsonObject()
      .put("device_id", "home-box-" + NAMES.incrementAndGet()).put("address", "198.51.100.20:3478")
      .put("node_type", "relay").put("nat_type", "public").put("region", "eu-west").put("bandwidth_mbps", 100)
      .put("max_connections", 20)), 201).getString("node_id");
    String alice = person();
    String bob = person();
    String a1 = device(alice, "symmetric");
    String b1 = device(bob, "symmetric");
    links(a1, alice, relay, 20);
    links(relay, carol, b1, 20);
    return new PeerRelay(alice, bob, relay);
  }

  private static double graphTrust(String nodeId) {
    return ok(http.get("/internal/mesh/nodes/" + nodeId, reader), 200).getDouble("trust_score");
  }

  /** An hour of service beating every 30 s, as the mesh reports it to the trust domain. */
  private static JsonObject hourOfService(String nodeId) {
    return Await.result(io.auralink.comm.trust.TrustService.proxy(node.vertx(), 5000).recordNodeService(nodeId,
      new JsonObject().put("online_seconds", 3600).put("beats_on_time", 120),
      io.auralink.comm.platform.Caller.service("mesh", java.util.Set.of("trust:write"))));
  }

  @Test
  void a_well_behaved_peer_relay_earns_relay_trust_after_a_day_of_service_and_is_then_chosen() {
    PeerRelay p = peerRelay();
    assertFalse(route(p.alice(), p.bob()).getJsonArray("path").contains(p.relay()), "trust 50 does not relay");
    JsonObject trust = null;
    for (int hour = 1; hour <= 23; hour++) {
      trust = hourOfService(p.relay());
    }
    assertEquals(59.58, trust.getDouble("score"), 1e-9, trust.encodePrettily());
    assertEquals(50.0, trust.getJsonObject("components").getJsonObject("node").getDouble("owner"));
    Await.until(Duration.ofSeconds(5), "the earned trust to reach the graph", () -> graphTrust(p.relay()) == 59.58);
    assertFalse(route(p.alice(), p.bob()).getJsonArray("path").contains(p.relay()), "after 23 hours, not yet");
    assertEquals(60.0, hourOfService(p.relay()).getDouble("score"));
    Await.until(Duration.ofSeconds(5), "the relay to be chosen after 24 hours",
      () -> route(p.alice(), p.bob()).getJsonArray("relays").getList().equals(List.of(p.relay())));
  }

  @Test
  void heartbeats_and_relayed_calls_become_the_node_s_service_record() {
    RelayedPair p = relayedPair();
    ok(http.post("/internal/mesh/nodes/" + p.relay() + "/heartbeat", operator, null), 200);
    // The next flush stores the beat; a beat after it is on time.
    Await.until(Duration.ofSeconds(5), "the first beat to be stored", () -> {
      ok(http.post("/internal/mesh/nodes/" + p.relay() + "/heartbeat", operator, null), 200);
      return sqlDouble("SELECT COALESCE((SELECT beats_on_time FROM trust_node_records WHERE node_id = '"
        + p.relay() + "'), 0)") >= 1;
    });
    assertTrue(sqlDouble("SELECT online_seconds FROM trust_node_records WHERE node_id = '" + p.relay() + "'") > 0);
    JsonObject route = route(p.alice(), p.bob());
    ok(http.post("/internal/mesh/routes/" + route.getString("route_id") + "/outcome", router,
      new JsonObject().put("rtt_ms", 45).put("jitter_ms", 2).put("loss", 0.0)), 200);
    Await.until(Duration.ofSeconds(5), "the relayed call to be recorded", () -> sqlDouble(
      "SELECT relayed_good FROM trust_node_records WHERE node_id = '" + p.relay() + "'") == 1);
  }

  @Test
  void the_mesh_reports_many_nodes_service_in_one_request_and_unknown_nodes_are_named() {
    String r1 = relay("public");
    String r2 = relay("public");
    String missing = java.util.UUID.randomUUID().toString();
    io.auralink.comm.trust.TrustService trust = io.auralink.comm.trust.TrustService.proxy(node.vertx(), 5000);
    io.auralink.comm.platform.Caller mesh = io.auralink.comm.platform.Caller.service("mesh",
      java.util.Set.of("trust:write"));
    JsonObject hour = new JsonObject().put("online_seconds", 3600).put("beats_on_time", 120);
    JsonObject answer = Await.result(trust.recordNodeServices(new JsonObject().put(r1, hour).put(r2, hour.copy()
      .put("relayed_good", 2)).put(missing, hour), mesh));
    assertEquals(java.util.Set.of(r1, r2), java.util.Set.copyOf(answer.getJsonArray("recorded").getList()));
    assertEquals(List.of(missing), answer.getJsonArray("unknown").getList());
    assertEquals(2, sqlDouble("SELECT relayed_good FROM trust_node_records WHERE node_id = '" + r2 + "'"));
    assertEquals(3600, sqlDouble("SELECT online_seconds FROM trust_node_records WHERE node_id = '" + r1 + "'"));
    Throwable bad = Await.failure(trust.recordNodeServices(new JsonObject().put(r1, hour)
      .put(r2, new JsonObject().put("beats_late", -1)), mesh));
    assertTrue(bad.getMessage().contains("beats_late"), bad.getMessage());
    assertEquals(3600, sqlDouble("SELECT online_seconds FROM trust_node_records WHERE node_id = '" + r1 + "'"),
      "a malformed record fails the whole request before any is applied");
  }

  @Test
  void an_operator_with_mesh_admin_vouches_for_an_infrastructure_relay_in_the_moderation_log() {
    String relay = relay("public");
    String path = "/internal/mesh/nodes/" + relay + "/trust";
    JsonObject vouch = new JsonObject().put("trust", 90).put("reason", "edge server in our rack");
    assertEquals(403, http.send(HttpMethod.PUT, path, operator, vouch.toBuffer()).statusCode(), "mesh:write is not enough");
    HttpResponse<Buffer> tooHigh = http.send(HttpMethod.PUT, path, meshAdmin, vouch.copy().put("trust", 150).toBuffer());
    assertEquals(400, tooHigh.statusCode(), tooHigh.bodyAsString());
    assertTrue(tooHigh.bodyAsString().contains("trust"), tooHigh.bodyAsString());

    JsonObject vouched = ok(http.send(HttpMethod.PUT, path, meshAdmin, vouch.toBuffer()), 200);
    assertEquals(90.0, vouched.getDouble("score"), "the vouched trust, whatever verifications add");
    assertTrue(vouched.getJsonObject("components").getJsonObject("node").getBoolean("vouched"));
    Await.until(Duration.ofSeconds(5), "the vouched trust to reach the graph", () -> graphTrust(relay) == 90.0);
    JsonArray log = ok(http.get("/internal/trust/mesh_node/" + relay + "/moderation-log", moderator), 200)
      .getJsonArray("entries");
    assertTrue(log.stream().map(JsonObject.class::cast).anyMatch(e -> "vouch_node".equals(e.getString("action"))
      && e.getString("reason").contains("edge server in our rack")), log.encodePrettily());

    JsonObject withdrawn = ok(http.send(HttpMethod.PUT, path, meshAdmin,
      new JsonObject().putNull("trust").put("reason", "moved to a partner").toBuffer()), 200);
    assertEquals(75.0, withdrawn.getDouble("score"), "its own record (and verification) count again");

    String alice = person();
    HttpResponse<Buffer> peer = http.send(HttpMethod.PUT, "/internal/mesh/nodes/" + device(alice, "full_cone") + "/trust",
      meshAdmin, vouch.toBuffer());
    assertEquals(409, peer.statusCode(), peer.bodyAsString());
    assertEquals("NODE_NOT_INFRASTRUCTURE", peer.bodyAsJsonObject().getJsonObject("error").getString("code"));
  }

  @Test
  void nodes_learn_their_own_quality_from_heartbeats_link_reports_and_outcomes_and_keep_it_in_postgresql() {
    RelayedPair p = relayedPair();
    JsonObject before = ok(http.get("/internal/mesh/nodes/" + p.relay(), reader), 200).getJsonObject("quality");
    assertEquals(0, before.getLong("relay_samples"));
    ok(http.post("/internal/mesh/nodes/" + p.a1() + "/heartbeat", user(p.alice()),
      new JsonObject().put("access_jitter_ms", 30).put("access_loss", 0.05)), 200);
    Await.until(Duration.ofSeconds(5), "the device's access to be learned from its beat", () -> ok(http.get(
      "/internal/mesh/nodes/" + p.a1(), reader), 200).getJsonObject("quality").getLong("access_samples") >= 1);
    // Links measured at 20 ms and 1 ms of jitter; the call through the relay had 40 ms of jitter and 10 % loss.
    JsonObject route = route(p.alice(), p.bob());
    ok(http.post("/internal/mesh/routes/" + route.getString("route_id") + "/outcome", router,
      new JsonObject().put("rtt_ms", 45).put("jitter_ms", 40).put("loss", 0.1)), 200);
    JsonObject relay = ok(http.get("/internal/mesh/nodes/" + p.relay(), reader), 200).getJsonObject("quality");
    assertEquals(1, relay.getLong("relay_samples"));
    assertTrue(relay.getDouble("relay_jitter_ms") > 0 && relay.getDouble("relay_loss") > 0, relay.encode());
    assertEquals(relay.getDouble("relay_loss"), sqlDouble("SELECT (quality->>'relay_loss')::float8 FROM mesh_nodes"
      + " WHERE node_id = '" + p.relay() + "'"), 1e-12, "kept for a full-cluster restart");
  }

  @Test
  void a_heartbeat_s_access_quality_is_validated() {
    RelayedPair p = relayedPair();
    HttpResponse<Buffer> bad = http.post("/internal/mesh/nodes/" + p.a1() + "/heartbeat", user(p.alice()),
      new JsonObject().put("access_loss", 2));
    assertEquals(400, bad.statusCode(), bad.bodyAsString());
    assertTrue(bad.bodyAsString().contains("access_loss"), bad.bodyAsString());
  }

  @Test
  void a_relay_that_was_removed_is_not_chosen_on_the_next_query() {
    RelayedPair p = relayedPair();
    assertEquals(List.of(p.relay()), route(p.alice(), p.bob()).getJsonArray("relays").getList());
    ok(http.send(HttpMethod.DELETE, "/internal/mesh/nodes/" + p.relay(), operator, null), 200);
    JsonObject after = route(p.alice(), p.bob());
    assertFalse(after.getJsonArray("path").contains(p.relay()), after.encodePrettily());
  }

  @Test
  void the_external_scorer_may_re_rank_and_its_silence_leaves_the_local_order() {
    String alice = person();
    String bob = person();
    String a1 = device(alice, "full_cone");
    String b1 = device(bob, "symmetric");
    JsonObject local = route(alice, bob);
    assertEquals(List.of(a1, b1), local.getJsonArray("path").getList());
    assertTrue(local.getJsonArray("reasons").contains("re-ranked by the external scorer"), local.encode());
    JsonObject fallback = local.getJsonArray("alternatives").getJsonObject(local.getJsonArray("alternatives").size() - 1);
    try {
      scorerMode = "reverse";
      JsonObject reranked = ok(http.post("/internal/mesh/routes", router, new JsonObject().put("source_aura_id", alice)
        .put("destination_aura_id", bob).put("current_path", new JsonArray().add(a1).add(b1))), 200);
      assertEquals(fallback.getJsonArray("path"), reranked.getJsonArray("path"), reranked.encodePrettily());
      scorerMode = "slow";
      // Another query (a hop limit of its own): the reversed order above is remembered for that one.
      JsonObject slow = ok(http.post("/internal/mesh/routes", router, new JsonObject().put("source_aura_id", alice)
        .put("destination_aura_id", bob).put("max_hops", 2).put("current_path", new JsonArray().add(a1).add(b1))), 200);
      assertEquals(List.of(a1, b1), slow.getJsonArray("path").getList());
      assertTrue(slow.getJsonArray("reasons").stream().anyMatch(r -> String.valueOf(r).startsWith(
        "external scorer unavailable")), slow.encode());
    } finally {
      scorerMode = "echo";
    }
  }

  @Test
  void the_scorer_is_asked_once_for_a_repeated_query_and_again_after_a_candidate_changed() {
    String alice = person();
    String bob = person();
    String a1 = device(alice, "full_cone");
    String b1 = device(bob, "symmetric");
    beat(alice, a1);
    beat(bob, b1);
    JsonObject first = route(alice, bob);
    assertEquals(1, scorerCallsFor(alice), first.encodePrettily());
    beat(alice, a1);
    beat(bob, b1);
    JsonObject again = route(alice, bob);
    assertEquals(1, scorerCallsFor(alice), "a repeated query on the same graph does not wait for the scorer again");
    assertEquals(first.getJsonArray("path"), again.getJsonArray("path"));
    assertTrue(again.getJsonArray("reasons").stream().anyMatch(r -> String.valueOf(r).contains("remembered")),
      again.encode());

    ok(http.send(HttpMethod.PATCH, "/internal/mesh/nodes/" + a1, user(alice),
      new JsonObject().put("region", "us-east").toBuffer()), 200);
    beat(bob, b1);
    route(alice, bob);
    assertEquals(2, scorerCallsFor(alice), "a candidate node changed: the scorer is asked again");
  }

  @Test
  void a_route_names_the_party_that_does_not_exist_and_a_party_without_devices_goes_central() {
    String alice = person();
    device(alice, "full_cone");
    for (String[] query : new String[][] {
      {stranger(), alice, "source_aura_id"}, {alice, stranger(), "destination_aura_id"}}) {
      for (String path : List.of("/internal/mesh/routes", "/internal/routing/query")) {
        HttpResponse<Buffer> unknown = http.post(path, router, new JsonObject().put("source_aura_id", query[0])
          .put("destination_aura_id", query[1]));
        assertEquals(404, unknown.statusCode(), path + ": " + unknown.bodyAsString());
        assertEquals("AURAID_NOT_FOUND", Http.error(unknown).getString("code"));
        assertEquals(query[2], Http.error(unknown).getJsonObject("details").getString("field"));
      }
    }
    String deviceless = person();
    JsonObject central = route(alice, deviceless.toUpperCase(java.util.Locale.ROOT));
    assertEquals(4, central.getInteger("tier"), central.encodePrettily());
    assertEquals(deviceless, central.getString("destination_aura_id"), "AuraIDs are read in any case");
  }

  // ---- identity state and privacy -----------------------------------------------------------------------------

  /** What an owner's AuraID went through, and how it comes back. */
  private enum OwnerState {
    DEACTIVATED, SUSPENDED, UNREGISTERED
  }

  private static void change(OwnerState state, String owner, boolean back) {
    HttpResponse<Buffer> done = switch (state) {
      case DEACTIVATED -> back ? http.post("/internal/auraid/" + owner + "/reactivate", identityAdmin, null)
        : http.send(HttpMethod.DELETE, "/internal/auraid/" + owner, user(owner), null);
      case SUSPENDED -> http.post("/internal/trust/aura_id/" + owner + (back ? "/unsuspend" : "/suspend"), moderator,
        new JsonObject().put("reason", "test"));
      case UNREGISTERED -> throw new IllegalStateException("nothing to change");
    };
    assertEquals(200, done.statusCode(), done.bodyAsString());
  }

  private static HttpResponse<Buffer> routeResponse(String source, String destination) {
    return http.post("/internal/mesh/routes", router, new JsonObject().put("source_aura_id", source)
      .put("destination_aura_id", destination));
  }

  private static JsonObject errorWithoutRequestId(HttpResponse<Buffer> response) {
    JsonObject error = Http.error(response).copy();
    error.remove("request_id");
    return error;
  }

  /** A route refused exactly as for an AuraID nobody registered, naming the same field. */
  private static void routedLikeUnknown(String source, String destination, String field) {
    HttpResponse<Buffer> refused = routeResponse(source, destination);
    assertEquals(404, refused.statusCode(), refused.bodyAsString());
    assertEquals(field, Http.error(refused).getJsonObject("details").getString("field"));
    String nobody = stranger();
    HttpResponse<Buffer> unknown = field.equals("source_aura_id") ? routeResponse(nobody, destination)
      : routeResponse(source, nobody);
    JsonObject expected = errorWithoutRequestId(unknown);
    expected.put("message", expected.getString("message").replace(nobody, field.equals("source_aura_id") ? source
      : destination));
    assertEquals(expected, errorWithoutRequestId(refused), "the same answer as for an unknown AuraID");
  }

  private static JsonObject newDevice(String nat) {
    return new JsonObject().put("device_id", "dev-" + NAMES.incrementAndGet()).put("address", "198.51.100.8:4000")
      .put("nat_type", nat);
  }

  @ParameterizedTest(name = "an owner who is {0}")
  @EnumSource(OwnerState.class)
  void an_owner_who_is_not_active_cannot_register_beat_report_links_or_be_routed_until_active_again(OwnerState state) {
    String peer = person();
    String p1 = device(peer, "full_cone");
    String owner = state == OwnerState.UNREGISTERED ? stranger() : person();
    // The owner's two devices, registered while they were active.
    List<String> owned = state == OwnerState.UNREGISTERED ? List.of()
      : List.of(device(owner, "full_cone"), device(owner, "public"));
    if (state != OwnerState.UNREGISTERED) {
      assertTrue(owned.contains(route(peer, owner).getJsonArray("path").getString(1)));
      change(state, owner, false);
    }
    // Every node of the owner leaves routing: queries either way answer as for an unknown AuraID.
    Await.until(Duration.ofSeconds(5), "the owner to leave routing", () -> routeResponse(peer, owner).statusCode() == 404);
    routedLikeUnknown(peer, owner, "destination_aura_id");
    routedLikeUnknown(owner, peer, "source_aura_id");

    HttpResponse<Buffer> own = http.post("/internal/mesh/nodes", user(owner), newDevice("public"));
    assertEquals(state == OwnerState.UNREGISTERED ? 404 : 403, own.statusCode(), own.bodyAsString());
    assertEquals(state == OwnerState.UNREGISTERED ? "AURAID_NOT_FOUND" : "FORBIDDEN", Http.error(own).getString("code"));
    assertEquals("aura_id", Http.error(own).getJsonObject("details").getString("field"));
    for (String path : List.of("/internal/mesh/nodes", "/internal/mesh/register_node")) {
      JsonObject body = newDevice("public").put("aura_id", owner);
      if (path.endsWith("register_node")) {
        body.put("node_address", body.remove("address"));
      }
      HttpResponse<Buffer> forThem = http.post(path, operator, body);
      assertEquals(404, forThem.statusCode(), path + ": a service acting for them: " + forThem.bodyAsString());
      assertEquals("AURAID_NOT_FOUND", Http.error(forThem).getString("code"));
      assertEquals("aura_id", Http.error(forThem).getJsonObject("details").getString("field"));
    }
    if (state == OwnerState.UNREGISTERED) {
      assertEquals(0, ok(http.get("/internal/mesh/nodes?aura_id=" + owner, reader), 200).getJsonArray("nodes").size());
      return;
    }
    String node = owned.get(0);
    for (String token : List.of(user(owner), operator)) {
      HttpResponse<Buffer> beat = http.post("/internal/mesh/nodes/" + node + "/heartbeat", token, null);
      assertEquals(403, beat.statusCode(), beat.bodyAsString());
      assertEquals("node_id", Http.error(beat).getJsonObject("details").getString("field"));
      HttpResponse<Buffer> links = http.post("/internal/mesh/nodes/" + node + "/links", token, new JsonObject()
        .put("links", new JsonArray().add(new JsonObject().put("to", p1).put("rtt_ms", 10))));
      assertEquals(403, links.statusCode(), links.bodyAsString());
    }
    for (String id : owned) {
      assertFalse(ok(http.get("/internal/mesh/nodes/" + id, reader), 200).getBoolean("owner_active"), id);
    }
    assertEquals(0.0, sqlDouble("SELECT count(*) FROM mesh_nodes WHERE owner_aura_id = '" + owner
      + "' AND owner_active"), "stored, so that a restart keeps it");

    // Active again: all of their nodes come back (once they beat), and they may register and measure again.
    change(state, owner, true);
    Await.until(Duration.ofSeconds(5), "the owner's nodes to come back", () -> {
      beat(owner, owned.toArray(String[]::new));
      beat(peer, p1);
      JsonObject back = routeResponse(peer, owner).statusCode() == 200 ? route(peer, owner) : null;
      return back != null && back.getInteger("tier") == 1 && owned.contains(back.getJsonArray("path").getString(1));
    });
    assertTrue(ok(http.get("/internal/mesh/nodes/" + owned.get(1), reader), 200).getBoolean("owner_active"));
    assertEquals(201, http.post("/internal/mesh/nodes", user(owner), newDevice("public")).statusCode());
    links(node, owner, p1, 10);
    assertEquals(200, routeResponse(owner, peer).statusCode());
  }

  @Test
  void a_missed_reactivation_is_repaired_by_the_next_heartbeat() {
    String owner = person();
    String node = device(owner, "public");
    change(OwnerState.DEACTIVATED, owner, false);
    Await.until(Duration.ofSeconds(5), "the node to leave routing",
      () -> !ok(http.get("/internal/mesh/nodes/" + node, reader), 200).getBoolean("owner_active"));
    // Reactivated behind the mesh's back: straight in the registry's tables and cache, no event.
    try (java.sql.Connection c = io.auralink.comm.testing.TestStores.jdbc(databaseUrl);
         java.sql.Statement st = c.createStatement()) {
      st.executeUpdate("UPDATE aura_ids SET status = 'active' WHERE aura_id = '" + owner + "'");
    } catch (java.sql.SQLException e) {
      throw new AssertionError(e);
    }
    Await.result(redis.send(Request.cmd(Command.INCR).arg("identity:version:" + owner)));
    ok(http.post("/internal/mesh/nodes/" + node + "/heartbeat", user(owner), null), 200);
    assertTrue(ok(http.get("/internal/mesh/nodes/" + node, reader), 200).getBoolean("owner_active"));
  }

  @Test
  void a_route_needs_a_destination_visible_to_the_source_and_follows_privacy_and_blocks_at_once() {
    String alice = person();
    device(alice, "full_cone");
    String friendsOnly = register("m_fo_" + NAMES.incrementAndGet(), "friends");
    String hermit = register("m_pr_" + NAMES.incrementAndGet(), "private");
    String blocker = person();
    String f1 = device(friendsOnly, "full_cone");
    String h1 = device(hermit, "full_cone");
    String b1 = device(blocker, "full_cone");

    routedLikeUnknown(alice, friendsOnly, "destination_aura_id");
    routedLikeUnknown(alice, hermit, "destination_aura_id");
    assertEquals(200, routeResponse(alice, blocker).statusCode());

    // Friends: the friends-only destination is visible to alice from the next query on.
    ok(http.post("/internal/auraid/" + friendsOnly + "/contacts", user(friendsOnly), new JsonObject()
      .put("contact", alice)), 200);
    ok(http.post("/internal/auraid/" + alice + "/contacts/" + friendsOnly + "/accept", user(alice), null), 200);
    assertTrue(route(alice, friendsOnly).getJsonArray("path").contains(f1));
    // Going public shows the private one; going private again hides it.
    ok(http.send(HttpMethod.PATCH, "/internal/auraid/" + hermit, user(hermit),
      new JsonObject().put("privacy_level", "public").toBuffer()), 200);
    assertTrue(route(alice, hermit).getJsonArray("path").contains(h1));
    ok(http.send(HttpMethod.PATCH, "/internal/auraid/" + hermit, user(hermit),
      new JsonObject().put("privacy_level", "private").toBuffer()), 200);
    routedLikeUnknown(alice, hermit, "destination_aura_id");
    // A block hides the blocker from the blocked (not the other way), until it is lifted.
    ok(http.post("/internal/auraid/" + blocker + "/contacts/" + alice + "/block", user(blocker), null), 200);
    routedLikeUnknown(alice, blocker, "destination_aura_id");
    assertEquals(200, routeResponse(blocker, alice).statusCode());
    ok(http.send(HttpMethod.DELETE, "/internal/auraid/" + blocker + "/contacts/" + alice, user(blocker), null), 200);
    assertTrue(route(alice, blocker).getJsonArray("path").contains(b1));
  }

  @Test
  void a_repeated_query_between_the_same_two_people_stays_in_process() {
    String alice = person();
    String bob = person();
    device(alice, "full_cone");
    device(bob, "full_cone");
    route(alice, bob);
    double hits = visibilityCount("hit");
    double misses = visibilityCount("miss");
    route(alice, bob);
    route(alice, bob);
    assertEquals(hits + 2, visibilityCount("hit"));
    assertEquals(misses, visibilityCount("miss"), "no question to the registry");
  }

  private static double visibilityCount(String result) {
    String prefix = "auralink_mesh_visibility_cache_total{result=\"" + result + "\"} ";
    return http.get("/metrics").bodyAsString().lines().filter(l -> l.startsWith(prefix))
      .mapToDouble(l -> Double.parseDouble(l.substring(prefix.length()))).findFirst().orElse(0);
  }

  @Test
  void a_service_acting_for_a_person_asks_routes_only_from_them() {
    String alice = person();
    String bob = person();
    io.auralink.comm.platform.Caller callsForBob = io.auralink.comm.platform.Caller
      .service("calls", java.util.Set.of(MeshService.ROUTE)).actingAs(bob);
    MeshService mesh = MeshService.proxy(node.vertx(), 5000);
    JsonObject query = new JsonObject().put("source_aura_id", alice).put("destination_aura_id", bob);
    Throwable refused = Await.failure(mesh.route(query, callsForBob));
    assertEquals(403, ((io.vertx.core.eventbus.ReplyException) refused).failureCode(), refused.getMessage());
    assertEquals("source_aura_id", ((io.vertx.serviceproxy.ServiceException) refused).getDebugInfo()
      .getJsonObject("details").getString("field"));
    JsonObject fromBob = Await.result(mesh.route(new JsonObject().put("source_aura_id", bob)
      .put("destination_aura_id", alice), callsForBob));
    assertEquals(4, fromBob.getInteger("tier"), "neither has a device: central");
  }

  @Test
  void a_node_without_heartbeats_goes_offline_even_if_it_never_beat_and_comes_back_with_one() {
    String alice = person();
    String beating = device(alice, "public");
    String silent = device(alice, "public");
    long until = System.currentTimeMillis() + 2500;
    while (System.currentTimeMillis() < until) {
      ok(http.post("/internal/mesh/nodes/" + beating + "/heartbeat", user(alice),
        new JsonObject().put("current_connections", 1)), 200);
      Await.result(io.vertx.core.Future.future(p -> node.vertx().setTimer(200, id -> p.complete())));
    }
    Await.until(Duration.ofSeconds(5), "the silent node to go offline",
      () -> !ok(http.get("/internal/mesh/nodes/" + silent, user(alice)), 200).getBoolean("online"));
    JsonObject alive = ok(http.get("/internal/mesh/nodes/" + beating, user(alice)), 200);
    assertTrue(alive.getBoolean("online"));
    assertEquals(1, alive.getInteger("current_connections"));
    ok(http.post("/internal/mesh/nodes/" + silent + "/heartbeat", user(alice), null), 200);
    Await.until(Duration.ofSeconds(5), "the node to come back online",
      () -> ok(http.get("/internal/mesh/nodes/" + silent, user(alice)), 200).getBoolean("online"));
  }

  @Test
  void a_node_that_went_offline_is_not_chosen_on_the_next_query() {
    String alice = person();
    String bob = person();
    String a1 = device(alice, "full_cone");
    String b1 = device(bob, "symmetric");
    beat(bob, b1);
    assertEquals(1, route(alice, bob).getInteger("tier"));
    // Alice's device keeps beating, Bob's stops: the sweep takes it offline, and the next query goes central.
    Await.until(Duration.ofSeconds(10), "bob's only device to leave the route", () -> {
      beat(alice, a1);
      return route(alice, bob).getInteger("tier") == 4;
    });
    assertFalse(ok(http.get("/internal/mesh/nodes/" + b1, user(bob)), 200).getBoolean("online"));
  }

  @Test
  void node_changes_are_published() {
    List<JsonObject> events = new java.util.concurrent.CopyOnWriteArrayList<>();
    var consumer = node.vertx().eventBus().<JsonObject>consumer(MeshEvents.NODE_CHANGED, m -> events.add(m.body()));
    Await.result(consumer.completion());
    try {
      String carol = person();
      String id = device(carol, "public");
      ok(http.send(HttpMethod.DELETE, "/internal/mesh/nodes/" + id, user(carol), null), 200);
      Await.until(Duration.ofSeconds(5), "registered and removed events", () -> events.stream()
        .filter(e -> id.equals(e.getString("node_id"))).map(e -> e.getString("change")).toList()
        .equals(List.of("registered", "removed")));
    } finally {
      Await.result(consumer.unregister());
    }
  }

  @Test
  void a_relay_no_device_measured_is_offered_near_the_parties_and_its_outcome_teaches_both_legs() {
    String region = "nearby-" + NAMES.incrementAndGet();
    String alice = person();
    String bob = person();
    String a1 = located(alice, region, 48.85, 2.35);
    String b1 = located(bob, region, 50.85, 4.35);
    String r = relay("public");
    ok(http.send(HttpMethod.PATCH, "/internal/mesh/nodes/" + r, operator, new JsonObject()
      .put("region", region).put("latitude", 50.63).put("longitude", 3.06).toBuffer()), 200);
    // No link was ever reported: both legs are the distance model's estimate.
    JsonObject route = route(alice, bob);
    assertEquals(List.of(a1, r, b1), route.getJsonArray("path").getList(), route.encode());
    assertEquals("relay", route.getString("route_type"));
    JsonObject outcome = ok(http.post("/internal/mesh/routes/" + route.getString("route_id") + "/outcome", router,
      new JsonObject().put("rtt_ms", 60).put("jitter_ms", 4).put("loss", 0.01)), 200);
    assertEquals(2, outcome.getInteger("links_updated"));
    for (String[] leg : new String[][] {{a1, r}, {r, b1}}) {
      String a = leg[0].compareTo(leg[1]) < 0 ? leg[0] : leg[1];
      String b = a.equals(leg[0]) ? leg[1] : leg[0];
      assertTrue(sqlDouble("SELECT rtt_ms FROM mesh_links WHERE a = '" + a + "' AND b = '" + b + "'") > 0,
        "the leg is measured now");
    }
    // 30 ms one way against about 20 estimated: the devices learn that their legs are slower than the model.
    double stretch = ok(http.get("/internal/mesh/nodes/" + a1, reader), 200).getJsonObject("quality")
      .getDouble("delay_stretch");
    assertTrue(stretch > 1, "delay_stretch " + stretch);
  }

  /** A person registers a device at a place; answers its node id. */
  private static String located(String owner, String region, double latitude, double longitude) {
    return ok(http.post("/internal/mesh/nodes", user(owner), new JsonObject().put("device_id", "dev-"
      + NAMES.incrementAndGet()).put("address", "198.51.100.7:4000").put("nat_type", "symmetric").put("region", region)
      .put("latitude", latitude).put("longitude", longitude)), 201).getString("node_id");
  }

  @Test
  void route_outcomes_teach_the_links_of_the_path() {
    RelayedPair p = relayedPair();
    String alice = p.alice();
    String bob = p.bob();
    JsonObject route = route(alice, bob);
    JsonObject outcome = ok(http.post("/internal/mesh/routes/" + route.getString("route_id") + "/outcome", router,
      new JsonObject().put("rtt_ms", 400).put("jitter_ms", 10).put("loss", 0.02).put("mos", 2.9)), 200);
    assertEquals(2, outcome.getInteger("links_updated"));
    // 200 ms one way against the 21 believed (two legs of 10, 1 for the relay): the 179 ms surprise is shared
    // equally by two legs measured as often, so each observed a 199 ms round trip, folded in with weight 0.2 into
    // their 20 ms.
    for (String[] leg : new String[][] {{p.a1(), p.relay()}, {p.relay(), p.b1()}}) {
      String a = leg[0].compareTo(leg[1]) < 0 ? leg[0] : leg[1];
      String b = a.equals(leg[0]) ? leg[1] : leg[0];
      assertEquals(55.8, sqlDouble("SELECT rtt_ms FROM mesh_links WHERE a = '" + a + "' AND b = '" + b + "'"), 1e-9);
    }
    assertEquals(404, http.post("/internal/mesh/routes/" + route.getString("route_id") + "/outcome", router,
      new JsonObject().put("rtt_ms", 40)).statusCode(), "an outcome is recorded once");
    JsonObject stats = ok(http.get("/internal/mesh/graph/stats", reader), 200);
    assertTrue(stats.getInteger("links") >= 2);
    assertEquals(1, stats.getInteger("members_holding_graph"));
  }

  @Test
  void graph_stats_count_nodes_by_type() {
    JsonObject stats = ok(http.get("/internal/mesh/graph/stats", reader), 200);
    assertTrue(stats.getJsonObject("online_by_type").containsKey("relay"));
    assertEquals(200, http.get("/internal/mesh/graph/stats", router).statusCode());
    assertEquals(403, http.get("/internal/mesh/graph/stats", moderator).statusCode());
  }
}
