package io.auralink.comm.api.auth;

import io.auralink.comm.api.ApiException;
import io.auralink.comm.platform.config.AppConfig;
import io.auralink.comm.platform.config.Settings;
import io.auralink.comm.testing.Await;
import io.vertx.core.Vertx;
import io.vertx.ext.auth.jwt.JWTAuth;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * Correctly signed tokens whose content is hostile: every one is a 401 {@code INVALID_TOKEN}, never a 500 (no
 * exception escapes authentication). The verifier is configured as a node's is ({@link JwtKeys#verification}), and
 * tokens are signed by hand so that their header and claims can be anything a client can write.
 */
@Timeout(60)
class HostileTokensTest {

  private static final String SECRET = "hostile-tokens-test-secret-0123456789-abcdef";
  private static final String ISS_AUD = "\"iss\":\"auralink\",\"aud\":\"auralink-comm\"";
  private static Vertx vertx;
  private static Authentication authentication;

  @BeforeAll
  static void setUp() {
    vertx = Vertx.vertx();
    AppConfig.Jwt config = AppConfig.Jwt.from(Settings.of(Map.of(AppConfig.Jwt.SECRET, SECRET)));
    JWTAuth jwt = JWTAuth.create(vertx, JwtKeys.verification(config));
    authentication = new Authentication(jwt, config.algorithms(), config.clockSkew(), config.maxUserTokenLifetime(),
      config.maxServiceTokenLifetime(), ClientCertificates.none());
  }

  @AfterAll
  static void tearDown() {
    Await.result(vertx.close());
  }

