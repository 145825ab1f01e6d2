package io.auralink.comm.verification;

import io.auralink.comm.node.Node;
import io.auralink.comm.testing.Http;
import io.auralink.comm.testing.TestNodes;
import io.auralink.comm.testing.Tokens;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A node with no channel configured: every method answers 503 CHANNEL_UNAVAILABLE, never "sent", and stores nothing. */
class VerificationWithoutChannelsTest {

  private static Node node;
  private static Http http;
  private static Tokens tokens;
  private static String auraId;

  @BeforeAll
  static void start() {
    Map<String, String> settings = TestNodes.settings("verification_absent");
    node = TestNodes.start(settings);
    http = new Http(node.vertx(), Integer.parseInt(settings.get("AURALINK_HTTP_PORT")));
    tokens = new Tokens(node.vertx());
    String registrar = tokens.hs256(Tokens.service("dashboard", "identity:write"));
    HttpResponse<Buffer> registered = http.post("/internal/auraid", registrar,
      new JsonObject().put("username", "absent_one").put("user_id", "acct-absent"));
    assertEquals(201, registered.statusCode(), registered.bodyAsString());
    auraId = registered.bodyAsJsonObject().getString("aura_id");
  }

  @AfterAll
  static void stop() {
    http.close();
    TestNodes.stop(node);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"email,someone@example.com", "phone,+14155550123", "document,", "social,google", "biometric,"})
  void an_unconfigured_channel_answers_503_and_nothing_is_stored(String method, String destination) {
    JsonObject body = new JsonObject().put("aura_id", auraId).put("method", method);
    if (destination != null) {
      body.put("destination", destination);
    }
    HttpResponse<Buffer> response = http.post("/internal/verifications", tokens.hs256(Tokens.user(auraId)), body);
    assertEquals(503, response.statusCode(), response.bodyAsString());
    assertEquals("CHANNEL_UNAVAILABLE", Http.error(response).getString("code"));
    HttpResponse<Buffer> listed = http.get("/internal/verifications?aura_id=" + auraId,
      tokens.hs256(Tokens.user(auraId)));
    assertEquals(0, listed.bodyAsJsonObject().getJsonArray("verifications").size());
  }
}
