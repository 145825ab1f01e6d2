package io.auralink.comm.api;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The edge's pure guards: nesting depth, percent-encoding, the JSON media type, printable names. */
class EdgeGuardsTest {

  @Test
  void depth_counts_brackets_outside_strings_only() {
    assertEquals(0, BodyDepth.depth(Buffer.buffer("\"[[[{{{\""), 64));
    assertEquals(2, BodyDepth.depth(Buffer.buffer("{\"a\":[\"]]]\\\"[[[\"]}"), 64));
    assertEquals(3, BodyDepth.depth(Buffer.buffer("[[[]],[]]"), 64));
    assertEquals(65, BodyDepth.depth(Buffer.buffer("[".repeat(100_000)), 64), "stops counting past the limit");
  }

  @Test
  void percent_encoding_must_be_complete_hexadecimal_and_utf8() {
    assertTrue(UriEncoding.isValid("/internal/auraid/%40alice.aura"));
    assertTrue(UriEncoding.isValid("/a/%C3%A9t%C3%A9"));
    assertTrue(UriEncoding.isValid(null));
    assertFalse(UriEncoding.isValid("/internal/auraid/%ZZ"));
    assertFalse(UriEncoding.isValid("/a/%"));
    assertFalse(UriEncoding.isValid("/a/%4"));
    assertFalse(UriEncoding.isValid("/a/%C0%AF"), "an overlong encoding of /");
    assertFalse(UriEncoding.isValid("/a/%FF"));
  }

  @Test
  void json_is_matched_by_media_type_exactly() {
    assertTrue(RequestValidation.isJson("application/json"));
    assertTrue(RequestValidation.isJson("Application/JSON ; charset=utf-8"));
    assertFalse(RequestValidation.isJson("application/jsonx"));
    assertFalse(RequestValidation.isJson("application/json-patch+json"));
    assertFalse(RequestValidation.isJson("text/json"));
    assertFalse(RequestValidation.isJson(""));
    assertFalse(RequestValidation.isJson(null));
  }

  @Test
  void names_are_quoted_with_control_characters_escaped_and_emoji_kept() {
    assertEquals("k\\u0000\\u000a", TextSafety.printable("k\u0000\n"));
    assertEquals("a😀b\\ud800", TextSafety.printable("a😀b\uD800"));
    assertEquals("plain", TextSafety.printable("plain"));
  }
}
