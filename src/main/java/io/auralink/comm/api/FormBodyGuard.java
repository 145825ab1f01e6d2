package io.auralink.comm.api;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.PlatformHandler;

import java.util.Locale;
import java.util.Set;

/**
 * Refuses a form body (multipart or URL-encoded) on a method that carries none, such as {@code GET} with
 * {@code Content-Type: multipart/form-data}: Vert.x's body handler throws on it (a bare 500). Found by the edge's
 * fuzz test. Such a request is 415 {@code UNSUPPORTED_MEDIA_TYPE}, in the envelope.
 */
final class FormBodyGuard implements PlatformHandler {

  private static final Set<HttpMethod> WITH_BODY = Set.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH,
    HttpMethod.DELETE);

  @Override
  public void handle(RoutingContext ctx) {
    String contentType = ctx.request().getHeader("Content-Type");
    if (contentType != null && !WITH_BODY.contains(ctx.request().method()) && isForm(contentType)) {
      ctx.fail(new ApiException(EdgeError.UNSUPPORTED_MEDIA_TYPE,
        ctx.request().method().name() + " takes no form body", null));
      return;
    }
    ctx.next();
  }

  private static boolean isForm(String contentType) {
    String type = contentType.toLowerCase(Locale.ROOT).trim();
    return type.startsWith("multipart/") || type.startsWith("application/x-www-form-urlencoded");
  }
}
