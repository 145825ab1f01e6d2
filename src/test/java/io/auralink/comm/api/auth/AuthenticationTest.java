package io.auralink.comm.api.auth;

import io.auralink.comm.api.ApiException;
import io.auralink.comm.testing.Await;
import io.auralink.comm.testing.Tokens;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** Token verification below HTTP: the verified-token cache never outlives a token. */
class AuthenticationTest {

  private static final String SECRET = "authentication-test-secret-0123456789-abcdef";
  private static Vertx vertx;
  private static Authentication authentication;
  private static Tokens tokens;

  @BeforeAll
  static void setUp() {
    vertx = Vertx.vertx();
    JWTAuth jwt = JWTAuth.create(vertx, new JWTAuthOptions()
      .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(SECRET))
      .setJWTOptions(new JWTOptions().setIssuer(Tokens.ISSUER).setAudience(List.of(Tokens.AUDIENCE))
        .setIgnoreExpiration(true)));
    authentication = new Authentication(jwt, List.of("HS256"), Duration.ZERO);
    tokens = new Tokens(vertx);
  }

  @AfterAll
  static void tearDown() {
    Await.result(vertx.close());
  }

  @Test
  void a_cached_token_is_refused_once_it_expires() throws InterruptedException {
    JsonObject claims = Tokens.service("short-lived").put("exp", Instant.now().getEpochSecond() + 2);
    String header = "Bearer " + tokens.hs256(claims, SECRET);

    assertEquals("short-lived", Await.result(authentication.authenticate(header)).subject());
    assertEquals("short-lived", Await.result(authentication.authenticate(header)).subject(), "served from the cache");

    Thread.sleep(Duration.ofSeconds(3).toMillis());
    ApiException expired = assertInstanceOf(ApiException.class, Await.failure(authentication.authenticate(header)));
    assertEquals(401, expired.status());
    assertEquals("token expired", expired.getMessage());
  }

  @Test
  void a_token_that_failed_is_never_cached_as_good() {
    String forged = "Bearer " + tokens.hs256(Tokens.service("forger"), "some-other-secret-0123456789-abcdefghijkl");
    for (int attempt = 0; attempt < 2; attempt++) {
      ApiException refused = assertInstanceOf(ApiException.class, Await.failure(authentication.authenticate(forged)));
      assertEquals("INVALID_TOKEN", refused.code());
    }
  }
}
