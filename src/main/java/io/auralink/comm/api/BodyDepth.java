package io.auralink.comm.api;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;

/**
 * Refuses a request body nested deeper than {@value #MAX_DEPTH} arrays and objects, before anything parses it. No
 * operation takes more than a few levels; Jackson's own limit (1000) lets a body through that later overflowed the
 * stack when it was serialized again. The scan counts brackets outside JSON strings in one pass over the bytes,
 * whatever the media type claims: a body that is not JSON is refused later for what it is.
 */
final class BodyDepth implements Handler<RoutingContext> {

  static final int MAX_DEPTH = 64;

  @Override
  public void handle(RoutingContext ctx) {
    Buffer body = ctx.body() == null ? null : ctx.body().buffer();
    if (body != null && depth(body, MAX_DEPTH) > MAX_DEPTH) {
      Violations violations = new Violations();
      violations.add("body", "the body nests arrays and objects deeper than " + MAX_DEPTH + " levels");
      ctx.fail(violations.toException());
      return;
    }
    ctx.next();
  }

  /** The deepest nesting of {@code json}, counted until it exceeds {@code limit} (then {@code limit + 1}). */
  static int depth(Buffer json, int limit) {
    int depth = 0;
    int deepest = 0;
    boolean inString = false;
    int length = json.length();
    for (int i = 0; i < length; i++) {
      byte b = json.getByte(i);
      if (inString) {
        if (b == '\\') {
          i++;
        } else if (b == '"') {
          inString = false;
        }
      } else if (b == '"') {
        inString = true;
      } else if (b == '{' || b == '[') {
        depth++;
        if (depth > deepest) {
          deepest = depth;
          if (deepest > limit) {
            return deepest;
          }
        }
      } else if (b == '}' || b == ']') {
        depth--;
      }
    }
    return deepest;
  }
}
