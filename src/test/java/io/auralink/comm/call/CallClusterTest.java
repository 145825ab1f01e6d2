package io.auralink.comm.call;

import io.auralink.comm.node.Node;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Two members with every role on one database: answers arriving at both at the same moment (exactly one wins), and
 * a ringing call whose member is gone still ends as missed, swept by the other.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CallClusterTest {

  private static final AtomicInteger NAMES = new AtomicInteger();

  private static Node first;
  private static Node second;
  private static Http firstHttp;
  private static Http secondHttp;
  private static Tokens tokens;

  @BeforeAll
  static void startTwoMembers() {
    String cluster = "auralink-test-" + UUID.randomUUID();
    int firstPort = EmbeddedStores.freePort();
    int secondPort = EmbeddedStores.freePort();
    String members = "127.0.0.1:" + firstPort + ",127.0.0.1:" + secondPort;
    Map<String, String> firstSettings = TestNodes.settings("call_cluster", cluster, firstPort, members);
    firstSettings.put("AURALINK_CALL_SWEEP_INTERVAL", "200ms");
    first = TestNodes.start(firstSettings);
    Map<String, String> secondSettings = TestNodes.settings("call_cluster_b", cluster, secondPort, members);
    secondSettings.put("AURALINK_DATABASE_URL", firstSettings.get("AURALINK_DATABASE_URL"));
    secondSettings.put("AURALINK_CALL_SWEEP_INTERVAL", "200ms");
    second = TestNodes.start(secondSettings);
    firstHttp = new Http(first.vertx(), Integer.parseInt(firstSettings.get("AURALINK_HTTP_PORT")));
    secondHttp = new Http(second.vertx(), Integer.parseInt(secondSettings.get("AURALINK_HTTP_PORT")));
    tokens = new Tokens(first.vertx());
  }

  @AfterAll
  static void stopMembers() {
    firstHttp.close();
    if (secondHttp != null) {
      secondHttp.close();
    }
    TestNodes.stop(second);
    TestNodes.stop(first);
  }

  private static String person() {
    String username = "cc_" + NAMES.incrementAndGet();
    String registrar = tokens.hs256(Tokens.service("dashboard", "identity:write"));
    return firstHttp.register(registrar, username);
  }

  private static String user(String auraId) {
    return tokens.hs256(Tokens.user(auraId));
  }

  private static JsonObject call(Http http, String id, String token) {
    HttpResponse<Buffer> response = http.get("/internal/calls/" + id, token);
    assertEquals(200, response.statusCode(), response.bodyAsString());
    return response.bodyAsJsonObject();
  }

  @Test
  @Order(1)
  void answers_at_two_members_at_the_same_moment_make_exactly_one_winner() {
    String alice = person();
    String bob = person();
    for (int round = 0; round < 5; round++) {
      HttpResponse<Buffer> invited = firstHttp.post("/internal/calls", user(alice),
        new JsonObject().put("callee_aura_id", bob).put("device_id", "phone"));
      assertEquals(201, invited.statusCode(), invited.bodyAsString());
      String id = invited.bodyAsJsonObject().getString("call_id");
      List<Future<HttpResponse<Buffer>>> answers = new ArrayList<>();
      int k = 0;
      for (Http member : List.of(firstHttp, secondHttp)) {
        answers.add(member.request(HttpMethod.POST, "/internal/calls/" + id + "/answer")
          .bearerTokenAuthentication(user(bob)).sendJsonObject(new JsonObject().put("device_id", "device-" + k++)));
      }
      Await.result(Future.join(new ArrayList<>(answers)));
      assertEquals(List.of(200, 409), answers.stream().map(f -> f.result().statusCode()).sorted().toList(),
        "round " + round);
      assertEquals("answered", call(secondHttp, id, user(alice)).getString("state"));
    }
  }

  @Test
  @Order(2)
  void a_ringing_call_ends_as_missed_after_the_member_that_started_it_is_gone() {
    String alice = person();
    String bob = person();
    HttpResponse<Buffer> invited = secondHttp.post("/internal/calls", user(alice),
      new JsonObject().put("callee_aura_id", bob).put("device_id", "phone").put("ring_seconds", 2));
    assertEquals(201, invited.statusCode(), invited.bodyAsString());
    String id = invited.bodyAsJsonObject().getString("call_id");
    secondHttp.close();
    secondHttp = null;
    TestNodes.stop(second);
    second = null;
    Await.until(Duration.ofSeconds(15), "missed, swept by the remaining member",
      () -> "missed".equals(call(firstHttp, id, user(bob)).getString("state")));
    assertEquals("ring_timeout", call(firstHttp, id, user(bob)).getString("end_reason"));
  }
}
