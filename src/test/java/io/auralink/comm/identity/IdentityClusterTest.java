package io.auralink.comm.identity;

import io.auralink.comm.node.Node;
import io.auralink.comm.platform.Caller;
import io.auralink.comm.platform.storage.EmbeddedStores;
import io.auralink.comm.testing.Await;
import io.auralink.comm.testing.Http;
import io.auralink.comm.testing.TestNodes;
import io.auralink.comm.testing.TestStores;
import io.auralink.comm.testing.Tokens;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.serviceproxy.ServiceException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.embedded.RedisServer;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The registry across the cluster: an {@code api}-only node serves HTTP through the identity verticle of another
 * node, and any member reaches {@link IdentityService} through its event-bus proxy. The identity node's Redis is
 * its own, so that an outage can be staged: resolution then degrades to PostgreSQL instead of failing.
 */
class IdentityClusterTest {

  private static Path redisDir;
  private static int redisPort;
  private static RedisServer redis;
  private static Node identityNode;
  private static Node apiNode;
  private static Http http;
  private static String writer;

  @BeforeAll
  static void startTwoNodes() {
    redisDir = TestStores.tempDir();
    redisPort = EmbeddedStores.freePort();
    redis = EmbeddedStores.startRedis(redisDir, redisPort);
    String cluster = "auralink-test-" + UUID.randomUUID();
    int identityPort = EmbeddedStores.freePort();
    int apiPort = EmbeddedStores.freePort();
    String members = "127.0.0.1:" + identityPort + ",127.0.0.1:" + apiPort;

    Map<String, String> identitySettings = TestNodes.settings("identity_cluster", cluster, identityPort, members);
    identitySettings.put("AURALINK_ROLES", "identity");
    identitySettings.put("AURALINK_REDIS_URL", "redis://127.0.0.1:" + redisPort);
    identitySettings.put("AURALINK_REDIS_COMMAND_TIMEOUT", "500ms");
    identityNode = TestNodes.start(identitySettings);

    Map<String, String> apiSettings = TestNodes.settings("api_only", cluster, apiPort, members);
    apiSettings.put("AURALINK_ROLES", "api");
    apiNode = TestNodes.start(apiSettings);
    http = new Http(apiNode.vertx(), Integer.parseInt(apiSettings.get("AURALINK_HTTP_PORT")));
    writer = new Tokens(apiNode.vertx()).hs256(Tokens.service("dashboard", "identity:read", "identity:write"));
  }

  @AfterAll
  static void stopNodes() throws IOException {
    http.close();
    TestNodes.stop(apiNode);
    TestNodes.stop(identityNode);
    redis.stop();
  }

  private static HttpResponse<Buffer> register(String username) {
    return http.send(HttpMethod.POST, "/internal/auraid", writer,
      new JsonObject().put("username", username).put("user_id", "acct-" + username).toBuffer());
  }

  @Test
  void an_api_only_node_serves_the_registry_of_another_node() {
    assertEquals(201, register("across").statusCode());
    HttpResponse<Buffer> resolved = http.get("/internal/auraid/@across.aura", writer);
    assertEquals(200, resolved.statusCode());
    assertEquals("across", resolved.bodyAsJsonObject().getString("display_name"));
  }

  @Test
  void a_cluster_member_calls_the_registry_through_its_proxy_with_typed_failures() {
    IdentityService identity = IdentityService.proxy(apiNode.vertx(), 5000);
    Caller dashboard = Caller.service("dashboard", Set.of(IdentityService.WRITE));
    JsonObject created = Await.result(identity.register(
      new JsonObject().put("username", "proxied").put("user_id", "acct-proxied"), dashboard));
    assertEquals("@proxied.aura", created.getString("aura_id"));
    assertEquals("@proxied.aura", Await.result(identity.resolve("@Proxied.aura", dashboard)).getString("aura_id"));

    Throwable taken = Await.failure(identity.register(
      new JsonObject().put("username", "proxied").put("user_id", "acct-other"), dashboard));
    ServiceException failure = assertInstanceOf(ServiceException.class, taken);
    assertEquals(409, failure.failureCode());
    assertEquals("AURAID_TAKEN", failure.getDebugInfo().getString("code"));
  }

  @Test
  void resolution_degrades_to_postgresql_while_redis_is_down() throws IOException {
    assertEquals(201, register("sturdy").statusCode());
    assertEquals(200, http.get("/internal/auraid/@sturdy.aura", writer).statusCode());
    redis.stop();
    try {
      HttpResponse<Buffer> resolved = http.get("/internal/auraid/@sturdy.aura", writer);
      assertEquals(200, resolved.statusCode(), resolved.bodyAsString());
      JsonObject bulk = http.send(HttpMethod.POST, "/internal/auraid/resolve", writer,
        new JsonObject().put("aura_ids", List.of("@sturdy.aura", "@across_none.aura")).toBuffer()).bodyAsJsonObject();
      assertTrue(bulk.getJsonObject("results").containsKey("@sturdy.aura"));
      // A change made while Redis is down is stored and acknowledged; its invalidation is retried later.
      assertEquals(200, http.send(HttpMethod.PATCH, "/internal/auraid/@sturdy.aura", writer,
        new JsonObject().put("display_name", "Sturdy").toBuffer()).statusCode());
    } finally {
      redis = EmbeddedStores.startRedis(redisDir, redisPort);
    }
    Await.until(Duration.ofSeconds(15), "the renamed profile is served",
      () -> "Sturdy".equals(http.get("/internal/auraid/@sturdy.aura", writer).bodyAsJsonObject().getString("display_name")));
  }
}
