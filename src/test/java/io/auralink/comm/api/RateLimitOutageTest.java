package io.auralink.comm.api;

import io.auralink.comm.node.Node;
import io.auralink.comm.platform.storage.EmbeddedStores;
import io.auralink.comm.testing.Await;
import io.auralink.comm.testing.Http;
import io.auralink.comm.testing.TestNodes;
import io.auralink.comm.testing.TestStores;
import io.auralink.comm.testing.Tokens;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.embedded.RedisServer;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The rate limiter while its Redis is down: a fail-open node admits requests (without rate-limit headers), a
 * fail-closed node refuses them with 503 and Retry-After; once Redis is back (its scripts forgotten) both limit again.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RateLimitOutageTest {

  private static Path redisDir;
  private static int redisPort;
  private static RedisServer redis;
  private static Node open;
  private static Node closed;
  private static Http openHttp;
  private static Http closedHttp;
  private static String token;

  @BeforeAll
  static void startNodesSharingTheirOwnRedis() {
    redisPort = EmbeddedStores.freePort();
    redisDir = TestStores.tempDir();
    redis = EmbeddedStores.startRedis(redisDir, redisPort);
    open = node("rate_limit_open", "open");
    closed = node("rate_limit_closed", "closed");
    openHttp = new Http(open.vertx(), open.platform().config().http().port());
    closedHttp = new Http(closed.vertx(), closed.platform().config().http().port());
    token = new Tokens(open.vertx()).hs256(Tokens.service("rl-outage"));
  }

  private static Node node(String purpose, String onFailure) {
    Map<String, String> settings = TestNodes.settings(purpose);
    settings.put("AURALINK_REDIS_URL", "redis://127.0.0.1:" + redisPort);
    settings.put("AURALINK_REDIS_COMMAND_TIMEOUT", "500ms");
    settings.put("AURALINK_RATE_LIMIT_SERVICE", "1000/1m");
    settings.put("AURALINK_RATE_LIMIT_ON_REDIS_FAILURE", onFailure);
    return TestNodes.start(settings);
  }

  @AfterAll
  static void stop() throws IOException {
    openHttp.close();
    closedHttp.close();
    TestNodes.stop(open);
    TestNodes.stop(closed);
    if (redis.isActive()) {
      redis.stop();
    }
  }

  @Test
  void fail_open_admits_and_fail_closed_refuses_while_redis_is_down() throws IOException {
    assertNotNull(openHttp.get("/internal/whoami", token).getHeader("RateLimit"));
    assertNotNull(closedHttp.get("/internal/whoami", token).getHeader("RateLimit"));

    redis.stop();
    Await.until(Duration.ofSeconds(20), "the fail-closed node to refuse", () ->
      closedHttp.get("/internal/whoami", token).statusCode() == 503);
    HttpResponse<Buffer> refused = closedHttp.get("/internal/whoami", token);
    assertEquals(503, refused.statusCode(), refused.bodyAsString());
    assertEquals("SERVICE_UNAVAILABLE", Http.error(refused).getString("code"));
    assertNotNull(refused.getHeader("Retry-After"));

    HttpResponse<Buffer> admitted = openHttp.get("/internal/whoami", token);
    assertEquals(200, admitted.statusCode(), admitted.bodyAsString());
    assertNull(admitted.getHeader("RateLimit"), "no quota is known while Redis is down");

    // A restarted Redis has forgotten the script: EVALSHA's NOSCRIPT is answered by loading it again.
    redis = EmbeddedStores.startRedis(redisDir, redisPort);
    Await.until(Duration.ofSeconds(20), "the fail-closed node to limit again", () ->
      closedHttp.get("/internal/whoami", token).statusCode() == 200);
    assertNotNull(closedHttp.get("/internal/whoami", token).getHeader("RateLimit"));
    assertNotNull(openHttp.get("/internal/whoami", token).getHeader("RateLimit"));
  }
}
