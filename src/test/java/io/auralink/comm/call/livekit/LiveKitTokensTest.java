package io.auralink.comm.call.livekit;

import io.auralink.comm.call.MatrixRtcNames;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Join and server tokens carry exactly the claims LiveKit reads, and LiveKit's own verifier accepts them. */
class LiveKitTokensTest {

  private static final String KEY = "APIauralinktest";
  private static final String SECRET = "livekit-test-secret-0123456789-abcdefghijklmnop";
  /** LiveKit's TokenVerifier, from shared/peers (CI has it beside the repository). */
  private static final Path VERIFIER = Path.of("../shared/peers/node/run.sh");

  private final Instant now = Instant.now();
  private final LiveKitTokens tokens = new LiveKitTokens(KEY, SECRET, Duration.ofMinutes(10), Duration.ofSeconds(10),
    Clock.fixed(now, ZoneOffset.UTC));

  private static JsonObject claims(String token) {
    String[] parts = token.split("\\.");
    assertEquals(3, parts.length);
    assertEquals(new JsonObject().put("alg", "HS256").put("typ", "JWT"),
      new JsonObject(new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8)));
    return new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
  }

  @Test
  void a_join_token_is_for_one_room_and_one_device_without_admin_grants() {
    String identity = LiveKitTokens.identity("@alice.aura", "phone");
    JsonObject claims = claims(tokens.join("call-123", identity, "Alice",
      new JsonObject().put("aura_id", "@alice.aura").put("call_id", "123")));
    assertEquals(KEY, claims.getString("iss"));
    assertEquals("@alice.aura#phone", claims.getString("sub"));
    assertEquals("Alice", claims.getString("name"));
    assertEquals("{\"aura_id\":\"@alice.aura\",\"call_id\":\"123\"}", claims.getString("metadata"), "a string");
    assertEquals(now.getEpochSecond() - 10, claims.getLong("nbf"), "backdated by the skew allowance");
    assertEquals(now.getEpochSecond() + 600, claims.getLong("exp"));
    JsonObject video = claims.getJsonObject("video");
    assertEquals(new JsonObject().put("room", "call-123").put("roomJoin", true).put("canPublish", true)
      .put("canSubscribe", true).put("canPublishData", true), video);
    assertNull(video.getValue("roomAdmin"));
    assertNull(video.getValue("roomCreate"));
  }

  @Test
  void a_matrix_rtc_token_grants_what_lk_jwt_service_grants_plus_our_auraid() {
    JsonObject plain = claims(tokens.matrixRtcJoin("room-hash", "identity-hash", java.util.Optional.empty()));
    assertEquals("identity-hash", plain.getString("sub"));
    assertEquals(new JsonObject().put("room", "room-hash").put("roomJoin", true).put("canPublish", true)
      .put("canSubscribe", true).put("canUpdateOwnMetadata", true), plain.getJsonObject("video"));
    assertNull(plain.getValue("name"));
    assertNull(plain.getValue("metadata"));
    assertEquals(now.getEpochSecond() + 600, plain.getLong("exp"), "our join-token TTL");
    JsonObject ours = claims(tokens.matrixRtcJoin("room-hash", "identity-hash", java.util.Optional.of("@bob.aura")));
    assertEquals("@bob.aura", ours.getString("name"));
    assertEquals("{\"aura_id\":\"@bob.aura\"}", ours.getString("metadata"));
  }

  @Test
  void two_devices_of_one_person_get_different_identities() {
    assertNotEquals(LiveKitTokens.identity("@alice.aura", "phone"), LiveKitTokens.identity("@alice.aura", "laptop"));
  }

  @Test
  void server_tokens_grant_room_creation_or_one_room_s_administration_briefly() {
    JsonObject create = claims(tokens.roomCreate());
    assertEquals(new JsonObject().put("roomCreate", true), create.getJsonObject("video"));
    assertEquals(now.getEpochSecond() + 60, create.getLong("exp"));
    JsonObject admin = claims(tokens.roomAdmin("call-123"));
    assertEquals(new JsonObject().put("roomAdmin", true).put("room", "call-123"), admin.getJsonObject("video"));
  }

  @Test
  void livekit_s_own_verifier_accepts_our_tokens_and_refuses_a_tampered_one() throws Exception {
    assumeTrue(Files.isExecutable(VERIFIER), "LiveKit's verifier (shared/peers) is not beside the repository");
    LiveKitTokens live = new LiveKitTokens(KEY, SECRET, Duration.ofMinutes(10), Duration.ofSeconds(10),
      Clock.systemUTC());
    String token = live.join("call-123", LiveKitTokens.identity("@alice.aura", "phone"), "Alice",
      new JsonObject().put("aura_id", "@alice.aura"));
    Verdict accepted = verify(token, SECRET);
    assertEquals(0, accepted.exit, accepted.output);
    JsonObject verified = new JsonObject(accepted.output);
    assertEquals("@alice.aura#phone", verified.getString("sub"));
    assertEquals("call-123", verified.getJsonObject("video").getString("room"));
    assertTrue(verified.getJsonObject("video").getBoolean("roomJoin"));

    assertNotEquals(0, verify(token, SECRET + "x").exit, "another secret");
    Verdict matrixRtc = verify(live.matrixRtcJoin(MatrixRtcNames.room("!r:localhost", MatrixRtcNames.LEGACY_SLOT),
      "@bob:localhost:DEVICE", java.util.Optional.of("@bob.aura")), SECRET);
    assertEquals(0, matrixRtc.exit, matrixRtc.output);
    String[] parts = token.split("\\.");
    String forged = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(
      claims(token).put("video", new JsonObject().put("roomAdmin", true).put("room", "call-123")).encode()
        .getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
    Verdict refused = verify(forged, SECRET);
    assertNotEquals(0, refused.exit, "changed grants under the old signature: " + refused.output);
    assertFalse(refused.output.contains("roomAdmin\": true"));
  }

  private record Verdict(int exit, String output) {
  }

  private static Verdict verify(String token, String secret) throws IOException, InterruptedException {
    Process process = new ProcessBuilder("bash", VERIFIER.toString(), "livekit-verify.mjs", token, KEY, secret)
      .redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(90, TimeUnit.SECONDS), "the verifier did not finish");
    // run.sh may print set-up lines (npm) before the verifier's JSON.
    int json = output.indexOf('{');
    return new Verdict(process.exitValue(), json < 0 ? output : output.substring(json));
  }
}
