package io.auralink.comm.api;

import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;

/**
 * Requests the HTTP decoder could not read, answered before any router sees them: a request line longer than the
 * limit (414 {@code URI_TOO_LONG}), headers larger than the limit (431 {@code HEADERS_TOO_LARGE}), or anything else
 * malformed (400 {@code BAD_REQUEST}). Vert.x's own answer is an empty body; this one carries the error envelope
 * like every other answer of the edge, then closes the connection (what follows on it cannot be trusted).
 */
final class InvalidRequests implements Handler<HttpServerRequest> {

  @Override
  public void handle(HttpServerRequest request) {
    DecoderResult result = request.decoderResult();
    Throwable cause = result == null ? null : result.cause();
    ApiException error;
    if (cause instanceof TooLongHttpLineException) {
      error = new ApiException(EdgeError.URI_TOO_LONG, "the request line is longer than this edge reads", null);
    } else if (cause instanceof TooLongHttpHeaderException) {
      error = new ApiException(EdgeError.HEADERS_TOO_LARGE, "the request headers are larger than this edge reads",
        null);
    } else {
      error = new ApiException(EdgeError.BAD_REQUEST, "the request could not be read", null);
    }
    String requestId = RequestTracking.newId();
    request.response()
      .setStatusCode(error.status())
      .putHeader("Content-Type", Reply.JSON)
      .putHeader(RequestTracking.HEADER, requestId)
      .putHeader("Connection", "close")
      .end(new JsonObject().put("error", new JsonObject()
        .put("code", error.code())
        .put("message", error.getMessage())
        .put("request_id", requestId)
        .put("details", error.details())).toBuffer())
      .onComplete(ended -> request.connection().close());
  }
}
