package io.auralink.comm.matrix;

import io.auralink.comm.node.Node;
import io.auralink.comm.platform.storage.EmbeddedStores;
import io.auralink.comm.testing.Await;
import io.auralink.comm.testing.Http;
import io.auralink.comm.testing.TestNodes;
import io.auralink.comm.testing.Tokens;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Presence unreachable (no member runs it) never refuses a Matrix call: a callee whose devices cannot be known is
 * rung as before, and nothing is sent into Matrix.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MatrixVoipPresenceOutageTest {

  private static final String HS_TOKEN = FakeHomeserver.HS_TOKEN;

  @Test
  void without_presence_a_legacy_call_rings_as_before() {
    FakeHomeserver homeserver = new FakeHomeserver();
    Map<String, String> settings = TestNodes.settings("matrix_no_presence");
    int asPort = EmbeddedStores.freePort();
    settings.put("AURALINK_ROLES", "api,identity,trust,mesh,call,notification,matrix");
    homeserver.bridge(settings, asPort);
    Node node = TestNodes.start(settings);
    Http http = new Http(node.vertx(), Integer.parseInt(settings.get("AURALINK_HTTP_PORT")));
    WebClient as = WebClient.create(node.vertx(), new WebClientOptions().setDefaultHost("127.0.0.1")
      .setDefaultPort(asPort));
    try {
      Tokens tokens = new Tokens(node.vertx());
      String registrar = tokens.hs256(Tokens.service("dashboard", "identity:write"));
      String reader = tokens.hs256(Tokens.service("hub", "calls:read"));
      String alice = http.register(registrar, "po_alice");
      String bob = http.register(registrar, "po_bob");
      String room = "!outage:localhost";
      JsonObject invite = new JsonObject().put("type", "m.call.invite").put("room_id", room)
        .put("sender", "@po_alice_aura:localhost").put("event_id", "$outage-invite")
        .put("origin_server_ts", System.currentTimeMillis())
        .put("content", new JsonObject().put("call_id", "o1").put("version", "1").put("lifetime", 60_000)
          .put("invitee", "@po_bob_aura:localhost").put("party_id", "ALICEDEV")
          .put("offer", new JsonObject().put("type", "offer").put("sdp", "v=0")));
      assertEquals(200, Await.result(as.put("/_matrix/app/v1/transactions/outage-1").bearerTokenAuthentication(HS_TOKEN)
        .sendJsonObject(new JsonObject().put("events", new JsonArray().add(invite)))).statusCode());

      Await.until(Duration.ofSeconds(30), "the call to ring", () -> {
        JsonArray calls = http.get("/internal/calls?aura_id=" + bob, reader).bodyAsJsonObject().getJsonArray("calls");
        return calls.size() == 1 && "ringing".equals(calls.getJsonObject(0).getString("state"));
      });
      JsonObject call = http.get("/internal/calls?aura_id=" + bob, reader).bodyAsJsonObject().getJsonArray("calls")
        .getJsonObject(0);
      assertEquals(alice, call.getString("caller_aura_id"));
      assertEquals(0, homeserver.sent.stream().filter(e -> room.equals(e.getString("room_id"))).count(),
        "nothing refused in Matrix");
    } finally {
      as.close();
      http.close();
      TestNodes.stop(node);
      homeserver.close();
    }
  }
}
