package io.auralink.comm.platform.storage;

import io.auralink.comm.node.Node;
import io.auralink.comm.testing.Await;
import io.auralink.comm.testing.Http;
import io.auralink.comm.testing.TestNodes;
import io.auralink.comm.testing.TestStores;
import io.auralink.comm.testing.Tokens;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * An outage of PostgreSQL is a retryable 503 naming it, never a 500: writes of every domain answer
 * {@code DATABASE_UNAVAILABLE} with {@code Retry-After} while the database is stopped, and succeed again once it is
 * back. The node has a PostgreSQL of its own to stop.
 */
class DatabaseOutageTest {

  private static final AtomicInteger NAMES = new AtomicInteger();

  private static Path dir;
  private static EmbeddedPostgres postgres;
  private static int postgresPort;
  private static Node node;
  private static Http http;
  private static Tokens tokens;
  private static String registrar;

  @BeforeAll
  static void startNodeWithItsOwnDatabase() {
    dir = TestStores.tempDir();
    postgresPort = EmbeddedStores.freePort();
    postgres = EmbeddedStores.startPostgres(dir.resolve("postgres"), postgresPort);
    Map<String, String> settings = TestNodes.settings("database_outage");
    settings.put("AURALINK_DATABASE_URL", EmbeddedStores.databaseUrl(postgres, "postgres"));
    settings.put("AURALINK_DATABASE_CONNECT_TIMEOUT", "500ms");
    node = TestNodes.start(settings);
    http = new Http(node.vertx(), Integer.parseInt(settings.get("AURALINK_HTTP_PORT")));
    tokens = new Tokens(node.vertx());
    registrar = tokens.hs256(Tokens.service("dashboard", "identity:read", "identity:write"));
  }

  @AfterAll
  static void stop() throws IOException {
    http.close();
    TestNodes.stop(node);
    postgres.close();
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void writes_answer_503_database_unavailable_with_retry_after_while_postgresql_is_down() throws IOException {
    String reporter = register();
    String target = register();

    postgres.close();
    try {
      assertOutage(registerResponse(), "DATABASE_UNAVAILABLE", "an identity registration");
      assertOutage(http.post("/internal/trust/reports", user(reporter), new JsonObject()
        .put("target", new JsonObject().put("entity_type", "aura_id").put("entity_id", target))
        .put("category", "harassment").put("severity", "medium").put("description", "abusive call")),
        "DATABASE_UNAVAILABLE", "a trust report");
      assertOutage(http.post("/internal/mesh/nodes", user(reporter), new JsonObject()
        .put("device_id", "dev-" + NAMES.incrementAndGet()).put("address", "198.51.100.7:4000")
        .put("nat_type", "full_cone").put("region", "eu-west")),
        // The mesh asks the registry about the owner first, and names the registry that could not answer.
        "IDENTITY_UNAVAILABLE", "a mesh node registration");
    } finally {
      postgres = EmbeddedStores.startPostgres(dir.resolve("postgres"), postgresPort);
    }
    Await.until(Duration.ofSeconds(20), "registrations succeed again",
      () -> registerResponse().statusCode() == 201);
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void a_route_answered_while_postgresql_is_down_accepts_its_outcome_once_it_is_back() throws IOException {
    String router = tokens.hs256(Tokens.service("calls", "mesh:route"));
    String caller = register();
    String callee = register();
    // The caller has a device, so the mesh judges their standing from its graph; the first query asks the
    // registry whether the callee is visible to them and remembers it.
    HttpResponse<Buffer> device = http.post("/internal/mesh/nodes", user(caller), new JsonObject()
      .put("device_id", "dev-" + NAMES.incrementAndGet()).put("address", "198.51.100.7:4000")
      .put("nat_type", "full_cone").put("region", "eu-west"));
    assertEquals(201, device.statusCode(), device.bodyAsString());
    JsonObject query = new JsonObject().put("source_aura_id", caller).put("destination_aura_id", callee);
    assertEquals(200, http.post("/internal/mesh/routes", router, query).statusCode());

    String routeId;
    postgres.close();
    try {
      HttpResponse<Buffer> answered = http.post("/internal/mesh/routes", router, query);
      assertEquals(200, answered.statusCode(), "a route query needs no database: " + answered.bodyAsString());
      routeId = answered.bodyAsJsonObject().getString("route_id");
      assertOutage(outcome(router, routeId), "DATABASE_UNAVAILABLE", "an outcome while PostgreSQL is down");
    } finally {
      postgres = EmbeddedStores.startPostgres(dir.resolve("postgres"), postgresPort);
    }
    // The answer waited in the member's route log and is written once PostgreSQL is back.
    Await.until(Duration.ofSeconds(20), "the outcome of the route answered during the outage is accepted",
      () -> outcome(router, routeId).statusCode() == 200);
    assertEquals(404, outcome(router, routeId).statusCode(), "an outcome is recorded once");
  }

  private static HttpResponse<Buffer> outcome(String router, String routeId) {
    return http.post("/internal/mesh/routes/" + routeId + "/outcome", router,
      new JsonObject().put("rtt_ms", 80).put("jitter_ms", 4).put("loss", 0.01));
  }

  private static void assertOutage(HttpResponse<Buffer> response, String code, String what) {
    assertEquals(503, response.statusCode(), what + ": " + response.bodyAsString());
    assertEquals(code, Http.error(response).getString("code"), what + ": " + response.bodyAsString());
    assertEquals(String.valueOf(StorageFailures.RETRY_AFTER_SECONDS), response.getHeader("Retry-After"), what);
  }

  private static String register() {
    HttpResponse<Buffer> response = registerResponse();
    assertEquals(201, response.statusCode(), response.bodyAsString());
    return response.bodyAsJsonObject().getString("aura_id");
  }

  private static HttpResponse<Buffer> registerResponse() {
    String username = "outage_" + NAMES.incrementAndGet();
    return http.post("/internal/auraid", registrar, new JsonObject().put("username", username)
      .put("user_id", "acct-" + username).put("privacy_level", "public"));
  }

  private static String user(String auraId) {
    return tokens.hs256(Tokens.user(auraId));
  }
}
