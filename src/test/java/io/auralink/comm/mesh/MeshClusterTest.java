package io.auralink.comm.mesh;

import io.auralink.comm.node.Node;
import io.auralink.comm.platform.storage.EmbeddedStores;
import io.auralink.comm.testing.Await;
import io.auralink.comm.testing.Http;
import io.auralink.comm.testing.TestNodes;
import io.auralink.comm.testing.Tokens;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The graph across members with real Hazelcast: a node registered on one member is routed on another, and stays
 * routable, and known to members that join later, after the member that registered it is killed.
 */
class MeshClusterTest {

  private static final List<Node> nodes = new ArrayList<>();
  private static final List<Http> clients = new ArrayList<>();
  private static String cluster;
  private static String members;
  private static int[] clusterPorts;
  private static String databaseUrl;

  @BeforeAll
  static void startTwoMembers() {
    cluster = "auralink-test-" + UUID.randomUUID();
    clusterPorts = new int[] {EmbeddedStores.freePort(), EmbeddedStores.freePort(), EmbeddedStores.freePort()};
    members = "127.0.0.1:" + clusterPorts[0] + ",127.0.0.1:" + clusterPorts[1] + ",127.0.0.1:" + clusterPorts[2];
    start(0);
    start(1);
  }

  /** Starts member {@code i} (api, identity and mesh) on the shared database; answers its HTTP client. */
  private static Http start(int i) {
    Map<String, String> settings = TestNodes.settings("mesh_cluster", cluster, clusterPorts[i], members);
    if (databaseUrl == null) {
      databaseUrl = settings.get("AURALINK_DATABASE_URL");
    }
    settings.put("AURALINK_DATABASE_URL", databaseUrl);
    settings.put("AURALINK_ROLES", "api,identity,mesh");
    // Three members are listed but two run when the first is killed: this test is about data surviving a loss,
    // not about a minority refusing changes (ReadinessTest), so one member is enough to take writes.
    settings.put("AURALINK_CLUSTER_MIN_MEMBERS", "1");
    Node node = TestNodes.start(settings);
    Http http = new Http(node.vertx(), Integer.parseInt(settings.get("AURALINK_HTTP_PORT")));
    nodes.add(node);
    clients.add(http);
    return http;
  }

  @AfterAll
  static void stopMembers() {
    clients.forEach(Http::close);
    for (Node node : nodes) {
      try {
        TestNodes.stop(node);
      } catch (RuntimeException alreadyGone) {
        // the killed member
      }
    }
  }

  private static com.hazelcast.core.HazelcastInstance hazelcast(Node node) {
    return ((HazelcastClusterManager) node.platform().cluster()).getHazelcastInstance();
  }

  private static String token(Node node, JsonObject claims) {
    return new Tokens(node.vertx()).hs256(claims);
  }

  /** Registers an AuraID (nodes belong to registered AuraIDs); answers it. */
  private static String register(Http http, Node node, String username) {
    HttpResponse<Buffer> response = http.post("/internal/auraid",
      token(node, Tokens.service("dashboard", "identity:write")),
      new JsonObject().put("username", username).put("user_id", "acct-" + username));
    assertEquals(201, response.statusCode(), response.bodyAsString());
    return response.bodyAsJsonObject().getString("aura_id");
  }

  private static JsonObject route(Http http, String token, String a, String b) {
    HttpResponse<Buffer> response = http.post("/internal/mesh/routes", token,
      new JsonObject().put("source_aura_id", a).put("destination_aura_id", b));
    assertEquals(200, response.statusCode(), response.bodyAsString());
    return response.bodyAsJsonObject();
  }

