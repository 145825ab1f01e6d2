package io.auralink.comm.mesh;

import io.auralink.comm.node.Node;
import io.auralink.comm.platform.Caller;
import io.auralink.comm.testing.Await;
import io.auralink.comm.testing.Http;
import io.auralink.comm.testing.TestNodes;
import io.auralink.comm.testing.TestStores;
import io.auralink.comm.testing.Tokens;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What keeps the mesh's stored state bounded: a quota of nodes per person, and route outcomes of known fields only. */
class MeshBoundsTest {

  private static final int QUOTA = 3;

  private static Node node;
  private static Http http;
  private static Tokens tokens;
  private static String databaseUrl;
  private static String registrar;
  private static String router;

  @BeforeAll
  static void startNode() {
    Map<String, String> settings = TestNodes.settings("mesh_bounds");
    settings.put("AURALINK_MESH_MAX_NODES_PER_PERSON", String.valueOf(QUOTA));
    databaseUrl = settings.get("AURALINK_DATABASE_URL");
    node = TestNodes.start(settings);
    http = new Http(node.vertx(), Integer.parseInt(settings.get("AURALINK_HTTP_PORT")));
    tokens = new Tokens(node.vertx());
    registrar = tokens.hs256(Tokens.service("dashboard", "identity:write"));
    router = tokens.hs256(Tokens.service("calls", "mesh:route"));
  }

  @AfterAll
  static void stopNode() {
    http.close();
    TestNodes.stop(node);
  }

  private static HttpResponse<Buffer> registerNode(String owner, String device) {
    return http.post("/internal/mesh/nodes", tokens.hs256(Tokens.user(owner)),
      new JsonObject().put("device_id", device).put("address", "198.51.100.7:4000").put("nat_type", "full_cone"));
  }

  private static long sqlLong(String query) {
    try (Connection c = TestStores.jdbc(databaseUrl); Statement st = c.createStatement();
         ResultSet rs = st.executeQuery(query)) {
      assertTrue(rs.next(), query);
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new AssertionError(e);
    }
  }

  private static String sqlText(String query) {
    try (Connection c = TestStores.jdbc(databaseUrl); Statement st = c.createStatement();
         ResultSet rs = st.executeQuery(query)) {
      assertTrue(rs.next(), query);
      return rs.getString(1);
    } catch (SQLException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void a_person_registers_at_most_the_quota_of_nodes_and_may_still_update_them() {
    String owner = http.register(registrar, "quota_one");
    for (int i = 0; i < QUOTA; i++) {
      assertEquals(201, registerNode(owner, "dev-" + i).statusCode());
    }
    HttpResponse<Buffer> refused = registerNode(owner, "dev-extra");
    assertEquals(409, refused.statusCode(), refused.bodyAsString());
    assertEquals("NODE_LIMIT_REACHED", Http.error(refused).getString("code"));
    assertEquals(QUOTA, Http.error(refused).getJsonObject("details").getInteger("max_nodes"));
    assertEquals(200, registerNode(owner, "dev-0").statusCode(), "a device registered before is updated");
    assertEquals(QUOTA, sqlLong("SELECT count(*) FROM mesh_nodes WHERE owner_aura_id = '" + owner + "'"));

    String removed = registerNode(owner, "dev-1").bodyAsJsonObject().getString("node_id");
    assertEquals(200, http.send(io.vertx.core.http.HttpMethod.DELETE, "/internal/mesh/nodes/" + removed,
      tokens.hs256(Tokens.user(owner)), null).statusCode());
    assertEquals(201, registerNode(owner, "dev-extra").statusCode(), "a removed node frees its place");
  }

  @Test
  void concurrent_registrations_cannot_overrun_the_quota() {
    String owner = http.register(registrar, "quota_race");
    String token = tokens.hs256(Tokens.user(owner));
    List<Future<Integer>> attempts = new ArrayList<>();
    IntStream.range(0, 8).forEach(i -> attempts.add(http.request(io.vertx.core.http.HttpMethod.POST, "/internal/mesh/nodes")
      .bearerTokenAuthentication(token)
      .sendJsonObject(new JsonObject().put("device_id", "race-" + i).put("address", "198.51.100.8:4000"))
      .map(HttpResponse::statusCode)));
    List<Integer> statuses = Await.result(Future.all(attempts)).list();
    assertEquals(QUOTA, statuses.stream().filter(s -> s == 201).count(), statuses.toString());
    assertEquals(8 - QUOTA, statuses.stream().filter(s -> s == 409).count(), statuses.toString());
    assertEquals(QUOTA, sqlLong("SELECT count(*) FROM mesh_nodes WHERE owner_aura_id = '" + owner + "'"));
  }

  @Test
  void a_route_outcome_stores_only_its_documented_fields() {
    String alice = http.register(registrar, "bounds_alice");
    String bob = http.register(registrar, "bounds_bob");
    JsonObject query = new JsonObject().put("source_aura_id", alice).put("destination_aura_id", bob);

    HttpResponse<Buffer> first = http.post("/internal/mesh/routes", router, query);
    assertEquals(200, first.statusCode(), first.bodyAsString());
    String routeId = first.bodyAsJsonObject().getString("route_id");
    HttpResponse<Buffer> junk = http.post("/internal/mesh/routes/" + routeId + "/outcome", router,
      new JsonObject().put("rtt_ms", 80).put("junk", "x".repeat(100_000)));
    assertEquals(400, junk.statusCode(), "an undocumented field is refused over HTTP");
    assertEquals("VALIDATION_FAILED", Http.error(junk).getString("code"));

    // Over the event bus (as the call domain sends it) unknown fields are dropped, not stored.
    String second = http.post("/internal/mesh/routes", router, query).bodyAsJsonObject().getString("route_id");
    Await.result(MeshService.proxy(node.vertx(), 10_000).routeOutcome(second, new JsonObject().put("rtt_ms", 80)
      .put("loss", 0.01).put("mos", 4.1).put("duration_seconds", 30).put("state", "completed")
      .put("junk", "x".repeat(100_000)).put("nested", new JsonObject().put("a", 1)),
      Caller.service("calls", Set.of("mesh:route"))));
    JsonObject stored = new JsonObject(sqlText("SELECT outcome::text FROM mesh_routes WHERE route_id = '" + second + "'"));
    assertEquals(Set.of("rtt_ms", "loss", "mos", "duration_seconds", "state"), stored.fieldNames());
    assertEquals("completed", stored.getString("state"));
  }
}
