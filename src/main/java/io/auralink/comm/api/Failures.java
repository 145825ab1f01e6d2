package io.auralink.comm.api;

import io.auralink.comm.api.auth.Principal;
import io.auralink.comm.platform.storage.StorageFailures;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.serviceproxy.ServiceException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.TimeoutException;

import static net.logstash.logback.argument.StructuredArguments.kv;

/**
 * The one place where failures become HTTP answers: {@code {"error": {"code", "message", "request_id",
 * "details"}}} with the right status. Expected refusals (an {@link ApiException} at the edge, a domain's
 * {@link io.auralink.comm.platform.ErrorCode} from behind the event bus) keep their status and code; an unavailable or slow
 * dependency is 503 or 504; anything else is a 500 whose cause is logged with the request id, never sent. A 429
 * whose details carry {@code retry_after_seconds} gets it as {@code Retry-After}, and so does every 503.
 */
public final class Failures implements Handler<RoutingContext> {

  private static final Logger LOG = LoggerFactory.getLogger(Failures.class);

  private final long maxBodyBytes;
  private final AllowedMethods allowedMethods;

  Failures(long maxBodyBytes, AllowedMethods allowedMethods) {
    this.maxBodyBytes = maxBodyBytes;
    this.allowedMethods = allowedMethods;
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (ctx.response().ended()) {
      return;
    }
    ApiException error = map(ctx.failure(), ctx.statusCode());
    if (EdgeError.METHOD_NOT_ALLOWED.name().equals(error.code())) {
      error = methodNotAllowed(ctx);
    }
    if (error.status() >= 500 && !(ctx.failure() instanceof ApiException)) {
      Principal principal = ctx.get(Principal.CONTEXT_KEY);
      LOG.error("request failed {} {} {} {}", kv("status", error.status()), kv("code", error.code()),
        kv("request_id", RequestTracking.requestId(ctx)),
        kv("principal", principal == null ? "-" : principal.logName()), ctx.failure());
    }
    if (ctx.response().headWritten()) {
      ctx.response().reset();
      return;
    }
    Object retryAfter = retryAfter(error);
    if (retryAfter != null) {
      ctx.response().putHeader("Retry-After", String.valueOf(retryAfter));
    }
    ctx.response()
      .setStatusCode(error.status())
      .putHeader("Content-Type", Reply.JSON)
      .end(new JsonObject().put("error", new JsonObject()
        .put("code", error.code())
        .put("message", error.getMessage())
        .put("request_id", RequestTracking.requestId(ctx))
        .put("details", error.details())).toBuffer());
  }

  /**
   * A 429 says when its window frees up; a 503 (an outage, overload or an unserved address) says when to try again,
   * its own {@code details.retry_after_seconds} or {@link StorageFailures#RETRY_AFTER_SECONDS}.
   */
  private static Object retryAfter(ApiException error) {
    Object given = error.details().getValue("retry_after_seconds");
    return switch (error.status()) {
      case 429 -> given;
      case 503 -> given != null ? given : StorageFailures.RETRY_AFTER_SECONDS;
      default -> null;
    };
  }

  /** A 405 names the methods the path answers, in {@code Allow} (RFC 9110 §15.5.6) and in the details. */
  private ApiException methodNotAllowed(RoutingContext ctx) {
    List<String> allowed = allowedMethods.on(ctx.normalizedPath());
    ctx.response().putHeader("Allow", String.join(", ", allowed));
    return new ApiException(EdgeError.METHOD_NOT_ALLOWED, ctx.request().method().name() + " is not allowed on "
      + ctx.normalizedPath() + "; it answers " + String.join(", ", allowed),
      new JsonObject().put("allowed", new JsonArray(allowed)));
  }

  ApiException map(Throwable failure, int status) {
    if (failure instanceof ApiException api) {
      return api;
    }
    if (failure instanceof HttpException http) {
      return byStatus(http.getStatusCode());
    }
    if (failure instanceof ServiceException domain && domain.getDebugInfo() != null
      && domain.getDebugInfo().containsKey("code") && domain.failureCode() >= 400 && domain.failureCode() < 600) {
      return new ApiException(domain.failureCode(), domain.getDebugInfo().getString("code"), domain.getMessage(),
        domain.getDebugInfo().getJsonObject("details"));
    }
    if (failure instanceof ReplyException reply) {
      switch (reply.failureType()) {
        case NO_HANDLERS:
          return new ApiException(EdgeError.SERVICE_UNAVAILABLE, "no cluster member serves this right now", null);
        case TIMEOUT:
          return new ApiException(EdgeError.UPSTREAM_TIMEOUT,
            "the cluster member serving this did not answer in time; a change may or may not have been made", null);
        default:
          break;
      }
    }
    if (failure instanceof ConnectionPoolTooBusyException) {
      return new ApiException(EdgeError.OVERLOADED, "the service is overloaded; retry shortly", null);
    }
    if (failure instanceof TimeoutException) {
      return new ApiException(EdgeError.SERVICE_UNAVAILABLE, "a dependency did not answer in time; retry shortly", null);
    }
    if (status > 0) {
      // A handler that failed with an explicit status (body limit, CORS, timeout) decided the answer already.
      return byStatus(status);
    }
    return internalError();
  }

  private ApiException byStatus(int status) {
    return switch (status) {
      case 400 -> new ApiException(EdgeError.BAD_REQUEST, "the request could not be read", null);
      case 401 -> ApiException.unauthorized(EdgeError.AUTH_REQUIRED, "a Bearer token is required");
      case 403 -> ApiException.forbidden("this request is not allowed", null);
      case 404 -> new ApiException(EdgeError.NOT_FOUND, "no such path", null);
      case 405 -> new ApiException(EdgeError.METHOD_NOT_ALLOWED, "this method is not allowed on this path", null);
      case 413 -> new ApiException(EdgeError.PAYLOAD_TOO_LARGE, "the request body is larger than " + maxBodyBytes
        + " bytes", new JsonObject().put("max_bytes", maxBodyBytes));
      case 415 -> new ApiException(EdgeError.UNSUPPORTED_MEDIA_TYPE, "the request body must be application/json", null);
      case 503 -> new ApiException(EdgeError.SERVICE_UNAVAILABLE, "the request did not complete in time; retry shortly",
        null);
      // Any other refusal by Vert.x itself: the request could not be read as this edge reads requests.
      default -> status >= 500 ? internalError() : new ApiException(EdgeError.BAD_REQUEST,
        "the request was refused (HTTP " + status + ")", new JsonObject().put("http_status", status));
    };
  }

  private static ApiException internalError() {
    return new ApiException(EdgeError.INTERNAL_ERROR, "an internal error occurred; quote the request id", null);
  }
}
