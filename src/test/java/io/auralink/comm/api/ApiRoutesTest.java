package io.auralink.comm.api;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** OpenAPI path templates become Vert.x route templates (which are also the metrics' route labels). */
class ApiRoutesTest {

  @ParameterizedTest
  @CsvSource({
    "/health/live, /health/live",
    "/internal/auraid/{aura_id}, /internal/auraid/:aura_id",
    "/internal/auraid/{aura_id}/contacts/{contact}, /internal/auraid/:aura_id/contacts/:contact"})
  void path_templates_translate(String openApi, String vertx) {
    assertEquals(vertx, ApiVerticle.vertxPath(openApi));
  }
}
