package io.auralink.comm.platform.health;

import io.auralink.comm.node.Node;
import io.auralink.comm.platform.storage.EmbeddedStores;
import io.auralink.comm.testing.Await;
import io.auralink.comm.testing.Http;
import io.auralink.comm.testing.TestNodes;
import io.auralink.comm.testing.TestStores;
import io.auralink.comm.testing.Tokens;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.embedded.RedisServer;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Readiness means "send me traffic": an outage of PostgreSQL or a cluster smaller than its minimum makes the node
 * unready, an outage of Redis only degrades it; never dead, and readiness returns by itself when the dependency
 * does. The node here has stores of its own to break.
 */
class ReadinessTest {

  private static Path dir;
  private static RedisServer redis;
  private static int redisPort;
  private static EmbeddedPostgres postgres;
  private static int postgresPort;
  private static Node node;
  private static Http http;

  @BeforeAll
  static void startNodeWithItsOwnStores() {
    dir = TestStores.tempDir();
    redisPort = EmbeddedStores.freePort();
    redis = EmbeddedStores.startRedis(dir.resolve("redis"), redisPort);
    postgresPort = EmbeddedStores.freePort();
    postgres = EmbeddedStores.startPostgres(dir.resolve("postgres"), postgresPort);
    Map<String, String> settings = TestNodes.settings("readiness");
    settings.put("AURALINK_REDIS_URL", "redis://127.0.0.1:" + redisPort);
    settings.put("AURALINK_DATABASE_URL", EmbeddedStores.databaseUrl(postgres, "postgres"));
    settings.put("AURALINK_REDIS_COMMAND_TIMEOUT", "500ms");
    settings.put("AURALINK_DATABASE_CONNECT_TIMEOUT", "500ms");
    node = TestNodes.start(settings);
    http = new Http(node.vertx(), Integer.parseInt(settings.get("AURALINK_HTTP_PORT")));
  }

  @AfterAll
  static void stop() throws IOException {
    http.close();
    TestNodes.stop(node);
    redis.stop();
    postgres.close();
  }

  @Test
  void redis_down_keeps_the_node_ready_but_degraded_naming_redis_and_its_return_clears_it() throws IOException {
    assertEquals("UP", http.get("/health/ready").bodyAsJsonObject().getString("status"));

    redis.stop();
    Await.until(Duration.ofSeconds(15), "readiness reports redis degraded",
      () -> "DEGRADED".equals(http.get("/health/ready").bodyAsJsonObject().getString("status")));
    HttpResponse<Buffer> degraded = http.get("/health/ready");
    assertEquals(200, degraded.statusCode(), "a lost cache must not take the node out of the load balancer");
    assertEquals(new JsonArray().add("redis"), degraded.bodyAsJsonObject().getJsonArray("degraded"));
    JsonObject checks = degraded.bodyAsJsonObject().getJsonObject("checks");
    assertEquals("DOWN", checks.getJsonObject("redis").getString("status"));
    assertEquals("degraded", checks.getJsonObject("redis").getString("effect"));
    assertFalse(checks.getJsonObject("redis").containsKey("error"), "the open answer never says why (hosts, ports)");
    JsonObject details = http.get("/internal/health", operator()).bodyAsJsonObject().getJsonObject("checks");
    assertFalse(details.getJsonObject("redis").getString("error").isBlank(), "the authenticated details say why");
    assertEquals("UP", checks.getJsonObject("postgresql").getString("status"));
    assertEquals("UP", checks.getJsonObject("cluster").getString("status"));
    assertEquals("DEGRADED", http.get("/health").bodyAsJsonObject().getString("status"));
    assertEquals(200, http.get("/health/live").statusCode(), "an outage of a dependency never kills the process");

    redis = EmbeddedStores.startRedis(dir.resolve("redis"), redisPort);
    Await.until(Duration.ofSeconds(15), "readiness recovers",
      () -> "UP".equals(http.get("/health/ready").bodyAsJsonObject().getString("status")));
  }

  @Test
  void postgresql_down_turns_readiness_503_naming_postgresql_and_its_return_turns_it_back() throws IOException {
    assertEquals(200, http.get("/health/ready").statusCode());

    postgres.close();
    JsonObject checks = awaitUnready();
    assertEquals("DOWN", checks.getJsonObject("postgresql").getString("status"));
    assertEquals("unready", checks.getJsonObject("postgresql").getString("effect"));
    assertEquals("UP", checks.getJsonObject("redis").getString("status"));
    assertEquals(200, http.get("/health/live").statusCode());

    postgres = EmbeddedStores.startPostgres(dir.resolve("postgres"), postgresPort);
    Await.until(Duration.ofSeconds(15), "readiness recovers", () -> http.get("/health/ready").statusCode() == 200);
  }

  @Test
  void health_details_report_the_storage_mode_and_the_node() {
    assertEquals("external", http.get("/health").bodyAsJsonObject().getString("storage"));
    JsonObject details = http.get("/internal/health", operator()).bodyAsJsonObject();
    assertEquals("external", details.getString("storage"));
    assertEquals(node.platform().cluster().getNodeId(), details.getString("node_id"));
    assertTrue(details.getJsonObject("checks").containsKey("postgresql"));
  }

  @Test
  void a_node_seeing_fewer_members_than_the_minimum_is_unready_and_refuses_changes_with_cluster_minority() {
    Map<String, String> settings = TestNodes.settings("readiness_minority");
    settings.put("AURALINK_CLUSTER_MIN_MEMBERS", "2");
    Node alone = TestNodes.start(settings);
    try (Http aloneHttp = new Http(alone.vertx(), Integer.parseInt(settings.get("AURALINK_HTTP_PORT")))) {
      HttpResponse<Buffer> unready = aloneHttp.get("/health/ready");
      assertEquals(503, unready.statusCode());
      assertEquals("DOWN", unready.bodyAsJsonObject().getJsonObject("checks").getJsonObject("cluster").getString("status"));
      JsonObject cluster = aloneHttp.get("/internal/health", new Tokens(alone.vertx()).hs256(
        Tokens.service("ops", "cluster:read"))).bodyAsJsonObject().getJsonObject("checks").getJsonObject("cluster");
      assertEquals("DOWN", cluster.getString("status"));
      assertEquals("unready", cluster.getString("effect"));
      assertTrue(cluster.getString("error").contains("1 of the 2 members"), cluster.encode());

      String registrar = new Tokens(alone.vertx()).hs256(Tokens.service("dashboard", "identity:read", "identity:write"));
      HttpResponse<Buffer> refused = aloneHttp.post("/internal/auraid", registrar,
        new JsonObject().put("username", "minority").put("user_id", "acct-minority"));
      assertEquals(503, refused.statusCode(), refused.bodyAsString());
      assertEquals("CLUSTER_MINORITY", Http.error(refused).getString("code"));
      assertEquals("2", refused.getHeader("Retry-After"));
      assertEquals(404, aloneHttp.get("/internal/auraid/@nobody.aura", registrar).statusCode(), "reads are served");
    } finally {
      TestNodes.stop(alone);
    }
  }

  /** A token for the health details. */
  private static String operator() {
    return new Tokens(node.vertx()).hs256(Tokens.service("ops", "cluster:read"));
  }

  private static JsonObject awaitUnready() {
    Await.until(Duration.ofSeconds(15), "readiness turns 503", () -> http.get("/health/ready").statusCode() == 503);
    HttpResponse<Buffer> unready = http.get("/health/ready");
    assertEquals("DOWN", unready.bodyAsJsonObject().getString("status"));
    return unready.bodyAsJsonObject().getJsonObject("checks");
  }
}
