package io.auralink.comm.api;

import io.auralink.comm.node.Node;
import io.auralink.comm.testing.Await;
import io.auralink.comm.testing.Http;
import io.auralink.comm.testing.TestNodes;
import io.auralink.comm.testing.Tokens;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Input an attacker would send, answered by the edge with a 4xx in the error envelope and nothing stored: control
 * characters in stored text, deep JSON, a media type that only starts like JSON, requests the HTTP decoder refuses,
 * invented methods, display names that read as another, and what the open health endpoints tell.
 */
@Timeout(120)
class HostileInputTest {

  private static Node node;
  private static Map<String, String> settings;
  private static Http http;
  private static Tokens tokens;
  private static String registrar;

  @BeforeAll
  static void startNode() {
    settings = TestNodes.settings("hostile");
    node = TestNodes.start(settings);
    http = new Http(node.vertx(), Integer.parseInt(settings.get("AURALINK_HTTP_PORT")));
    tokens = new Tokens(node.vertx());
    registrar = tokens.hs256(Tokens.service("registrar", "identity:read", "identity:write", "cluster:read"));
  }

  @AfterAll
  static void stopNode() {
    http.close();
    TestNodes.stop(node);
  }

  private static JsonObject envelope(HttpResponse<Buffer> response, int status, String code) {
    assertEquals(status, response.statusCode(), response.bodyAsString());
    JsonObject error = Http.error(response);
    assertNotNull(error, response.bodyAsString());
    assertEquals(code, error.getString("code"), response.bodyAsString());
    assertNotNull(error.getString("request_id"));
    return error;
  }

  private static HttpResponse<Buffer> register(JsonObject body) {
    return http.post("/internal/auraid", registrar, body);
  }

  @Test
  void a_nul_or_other_control_character_in_stored_text_is_400_naming_the_field_and_nothing_is_stored() {
    JsonObject error = envelope(register(new JsonObject().put("username", "nulcheck").put("user_id", "acct\u0000x")),
      400, "VALIDATION_FAILED");
    assertEquals("user_id", error.getJsonObject("details").getString("field"));
    assertEquals(404, http.get("/internal/auraid/@nulcheck.aura", registrar).statusCode(), "nothing was stored");

    JsonObject escape = envelope(register(new JsonObject().put("username", "esccheck").put("user_id", "acct-esc")
      .put("display_name", "evil\u001b[2J")), 400, "VALIDATION_FAILED");
    assertEquals("display_name", escape.getJsonObject("details").getString("field"));

    // A nested value and a property name: the field is named as a client writes it.
    String reporter = tokens.hs256(Tokens.user("@hostilereporter.aura"));
    JsonObject report = new JsonObject().put("target", new JsonObject().put("entity_type", "aura_id")
        .put("entity_id", "@nobody.aura")).put("category", "harassment").put("severity", "low").put("description", "x")
      .put("evidence", new JsonObject().put("k\u0000", "v"));
    JsonObject keyError = envelope(http.post("/internal/trust/reports", reporter, report), 400, "VALIDATION_FAILED");
    assertEquals("evidence.k\\u0000", keyError.getJsonObject("details").getString("field"), keyError.encode());
  }

  @Test
  void a_signed_token_with_an_absurd_expiry_or_a_forged_subject_is_401_over_http() {
    for (JsonObject claims : new JsonObject[]{Tokens.service("svc").put("exp", Long.MAX_VALUE),
      Tokens.service("svc").put("exp", 1e20), Tokens.service("svc").put("exp", "soon"),
      Tokens.service("svc\nINFO forged").put("exp", 1e20), Tokens.user("@alice.aura").put("exp", Long.MAX_VALUE)}) {
      HttpResponse<Buffer> response = http.get("/internal/whoami", tokens.hs256(claims));
      envelope(response, 401, "INVALID_TOKEN");
      assertNotNull(response.getHeader("WWW-Authenticate"));
    }
  }

  @Test
  void a_control_character_in_a_path_parameter_is_400_naming_it() {
    JsonObject error = envelope(http.get("/internal/auraid/availability/ab%00c", registrar), 400, "VALIDATION_FAILED");
    assertEquals("username", error.getJsonObject("details").getString("field"));
  }

  @Test
  void tabs_and_line_breaks_remain_allowed_in_text() {
    assertTrue(TextSafety.isSafe("line one\nline two\r\n\tindented"));
    assertTrue(TextSafety.isSafe("emoji \uD83D\uDE00 and accents é"));
    assertFalse(TextSafety.isSafe("lone \uD800 surrogate"));
    assertFalse(TextSafety.isSafe("C1 \u0085 next line"));
  }

  @Test
  void json_nested_deeper_than_64_levels_is_refused_before_it_is_parsed() {
    for (int depth : new int[]{65, 999, 100_000}) {
      String body = "{\"message\":" + "[".repeat(depth) + "]".repeat(depth) + "}";
      HttpResponse<Buffer> response = http.send(HttpMethod.POST, "/internal/echo", registrar,
        Buffer.buffer(body));
      // 413 for the largest (over the body limit), 400 otherwise: never a 500 or a hang.
      assertTrue(response.statusCode() == 400 || response.statusCode() == 413, depth + ": " + response.statusCode());
      assertNotNull(Http.error(response).getString("code"));
    }
    String nested64 = "{\"message\":\"ok\",\"x\":" + "[".repeat(63) + "]".repeat(63) + "}";
    JsonObject error = envelope(http.send(HttpMethod.POST, "/internal/echo", registrar, Buffer.buffer(nested64)),
      400, "VALIDATION_FAILED");
    assertFalse(error.getString("message").contains("nests"), "64 levels pass the depth check: " + error.encode());
  }

