package io.auralink.comm.call.livekit;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Webhooks are accepted only when signed by our key and secret, in time, over exactly this body. */
class LiveKitWebhooksTest {

  private static final String KEY = "APIauralinktest";
  private static final String SECRET = "livekit-test-secret-0123456789-abcdefghijklmnop";
  private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

  private final Instant now = Instant.parse("2026-12-01T10:00:00Z");
  private final LiveKitWebhooks webhooks = new LiveKitWebhooks(KEY, SECRET, Duration.ofSeconds(60),
    Clock.fixed(now, ZoneOffset.UTC));

  /** A participant_left event as LiveKit's protojson writes it (lowerCamelCase, int64 as strings). */
  private static final String BODY = new JsonObject()
    .put("event", "participant_left")
    .put("room", new JsonObject().put("sid", "RM_abc").put("name", "call-123").put("emptyTimeout", 300)
      .put("creationTime", "1764583200").put("numParticipants", 1))
    .put("participant", new JsonObject().put("sid", "PA_xyz").put("identity", "@alice.aura#phone")
      .put("name", "Alice").put("state", "DISCONNECTED").put("joinedAt", "1764583210"))
    .put("id", "EV_7f3a9c")
    .put("createdAt", "1764583260")
    .encode();

  /** Signs like livekit/protocol's webhook notifier: an access token valid 5 min carrying the body's SHA-256. */
  private String authorization(String body, String key, String secret, long issuedAt) throws Exception {
    String sha = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256")
      .digest(body.getBytes(StandardCharsets.UTF_8)));
    JsonObject claims = new JsonObject().put("iss", key).put("nbf", issuedAt).put("exp", issuedAt + 300)
      .put("sha256", sha).put("video", new JsonObject());
    return sign(new JsonObject().put("alg", "HS256").put("typ", "JWT"), claims, secret);
  }

  private static String sign(JsonObject header, JsonObject claims, String secret) throws Exception {
    String signed = B64URL.encodeToString(header.encode().getBytes(StandardCharsets.UTF_8)) + "."
      + B64URL.encodeToString(claims.encode().getBytes(StandardCharsets.UTF_8));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return signed + "." + B64URL.encodeToString(mac.doFinal(signed.getBytes(StandardCharsets.US_ASCII)));
  }

  private String refusal(String authorization, String body) {
    return assertThrows(LiveKitWebhooks.Rejected.class,
      () -> webhooks.verify(authorization, Buffer.buffer(body))).getMessage();
  }

  @Test
  void a_signed_event_is_read_with_its_id_room_and_participant() throws Exception {
    LiveKitWebhooks.WebhookEvent event = webhooks.verify(authorization(BODY, KEY, SECRET, now.getEpochSecond()),
      Buffer.buffer(BODY));
    assertEquals("EV_7f3a9c", event.id());
    assertEquals("participant_left", event.event());
    assertEquals(Instant.ofEpochSecond(1764583260L), event.createdAt().orElseThrow());
    assertEquals(new LiveKitWebhooks.Room("call-123", "RM_abc", 1), event.room().orElseThrow());
    assertEquals(new LiveKitWebhooks.Participant("@alice.aura#phone", "PA_xyz", "Alice"),
      event.participant().orElseThrow());
    assertEquals("DISCONNECTED", event.body().getJsonObject("participant").getString("state"));
  }

  @Test
  void an_event_without_room_or_participant_and_zero_values_omitted_is_read() throws Exception {
    String body = "{\"event\":\"room_started\",\"room\":{\"name\":\"call-9\"},\"id\":\"EV_1\"}";
    LiveKitWebhooks.WebhookEvent event = webhooks.verify(authorization(body, KEY, SECRET, now.getEpochSecond()),
      Buffer.buffer(body));
    assertEquals(new LiveKitWebhooks.Room("call-9", "", 0), event.room().orElseThrow());
    assertTrue(event.participant().isEmpty());
    assertTrue(event.createdAt().isEmpty());
  }

  @Test
  void another_secret_is_refused() throws Exception {
    assertEquals("the Authorization token's signature does not match our API secret",
      refusal(authorization(BODY, KEY, SECRET + "x", now.getEpochSecond()), BODY));
  }

  @Test
  void another_api_key_as_issuer_is_refused() throws Exception {
    assertEquals("the Authorization token is not issued by our API key",
      refusal(authorization(BODY, "APIother", SECRET, now.getEpochSecond()), BODY));
  }

  @Test
  void an_expired_token_is_refused_beyond_the_leeway_and_accepted_within_it() throws Exception {
    assertTrue(refusal(authorization(BODY, KEY, SECRET, now.getEpochSecond() - 361), BODY).contains("expired"));
    webhooks.verify(authorization(BODY, KEY, SECRET, now.getEpochSecond() - 359), Buffer.buffer(BODY));
  }

  @Test
  void a_token_from_the_future_is_refused() throws Exception {
    assertEquals("the Authorization token is not valid yet",
      refusal(authorization(BODY, KEY, SECRET, now.getEpochSecond() + 120), BODY));
  }

  @Test
  void a_tampered_body_is_refused() throws Exception {
    String auth = authorization(BODY, KEY, SECRET, now.getEpochSecond());
    assertEquals("the body does not match the token's sha256 claim",
      refusal(auth, BODY.replace("participant_left", "participant_joined")));
    assertEquals("the body does not match the token's sha256 claim", refusal(auth, BODY + " "));
  }

  @Test
  void a_missing_authorization_header_is_refused() {
    assertEquals("the Authorization header is missing", refusal(null, BODY));
    assertEquals("the Authorization header is missing", refusal(" ", BODY));
  }

  @Test
  void a_bearer_prefix_is_tolerated() throws Exception {
    String auth = authorization(BODY, KEY, SECRET, now.getEpochSecond());
    assertEquals("EV_7f3a9c", webhooks.verify("Bearer " + auth, Buffer.buffer(BODY)).id());
  }

  @Test
  void unsigned_or_malformed_tokens_are_refused() throws Exception {
    JsonObject claims = new JsonObject().put("iss", KEY).put("exp", now.getEpochSecond() + 300)
      .put("sha256", "x");
    String none = B64URL.encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8)) + "."
      + B64URL.encodeToString(claims.encode().getBytes(StandardCharsets.UTF_8)) + ".";
    assertEquals("the Authorization token is not signed HS256", refusal(none, BODY));
    assertEquals("the Authorization token is not a JWT", refusal("not-a-jwt", BODY));
    assertEquals("the Authorization token has no sha256 claim", refusal(sign(
      new JsonObject().put("alg", "HS256"), claims.copy().put("sha256", (String) null), SECRET), BODY));
    assertEquals("the Authorization token has no exp claim", refusal(sign(
      new JsonObject().put("alg", "HS256"), claims.copy().put("exp", (Long) null), SECRET), BODY));
  }

  @Test
  void a_signed_body_without_an_id_is_refused_since_events_are_deduplicated_by_it() throws Exception {
    String body = "{\"event\":\"room_finished\"}";
    assertEquals("the body has no id", refusal(authorization(body, KEY, SECRET, now.getEpochSecond()), body));
  }
}