  @Test
  void a_node_registered_on_one_member_is_routed_on_another_and_survives_the_loss_of_the_first() {
    Node first = nodes.get(0);
    Node second = nodes.get(1);
    Http one = clients.get(0);
    Http two = clients.get(1);
    String alice = register(one, first, "cl_alice");
    String bob = register(one, first, "cl_bob");
    String a1 = one.post("/internal/mesh/nodes", token(first, Tokens.user(alice)), new JsonObject()
      .put("device_id", "laptop").put("address", "198.51.100.1:5000").put("nat_type", "full_cone"))
      .bodyAsJsonObject().getString("node_id");
    String b1 = one.post("/internal/mesh/nodes", token(first, Tokens.user(bob)), new JsonObject()
      .put("device_id", "phone").put("address", "198.51.100.2:5000").put("nat_type", "symmetric"))
      .bodyAsJsonObject().getString("node_id");
    String router = token(second, Tokens.service("calls", "mesh:route", "mesh:read"));

    // Another member's graph learns of both within moments.
    Await.until(Duration.ofSeconds(5), "the second member to route directly", () -> {
      JsonObject r = route(two, router, alice, bob);
      return r.getInteger("tier") == 1 && r.getJsonArray("path").getList().equals(List.of(a1, b1));
    });
    JsonObject stats = two.get("/internal/mesh/graph/stats", router).bodyAsJsonObject();
    assertEquals(2, stats.getInteger("members_holding_graph"));
    assertTrue(stats.containsKey("replication_lag_ms"), stats.encode());

    // Kill the first member without a goodbye, at once: whether its partitions' backups on the second were
    // complete (they take over) or not (migrations were still running after the join: lost partitions are put back
    // from PostgreSQL), no acknowledged node is lost.
    hazelcast(first).getLifecycleService().terminate();
    String reader = token(second, Tokens.service("ops", "mesh:read", "mesh:write"));
    for (String id : List.of(a1, b1)) {
      Await.until(Duration.ofSeconds(20), "node " + id + " to be known after the loss",
        () -> two.get("/internal/mesh/nodes/" + id, reader).statusCode() == 200);
    }
    // A node put back from PostgreSQL is offline until it beats again: the devices keep beating, as they do.
    Await.until(Duration.ofSeconds(20), "the second member to route directly after the loss", () -> {
      for (String id : List.of(a1, b1)) {
        assertEquals(200, two.post("/internal/mesh/nodes/" + id + "/heartbeat", reader, null).statusCode());
      }
      return route(two, router, alice, bob).getJsonArray("path").getList().equals(List.of(a1, b1))
        && hazelcast(second).getMap("auralink.mesh.nodes").size() == 2;
    });

    // A member that joins afterwards builds its graph from the cluster's maps.
    Http three = start(2);
    String late = token(nodes.get(2), Tokens.service("calls", "mesh:route"));
    JsonObject fresh = route(three, late, bob, alice);
    assertEquals(1, fresh.getInteger("tier"), fresh.encodePrettily());
    assertEquals(List.of(b1, a1), fresh.getJsonArray("path").getList());

    // Deactivated on one member, out of routing on every member; reactivated, back everywhere.
    assertEquals(200, two.send(io.vertx.core.http.HttpMethod.DELETE, "/internal/auraid/" + bob,
      token(second, Tokens.user(bob)), null).statusCode());
    Await.until(Duration.ofSeconds(5), "the third member to answer as for an unknown AuraID", () -> three.post(
      "/internal/mesh/routes", late, new JsonObject().put("source_aura_id", alice).put("destination_aura_id", bob))
      .statusCode() == 404);
    assertEquals(false, three.get("/internal/mesh/nodes/" + b1, token(nodes.get(2), Tokens.service("ops", "mesh:read")))
      .bodyAsJsonObject().getBoolean("owner_active"));
    assertEquals(200, two.post("/internal/auraid/" + bob + "/reactivate",
      token(second, Tokens.service("ops", "identity:admin")), null).statusCode());
    Await.until(Duration.ofSeconds(5), "the third member to route to bob again", () -> three.post(
      "/internal/mesh/routes", late, new JsonObject().put("source_aura_id", alice).put("destination_aura_id", bob))
      .statusCode() == 200);
  }

  @Test
  void a_full_cluster_restart_restores_the_graph_from_postgresql_with_every_node_offline() {
    Map<String, String> settings = TestNodes.settings("mesh_restart");
    settings.put("AURALINK_ROLES", "api,identity,mesh");
    Node before = TestNodes.start(settings);
    String owner;
    String nodeId;
    try (Http http = new Http(before.vertx(), Integer.parseInt(settings.get("AURALINK_HTTP_PORT")))) {
      owner = register(http, before, "restart_me");
      String user = token(before, Tokens.user(owner));
      nodeId = http.post("/internal/mesh/nodes", user, new JsonObject()
        .put("device_id", "desk").put("address", "192.0.2.9:5000").put("nat_type", "public"))
        .bodyAsJsonObject().getString("node_id");
      String phone = http.post("/internal/mesh/nodes", user, new JsonObject()
        .put("device_id", "phone").put("address", "192.0.2.10:5000")).bodyAsJsonObject().getString("node_id");
      assertEquals(200, http.post("/internal/mesh/nodes/" + nodeId + "/links", user, new JsonObject()
        .put("links", new io.vertx.core.json.JsonArray().add(new JsonObject().put("to", phone).put("rtt_ms", 12))))
        .statusCode());
      // The owner leaves: their nodes are out of routing, and stay so after the restart.
      assertEquals(200, http.send(io.vertx.core.http.HttpMethod.DELETE, "/internal/auraid/" + owner, user, null)
        .statusCode());
      String ops = token(before, Tokens.service("ops", "mesh:read"));
      Await.until(Duration.ofSeconds(5), "the owner's standing to be stored", () -> !http.get("/internal/mesh/nodes/"
        + phone, ops).bodyAsJsonObject().getBoolean("owner_active"));
    } finally {
      TestNodes.stop(before);
    }
    // A new cluster (same database): its first member puts the stored graph back.
    Map<String, String> again = TestNodes.settings("mesh_restart_again");
    again.put("AURALINK_DATABASE_URL", settings.get("AURALINK_DATABASE_URL"));
    again.put("AURALINK_ROLES", "api,mesh");
    Node after = TestNodes.start(again);
    try (Http http = new Http(after.vertx(), Integer.parseInt(again.get("AURALINK_HTTP_PORT")))) {
      HttpResponse<Buffer> node = http.get("/internal/mesh/nodes/" + nodeId, token(after, Tokens.user(owner)));
      assertEquals(200, node.statusCode(), node.bodyAsString());
      assertEquals("desk", node.bodyAsJsonObject().getString("device_id"));
      assertEquals(false, node.bodyAsJsonObject().getBoolean("online"), "offline until it beats again");
      assertEquals(false, node.bodyAsJsonObject().getBoolean("owner_active"), "the owner is still deactivated");
      JsonObject stats = http.get("/internal/mesh/graph/stats", token(after, Tokens.service("ops", "mesh:read")))
        .bodyAsJsonObject();
      assertEquals(2, stats.getInteger("nodes"), stats.encode());
      assertEquals(1, stats.getInteger("links"), "the measured link is restored too: " + stats.encode());
    } finally {
      TestNodes.stop(after);
    }
  }
}
