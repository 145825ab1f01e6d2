package io.auralink.comm.call.livekit;

import io.auralink.comm.testing.Await;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** OpenID tokens are verified by the homeserver that issued them, which may only vouch for its own users. */
class OpenIdVerifierTest {

  private static Vertx vertx;
  private static FakeUserinfo homeserver;
  private static OpenIdVerifier verifier;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    homeserver = new FakeUserinfo(vertx);
    verifier = new OpenIdVerifier(WebClient.create(vertx),
      Map.of("example.com", homeserver.baseUrl() + "/", "other.org", homeserver.baseUrl()), Duration.ofSeconds(2));
  }

  @AfterAll
  static void stop() {
    homeserver.close();
    Await.result(vertx.close());
  }

  private static MatrixError refusal(String token, String server) {
    Throwable failure = Await.failure(verifier.verify(token, server));
    assertTrue(failure instanceof MatrixError, String.valueOf(failure));
    MatrixError error = (MatrixError) failure;
    assertEquals(401, error.status());
    assertEquals("M_UNAUTHORIZED", error.errcode());
    return error;
  }

  @Test
  void a_valid_token_gives_its_user() {
    homeserver.subjects.put("tok-alice", "@alice:example.com");
    assertEquals("@alice:example.com", Await.result(verifier.verify("tok-alice", "example.com")));
  }

  @Test
  void the_token_travels_url_encoded() {
    homeserver.subjects.put("a+b/c=&d", "@dora:example.com");
    assertEquals("@dora:example.com", Await.result(verifier.verify("a+b/c=&d", "example.com")));
    assertTrue(homeserver.askedTokens.contains("a+b/c=&d"));
  }

  @Test
  void a_token_the_homeserver_does_not_know_is_unauthorized_with_its_errcode() {
    MatrixError error = refusal("tok-unknown", "example.com");
    assertEquals("The homeserver of example.com did not accept the OpenID token (HTTP 401 M_UNKNOWN_TOKEN)",
      error.getMessage());
    assertEquals("M_UNAUTHORIZED", error.toJson().getString("errcode"));
  }

  @Test
  void a_user_on_another_server_is_refused_even_when_the_homeserver_vouches_for_them() {
    homeserver.subjects.put("tok-mallory", "@mallory:example.com");
    assertEquals("The OpenID token names @mallory:example.com, who is not on other.org",
      refusal("tok-mallory", "other.org").getMessage());
  }

  @Test
  void an_answer_without_a_user_id_is_refused() {
    homeserver.subjects.put("tok-bad", "not-a-user-id");
    assertTrue(refusal("tok-bad", "example.com").getMessage().contains("without a Matrix user id"));
  }

  @Test
  void a_homeserver_that_does_not_answer_in_time_is_unauthorized() {
    homeserver.subjects.put("tok-slow", FakeUserinfo.SILENT);
    long started = System.nanoTime();
    MatrixError error = refusal("tok-slow", "example.com");
    assertEquals("The homeserver of example.com could not be asked to verify the OpenID token (no answer within"
      + " 2000 ms)", error.getMessage(), "the token is not repeated");
    assertTrue(Duration.ofNanos(System.nanoTime() - started).compareTo(Duration.ofSeconds(5)) < 0, "bounded");
  }

  @Test
  void an_unconfigured_server_is_refused_without_asking_anyone() {
    int asked = homeserver.askedTokens.size();
    assertEquals("OpenID tokens of evil.example are not accepted here: only configured homeservers are asked",
      refusal("tok-alice", "evil.example").getMessage());
    assertEquals(asked, homeserver.askedTokens.size());
  }

  @Test
  void an_unreachable_homeserver_is_unauthorized() {
    OpenIdVerifier nowhere = new OpenIdVerifier(WebClient.create(vertx), Map.of("gone.example", "http://127.0.0.1:1"),
      Duration.ofSeconds(1));
    MatrixError error = (MatrixError) Await.failure(nowhere.verify("tok", "gone.example"));
    assertEquals(401, error.status());
    assertTrue(error.getMessage().startsWith("The homeserver of gone.example could not be asked"));
  }
}
