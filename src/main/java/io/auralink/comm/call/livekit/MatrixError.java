package io.auralink.comm.call.livekit;

import io.vertx.core.json.JsonObject;

/**
 * A refusal in the Matrix error shape that Element Call's token service answers with: HTTP status plus
 * {@code {"errcode": ..., "error": ...}}. The codes and statuses are lk-jwt-service's: 400 {@code M_NOT_JSON}
 * (undecodable body, unknown field, wrong type), 400 {@code M_BAD_JSON} (a missing field), 401 {@code M_UNAUTHORIZED}
 * (the OpenID token could not be verified, or names someone else), 403 {@code M_FORBIDDEN} (a verified user we refuse),
 * 500 {@code M_UNKNOWN} (token or room creation failed).
 */
public final class MatrixError extends RuntimeException {

  private final int status;
  private final String errcode;

  public MatrixError(int status, String errcode, String message) {
    super(message, null, false, false);
    this.status = status;
    this.errcode = errcode;
  }

  public static MatrixError notJson(String message) {
    return new MatrixError(400, "M_NOT_JSON", message);
  }

  public static MatrixError badJson(String message) {
    return new MatrixError(400, "M_BAD_JSON", message);
  }

  public static MatrixError unauthorized(String message) {
    return new MatrixError(401, "M_UNAUTHORIZED", message);
  }

  public static MatrixError forbidden(String message) {
    return new MatrixError(403, "M_FORBIDDEN", message);
  }

  public static MatrixError unknown(String message) {
    return new MatrixError(500, "M_UNKNOWN", message);
  }

  /** The failure as the client sees it: a MatrixError as is, anything else as 500 M_UNKNOWN without its details. */
  public static MatrixError of(Throwable failure) {
    return failure instanceof MatrixError known ? known : unknown("Internal Server Error");
  }

  public int status() {
    return status;
  }

  public String errcode() {
    return errcode;
  }

  /** The response body: {@code {"errcode", "error"}}. */
  public JsonObject toJson() {
    return new JsonObject().put("errcode", errcode).put("error", getMessage());
  }

  @Override
  public String toString() {
    return status + " " + errcode + ": " + getMessage();
  }
}
