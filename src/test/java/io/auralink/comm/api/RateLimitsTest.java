package io.auralink.comm.api;

import io.auralink.comm.node.Node;
import io.auralink.comm.testing.Http;
import io.auralink.comm.testing.TestNodes;
import io.auralink.comm.testing.Tokens;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The edge's rate limits on one node with small quotas: headers on every limited answer, 429 with Retry-After once a
 * quota is spent, per-operation overrides with buckets of their own, shadow mode, the anonymous limit per client
 * address, and the exempt operations. Every test uses principals of its own, so that buckets do not mix.
 */
class RateLimitsTest {

  private static Node node;
  private static Http http;
  private static Tokens tokens;

  @BeforeAll
  static void startNode() {
    Map<String, String> settings = TestNodes.settings("rate_limits");
    settings.put("AURALINK_RATE_LIMIT_USER", "5/1m");
    settings.put("AURALINK_RATE_LIMIT_SERVICE", "8/1m");
    settings.put("AURALINK_RATE_LIMIT_ANONYMOUS", "4/1m");
    settings.put("AURALINK_RATE_LIMIT_OPERATIONS", "whoami.service=3/1m, echo.service=2/1m shadow");
    node = TestNodes.start(settings);
    http = new Http(node.vertx(), Integer.parseInt(settings.get("AURALINK_HTTP_PORT")));
    tokens = new Tokens(node.vertx());
  }

  @AfterAll
  static void stopNode() {
    http.close();
    TestNodes.stop(node);
  }

  @Test
  void an_admitted_request_says_its_policy_and_what_is_left() {
    String token = tokens.hs256(Tokens.user("@rlheaders.aura"));
    long before = Instant.now().getEpochSecond();
    HttpResponse<Buffer> first = http.get("/internal/whoami", token);
    assertEquals(200, first.statusCode(), first.bodyAsString());
    assertEquals("\"user\";q=5;w=60", first.getHeader("RateLimit-Policy"));
    assertEquals("5", first.getHeader("X-RateLimit-Limit"));
    assertEquals("4", first.getHeader("X-RateLimit-Remaining"));
    Matcher state = Pattern.compile("^\"user\";r=(\\d+);t=(\\d+)$").matcher(first.getHeader("RateLimit"));
    assertTrue(state.matches(), first.getHeader("RateLimit"));
    assertEquals(4, Integer.parseInt(state.group(1)));
    long t = Long.parseLong(state.group(2));
    assertTrue(t >= 59 && t <= 60, "the request just counted leaves the window in a minute: " + t);
    long reset = Long.parseLong(first.getHeader("X-RateLimit-Reset"));
    assertTrue(reset >= before + 59 && reset <= Instant.now().getEpochSecond() + 61, "epoch seconds: " + reset);

    HttpResponse<Buffer> second = http.get("/internal/whoami", token);
    assertEquals("3", second.getHeader("X-RateLimit-Remaining"));
  }

  @Test
  void a_spent_quota_is_429_rate_limited_with_retry_after() {
    String token = tokens.hs256(Tokens.user("@rlspent.aura"));
    for (int i = 0; i < 5; i++) {
      assertEquals(200, http.get("/internal/whoami", token).statusCode());
    }
    HttpResponse<Buffer> refused = http.get("/internal/whoami", token);
    assertEquals(429, refused.statusCode(), refused.bodyAsString());
    JsonObject error = Http.error(refused);
    assertEquals("RATE_LIMITED", error.getString("code"));
    assertEquals("user", error.getJsonObject("details").getString("limit"));
    assertEquals(5, error.getJsonObject("details").getInteger("quota"));
    long retryAfter = error.getJsonObject("details").getLong("retry_after_seconds");
    assertTrue(retryAfter >= 1 && retryAfter <= 60, "retry after " + retryAfter);
    assertEquals(String.valueOf(retryAfter), refused.getHeader("Retry-After"));
    assertEquals("0", refused.getHeader("X-RateLimit-Remaining"));
    assertTrue(refused.getHeader("RateLimit").startsWith("\"user\";r=0;t="), refused.getHeader("RateLimit"));
    assertNotNull(error.getString("request_id"));

    // Refused requests are not counted: another user is unaffected, and the quota is the caller's alone.
    assertEquals(200, http.get("/internal/whoami", tokens.hs256(Tokens.user("@rlother.aura"))).statusCode());
  }