  @Test
  void a_content_type_that_only_starts_like_json_is_415() {
    for (String type : new String[]{"application/jsonx", "application/json-patch+json", "text/json"}) {
      HttpResponse<Buffer> response = sendWithType(type);
      envelope(response, 415, "UNSUPPORTED_MEDIA_TYPE");
    }
    assertEquals(200, sendWithType("Application/JSON; charset=utf-8").statusCode());
  }

  private static HttpResponse<Buffer> sendWithType(String contentType) {
    return Await.result(http.request(HttpMethod.POST, "/internal/echo")
      .bearerTokenAuthentication(registrar).putHeader("Content-Type", contentType)
      .sendBuffer(new JsonObject().put("message", "hi").toBuffer()));
  }

  @Test
  void requests_the_decoder_refuses_still_get_the_envelope() {
    HttpResponse<Buffer> headers = Await.result(http.request(HttpMethod.GET, "/health/live")
      .putHeader("Authorization", "Bearer " + "a".repeat(100_000)).send());
    envelope(headers, 431, "HEADERS_TOO_LARGE");

    HttpResponse<Buffer> uri = http.get("/internal/auraid/" + "a".repeat(20_000), registrar);
    envelope(uri, 414, "URI_TOO_LONG");

    for (String broken : new String[]{"/internal/auraid/%ZZ", "/internal/auraid/%", "/internal/auraid/%C0%AF"}) {
      envelope(http.get(broken, registrar), 400, "BAD_REQUEST");
    }
    assertEquals(200, http.get("/health/live").statusCode(), "the node still serves");
  }

  @Test
  void invented_methods_are_refused_in_the_envelope_and_add_no_metric_series() {
    HttpResponse<Buffer> response = http.send(HttpMethod.valueOf("ZQ7X"), "/health/live", null, null);
    assertTrue(response.statusCode() >= 400 && response.statusCode() < 500, String.valueOf(response.statusCode()));
    assertNotNull(Http.error(response).getString("code"));
    String metrics = http.get("/metrics").bodyAsString();
    assertFalse(metrics.contains("ZQ7X"), "an invented method became a label value");
    assertTrue(metrics.contains("method=\"OTHER\""), "invented methods are counted together");
  }

  @Test
  void display_names_with_bidirectional_overrides_or_zero_width_characters_are_refused() {
    for (String name : new String[]{"admin\u202etxt", "ali\u200bce", "bob\u2066x\u2069", "\ufeffcarol"}) {
      HttpResponse<Buffer> response = register(new JsonObject().put("username", "bidi" + Integer.toHexString(name.hashCode() & 0xffff))
        .put("user_id", "acct-" + name.hashCode()).put("display_name", name));
      JsonObject error = envelope(response, 400, "VALIDATION_FAILED");
      assertEquals("display_name", error.getJsonObject("details").getString("field"), error.encode());
    }
    assertEquals(201, register(new JsonObject().put("username", "accented").put("user_id", "acct-accented")
      .put("display_name", "Zoë Ünal 😀")).statusCode());
  }

  @Test
  void open_health_shows_up_or_down_per_check_and_the_details_need_a_token() {
    for (String path : new String[]{"/health", "/health/ready"}) {
      JsonObject health = http.get(path).bodyAsJsonObject();
      JsonObject checks = health.getJsonObject("checks");
      for (String check : checks.fieldNames()) {
        Set<String> fields = checks.getJsonObject(check).fieldNames();
        assertTrue(fields.containsAll(Set.of("status", "effect")), path + " " + check);
        assertTrue(Set.of("status", "effect", "members", "minimum_members").containsAll(fields), path + " " + check);
      }
      String text = health.encode();
      assertFalse(text.contains(settings.get("AURALINK_DATA_DIR")), path + " names the data directory");
      assertFalse(text.contains("node_id") || text.contains("127.0.0.1"), path + ": " + text);
    }
    envelope(http.get("/internal/health"), 401, "AUTH_REQUIRED");
    envelope(http.get("/internal/health", tokens.hs256(Tokens.service("nosy"))), 403, "FORBIDDEN");
    JsonObject details = http.get("/internal/health", registrar).bodyAsJsonObject();
    assertEquals(node.platform().cluster().getNodeId(), details.getString("node_id"));
    assertNotNull(details.getJsonObject("checks").getJsonObject("postgresql").getValue("latency_ms"));
  }

  @Test
  void a_body_of_many_strings_is_checked_whole_and_valid_text_passes() {
    JsonArray ids = new JsonArray();
    for (int i = 0; i < 100; i++) {
      ids.add("@user" + i + "x.aura");
    }
    assertEquals(200, http.post("/internal/auraid/resolve", registrar, new JsonObject().put("aura_ids", ids))
      .statusCode());
    ids.set(57, "@user\u0000.aura");
    JsonObject error = envelope(http.post("/internal/auraid/resolve", registrar,
      new JsonObject().put("aura_ids", ids)), 400, "VALIDATION_FAILED");
    assertTrue(error.getString("message").contains("aura_ids[57]"), error.encode());
  }
}
