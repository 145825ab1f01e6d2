package io.auralink.comm.platform;

import io.auralink.comm.identity.IdentityService;
import io.auralink.comm.node.Node;
import io.auralink.comm.platform.bus.MemberRouting;
import io.auralink.comm.platform.storage.EmbeddedStores;
import io.auralink.comm.testing.Await;
import io.auralink.comm.testing.Http;
import io.auralink.comm.testing.TestNodes;
import io.auralink.comm.testing.Tokens;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A request waiting on a member that leaves the cluster fails at once with 503 {@code MEMBER_LEFT}, not after the
 * event-bus timeout. An api-only node sends a registration to the identity node, where it waits on a row lock the
 * test holds; then the identity node's cluster member is terminated (as a crash or a cut-off looks to the others).
 */
class MemberLossTest {

  private static final long EVENT_BUS_TIMEOUT_MILLIS = 30_000;

  private static Node identityNode;
  private static Node apiNode;
  private static Http http;
  private static String writer;
  private static Pool identityDatabase;

  @BeforeAll
  static void startTwoNodes() {
    String cluster = "auralink-test-" + UUID.randomUUID();
    int identityPort = EmbeddedStores.freePort();
    int apiPort = EmbeddedStores.freePort();
    String members = "127.0.0.1:" + identityPort + ",127.0.0.1:" + apiPort;

    Map<String, String> identitySettings = TestNodes.settings("member_loss_identity", cluster, identityPort, members);
    identitySettings.put("AURALINK_ROLES", "identity");
    identityNode = TestNodes.start(identitySettings);

    Map<String, String> apiSettings = TestNodes.settings("member_loss_api", cluster, apiPort, members);
    apiSettings.put("AURALINK_ROLES", "api");
    apiSettings.put("AURALINK_EVENT_BUS_TIMEOUT", EVENT_BUS_TIMEOUT_MILLIS + "ms");
    apiSettings.put("AURALINK_HTTP_REQUEST_TIMEOUT", "60s");
    apiNode = TestNodes.start(apiSettings);
    http = new Http(apiNode.vertx(), Integer.parseInt(apiSettings.get("AURALINK_HTTP_PORT")));
    writer = new Tokens(apiNode.vertx()).hs256(Tokens.service("dashboard", "identity:read", "identity:write"));
    identityDatabase = identityNode.platform().pool();
  }

  @AfterAll
  static void stopNodes() {
    http.close();
    TestNodes.stop(apiNode);
    // Its member is gone already: only Vert.x and the stores are left to close.
    Await.result(identityNode.vertx().close(), Duration.ofSeconds(60));
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void a_request_waiting_on_a_member_that_left_fails_at_once_with_member_left() {
    MemberRouting routing = apiNode.platform().loops().members();
    assertEquals(201, register("warmup").statusCode());
    Await.until(Duration.ofSeconds(10), "the api node knows the identity member",
      () -> routing.pick(IdentityService.ADDRESS) != null);

    // The registration waits on the unique index behind the test's uncommitted row of the same username.
    SqlConnection holder = Await.result(identityDatabase.getConnection());
    Transaction held = Await.result(holder.begin());
    Await.result(holder.query("INSERT INTO aura_ids (aura_id, username, user_id, display_name)"
      + " VALUES ('@stuck.aura', 'stuck', 'acct-held', 'Held')").execute());
    Future<HttpResponse<Buffer>> waiting = http.request(HttpMethod.POST, "/internal/auraid")
      .bearerTokenAuthentication(writer).putHeader("Content-Type", "application/json")
      .sendBuffer(new JsonObject().put("username", "stuck").put("user_id", "acct-stuck").toBuffer());
    Await.until(Duration.ofSeconds(10), "the registration waits on the identity member",
      () -> routing.waitingRequests() > 0);

    long terminatedAt = System.nanoTime();
    ((HazelcastClusterManager) identityNode.platform().cluster()).getHazelcastInstance().getLifecycleService()
      .terminate();
    HttpResponse<Buffer> failed = Await.result(waiting, Duration.ofSeconds(EVENT_BUS_TIMEOUT_MILLIS / 1000));
    long waitedMillis = (System.nanoTime() - terminatedAt) / 1_000_000;

    assertEquals(503, failed.statusCode(), failed.bodyAsString());
    assertEquals("MEMBER_LEFT", Http.error(failed).getString("code"));
    assertEquals("2", failed.getHeader("Retry-After"));
    assertTrue(waitedMillis < 7_000, "failed " + waitedMillis + " ms after the member left, not at the "
      + EVENT_BUS_TIMEOUT_MILLIS + " ms timeout");
    assertEquals(0, routing.waitingRequests());
    assertEquals(null, routing.pick(IdentityService.ADDRESS), "the member that left is not picked again");
    Await.result(held.rollback().eventually(holder::close));
  }

  private static HttpResponse<Buffer> register(String username) {
    return http.send(HttpMethod.POST, "/internal/auraid", writer,
      new JsonObject().put("username", username).put("user_id", "acct-" + username).toBuffer());
  }
}
