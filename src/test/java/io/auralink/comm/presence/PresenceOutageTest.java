package io.auralink.comm.presence;

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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import redis.embedded.RedisServer;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Presence while Redis is down: every read and write answers 503 {@code PRESENCE_UNAVAILABLE}, never offline. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PresenceOutageTest {

  private static RedisServer redis;
  private static Node node;
  private static Http http;
  private static Tokens tokens;
  private static String reader;

  @BeforeAll
  static void startNodeWithItsOwnRedis() {
    int redisPort = EmbeddedStores.freePort();
    redis = EmbeddedStores.startRedis(TestStores.tempDir(), redisPort);
    Map<String, String> settings = TestNodes.settings("presence_outage");
    settings.put("AURALINK_REDIS_URL", "redis://127.0.0.1:" + redisPort);
    settings.put("AURALINK_REDIS_COMMAND_TIMEOUT", "500ms");
    node = TestNodes.start(settings);
    http = new Http(node.vertx(), Integer.parseInt(settings.get("AURALINK_HTTP_PORT")));
    tokens = new Tokens(node.vertx());
    reader = tokens.hs256(Tokens.service("hub", "presence:read"));
  }

  @AfterAll
  static void stop() throws IOException {
    http.close();
    TestNodes.stop(node);
    if (redis.isActive()) {
      redis.stop();
    }
  }

  private static void unavailable(HttpResponse<Buffer> response) {
    assertEquals(503, response.statusCode(), response.bodyAsString());
    assertEquals("PRESENCE_UNAVAILABLE", Http.error(response).getString("code"), response.bodyAsString());
  }

  @Test
  void presence_is_unavailable_not_offline_while_redis_is_down() throws IOException {
    String registrar = tokens.hs256(Tokens.service("dashboard", "identity:write"));
    HttpResponse<Buffer> registered = http.post("/internal/auraid", registrar,
      new JsonObject().put("username", "outage").put("user_id", "acct-outage"));
    assertEquals(201, registered.statusCode(), registered.bodyAsString());
    String auraId = registered.bodyAsJsonObject().getString("aura_id");
    String own = tokens.hs256(Tokens.user(auraId));
    assertEquals(200, http.post("/internal/presence", own,
      new JsonObject().put("device_id", "phone").put("state", "online")).statusCode());
    assertEquals("online", http.get("/internal/presence/" + auraId, reader).bodyAsJsonObject().getString("state"));

    redis.stop();
    Await.until(java.time.Duration.ofSeconds(20), "reads to fail", () ->
      http.get("/internal/presence/" + auraId, reader).statusCode() == 503);
    unavailable(http.get("/internal/presence/" + auraId, reader));
    unavailable(http.post("/internal/presence/bulk", reader, new JsonObject().put("aura_ids", new JsonArray().add(auraId))));
    unavailable(http.post("/internal/presence", own, new JsonObject().put("device_id", "phone").put("state", "away")));
  }
}
