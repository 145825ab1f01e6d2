package io.auralink.comm.platform;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;

import java.util.function.Supplier;

/**
 * A domain's failure codes: a stable name, and the HTTP status the api answers with. Each domain declares an enum
 * implementing this. Failures cross the event bus as {@link ServiceException}s carrying the status as failure code
 * and {@code {"code", "details"}} as debug info, so a caller in another JVM gets everything it needs.
 */
public interface ErrorCode {

  String name();

  int status();

  default ServiceException exception(String message, JsonObject details) {
    return new ServiceException(status(), message,
      new JsonObject().put("code", name()).put("details", details == null ? new JsonObject() : details));
  }

  default ServiceException exception(String message) {
    return exception(message, null);
  }

  default <T> Future<T> fail(String message, JsonObject details) {
    return Future.failedFuture(exception(message, details));
  }

  default <T> Future<T> fail(String message) {
    return fail(message, null);
  }

  /** The details of a failure about one input field: {@code {"field": name}}. */
  static JsonObject field(String name) {
    return new JsonObject().put("field", name);
  }

  /** Runs a parse that may throw a domain failure ({@link ServiceException}), as a future. */
  static <T> Future<T> parsed(Supplier<T> parse) {
    try {
      return Future.succeededFuture(parse.get());
    } catch (ServiceException e) {
      return Future.failedFuture(e);
    }
  }
}