  @Test
  void an_operation_override_has_its_own_quota_and_bucket() {
    String token = tokens.hs256(Tokens.service("rl-override", "cluster:read"));
    for (int i = 0; i < 3; i++) {
      HttpResponse<Buffer> admitted = http.get("/internal/whoami", token);
      assertEquals(200, admitted.statusCode());
      assertEquals("\"whoami.service\";q=3;w=60", admitted.getHeader("RateLimit-Policy"));
    }
    HttpResponse<Buffer> refused = http.get("/internal/whoami", token);
    assertEquals(429, refused.statusCode());
    assertEquals("whoami.service", Http.error(refused).getJsonObject("details").getString("limit"));

    // The service's default quota (8) is untouched by the override's requests.
    HttpResponse<Buffer> other = http.get("/internal/cluster", token);
    assertEquals(200, other.statusCode(), other.bodyAsString());
    assertEquals("\"service\";q=8;w=60", other.getHeader("RateLimit-Policy"));
    assertEquals("7", other.getHeader("X-RateLimit-Remaining"));
  }

  @Test
  void a_shadow_limit_counts_and_measures_but_never_refuses() {
    String token = tokens.hs256(Tokens.service("rl-shadow"));
    double before = metric("echo.service", "shadow_limited");
    for (int i = 0; i < 5; i++) {
      HttpResponse<Buffer> response = http.post("/internal/echo", token, new JsonObject().put("message", "m" + i));
      assertEquals(200, response.statusCode(), response.bodyAsString());
      assertNull(response.getHeader("RateLimit"), "a limit in shadow mode is not announced");
    }
    assertEquals(before + 3, metric("echo.service", "shadow_limited"), "two within the quota, three beyond it");
    assertTrue(metric("echo.service", "admitted") >= 2);
  }

  @Test
  void without_a_token_the_client_address_is_limited_and_health_is_exempt() {
    // The anonymous quota is per address: every request of this test comes from 127.0.0.1, and only this test makes
    // anonymous requests to limited operations.
    for (int i = 0; i < 4; i++) {
      HttpResponse<Buffer> response = http.get("/internal/verifications/oauth/callback?state=s&code=c");
      assertEquals("\"anonymous\";q=4;w=60", response.getHeader("RateLimit-Policy"), response.bodyAsString());
    }
    HttpResponse<Buffer> refused = http.get("/internal/verifications/oauth/callback?state=s&code=c");
    assertEquals(429, refused.statusCode(), refused.bodyAsString());
    assertEquals("anonymous", Http.error(refused).getJsonObject("details").getString("limit"));

    for (int i = 0; i < 10; i++) {
      HttpResponse<Buffer> health = http.get("/health/live");
      assertEquals(200, health.statusCode());
      assertNull(health.getHeader("RateLimit-Policy"));
    }
    assertNull(http.get("/metrics").getHeader("RateLimit-Policy"));
  }

  /** The value of {@code auralink_rate_limit_requests_total} for a policy and decision (0 before its first count). */
  private static double metric(String policy, String decision) {
    String text = http.get("/metrics").bodyAsString();
    Matcher line = Pattern.compile("^auralink_rate_limit_requests_total\\{([^}]*)} (\\S+)$", Pattern.MULTILINE)
      .matcher(text);
    double total = 0;
    while (line.find()) {
      if (line.group(1).contains("policy=\"" + policy + "\"") && line.group(1).contains("decision=\"" + decision + "\"")) {
        total += Double.parseDouble(line.group(2));
      }
    }
    return total;
  }
}
