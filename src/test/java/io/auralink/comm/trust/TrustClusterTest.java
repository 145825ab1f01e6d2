package io.auralink.comm.trust;

import io.auralink.comm.node.Node;
import io.auralink.comm.platform.Caller;
import io.auralink.comm.platform.storage.EmbeddedStores;
import io.auralink.comm.testing.Await;
import io.auralink.comm.testing.Http;
import io.auralink.comm.testing.TestNodes;
import io.auralink.comm.testing.Tokens;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.serviceproxy.ServiceException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The trust contract across the cluster: an api-only node serves it over HTTP, and any member calls its proxy. */
class TrustClusterTest {

  private static Node trustNode;
  private static Node apiNode;
  private static Http http;

  @BeforeAll
  static void startTwoNodes() {
    String cluster = "auralink-test-" + UUID.randomUUID();
    int trustPort = EmbeddedStores.freePort();
    int apiPort = EmbeddedStores.freePort();
    String members = "127.0.0.1:" + trustPort + ",127.0.0.1:" + apiPort;
    Map<String, String> trustSettings = TestNodes.settings("trust_cluster", cluster, trustPort, members);
    trustSettings.put("AURALINK_ROLES", "trust");
    trustNode = TestNodes.start(trustSettings);
    Map<String, String> apiSettings = TestNodes.settings("trust_api_only", cluster, apiPort, members);
    apiSettings.put("AURALINK_ROLES", "api");
    apiNode = TestNodes.start(apiSettings);
    http = new Http(apiNode.vertx(), Integer.parseInt(apiSettings.get("AURALINK_HTTP_PORT")));
  }

  @AfterAll
  static void stopNodes() {
    http.close();
    TestNodes.stop(apiNode);
    TestNodes.stop(trustNode);
  }

  @Test
  void an_api_only_node_serves_the_trust_domain_of_another_node() {
    String moderator = new Tokens(apiNode.vertx()).hs256(Tokens.service("console", "trust:moderate", "trust:read"));
    HttpResponse<Buffer> suspended = http.post("/internal/trust/mesh_node/relay-7/suspend", moderator,
      new JsonObject().put("reason", "relaying malware"));
    assertEquals(200, suspended.statusCode(), suspended.bodyAsString());
    assertTrue(suspended.bodyAsJsonObject().getBoolean("suspended"));
    assertEquals("suspended", http.get("/internal/trust/mesh_node/relay-7", moderator).bodyAsJsonObject()
      .getString("level"));
  }

  @Test
  void a_cluster_member_calls_the_trust_proxy_and_gets_typed_failures() {
    TrustService trust = TrustService.proxy(apiNode.vertx(), 5000);
    Caller reporter = Caller.service("mesh", Set.of(TrustService.REPORT));
    JsonObject self = new JsonObject().put("target", new JsonObject().put("entity_type", "mesh_node")
        .put("entity_id", "n-1")).put("reporter", new JsonObject().put("entity_type", "mesh_node").put("entity_id", "n-1"))
      .put("category", "spam").put("description", "loops");
    ServiceException failure = assertInstanceOf(ServiceException.class, Await.failure(trust.report(self, reporter)));
    assertEquals(400, failure.failureCode());
    assertEquals("SELF_REPORT", failure.getDebugInfo().getString("code"));
    ServiceException unknown = assertInstanceOf(ServiceException.class, Await.failure(trust.report(self.copy()
      .put("reporter", new JsonObject().put("entity_type", "mesh_node").put("entity_id", "n-2")), reporter)));
    assertEquals(404, unknown.failureCode());
    assertEquals("reporter.entity_id", unknown.getDebugInfo().getJsonObject("details").getString("field"));

    Caller admin = Caller.service("ops", Set.of(TrustService.ADMIN));
    Await.result(trust.putFederatedServer("a.cluster.example", new JsonObject(), admin));
    Await.result(trust.putFederatedServer("b.cluster.example", new JsonObject(), admin));
    JsonObject filed = Await.result(trust.report(new JsonObject()
      .put("target", new JsonObject().put("entity_type", "federated_server").put("entity_id", "a.cluster.example"))
      .put("reporter", new JsonObject().put("entity_type", "federated_server").put("entity_id", "b.cluster.example"))
      .put("category", "spam").put("description", "loops"), reporter));
    assertEquals("pending", filed.getString("status"));
  }
}
