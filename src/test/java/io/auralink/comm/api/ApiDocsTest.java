package io.auralink.comm.api;

import io.auralink.comm.node.Node;
import io.auralink.comm.testing.Http;
import io.auralink.comm.testing.TestNodes;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The rendered reference at /docs, switched on as start-dev does: served whole by the node, open, offline. */
class ApiDocsTest {

  private static final Pattern REFERENCE = Pattern.compile("(?:src|href)=\"([^\"]*)\"");

  private static Node node;
  private static Http http;

  @BeforeAll
  static void startNode() {
    Map<String, String> settings = TestNodes.settings("docs");
    settings.put("AURALINK_HTTP_DOCS", "true");
    node = TestNodes.start(settings);
    http = new Http(node.vertx(), Integer.parseInt(settings.get("AURALINK_HTTP_PORT")));
  }

  @AfterAll
  static void stopNode() {
    http.close();
    TestNodes.stop(node);
  }

  private static List<String> references(String html) {
    Matcher matcher = REFERENCE.matcher(html);
    List<String> found = new java.util.ArrayList<>();
    while (matcher.find()) {
      found.add(matcher.group(1));
    }
    return found;
  }

  @Test
  void the_page_needs_no_token_and_references_only_the_nodes_own_assets() {
    HttpResponse<Buffer> page = http.get("/docs");
    assertEquals(200, page.statusCode());
    assertTrue(page.getHeader("Content-Type").startsWith("text/html"));
    List<String> references = references(page.bodyAsString());
    assertEquals(4, references.size(), references.toString());
    for (String reference : references) {
      assertTrue(reference.startsWith("/docs/assets/") && !reference.contains("//"), "local: " + reference);
    }
  }

  @Test
  void every_asset_the_page_references_loads() {
    for (String reference : references(http.get("/docs").bodyAsString())) {
      HttpResponse<Buffer> asset = http.get(reference);
      assertEquals(200, asset.statusCode(), reference);
      assertTrue(asset.body().length() > 0, reference);
    }
    HttpResponse<Buffer> bundle = http.get("/docs/assets/swagger-ui-bundle.js");
    assertTrue(bundle.getHeader("Content-Type").startsWith("text/javascript"));
    assertTrue(bundle.bodyAsString().contains("SwaggerUIBundle"));
    assertTrue(http.get("/docs/assets/swagger-ui.css").getHeader("Content-Type").startsWith("text/css"));
  }

  @Test
  void the_page_renders_this_nodes_document_without_the_public_validator() {
    String script = http.get("/docs/assets/docs.js").bodyAsString();
    assertTrue(script.contains("url: \"/openapi.yaml\""), script);
    assertTrue(script.contains("validatorUrl: null"), script);
    assertEquals(200, http.get("/openapi.yaml").statusCode());
  }

  @Test
  void the_browser_is_told_to_load_nothing_from_elsewhere() {
    String policy = http.get("/docs").getHeader("Content-Security-Policy");
    assertTrue(policy.contains("default-src 'self'"), policy);
    assertTrue(policy.contains("script-src 'self';"), "no inline or remote scripts: " + policy);
    assertFalse(policy.contains("http"), policy);
  }

  @Test
  void only_the_listed_assets_are_served() {
    HttpResponse<Buffer> missing = http.get("/docs/assets/index.html");
    assertEquals(404, missing.statusCode());
    assertEquals("NOT_FOUND", Http.error(missing).getString("code"));
    assertEquals(404, http.get("/docs/assets/..%2F..%2Fopenapi.yaml").statusCode());
  }
}
