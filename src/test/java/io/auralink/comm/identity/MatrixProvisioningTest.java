package io.auralink.comm.identity;

import io.auralink.comm.node.Node;
import io.auralink.comm.platform.storage.EmbeddedStores;
import io.auralink.comm.testing.Await;
import io.auralink.comm.testing.Http;
import io.auralink.comm.testing.TestNodes;
import io.auralink.comm.testing.TestStores;
import io.auralink.comm.testing.Tokens;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.handler.BodyHandler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Provisioning of Matrix users against a local HTTP server that speaks the homeserver's Application Service
 * register and profile endpoints (the real Synapse is exercised by {@code e2e/matrix-provisioning.sh}).
 */
class MatrixProvisioningTest {

  private static final String AS_TOKEN = "as-token-under-test";
  private static final AtomicInteger NAMES = new AtomicInteger();

  private static Vertx homeserverVertx;
  private static FakeHomeserver homeserver;
  private static Node node;
  private static Http http;
  private static String writer;
  private static String admin;
  private static String databaseUrl;

  /** The two endpoints the provisioner uses, with failures on demand and a record of what it was sent. */
  static final class FakeHomeserver {
    final Set<String> users = ConcurrentHashMap.newKeySet();
    final Map<String, String> displayNames = new ConcurrentHashMap<>();
    final List<JsonObject> registrations = new CopyOnWriteArrayList<>();
    final List<String> authorizations = new CopyOnWriteArrayList<>();
    final AtomicInteger failuresLeft = new AtomicInteger();
    HttpServer server;

    Router router(Vertx vertx) {
      Router router = Router.router(vertx);
      router.route().handler(BodyHandler.create());
      router.post("/_matrix/client/v3/register").handler(ctx -> {
        authorizations.add(ctx.request().getHeader("Authorization"));
        if (failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
          ctx.response().setStatusCode(502).end(new JsonObject().put("errcode", "M_UNKNOWN").encode());
          return;
        }
        JsonObject body = ctx.body().asJsonObject();
        registrations.add(body);
        String userId = "@" + body.getString("username") + ":localhost";
        if (!users.add(userId)) {
          ctx.response().setStatusCode(400).end(new JsonObject().put("errcode", "M_USER_IN_USE").encode());
          return;
        }
        ctx.json(new JsonObject().put("user_id", userId));
      });
      router.put("/_matrix/client/v3/profile/:user/displayname").handler(ctx -> {
        authorizations.add(ctx.request().getHeader("Authorization"));
        String user = ctx.pathParam("user");
        if (!user.equals(ctx.queryParams().get("user_id")) || !users.contains(user)) {
          ctx.response().setStatusCode(403).end(new JsonObject().put("errcode", "M_FORBIDDEN").encode());
          return;
        }
        displayNames.put(user, ctx.body().asJsonObject().getString("displayname"));
        ctx.json(new JsonObject());
      });
      return router;
    }
  }

  @BeforeAll
  static void start() {
    homeserverVertx = Vertx.vertx();
    homeserver = new FakeHomeserver();
    homeserver.server = Await.result(homeserverVertx.createHttpServer()
      .requestHandler(homeserver.router(homeserverVertx)).listen(0, "127.0.0.1"));
    Map<String, String> settings = TestNodes.settings("matrix");
    settings.put("AURALINK_MATRIX_HOMESERVER_URL", "http://127.0.0.1:" + homeserver.server.actualPort());
    settings.put("AURALINK_MATRIX_AS_TOKEN", AS_TOKEN);
    settings.put("AURALINK_MATRIX_SERVER_NAME", "localhost");
    settings.put("AURALINK_MATRIX_RETRY_INTERVAL", "100ms");
    settings.put("AURALINK_MATRIX_MAX_BACKOFF", "400ms");
    databaseUrl = settings.get("AURALINK_DATABASE_URL");
    node = TestNodes.start(settings);
    http = new Http(node.vertx(), Integer.parseInt(settings.get("AURALINK_HTTP_PORT")));
    Tokens tokens = new Tokens(node.vertx());
    writer = tokens.hs256(Tokens.service("dashboard", "identity:write"));
    admin = tokens.hs256(Tokens.service("ops", "identity:admin"));
  }

  @AfterAll
  static void stop() {
    http.close();
    TestNodes.stop(node);
    Await.result(homeserverVertx.close());
  }

  @BeforeEach
  void homeserverWorks() {
    homeserver.failuresLeft.set(0);
  }

  private static String register(String username, String displayName) {
    HttpResponse<Buffer> response = http.send(HttpMethod.POST, "/internal/auraid", writer, new JsonObject()
      .put("username", username).put("user_id", "acct-" + username).put("display_name", displayName).toBuffer());
    assertEquals(201, response.statusCode(), response.bodyAsString());
    assertEquals("@" + username + "_aura:localhost", response.bodyAsJsonObject().getString("matrix_user_id"));
    return response.bodyAsJsonObject().getString("aura_id");
  }

