package io.auralink.comm.api;

import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.PlatformHandler;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Refuses a path or query string whose percent-encoding is broken ({@code /internal/auraid/%ZZ}, {@code ?a=%}, a
 * lone {@code %}, bytes that are not UTF-8) with 400 {@code BAD_REQUEST} in the envelope, before the router decodes
 * parameters (Vert.x fails such a request with a bare 500).
 */
final class UriEncoding implements PlatformHandler {

  @Override
  public void handle(RoutingContext ctx) {
    if (isValid(ctx.request().path()) && isValid(ctx.request().query())) {
      ctx.next();
    } else {
      ctx.fail(new ApiException(EdgeError.BAD_REQUEST,
        "the request path or query is not valid percent-encoded UTF-8 (RFC 3986 §2.1)", null));
    }
  }

  static boolean isValid(String path) {
    if (path == null || path.indexOf('%') < 0) {
      return true;
    }
    ByteBuffer bytes = ByteBuffer.allocate(path.length() * 3);
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c == '%') {
        if (i + 2 >= path.length()) {
          return false;
        }
        int high = Character.digit(path.charAt(i + 1), 16);
        int low = Character.digit(path.charAt(i + 2), 16);
        if (high < 0 || low < 0) {
          return false;
        }
        bytes.put((byte) (high * 16 + low));
        i += 2;
      } else {
        bytes.put(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
      }
    }
    bytes.flip();
    try {
      StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(bytes);
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }
}
