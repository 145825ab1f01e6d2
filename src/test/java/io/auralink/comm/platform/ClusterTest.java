package io.auralink.comm.platform;

import com.hazelcast.cluster.Member;
import io.auralink.comm.node.Node;
import io.auralink.comm.platform.storage.EmbeddedStores;
import io.auralink.comm.testing.Await;
import io.auralink.comm.testing.Http;
import io.auralink.comm.testing.TestNodes;
import io.auralink.comm.testing.Tokens;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Two nodes in one cluster (real Hazelcast over loopback): they see each other and talk over the event bus. */
class ClusterTest {

  private static Node first;
  private static Node second;
  private static Map<String, String> firstSettings;

  @BeforeAll
  static void startTwoNodes() {
    String cluster = "auralink-test-" + UUID.randomUUID();
    int firstPort = EmbeddedStores.freePort();
    int secondPort = EmbeddedStores.freePort();
    String members = "127.0.0.1:" + firstPort + ",127.0.0.1:" + secondPort;
    firstSettings = TestNodes.settings("cluster_a", cluster, firstPort, members);
    first = TestNodes.start(firstSettings);
    second = TestNodes.start(TestNodes.settings("cluster_b", cluster, secondPort, members));
  }

  @AfterAll
  static void stopNodes() {
    TestNodes.stop(second);
    TestNodes.stop(first);
  }

  @Test
  void each_node_sees_both_members() {
    Await.until(Duration.ofSeconds(10), "both members visible on both nodes",
      () -> first.platform().cluster().getNodes().size() == 2 && second.platform().cluster().getNodes().size() == 2);
    assertTrue(first.platform().cluster().getNodes().contains(second.platform().cluster().getNodeId()));
    assertTrue(second.platform().cluster().getNodes().contains(first.platform().cluster().getNodeId()));
  }

  @Test
  void a_request_on_one_node_is_answered_by_a_consumer_on_the_other() {
    String address = "test.echo." + UUID.randomUUID();
    String secondId = second.platform().cluster().getNodeId();
    Await.result(second.vertx().eventBus()
      .<JsonObject>consumer(address, (Message<JsonObject> message) ->
        message.reply(message.body().copy().put("answered_by", secondId)))
      .completion());

    Message<JsonObject> reply = Await.result(first.vertx().eventBus()
      .request(address, new JsonObject().put("ping", 1)));

    assertEquals(1, reply.body().getInteger("ping"));
    assertEquals(secondId, reply.body().getString("answered_by"));
  }

  @Test
  void a_request_nobody_serves_fails_fast_with_no_handlers() {
    Throwable failure = Await.failure(first.vertx().eventBus().request("test.nobody." + UUID.randomUUID(), "x"));
    assertInstanceOf(ReplyException.class, failure);
    assertEquals(ReplyFailure.NO_HANDLERS, ((ReplyException) failure).failureType());
  }

  @Test
  void the_cluster_endpoint_lists_both_members_with_their_roles() {
    try (Http http = new Http(first.vertx(), Integer.parseInt(firstSettings.get("AURALINK_HTTP_PORT")))) {
      Await.until(Duration.ofSeconds(10), "two members", () -> first.platform().cluster().getNodes().size() == 2);
      String token = new Tokens(first.vertx()).hs256(Tokens.service("ops", "cluster:read"));
      HttpResponse<Buffer> response = http.get("/internal/cluster", token);
      assertEquals(200, response.statusCode());
      JsonArray members = response.bodyAsJsonObject().getJsonArray("members");
      assertEquals(2, members.size());
      JsonArray allRoles = new JsonArray(java.util.Arrays.stream(io.auralink.comm.platform.config.Role.values())
        .map(io.auralink.comm.platform.config.Role::id).toList());
      for (Object member : members) {
        assertEquals(allRoles, ((JsonObject) member).getJsonArray("roles"), "nodes run every role by default");
      }
      assertEquals(1, members.stream().filter(m -> ((JsonObject) m).getBoolean("local")).count());
    }
  }

  @Test
  void hazelcast_listens_only_on_the_cluster_host() throws IOException {
    Member local = ((HazelcastClusterManager) first.platform().cluster()).getHazelcastInstance().getCluster()
      .getLocalMember();
    assertEquals("127.0.0.1", local.getAddress().getHost());
    // Bound to 0.0.0.0, the port would be taken on every address; bound to 127.0.0.1 alone, another loopback address
    // still has it free.
    try (ServerSocket probe = new ServerSocket()) {
      probe.bind(new InetSocketAddress("127.0.0.2", local.getAddress().getPort()));
    }
  }
}