  private static String matrixState(String auraId) {
    return http.get("/internal/auraid/" + auraId, admin).bodyAsJsonObject().getJsonObject("matrix").getString("state");
  }

  private static void awaitProvisioned(String auraId) {
    Await.until(Duration.ofSeconds(15), auraId + " provisioned", () -> "provisioned".equals(matrixState(auraId)));
  }

  @Test
  void registration_provisions_the_matrix_user_as_the_application_service() {
    String username = "prov_" + NAMES.incrementAndGet();
    String auraId = register(username, "Provisioned Person");
    awaitProvisioned(auraId);

    JsonObject sent = homeserver.registrations.stream()
      .filter(r -> (username + "_aura").equals(r.getString("username"))).findFirst().orElseThrow();
    assertEquals("m.login.application_service", sent.getString("type"));
    assertEquals(true, sent.getBoolean("inhibit_login"));
    assertEquals("Provisioned Person", homeserver.displayNames.get("@" + username + "_aura:localhost"));
    assertTrue(homeserver.authorizations.stream().allMatch(("Bearer " + AS_TOKEN)::equals));
  }

  @Test
  void a_failing_homeserver_never_fails_registration_and_provisioning_retries_until_done() throws SQLException {
    homeserver.failuresLeft.set(3);
    String username = "retry_" + NAMES.incrementAndGet();
    String auraId = register(username, "Patient Person");
    awaitProvisioned(auraId);
    assertEquals(0, homeserver.failuresLeft.get(), "the failures were met and retried");
    try (Connection c = TestStores.jdbc(databaseUrl); Statement s = c.createStatement();
         ResultSet row = s.executeQuery("SELECT last_error, attempts FROM matrix_mappings WHERE aura_id = '" + auraId + "'")) {
      row.next();
      assertEquals(null, row.getString("last_error"), "a success clears the last error");
      assertEquals(0, row.getInt("attempts"));
    }
  }

  @Test
  void a_matrix_user_that_already_exists_counts_as_provisioned() {
    String username = "exists_" + NAMES.incrementAndGet();
    homeserver.users.add("@" + username + "_aura:localhost");
    awaitProvisioned(register(username, "Already There"));
    assertEquals("Already There", homeserver.displayNames.get("@" + username + "_aura:localhost"));
  }

  @Test
  void a_new_display_name_is_pushed_to_the_homeserver() {
    String username = "rename_" + NAMES.incrementAndGet();
    String auraId = register(username, "Old Name");
    awaitProvisioned(auraId);
    assertEquals(200, http.send(HttpMethod.PATCH, "/internal/auraid/" + auraId, writer,
      new JsonObject().put("display_name", "New Name").toBuffer()).statusCode());
    Await.until(Duration.ofSeconds(15), "display name pushed",
      () -> "New Name".equals(homeserver.displayNames.get("@" + username + "_aura:localhost")));
    awaitProvisioned(auraId);
  }

  @Test
  void an_unreachable_homeserver_leaves_the_mapping_pending_with_its_error() throws SQLException {
    Map<String, String> settings = TestNodes.settings("matrix_down");
    settings.put("AURALINK_MATRIX_HOMESERVER_URL", "http://127.0.0.1:" + EmbeddedStores.freePort());
    settings.put("AURALINK_MATRIX_AS_TOKEN", AS_TOKEN);
    settings.put("AURALINK_MATRIX_RETRY_INTERVAL", "100ms");
    settings.put("AURALINK_MATRIX_REQUEST_TIMEOUT", "1s");
    Node isolated = TestNodes.start(settings);
    try (Http isolatedHttp = new Http(isolated.vertx(), Integer.parseInt(settings.get("AURALINK_HTTP_PORT")))) {
      HttpResponse<Buffer> created = isolatedHttp.send(HttpMethod.POST, "/internal/auraid", writer,
        new JsonObject().put("username", "lonely").put("user_id", "acct-lonely").toBuffer());
      assertEquals(201, created.statusCode());
      assertEquals("pending", created.bodyAsJsonObject().getString("matrix_state"));
      Await.until(Duration.ofSeconds(15), "an attempt failed and was recorded", () -> lastError(settings) != null);
      assertEquals("pending", isolatedHttp.get("/internal/auraid/@lonely.aura", admin).bodyAsJsonObject()
        .getJsonObject("matrix").getString("state"));
    } finally {
      TestNodes.stop(isolated);
    }
  }

  private static String lastError(Map<String, String> settings) {
    try (Connection c = TestStores.jdbc(settings.get("AURALINK_DATABASE_URL")); Statement s = c.createStatement();
         ResultSet row = s.executeQuery("SELECT last_error FROM matrix_mappings WHERE aura_id = '@lonely.aura'")) {
      return row.next() ? row.getString(1) : null;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
