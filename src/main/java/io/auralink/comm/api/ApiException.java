package io.auralink.comm.api;

import io.auralink.comm.platform.ErrorCode;
import io.vertx.core.json.JsonObject;

/**
 * A failure the edge answers as is: HTTP status, stable code, message and details. It carries no stack trace:
 * it is an answer, not a bug.
 */
public final class ApiException extends RuntimeException {

  private final int status;
  private final String code;
  private final JsonObject details;

  public ApiException(int status, String code, String message, JsonObject details) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.details = details == null ? new JsonObject() : details;
  }

  public ApiException(ErrorCode code, String message, JsonObject details) {
    this(code.status(), code.name(), message, details);
  }

  public static ApiException unauthorized(EdgeError code, String message) {
    return new ApiException(code, message, null);
  }

  public static ApiException forbidden(String message, JsonObject details) {
    return new ApiException(EdgeError.FORBIDDEN, message, details);
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public JsonObject details() {
    return details;
  }
}
