package io.auralink.comm.verification;

import io.auralink.comm.node.Node;
import io.auralink.comm.platform.storage.EmbeddedStores;
import io.auralink.comm.testing.Http;
import io.auralink.comm.testing.TestNodes;
import io.auralink.comm.testing.Tokens;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A node without working channels: an unconfigured method answers 503 CHANNEL_UNAVAILABLE and stores nothing; a
 * configured mail server that cannot be reached answers 502 DELIVERY_FAILED. Neither is ever "sent".
 */
class VerificationWithoutChannelsTest {

  private static Node node;
  private static Http http;
  private static Tokens tokens;
  private static String auraId;
  private static String mailUser;

  @BeforeAll
  static void start() {
    Map<String, String> settings = TestNodes.settings("verification_absent");
    // A mail server nobody listens on: configured, unreachable.
    settings.put("AURALINK_SMTP_HOST", "127.0.0.1");
    settings.put("AURALINK_SMTP_PORT", String.valueOf(EmbeddedStores.freePort()));
    settings.put("AURALINK_SMTP_SECURITY", "none");
    settings.put("AURALINK_SMTP_FROM", "verify@auralink.test");
    node = TestNodes.start(settings);
    http = new Http(node.vertx(), Integer.parseInt(settings.get("AURALINK_HTTP_PORT")));
    tokens = new Tokens(node.vertx());
    String registrar = tokens.hs256(Tokens.service("dashboard", "identity:write"));
    auraId = register(registrar, "absent_one");
    mailUser = register(registrar, "absent_two");
  }

  private static String register(String registrar, String username) {
    return http.register(registrar, username);
  }

  @AfterAll
  static void stop() {
    http.close();
    TestNodes.stop(node);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"phone,+14155550123", "document,", "social,google", "biometric,"})
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

  @Test
  void an_unreachable_mail_server_answers_502_and_the_challenge_is_undelivered() {
    String token = tokens.hs256(Tokens.user(mailUser));
    HttpResponse<Buffer> response = http.post("/internal/verifications", token, new JsonObject()
      .put("aura_id", mailUser).put("method", "email").put("destination", "someone@example.com"));
    assertEquals(502, response.statusCode(), response.bodyAsString());
    assertEquals("DELIVERY_FAILED", Http.error(response).getString("code"));
    HttpResponse<Buffer> listed = http.get("/internal/verifications?aura_id=" + mailUser, token);
    assertEquals("undelivered", listed.bodyAsJsonObject().getJsonArray("verifications").getJsonObject(0)
      .getString("status"));
  }
}
