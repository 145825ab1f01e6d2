package io.auralink.comm.platform;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.serviceproxy.ServiceException;

import java.util.function.Supplier;

/**
 * A failure code: a stable name, and the HTTP status the api answers with. Each domain declares an enum
 * implementing this, and so does the edge; a name used by several (such as {@code VALIDATION_FAILED} or
 * {@code FORBIDDEN}) means the same thing, with the same status, everywhere (the README lists them all). Failures
 * cross the event bus as {@link ServiceException}s carrying the status as failure code and
 * {@code {"code", "details"}} as debug info, so a caller in another JVM gets everything it needs.
 */
public interface ErrorCode {

  String name();

  int status();

  /**
   * The failure as it crosses the event bus. A 400 that names its field ({@link #field}) also lists it in
   * {@code details.errors} as {@code [{field, message}]}, the shape the edge gives to every validation failure.
   */
  default ServiceException exception(String message, JsonObject details) {
    JsonObject shown = details == null ? new JsonObject() : details;
    if (status() == 400 && shown.getValue("field") instanceof String field && !shown.containsKey("errors")) {
      shown.put("errors", new JsonArray().add(new JsonObject().put("field", field).put("message", message)));
    }
    return new ServiceException(status(), message, new JsonObject().put("code", name()).put("details", shown));
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
