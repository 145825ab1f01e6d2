package io.auralink.comm.platform.health;

import io.auralink.comm.platform.Node;
import io.auralink.comm.platform.storage.EmbeddedStores;
import io.auralink.comm.testing.Await;
import io.auralink.comm.testing.Http;
import io.auralink.comm.testing.TestNodes;
import io.auralink.comm.testing.TestStores;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
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

/** Readiness follows the dependencies: a Redis outage makes the node unready (not dead) until Redis returns. */
class ReadinessTest {

  private static RedisServer redis;
  private static Path redisDir;
  private static int redisPort;
  private static Node node;
  private static Http http;

  @BeforeAll
  static void startNodeWithItsOwnRedis() {
    redisDir = TestStores.tempDir();
    redisPort = EmbeddedStores.freePort();
    redis = EmbeddedStores.startRedis(redisDir, redisPort);
    Map<String, String> settings = TestNodes.settings("readiness");
    settings.put("AURALINK_REDIS_URL", "redis://127.0.0.1:" + redisPort);
    settings.put("AURALINK_REDIS_COMMAND_TIMEOUT", "500ms");
    node = TestNodes.start(settings);
    http = new Http(node.vertx(), Integer.parseInt(settings.get("AURALINK_HTTP_PORT")));
  }

  @AfterAll
  static void stop() throws IOException {
    http.close();
    TestNodes.stop(node);
    redis.stop();
  }

  @Test
  void readiness_turns_503_naming_redis_while_it_is_down_and_200_when_it_returns() throws IOException {
    assertEquals(200, http.get("/health/ready").statusCode());

    redis.stop();
    Await.until(Duration.ofSeconds(15), "readiness reports Redis down", () -> http.get("/health/ready").statusCode() == 503);
    HttpResponse<Buffer> unready = http.get("/health/ready");
    JsonObject checks = unready.bodyAsJsonObject().getJsonObject("checks");
    assertEquals("DOWN", unready.bodyAsJsonObject().getString("status"));
    assertEquals("DOWN", checks.getJsonObject("redis").getString("status"));
    assertFalse(checks.getJsonObject("redis").getString("error").isBlank());
    assertEquals("UP", checks.getJsonObject("postgresql").getString("status"));
    assertEquals("UP", checks.getJsonObject("cluster").getString("status"));
    assertEquals(200, http.get("/health/live").statusCode(), "an outage of a dependency never kills the process");

    redis = EmbeddedStores.startRedis(redisDir, redisPort);
    Await.until(Duration.ofSeconds(15), "readiness recovers", () -> http.get("/health/ready").statusCode() == 200);
  }

  @Test
  void health_details_report_the_storage_mode_and_the_node() {
    JsonObject details = http.get("/health").bodyAsJsonObject();
    assertEquals("external", details.getString("storage"));
    assertEquals(node.platform().cluster().getNodeId(), details.getString("node_id"));
    assertTrue(details.getJsonObject("checks").containsKey("postgresql"));
  }
}