  /** An HS256 token over exactly this header and payload text. */
  static String signed(String header, String payload) {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String input = b64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
      + b64.encodeToString(payload.getBytes(StandardCharsets.UTF_8));
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return input + "." + b64.encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static String hs256(String payload) {
    return signed("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", payload);
  }

  private static long now() {
    return Instant.now().getEpochSecond();
  }

  static Stream<Arguments> hostileTokens() {
    long now = now();
    String service = "\"sub\":\"svc\"," + ISS_AUD;
    String user = "\"sub\":\"@alice.aura\"," + ISS_AUD;
    return Stream.of(
      Arguments.of("exp 2^63-1", hs256("{" + service + ",\"exp\":9223372036854775807}")),
      Arguments.of("exp 1e20", hs256("{" + service + ",\"exp\":1e20}")),
      Arguments.of("exp beyond a long", hs256("{" + service + ",\"exp\":123456789012345678901234567890}")),
      Arguments.of("exp a string", hs256("{" + service + ",\"exp\":\"tomorrow\"}")),
      Arguments.of("exp a boolean", hs256("{" + service + ",\"exp\":true}")),
      Arguments.of("exp an object", hs256("{" + service + ",\"exp\":{\"a\":1}}")),
      Arguments.of("exp negative", hs256("{" + service + ",\"exp\":-1}")),
      Arguments.of("exp min long", hs256("{" + service + ",\"exp\":-9223372036854775808}")),
      Arguments.of("nbf a string", hs256("{" + service + ",\"exp\":" + (now + 60) + ",\"nbf\":\"now\"}")),
      Arguments.of("iat 1e300", hs256("{" + service + ",\"exp\":" + (now + 60) + ",\"iat\":1e300}")),
      Arguments.of("iat far past, exp near", hs256("{" + service + ",\"exp\":" + (now + 60) + ",\"iat\":-9223372036854775808}")),
      Arguments.of("user token living 25 h", hs256("{" + user + ",\"iat\":" + now + ",\"exp\":" + (now + 25 * 3600) + "}")),
      Arguments.of("user token without iat living 25 h", hs256("{" + user + ",\"exp\":" + (now + 25 * 3600) + "}")),
      Arguments.of("service token living 31 days", hs256("{" + service + ",\"exp\":" + (now + 31 * 86400) + "}")),
      Arguments.of("crit naming an unknown extension",
        signed("{\"alg\":\"HS256\",\"crit\":[\"exp-v2\"],\"exp-v2\":1}", "{" + service + ",\"exp\":" + (now + 60) + "}")),
      Arguments.of("crit empty", signed("{\"alg\":\"HS256\",\"crit\":[]}", "{" + service + ",\"exp\":" + (now + 60) + "}")),
      Arguments.of("crit not a list", signed("{\"alg\":\"HS256\",\"crit\":\"b64\"}", "{" + service + ",\"exp\":" + (now + 60) + "}")),
      Arguments.of("alg a number", signed("{\"alg\":5}", "{" + service + ",\"exp\":" + (now + 60) + "}")),
      Arguments.of("header a list", signed("[\"HS256\"]", "{" + service + ",\"exp\":" + (now + 60) + "}")),
      Arguments.of("payload no JSON", hs256("not json at all")),
      Arguments.of("payload a list", hs256("[1,2,3]")),
      Arguments.of("payload nested 5000 deep", hs256("{" + service + ",\"exp\":" + (now + 60) + ",\"x\":"
        + "[".repeat(5000) + "]".repeat(5000) + "}")),
      Arguments.of("service sub with a newline", hs256("{\"sub\":\"svc\\nINFO forged line\"," + ISS_AUD + ",\"exp\":" + (now + 60) + "}")),
      Arguments.of("service sub with an escape", hs256("{\"sub\":\"svc\\u001b[2J\"," + ISS_AUD + ",\"exp\":" + (now + 60) + "}")),
      Arguments.of("service sub too long", hs256("{\"sub\":\"" + "s".repeat(65) + "\"," + ISS_AUD + ",\"exp\":" + (now + 60) + "}")),
      Arguments.of("sub a number", hs256("{\"sub\":42," + ISS_AUD + ",\"exp\":" + (now + 60) + "}")),
      Arguments.of("sub a list", hs256("{\"sub\":[\"svc\"]," + ISS_AUD + ",\"exp\":" + (now + 60) + "}")),
      Arguments.of("scope with a newline", hs256("{" + service + ",\"exp\":" + (now + 60) + ",\"scope\":[\"a:b\\nc\"]}")),
      Arguments.of("scope a number", hs256("{" + service + ",\"exp\":" + (now + 60) + ",\"scope\":7}")),
      Arguments.of("scope string with a tab", hs256("{" + service + ",\"exp\":" + (now + 60) + ",\"scope\":\"a:b\\tc:d\"}")),
      Arguments.of("iss a number", hs256("{\"sub\":\"svc\",\"iss\":1,\"aud\":\"auralink-comm\",\"exp\":" + (now + 60) + "}")),
      Arguments.of("aud an object", hs256("{\"sub\":\"svc\",\"iss\":\"auralink\",\"aud\":{},\"exp\":" + (now + 60) + "}")),
      Arguments.of("signature missing", hs256("{" + service + ",\"exp\":" + (now + 60) + "}").replaceAll("\\.[^.]*$", ".")),
      Arguments.of("not base64", "@@@.###.$$$"),
      Arguments.of("only dots", ".."));
  }

  @ParameterizedTest(name = "{0}: 401")
  @MethodSource("hostileTokens")
  void a_hostile_token_is_a_401_never_a_failure_of_another_kind(String name, String token) {
    ApiException refused = assertInstanceOf(ApiException.class,
      Await.failure(authentication.authenticate("Bearer " + token)), name);
    assertEquals(401, refused.status(), name + ": " + refused.getMessage());
    assertEquals("INVALID_TOKEN", refused.code(), name);
  }

  @Test
  void tokens_within_the_lifetimes_and_grammars_are_accepted() {
    long now = now();
    assertEquals("@alice.aura", Await.result(authentication.authenticate("Bearer " + hs256("{\"sub\":\"@alice.aura\","
      + ISS_AUD + ",\"iat\":" + now + ",\"exp\":" + (now + 23 * 3600) + "}"))).subject());
    Principal service = Await.result(authentication.authenticate("Bearer " + hs256("{\"sub\":\"billing-api.v2\","
      + ISS_AUD + ",\"exp\":" + (now + 29 * 86400) + ",\"scope\":\"identity:read https://auralink.test/x\"}")));
    assertEquals("billing-api.v2", service.subject());
    assertEquals(2, service.scopes().size());
  }
}
