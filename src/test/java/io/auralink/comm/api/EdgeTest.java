package io.auralink.comm.api;

import io.auralink.comm.node.Node;
import io.auralink.comm.testing.Http;
import io.auralink.comm.testing.TestNodes;
import io.auralink.comm.testing.TestStores;
import io.auralink.comm.testing.Tokens;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The HTTP edge of one node: authentication, scopes, validation, the error envelope, request ids and metrics. */
class EdgeTest {

  private static Node node;
  private static Http http;
  private static Tokens tokens;
  private static Tokens.Key rsa;
  private static Tokens.Key ec;

  @BeforeAll
  static void startNode() {
    Path keys = TestStores.tempDir();
    rsa = Tokens.rsa(keys);
    ec = Tokens.ec(keys);
    Map<String, String> settings = TestNodes.settings("edge");
    settings.put("AURALINK_JWT_PUBLIC_KEYS", rsa.publicFile() + "," + ec.publicFile());
    settings.put("AURALINK_CORS_ORIGINS", "https://console.auralink.test");
    settings.put("AURALINK_HTTP_MAX_BODY_BYTES", "4096");
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
  void liveness_needs_no_token() {
    HttpResponse<Buffer> response = http.get("/health/live");
    assertEquals(200, response.statusCode());
    assertEquals("UP", response.bodyAsJsonObject().getString("status"));
  }

  @Test
  void a_service_token_is_seen_as_that_service_with_its_scopes() {
    HttpResponse<Buffer> response = http.get("/internal/whoami", tokens.hs256(Tokens.service("dashboard", "a:b", "c:d")));
    assertEquals(200, response.statusCode());
    JsonObject principal = response.bodyAsJsonObject();
    assertEquals("service", principal.getString("kind"));
    assertEquals("dashboard", principal.getString("subject"));
    assertEquals(2, principal.getJsonArray("scopes").size());
  }

  @Test
  void a_user_token_acts_as_its_auraid() {
    HttpResponse<Buffer> response = http.get("/internal/whoami", tokens.hs256(Tokens.user("@alice.aura")));
    assertEquals(200, response.statusCode());
    assertEquals("@alice.aura", response.bodyAsJsonObject().getString("aura_id"));
  }

  @Test
  void rs256_tokens_verify_with_a_pem_public_key_and_es256_with_a_jwks_file() {
    assertEquals(200, http.get("/internal/whoami", tokens.sign(rsa.signing(), Tokens.service("rsa-svc"))).statusCode());
    assertEquals(200, http.get("/internal/whoami", tokens.sign(ec.signing(), Tokens.service("ec-svc"))).statusCode());
  }

  static Stream<Arguments> invalidTokens() {
    long now = Instant.now().getEpochSecond();
    return Stream.of(
      Arguments.of("missing", (Function<Tokens, String>) t -> null, "AUTH_REQUIRED"),
      Arguments.of("expired", (Function<Tokens, String>) t -> t.hs256(Tokens.service("s").put("exp", now - 3600)), "INVALID_TOKEN"),
      Arguments.of("not yet valid", (Function<Tokens, String>) t -> t.hs256(Tokens.service("s").put("nbf", now + 3600)), "INVALID_TOKEN"),
      Arguments.of("wrong issuer", (Function<Tokens, String>) t -> t.hs256(Tokens.service("s").put("iss", "evil")), "INVALID_TOKEN"),
      Arguments.of("wrong audience", (Function<Tokens, String>) t -> t.hs256(Tokens.service("s").put("aud", "other")), "INVALID_TOKEN"),
      Arguments.of("wrongly signed", (Function<Tokens, String>) t -> t.hs256(Tokens.service("s"), "another-secret-of-sufficient-length-000000"), "INVALID_TOKEN"),
      Arguments.of("alg none", (Function<Tokens, String>) t -> Tokens.unsigned(Tokens.service("s")), "INVALID_TOKEN"),
      Arguments.of("without expiry", (Function<Tokens, String>) t -> t.hs256(withoutExpiry()), "INVALID_TOKEN"),
      Arguments.of("null expiry", (Function<Tokens, String>) t -> t.hs256(Tokens.service("s").putNull("exp")), "INVALID_TOKEN"),
      Arguments.of("malformed", (Function<Tokens, String>) t -> "not-a-jwt", "INVALID_TOKEN"),
      Arguments.of("HS256 keyed with the RSA public key", (Function<Tokens, String>) t ->
        t.sign(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(rsa.publicPem()), Tokens.service("s")), "INVALID_TOKEN"),
      Arguments.of("user token whose sub is no AuraID", (Function<Tokens, String>) t -> t.hs256(Tokens.user("@Not An Id")), "INVALID_TOKEN"));
  }

  private static JsonObject withoutExpiry() {
    JsonObject claims = Tokens.service("s");
    claims.remove("exp");
    return claims;
  }

  @ParameterizedTest(name = "{0} token is 401")
  @MethodSource("invalidTokens")
  void an_invalid_token_is_401_with_www_authenticate(String name, Function<Tokens, String> token, String code) {
    HttpResponse<Buffer> response = http.get("/internal/whoami", token.apply(tokens));
    assertEquals(401, response.statusCode(), name);
    assertEquals(code, Http.error(response).getString("code"));
    String challenge = response.getHeader("WWW-Authenticate");
    assertNotNull(challenge);
    assertTrue(challenge.startsWith("Bearer realm=\"auralink\""));
    if (!"AUTH_REQUIRED".equals(code)) {
      assertTrue(challenge.contains("error=\"invalid_token\""), challenge);
    }
  }

  @Test
  void a_service_token_without_the_scope_is_403_naming_what_is_accepted() {
    HttpResponse<Buffer> response = http.get("/internal/cluster", tokens.hs256(Tokens.service("s", "other:scope")));
    assertEquals(403, response.statusCode());
    assertEquals("FORBIDDEN", Http.error(response).getString("code"));
    assertEquals("cluster:read", Http.error(response).getJsonObject("details").getJsonArray("accepted")
      .getJsonObject(0).getJsonArray("serviceToken").getString(0));
  }

  @Test
  void a_user_token_may_not_call_a_service_only_operation() {
    assertEquals(403, http.get("/internal/cluster", tokens.hs256(Tokens.user("@alice.aura"))).statusCode());
  }

  @Test
  void a_token_with_the_scope_passes() {
    HttpResponse<Buffer> response = http.get("/internal/cluster", tokens.hs256(Tokens.service("ops", "cluster:read")));
    assertEquals(200, response.statusCode());
    assertEquals(1, response.bodyAsJsonObject().getJsonArray("members").size());
  }

  @Test
  void the_echo_operation_goes_through_the_edge_and_the_event_bus_and_back() {
    HttpResponse<Buffer> response = http.post("/internal/echo", tokens.hs256(Tokens.user("@alice.aura")),
      new JsonObject().put("message", "hello"));
    assertEquals(200, response.statusCode());
    JsonObject echo = response.bodyAsJsonObject();
    assertEquals("hello", echo.getString("message"));
    assertEquals("user:@alice.aura", echo.getString("principal"));
    assertEquals(node.platform().cluster().getNodeId(), echo.getString("node_id"));
  }

  @Test
  void the_api_reaches_the_service_instance_on_its_own_event_loop() {
    for (int i = 0; i < 20; i++) {
      assertEquals(200, http.post("/internal/echo", tokens.hs256(Tokens.service("ops")),
        new JsonObject().put("message", "layout")).statusCode());
    }
    String metrics = http.get("/metrics").bodyAsString();
    assertTrue(metrics.contains("vertx_eventbus_sent_total{address=\"auralink.echo@"), "sent to a loop-local binding");
    assertFalse(metrics.contains("vertx_eventbus_sent_total{address=\"auralink.echo\""),
      "nothing crossed to another event loop through the cluster-wide address");
  }

  @Test
  void the_echo_operation_is_validated_and_needs_a_token() {
    assertEquals(401, http.post("/internal/echo", null, new JsonObject().put("message", "hello")).statusCode());
    HttpResponse<Buffer> response = http.post("/internal/echo", tokens.hs256(Tokens.service("ops")),
      new JsonObject().put("message", 42));
    assertEquals(400, response.statusCode());
    assertEquals("message", Http.error(response).getJsonObject("details").getString("field"));
  }

  @Test
  void a_request_that_breaks_the_contract_is_400_naming_the_field() {
    HttpResponse<Buffer> response = http.get("/internal/cluster?role=bogus", tokens.hs256(Tokens.service("ops", "cluster:read")));
    assertEquals(400, response.statusCode());
    JsonObject error = Http.error(response);
    assertEquals("VALIDATION_FAILED", error.getString("code"));
    assertEquals("role", error.getJsonObject("details").getString("field"));
    assertEquals("role must be one of api", error.getString("message"));
  }

  /** A token that may call every operation below, so that each request reaches validation. */
  private static String everything() {
    return tokens.hs256(Tokens.service("console", "cluster:read", "identity:read", "identity:write", "trust:read",
      "trust:report", "trust:moderate", "mesh:read", "mesh:write", "mesh:route"));
  }

  private static Map<String, String> problems(Map.Entry<String, String>... fieldAndMessage) {
    Map<String, String> problems = new LinkedHashMap<>();
    for (Map.Entry<String, String> p : fieldAndMessage) {
      problems.put(p.getKey(), p.getValue());
    }
    return problems;
  }

  static Stream<Arguments> invalidRequests() {
    return Stream.of(
      Arguments.of("wrong types, a bad enum and an unknown property in a body", HttpMethod.POST, "/internal/auraid",
        new JsonObject().put("username", "abc").put("user_id", 42).put("privacy_level", "secret").put("foo", 1),
        problems(Map.entry("user_id", "user_id must be a string"),
          Map.entry("privacy_level", "privacy_level must be one of public, friends, private"),
          Map.entry("foo", "unknown property \"foo\"; expected avatar_url, display_name, privacy_level, user_id, username"))),
      Arguments.of("missing required properties", HttpMethod.POST, "/internal/auraid", new JsonObject(),
        problems(Map.entry("username", "username is required"), Map.entry("user_id", "user_id is required"))),
      Arguments.of("a username that cannot be one", HttpMethod.POST, "/internal/auraid",
        new JsonObject().put("username", "_x").put("user_id", "acct"),
        problems(Map.entry("username",
          "username must be 3 to 20 letters, digits or underscores, not starting with an underscore"))),
      Arguments.of("ranges, enums in arrays and types in a node", HttpMethod.POST, "/internal/mesh/nodes",
        new JsonObject().put("device_id", "d").put("address", "192.0.2.1:5000").put("latitude", 123)
          .put("longitude", -200).put("capabilities", new JsonArray().add("audio").add("hologram")).put("node_type", 5),
        problems(Map.entry("latitude", "latitude must be at most 90"),
          Map.entry("longitude", "longitude must be at least -180"),
          Map.entry("capabilities[1]", "capabilities[1] must be one of audio, video, screen_share, aic"),
          Map.entry("node_type", "node_type must be a string"))),
      Arguments.of("nested fields of items in an array", HttpMethod.POST, "/internal/mesh/nodes/n1/links",
        new JsonObject().put("links", new JsonArray().add(new JsonObject().put("to", "n2").put("rtt_ms", -1))
          .add(new JsonObject().put("rtt_ms", 5).put("loss", 2))),
        problems(Map.entry("links[0].rtt_ms", "links[0].rtt_ms must be at least 0"),
          Map.entry("links[1].loss", "links[1].loss must be at most 1"),
          Map.entry("links[1].to", "links[1].to is required"))),
      Arguments.of("lengths and an AuraID in a nested object", HttpMethod.POST, "/internal/trust/reports",
        new JsonObject().put("target", new JsonObject().put("entity_type", "aura_id").put("entity_id", "alice"))
          .put("category", "rudeness").put("description", ""),
        problems(Map.entry("target.entity_id", "target.entity_id " + io.auralink.comm.platform.AuraIds.FORMAT),
          Map.entry("category", "category must be one of spam, harassment, malicious_node, security_threat,"
            + " impersonation, other"),
          Map.entry("description", "description must not be empty"))),
      Arguments.of("an empty list", HttpMethod.POST, "/internal/auraid/resolve",
        new JsonObject().put("aura_ids", new JsonArray()),
        problems(Map.entry("aura_ids", "aura_ids must list at least one item"))),
      Arguments.of("a query parameter out of range", HttpMethod.GET, "/internal/trust/queue?limit=0", null,
        problems(Map.entry("limit", "limit must be at least 1"))),
      Arguments.of("a query parameter of the wrong type", HttpMethod.GET, "/internal/trust/queue?limit=many", null,
        problems(Map.entry("limit", "limit must be an integer"))),
      Arguments.of("a path parameter and a body at once", HttpMethod.PATCH, "/internal/auraid/alice",
        new JsonObject().put("privacy_level", "secret").put("display_name", 7),
        problems(Map.entry("aura_id", "aura_id " + io.auralink.comm.platform.AuraIds.FORMAT),
          Map.entry("privacy_level", "privacy_level must be one of public, friends, private"),
          Map.entry("display_name", "display_name must be a string"))),
      Arguments.of("a missing body", HttpMethod.POST, "/internal/mesh/routes", null,
        problems(Map.entry("body", "a JSON body is required"))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidRequests")
  void validation_says_what_is_wrong_with_every_field(String name, HttpMethod method, String path, JsonObject body,
                                                      Map<String, String> expected) {
    HttpResponse<Buffer> response = http.send(method, path, everything(), body == null ? null : body.toBuffer());
    assertEquals(400, response.statusCode(), response.bodyAsString());
    JsonObject error = Http.error(response);
    assertEquals("VALIDATION_FAILED", error.getString("code"));
    Map<String, String> found = new LinkedHashMap<>();
    error.getJsonObject("details").getJsonArray("errors")
      .forEach(e -> found.put(((JsonObject) e).getString("field"), ((JsonObject) e).getString("message")));
    assertEquals(expected, found, "every problem, in the order of the request");
    assertEquals(expected.keySet().iterator().next(), error.getJsonObject("details").getString("field"));
    assertEquals(String.join("; ", expected.values()), error.getString("message"));
  }

  static Stream<Arguments> malformedAuraIds() {
    JsonObject node = new JsonObject().put("device_id", "d").put("address", "192.0.2.1:5000");
    return Stream.of(
      Arguments.of(HttpMethod.GET, "/internal/auraid/alice", null, "aura_id"),
      Arguments.of(HttpMethod.GET, "/internal/auraid/@al.aura", null, "aura_id"),
      Arguments.of(HttpMethod.GET, "/internal/auraid/@_alice.aura", null, "aura_id"),
      Arguments.of(HttpMethod.GET, "/internal/auraid/@alice.aura?as=bob", null, "as"),
      Arguments.of(HttpMethod.GET, "/internal/auraid/@alice.aura/contacts?as=@bob", null, "as"),
      Arguments.of(HttpMethod.POST, "/internal/auraid/@alice.aura/contacts/bob/accept", null, "contact"),
      Arguments.of(HttpMethod.POST, "/internal/auraid/@alice.aura/contacts", new JsonObject().put("contact", "bob.aura"),
        "contact"),
      Arguments.of(HttpMethod.POST, "/internal/auraid/resolve",
        new JsonObject().put("aura_ids", new JsonArray().add("@alice.aura").add("@\u212Aelvin.aura")), "aura_ids[1]"),
      Arguments.of(HttpMethod.GET, "/internal/matrix/resolve/alice", null, "aura_id"),
      Arguments.of(HttpMethod.POST, "/internal/matrix/register", new JsonObject().put("aura_id", "alice")
        .put("user_id", "acct").put("username", "alice"), "aura_id"),
      Arguments.of(HttpMethod.POST, "/internal/trust/reports", new JsonObject().put("target", new JsonObject()
        .put("entity_type", "aura_id").put("entity_id", "@alice")).put("category", "spam").put("description", "x"),
        "target.entity_id"),
      Arguments.of(HttpMethod.GET, "/internal/trust/aura_id/alice", null, "entity_id"),
      Arguments.of(HttpMethod.GET, "/internal/mesh/nodes?aura_id=alice", null, "aura_id"),
      Arguments.of(HttpMethod.GET, "/internal/mesh/nodes/@alice", null, "node_id"),
      Arguments.of(HttpMethod.POST, "/internal/mesh/nodes", node.copy().put("aura_id", "alice"), "aura_id"),
      Arguments.of(HttpMethod.POST, "/internal/mesh/routes", new JsonObject().put("source_aura_id", "alice")
        .put("destination_aura_id", "@bob.aura"), "source_aura_id"));
  }

  @ParameterizedTest(name = "{0} {1} {2}: {3} is not an AuraID")
  @MethodSource("malformedAuraIds")
  void a_malformed_auraid_is_400_explaining_the_format(HttpMethod method, String path, JsonObject body, String field) {
    HttpResponse<Buffer> response = http.send(method, path, everything(), body == null ? null : body.toBuffer());
    assertEquals(400, response.statusCode(), response.bodyAsString());
    JsonObject error = Http.error(response);
    assertEquals("VALIDATION_FAILED", error.getString("code"));
    assertEquals(field, error.getJsonObject("details").getString("field"));
    assertEquals(field + " " + io.auralink.comm.platform.AuraIds.FORMAT,
      error.getJsonObject("details").getJsonArray("errors").getJsonObject(0).getString("message"));
    assertTrue(error.getString("message").contains("must look like @name.aura"), error.getString("message"));
  }

  @Test
  void an_auraid_in_any_case_is_well_formed() {
    HttpResponse<Buffer> response = http.get("/internal/auraid/@Nobody_Here.AURA", everything());
    assertEquals(404, response.statusCode(), response.bodyAsString());
    assertEquals("AURAID_NOT_FOUND", Http.error(response).getString("code"));
  }

  static Stream<Arguments> wrongMethods() {
    return Stream.of(
      Arguments.of(HttpMethod.DELETE, "/health/live", "GET"),
      Arguments.of(HttpMethod.PUT, "/internal/auraid/@alice.aura", "DELETE, GET, PATCH"),
      Arguments.of(HttpMethod.GET, "/internal/auraid", "POST"),
      Arguments.of(HttpMethod.DELETE, "/internal/mesh/nodes", "GET, POST"),
      Arguments.of(HttpMethod.POST, "/openapi.yaml", "GET"));
  }

  @ParameterizedTest(name = "{0} {1} is 405 allowing {2}")
  @MethodSource("wrongMethods")
  void a_405_names_the_methods_the_path_answers(HttpMethod method, String path, String allowed) {
    HttpResponse<Buffer> response = http.send(method, path, null, null);
    assertEquals(405, response.statusCode());
    assertEquals(allowed, response.getHeader("Allow"));
    JsonObject error = Http.error(response);
    assertEquals("METHOD_NOT_ALLOWED", error.getString("code"));
    assertEquals(List.of(allowed.split(", ")), error.getJsonObject("details").getJsonArray("allowed").getList());
  }

  @Test
  void authentication_comes_before_validation() {
    assertEquals(401, http.get("/internal/cluster?role=bogus").statusCode());
  }

  static Stream<Arguments> errors() {
    return Stream.of(
      Arguments.of(HttpMethod.GET, "/internal/whoami", null, 401),
      Arguments.of(HttpMethod.GET, "/internal/cluster", "user", 403),
      Arguments.of(HttpMethod.GET, "/internal/cluster?role=x", "ops", 400),
      Arguments.of(HttpMethod.GET, "/no/such/path", null, 404),
      Arguments.of(HttpMethod.DELETE, "/health/live", null, 405),
      Arguments.of(HttpMethod.POST, "/internal/whoami", "ops", 413));
  }

  @ParameterizedTest(name = "{0} {1} is {3} with the envelope")
  @MethodSource("errors")
  void every_error_has_the_envelope_and_the_request_id(HttpMethod method, String path, String who, int status) {
    String token = who == null ? null
      : tokens.hs256("user".equals(who) ? Tokens.user("@bob.aura") : Tokens.service("ops", "cluster:read"));
    Buffer body = status == 413 ? Buffer.buffer(new JsonObject().put("pad", "x".repeat(8192)).encode()) : null;
    HttpResponse<Buffer> response = http.send(method, path, token, body);
    assertEquals(status, response.statusCode());
    assertTrue(response.getHeader("Content-Type").startsWith("application/json"));
    JsonObject error = Http.error(response);
    assertFalse(error.getString("code").isEmpty());
    assertFalse(error.getString("message").isEmpty());
    assertNotNull(error.getJsonObject("details"));
    assertEquals(response.getHeader("X-Request-Id"), error.getString("request_id"));
  }

  @Test
  void an_incoming_request_id_is_honoured_and_an_unsafe_one_replaced() {
    HttpResponse<Buffer> honoured = Await(http.request(HttpMethod.GET, "/internal/whoami").putHeader("X-Request-Id", "trace-42"));
    assertEquals("trace-42", honoured.getHeader("X-Request-Id"));
    assertEquals("trace-42", Http.error(honoured).getString("request_id"));
    HttpResponse<Buffer> replaced = Await(http.request(HttpMethod.GET, "/health/live").putHeader("X-Request-Id", "bad id\twith spaces"));
    assertNotEquals("bad id\twith spaces", replaced.getHeader("X-Request-Id"));
    assertFalse(replaced.getHeader("X-Request-Id").isBlank());
  }

  @Test
  void metrics_label_http_requests_by_route_template_never_by_raw_path() {
    http.get("/internal/cluster?role=api", tokens.hs256(Tokens.service("ops", "cluster:read")));
    http.get("/no/such/thing-12345");
    String metrics = http.get("/metrics").bodyAsString();
    assertTrue(metrics.contains("vertx_http_server_requests_total{code=\"200\",method=\"GET\",route=\"/internal/cluster\"}"),
      "route template label");
    assertFalse(metrics.contains("thing-12345"), "a raw path must never become a label");
    assertFalse(metrics.contains("role=api"), "a query string must never become a label");
    assertTrue(metrics.contains("vertx_pool_in_use{pool_name=\"auralink-pg\",pool_type=\"sql\"}"), "pool metrics");
    assertTrue(metrics.contains("jvm_memory_used_bytes"), "JVM metrics");
  }

  @Test
  void the_openapi_document_is_served() {
    HttpResponse<Buffer> response = http.get("/openapi.yaml");
    assertEquals(200, response.statusCode());
    assertTrue(response.bodyAsString().startsWith("openapi: 3.1.0"));
  }

  @Test
  void the_rendered_docs_are_off_outside_start_dev() {
    assertEquals(404, http.get("/docs").statusCode());
    assertEquals(404, http.get("/docs/assets/swagger-ui-bundle.js").statusCode());
  }

  @Test
  void cors_answers_a_configured_origin_only() {
    HttpResponse<Buffer> allowed = Await(http.request(HttpMethod.OPTIONS, "/internal/whoami")
      .putHeader("Origin", "https://console.auralink.test")
      .putHeader("Access-Control-Request-Method", "GET"));
    assertEquals("https://console.auralink.test", allowed.getHeader("Access-Control-Allow-Origin"));
    HttpResponse<Buffer> refused = Await(http.request(HttpMethod.OPTIONS, "/internal/whoami")
      .putHeader("Origin", "https://evil.example")
      .putHeader("Access-Control-Request-Method", "GET"));
    assertEquals(403, refused.statusCode());
    assertEquals(null, refused.getHeader("Access-Control-Allow-Origin"));
  }

  private static HttpResponse<Buffer> Await(io.vertx.ext.web.client.HttpRequest<Buffer> request) {
    return io.auralink.comm.testing.Await.result(request.send());
  }
}
